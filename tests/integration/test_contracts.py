"""The DynamoDB, S3 and KMS adapters pass the contract tests the in-memory fakes pass (tests/unit)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers.contracts import ArchiveStoreContract, CipherContract, DirectoryTableContract, TicketStoreContract


class TestDynamoDirectoryTable(DirectoryTableContract):
    @pytest.fixture
    def table(self, deps: Any) -> Any:
        return deps.table


class TestDynamoTicketRepository(TicketStoreContract):
    pass  # `deps` is the session's real adapters


class TestS3ArchiveStore(ArchiveStoreContract):
    @pytest.fixture
    def store(self, deps: Any) -> Any:
        return deps.archive_store


class TestKmsEnvelope(CipherContract):
    @pytest.fixture
    def cipher(self, deps: Any) -> Any:
        return deps.envelope
