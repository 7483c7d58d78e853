"""The AWS emulator (moto server) on 127.0.0.1: start, reset, clients with its dummy credentials.

`start_moto()` first applies `infra/moto_patches.py` (bounded memory, stream readers that never
stall, DynamoDB writes atomic with respect to each other as DynamoDB's are). For a server running in this process, the
material of its KMS keys can be saved and put back (`export_kms_keys` / `import_kms_keys`), so what
a saved snapshot holds encrypted stays readable after a restart.
"""

from __future__ import annotations

import base64
import copy
import logging
import os
import socket
from typing import Any

import boto3
import boto3.session
import requests
from botocore.client import BaseClient
from botocore.config import Config

ACCOUNT_ID = "123456789012"  # moto's default account
ACCESS_KEY = "testing"  # moto accepts any key; this one is what every local client signs with

# Cognito is not offered in the China partition (moto has no cn-* backend for it either):
# locally the pool lives in the nearest region that has it. Tokens are verified by issuer + JWKS,
# so the app does not care where the IdP sits.
COGNITO_FALLBACK_REGION = "ap-east-1"

_IN_PROCESS: set[str] = set()  # endpoints of the moto servers running in this process


def start_moto(port: int = 0) -> tuple[Any, str]:
    """Start a ThreadedMotoServer on 127.0.0.1 (port 0 = a free port); return (server, url)."""
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
    return server, endpoint


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
