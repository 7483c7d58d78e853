"""R-WORK-07: the office's deliverables archived with the records office, through the tickets' archive pipeline.

Evidence files (`services/evidence.py`) attach to the owner kinds of the office's work registered here:
`work-action` (an action item, R-WORK-02: attached by its owner, delegate or assigner), `work-report` (a weekly
report, R-WORK-01, id `{monday}.{owner}`: attached by its author or, for a department's report, the coordinator who
submits it), `work-notice` (a notice to units: attached by its sender or an admin, seen by everyone the notice goes
to) and `work-notice-submission` (a unit's report to a notice, id `{notice_id}.{unit_id}`: attached by the unit's
handlers, seen by the unit and the office; each submission copies the list into the unit's row). When an action item
is done, and each time a weekly report is submitted, `archive` writes a package like a ticket's
(services/archive.py, documents/archive_record.py):

* deterministic keys `archive/work/{kind}/{id}/{version}/record.json|manifest.json`, version = the Asia/Shanghai
  time of the state archived (`done_at`, `submitted_at`): the same state always lands on the same keys, and each
  key is written once (If-None-Match), so a retry neither duplicates nor overwrites;
* record.json = the record (its log included) and the evidence files stored up to that instant
  (`evidence.for_archive`: sha256, size, key, S3 version); manifest.json = sha256 / size / S3 version of
  record.json and of every evidence file (the same `build_manifest` shape as a ticket's);
* every object under the bucket's Object Lock (COMPLIANCE) and SSE-KMS (`deps.archive_store`); the evidence files
  themselves are already kept that way under `evidence/{kind}/{id}/…`;
* the Directory index `ARCHIVE#WORK#{kind}#{id}` / `v#{version}` (written once) keeps the manifest's own sha256, so
  `verify` (the records office, like `services.records.verify`) recomputes every checksum and names what differs.

No package is lost when the archive fails: the record's own transaction (the item becoming done, the report being
submitted) also writes a marker `WORK#ARCHIVE` / `{kind}#{id}#{version}` holding the state to archive, in the sparse
gsi1 `WORK-DUE` the office-work sweep reads, due `RETRY_AFTER` later. The archive right after the change closes the
marker (an overwrite without the gsi1 keys, expiring by TTL after `KEEP_CLOSED`); if that archive fails the marker
stays due and the sweep archives it (`retry`, counted `deliverables_archived` / `deliverables_archive_failed`) —
the same keys, written once, so a package is never written twice.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.documents.archive_record import FILES, MANIFEST, file_entry, to_json
from chalicelib.domain import access
from chalicelib.domain import work as rules
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import evidence, records, work
from chalicelib.storage.sms import stamp
from chalicelib.storage.table import Absent, Item

if TYPE_CHECKING:
    from collections.abc import Mapping

    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.work")

FORMAT = "hotline-work-archive/1"
ACTION_KIND = "work-action"
REPORT_KIND = "work-report"
NOTICE_KIND = "work-notice"
SUBMISSION_KIND = "work-notice-submission"
RECORD = "record.json"
MARKS = work.ARCHIVE_MARKS  # the archives still to write (sk `{kind}#{id}#{version}`), due in gsi1 `WORK-DUE`
RETRY_AFTER = timedelta(minutes=5)  # the sweep's first try after the record's change, if the archive then failed
KEEP_CLOSED = timedelta(days=30)  # a closed marker expires (TTL) this long after its archive


# ---------------------------------------------------------------- evidence owners (who may see and attach)


def _action(deps: Adapters, action_id: str) -> dict[str, Any]:
    item = deps.directory.get_item(work.ACTION, action_id)
    if item is None:
        raise NotFound(f"事项 {action_id[:40]} 不存在", action_id=action_id[:40])
    return item


def _action_view(deps: Adapters, actor: Actor, action_id: str) -> None:
    item = _action(deps, action_id)
    people = (item["owner_id"], item["assigner_id"], item.get("delegate_id"))
    if actor.role not in work.READ_ALL and actor.user_id not in people:
        raise Forbidden("只有事项的责任人、交办人、受托人和中心领导可以查看其成果材料", action_id=action_id)


def _action_attach(deps: Adapters, actor: Actor, action_id: str) -> None:
    item = _action(deps, action_id)
    if actor.user_id not in (item["owner_id"], item["assigner_id"], item.get("delegate_id")):
        raise Forbidden("只有事项的责任人、交办人或受托人可以上传成果材料", action_id=action_id)


def report_id(week: str, owner: str) -> str:
    """The evidence owner id of a weekly report: `{monday}.{owner}` (a department's owner is `DEPT#{id}`)."""
    return f"{week}.{owner}"


def _report_parts(report: str) -> tuple[str, str]:
    week, _, owner = report.partition(".")
    if not owner:
        raise NotFound(f"周报 {report[:40]} 不存在", report=report[:40])
    return week, owner


def _report_author(deps: Adapters, owner: str) -> str:
    """Who writes the report: the person, or the department's coordinator."""
    if not owner.startswith("DEPT#"):
        return owner
    dept = next((d for d in work.settings(deps)["departments"] if d["id"] == owner[5:]), None)
    return str(dept["coordinator_id"]) if dept else ""


def _report_view(deps: Adapters, actor: Actor, report: str) -> None:
    """Who sees the report in the week's list (`work.week_reports`): leaders, analysts, admins; its author; the
    coordinator of the author's department."""
    rules.ensure_staff(actor)  # weekly reports are the centre staff's (R-WORK-01)
    _, owner = _report_parts(report)
    if actor.role in work.READ_ALL or actor.user_id == _report_author(deps, owner):
        return
    coordinated = [d for d in work.settings(deps)["departments"] if d["coordinator_id"] == actor.user_id]
    if any(owner in d["members"] for d in coordinated):
        return
    raise Forbidden("只有周报的报送人、科室统筹人和中心领导可以查看其成果材料", report=report[:40])


def report_owner(week_text: str, params: Mapping[str, str], actor: Actor) -> str:
    """The report a request means (R-WORK-01): the caller's own for the week; `dept_id` the department's combined
    one; `owner_id` another person's (for those who may see it)."""
    week = rules.parse_week(week_text).isoformat()
    dept_id, owner_id = params.get("dept_id") or "", params.get("owner_id") or ""
    if dept_id and owner_id:
        raise ValidationError({"owner_id": "不能与科室（dept_id）同时指定"})
    if dept_id:
        if not rules.ACCOUNT.fullmatch(dept_id):
            raise ValidationError({"dept_id": "须为科室编号"})
        return report_id(week, f"DEPT#{dept_id}")
    if owner_id:
        if not (rules.ACCOUNT.fullmatch(owner_id) or rules.ACCOUNT.fullmatch(owner_id.removeprefix("DEPT#"))):
            raise ValidationError({"owner_id": "须为账号或 DEPT#科室编号"})
        return report_id(week, owner_id)
    return report_id(week, actor.user_id)


def _report_attach(deps: Adapters, actor: Actor, report: str) -> None:
    rules.ensure_staff(actor)
    _, owner = _report_parts(report)
    if actor.user_id != _report_author(deps, owner):
        raise Forbidden("只有周报的报送人可以上传成果材料", report=report[:40])


def _notice_view(deps: Adapters, actor: Actor, notice_id: str) -> None:
    work.visible_notice(deps, actor, notice_id)  # staff, and the units it was sent to (another unit: 404)


def _notice_attach(deps: Adapters, actor: Actor, notice_id: str) -> None:
    notice = work.visible_notice(deps, actor, notice_id)
    if not rules.may_manage_notice(notice, actor):
        raise Forbidden("只有发文人或管理员可以上传通知的材料", notice_id=notice_id[:64])


def submission_id(notice_id: str, unit_id: str) -> str:
    """The evidence owner id of a unit's submission to a notice: `{notice_id}.{unit_id}`."""
    return f"{notice_id}.{unit_id}"


def _submission(deps: Adapters, actor: Actor, submission: str) -> tuple[dict[str, Any], str]:
    notice_id, _, unit_id = submission.partition(".")
    notice = work.visible_notice(deps, actor, notice_id)
    if unit_id not in notice["units"]:
        raise NotFound(f"通知未下发单位 {unit_id[:32]}", unit_id=unit_id[:32])
    return notice, unit_id


def _submission_view(deps: Adapters, actor: Actor, submission: str) -> None:
    _, unit_id = _submission(deps, actor, submission)
    if actor.role == Role.UNIT_HANDLER and actor.unit_id != unit_id:
        raise Forbidden("只能查看本单位的报送材料", unit_id=unit_id[:32])


def _submission_attach(deps: Adapters, actor: Actor, submission: str) -> None:
    notice, unit_id = _submission(deps, actor, submission)
    if rules.unit_of(notice, actor) != unit_id:
        raise Forbidden("只能为本单位的报送上传材料", unit_id=unit_id[:32])


evidence.register_owner(ACTION_KIND, evidence.OwnerPolicy(view=_action_view, attach=_action_attach))
evidence.register_owner(REPORT_KIND, evidence.OwnerPolicy(view=_report_view, attach=_report_attach))
evidence.register_owner(NOTICE_KIND, evidence.OwnerPolicy(view=_notice_view, attach=_notice_attach))
evidence.register_owner(SUBMISSION_KIND, evidence.OwnerPolicy(view=_submission_view, attach=_submission_attach))


def submission_files(deps: Adapters, notice_id: str, unit_id: str, now: datetime) -> list[dict[str, Any]]:
    """The unit's files stored up to its submission, as the submission row keeps them: name, sha256, size, when."""
    stored = evidence.for_archive(
        deps, evidence.Owner(SUBMISSION_KIND, submission_id(notice_id, unit_id)), now.isoformat()
    )
    return [{k: f[k] for k in ("evidence_id", "filename", "sha256", "size", "stored_at")} for f in stored]


# ---------------------------------------------------------------- packages


def _version(at: str) -> str:
    return datetime.fromisoformat(at).astimezone(SHANGHAI).strftime("%Y%m%dT%H%M%S%f")


def prefix(kind: str, record_id: str, version: str) -> str:
    """`archive/work/{kind}/{id}/{version}/` (a department report's `#` kept out of the key)."""
    return f"archive/work/{kind}/{record_id.replace('#', '-')}/{version}/"


def _index_pk(kind: str, record_id: str) -> str:
    return f"ARCHIVE#WORK#{kind}#{record_id}"


def archive(
    deps: Adapters, kind: str, record_id: str, record: Mapping[str, Any], at: str, now: datetime
) -> dict[str, Any]:
    """Archive one state of a work record with its evidence files (stored up to `at`): the index entry.
    Idempotent: the same state finds its keys and index entry written and answers the entry."""
    version = _version(at)
    done = deps.directory.get_item(_index_pk(kind, record_id), f"v#{version}")
    if done is not None:
        return done
    stored = evidence.for_archive(deps, evidence.Owner(kind, record_id), at)
    body: dict[str, Any] = {"format": FORMAT, "kind": kind, "id": record_id, "version": version, "at": at}
    body.update(record=dict(record), evidence=stored)  # each deliverable: sha256, size, key and S3 version
    where = prefix(kind, record_id, version)
    meta = {"work-kind": kind, "work-id": record_id, "archive-version": version}
    record_bytes = to_json(body)
    deps.archive_store.put_once(where + RECORD, record_bytes, FILES[RECORD], now, meta)
    files = {RECORD: _stored_entry(deps, where + RECORD, record_bytes)}
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "id": record_id,
        "version": version,
        "at": at,
        "files": files,
        "evidence": [
            {k: e[k] for k in ("evidence_id", "filename", "sha256", "size", "content_type", "key", "s3_version_id")}
            for e in stored
        ],
    }
    manifest_bytes = to_json(manifest)
    deps.archive_store.put_once(where + MANIFEST, manifest_bytes, FILES[RECORD], now, meta)
    entry = {
        "kind": kind,
        "id": record_id,
        "version": version,
        "at": at,
        "prefix": where,
        "files": files,
        "manifest": _stored_entry(deps, where + MANIFEST, manifest_bytes),
        "evidence": len(stored),
        "archived_at": now.isoformat(),
    }
    if not deps.directory.put_if(_index_pk(kind, record_id), f"v#{version}", entry, Absent()):
        return deps.directory.get_item(_index_pk(kind, record_id), f"v#{version}") or entry
    return entry


def _stored_entry(deps: Adapters, key: str, body: bytes) -> dict[str, Any]:
    """sha256 / size / S3 version of what is at `key` (written now, or by an earlier run of the same state)."""
    obj = deps.archive_store.get(key)
    version_id = obj.version_id if obj is not None else None
    return file_entry(obj.body if obj is not None else body, FILES[RECORD], version_id)


def archive_action(deps: Adapters, item: Mapping[str, Any], now: datetime) -> dict[str, Any] | None:
    """A done action item (R-WORK-02: approved deliverable, or work completed) with its deliverables."""
    if item["status"] != "done" or not item.get("done_at"):
        return None
    return archive(deps, ACTION_KIND, item["id"], item, item["done_at"], now)


def archive_report(deps: Adapters, report: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A submitted weekly report (each submission its own version) with its deliverables."""
    rid = report_id(report["week"], report["owner_id"])
    return archive(deps, REPORT_KIND, rid, report, report["submitted_at"], now)


def pending(kind: str, record_id: str, record: Mapping[str, Any], at: str, now: datetime) -> Item:
    """The marker of an archive still to write: the state itself (`record`, its instant `at`), due
    `RETRY_AFTER` from `now` in the sparse `WORK-DUE` index. The caller writes it in the record's own
    transaction, so the archive exists or is due if and only if the change committed."""
    version = _version(at)
    sk = f"{kind}#{record_id}#{version}"
    data = {"kind": kind, "id": record_id, "version": version, "at": at, "record": dict(record)}
    data["due_at"] = (now + RETRY_AFTER).isoformat()
    return Item(MARKS, sk, data, gsi1pk=work.DUE, gsi1sk=f"{stamp(now + RETRY_AFTER)}#D#{sk}")


def pending_action(item: Mapping[str, Any], now: datetime) -> Item:
    """The marker of a done action item (R-WORK-02: approved deliverable, or work completed)."""
    return pending(ACTION_KIND, item["id"], item, item["done_at"], now)


def pending_report(report: Mapping[str, Any], now: datetime) -> Item:
    """The marker of a submitted weekly report (each submission its own version)."""
    return pending(REPORT_KIND, report_id(report["week"], report["owner_id"]), report, report["submitted_at"], now)


def archive_marked(deps: Adapters, mark: Item, now: datetime) -> dict[str, Any]:
    """Archive the state a marker holds with its deliverables, then close the marker: the same item without
    the gsi1 keys (out of the sweep's index), expiring by TTL. Idempotent (`archive`)."""
    d = mark.data
    entry = archive(deps, d["kind"], d["id"], d["record"], d["at"], now)
    closed = dict(d, archived_at=now.isoformat())
    closed.pop("due_at", None)
    deps.table.put(Item(MARKS, mark.sk, closed, expires_at=int((now + KEEP_CLOSED).timestamp())))
    return entry


def archived_quietly(deps: Adapters, mark: Item, now: datetime) -> None:
    """Archive after the record's own change committed: a failure must not undo or refuse that change, so it is
    logged as an error (alarm) and the marker stays due for the sweep (`retry`)."""
    try:
        archive_marked(deps, mark, now)
    except Exception:  # noqa: BLE001 - logged for the alarm, the user's change stands, the sweep retries
        log.exception("R-WORK-07 archive of %s failed; the work sweep retries it", mark.sk)


def retry(deps: Adapters, mark: Item, now: datetime) -> str:
    """The sweep's share: a marker that is due (its archive failed or never ran) archived now; a failure stays
    due for the next sweep. The outcome's counter name."""
    try:
        archive_marked(deps, mark, now)
    except Exception:  # noqa: BLE001 - logged for the alarm, retried at the next sweep
        log.exception("R-WORK-07 archive of %s failed again; the next sweep retries it", mark.sk)
        return "deliverables_archive_failed"
    return "deliverables_archived"


# ---------------------------------------------------------------- the records office


def _kind(kind: str) -> str:
    if kind not in (ACTION_KIND, REPORT_KIND):
        raise ValidationError({"kind": "须为 work-action 或 work-report"})
    return kind


def versions(deps: Adapters, actor: Actor, kind: str, record_id: str) -> list[dict[str, Any]]:
    """The archived versions of a work record, oldest first (records office, admin)."""
    access.ensure_role(actor, *records.VERIFY_ROLES)
    return [d for _, d in deps.directory.query_items(_index_pk(_kind(kind), record_id), prefix="v#")]


def verify(deps: Adapters, actor: Actor, kind: str, record_id: str, version: str | None = None) -> dict[str, Any]:
    """Recompute every checksum of a package (manifest, record.json, each evidence file at its pinned S3
    version) against what was archived; name what differs."""
    found = versions(deps, actor, kind, record_id)
    chosen = [v for v in found if v["version"] == version] if version else found[-1:]
    if not chosen:
        raise NotFound("没有该归档版本", kind=kind, id=record_id[:40])
    entry = chosen[0]
    results = [records.check(deps, entry["prefix"] + MANIFEST, entry["manifest"], False, MANIFEST)]
    manifest: dict[str, Any] = {"files": entry["files"], "evidence": []}
    if results[0]["ok"]:
        obj = deps.archive_store.get(entry["prefix"] + MANIFEST, entry["manifest"]["s3_version_id"])
        manifest = json.loads(obj.body) if obj is not None else manifest
    for name, expected in sorted(manifest["files"].items()):
        results.append(records.check(deps, entry["prefix"] + name, expected, False, name))
    for item in manifest.get("evidence", []):
        results.append(records.check(deps, item["key"], item, True, f"evidence/{item['evidence_id']}"))
    differs = [r["file"] for r in results if not r["ok"]]
    return {
        "kind": kind,
        "id": record_id,
        "version": entry["version"],
        "ok": not differs,
        "differs": differs,
        "files": results,
    }
