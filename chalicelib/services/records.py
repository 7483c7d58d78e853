"""The records office's use cases (R-12345-17): search the archive, read a record, list its versions,
download a file (presigned, recorded), verify every checksum against the manifest. Query only.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.documents.archive_record import DOWNLOADABLE, MANIFEST
from chalicelib.domain import access
from chalicelib.domain.errors import Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Caller, Role
from chalicelib.integrations.archive_store import PRESIGN_SECONDS
from chalicelib.services import privacy
from chalicelib.storage.subject_keys import Shredded
from chalicelib.storage.tickets import caller_aad

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

READ_ROLES = (Role.RECORDS, Role.ADMIN, Role.ANALYST)  # analysts read only
VERIFY_ROLES = (Role.RECORDS, Role.ADMIN)
REVEAL_ROLES = (Role.RECORDS,)  # the records office needs the caller; each reveal recorded; admins never
MAX_PAGE = 100


def _version_entry(deps: Adapters, ticket_id: str, version: Any = None) -> dict[str, Any]:
    if version in (None, ""):
        entry = deps.archive_index.latest(ticket_id)
    else:
        try:
            entry = deps.archive_index.get_version(ticket_id, int(version))
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


def search(deps: Adapters, actor: Actor, params: dict[str, str]) -> dict[str, Any]:
    """Find archived records by ticket number, city number, unit, category, hotline or month (Query only)."""
    access.ensure_role(actor, *READ_ROLES)
    if params.get("ticket_id"):
        found = deps.archive_index.current(params["ticket_id"])
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
    page = deps.archive_index.search(field or "month", str(value), month, limit, params.get("page"))
    return {"items": page.items, "next_page": page.next_page}


def _is_month(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m")
    except ValueError:
        return False
    return len(text) == 7


def record(
    deps: Adapters, actor: Actor, ticket_id: str, now: datetime, *, reveal: bool = False, reason: str | None = None
) -> dict[str, Any]:
    """Metadata of the current archived version; the caller masked unless revealed (recorded, R-12345-11)."""
    access.ensure_role(actor, *READ_ROLES)
    entry = _version_entry(deps, ticket_id)
    enc = entry.get("caller_enc")
    try:
        caller = Caller(**deps.tickets.open_personal(ticket_id, enc, caller_aad(ticket_id))) if enc else Caller()
    except Shredded:
        caller = Caller()  # destroyed after its retention period (docs/privacy.md)
    if reveal:
        if actor.role not in REVEAL_ROLES:
            raise Forbidden("无权查看来电人信息", ticket_id=ticket_id)
        if reason not in access.REVEAL_REASONS:
            raise ValidationError({"reason": access.REVEAL_REASON_PROBLEM})
        privacy.log_access(deps, "reveal", actor, now, ticket_id=ticket_id, reason=reason, what="archive")
    out = _public(entry)
    confidential = bool(entry.get("confidential"))
    out.update(
        caller=(caller if reveal else access.masked_caller(caller, confidential=confidential)).as_dict(),
        caller_masked=not reveal,
        version_count=len(deps.archive_index.versions(ticket_id)),
    )
    return out


def list_versions(deps: Adapters, actor: Actor, ticket_id: str) -> dict[str, Any]:
    """Every archived version of a record, oldest first (the newest is current)."""
    access.ensure_role(actor, *READ_ROLES)
    items = [_public(v) for v in deps.archive_index.versions(ticket_id)]
    if not items:
        raise NotFound(f"工单 {ticket_id} 没有归档记录", ticket_id=ticket_id)
    for item in items:
        item["current"] = item is items[-1]
    return {"items": items}


def download(deps: Adapters, actor: Actor, ticket_id: str, params: dict[str, str], now: datetime) -> dict[str, Any]:
    """A presigned link (15 min) to one file of one version; every download is recorded."""
    access.ensure_role(actor, *READ_ROLES)
    name = params.get("file") or "record.html"
    if name not in DOWNLOADABLE:
        raise ValidationError({"file": f"须为 {', '.join(DOWNLOADABLE)} 之一"})
    entry = _version_entry(deps, ticket_id, params.get("version"))
    info = entry["manifest"] if name == MANIFEST else entry["files"][name]
    url = deps.archive_store.presign(
        entry["prefix"] + name, info["s3_version_id"], f"{ticket_id}-v{entry['version']}-{name}", info["content_type"]
    )
    deps.archive_index.record_download(ticket_id, int(entry["version"]), name, actor.user_id, str(actor.role), now)
    privacy.log_access(deps, "download", actor, now, ticket_id=ticket_id, file=name, version=int(entry["version"]))
    return {
        "url": url,
        "expires_in": PRESIGN_SECONDS,
        "file": name,
        "version": entry["version"],
        "sha256": info["sha256"],
        "size": info["size"],
    }


def verify(deps: Adapters, actor: Actor, ticket_id: str, version: Any = None) -> dict[str, Any]:
    """Recompute every checksum against the manifest (evidence files included); name the file that
    differs, if any.

    The current version is checked as the objects now stand at their keys (a newer object put over
    an archived one is found); an older version is checked by its pinned S3 version ids.
    """
    access.ensure_role(actor, *VERIFY_ROLES)
    entry = _version_entry(deps, ticket_id, version)
    current = deps.archive_index.latest(ticket_id)
    pinned = current is not None and int(current["version"]) != int(entry["version"])
    results = [check(deps, entry["prefix"] + MANIFEST, entry["manifest"], pinned, MANIFEST)]
    manifest_obj = deps.archive_store.get(
        entry["prefix"] + MANIFEST, entry["manifest"]["s3_version_id"] if pinned else None
    )
    manifest = json.loads(manifest_obj.body) if manifest_obj and results[0]["ok"] else {"files": entry["files"]}
    for name, expected in sorted(manifest["files"].items()):
        results.append(check(deps, entry["prefix"] + name, expected, pinned, name))
    for item in manifest.get("evidence", []):  # evidence files: each pinned to its stored S3 version
        results.append(check(deps, item["key"], item, True, f"evidence/{item['evidence_id']}"))
    differs = [r["file"] for r in results if not r["ok"]]
    return {
        "ticket_id": ticket_id,
        "version": entry["version"],
        "ok": not differs,
        "differs": differs,
        "files": results,
        "seq_range": entry["seq_range"],
    }


def check(deps: Adapters, key: str, expected: dict[str, Any], pinned: bool, name: str) -> dict[str, Any]:
    """One stored file against its expected sha256 and size (its pinned S3 version when `pinned`): the tickets'
    packages here, the office's work packages in services/work_archive.py (R-WORK-07)."""
    obj = deps.archive_store.get(key, expected.get("s3_version_id") if pinned else None)
    actual_sha = obj.sha256 if obj else None
    actual_size = len(obj.body) if obj else None
    return {
        "file": name,
        "ok": actual_sha == expected["sha256"] and actual_size == expected["size"],
        "expected_sha256": expected["sha256"],
        "actual_sha256": actual_sha,
        "expected_size": expected["size"],
        "actual_size": actual_size,
        "missing": obj is None,
        "s3_version_id": obj.version_id if obj else expected.get("s3_version_id"),
    }
