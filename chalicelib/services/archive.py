"""Audit copies, archive packages and the records office's use cases (R-12345-17, R-12369, R-WORK-07).

Stream → S3 (docs/architecture.md, Flow 3):

* every TicketEvents item → `audit/yyyy/mm/dd/{ticket}/{seq:06d}.json` (Asia/Shanghai date of the
  event): the event plus the ticket snapshot after it. Written with If-None-Match: a retried batch
  costs one request per event and never creates a second object or version.
* every `closed` event → `archive/yyyy/mm/{ticket}/` (yyyy/mm = month of receipt, the date in the
  ticket number, so every version of one ticket's package stacks under the same keys):
  record.json (ticket + full history up to the close), record.html (printable, Chinese),
  manifest.json (sha256 + size + S3 version id of each file, event sequence range), then ONE
  Directory transaction indexes the version. A reopened ticket closed again is archived as a new
  version (version number = the seq of its `closed` event); S3 versioning + Object Lock keep the old.

Personal data (R-12345-11): record.json carries the caller only as the KMS-envelope ciphertext
copied from the Tickets item (`caller_enc`), record.html shows the caller masked; every object is
SSE-KMS with the data key. The records office reveals the caller through the API, recorded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from chalicelib.documents import env
from chalicelib.domain import access
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Caller, Role
from chalicelib.integrations import aws
from chalicelib.integrations.archive_store import PRESIGN_SECONDS, store
from chalicelib.services.context import load_context
from chalicelib.storage import archive_index as index
from chalicelib.storage import directory

log = logging.getLogger("hotline.audit")

FORMAT = "hotline-archive/1"
FILES = {"record.json": "application/json; charset=utf-8", "record.html": "text/html; charset=utf-8"}
MANIFEST = "manifest.json"
DOWNLOADABLE = (*FILES, MANIFEST)
CLOSE_EVENT = "closed"

READ_ROLES = (Role.RECORDS, Role.ADMIN, Role.ANALYST)  # analysts read only
VERIFY_ROLES = (Role.RECORDS, Role.ADMIN)
REVEAL_ROLES = (Role.RECORDS, Role.ADMIN)  # the records office needs the caller; each reveal recorded
MAX_PAGE = 100

# ----------------------------------------------------------------------------- pure parts


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str).encode()


def local_time(iso: str | None) -> datetime | None:
    """An ISO instant in Asia/Shanghai."""
    return datetime.fromisoformat(iso).astimezone(SHANGHAI) if iso else None


def audit_key(event: dict[str, Any]) -> str:
    """Deterministic key of an event's audit copy: same event → same key, whatever the retry."""
    day = local_time(event["at"])
    assert day is not None
    return f"audit/{day:%Y/%m/%d}/{event['ticket_id']}/{int(event['seq']):06d}.json"


def audit_document(event: dict[str, Any]) -> bytes:
    """The audit copy: the event and the ticket snapshot after it (no personal data)."""
    body = {k: v for k, v in event.items() if k != "snapshot"}
    return _json({"format": "hotline-audit/1", "event": body, "snapshot": event["snapshot"]})


def archive_prefix(ticket_id: str, received_at: str) -> str:
    """`archive/yyyy/mm/{ticket}/`, yyyy/mm of receipt (Asia/Shanghai)."""
    month = local_time(received_at)
    assert month is not None
    return f"archive/{month:%Y/%m}/{ticket_id}/"


def build_record(close: dict[str, Any], events: list[dict[str, Any]], caller_enc: str | None) -> dict[str, Any]:
    """record.json: the ticket after the close, its whole history, the caller still encrypted."""
    return {
        "format": FORMAT,
        "ticket_id": close["ticket_id"],
        "version": int(close["seq"]),
        "closed_at": close["at"],
        "seq_range": [int(events[0]["seq"]), int(events[-1]["seq"])],
        "ticket": close["snapshot"],
        "caller_enc": caller_enc,
        "caller_protection": "KMS envelope (AES-256-GCM), the data key of the Tickets table (R-12345-11)",
        "events": [{k: v for k, v in e.items() if k not in ("snapshot", "month")} for e in events],
    }


def build_manifest(record: dict[str, Any], files: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """manifest.json: checksum, size and S3 version of each file, the event range it covers."""
    return {
        "format": FORMAT,
        "ticket_id": record["ticket_id"],
        "version": record["version"],
        "closed_at": record["closed_at"],
        "seq_range": record["seq_range"],
        "event_count": len(record["events"]),
        "files": files,
    }


def file_entry(body: bytes, content_type: str, version_id: str | None) -> dict[str, Any]:
    """sha256 / size / content type / version id of one stored file."""
    return {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body), "content_type": content_type,
            "s3_version_id": version_id}


EVENT_LABELS = {
    "received": "受理登记", "dispatched": "派单", "signed": "签收", "returned": "退单", "transferred": "转办",
    "extension_requested": "申请延期", "extension_decided": "延期审批", "replied": "答复", "review_rejected": "审核退回重办",
    "reviewed": "审核通过", "called_back": "回访", "submitted": "提交市审核组", "city_rejected": "市审核组退回",
    "closed": "办结归档", "reassigned": "重新交办", "flagged_difficult": "标记疑难", "leader_decided": "领导决定",
    "flagged_supervised": "督办", "marked_typical": "标记典型", "call_recorded": "电话记录", "pii_revealed": "查看来电人信息",
}
STATUS_LABELS = {
    "received": "待派单", "dispatched": "待签收", "handling": "办理中", "replied": "待审核", "reviewed": "待回访",
    "called_back": "待提交", "submitted": "已提交市审核组", "closed": "办结归档", "returned": "被退单",
    "extension_requested": "延期待审批",
}
CATEGORY_LABELS = {"consult": "咨询", "help": "求助", "complaint": "投诉", "report": "举报", "suggestion": "建议", "praise": "表扬"}
SATISFACTION_LABELS = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意", "unreachable": "联系不上"}
CALL_KINDS = {"dispatch_notice": "派单通知", "reminder": "到期提醒", "callback": "回访", "other": "其他"}
ROLE_LABELS = {"operator": "业务科经办人", "analyst": "综合科", "leader": "分管领导", "unit_handler": "承办单位经办人",
               "records": "资料管理", "admin": "系统管理员", "partner": "合作平台", "system": "系统"}


def _fmt(iso: Any) -> str:
    """Asia/Shanghai 'YYYY-MM-DD HH:MM' (empty for none)."""
    if not iso:
        return ""
    try:
        moment = local_time(str(iso))
    except ValueError:
        return str(iso)
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def _detail(data: Any) -> str:
    """Event data as readable text (nested values flattened, call records summarised)."""
    if isinstance(data, dict):
        parts = [f"{k}: {_detail(v)}" for k, v in data.items() if v not in (None, "", [], {})]
        return "；".join(parts)
    if isinstance(data, list):
        return "、".join(_detail(v) for v in data)
    if isinstance(data, bool):
        return "是" if data else "否"
    return str(data)


def render_html(record: dict[str, Any], caller: Caller, units: dict[str, dict[str, Any]]) -> str:
    """record.html: the printable archive record (Chinese), caller already masked by the caller."""
    events = record["events"]
    snapshots = record.get("_snapshots", {})
    calls = [dict(e["data"]["call"], event=e["type"]) for e in events if isinstance(e["data"].get("call"), dict)]
    replies = [snapshots[e["seq"]]["reply"] for e in events if e["type"] == "replied" and snapshots.get(e["seq"], {}).get("reply")]
    callbacks = [snapshots[e["seq"]]["callback"] for e in events if e["type"] == "called_back" and snapshots.get(e["seq"], {}).get("callback")]
    return env.get_template("archive/record.html.j2").render(
        r=record, t=record["ticket"], caller=caller.as_dict(), events=events, calls=calls, replies=replies,
        callbacks=callbacks, units=units, fmt=_fmt, detail=_detail, event_labels=EVENT_LABELS,
        status_labels=STATUS_LABELS, category_labels=CATEGORY_LABELS, satisfaction_labels=SATISFACTION_LABELS,
        call_kinds=CALL_KINDS, role_labels=ROLE_LABELS,
    )


# ----------------------------------------------------------------------------- stream side


def write_audit(event: dict[str, Any], now: datetime) -> bool:
    """The event's audit copy (ONE S3 request); False when it already existed."""
    meta = {"event-id": event["event_id"], "ticket-id": event["ticket_id"], "seq": str(event["seq"])}
    return store().put_once(audit_key(event), audit_document(event), "application/json; charset=utf-8", now, meta)


class IncompleteHistory(RuntimeError):
    """The event log does not (yet) hold events 1..seq of the ticket: retry later, never archive a gap."""


def archive_ticket(close: dict[str, Any], now: datetime, *, force: bool = False) -> str:
    """Archive the package of one `closed` event: "written", "exists" or "superseded".

    Idempotent: an indexed version is not written again (unless `force`, used by reconciliation when
    its objects are gone); a close older than the newest archived version is never written over it
    (the newer package contains its whole history).
    """
    tid, seq = close["ticket_id"], int(close["seq"])
    newest = index.latest(tid)  # versions only grow: the newest tells whether this one is done
    if newest is not None and int(newest["version"]) > seq:
        return "exists" if index.get_version(tid, seq) is not None else "superseded"
    if newest is not None and int(newest["version"]) == seq and not force:
        return "exists"
    events = index.history(tid, seq)
    if [int(e["seq"]) for e in events] != list(range(1, seq + 1)):
        raise IncompleteHistory(f"{tid}: history 1..{seq} incomplete")
    caller_enc = index.caller_ciphertext(tid)
    entry = write_package(close, events, caller_enc, now)
    if not index.save_version(entry, overwrite=force):
        return "exists"
    return "written"


def write_package(close: dict[str, Any], events: list[dict[str, Any]], caller_enc: str | None,
                  now: datetime) -> dict[str, Any]:
    """Put record.json, record.html, then manifest.json (last: the package is complete when it exists)."""
    snapshot = close["snapshot"]
    prefix = archive_prefix(close["ticket_id"], snapshot["received_at"])
    record = build_record(close, events, caller_enc)
    caller = Caller(**aws.envelope().decrypt(caller_enc)) if caller_enc else Caller()
    units = load_context(datetime.fromisoformat(close["at"])).units  # cached briefly per process
    html = render_html(dict(record, _snapshots={e["seq"]: e["snapshot"] for e in events}),
                       access.masked_caller(caller), units)
    bodies = {"record.json": _json(record), "record.html": html.encode()}
    meta = {"ticket-id": close["ticket_id"], "archive-version": str(close["seq"])}
    files = {}
    for name, body in bodies.items():
        version_id = store().put(prefix + name, body, FILES[name], now, meta)
        files[name] = file_entry(body, FILES[name], version_id)
    manifest_body = _json(build_manifest(record, files))
    manifest_version = store().put(prefix + MANIFEST, manifest_body, FILES["record.json"], now, meta)
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
        "manifest": file_entry(manifest_body, FILES["record.json"], manifest_version),
        "caller_enc": caller_enc,
        "archived_at": now.isoformat(),
    }


def handle_event(event: dict[str, Any], now: datetime) -> None:
    """Everything one event needs on S3: its audit copy; on `closed`, the archive package."""
    write_audit(event, now)
    if event["type"] == CLOSE_EVENT:
        archive_ticket(event, now)


AUDIT_WORKERS = 16  # audit puts of one batch run in parallel (independent objects)
_pool = ThreadPoolExecutor(max_workers=AUDIT_WORKERS, thread_name_prefix="audit")


def _label(record: dict[str, Any]) -> str:
    keys = record.get("dynamodb", {}).get("Keys", {})
    return f"{keys.get('ticket_id', {}).get('S', '?')}#{keys.get('seq', {}).get('N', '?')}"


def _archive_group(group: list[tuple[str, dict[str, Any]]], now: datetime) -> dict[str, str]:
    """Archive one ticket's closes in order; after a failure its later closes fail too (order kept)."""
    failed: dict[str, str] = {}
    for seq, ev in group:
        if failed:
            failed[seq] = "archive"
            continue
        try:
            archive_ticket(ev, now)
        except Exception:  # reported as this record's failure, never swallowed
            log.exception("archive of %s (close seq %s) failed, stream record %s", ev["ticket_id"], ev["seq"], seq)
            failed[seq] = "archive"
    return failed


def handle_batch(event: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Handle one Lambda-shaped DynamoDB stream batch; `{"batchItemFailures": [{"itemIdentifier": seq}]}`.

    Audit copies of all records are written in parallel, then archive packages of `closed` events
    in stream order (per ticket the stream is ordered, so a reopened ticket's versions stay ordered).
    """
    moment = now or datetime.now(UTC)
    records = [r for r in event.get("Records", []) if r.get("eventName") == "INSERT"]  # history is append-only
    failed: dict[str, str] = {}
    parsed: list[tuple[str, dict[str, Any] | None]] = []
    for record in records:
        seq = str(record["dynamodb"]["SequenceNumber"])
        try:
            parsed.append((seq, index.event_from_image(record["dynamodb"]["NewImage"])))
        except Exception:
            log.exception("stream record %s (%s): unreadable image", seq, _label(record))
            failed[seq] = "parse"
            parsed.append((seq, None))
    futures = {seq: _pool.submit(write_audit, ev, moment) for seq, ev in parsed if ev is not None}
    for seq, future in futures.items():
        try:
            future.result()
        except Exception:
            log.exception("audit copy of stream record %s failed", seq)
            failed[seq] = "audit"
    closes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for seq, ev in parsed:
        if ev is not None and ev["type"] == CLOSE_EVENT:
            closes.setdefault(ev["ticket_id"], []).append((seq, ev))
    # tickets in parallel, each ticket's closes in stream order
    for outcome in _pool.map(lambda group: _archive_group(group, moment), closes.values()):
        failed.update(outcome)
    if failed:
        log.warning("stream batch: %d of %d record(s) failed: %s", len(failed), len(records), sorted(set(failed.values())))
    # report in stream order: Lambda resumes from the lowest failed sequence number
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq, _ in parsed if seq in failed]}


# ----------------------------------------------------------------------------- records office


def _version_entry(ticket_id: str, version: Any = None) -> dict[str, Any]:
    if version in (None, ""):
        entry = index.latest(ticket_id)
    else:
        try:
            entry = index.get_version(ticket_id, int(version))
        except (TypeError, ValueError) as exc:
            raise ValidationError({"version": "须为整数（归档版本号）"}) from exc
    if entry is None:
        raise NotFound(f"工单 {ticket_id} 没有归档记录", ticket_id=ticket_id)
    return entry


def _public(entry: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in entry.items() if k != "caller_enc"}
    out["files"] = {**entry["files"], MANIFEST: entry["manifest"]}
    out.pop("manifest", None)
    return out


def search(actor: Actor, params: dict[str, str]) -> dict[str, Any]:
    """Find archived records by ticket number, city number, unit, category, hotline or month (Query only)."""
    access.ensure_role(actor, *READ_ROLES)
    if params.get("ticket_id"):
        found = index.current(params["ticket_id"])
        return {"items": [found] if found else [], "next_page": None}
    month = params.get("month") or None
    if month is not None and not _is_month(month):
        raise ValidationError({"month": "须为 YYYY-MM"})
    try:
        limit = int(params.get("limit") or 20)
    except ValueError as exc:
        raise ValidationError({"limit": "须为 1–100 的整数"}) from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError({"limit": "须为 1–100 的整数"})
    field = next((f for f in ("external_id", "unit_id", "category", "hotline") if params.get(f)), None)
    if field is None and month is None:
        raise ValidationError({"month": "请指定 ticket_id、external_id、unit_id、category、hotline 或 month"})
    value = params[field] if field else month
    page = index.search(field or "month", str(value), month, limit, params.get("page"))
    return {"items": page.items, "next_page": page.next_page}


def _is_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == 7


def record(actor: Actor, ticket_id: str, now: datetime, *, reveal: bool = False) -> dict[str, Any]:
    """Metadata of the current archived version; the caller masked unless revealed (recorded, R-12345-11)."""
    access.ensure_role(actor, *READ_ROLES)
    entry = _version_entry(ticket_id)
    enc = entry.get("caller_enc")
    caller = Caller(**aws.envelope().decrypt(enc)) if enc else Caller()
    if reveal:
        if actor.role not in REVEAL_ROLES:
            raise Forbidden("无权查看来电人信息", ticket_id=ticket_id)
        directory.record_pii_view(ticket_id, actor.user_id, str(actor.role), now)
    out = _public(entry)
    out.update(caller=(caller if reveal else access.masked_caller(caller)).as_dict(), caller_masked=not reveal,
               version_count=len(index.versions(ticket_id)))
    return out


def list_versions(actor: Actor, ticket_id: str) -> dict[str, Any]:
    """Every archived version of a record, oldest first (the newest is current)."""
    access.ensure_role(actor, *READ_ROLES)
    items = [_public(v) for v in index.versions(ticket_id)]
    if not items:
        raise NotFound(f"工单 {ticket_id} 没有归档记录", ticket_id=ticket_id)
    for item in items:
        item["current"] = item is items[-1]
    return {"items": items}


def download(actor: Actor, ticket_id: str, params: dict[str, str], now: datetime) -> dict[str, Any]:
    """A presigned link (15 min) to one file of one version; every download is recorded."""
    access.ensure_role(actor, *READ_ROLES)
    name = params.get("file") or "record.html"
    if name not in DOWNLOADABLE:
        raise ValidationError({"file": f"须为 {', '.join(DOWNLOADABLE)} 之一"})
    entry = _version_entry(ticket_id, params.get("version"))
    info = entry["manifest"] if name == MANIFEST else entry["files"][name]
    url = store().presign(entry["prefix"] + name, info["s3_version_id"],
                          f"{ticket_id}-v{entry['version']}-{name}", info["content_type"])
    index.record_download(ticket_id, int(entry["version"]), name, actor.user_id, str(actor.role), now)
    return {"url": url, "expires_in": PRESIGN_SECONDS, "file": name, "version": entry["version"],
            "sha256": info["sha256"], "size": info["size"]}


def verify(actor: Actor, ticket_id: str, version: Any = None) -> dict[str, Any]:
    """Recompute every checksum against the manifest; name the file that differs, if any.

    The current version is checked as the objects now stand at their keys (a newer object put over
    an archived one is found); an older version is checked by its pinned S3 version ids.
    """
    access.ensure_role(actor, *VERIFY_ROLES)
    entry = _version_entry(ticket_id, version)
    current = index.latest(ticket_id)
    pinned = current is not None and int(current["version"]) != int(entry["version"])
    results = [_check(entry["prefix"] + MANIFEST, entry["manifest"], pinned, MANIFEST)]
    manifest_obj = store().get(entry["prefix"] + MANIFEST, entry["manifest"]["s3_version_id"] if pinned else None)
    manifest = json.loads(manifest_obj.body) if manifest_obj and results[0]["ok"] else {"files": entry["files"]}
    for name, expected in sorted(manifest["files"].items()):
        results.append(_check(entry["prefix"] + name, expected, pinned, name))
    differs = [r["file"] for r in results if not r["ok"]]
    return {"ticket_id": ticket_id, "version": entry["version"], "ok": not differs, "differs": differs,
            "files": results, "seq_range": entry["seq_range"]}


def _check(key: str, expected: dict[str, Any], pinned: bool, name: str) -> dict[str, Any]:
    obj = store().get(key, expected.get("s3_version_id") if pinned else None)
    actual_sha = obj.sha256 if obj else None
    actual_size = len(obj.body) if obj else None
    return {"file": name, "ok": actual_sha == expected["sha256"] and actual_size == expected["size"],
            "expected_sha256": expected["sha256"], "actual_sha256": actual_sha, "expected_size": expected["size"],
            "actual_size": actual_size, "missing": obj is None,
            "s3_version_id": obj.version_id if obj else expected.get("s3_version_id")}
