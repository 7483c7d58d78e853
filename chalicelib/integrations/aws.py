"""boto3 clients built from Settings (one per process, thread-safe), passed into adapters."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import get_settings

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=20)


@lru_cache(maxsize=16)
def client(service: str) -> Any:
    """A boto3 client for the configured region and (locally) the moto endpoint."""
    s = get_settings()
    region = s.cognito_region if service == "cognito-idp" else s.region
    return boto3.session.Session().client(service, region_name=region, endpoint_url=s.endpoint_url, config=_CONFIG)


@lru_cache(maxsize=1)
def envelope() -> Any:
    """The process-wide KMS envelope for personal data."""
    from chalicelib.integrations.crypto import Envelope

    return Envelope(client("kms"), get_settings().kms_key_id)
