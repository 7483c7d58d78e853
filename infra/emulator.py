"""The AWS emulator (moto server) on 127.0.0.1: start, reset, clients with its dummy credentials.

`start_moto()` first applies `infra/moto_patches.py` (bounded memory, stream readers that never
stall, DynamoDB writes atomic with respect to each other as DynamoDB's are). For a server running in this process, the
material of its KMS keys can be saved and put back (`export_kms_keys` / `import_kms_keys`), so what
a saved snapshot holds encrypted stays readable after a restart, and `InProcess` reads and writes
its users, items and object versions directly (infra/state.py restores through it: same S3
version ids, same item images, no stream records, no new versions).
"""

from __future__ import annotations

import base64
import copy
import io
import itertools
import logging
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
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

from infra import moto_patches, moto_srp

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

    moto_patches.apply()  # bounded memory, streams that never stall, serialised writes (see moto_patches.py)
    moto_srp.apply()  # the pool checks the SRP proof of a login (moto accepts any: see moto_srp.py)

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
    with moto_patches.deferred():  # this process's own consumers: durable at the pump's flush
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


def in_process(outputs: dict[str, str]) -> bool:
    """Whether the stack's moto server runs in this process (its state is reachable directly)."""
    return outputs["endpoint_url"] in _IN_PROCESS


def _kms_backend(outputs: dict[str, str]) -> Any | None:
    """moto's KMS state of the stack's region, when its server runs in this process."""
    if not in_process(outputs):
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


# --------------------------------------------------------------------------- state, directly


def _naive_utc(text: str | None) -> datetime:
    """moto keeps naive UTC datetimes; saved times are ISO text (with or without an offset)."""
    if not text:
        return datetime.now(UTC).replace(tzinfo=None)
    value = datetime.fromisoformat(text)
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


def _millis(value: datetime) -> int:
    """A moto time (naive UTC) as epoch milliseconds: what its version listings sort by."""
    return int(value.replace(tzinfo=UTC).timestamp() * 1000)


def _lock_until(text: str | None) -> str | None:
    """Retain-until as moto keeps it (the request header's text: `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`)."""
    if not text or text.endswith("Z"):
        return text
    return _naive_utc(text).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # from a snapshot read through the API


def wire(value: Any) -> Any:
    """An attribute value as DynamoDB's wire JSON carries it (binary as base64 text)."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [wire(v) for v in value]
    return value


class InProcess:
    """The moto state of a deployed stack whose server runs in this process, read and written directly.

    Writes bypass the request layer on purpose: no stream record, no new S3 version id, no
    journal entry (infra/moto_patches.py hooks the backends' request paths, not these).
    """

    def __init__(self, outputs: dict[str, str]) -> None:
        if not in_process(outputs):
            raise RuntimeError(f"moto at {outputs['endpoint_url']} does not run in this process")
        from moto.cognitoidp.models import cognitoidp_backends
        from moto.dynamodb.models import dynamodb_backends
        from moto.s3.models import s3_backends
        from moto.utilities.utils import get_partition

        self.outputs = outputs
        self.ddb = dynamodb_backends[ACCOUNT_ID][outputs["region"]]
        self.s3 = s3_backends[ACCOUNT_ID][get_partition(outputs["region"])]
        region = outputs.get("cognito_region") or cognito_region(outputs["region"])
        self.idp = cognitoidp_backends[ACCOUNT_ID][region] if outputs.get("user_pool_id") else None

    # ---------------------------------------------------------------- DynamoDB

    def put_item(self, table_name: str, image: dict[str, Any]) -> None:
        """Set an item (wire JSON) as it is, without a stream record."""
        from moto.dynamodb.models.dynamo_type import DynamoType, Item

        table: Any = self.ddb.get_table(table_name)
        image = wire(image)
        hash_key = DynamoType(image[table.hash_key_attr])
        range_key = DynamoType(image[table.range_key_attr]) if table.range_key_attr else None
        if range_key is not None:
            table.items[hash_key][range_key] = Item(hash_key, range_key, image)
        else:
            table.items[hash_key] = Item(hash_key, None, image)
        moto_patches.reindex(table, hash_key, range_key)

    def item_pages(self, table_name: str, size: int = 500) -> Iterator[list[dict[str, Any]]]:
        """Every item's image (wire JSON, as a Scan gives it), `size` at a time. Each page is read under
        the emulator's lock, which writes wait for in between; a whole-table Scan through moto
        re-walks the table for every page (quadratic) and holds the lock meanwhile."""
        table: Any = self.ddb.get_table(table_name)
        with moto_patches.LOCK:
            items = list(table.all_items())
        for at in range(0, len(items), size):
            with moto_patches.LOCK:
                yield [item.to_json()["Attributes"] for item in items[at : at + size]]

    def delete_item(self, table_name: str, key: dict[str, Any]) -> None:
        """Remove an item, without a stream record."""
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = self.ddb.get_table(table_name)
        key = wire(key)
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        if range_key is not None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items.pop(hash_key, None)
        moto_patches.reindex(table, hash_key, range_key)

    # ---------------------------------------------------------------- S3

    def _insert(self, bucket: Any, key: str, version: Any) -> None:
        """Place a version among the key's others (latest last): where it was, if it is there already
        (a replay), else by its last-modified time.

        moto orders a listing by last-modified milliseconds alone, and a snapshot read through the
        API knows only whole seconds: versions of one key saved in the same second are kept in their
        saved order and one millisecond apart, so the listing still names the right one latest.
        """
        versions = list(bucket.keys.getlist(key, []))
        same = [n for n, v in enumerate(versions) if v.version_id == version.version_id]
        if same:
            versions[same[0]] = version
        else:
            at = len(versions)
            while at and versions[at - 1].last_modified > version.last_modified:
                at -= 1
            versions.insert(at, version)
        for earlier, later in itertools.pairwise(versions):
            if _millis(later.last_modified) <= _millis(earlier.last_modified):
                later.last_modified = datetime.fromtimestamp((_millis(earlier.last_modified) + 1) / 1000, UTC).replace(
                    tzinfo=None
                )
        bucket.keys.setlist(key, versions)

    def put_version(self, bucket_name: str, entry: dict[str, Any], body: bytes) -> None:
        """Put one object version back with its own version id, time, metadata and lock (idempotent)."""
        from moto.s3.models import FakeKey

        bucket = self.s3.get_bucket(bucket_name)
        version = FakeKey(
            name=entry["key"],
            value=body,
            account_id=ACCOUNT_ID,
            region_name=self.outputs["region"],
            storage=entry.get("storage") or "STANDARD",
            is_versioned=bucket.is_versioned,
            version_id=entry["version_id"],
            bucket_name=bucket_name,
            encryption=entry.get("encryption"),
            kms_key_id=entry.get("kms_key_id"),
            bucket_key_enabled=entry.get("bucket_key_enabled"),
            lock_mode=entry.get("lock_mode"),
            lock_legal_status=entry.get("legal_hold"),
            lock_until=_lock_until(entry.get("retain_until")),
            checksum_value=entry.get("checksum_value"),
        )
        meta = {f"x-amz-meta-{k}": v for k, v in (entry.get("metadata") or {}).items()}
        if entry.get("content_type"):
            meta["Content-Type"] = entry["content_type"]
        version.set_metadata({**(entry.get("headers") or {}), **meta})
        version.checksum_algorithm = entry.get("checksum_algorithm")
        version.last_modified = _naive_utc(entry.get("last_modified"))
        self._insert(bucket, entry["key"], version)

    def put_delete_marker(self, bucket_name: str, entry: dict[str, Any]) -> None:
        """Put a delete marker back with its own version id and time (idempotent)."""
        from moto.s3.models import FakeDeleteMarker

        bucket = self.s3.get_bucket(bucket_name)
        marker: Any = FakeDeleteMarker.__new__(FakeDeleteMarker)
        marker.key = bucket.keys.get(entry["key"])  # what it hides (moto's marker refers to it)
        marker.name = entry["key"]
        marker.last_modified = _naive_utc(entry.get("last_modified"))
        marker._version_id = entry["version_id"]
        self._insert(bucket, entry["key"], marker)

    def drop_version(self, bucket_name: str, key: str, version_id: str) -> None:
        """Remove one version (or the key of an unversioned bucket)."""
        bucket = self.s3.get_bucket(bucket_name)
        rest = [v for v in bucket.keys.getlist(key, []) if str(v.version_id) != str(version_id)]
        if rest:
            bucket.keys.setlist(key, rest)
        elif key in bucket.keys:
            bucket.keys.pop(key)

    # ---------------------------------------------------------------- Cognito users

    def _pool(self) -> Any:
        assert self.idp is not None
        return self.idp.user_pools[self.outputs["user_pool_id"]]

    def users(self) -> dict[str, dict[str, Any]]:
        """{username: record} of the stack pool's users (password, status, attributes, groups …)."""
        if self.idp is None:
            return {}
        return {
            name: {
                "sub": user.id,
                "password": user.password,
                "status": str(getattr(user.status, "value", user.status)),
                "enabled": bool(user.enabled),
                "attributes": [dict(a) for a in list(user.attributes)],
                "groups": sorted(g.group_name for g in list(user.groups)),
                "created": user.create_date.isoformat(),
                "modified": user.last_modified_date.isoformat(),
            }
            for name, user in list(self._pool().users.items())  # a copy: requests may change it meanwhile
        }

    def put_user(self, username: str, record: dict[str, Any] | None) -> None:
        """Create, replace (None: delete) a user of the stack pool as recorded."""
        from moto.cognitoidp.models import CognitoIdpUser, UserStatus

        if self.idp is None:
            return
        pool = self._pool()
        old = pool.users.pop(username, None)
        if old is not None:
            for group in old.groups:
                group.users.discard(old)
        if record is None:
            return
        status = UserStatus(record["status"])  # moto compares statuses by identity
        user = CognitoIdpUser(pool.id, username, record["password"], status, record["attributes"])
        user.id = record["sub"]
        user.update_attributes([{"Name": "sub", "Value": record["sub"]}])  # the constructor drew a new one
        user.enabled = record["enabled"]
        user.create_date = _naive_utc(record.get("created"))
        user.last_modified_date = _naive_utc(record.get("modified"))
        for name in record.get("groups", []):
            group = pool.groups.get(name)
            if group is not None:
                group.users.add(user)
                user.groups.add(group)
        pool.users[username] = user
