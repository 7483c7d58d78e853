"""Save and restore a deployment's data: snapshots + the write-ahead journal (infra/journal.py).

`make run` saves a snapshot into `.local-data/` every 10 minutes (or 50,000 journal entries) and on stop, journals every change in
between, and on the next start restores the snapshot and replays the journal after it.

    .local-data/CURRENT                      names the complete snapshot
    .local-data/snapshots/<ts>/tables.json   every item of the four tables (by output key)
                               objects.json  every archive object version and delete marker
                               kms.json      the emulator's KMS key material (in-process moto)
                               users.json    the user pool's users (in-process moto)
                               journal.json  {"generation": n}: replay the journal from generation n
    .local-data/blobs/<sha256>               object bodies (content addressed; snapshots and journal)
    .local-data/journal.jsonl (+ journal.<n>.jsonl)   changes since the snapshot began

A snapshot starts a new journal generation first, then reads the data while the stack keeps
running (a fuzzy snapshot; with the emulator in this process straight from its tables, a page of
items at a time, written out as read): every change made before it began is in the data it reads, every
change made after is in the new generation, and a change in both is replayed as the same full
image again. Only once CURRENT names the new snapshot are the older generations deleted, so a
crash at any point leaves a snapshot and every generation it needs.

Restoring into a moto server running in this process writes straight into its backends
(`emulator.InProcess`): items come back with their images and no stream records, object versions
with their own version ids and times (the archive index pins version ids: verifying and
downloading an older archive version must keep working), users with their passwords, status and
groups. Restoring into a moto server elsewhere (tests) goes through the API: items by
BatchWriteItem, objects by PutObject (new version ids), no users.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.client import BaseClient

from infra import journal, moto_patches
from infra.emulator import InProcess, export_kms_keys, import_kms_keys, in_process, stack_client
from infra.journal import Journal, fsync_dir, json_default, json_hook

# Output key -> file name stem in a state snapshot (stage independent).
TABLE_KEYS = ("tickets_table", "events_table", "counters_table", "directory_table")
BUCKET_KEYS = ("archive_bucket",)


def write_atomic(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace a file by rename once the new content (bytes, or chunks written as they come) is on
    disk (a crash leaves the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in [data] if isinstance(data, bytes) else data:
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)  # the rename itself survives a power cut


# --------------------------------------------------------------------------- the journal


def open_journal(outputs: dict[str, str], directory: Path) -> Journal:
    """Start journalling every change of the stack (its moto server runs in this process) into directory.

    Call after `restore_state` and before anything writes. The KMS keys this start created (the
    stack's data key is new on every start) are journalled first: what is encrypted with them
    stays readable after a crash.
    """
    stack = InProcess(outputs)
    names = {outputs[k]: k for k in TABLE_KEYS + BUCKET_KEYS}
    live = Journal(Path(directory), names, {"kms": lambda: export_kms_keys(outputs), "cognito-idp": stack.users})
    live.open()
    keys = [{"t": "kms_key", "key_id": k, "material": m} for k, m in export_kms_keys(outputs).items()]
    live.sync(live.append(keys))
    moto_patches.set_sink(live)
    return live


def close_journal(live: Journal) -> None:
    """Stop journalling; the file stays (the next start retires it under its generation)."""
    moto_patches.set_sink(None)
    live.close()


# --------------------------------------------------------------------------- snapshots


def dump_state(outputs: dict[str, str], directory: Path, live: Journal | None = None) -> Path:
    """Save every table's items, every archive object version, keys and users under directory.

    CURRENT is switched by rename only after the new snapshot is fully written, so a crash never
    loses the previous one. With the live journal: a new generation begins first (see the module
    docstring); without one, every journal file on disk is older than this snapshot.
    """
    directory = Path(directory)
    started = time.time()
    generation = live.rotate() if live is not None else journal.next_generation(directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    snap = directory / "snapshots" / stamp
    write_atomic(snap / "tables.json", _table_chunks(outputs))
    objects = _dump_objects(outputs, directory)
    write_atomic(
        snap / "objects.json",
        json.dumps(objects, default=json_default, ensure_ascii=False, indent=1).encode(),
    )
    keys = export_kms_keys(outputs)
    if keys:
        write_atomic(snap / "kms.json", json.dumps(keys, indent=1).encode())
    if in_process(outputs):
        users = InProcess(outputs).users()
        write_atomic(snap / "users.json", json.dumps(users, ensure_ascii=False, indent=1).encode())
    write_atomic(snap / "journal.json", json.dumps({"generation": generation}).encode())
    write_atomic(directory / "CURRENT", stamp.encode())
    journal.drop_before(directory, generation)
    _prune(directory, stamp, objects, generation, started)
    return snap


def _table_chunks(outputs: dict[str, str]) -> Iterator[bytes]:
    """tables.json ({output key: [item, …]}) a page at a time: the snapshot never holds the whole
    data a second time in memory (the embedded stack would keep that peak as resident memory)."""
    yield b"{"
    for n, key in enumerate(TABLE_KEYS):
        yield (b", " if n else b"") + json.dumps(key).encode() + b": ["
        first = True
        for page in _table_pages(outputs, outputs[key]):
            for item in page:
                yield (b"" if first else b", ") + json.dumps(item, default=json_default, ensure_ascii=False).encode()
                first = False
        yield b"]"
    yield b"}"


def _table_pages(outputs: dict[str, str], table: str) -> Iterator[list[dict[str, Any]]]:
    """A table's items a page at a time: straight from the emulator when it runs in this process
    (`InProcess.item_pages`), else by Scan."""
    if in_process(outputs):
        return InProcess(outputs).item_pages(table)
    scan = stack_client(outputs, "dynamodb").get_paginator("scan")
    return (page["Items"] for page in scan.paginate(TableName=table, ConsistentRead=True))


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
            entries.append(
                {
                    "kind": "version",
                    "key": v["Key"],
                    "version_id": v["VersionId"],
                    "is_latest": v["IsLatest"],
                    "last_modified": v["LastModified"].isoformat(),
                    "sha256": journal.write_blob(directory / "blobs", body),
                    "content_type": obj.get("ContentType"),
                    "metadata": obj.get("Metadata", {}),
                    "lock_mode": obj.get("ObjectLockMode"),
                    "retain_until": (
                        obj["ObjectLockRetainUntilDate"].isoformat() if obj.get("ObjectLockRetainUntilDate") else None
                    ),
                    "legal_hold": obj.get("ObjectLockLegalHoldStatus"),
                    "encryption": obj.get("ServerSideEncryption"),
                    "kms_key_id": obj.get("SSEKMSKeyId"),
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


def _prune(directory: Path, keep: str, objects: list[dict[str, Any]], generation: int, started: float) -> None:
    """Delete older snapshots and the blobs nothing needs: not the snapshot, not the journal from
    `generation` on, and not written or reused since the snapshot started (a journal entry being
    appended right now may refer to it)."""
    for old in (directory / "snapshots").iterdir():
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    used = {e["sha256"] for e in objects if e.get("sha256")} | journal.referenced_blobs(directory, generation)
    blobs = directory / "blobs"
    if blobs.is_dir():
        for blob in blobs.iterdir():
            if blob.name not in used and not blob.name.startswith("."):
                try:
                    if blob.stat().st_mtime < started:
                        blob.unlink()
                except FileNotFoundError:
                    pass


def _current_snapshot(directory: Path) -> Path | None:
    pointer = Path(directory) / "CURRENT"
    if not pointer.exists():
        return None
    snap = Path(directory) / "snapshots" / pointer.read_text().strip()
    return snap if (snap / "tables.json").exists() else None


def _read(path: Path, default: Any = None) -> Any:
    if not path.exists():
        return default
    return json.loads(path.read_text(encoding="utf-8"), object_hook=json_hook)


# --------------------------------------------------------------------------- restore


def restore_state(outputs: dict[str, str], directory: Path, report: dict[str, Any] | None = None) -> bool:
    """Put the saved data back: the snapshot, then the journal after it; False if there is neither.

    `report`, when given, receives what was restored (snapshot name, counts per journal entry type).
    """
    directory = Path(directory)
    if not in_process(outputs):
        return _restore_through_api(outputs, directory)
    stack = InProcess(outputs)
    snap = _current_snapshot(directory)
    counts: Counter[str] = Counter()
    with moto_patches.LOCK:  # nothing else runs yet; the backends are consistent for whoever comes next
        since = _load_snapshot(stack, outputs, directory, snap) if snap is not None else 0
        for entry in journal.read(directory, since):
            _replay(stack, outputs, directory, entry)
            counts[str(entry["t"])] += 1
    if report is not None:
        report.update(snapshot=snap.name if snap else None, since_generation=since, journal=dict(counts))
    return snap is not None or bool(counts)


def _load_snapshot(stack: InProcess, outputs: dict[str, str], directory: Path, snap: Path) -> int:
    """Load a snapshot straight into the backends; returns the journal generation to replay from."""
    keys = _read(snap / "kms.json")
    if keys:  # first: the restored ciphertexts name these keys
        import_kms_keys(outputs, keys)
    for key, items in _read(snap / "tables.json", {}).items():
        for item in items:
            stack.put_item(outputs[key], item)
    for e in _read(snap / "objects.json", []):
        if e["kind"] == "delete_marker":
            stack.put_delete_marker(outputs["archive_bucket"], e)
        else:
            stack.put_version(outputs["archive_bucket"], e, (directory / "blobs" / e["sha256"]).read_bytes())
    for username, record in _read(snap / "users.json", {}).items():
        stack.put_user(username, record)
    return int(_read(snap / "journal.json", {}).get("generation", 0))


def _replay(stack: InProcess, outputs: dict[str, str], directory: Path, e: dict[str, Any]) -> None:
    """Apply one journal entry (idempotent: every entry is a full image)."""
    kind = e["t"]
    if kind == "item":
        if e["image"] is None:
            stack.delete_item(outputs[e["table"]], e["key"])
        else:
            stack.put_item(outputs[e["table"]], e["image"])
    elif kind == "object":
        stack.put_version(outputs[e["bucket"]], e, (directory / "blobs" / e["sha256"]).read_bytes())
    elif kind == "delete_marker":
        stack.put_delete_marker(outputs[e["bucket"]], e)
    elif kind == "version_deleted":
        stack.drop_version(outputs[e["bucket"]], e["key"], e["version_id"])
    elif kind == "user":
        stack.put_user(e["username"], e["user"])
    elif kind == "kms_key" and e.get("material"):
        import_kms_keys(outputs, {e["key_id"]: e["material"]})


def _restore_through_api(outputs: dict[str, str], directory: Path) -> bool:
    """The snapshot through the API (a moto server in another process): new version ids, no users."""
    snap = _current_snapshot(directory)
    if snap is None:
        return False
    keys_file = snap / "kms.json"
    if keys_file.exists():
        import_kms_keys(outputs, json.loads(keys_file.read_text(encoding="utf-8")))
    tables = _read(snap / "tables.json", {})
    ddb = stack_client(outputs, "dynamodb")
    for key, items in tables.items():
        for start in range(0, len(items), 25):
            _batch_put(ddb, outputs[key], items[start : start + 25])
    _restore_objects(outputs, directory, _read(snap / "objects.json", []))
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


def _backfill(outputs: dict[str, str], scan: dict[str, Any], update: Callable[[dict[str, Any]], Any]) -> int:
    """Scan the Tickets items `scan` selects and apply `update(item)` (UpdateItem arguments, or None to leave
    the item) to each, conditionally; returns how many changed. A condition that fails means a commit changed
    the item meanwhile and wrote the attribute itself, so running it again changes nothing twice."""
    ddb = stack_client(outputs, "dynamodb")
    table, fixed = outputs["tickets_table"], 0
    for page in ddb.get_paginator("scan").paginate(TableName=table, **scan):
        for item in page["Items"]:
            args = update(item)
            if args is None:
                continue
            try:
                ddb.update_item(TableName=table, Key={"ticket_id": item["ticket_id"]}, **args)
                fixed += 1
            except ddb.exceptions.ConditionalCheckFailedException:
                continue
    return fixed


def index_work_queues(outputs: dict[str, str]) -> int:
    """Give restored open tickets saved before the `by_queue` index existed their `work_queue` (the five
    confirmations' index, R-12345-13); returns how many. Each update is conditional on the status it was
    derived from, and an already indexed ticket is left alone, so running it again changes nothing."""
    from chalicelib.storage.tickets import WORK_QUEUES

    def update(item: dict[str, Any]) -> dict[str, Any] | None:
        queue = WORK_QUEUES.get(item["status"]["S"])
        if queue is None:
            return None
        return {
            "UpdateExpression": "SET work_queue = :q",
            "ConditionExpression": "#s = :s AND attribute_not_exists(work_queue)",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":q": {"S": queue}, ":s": item["status"]},
        }

    scan = {
        "ProjectionExpression": "ticket_id, #s",
        "FilterExpression": "attribute_not_exists(work_queue)",
        "ExpressionAttributeNames": {"#s": "status"},
    }
    return _backfill(outputs, scan, update)


def index_caller_tags(outputs: dict[str, str], deps: Any) -> int:
    """Give restored tickets saved before the `by_caller` index existed their `caller_tag` (the blind index
    of the caller's phone, R-12345-11); returns how many. The caller is read from its envelope and hashed
    here, the number is written nowhere; each update is conditional on the envelope it was read from and
    on no tag yet (or one of another blind-index hash: `BLIND_INDEX_HASH` changed), so running it again (or
    a commit meanwhile) changes nothing twice."""
    from chalicelib.domain.model import Caller
    from chalicelib.storage.tickets import caller_aad

    def update(item: dict[str, Any]) -> dict[str, Any] | None:
        tid = item["ticket_id"]["S"]  # under the ticket's own key, or an older envelope
        caller = Caller(**deps.tickets.open_personal(tid, item["caller_enc"]["S"], caller_aad(tid)))
        tag = deps.blind_index.phone_tag(caller.phone) if caller.phone else None
        if tag is None:
            return None
        return {
            "UpdateExpression": "SET caller_tag = :t",
            "ConditionExpression": "caller_enc = :e AND (attribute_not_exists(caller_tag) OR caller_tag <> :t)",
            "ExpressionAttributeValues": {":t": {"S": tag}, ":e": item["caller_enc"]},
        }

    scan = {  # untagged, or tagged under another blind-index hash (BLIND_INDEX_HASH changed)
        "ProjectionExpression": "ticket_id, caller_enc",
        "FilterExpression": "attribute_exists(caller_enc) AND "
        "(attribute_not_exists(caller_tag) OR NOT begins_with(caller_tag, :p))",
        "ExpressionAttributeValues": {":p": {"S": f"{deps.blind_index.prefix}:"}},
    }
    return _backfill(outputs, scan, update)


def index_caller_name_tags(outputs: dict[str, str], deps: Any) -> int:
    """Give restored tickets saved before the `by_caller_name` index existed their `caller_name_tag` (the blind
    index of the caller's full name, R-12345-11), as `index_caller_tags` does for the number; their keyword
    terms are written by `python -m infra.search_backfill` (docs/operations.md)."""
    from chalicelib.domain.model import Caller
    from chalicelib.storage.tickets import caller_aad

    def update(item: dict[str, Any]) -> dict[str, Any] | None:
        tid = item["ticket_id"]["S"]  # under the ticket's own key, or an older envelope
        caller = Caller(**deps.tickets.open_personal(tid, item["caller_enc"]["S"], caller_aad(tid)))
        tag = deps.blind_index.name_tag(caller.name) if caller.name else None
        if tag is None:
            return None
        return {
            "UpdateExpression": "SET caller_name_tag = :t",
            "ConditionExpression": "caller_enc = :e AND (attribute_not_exists(caller_name_tag) OR caller_name_tag <> :t)",
            "ExpressionAttributeValues": {":t": {"S": tag}, ":e": item["caller_enc"]},
        }

    scan = {  # untagged, or tagged under another blind-index hash (BLIND_INDEX_HASH changed)
        "ProjectionExpression": "ticket_id, caller_enc",
        "FilterExpression": "attribute_exists(caller_enc) AND "
        "(attribute_not_exists(caller_name_tag) OR NOT begins_with(caller_name_tag, :p))",
        "ExpressionAttributeValues": {":p": {"S": f"{deps.blind_index.prefix}:"}},
    }
    return _backfill(outputs, scan, update)
