"""The journal's object bodies: written once, synced in one pass before any line that refers to them,
and read back by moto's keys from disk instead of memory (infra/journal.py, infra/moto_patches.py)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from infra import journal
from infra.moto_patches import BlobBody


def test_a_deferred_blob_is_pending_until_the_journal_syncs(tmp_path: Path) -> None:
    live = journal.Journal(tmp_path, {"bucket-physical": "archive_bucket"})
    live.open()
    position = live.append([{"t": "object", "bucket": "bucket-physical", "key": "audit/a", "body": b"copy"}])
    sha = hashlib.sha256(b"copy").hexdigest()
    assert (tmp_path / "blobs" / sha).read_bytes() == b"copy"
    assert live._unsynced_blobs == {tmp_path / "blobs" / sha}
    live.sync(position)
    assert live._unsynced_blobs == set()
    assert live.blob(b"copy") == tmp_path / "blobs" / sha
    assert live.blob(b"never appended") is None
    live.close()
    entries = list(journal.read(tmp_path))
    assert entries == [{"t": "object", "bucket": "archive_bucket", "key": "audit/a", "sha256": sha, "size": 4}]


def test_a_torn_blob_is_written_again(tmp_path: Path) -> None:
    body = b"x" * 100
    sha = hashlib.sha256(body).hexdigest()
    (tmp_path / sha).write_bytes(b"x" * 10)  # a crash before its sync left it short
    pending: set[Path] = set()
    assert journal.write_blob(tmp_path, body, pending) == sha
    assert (tmp_path / sha).read_bytes() == body
    assert pending == {tmp_path / sha}
    journal.sync_blobs(pending)


def test_an_existing_blob_is_pending_again_for_the_new_line(tmp_path: Path) -> None:
    journal.write_blob(tmp_path, b"same")  # durable
    pending: set[Path] = set()
    journal.write_blob(tmp_path, b"same", pending)
    assert pending == {tmp_path / hashlib.sha256(b"same").hexdigest()}


def test_a_blob_body_reads_seeks_and_moves_to_memory_when_rewritten(tmp_path: Path) -> None:
    path = tmp_path / "blob"
    path.write_bytes(b"0123456789")
    body = BlobBody(path)
    assert body.read() == b"0123456789"
    assert body.tell() == 10
    body.seek(2)
    assert body.read(3) == b"234"
    assert body.seek(-2, 2) == 8
    assert body.read() == b"89"
    body.seek(0)
    body.truncate()
    body.write(b"new")
    body.seek(0)
    assert body.read() == b"new"
    assert path.read_bytes() == b"0123456789"  # the blob itself is never changed
