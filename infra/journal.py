"""The embedded stack's write-ahead journal: every committed change is on disk before its response.

`make run` keeps its data in moto's memory; a snapshot of all of it is written every 10 minutes (or
after 50,000 journal entries) and on Ctrl-C (infra/state.py). Between two snapshots every committed change is appended here, so a
SIGKILL or a power cut loses nothing that was acknowledged:

    .local-data/journal.jsonl            the live generation (appended to)
    .local-data/journal.000007.jsonl     older generations not yet covered by a snapshot
    .local-data/blobs/<sha256>           S3 object bodies (content addressed, shared with snapshots)

A line is `<crc32 of the JSON, 8 hex> <JSON>\\n`. The first line of a file is its header
(`{"t": "journal", "generation": n, ...}`); every other line is one change, as the state after it:

    {"t": "item", "table": "tickets_table", "key": {...}, "image": {...} | null}
    {"t": "object", "bucket": "archive_bucket", "key": k, "version_id": v, "sha256": s, "last_modified": …,
     "content_type": …, "metadata": {...}, "headers": {...}, "lock_mode": …, "retain_until": …,
     "legal_hold": …, "encryption": …, "kms_key_id": …, "bucket_key_enabled": …, "storage": …,
     "checksum_algorithm": …, "checksum_value": …}
    {"t": "delete_marker", "bucket": …, "key": …, "version_id": …, "last_modified": …}
    {"t": "version_deleted", "bucket": …, "key": …, "version_id": …}
    {"t": "user", "username": u, "user": {...} | null}        (the stack's Cognito pool)
    {"t": "kms_key", "key_id": id, "material": base64}

Tables and the bucket are named by their stack output key (`tickets_table`, `archive_bucket`), as in
the snapshots, so a journal replays onto the next start's stack whatever its physical names.
Every entry is a full image, never a delta: replaying an entry twice, or replaying entries a
snapshot already holds, changes nothing — which is what makes snapshots fuzzy-safe (see
`rotate`). Reading stops at the first line of a file that fails its checksum (a write torn by a
crash or a power cut: it was never acknowledged, and nothing after it in that file was synced).

Appends and syncs are separate (group commit): `append` writes the lines with os.write under a
short lock and returns the journal position after them; `sync(position)` makes sure everything up
to it is on disk with one fdatasync, which also covers whatever other threads appended meanwhile.
The emulator hooks (infra/moto_patches.py) append while the change is made and sync before the
response is sent.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import tempfile
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

LIVE = "journal.jsonl"
FORMAT = 1
_OLD = re.compile(r"^journal\.(\d{6,})\.jsonl$")

Reader = Callable[[], dict[str, Any]]  # the current records of one service (users, KMS keys) by name


# --------------------------------------------------------------------------- encoding


def json_default(value: Any) -> Any:
    """JSON for what boto3 / moto hand out besides JSON types (bytes, datetimes, sets)."""
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(type(value))


def json_hook(obj: dict[str, Any]) -> Any:
    """The inverse of json_default for bytes."""
    if set(obj) == {"__b64__"}:
        return base64.b64decode(obj["__b64__"])
    return obj


def encode(entry: Mapping[str, Any]) -> bytes:
    """One journal line."""
    body = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=json_default).encode()
    return b"%08x " % zlib.crc32(body) + body + b"\n"


def decode(line: bytes) -> dict[str, Any] | None:
    """The entry of one line, or None when the line is torn or damaged."""
    if len(line) < 10 or not line.endswith(b"\n") or line[8:9] != b" ":
        return None
    body = line[9:-1]
    try:
        if int(line[:8], 16) != zlib.crc32(body):
            return None
        entry: dict[str, Any] = json.loads(body, object_hook=json_hook)
    except ValueError:
        return None
    return entry


# --------------------------------------------------------------------------- files


def fsync_dir(path: Path) -> None:
    """Make renames and deletions in a directory durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _header(path: Path) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            entry = decode(fh.readline())
    except OSError:
        return None
    return entry if entry and entry.get("t") == "journal" else None


def generations(directory: Path) -> list[tuple[int, Path]]:
    """(generation, file) of every journal file with a readable header, oldest first."""
    found: list[tuple[int, Path]] = []
    if not Path(directory).is_dir():
        return found
    for path in Path(directory).iterdir():
        if path.name == LIVE or _OLD.match(path.name):
            header = _header(path)
            if header is not None:
                found.append((int(header["generation"]), path))
    return sorted(found)


def next_generation(directory: Path) -> int:
    """The number after every generation on disk (1 in an empty directory)."""
    return max((g for g, _ in generations(directory)), default=0) + 1


def drop_before(directory: Path, generation: int) -> None:
    """Delete the files of generations older than `generation` (a complete snapshot holds them)."""
    found = [path for g, path in generations(directory) if g < generation]
    for path in found:
        path.unlink(missing_ok=True)
    if found:
        fsync_dir(Path(directory))


def read(directory: Path, since_generation: int = 0) -> Iterator[dict[str, Any]]:
    """Every change of the generations >= since_generation, in commit order."""
    for generation, path in generations(directory):
        if generation < since_generation:
            continue
        with path.open("rb") as fh:
            fh.readline()  # header
            for line in fh:
                entry = decode(line)
                if entry is None:
                    break  # torn tail: never acknowledged, and nothing after it was synced
                yield entry


def referenced_blobs(directory: Path, since_generation: int = 0) -> set[str]:
    """sha256 of every object body the journal still needs."""
    return {str(e["sha256"]) for e in read(directory, since_generation) if e.get("t") == "object"}


def write_blob(blobs: Path, body: bytes, pending: set[Path] | None = None) -> str:
    """Store a body under its sha256 (once); returns the digest.

    Without `pending` the blob is durable on return (file and directory synced). With it, the blob is
    written without a sync and its path added to `pending`: the caller syncs it (`sync_blobs`) before
    anything that refers to it is made durable — one pass of fsyncs for a whole batch. A blob left
    torn by a crash before that sync has the wrong size and is written again.
    A blob that already exists gets its modification time renewed: snapshots prune only blobs
    older than their start, so one a new journal entry refers to is never pruned under it.
    """
    sha = hashlib.sha256(body).hexdigest()
    path = blobs / sha
    try:
        whole = path.stat().st_size == len(body)
    except FileNotFoundError:
        whole = False
    if whole:
        os.utime(path)
        if pending is not None:
            pending.add(path)  # perhaps written by another thread whose sync has not run yet
        return sha
    blobs.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=blobs, prefix=f".{sha}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(body)
            if pending is None:
                fh.flush()
                os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if pending is None:
        fsync_dir(blobs)
    else:
        pending.add(path)
    return sha


def sync_blobs(paths: set[Path]) -> None:
    """Make blobs written with `pending` durable: their contents, then their names."""
    directories = set()
    for path in paths:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        directories.add(path.parent)
    for directory in directories:
        fsync_dir(directory)


# --------------------------------------------------------------------------- the writer


class Journal:
    """The live journal of one data dir (the moto_patches change sink).

    `names` maps the stack's physical table and bucket names to their output keys; changes to
    anything else are not journalled. `readers` give the current records of services whose state
    is re-read after a request may have changed it ("cognito-idp": users, "kms": key material).
    """

    def __init__(self, directory: Path, names: Mapping[str, str], readers: Mapping[str, Reader] | None = None) -> None:
        self.directory = Path(directory)
        self.blobs = self.directory / "blobs"
        self.names = dict(names)
        self.readers = dict(readers or {})
        self.known: dict[str, dict[str, Any]] = {service: read() for service, read in self.readers.items()}
        self.generation = 0
        self.entries = 0  # appended to the live generation
        self.stats = {"entries": 0, "bytes": 0, "syncs": 0, "sync_s": 0.0, "write_s": 0.0}
        self._lock = threading.Lock()  # appends, rotation (taken under moto_patches.LOCK, never the reverse)
        self._sync_lock = threading.Lock()  # one fdatasync at a time (taken before _lock, never after)
        self._fd = -1
        self._blobs_lock = threading.Lock()
        self._unsynced_blobs: set[Path] = set()  # written by append, synced by the next sync
        self._written = 0  # journal position: bytes appended since open, over all generations
        self._synced = 0

    # ---------------------------------------------------------------- life cycle

    def open(self) -> int:
        """Start a new generation after every one on disk; returns its number."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with self._sync_lock, self._lock:
            self._start(next_generation(self.directory))
        return self.generation

    def _start(self, generation: int) -> None:
        """Retire the live file (if any) under its generation's name and begin `generation`."""
        live = self.directory / LIVE
        if self._fd >= 0:
            self._sync_blobs()
            os.fdatasync(self._fd)
            os.close(self._fd)
            self._fd = -1
        if live.exists():
            header = _header(live)
            if header is None:
                live.unlink()  # torn before its header was written: holds nothing
            else:
                live.replace(self.directory / f"journal.{int(header['generation']):06d}.jsonl")
        head = {"t": "journal", "format": FORMAT, "generation": generation, "created": datetime.now(UTC).isoformat()}
        self._fd = os.open(live, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        self._write(encode(head))
        os.fsync(self._fd)
        fsync_dir(self.directory)
        self.generation, self.entries = generation, 0
        self._synced = self._written

    def rotate(self) -> int:
        """Begin a new generation and return its number: a snapshot started now holds every change
        of the older generations, so restoring it needs only this generation and later ones.

        The snapshot is read while the stack keeps writing: a change made during the read is in
        the new generation and perhaps in the snapshot too; replaying its full image again is
        harmless. A crash before the snapshot is complete leaves the previous one and every
        generation it needs.
        """
        with self._sync_lock, self._lock:
            self._start(self.generation + 1)
        return self.generation

    def close(self) -> None:
        """Sync and close the live file (it stays on disk; the next open retires it)."""
        with self._sync_lock, self._lock:
            if self._fd >= 0:
                self._sync_blobs()
                os.fdatasync(self._fd)
                os.close(self._fd)
                self._fd = -1
                self._synced = self._written

    # ---------------------------------------------------------------- the sink

    def position(self) -> int:
        """The journal position after everything appended so far."""
        return self._written

    def append(self, entries: list[dict[str, Any]]) -> int:
        """Append changes (object bodies go to blobs first); returns the position after them.

        Not yet durable: `sync` it before acknowledging the change.
        """
        lines = []
        for entry in entries:
            named = self._named(entry)
            if named is not None:
                lines.append(encode(named))
        if not lines:
            return 0
        data = b"".join(lines)
        with self._lock:
            if self._fd < 0:
                raise RuntimeError("journal is closed")
            started = time.perf_counter()
            self._write(data)
            self.entries += len(lines)
            self.stats["entries"] += len(lines)
            self.stats["bytes"] += len(data)
            self.stats["write_s"] += time.perf_counter() - started
            return self._written

    def _named(self, entry: dict[str, Any]) -> dict[str, Any] | None:
        field = "table" if "table" in entry else "bucket" if "bucket" in entry else None
        if field is None:
            return entry
        logical = self.names.get(str(entry[field]))
        if logical is None:
            return None  # not the stack's: not journalled
        named = {**entry, field: logical}
        body = named.pop("body", None)
        if body is not None:
            written: set[Path] = set()
            named["sha256"] = write_blob(self.blobs, bytes(body), written)
            with self._blobs_lock:  # before the line that refers to it is appended
                self._unsynced_blobs |= written
            named["size"] = len(body)
        return named

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._written += len(data)

    def sync(self, position: int) -> None:
        """Return once everything up to `position` is on disk (one fdatasync for all waiting)."""
        if self._synced >= position:
            return
        with self._sync_lock:
            if self._synced >= position:
                return
            with self._lock:
                target, fd = self._written, self._fd
            started = time.perf_counter()
            self._sync_blobs()  # every blob a line up to `target` refers to was added before it
            os.fdatasync(fd)
            self.stats["syncs"] += 1
            self.stats["sync_s"] += time.perf_counter() - started
            self._synced = max(self._synced, target)

    def blob(self, body: bytes) -> Path | None:
        """The blob file of a body appended before (None when there is none)."""
        path = self.blobs / hashlib.sha256(body).hexdigest()
        return path if path.exists() else None

    def _sync_blobs(self) -> None:
        with self._blobs_lock:
            blobs, self._unsynced_blobs = self._unsynced_blobs, set()
        sync_blobs(blobs)

    def changed(self, service: str) -> int:
        """Re-read a service's records; append those that changed; returns the position (0: none)."""
        read = self.readers.get(service)
        if read is None:
            return 0
        with self._sync_lock:  # one re-read at a time: the last appended is the newest read
            current = read()
            before = self.known.get(service, {})
            entries = [_record_entry(service, name, rec) for name, rec in current.items() if before.get(name) != rec]
            entries += [_record_entry(service, name, None) for name in before.keys() - current.keys()]
            self.known[service] = current
            return self.append(entries) if entries else 0


def _record_entry(service: str, name: str, record: Any) -> dict[str, Any]:
    if service == "kms":
        return {"t": "kms_key", "key_id": name, "material": record}
    return {"t": "user", "username": name, "user": record}
