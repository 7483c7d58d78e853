"""The DynamoDB, S3 and KMS adapters pass the contract tests the in-memory fakes pass (tests/unit)."""

from __future__ import annotations

import base64
import json
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


def test_r12345_11_callers_are_sealed_under_the_personal_data_key_not_the_storage_key(
    deps: Any, outputs: dict[str, str]
) -> None:
    assert deps.settings.personal_data_key == outputs["pii_kms_key_id"] != outputs["kms_key_id"]
    token = deps.envelope.encrypt({"name": "周七", "phone": "13700001111"}, "tickets/T20261101-00001/caller_enc")
    packed = json.loads(base64.urlsafe_b64decode(token.split(":", 1)[1]))
    kms = deps.clients("kms")
    opened = kms.decrypt(
        CiphertextBlob=base64.urlsafe_b64decode(packed["k"]), EncryptionContext={"purpose": "personal-data"}
    )
    pii_arn = kms.describe_key(KeyId=outputs["pii_kms_key_id"])["KeyMetadata"]["Arn"]
    assert opened["KeyId"] == pii_arn
