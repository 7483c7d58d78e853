"""Stream → S3: audit copies and archive packages (R-12345-17); the documents are rendered by
`documents/archive_record.py`, the records office reads them through `services/records.py`.

* every TicketEvents item → `audit/yyyy/mm/dd/{ticket}/{seq:06d}.json` (Asia/Shanghai date of the
  event): the event plus the ticket snapshot after it. Written with If-None-Match: a retried batch
  costs one request per event and never creates a second object or version.
* every `closed` event → `archive/yyyy/mm/{ticket}/` (yyyy/mm = month of receipt, the date in the
  ticket number, so every version of one ticket's package stacks under the same keys):
  record.json (ticket + full history up to the close), record.html (printable, Chinese),
  manifest.json (sha256 + size + S3 version id of each file, event sequence range, and every
  evidence file stored up to the close by sha256 — services/evidence.py), then the
  Directory index of the version. A reopened ticket closed again is archived as a new version
  (version number = the seq of its `closed` event); S3 versioning + Object Lock keep the old.

Personal data (R-12345-11): record.json carries the caller only as the KMS-envelope ciphertext
copied from the Tickets item (`caller_enc`), record.html shows the caller masked; every object is
SSE-KMS with the data key. The records office reveals the caller through the API, recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.documents.archive_record import (
    FILES,
    MANIFEST,
    archive_prefix,
    audit_document,
    audit_key,
    build_manifest,
    build_record,
    file_entry,
    render_html,
    to_json,
)
from chalicelib.domain import access
from chalicelib.domain.model import Caller
from chalicelib.services import evidence, retention, tickets
from chalicelib.storage.tickets import StreamRecord, caller_aad

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.audit")

CLOSE_EVENT = "closed"


def is_close(event: dict[str, Any]) -> bool:
    """An event that closes its ticket: the city's `closed`, or a 12369 report's sign-off, not-accepted or
    referral decision (R-12369-02/06) — any transition into `closed` from another status (R-12345-17)."""
    if event["type"] == CLOSE_EVENT:
        return True
    return event.get("to_status") == "closed" and event.get("from_status") not in (None, "closed")


AUDIT_WORKERS = 16  # audit puts and packages of one batch run in parallel (independent objects)


def write_audit(deps: Adapters, event: dict[str, Any], now: datetime) -> bool:
    """The event's audit copy (ONE S3 request); False when it already existed."""
    meta = {"event-id": event["event_id"], "ticket-id": event["ticket_id"], "seq": str(event["seq"])}
    return deps.archive_store.put_once(
        audit_key(event), audit_document(event), "application/json; charset=utf-8", now, meta
    )


class IncompleteHistory(RuntimeError):
    """The event log does not (yet) hold events 1..seq of the ticket: retry later, never archive a gap."""


def archive_ticket(
    deps: Adapters,
    close: dict[str, Any],
    now: datetime,
    *,
    force: bool = False,
    known: Sequence[dict[str, Any]] = (),
    puts: Executor | None = None,
) -> str:
    """Archive the package of one `closed` event: "written", "exists" or "superseded".

    Idempotent: an indexed version is not written again (unless `force`, used by reconciliation when
    its objects are gone); a close older than the newest archived version is never written over it
    (the newer package contains its whole history). `known`: events already at hand (the stream
    batch); when they hold the whole history 1..seq, the event log is not read again. `puts`: where
    record.json and record.html are put side by side (sequentially without one).
    """
    tid, seq = close["ticket_id"], int(close["seq"])
    newest = deps.archive_index.latest(tid)  # versions only grow: the newest tells whether this one is done
    if newest is not None and int(newest["version"]) > seq:
        return "exists" if deps.archive_index.get_version(tid, seq) is not None else "superseded"
    if newest is not None and int(newest["version"]) == seq and not force:
        return "exists"
    events = _whole_history(tid, seq, known) or deps.tickets.history(tid, seq)
    if [int(e["seq"]) for e in events] != list(range(1, seq + 1)):
        raise IncompleteHistory(f"{tid}: history 1..{seq} incomplete")
    caller_enc = deps.tickets.caller_ciphertext(tid)
    entry = write_package(deps, close, events, caller_enc, now, puts)
    if not deps.archive_index.save_version(entry, overwrite=force):
        return "exists"
    retention.schedule(deps, tid, datetime.fromisoformat(close["at"]))  # docs/privacy.md
    return "written"


def _whole_history(ticket_id: str, seq: int, known: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Events 1..seq of the ticket from `known` (stream records: the same items the event log holds),
    or [] when any is missing there."""
    mine = {int(e["seq"]): e for e in known if e["ticket_id"] == ticket_id and int(e["seq"]) <= seq}
    return [mine[n] for n in range(1, seq + 1)] if len(mine) == seq else []


def _partners(deps: Adapters, source: Any) -> dict[str, str]:
    """The name of the partner platform that pushed the ticket, by id (empty for a channel or an unknown partner)."""
    name = tickets.partner_name(deps, source)
    return {str(source): name} if name else {}


def write_package(
    deps: Adapters,
    close: dict[str, Any],
    events: list[dict[str, Any]],
    caller_enc: str | None,
    now: datetime,
    puts: Executor | None = None,
) -> dict[str, Any]:
    """Put record.json, record.html, then manifest.json (last: the package is complete when it exists)."""
    snapshot = close["snapshot"]
    prefix = archive_prefix(close["ticket_id"], snapshot["received_at"])
    stored = evidence.for_archive(deps, evidence.Owner("ticket", close["ticket_id"]), close["at"])
    record = build_record(close, events, caller_enc, stored)
    tid = close["ticket_id"]
    caller = Caller(**deps.tickets.open_personal(tid, caller_enc, caller_aad(tid))) if caller_enc else Caller()
    units = deps.contexts.load(datetime.fromisoformat(close["at"])).units  # cached briefly per process
    snapshots = {int(e["seq"]): e["snapshot"] for e in events}
    html = render_html(
        record,
        snapshots,
        access.masked_caller(caller, confidential=bool(snapshot.get("confidential"))),
        units,
        deps.contexts.names(),
        _partners(deps, snapshot.get("source")),
    )
    bodies = {"record.json": to_json(record), "record.html": html.encode()}
    meta = {"ticket-id": close["ticket_id"], "archive-version": str(close["seq"])}
    put = deps.archive_store.put
    if puts is None:
        versions = {name: put(prefix + name, body, FILES[name], now, meta) for name, body in bodies.items()}
    else:
        pending = {name: puts.submit(put, prefix + name, body, FILES[name], now, meta) for name, body in bodies.items()}
        versions = {name: future.result() for name, future in pending.items()}
    files = {name: file_entry(body, FILES[name], versions[name]) for name, body in bodies.items()}
    manifest_body = to_json(build_manifest(record, files))
    manifest_version = deps.archive_store.put(prefix + MANIFEST, manifest_body, FILES["record.json"], now, meta)
    return {
        "ticket_id": close["ticket_id"],
        "version": int(close["seq"]),
        "closed_at": close["at"],
        "month": close["month"],
        "received_at": snapshot["received_at"],
        "title": snapshot.get("title"),
        "category": snapshot.get("category"),
        "hotline": snapshot.get("hotline"),
        "unit_id": snapshot.get("unit_id"),
        "external_id": snapshot.get("external_id"),
        "confidential": bool(snapshot.get("confidential")),
        "seq_range": record["seq_range"],
        "prefix": prefix,
        "files": files,
        "evidence": [{k: e[k] for k in ("evidence_id", "sha256", "size", "key", "s3_version_id")} for e in stored],
        "manifest": file_entry(manifest_body, FILES["record.json"], manifest_version),
        "caller_enc": caller_enc,
        "archived_at": now.isoformat(),
    }


def handle_event(deps: Adapters, event: dict[str, Any], now: datetime) -> None:
    """Everything one event needs on S3: its audit copy; on `closed`, the archive package."""
    write_audit(deps, event, now)
    if is_close(event):
        archive_ticket(deps, event, now)


def _archive_group(
    deps: Adapters, group: list[StreamRecord], batch: list[dict[str, Any]], puts: Executor, now: datetime
) -> set[str]:
    """Archive one ticket's closes in order; after a failure its later closes fail too (order kept)."""
    failed: set[str] = set()
    for record in group:
        if failed:
            failed.add(record.sequence)
            continue
        try:
            archive_ticket(deps, record.event, now, known=batch, puts=puts)
        except Exception:  # reported as this record's failure, never swallowed
            log.exception("archive of %s failed, stream record %s", record.event["event_id"], record.sequence)
            failed.add(record.sequence)
    return failed


def handle_records(deps: Adapters, records: list[StreamRecord], now: datetime) -> set[str]:
    """The stream consumer: audit copies of all records and archive packages of closing events (`is_close`), all
    side by side (tickets in parallel, each ticket's closes in stream order, so a reopened ticket's
    versions stay ordered; a package built from the batch's own events when it holds the whole history,
    its two documents put at once). Returns the sequence numbers that failed.
    """
    failed: set[str] = set()
    batch = [r.event for r in records]
    closes: dict[str, list[StreamRecord]] = {}
    for r in records:
        if is_close(r.event):
            closes.setdefault(r.event["ticket_id"], []).append(r)
    # two pools: a package waits for its documents' puts, which must never queue behind packages
    with (
        ThreadPoolExecutor(max_workers=AUDIT_WORKERS, thread_name_prefix="audit") as pool,
        ThreadPoolExecutor(max_workers=AUDIT_WORKERS, thread_name_prefix="archive-put") as puts,
    ):
        groups: list[Future[set[str]]] = [
            pool.submit(_archive_group, deps, group, batch, puts, now) for group in closes.values()
        ]
        audits = {r.sequence: pool.submit(write_audit, deps, r.event, now) for r in records}
        for sequence, future in audits.items():
            try:
                future.result()
            except Exception:  # reported as this record's failure, never swallowed
                log.exception("audit copy of stream record %s failed", sequence)
                failed.add(sequence)
        for group_future in groups:
            failed |= group_future.result()
    return failed
