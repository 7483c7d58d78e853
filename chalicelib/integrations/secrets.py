"""Secrets read once at cold start from Secrets Manager (never from the environment; docs/deploy.md).

The stage names where a secret lives (`SMS_SECRET_ARN`, `OIDC_CLIENT_SECRET_ARN`); the composition
root calls `with_secrets` before it builds anything that uses them, so the values exist only in the
process's Settings.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from chalicelib.config import Settings


class SecretMissing(RuntimeError):
    """A secret the stage names is absent, not JSON, or lacks a field (set it: docs/deploy.md)."""


def read_json_secret(client: Any, secret_id: str, fields: tuple[str, ...]) -> dict[str, str]:
    """The secret's JSON fields (all of `fields` present and non-empty)."""
    try:
        raw = client.get_secret_value(SecretId=secret_id)["SecretString"]
        doc = json.loads(raw)
    except (KeyError, ValueError) as exc:
        raise SecretMissing(f"secret {secret_id} holds no JSON value") from exc
    missing = [f for f in fields if not isinstance(doc.get(f), str) or not doc[f]]
    if missing:
        raise SecretMissing(f"secret {secret_id} lacks {', '.join(missing)}")
    return {f: str(doc[f]) for f in fields}


def with_secrets(settings: Settings, clients: Callable[[str], Any]) -> Settings:
    """Settings with the mainland SMS gateway key and the OIDC client secret filled in from Secrets Manager."""
    filled = settings
    if settings.sms_secret_arn:
        sms = read_json_secret(
            clients("secretsmanager"), settings.sms_secret_arn, ("access_key_id", "access_key_secret")
        )
        filled = dataclasses.replace(
            filled, aliyun_access_key_id=sms["access_key_id"], aliyun_access_key_secret=sms["access_key_secret"]
        )
    if settings.oidc_client_secret_arn:
        oidc = read_json_secret(clients("secretsmanager"), settings.oidc_client_secret_arn, ("client_secret",))
        filled = dataclasses.replace(filled, oidc_client_secret=oidc["client_secret"])
    return filled
