"""The in-memory fakes pass the same contract tests as the AWS adapters (tests/integration/test_contracts.py)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.contracts import ArchiveStoreContract, CipherContract, DirectoryTableContract, TicketStoreContract
from tests.helpers.fakes import FakeArchiveStore, FakeCipher, FakeDirectoryTable


class TestFakeDirectoryTable(DirectoryTableContract):
    @pytest.fixture
    def table(self) -> FakeDirectoryTable:
        return FakeDirectoryTable()


class TestFakeTicketRepository(TicketStoreContract):
    @pytest.fixture
    def deps(self, fake: Any) -> Any:
        return fake


class TestFakeArchiveStore(ArchiveStoreContract):
    @pytest.fixture
    def store(self) -> FakeArchiveStore:
        return FakeArchiveStore()


class TestFakeCipher(CipherContract):
    @pytest.fixture
    def cipher(self) -> FakeCipher:
        return FakeCipher()
