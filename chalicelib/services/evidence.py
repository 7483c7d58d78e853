"""Evidence files: a shared building block (R-12369-01 录音资料/书面材料, R-12345-17, R-WORK-07).

A file belongs to an owner — `Owner(kind, id)`, kind "ticket" (registered here) or any kind another
area registers with `register_owner` (the office's work records: `services/work_archive.py`), whose policy says
who may see and attach. The routes are the same five for every owner path (`api/evidence.evidence_routes`).

1. `start_upload` — an attacher announces name and size; a pending record and a presigned POST form
   to `uploads/evidence/{evidence_id}` (≤ 50 MB, held under a 1-day GOVERNANCE retention).
2. the browser uploads straight to S3.
3. `confirm` — the stored object's size is checked, its first bytes decide the type (never the
   name), the whole body is hashed (sha256) and written under `evidence/{kind}/{owner}/{evidence_id}`
   with the bucket's COMPLIANCE retention and SSE-KMS; the staging object is removed. An object over
   the limit or of a type not accepted is removed and answered with a Chinese 422; nothing is kept.
4. `listing` / `download` — for whoever may see the owner; every download is recorded (who, when,
   which file), `downloads` reads that log. `for_archive` gives the archive package (services/archive.py)
   the files stored up to a close, by sha256.

Directory items (docs/contributing.md): `EVID#{kind}#{owner}` / `F#{evidence_id}` (one file; a pending one
lapses after a day, TTL) and `EVID#{kind}#{owner}` / `DL#{at}#{user}#{evidence_id}` (a download; gsi1
`EVIDENCE-DL-BY-USER#{user}`). The virus-scan hook is described in docs/operations.md ("Evidence files").
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain import evidence as rules
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.integrations.archive_store import PRESIGN_SECONDS
from chalicelib.storage.table import Equals

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PENDING_TTL = timedelta(days=1)
LOG_ROLES = (
    Role.OPERATOR,
    Role.LEADER,
    Role.AUDITOR,
    Role.RECORDS,
)  # never admin (R-SEC-01)  # who reads the download log
TICKET_ATTACH_ROLES = frozenset({Role.OPERATOR, Role.UNIT_HANDLER, Role.LEADER})


@dataclass(frozen=True)
class Owner:
    """What a file is attached to: a kind registered with `register_owner` and its id."""

    kind: str
    id: str

    @property
    def pk(self) -> str:
        """The Directory partition of the owner's files and download log."""
        return f"EVID#{self.kind}#{self.id}"


@dataclass(frozen=True)
class OwnerPolicy:
    """Who may see an owner's files (`view`) and attach new ones (`attach`): each raises NotFound or
    Forbidden (`domain.errors`) when the actor may not."""

    view: Callable[[Adapters, Actor, str], None]
    attach: Callable[[Adapters, Actor, str], None]


def _ticket_view(deps: Adapters, actor: Actor, ticket_id: str) -> None:
    access.ensure_view(actor, deps.tickets.get(ticket_id))


def _ticket_attach(deps: Adapters, actor: Actor, ticket_id: str) -> None:
    _ticket_view(deps, actor, ticket_id)
    access.ensure_role(actor, *TICKET_ATTACH_ROLES)


OWNERS: dict[str, OwnerPolicy] = {"ticket": OwnerPolicy(view=_ticket_view, attach=_ticket_attach)}


def register_owner(kind: str, policy: OwnerPolicy) -> None:
    """Let another area attach files to its records (its own policy decides who may)."""
    OWNERS[kind] = policy


# kinds registered by a module of another area, loaded at their first use (routes load services on first use)
REGISTERED_BY = {
    "work-action": "chalicelib.services.work_archive",  # R-WORK-07
    "work-report": "chalicelib.services.work_archive",
    "work-notice": "chalicelib.services.work_archive",
    "work-notice-submission": "chalicelib.services.work_archive",
}


def _policy(owner: Owner) -> OwnerPolicy:
    policy = OWNERS.get(owner.kind)
    if policy is None and owner.kind in REGISTERED_BY:
        import importlib

        importlib.import_module(REGISTERED_BY[owner.kind])  # its import registers the kind
        policy = OWNERS.get(owner.kind)
    if policy is None:
        raise NotFound("附件所属对象不存在", owner_kind=owner.kind)
    return policy


def upload_key(evidence_id: str) -> str:
    """Where the browser puts the file before it is checked."""
    return f"uploads/evidence/{evidence_id}"


def stored_key(owner: Owner, evidence_id: str) -> str:
    """Where a checked file is kept (COMPLIANCE retention, like the archive)."""
    return f"evidence/{owner.kind}/{owner.id}/{evidence_id}"


def _new_id(now: datetime) -> str:
    """E + Asia/Shanghai time to the microsecond + 4 random hex digits: sorts by upload start."""
    return f"E{now.astimezone(SHANGHAI):%Y%m%d%H%M%S%f}{secrets.token_hex(2)}"


def _is_evidence_id(value: str) -> bool:
    return len(value) == 25 and value.startswith("E") and value[1:21].isdigit() and value[21:].isalnum()


def public(item: dict[str, Any]) -> dict[str, Any]:
    """The JSON view of one file (keys and S3 versions stay inside)."""
    shown = (
        "evidence_id",
        "owner_kind",
        "owner_id",
        "filename",
        "status",
        "type",
        "group",
        "content_type",
        "previewable",
        "size",
        "sha256",
        "note",
        "attached_by",
        "attached_role",
        "attached_by_name",
        "created_at",
        "stored_at",
    )
    return {k: item[k] for k in shown if k in item}


def start_upload(deps: Adapters, actor: Actor, owner: Owner, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """A pending file and its upload form (the browser posts the file to `upload.url`)."""
    _policy(owner).attach(deps, actor, owner.id)
    filename = rules.clean_filename(body.get("filename"))
    size = rules.declared_size(body.get("size"))
    note = body.get("note") or ""
    if not isinstance(note, str) or len(note) > 500:
        raise ValidationError({"note": "说明须为不超过 500 字的文本"})
    evidence_id = _new_id(now)
    item = {
        "evidence_id": evidence_id,
        "owner_kind": owner.kind,
        "owner_id": owner.id,
        "filename": filename,
        "declared_size": size,
        "note": note,
        "status": "pending",
        "attached_by": actor.user_id,
        "attached_role": str(actor.role),
        "attached_by_name": actor.name or actor.user_id,
        "created_at": now.isoformat(),
    }
    expires = int((now + PENDING_TTL).timestamp())
    deps.directory.put_item(owner.pk, f"F#{evidence_id}", item, expires_at=expires)
    upload = deps.archive_store.presign_upload(upload_key(evidence_id), rules.MAX_BYTES, now)
    return {**public(item), "upload": upload, "max_bytes": rules.MAX_BYTES, "expires_in": PRESIGN_SECONDS}


def _item(deps: Adapters, owner: Owner, evidence_id: str) -> dict[str, Any]:
    item = deps.directory.get_item(owner.pk, f"F#{evidence_id}") if _is_evidence_id(evidence_id) else None
    if item is None:
        raise NotFound(f"附件 {evidence_id} 不存在", evidence_id=evidence_id)
    return item


def confirm(deps: Adapters, actor: Actor, owner: Owner, evidence_id: str, now: datetime) -> dict[str, Any]:
    """Check the uploaded object by its content and keep it; a refused one is removed (422)."""
    _policy(owner).attach(deps, actor, owner.id)
    item = _item(deps, owner, evidence_id)
    if item["status"] == "stored":
        return public(item)  # a repeated confirm answers the same file
    staging = upload_key(evidence_id)
    head = deps.archive_store.head(staging)
    if head is None:
        raise ValidationError({"file": "文件尚未上传（或上传未完成），请上传后再确认"})
    if head.size > rules.MAX_BYTES:
        _refuse(deps, owner, evidence_id, staging, head.version_id)
        raise rules.refuse_size(head.size)
    start = deps.archive_store.read_start(staging, rules.SNIFF_BYTES, head.version_id) or b""
    code = rules.sniff(start)
    if code is None:
        _refuse(deps, owner, evidence_id, staging, head.version_id)
        raise rules.refuse_type()
    obj = deps.archive_store.get(staging, head.version_id)
    if obj is None:
        raise ValidationError({"file": "文件尚未上传（或上传未完成），请上传后再确认"})
    if code == "zip":
        code = rules.office_kind(obj.body)
        if code is None:
            _refuse(deps, owner, evidence_id, staging, head.version_id)
            raise rules.refuse_type()
    ftype = rules.TYPES[code]
    sha256 = hashlib.sha256(obj.body).hexdigest()
    key = stored_key(owner, evidence_id)
    meta = {"evidence-id": evidence_id, "owner": f"{owner.kind}/{owner.id}", "sha256": sha256}
    version_id = deps.archive_store.put(key, obj.body, ftype.mime, now, meta)
    stored = {
        **item,
        "status": "stored",
        "type": ftype.code,
        "group": ftype.group,
        "content_type": ftype.mime,
        "previewable": ftype.previewable,
        "size": len(obj.body),
        "sha256": sha256,
        "key": key,
        "s3_version_id": version_id,
        "stored_at": now.isoformat(),
        "confirmed_by": actor.user_id,
    }
    if not deps.directory.put_if(owner.pk, f"F#{evidence_id}", stored, Equals("data", item)):
        again = _item(deps, owner, evidence_id)
        if again["status"] != "stored":
            raise Conflict("附件正在被另一请求确认，请稍后刷新", evidence_id=evidence_id)
        return public(again)
    deps.archive_store.discard(staging, head.version_id or "null")
    return public(stored)


def _refuse(deps: Adapters, owner: Owner, evidence_id: str, key: str, version_id: str | None) -> None:
    """Remove a refused upload and its pending record: nothing of it is kept."""
    deps.archive_store.discard(key, version_id or "null")
    deps.directory.delete(owner.pk, f"F#{evidence_id}")


def listing(deps: Adapters, actor: Actor, owner: Owner) -> dict[str, Any]:
    """The owner's stored files, oldest first (pending uploads are not shown)."""
    _policy(owner).view(deps, actor, owner.id)
    return {"items": [public(d) for _, d in _stored(deps, owner)]}


def _stored(deps: Adapters, owner: Owner) -> list[tuple[str, dict[str, Any]]]:
    return [(sk, d) for sk, d in deps.directory.query_items(owner.pk, prefix="F#") if d.get("status") == "stored"]


def download(
    deps: Adapters, actor: Actor, owner: Owner, evidence_id: str, now: datetime, *, inline: bool = False
) -> dict[str, Any]:
    """A presigned link (15 min) to one stored file; the download is recorded first."""
    _policy(owner).view(deps, actor, owner.id)
    item = _item(deps, owner, evidence_id)
    if item["status"] != "stored":
        raise NotFound(f"附件 {evidence_id} 不存在", evidence_id=evidence_id)
    stamp = now.isoformat()
    log = {
        "evidence_id": evidence_id,
        "owner_kind": owner.kind,
        "owner_id": owner.id,
        "filename": item["filename"],
        "sha256": item["sha256"],
        "user_id": actor.user_id,
        "role": str(actor.role),
        "at": stamp,
        "inline": inline,
    }
    deps.directory.put_item(
        owner.pk,
        f"DL#{stamp}#{actor.user_id}#{evidence_id}",
        log,
        gsi1pk=f"EVIDENCE-DL-BY-USER#{actor.user_id}",
        gsi1sk=f"{stamp}#{owner.kind}#{owner.id}",
    )
    inline = inline and bool(item.get("previewable"))
    url = deps.archive_store.presign(
        item["key"], item.get("s3_version_id"), item["filename"], item["content_type"], inline=inline
    )
    return {"url": url, "expires_in": PRESIGN_SECONDS, **public(item)}


def downloads(deps: Adapters, actor: Actor, owner: Owner, limit: int = 100) -> dict[str, Any]:
    """Who downloaded the owner's files, newest first. The auditor reads the log without seeing the
    ticket itself (R-SEC-01: logs, not cases)."""
    access.ensure_role(actor, *LOG_ROLES)
    if actor.role != Role.AUDITOR:
        _policy(owner).view(deps, actor, owner.id)
    return {"items": [d for _, d in deps.directory.query_items(owner.pk, prefix="DL#", limit=limit, newest_first=True)]}


def for_archive(deps: Adapters, owner: Owner, until: str) -> list[dict[str, Any]]:
    """The files stored up to an instant (a close), for the archive package: sha256, size, type,
    where they are kept (key + S3 version), who attached them. Oldest first; the same for a re-run."""
    out = []
    limit = datetime.fromisoformat(until)
    for _, d in _stored(deps, owner):
        if datetime.fromisoformat(d["stored_at"]) <= limit:
            out.append(
                {
                    "evidence_id": d["evidence_id"],
                    "filename": d["filename"],
                    "type": d["type"],
                    "content_type": d["content_type"],
                    "sha256": d["sha256"],
                    "size": d["size"],
                    "key": d["key"],
                    "s3_version_id": d.get("s3_version_id"),
                    "attached_by": d["attached_by"],
                    "stored_at": d["stored_at"],
                }
            )
    return out
