"""Dump and restore a deployment's data (every table item, every archive object version, the keys).

`make run` saves into `.local-data/` every minute and on stop, and restores on the next start.
Layout: blobs/<sha256> (content addressed, shared), snapshots/<ts>/{tables,objects}.json, and
CURRENT naming the complete snapshot.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from infra.emulator import export_kms_keys, import_kms_keys, stack_client

# Output key -> file name stem in a state snapshot (stage independent).
TABLE_KEYS = ("tickets_table", "events_table", "counters_table", "directory_table")


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file by rename once the new content is on disk (a crash leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))


def _json_hook(obj: dict[str, Any]) -> Any:
    if set(obj) == {"__b64__"}:
        return base64.b64decode(obj["__b64__"])
    return obj


def dump_state(outputs: dict[str, str], directory: Path) -> Path:
    """Save every table's items and every archive object version under directory (atomically).

    Layout: blobs/<sha256> (content addressed, shared), snapshots/<ts>/{tables,objects}.json
    (+ kms.json: the emulator's key material, when moto runs in this process), and CURRENT naming
    the complete snapshot; CURRENT is switched by rename only after the new snapshot is fully
    written, so a crash never loses the previous one.
    """
    directory = Path(directory)
    ddb = stack_client(outputs, "dynamodb")
    tables: dict[str, list[dict[str, Any]]] = {}
    for key in TABLE_KEYS:
        items: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(TableName=outputs[key], ConsistentRead=True):
            items.extend(page["Items"])
        tables[key] = items
    objects = _dump_objects(outputs, directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    snap = directory / "snapshots" / stamp
    write_atomic(snap / "tables.json", json.dumps(tables, default=_json_default, ensure_ascii=False).encode())
    write_atomic(
        snap / "objects.json",
        json.dumps(objects, default=_json_default, ensure_ascii=False, indent=1).encode(),
    )
    keys = export_kms_keys(outputs)
    if keys:
        write_atomic(snap / "kms.json", json.dumps(keys, indent=1).encode())
    write_atomic(directory / "CURRENT", stamp.encode())
    _prune(directory, stamp, objects)
    return snap


def _previous_objects(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    snap = _current_snapshot(directory)
    if snap is None or not (snap / "objects.json").exists():
        return {}
    entries = json.loads((snap / "objects.json").read_text(encoding="utf-8"))
    return {(e["key"], e["version_id"]): e for e in entries if e.get("version_id")}


def _dump_objects(outputs: dict[str, str], directory: Path) -> list[dict[str, Any]]:
    s3 = stack_client(outputs, "s3")
    bucket = outputs["archive_bucket"]
    known = _previous_objects(directory)  # a version id never changes: skip re-downloading it
    entries: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            ident = (v["Key"], v["VersionId"])
            if ident in known and (directory / "blobs" / known[ident]["sha256"]).exists():
                entries.append({**known[ident], "is_latest": v["IsLatest"]})
                continue
            obj = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
            body = obj["Body"].read()
            sha = hashlib.sha256(body).hexdigest()
            blob = directory / "blobs" / sha
            if not blob.exists():
                write_atomic(blob, body)
            entries.append(
                {
                    "kind": "version",
                    "key": v["Key"],
                    "version_id": v["VersionId"],
                    "is_latest": v["IsLatest"],
                    "last_modified": v["LastModified"].isoformat(),
                    "sha256": sha,
                    "content_type": obj.get("ContentType"),
                    "metadata": obj.get("Metadata", {}),
                    "lock_mode": obj.get("ObjectLockMode"),
                    "retain_until": (
                        obj["ObjectLockRetainUntilDate"].isoformat() if obj.get("ObjectLockRetainUntilDate") else None
                    ),
                    "legal_hold": obj.get("ObjectLockLegalHoldStatus"),
                }
            )
        for m in page.get("DeleteMarkers", []):
            entries.append(
                {
                    "kind": "delete_marker",
                    "key": m["Key"],
                    "version_id": m["VersionId"],
                    "is_latest": m["IsLatest"],
                    "last_modified": m["LastModified"].isoformat(),
                }
            )
    # Oldest first per key. S3 lists newest first but LastModified has 1 s resolution, so ties
    # fall back to the listing position (reversed) and the latest version goes last.
    order = {id(e): n for n, e in enumerate(entries)}
    entries.sort(key=lambda e: (e["key"], e["last_modified"], e["is_latest"], -order[id(e)]))
    return entries


def _prune(directory: Path, keep: str, objects: list[dict[str, Any]]) -> None:
    for old in (directory / "snapshots").iterdir():
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    used = {e["sha256"] for e in objects if e.get("sha256")}
    blobs = directory / "blobs"
    if blobs.is_dir():
        for blob in blobs.iterdir():
            if blob.name not in used and not blob.name.startswith("."):
                blob.unlink(missing_ok=True)


def _current_snapshot(directory: Path) -> Path | None:
    pointer = Path(directory) / "CURRENT"
    if not pointer.exists():
        return None
    snap = Path(directory) / "snapshots" / pointer.read_text().strip()
    return snap if (snap / "tables.json").exists() else None


def restore_state(outputs: dict[str, str], directory: Path) -> bool:
    """Put a snapshot written by dump_state back; False if there is none."""
    directory = Path(directory)
    snap = _current_snapshot(directory)
    if snap is None:
        return False
    keys_file = snap / "kms.json"
    if keys_file.exists():  # first: the restored ciphertexts name these keys
        import_kms_keys(outputs, json.loads(keys_file.read_text(encoding="utf-8")))
    tables = json.loads((snap / "tables.json").read_text(encoding="utf-8"), object_hook=_json_hook)
    ddb = stack_client(outputs, "dynamodb")
    for key, items in tables.items():
        for start in range(0, len(items), 25):
            _batch_put(ddb, outputs[key], items[start : start + 25])
    objects_file = snap / "objects.json"
    if objects_file.exists():
        _restore_objects(outputs, directory, json.loads(objects_file.read_text(encoding="utf-8")))
    return True


def _batch_put(ddb: BaseClient, table: str, items: list[dict[str, Any]]) -> None:
    request = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for _ in range(10):
        request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        if not request:
            return
        time.sleep(0.05)
    raise RuntimeError(f"restore: unprocessed items remain for {table}")


def _restore_objects(outputs: dict[str, str], directory: Path, entries: list[dict[str, Any]]) -> None:
    s3 = stack_client(outputs, "s3")
    bucket = outputs["archive_bucket"]
    for e in entries:  # sorted by key, then age: versions come back in their original order
        if e["kind"] == "delete_marker":
            s3.delete_object(Bucket=bucket, Key=e["key"])
            continue
        kwargs: dict[str, Any] = {
            "Bucket": bucket,
            "Key": e["key"],
            "Body": (directory / "blobs" / e["sha256"]).read_bytes(),
            "Metadata": e.get("metadata") or {},
        }
        if e.get("content_type"):
            kwargs["ContentType"] = e["content_type"]
        if e.get("lock_mode") and e.get("retain_until"):
            kwargs["ObjectLockMode"] = e["lock_mode"]
            kwargs["ObjectLockRetainUntilDate"] = datetime.fromisoformat(e["retain_until"])
        if e.get("legal_hold"):
            kwargs["ObjectLockLegalHoldStatus"] = e["legal_hold"]
        s3.put_object(**kwargs)
