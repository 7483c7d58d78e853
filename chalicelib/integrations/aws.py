"""boto3 clients built from Settings: one per service per process, shared by the adapters."""

from __future__ import annotations

import threading
from typing import Any

import boto3
from botocore import handlers
from botocore.config import Config

from chalicelib.config import Settings

# Connections kept per client: the stream consumers put side by side from two pools of 16 threads
# (services/archive.py); with botocore's default of 10, every request past ten opened a new connection
# and threw it away after one use.
POOL_CONNECTIONS = 40
_CONFIG = Config(
    retries={"max_attempts": 4, "mode": "standard"},
    connect_timeout=5,
    read_timeout=20,
    max_pool_connections=POOL_CONNECTIONS,
)


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
                client = self._session.client(service, region_name=region, endpoint_url=s.endpoint_url, config=_CONFIG)
                if service == "s3":
                    # The app puts small objects (audit copies, archive documents, reports): botocore's
                    # `Expect: 100-continue` would make every PutObject wait a round trip for the go-ahead
                    # before its body. Uploads from browsers go straight to S3 and are not affected.
                    client.meta.events.unregister("before-call.s3", handlers.add_expect_header)
                self._clients[service] = client
            return self._clients[service]
