"""The office's own work (R-WORK-01…06): action items, approvals, weekly reports, the due sweep.

Directory items (pk / sk), partitions `WORK#…` (docs/contributing.md):
  WORK#ACTION / {id}              an action item (R-WORK-02/03)
  WORK#APPROVAL / {id}            an approval request (R-WORK-05)
  WORK#NOTICE / {id}              a task or notice to units with each unit's receipt and report (自查通知)
  WORK#WEEK#{monday} / {user}     a person's weekly report (R-WORK-01); `DEPT#{dept}` the combined one;
                                  `CHECK` the due-time check (claimed once: who was missing, reminded)
  WORK#ANN / {id}                 an announcement everyone it is for must read; each reader's receipt twice,
                                  `WORK#ANNREAD#{id}` / reader (who read it) and `WORK#ANNBY#{reader}` / id
                                  (what I have read), both written in one transaction, once
  WORK#ARCHIVE / {kind}#{id}#{v}  an archive still to write (R-WORK-07, services/work_archive.py): written with
                                  the change it archives, closed once the package is written
  CONFIG / work                   departments (members, coordinator), head of the centre, report due rule
Items with something pending carry gsi1 `WORK-DUE` / `{next_at}#{kind}#{id}` (sparse): the sweep reads
only what is due (one Query bounded by `next_at <= now`), never the closed items.

Every change is ONE conditional write: a person's change is conditional on the record as it was read
(`Equals("data", …)`: a lost race is 409, nothing changes); the sweep's change is one transaction of the
record (same condition) and the outbox items of its SMS reminders (`notify.work_message`), so a
reminder exists if and only if its change committed, and a sweep that runs twice finds the record
changed (or out of the index) and sends nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.documents import pdf
from chalicelib.documents.labels import label
from chalicelib.domain import inputs, work
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.integrations import userpool
from chalicelib.services import duty, notify, privacy
from chalicelib.storage.sms import stamp
from chalicelib.storage.table import Absent, Cond, Equals, Item, KeyRange

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.work")

ACTION = "WORK#ACTION"
APPROVAL = "WORK#APPROVAL"
NOTICE = "WORK#NOTICE"
DUE = "WORK-DUE"
ARCHIVE_MARKS = "WORK#ARCHIVE"  # R-WORK-07 archives still to write (services/work_archive.py)
ANNOUNCEMENT = "WORK#ANN"  # announcements; receipts `WORK#ANNREAD#{id}` / reader and `WORK#ANNBY#{reader}` / id
FIGURES = "WORK#FIG"  # R-WORK-06 counter rows: pk WORK#FIG#{YYYY-MM}, sk owner id
CONFIG = ("CONFIG", "work")
LIST_LIMIT = 500
READ_ALL = frozenset({Role.LEADER, Role.ADMIN, Role.ANALYST})


# ---------------------------------------------------------------- accounts and contacts


def account(deps: Adapters, field: str, user_id: str) -> dict[str, Any]:
    """An existing, enabled centre staff account (else 422 naming the field)."""
    try:
        user = userpool.get_user(deps.clients("cognito-idp"), deps.settings.user_pool_id, user_id)
    except NotFound as exc:
        raise ValidationError({field: f"用户 {user_id} 不存在"}) from exc
    if not user.get("enabled", True):
        raise ValidationError({field: f"用户 {user_id} 已停用"})
    if not set(user.get("groups") or []) & {str(r) for r in work.STAFF_ROLES}:
        raise ValidationError({field: f"用户 {user_id} 不是中心工作人员"})
    return user


def unit_contact(deps: Adapters, unit_id: str, role: str) -> dict[str, Any]:
    """The handler contact of a unit (a notice's reminders go to the unit, like R-12345-04)."""
    unit = deps.contexts.load(deps.clock()).units.get(unit_id) or {}
    person: dict[str, Any] = next((c for c in unit.get("contacts", []) if c.get("role") == "handler"), {})
    return {"name": person.get("name") or unit.get("name", unit_id), "phone": person.get("phone", ""), "role": role}


def contact(deps: Adapters, user_id: str, role: str, known: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Name and mobile for a reminder (the staff contact an admin entered; no mobile: recorded as failed)."""
    found = duty.staff_contact(deps, user_id) or {}
    name = found.get("name") or (known or {}).get(user_id) or deps.contexts.names().get(user_id) or user_id
    return {"name": name, "phone": found.get("phone", ""), "role": role}


# ---------------------------------------------------------------- storage


def _item(pk: str, kind: str, record: Mapping[str, Any]) -> Item:
    nxt = record.get("next_at")
    if nxt is None:
        return Item(pk, record["id"], dict(record))
    key = f"{stamp(datetime.fromisoformat(nxt))}#{kind}#{record['id']}"
    return Item(pk, record["id"], dict(record), gsi1pk=DUE, gsi1sk=key)


def _get(deps: Adapters, pk: str, record_id: str, what: str) -> dict[str, Any]:
    found = deps.directory.get_item(pk, record_id)
    if found is None:
        raise NotFound(f"{what} {record_id[:64]} 不存在", id=record_id[:64])
    return found


def _save(deps: Adapters, pk: str, kind: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """One conditional put: created once, or changed only if unchanged since read (409 otherwise)."""
    cond: Cond = Absent() if before is None else Equals("data", dict(before))
    if not deps.table.put(_item(pk, kind, after), cond):
        raise Conflict("记录已被他人修改，请刷新后重试", id=after["id"])


def _figure_pk(month: str) -> str:
    return f"{FIGURES}#{month}"


def _figure_write(deps: Adapters, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> tuple[Item, Cond]:
    """The owner's month counter row as `after` leaves it (R-WORK-06), conditional on the row as read."""
    month, owner = work.figure_key(after)
    row = deps.directory.get_item(_figure_pk(month), owner)
    cond: Cond = Absent() if row is None else Equals("data", row)
    data = work.apply_contribution(row, before, after)
    data["name"] = (after.get("people") or {}).get(owner) or (row or {}).get("name") or owner
    return Item(_figure_pk(month), owner, data), cond


def _save_action(
    deps: Adapters, before: Mapping[str, Any] | None, after: Mapping[str, Any], extra: Sequence[Item] = ()
) -> None:
    """An action item's change, its owner's counter row (R-WORK-06) and `extra` items (the archive marker,
    R-WORK-07) in one transaction. A lost race on the row alone (another item of the same owner changed at
    once) is read again; a change of the item itself since it was read is a conflict (409)."""
    item_cond: Cond = Absent() if before is None else Equals("data", dict(before))
    more: list[tuple[Item, Cond | None]] = [(i, None) for i in extra]
    for _ in range(4):
        if deps.table.transact([(_item(ACTION, "A", after), item_cond), _figure_write(deps, before, after), *more]):
            return
        if deps.directory.get_item(ACTION, after["id"]) != (dict(before) if before is not None else None):
            break
    raise Conflict("记录已被他人修改，请刷新后重试", id=after["id"])


def _new_id(prefix: str, now: datetime) -> str:
    return f"{prefix}{now.astimezone(SHANGHAI).strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _names(deps: Adapters, record: Mapping[str, Any], *fields: str) -> dict[str, str]:
    """Display names of the people on a record: as their accounts said when they were named, else the
    staff directory's, else the login id."""
    stored, names = record.get("people") or {}, deps.contexts.names()
    out = {}
    for f in fields:
        uid = record.get(f)
        if uid:
            out[f] = stored.get(uid) or names.get(str(uid)) or str(uid)
    return out


def _person(people: Mapping[str, str], user: Mapping[str, Any]) -> dict[str, str]:
    return dict(people, **{str(user["username"]): str(user.get("name") or user["username"])})


# ---------------------------------------------------------------- action items (R-WORK-02/03)


def create_action(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A meeting's action item, owned by an existing staff member, due in the future."""
    item = work.new_action(_new_id("A", now), body, actor, now, deps.contexts.load(now).calendar)
    people = {actor.user_id: actor.name or actor.user_id}
    people = _person(people, account(deps, "owner_id", item["owner_id"]))
    if item["assigner_id"] != actor.user_id:
        people = _person(people, account(deps, "assigner_id", item["assigner_id"]))
    item["people"] = people
    _save_action(deps, None, item)
    return action_view(deps, item, now)


def get_action(deps: Adapters, actor: Actor, action_id: str, now: datetime) -> dict[str, Any]:
    """One action item with its progress and log."""
    work.ensure_staff(actor)
    return action_view(deps, _get(deps, ACTION, action_id, "事项"), now)


def act_on_action(
    deps: Adapters, actor: Actor, action_id: str, verb: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """progress | complete | request-extension | decide-extension | review | delegate."""
    work.ensure_staff(actor)
    before = _get(deps, ACTION, action_id, "事项")
    cal = deps.contexts.load(now).calendar
    if verb == "progress":
        after = work.progress(before, body, actor, now)
    elif verb == "complete":
        after = work.complete(before, body, actor, now)
    elif verb == "request-extension":
        after = work.request_extension(before, body, actor, now, cal)
    elif verb == "decide-extension":
        after = work.decide_extension(before, body, actor, now)
    elif verb == "review":
        after = work.review_deliverable(before, body, actor, now)
    elif verb == "delegate":
        to = str(work.account_id(body, "delegate_id"))
        people = _person(before.get("people") or {}, account(deps, "delegate_id", to))
        after = dict(work.delegate(before, to, actor, now), people=people)
    else:
        raise NotFound(f"没有操作 {verb[:32]}", verb=verb[:32])
    if after["status"] == "done" and before["status"] != "done":  # R-WORK-07: archived with its deliverables
        from chalicelib.services import work_archive  # it imports this module (evidence owners of work records)

        mark = work_archive.pending_action(after, now)  # due for the sweep unless the archive below closes it
        _save_action(deps, before, after, [mark])
        work_archive.archived_quietly(deps, mark, now)
    else:
        _save_action(deps, before, after)
    return action_view(deps, after, now)


def action_view(deps: Adapters, item: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An item with the names of the people on it and how late it is."""
    names = _names(deps, item, "owner_id", "assigner_id", "delegate_id")
    overdue = item["status"] != "done" and datetime.fromisoformat(item["deadline"]) < now
    return dict(item, names=names, overdue=overdue, days_late=round(work.days_late(item, now), 1))


def actions(deps: Adapters, actor: Actor, params: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    """The board: items newest first, `?owner_id=` / `?status=` / `?mine=1` (owned, delegated or assigned)."""
    work.ensure_staff(actor)
    items = [d for _, d in deps.directory.query_items(ACTION, newest_first=True, limit=LIST_LIMIT)]
    if params.get("mine") in ("1", "true"):
        mine = (actor.user_id,)
        items = [i for i in items if mine[0] in (i["owner_id"], i.get("delegate_id"), i["assigner_id"])]
    if params.get("owner_id"):
        items = [i for i in items if i["owner_id"] == params["owner_id"]]
    if params.get("status"):
        items = [i for i in items if i["status"] == params["status"]]
    return [action_view(deps, i, now) for i in items]


# ---------------------------------------------------------------- approvals (R-WORK-05)


def create_approval(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A request to one approver; it must be decided within 24 hours."""
    item = work.new_approval(_new_id("P", now), body, actor, now)
    people = {actor.user_id: actor.name or actor.user_id}
    item["people"] = _person(people, account(deps, "approver_id", item["approver_id"]))
    _save(deps, APPROVAL, "P", None, item)
    return approval_view(deps, item, now)


def decide_approval(
    deps: Adapters, actor: Actor, approval_id: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The approver's decision; anyone else gets 403 and nothing changes."""
    work.ensure_staff(actor)
    before = _get(deps, APPROVAL, approval_id, "审批")
    after = work.decide_approval(before, body, actor, now)
    _save(deps, APPROVAL, "P", before, after)
    return approval_view(deps, after, now)


def approval_view(deps: Adapters, item: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A request with who holds it and for how long."""
    names = _names(deps, item, "initiator_id", "approver_id", "attributed_to")
    return dict(item, names=names, held_hours=work.held_hours(item, now))


def approvals(deps: Adapters, actor: Actor, params: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    """`?box=inbox` (default: waiting for me) | `sent` (mine) | `pending` / `all` (leaders, admins, analysts)."""
    work.ensure_staff(actor)
    box = params.get("box") or "inbox"
    if box not in ("inbox", "sent", "pending", "all"):
        raise ValidationError({"box": "须为 inbox、sent、pending 或 all"})
    if box in ("pending", "all") and actor.role not in READ_ALL:
        raise Forbidden("只有领导、综合科和管理员可以查看全部审批", role=actor.role)
    items = [d for _, d in deps.directory.query_items(APPROVAL, newest_first=True, limit=LIST_LIMIT)]
    if box == "inbox":
        items = [i for i in items if i["approver_id"] == actor.user_id and i["status"] == "pending"]
    elif box == "sent":
        items = [i for i in items if i["initiator_id"] == actor.user_id]
    elif box == "pending":
        items = [i for i in items if i["status"] == "pending"]
    return [approval_view(deps, i, now) for i in items]


# ---------------------------------------------------------------- tasks and notices to units


def create_notice(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A notice with a reporting deadline to one or more units."""
    ctx = deps.contexts.load(now)
    notice = work.new_notice(_new_id("N", now), body, actor, now, ctx.calendar, ctx.units)
    notice["people"] = {actor.user_id: actor.name or actor.user_id}
    _save(deps, NOTICE, "N", None, notice)
    return notice_view(deps, notice, actor)


def _visible_notice(notice: Mapping[str, Any], actor: Actor) -> bool:
    if actor.role == Role.UNIT_HANDLER:
        return actor.unit_id in notice["units"]
    return actor.role in work.STAFF_ROLES


def notice_view(deps: Adapters, notice: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    """A notice as the actor may see it (a unit sees its own row only), its sender as printed (`sender`)."""
    out = dict(notice, sender=_names(deps, notice, "created_by").get("created_by"))
    if actor.role == Role.UNIT_HANDLER:
        out["units"] = {k: v for k, v in notice["units"].items() if k == actor.unit_id}
        out["late_units"] = [u for u in notice["late_units"] if u == actor.unit_id]
    out["pending_units"] = work.pending_units(out)
    return out


def visible_notice(deps: Adapters, actor: Actor, notice_id: str) -> dict[str, Any]:
    """A notice the caller may see (staff; a unit it was sent to), else 404."""
    notice = _get(deps, NOTICE, notice_id, "通知")
    if not _visible_notice(notice, actor):
        raise NotFound(f"通知 {notice_id[:64]} 不存在", id=notice_id[:64])
    return notice


def notices(deps: Adapters, actor: Actor) -> list[dict[str, Any]]:
    """Notices newest first (a unit: those sent to it)."""
    if actor.role != Role.UNIT_HANDLER:
        work.ensure_staff(actor)
    items = [d for _, d in deps.directory.query_items(NOTICE, newest_first=True, limit=LIST_LIMIT)]
    return [notice_view(deps, n, actor) for n in items if _visible_notice(n, actor)]


def get_notice(deps: Adapters, actor: Actor, notice_id: str) -> dict[str, Any]:
    """One notice."""
    return notice_view(deps, visible_notice(deps, actor, notice_id), actor)


def act_on_notice(
    deps: Adapters, actor: Actor, notice_id: str, verb: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """receive | submit (the unit) | close (the sender); units act at once on one record: a lost race is
    read again and applied again (a few times), so parallel units never refuse each other."""
    for attempt in range(4):
        before = visible_notice(deps, actor, notice_id)
        if verb == "receive":
            after = work.receive(before, actor, now)
        elif verb == "submit":  # the unit's stored files go into its row in the same write
            from chalicelib.services import work_archive  # it imports this module (evidence owners)

            files = work_archive.submission_files(deps, notice_id, work.unit_of(before, actor), now)
            after = work.submit(before, body, actor, now, files)
        elif verb == "close":
            after = work.close_notice(before, actor, now)
        else:
            raise NotFound(f"没有操作 {verb[:32]}", verb=verb[:32])
        try:
            _save(deps, NOTICE, "N", before, after)
        except Conflict:
            if attempt == 3:
                raise
            continue
        return notice_view(deps, after, actor)
    raise Conflict("记录已被他人修改，请刷新后重试", id=notice_id)


def notice_workbook(deps: Adapters, actor: Actor, notice_id: str) -> bytes:
    """The whole task as a spreadsheet: each unit, when it received, when it reported what, late or not."""
    work.ensure_staff(actor)
    notice = visible_notice(deps, actor, notice_id)
    from chalicelib.documents import excel  # openpyxl: loaded by its first use

    return excel.notice_workbook(notice)


# ---------------------------------------------------------------- the sweep (every 15 minutes)


def _fmt(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%m月%d日%H:%M")


def sweep_at(deps: Adapters, body: Mapping[str, Any], now: datetime) -> Counter[str]:
    """The sweep at `body["at"]` (default now; local mode: a demo of what the scheduled sweep does then, up to
    31 days ahead; it is idempotent like every sweep, so the timer's later runs find nothing twice)."""
    at = now
    if body.get("at") not in (None, ""):
        at = inputs.instant_within(
            body["at"], "at", now - timedelta(days=1), now + timedelta(days=31), "须在当前时间前1天至后31天之间"
        )
    return sweep(deps, at)


def sweep(deps: Adapters, now: datetime, limit: int = 100) -> Counter[str]:
    """Everything due by `now` in the `WORK-DUE` index: items past their deadline become delayed
    (R-WORK-03), approvals past 24 hours are attributed to the approver and both sides reminded
    (R-WORK-05), notices step on (reminders, late units); then the weekly-report check of the current week
    (R-WORK-01) and the Friday 18:00 report (R-WORK-04)."""
    counts: Counter[str] = Counter()
    token: str | None = None
    while True:
        page = deps.table.query(DUE, KeyRange(below=stamp(now) + "$"), index=True, limit=limit, token=token)
        for entry in page.items:
            counts[_sweep_one(deps, entry, now)] += 1
        token = page.next_page
        if token is None:
            break
    counts.update(weekly_check(deps, now))
    counts.update(friday_check(deps, now))
    return counts


def _sweep_one(deps: Adapters, entry: Item, now: datetime) -> str:
    """One due record: its change and reminders in one transaction, then the first send of each; or a
    deliverable's archive still to write (R-WORK-07)."""
    if entry.pk == ARCHIVE_MARKS:
        from chalicelib.services import work_archive  # it imports this module (evidence owners of work records)

        return work_archive.retry(deps, entry, now)
    item = deps.directory.get_item(entry.pk, entry.sk)
    if item is None:
        return "skipped"
    names = dict(deps.contexts.names(), **(item.get("people") or {}))
    sends: list[tuple[str, str, str, str]] = []  # role, user, template, the other person's name
    if entry.pk == ACTION and work.action_due(item, now):
        after, kind, outcome = work.mark_delayed(item, now), "A", "actions_delayed"
        event, deadline = f"{item['id']}.delayed.{item['deadline']}", item["deadline"]
        for role in ("owner", "assigner", "delegate"):
            if item.get(f"{role}_id"):
                sends.append((role, item[f"{role}_id"], "work_delayed", ""))
    elif entry.pk == APPROVAL and work.approval_due(item, now):
        after, kind, outcome = work.chase_approval(item, now), "P", "approvals_chased"
        event, deadline = f"{item['id']}.chase.{len(item['reminders']) + 1}", item["due_at"]
        approver, initiator = item["approver_id"], item["initiator_id"]
        sends.append(("approver", approver, "work_approval_overdue", names.get(initiator, initiator)))
        sends.append(("initiator", initiator, "work_approval_chase", names.get(approver, approver)))
    elif entry.pk == NOTICE and work.notice_due(item, now):
        after, kind = work.advance_notice(item, now, deps.contexts.load(now).calendar), "N"
        late = after["stage"] is None
        outcome = "notices_closed_late" if late else "notices_reminded"
        event, deadline = f"{item['id']}.{'late' if late else item['stage']}", item["deadline"]
        template = "work_notice_late" if late else "work_notice_reminder"
        sender = names.get(item["created_by"], item["created_by"])
        sends = [(f"unit-{u}", u, template, sender) for u in work.pending_units(item)]
    else:
        return "skipped"
    return _commit_sweep(deps, entry, kind, item, after, outcome, event, deadline, sends, now, names)


def _commit_sweep(
    deps: Adapters,
    entry: Item,
    kind: str,
    item: dict[str, Any],
    after: dict[str, Any],
    outcome: str,
    event: str,
    deadline: str,
    sends: list[tuple[str, str, str, str]],
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> str:
    """The record's change and its reminders in one transaction, then the first send of each."""
    messages = [
        notify.work_message(
            deps,
            item["id"],
            event,
            template,
            unit_contact(deps, uid, role) if kind == "N" else contact(deps, uid, role, names),
            template,
            {"title": item["title"][:20], "deadline": _fmt(deadline), "other": other},
            now,
        )
        for role, uid, template, other in sends
    ]
    writes: list[tuple[Item, Cond | None]] = [(_item(entry.pk, kind, after), Equals("data", item))]
    writes += [(m[1], Absent()) for m in messages]
    for attempt in range(3):
        figure = [_figure_write(deps, item, after)] if kind == "A" else []
        if deps.table.transact([*writes, *figure]):
            break
        if not figure or attempt == 2 or deps.directory.get_item(entry.pk, item["id"]) != item:
            return "skipped"  # changed meanwhile (a person acted, or another sweep did it)
    for record, _, mark in messages:
        notify.send_claimed(deps, record, mark, now)
    return outcome


# ---------------------------------------------------------------- settings, weekly reports (R-WORK-01)


def settings(deps: Adapters) -> dict[str, Any]:
    """The office's departments, the head of the centre and the report due rule."""
    stored = deps.directory.config("work") or {}
    return {
        "departments": stored.get("departments", []),
        "head_id": stored.get("head_id"),
        "report_due": stored.get("report_due", "mon 10:00"),
    }


def get_settings(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """The office-work settings, for staff."""
    work.ensure_staff(actor)
    return settings(deps)


def put_settings(deps: Adapters, actor: Actor, body: Mapping[str, Any]) -> dict[str, Any]:
    """Admin: `{departments: [{id, name, coordinator_id, members: [...]}], head_id, report_due}`."""
    if actor.role != Role.ADMIN:
        raise Forbidden("只有管理员可以设置日常工作", role=actor.role)
    due = body.get("report_due", "mon 10:00")
    if due not in ("mon 10:00", "fri 18:00"):
        raise ValidationError({"report_due": "须为 mon 10:00（周一10:00）或 fri 18:00（周五18:00）"})
    head = work.account_id(body, "head_id", required=False)
    if head:
        account(deps, "head_id", head)
    raw = body.get("departments", [])
    if not isinstance(raw, list) or len(raw) > 30:
        raise ValidationError({"departments": "须为列表，最多 30 个科室"})
    depts: list[dict[str, Any]] = []
    for i, d in enumerate(raw):
        depts.append(_department(deps, d, f"departments[{i}]", {x["id"] for x in depts}))
    out = {"departments": depts, "head_id": head, "report_due": due}
    before = deps.directory.get_item(*CONFIG)
    deps.directory.put_item(*CONFIG, out)
    privacy.log_change(deps, "work_settings_changed", actor, deps.clock(), before=before, after=out)
    return out


def _department(deps: Adapters, d: Any, name: str, seen: set[str]) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise ValidationError({name: "须为对象"})
    dept_id, title = d.get("id"), d.get("name")
    if not isinstance(dept_id, str) or not work.ACCOUNT.fullmatch(dept_id) or dept_id in seen:
        raise ValidationError({f"{name}.id": "须为不重复的字母数字编号"})
    if not isinstance(title, str) or not 1 <= len(title.strip()) <= 50:
        raise ValidationError({f"{name}.name": "必填，1–50 个字符"})
    members = d.get("members")
    if not isinstance(members, list) or not 1 <= len(members) <= 50:
        raise ValidationError({f"{name}.members": "须为 1–50 个账号"})
    for j, m in enumerate(members):
        field = f"{name}.members[{j}]"
        account(deps, field, str(work.account_id({field: m}, field)))
    coordinator = d.get("coordinator_id") or members[0]
    if coordinator not in members:
        raise ValidationError({f"{name}.coordinator_id": "统筹人须为本科室成员"})
    return {
        "id": dept_id,
        "name": title.strip(),
        "members": list(dict.fromkeys(members)),
        "coordinator_id": coordinator,
    }


def _week_pk(week: date) -> str:
    return f"WORK#WEEK#{week.isoformat()}"


def _due(deps: Adapters, week: date, now: datetime) -> datetime:
    return work.report_due(week, settings(deps)["report_due"], deps.contexts.load(now).calendar)


def submit_report(
    deps: Adapters, actor: Actor, week_text: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """My report for a week (`dept_id`: the combined one, by the department's coordinator); a report
    may be replaced until the week is over; after the due time it is marked late."""
    work.ensure_staff(actor)
    week = work.parse_week(week_text)
    dept_id = body.get("dept_id")
    owner = actor.user_id
    if dept_id not in (None, ""):
        dept = _department_of(settings(deps), dept_id)
        if dept["coordinator_id"] != actor.user_id:
            raise Forbidden("只有科室统筹人可以提交科室周报", dept_id=dept_id)
        owner = f"DEPT#{dept_id}"
    report = work.new_report(week, owner, dept_id or None, body, actor, now, _due(deps, week, now))
    before = deps.directory.get_item(_week_pk(week), owner)
    if before is not None:
        report.update(first_submitted_at=before.get("first_submitted_at", before["submitted_at"]))
        report["late"] = before["late"] and report["late"]
    else:
        report["first_submitted_at"] = report["submitted_at"]
    from chalicelib.services import work_archive  # R-WORK-07: each submission archived with its deliverables

    mark = work_archive.pending_report(report, now)  # due for the sweep unless the archive below closes it
    deps.table.transact([(Item(_week_pk(week), owner, report), None), (mark, None)])
    work_archive.archived_quietly(deps, mark, now)
    return report


def report_draft(
    deps: Adapters, actor: Actor, week_text: str, params: Mapping[str, str], now: datetime
) -> dict[str, Any]:
    """The form of a new report: last week's plan and unfinished items prefilled as this one's planned items,
    and when the report is due (the office's rule). `?dept_id=`: the department's combined report, for its
    coordinator, prefilled from last week's combined report and the members' reports submitted for the week
    (R-WORK-01)."""
    work.ensure_staff(actor)
    week = work.parse_week(week_text)
    due = _due(deps, week, now).isoformat()
    dept_id = params.get("dept_id")
    if dept_id in (None, ""):
        previous = deps.directory.get_item(_week_pk(week - timedelta(days=7)), actor.user_id)
        mine = deps.directory.get_item(_week_pk(week), actor.user_id)
        return {"week": week.isoformat(), "due_at": due, "planned": work.carry_over(previous), "submitted": mine}
    dept = _department_of(settings(deps), dept_id)
    if dept["coordinator_id"] != actor.user_id:
        raise Forbidden("只有科室统筹人可以填写科室周报", dept_id=dept_id)
    owner = f"DEPT#{dept['id']}"
    previous = deps.directory.get_item(_week_pk(week - timedelta(days=7)), owner)
    stored = dict(deps.directory.list_items(_week_pk(week)))
    members = [stored[m] for m in dept["members"] if m in stored]
    draft = work.combined_draft(previous, members)
    return {"week": week.isoformat(), "due_at": due, "dept_id": dept["id"], **draft, "submitted": stored.get(owner)}


def _department_of(cfg: Mapping[str, Any], dept_id: Any) -> dict[str, Any]:
    dept = next((d for d in cfg["departments"] if d["id"] == dept_id), None)
    if dept is None:
        raise ValidationError({"dept_id": f"科室 {str(dept_id)[:32]} 不存在"})
    return dict(dept)


def department_weeks(
    deps: Adapters, actor: Actor, week_text: str, params: Mapping[str, str], now: datetime
) -> dict[str, Any]:
    """Each department's week (科室周报, R-WORK-01) in one read of the week: its members with the state of
    their reports (submitted, late, missing, pending) and the reports themselves, and the combined report.
    Leaders, analysts and admins see every department; others the departments they belong to or coordinate.
    `?dept_id=`: that department only."""
    work.ensure_staff(actor)
    week = work.parse_week(week_text)
    cfg = settings(deps)
    depts = [d for d in cfg["departments"] if actor.role in READ_ALL or _belongs(d, actor.user_id)]
    dept_id = params.get("dept_id")
    if dept_id not in (None, ""):
        wanted = _department_of(cfg, dept_id)
        if wanted["id"] not in {d["id"] for d in depts}:
            raise Forbidden("只有本科室成员、统筹人和领导可以查看科室周报", dept_id=wanted["id"])
        depts = [wanted]
    due = _due(deps, week, now)
    stored = dict(deps.directory.list_items(_week_pk(week))) if depts else {}
    names = deps.contexts.names()

    def entry(owner: str, name: str) -> dict[str, Any]:
        report = stored.get(owner)
        return {
            "id": owner,
            "name": name,
            "state": work.report_state(report, due, now),
            "submitted_at": (report or {}).get("submitted_at"),
            "report": report,
        }

    out = []
    for d in depts:
        combined = entry(f"DEPT#{d['id']}", d["name"]) if len(d["members"]) > 1 else None
        out.append(
            {
                "id": d["id"],
                "name": d["name"],
                "coordinator_id": d["coordinator_id"],
                "coordinator": names.get(d["coordinator_id"], d["coordinator_id"]),
                "can_submit": d["coordinator_id"] == actor.user_id and combined is not None,
                "members": [entry(m, names.get(m, m)) for m in d["members"]],
                "combined": combined,
            }
        )
    return {"week": week.isoformat(), "due_at": due.isoformat(), "departments": out}


def _belongs(dept: Mapping[str, Any], user_id: str) -> bool:
    return user_id == dept["coordinator_id"] or user_id in dept["members"]


def week_reports(deps: Adapters, actor: Actor, week_text: str, now: datetime) -> dict[str, Any]:
    """The week's reports in the actor's view and who is missing (leaders/admins/analysts: all;
    a coordinator: the department; others: their own)."""
    work.ensure_staff(actor)
    week = work.parse_week(week_text)
    cfg = settings(deps)
    reports = {sk: d for sk, d in deps.directory.list_items(_week_pk(week)) if sk not in ("CHECK", "FRIDAY")}
    expected = _expected(cfg)
    if actor.role not in READ_ALL:
        coordinated = {d["id"] for d in cfg["departments"] if d["coordinator_id"] == actor.user_id}
        members = {m for d in cfg["departments"] if d["id"] in coordinated for m in d["members"]}
        allowed = {actor.user_id, *members, *(f"DEPT#{d}" for d in coordinated)}
        reports = {k: v for k, v in reports.items() if k in allowed}
        expected = {k: v for k, v in expected.items() if k in allowed}
    due = _due(deps, week, now)
    missing = sorted(k for k in expected if k not in reports) if now > due else []
    names = deps.contexts.names()
    return {
        "week": week.isoformat(),
        "due_at": due.isoformat(),
        "reports": sorted(reports.values(), key=lambda r: str(r["owner_id"])),
        "missing": [{"id": k, "name": expected[k] if k.startswith("DEPT#") else names.get(k, k)} for k in missing],
    }


def _expected(cfg: Mapping[str, Any]) -> dict[str, str]:
    """Who owes a report: every member; a department of more than one also the combined one."""
    out: dict[str, str] = {}
    for d in cfg["departments"]:
        for m in d["members"]:
            out[m] = m
        if len(d["members"]) > 1:
            out[f"DEPT#{d['id']}"] = d["name"]
    return out


def weekly_check(deps: Adapters, now: datetime) -> Counter[str]:
    """Once the current week's report is due: the missing are listed and reminded, once (the check
    item is created with its reminders in one transaction; a later sweep finds it and does nothing)."""
    week = work.week_of(now.astimezone(SHANGHAI).date())
    due = _due(deps, week, now)
    if now < due or deps.directory.get_item(_week_pk(week), "CHECK") is not None:
        return Counter()
    cfg = settings(deps)
    expected = _expected(cfg)
    reports = {sk for sk, _ in deps.directory.list_items(_week_pk(week))}
    missing = sorted(k for k in expected if k not in reports)
    coordinators = {f"DEPT#{d['id']}": d["coordinator_id"] for d in cfg["departments"]}
    messages = []
    for who in missing:
        uid = coordinators.get(who, who)
        title = f"{expected[who]}本周科室周报" if who.startswith("DEPT#") else "本周个人周报"
        params = {"title": title, "deadline": _fmt(due.isoformat())}
        messages.append(
            notify.work_message(
                deps,
                f"W{week:%Y%m%d}",
                f"W{week:%Y%m%d}.missing.{who}",
                "work_report_missing",
                contact(deps, uid, "reporter"),
                "work_report_missing",
                params,
                now,
            )
        )
    check = {"week": week.isoformat(), "checked_at": now.isoformat(), "due_at": due.isoformat(), "missing": missing}
    writes: list[tuple[Item, Cond | None]] = [(Item(_week_pk(week), "CHECK", check), Absent())]
    if not deps.table.transact(writes + [(m[1], Absent()) for m in messages]):
        return Counter()
    for record, _, mark in messages:
        notify.send_claimed(deps, record, mark, now)
    return Counter({"reports_missing": len(missing), "weekly_checks": 1})


# ---------------------------------------------------------------- home page and monthly figures


def due_panel(deps: Adapters, actor: Actor, now: datetime) -> dict[str, Any]:
    """What is due for me: my open items (overdue first), approvals waiting for me, my requests still
    pending, and whether my weekly report is in."""
    work.ensure_staff(actor)
    mine = [i for i in actions(deps, actor, {"mine": "1"}, now) if i["status"] != "done"]
    mine = [i for i in mine if actor.user_id in (i["owner_id"], i.get("delegate_id")) or i["status"] == "submitted"]
    mine.sort(key=lambda i: (not i["overdue"], i["deadline"]))
    week = work.week_of(now.astimezone(SHANGHAI).date())
    reported = deps.directory.get_item(_week_pk(week), actor.user_id) is not None
    return {
        "actions": mine,
        "approvals_to_decide": approvals(deps, actor, {"box": "inbox"}, now),
        "my_pending_requests": [a for a in approvals(deps, actor, {"box": "sent"}, now) if a["status"] == "pending"],
        "weekly_report": {"week": week.isoformat(), "submitted": reported, "due_at": _due(deps, week, now).isoformat()},
        "friday_report": _friday_view(latest_friday(deps, now)) if actor.role in READ_ALL else None,
    }


def _friday_view(record: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The home page's line about the Friday report (R-WORK-04): its week, when, how many items; the SPA opens
    it through `/work/friday/{week}` (archive keys and the head's login id stay inside)."""
    if record is None:
        return None
    return {k: record[k] for k in ("week", "generated_at", "counts")}


def month_figures(deps: Adapters, actor: Actor, month: str, now: datetime) -> dict[str, Any]:
    """R-WORK-06 per person: due, on time, delayed, unfinished, rate, accountability flag."""
    if actor.role not in READ_ALL:
        raise Forbidden("只有领导、综合科和管理员可以查看月度完成率", role=actor.role)
    try:
        date.fromisoformat(month + "-01")
    except (TypeError, ValueError) as exc:
        raise ValidationError({"month": "须为 YYYY-MM"}) from exc
    return {"month": month, "rows": figure_rows(deps, month, now)}


def month_workbook(deps: Adapters, actor: Actor, month: str, now: datetime) -> bytes:
    """R-WORK-06 the month per person as .xlsx (recorded in the access log: it names people)."""
    result = month_figures(deps, actor, month, now)
    from chalicelib.documents import excel  # openpyxl: loaded by its first use

    privacy.log_access(deps, "export", actor, now, document="work-figures-excel", month=month)
    return excel.work_figures_workbook(result)


def figure_rows(deps: Adapters, month: str, now: datetime) -> list[dict[str, Any]]:
    """The month's counter rows (one Query, R-WORK-06), with the owners' names."""
    stored = deps.directory.query_items(_figure_pk(month))
    # the name the account had when an item named it (as on the board), else the staff directory's
    names = deps.contexts.names()
    return [
        dict(work.figure_row(owner, row, now), name=row.get("name") or names.get(owner, owner)) for owner, row in stored
    ]


def recount_figures(deps: Adapters, month: str, *, repair: bool) -> dict[str, Any]:
    """The month's counter rows rebuilt from the action items themselves; every owner whose stored row
    differs is reported and, if asked, overwritten (R-WORK-06; part of `make recount`)."""
    expected: dict[str, dict[str, Any]] = {}
    for _, item in deps.directory.query_items(ACTION):
        item_month, owner = work.figure_key(item)
        if item_month == month:
            expected[owner] = work.apply_contribution(expected.get(owner), None, item)
    live = dict(deps.directory.query_items(_figure_pk(month)))

    def counted(row: Mapping[str, Any] | None) -> dict[str, Any]:
        return {k: (row or {}).get(k) for k in (*work.FIGURE_COUNTS, "late")}

    diffs: list[dict[str, Any]] = [
        {"owner_id": owner, "counter": counted(live.get(owner)), "recount": expected.get(owner)}
        for owner in sorted(set(live) | set(expected))
        if counted(live.get(owner)) != counted(expected.get(owner))
    ]
    if repair:
        for d in diffs:
            owner = str(d["owner_id"])
            zero: dict[str, Any] = {**dict.fromkeys(work.FIGURE_COUNTS, 0), "late": {}}
            row = dict(expected.get(owner) or zero)
            row["name"] = (live.get(owner) or {}).get("name") or owner
            deps.directory.put_item(_figure_pk(month), owner, row)
    return {"differences": diffs, "repaired": len(diffs) if repair else 0}


# ---------------------------------------------------------------- the Friday 18:00 report (R-WORK-04)

FRIDAY_KEY = "work/friday/{week}.{ext}"


def friday_context(deps: Adapters, week: date, now: datetime) -> dict[str, Any]:
    """The report's printed content: names and labels, Asia/Shanghai times."""
    actions = [d for _, d in deps.directory.query_items(ACTION, newest_first=True, limit=LIST_LIMIT * 4)]
    approvals = [d for _, d in deps.directory.query_items(APPROVAL, newest_first=True, limit=LIST_LIMIT)]
    content = work.friday_content(actions, approvals, week, now)

    def local(iso: str | None) -> str:
        return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%m月%d日 %H:%M") if iso else "—"

    def action_row(i: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "title": i["title"],
            "owner": _names(deps, i, "owner_id").get("owner_id", i["owner_id"]),
            "deadline": local(i["deadline"]),
            "done_at": local(i.get("done_at")),
            "on_time": bool(i.get("on_time")),
            "days_late": i["days_late"],
            "status": label("action_status", i["status"]),
            "progress": i["last_progress"],
        }

    def approval_row(a: Mapping[str, Any]) -> dict[str, Any]:
        names = _names(deps, a, "initiator_id", "approver_id")
        return {
            "title": a["title"],
            "kind": label("approval_kind", a["kind"]),
            "initiator": names.get("initiator_id", ""),
            "approver": names.get("approver_id", ""),
            "held_hours": a["held_hours"],
        }

    end = week + timedelta(days=6)
    return {
        "title": f"{week.month}月{week.day}日—{end.month}月{end.day}日工作进展和延误情况报告",
        "office": "县便民服务中心",
        "week_label": f"{week:%Y年%m月%d日}—{end:%m月%d日}",
        "generated_at": local(now.isoformat()),
        "done": [action_row(i) for i in content["done"]],
        "delayed": [action_row(i) for i in content["delayed"]],
        "open": [action_row(i) for i in content["open"]],
        "approvals": [approval_row(a) for a in content["approvals"]],
    }


def friday_report(deps: Adapters, actor: Actor, week_text: str, fmt: str, now: datetime) -> tuple[bytes | str, str]:
    """The week's report as `html` or `pdf`: the archived copy once generated, else rendered now."""
    if actor.role not in READ_ALL:
        raise Forbidden("只有领导、综合科和管理员可以查看周五工作报告", role=actor.role)
    if fmt not in ("html", "pdf"):
        raise ValidationError({"format": "须为 html 或 pdf"})
    week = work.parse_week(week_text)
    stored = deps.archive_store.get(FRIDAY_KEY.format(week=week.isoformat(), ext=fmt))
    if stored is not None:
        return (
            stored.body if fmt == "pdf" else stored.body.decode("utf-8")
        ), pdf.PDF_TYPE if fmt == "pdf" else pdf.HTML_TYPE
    return pdf.render("work/friday.html", fmt, **friday_context(deps, week, now))


def friday_check(deps: Adapters, now: datetime) -> Counter[str]:
    """From Friday 18:00 on: the week's report is generated (HTML + PDF), archived under deterministic keys
    (written once), and the head of the centre is texted — the record `FRIDAY` and the SMS in one
    transaction, so a later sweep finds it and does nothing."""
    week = work.week_of(now.astimezone(SHANGHAI).date())
    if now < work.friday_at(week) or deps.directory.get_item(_week_pk(week), "FRIDAY") is not None:
        return Counter()
    context = friday_context(deps, week, now)
    html = pdf.render_html("work/friday.html", **context)
    keys = {ext: FRIDAY_KEY.format(week=week.isoformat(), ext=ext) for ext in ("html", "pdf")}
    deps.archive_store.put_once(keys["html"], html.encode("utf-8"), pdf.HTML_TYPE, now)
    deps.archive_store.put_once(keys["pdf"], pdf.html_to_pdf(html), pdf.PDF_TYPE, now)
    head = settings(deps)["head_id"]
    record = {
        "week": week.isoformat(),
        "generated_at": now.isoformat(),
        "keys": keys,
        "head_id": head,
        "counts": {k: len(context[k]) for k in ("done", "delayed", "open", "approvals")},
    }
    messages = []
    if head:
        # the SPA's page of the report (it asks for a login first, then comes back to it)
        origin = deps.settings.spa_origin
        link = f"（{origin}/work/friday/{week.isoformat()}）" if origin else ""
        params = {"title": "本周工作进展和延误情况报告", "deadline": _fmt(now.isoformat()), "other": link}
        ref = f"W{week:%Y%m%d}"
        messages.append(
            notify.work_message(
                deps,
                ref,
                f"{ref}.friday",
                "work_friday_report",
                contact(deps, head, "head"),
                "work_friday_report",
                params,
                now,
            )
        )
    writes: list[tuple[Item, Cond | None]] = [(Item(_week_pk(week), "FRIDAY", record), Absent())]
    if not deps.table.transact(writes + [(m[1], Absent()) for m in messages]):
        return Counter()
    for sms, _, mark in messages:
        notify.send_claimed(deps, sms, mark, now)
    return Counter({"friday_reports": 1})


def latest_friday(deps: Adapters, now: datetime) -> dict[str, Any] | None:
    """The newest generated Friday report (this week's or last week's), for the home page."""
    week = work.week_of(now.astimezone(SHANGHAI).date())
    for w in (week, week - timedelta(days=7)):
        found = deps.directory.get_item(_week_pk(w), "FRIDAY")
        if found is not None:
            return found
    return None


# ---------------------------------------------------------------- announcements everyone must read (通知公告)

ANNOUNCEMENT_LIMIT = 100


def create_announcement(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An announcement to roles and units (leader, analyst, admin)."""
    ann = work.new_announcement(_new_id("G", now), body, actor, now, deps.contexts.load(now).units)
    ann["people"] = {actor.user_id: actor.name or actor.user_id}
    _save(deps, ANNOUNCEMENT, "G", None, ann)
    return announcement_view(deps, ann, actor, None)


def _may_track(ann: Mapping[str, Any], actor: Actor) -> bool:
    return actor.user_id == ann["created_by"] or actor.role in work.ANNOUNCERS


def announcement_view(
    deps: Adapters, ann: Mapping[str, Any], actor: Actor, read_at: str | None, receipts: bool = False
) -> dict[str, Any]:
    """An announcement as this reader sees it: whether they read it; for the sender and the office's
    leaders, analysts and admins also who read it and which units have not."""
    out = {k: v for k, v in ann.items() if k != "people"}
    out["sender"] = (ann.get("people") or {}).get(ann["created_by"]) or deps.contexts.names().get(ann["created_by"])
    out["for_me"] = work.addressed(ann, actor)
    out["read_at"] = read_at
    if receipts and _may_track(ann, actor):
        units = deps.contexts.load(datetime.fromisoformat(ann["created_at"])).units
        readers = [d for _, d in deps.directory.query_items(f"{ANNOUNCEMENT}READ#{ann['id']}")]
        readers.sort(key=lambda r: str(r["at"]))
        for r in readers:
            r["unit_name"] = units.get(r["unit_id"], {}).get("name") if r.get("unit_id") else None
        out["receipts"] = readers
        if Role.UNIT_HANDLER in ann["roles"]:
            targets = ann["unit_ids"] or sorted(units)
            first: dict[str, dict[str, Any]] = {}
            for r in readers:
                if r.get("unit_id"):
                    first.setdefault(str(r["unit_id"]), r)
            out["units"] = [
                {
                    "unit_id": u,
                    "name": units.get(u, {}).get("name", u),
                    "read_at": (first.get(u) or {}).get("at"),
                    "read_by": (first.get(u) or {}).get("name"),
                }
                for u in targets
            ]
    return out


def _my_reads(deps: Adapters, actor: Actor) -> dict[str, str]:
    return {sk: str(d["at"]) for sk, d in deps.directory.query_items(f"{ANNOUNCEMENT}BY#{actor.user_id}")}


def announcements(deps: Adapters, actor: Actor, params: Mapping[str, str]) -> list[dict[str, Any]]:
    """Announcements newest first: those for me (the office's announcers see all); `?unread=1` only those
    for me I have not confirmed. Two Queries whatever the number of readers."""
    if actor.role not in work.ANNOUNCE_ROLES:
        raise Forbidden("无权查看公告", role=actor.role)
    items = [d for _, d in deps.directory.query_items(ANNOUNCEMENT, newest_first=True, limit=ANNOUNCEMENT_LIMIT)]
    items = [a for a in items if work.addressed(a, actor) or _may_track(a, actor)]
    reads = _my_reads(deps, actor)
    if params.get("unread") in ("1", "true"):
        items = [a for a in items if work.addressed(a, actor) and a["id"] not in reads]
    return [announcement_view(deps, a, actor, reads.get(a["id"])) for a in items]


def _announcement(deps: Adapters, actor: Actor, ann_id: str) -> dict[str, Any]:
    ann = _get(deps, ANNOUNCEMENT, ann_id, "公告")
    if not (work.addressed(ann, actor) or _may_track(ann, actor)):
        raise NotFound(f"公告 {ann_id[:64]} 不存在", id=ann_id[:64])
    return ann


def get_announcement(deps: Adapters, actor: Actor, ann_id: str) -> dict[str, Any]:
    """One announcement, with its receipts for those who track them."""
    ann = _announcement(deps, actor, ann_id)
    read = deps.directory.get_item(f"{ANNOUNCEMENT}BY#{actor.user_id}", ann_id)
    return announcement_view(deps, ann, actor, read["at"] if read else None, receipts=True)


def read_announcement(deps: Adapters, actor: Actor, ann_id: str, now: datetime) -> dict[str, Any]:
    """The reader confirms (已读): both receipts in one transaction, written once (a second confirmation keeps
    the first time)."""
    ann = _announcement(deps, actor, ann_id)
    entry = work.receipt(ann, actor, now)
    by = Item(f"{ANNOUNCEMENT}BY#{actor.user_id}", ann_id, {"at": entry["at"]})
    deps.table.transact([(Item(f"{ANNOUNCEMENT}READ#{ann_id}", actor.user_id, entry), Absent()), (by, Absent())])
    return get_announcement(deps, actor, ann_id)
