"""Secrets come from Secrets Manager at cold start, never from the environment (docs/deploy.md, "Secrets")."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import pytest

from chalicelib.config import Settings
from chalicelib.integrations.aws import AwsClients
from chalicelib.integrations.secrets import SecretMissing, with_secrets
from infra import emulator


def _secret(outputs: dict[str, str], value: dict[str, str]) -> str:
    client = emulator.client("secretsmanager", outputs["endpoint_url"], outputs["region"])
    return str(client.create_secret(Name=f"hotline/test/{uuid.uuid4().hex}", SecretString=json.dumps(value))["ARN"])


def test_the_mainland_gateway_key_and_the_oidc_client_secret_are_read_from_secrets_manager(
    deps: Any, outputs: dict[str, str]
) -> None:
    sms = _secret(outputs, {"access_key_id": "LTAI-test", "access_key_secret": "s3cr3t"})
    oidc = _secret(outputs, {"client_secret": "oidc-s3cr3t"})
    settings = dataclasses.replace(deps.settings, sms_secret_arn=sms, oidc_client_secret_arn=oidc)
    filled = with_secrets(settings, AwsClients(settings))
    assert (filled.aliyun_access_key_id, filled.aliyun_access_key_secret) == ("LTAI-test", "s3cr3t")
    assert filled.oidc_client_secret == "oidc-s3cr3t"
    assert with_secrets(deps.settings, AwsClients(deps.settings)) is deps.settings  # nothing named, nothing read


def test_a_secret_without_its_fields_stops_the_cold_start(deps: Any, outputs: dict[str, str]) -> None:
    arn = _secret(outputs, {"access_key_id": "LTAI-test"})
    settings = dataclasses.replace(deps.settings, sms_secret_arn=arn)
    with pytest.raises(SecretMissing, match="access_key_secret"):
        with_secrets(settings, AwsClients(settings))


def test_the_environment_cannot_carry_the_gateway_secret() -> None:
    settings = Settings.from_env({"STAGE": "prod-cn", "ALIYUN_ACCESS_KEY_ID": "x", "ALIYUN_ACCESS_KEY_SECRET": "y"})
    assert (settings.aliyun_access_key_id, settings.aliyun_access_key_secret) == ("", "")
