"""boto3 clients built from Settings: one per service per process, shared by the adapters."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import Settings

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=5, read_timeout=20)


class AwsClients:
    """`clients("s3")` → the boto3 client for the stage's region and (locally) the moto endpoint."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session = boto3.session.Session()
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                s = self._settings
                region = s.cognito_region if service == "cognito-idp" else s.region
                self._clients[service] = self._session.client(
                    service, region_name=region, endpoint_url=s.endpoint_url, config=_CONFIG
                )
            return self._clients[service]
