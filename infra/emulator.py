"""The AWS emulator (moto server) on 127.0.0.1: start, reset, clients with its dummy credentials.

`start_moto()` first applies `infra/moto_patches.py` (bounded memory, stream readers that never
stall, DynamoDB writes atomic with respect to each other as DynamoDB's are). For a server running in this process, the
material of its KMS keys can be saved and put back (`export_kms_keys` / `import_kms_keys`), so what
a saved snapshot holds encrypted stays readable after a restart.
"""

from __future__ import annotations

import base64
import copy
import io
import logging
import os
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import boto3.session
import requests
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient
from botocore.config import Config
from botocore.httpsession import URLLib3Session
from werkzeug.test import EnvironBuilder, run_wsgi_app

ACCOUNT_ID = "123456789012"  # moto's default account
ACCESS_KEY = "testing"  # moto accepts any key; this one is what every local client signs with

# Cognito is not offered in the China partition (moto has no cn-* backend for it either):
# locally the pool lives in the nearest region that has it. Tokens are verified by issuer + JWKS,
# so the app does not care where the IdP sits.
COGNITO_FALLBACK_REGION = "ap-east-1"

_IN_PROCESS: set[str] = set()  # endpoints of the moto servers running in this process
_URLLIB3_SEND = URLLib3Session.send


def start_moto(port: int = 0, *, in_process_calls: bool = False) -> tuple[Any, str]:
    """Start a ThreadedMotoServer on 127.0.0.1 (port 0 = a free port); return (server, url).

    `in_process_calls`: this process's own AWS calls to the server are served in the calling thread
    (`serve_in_process`), not over a socket to one of the server's threads.
    """
    from moto.server import ThreadedMotoServer

    from infra import moto_patches

    moto_patches.apply()  # bounded memory, streams that never stall, serialised writes (see moto_patches.py)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    if port:
        # ThreadedMotoServer.start() blocks forever if its thread cannot bind: check first.
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise OSError(f"moto port 127.0.0.1:{port} is in use ({exc})") from exc
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()  # returns once the socket is bound
    host, bound = server.get_host_and_port()
    endpoint = f"http://{host}:{bound}"
    _IN_PROCESS.add(endpoint)
    if in_process_calls:
        serve_in_process(endpoint)
    return server, endpoint


# --------------------------------------------------------------------------- in-process calls

_DIRECT: set[str] = set()  # endpoints whose requests from this process skip the socket
_APP: Any = None  # a second WSGI front of the same in-memory backends


class _Body(io.BytesIO):
    """A buffered response body with urllib3's `stream()` (what botocore reads a raw body with)."""

    def stream(self, amt: int = 65536, decode_content: bool | None = None) -> Iterator[bytes]:
        while chunk := self.read(amt):
            yield chunk


def _send(self: Any, request: Any) -> Any:
    parts = urlsplit(request.url)
    base = f"{parts.scheme}://{parts.netloc}"
    if base not in _DIRECT:
        return _URLLIB3_SEND(self, request)
    body = request.body.read() if hasattr(request.body, "read") else request.body
    headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()}
    environ = EnvironBuilder(
        method=request.method, base_url=base, path=parts.path, query_string=parts.query, headers=headers,
        data=body or b"",
    ).get_environ()  # fmt: skip
    app_iter, status, response_headers = run_wsgi_app(_APP, environ, buffered=True)
    response = AWSResponse(request.url, int(status.split(" ", 1)[0]), dict(response_headers), _Body(b"".join(app_iter)))
    if not request.stream_output:  # as botocore's own session: streaming bodies are read by the caller
        response.content  # noqa: B018
    return response


def serve_in_process(endpoint: str) -> None:
    """Serve this process's botocore requests to `endpoint` (an in-process moto server) in the calling
    thread through moto's WSGI app — the same backends, no socket, no hand-off to a server thread.

    With both ends in one process, every request otherwise bounces between the caller's thread and a
    server thread through the GIL: under load (the stream pump's consumers, a dozen request threads)
    each hand-off waits, and a stream consumer ran at a third of its speed.
    """
    global _APP
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    if _APP is None:
        _APP = DomainDispatcherApplication(create_backend_app)
        URLLib3Session.send = _send  # type: ignore[method-assign]
    _DIRECT.add(endpoint)


def reset_moto(endpoint_url: str) -> None:
    """Forget everything moto holds (POST /moto-api/reset)."""
    requests.post(f"{endpoint_url}/moto-api/reset", timeout=30).raise_for_status()


def use_dummy_credentials() -> None:
    """Have this process sign with moto's dummy keys.

    The app's own clients (`chalicelib.bootstrap.build`, PynamoDB's connections) take their endpoint
    and region from Settings but their credentials from the SDK's default chain, which reads these.
    """
    os.environ.update(AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=ACCESS_KEY)
    os.environ.pop("AWS_SESSION_TOKEN", None)


def client(service: str, endpoint_url: str, region: str) -> BaseClient:
    """A boto3 client for the moto endpoint with the dummy credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=ACCESS_KEY,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def cognito_region(region: str) -> str:
    """The region the user pool lives in for a stack in `region`."""
    available = boto3.session.Session().get_available_regions("cognito-idp")
    return region if region in available else COGNITO_FALLBACK_REGION


def stack_client(outputs: dict[str, str], service: str) -> BaseClient:
    """A client for a deployed stack's endpoint and region (Cognito: the pool's region)."""
    if service == "cognito-idp":
        region = outputs.get("cognito_region") or cognito_region(outputs["region"])
        return client(service, outputs["endpoint_url"], region)
    return client(service, outputs["endpoint_url"], outputs["region"])


# --------------------------------------------------------------------------- KMS key material


def _kms_backend(outputs: dict[str, str]) -> Any | None:
    """moto's KMS state of the stack's region, when its server runs in this process."""
    if outputs["endpoint_url"] not in _IN_PROCESS:
        return None
    from moto.kms.models import kms_backends

    return kms_backends[ACCOUNT_ID][outputs["region"]]


def export_kms_keys(outputs: dict[str, str]) -> dict[str, str]:
    """{key id: base64 key material} of the stack region's KMS keys; {} when moto runs elsewhere.

    KMS never hands out key material and moto makes new keys (new ids, new material) whenever it
    starts, so without the old keys nothing a snapshot holds encrypted (callers' personal data,
    partner secrets) could be decrypted after a restart. moto's keys are dummies: saving them
    next to the local data they protect is harmless.
    """
    backend = _kms_backend(outputs)
    if backend is None:
        return {}
    return {key_id: base64.b64encode(key.key_material).decode() for key_id, key in backend.keys.items()}


def import_kms_keys(outputs: dict[str, str], keys: dict[str, str]) -> int:
    """Put saved KMS keys (same id, same material) back beside the stack's own; returns how many."""
    backend = _kms_backend(outputs)
    if backend is None or not keys:
        return 0
    model = backend.keys[backend.any_id_to_key_id(outputs["kms_key_id"])]
    added = 0
    for key_id, material in keys.items():
        if key_id in backend.keys:
            continue
        key = copy.copy(model)  # the stack key's settings (usage, spec, policy), the saved identity
        key.id, key.arn = key_id, model.arn.replace(model.id, key_id)
        key.key_material = base64.b64decode(material)
        key.grants, key.aliases, key.rotations = {}, {}, []
        backend.keys[key_id] = key
        added += 1
    return added
