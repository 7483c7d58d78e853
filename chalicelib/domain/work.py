"""The office's own work: meeting action items (R-WORK-02/03), approvals within 24 hours (R-WORK-05),
weekly reports (R-WORK-01) and the monthly completion figures (R-WORK-06).

Pure: every function takes the stored record (a dict) and returns the new one; the service stores it
(services/work.py, one conditional write per change). Instants are UTC ISO strings; `next_at` is the
instant the scheduled sweep must look at the record again (None: nothing pending), which the service
turns into the sparse due index.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from chalicelib.domain import inputs
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.errors import Forbidden, InvalidTransition, ValidationError
from chalicelib.domain.model import Actor, Role

STAFF_ROLES = frozenset({Role.OPERATOR, Role.ANALYST, Role.LEADER, Role.RECORDS, Role.ADMIN})
APPROVAL_WINDOW = timedelta(hours=24)  # R-WORK-05
CHASE_EVERY = timedelta(hours=24)
APPROVAL_KINDS = ("leave", "purchase", "document", "handover", "other")
ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MAX_ITEMS = 50


def ensure_staff(actor: Actor) -> None:
    """Office work is the centre staff's (unit handlers take part through notices only)."""
    if actor.role not in STAFF_ROLES:
        raise Forbidden("只有中心工作人员可以使用日常工作管理", role=actor.role)


def account_id(body: Mapping[str, Any], name: str, *, required: bool = True) -> str | None:
    """A login id field (whether the account exists is checked by the service)."""
    value = body.get(name)
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not ACCOUNT.fullmatch(value):
        raise ValidationError({name: "须为已有用户的账号"})
    return value


def _deadline(body: Mapping[str, Any], name: str, cal: WorkCalendar, now: datetime) -> datetime:
    if body.get(name) in (None, ""):
        raise ValidationError({name: "必填"})
    at = inputs.due_from(body[name], name, cal).at
    if at <= now:
        raise ValidationError({name: "须晚于当前时间"})
    if at > now + timedelta(days=366):
        raise ValidationError({name: "不能超过一年"})
    return at


def _log(record: Mapping[str, Any], what: str, actor: Actor, now: datetime, **data: Any) -> list[dict[str, Any]]:
    return [*record.get("log", []), {"what": what, "by": actor.user_id, "at": now.isoformat(), **data}]


# ---------------------------------------------------------------- action items (R-WORK-02/03)

ACTION_OPEN = ("open", "delayed", "submitted")


def new_action(
    action_id: str, body: Mapping[str, Any], actor: Actor, now: datetime, cal: WorkCalendar
) -> dict[str, Any]:
    """An action item from a meeting: owner, deadline, whether a deliverable is due; assigned by `actor`
    (or the `assigner_id` named, e.g. the chair of the meeting)."""
    ensure_staff(actor)
    title = inputs.text(body, "title", limit=200)
    owner = account_id(body, "owner_id")
    assigner = account_id(body, "assigner_id", required=False) or actor.user_id
    deadline = _deadline(body, "deadline", cal, now)
    deliverable = inputs.flag(body, "deliverable", default=False)
    return {
        "id": action_id,
        "title": title,
        "meeting": inputs.text(body, "meeting", required=False, limit=200),
        "detail": inputs.text(body, "detail", required=False, limit=2000),
        "owner_id": owner,
        "assigner_id": assigner,
        "delegate_id": None,
        "deliverable": deliverable,
        "deliverable_ref": None,
        "deadline": deadline.isoformat(),
        "first_deadline": deadline.isoformat(),
        "status": "open",
        "progress": [],
        "extension": None,
        "delayed_at": None,
        "done_at": None,
        "on_time": None,
        "created_by": actor.user_id,
        "created_at": now.isoformat(),
        "next_at": deadline.isoformat(),
        "log": [{"what": "created", "by": actor.user_id, "at": now.isoformat()}],
    }


def _may_work(item: Mapping[str, Any], actor: Actor) -> bool:
    """The owner, or the person the owner delegated to (R-WORK-06: the owner stays responsible)."""
    return actor.user_id in (item["owner_id"], item.get("delegate_id"))


def _ensure_open(item: Mapping[str, Any]) -> None:
    if item["status"] not in ACTION_OPEN:
        raise InvalidTransition("该事项已完成", action_id=item["id"], status=item["status"])


def progress(item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A progress update by the owner or delegate (R-WORK-03)."""
    _ensure_open(item)
    if not _may_work(item, actor):
        raise Forbidden("只有责任人或受托人可以更新进度", action_id=item["id"])
    text = inputs.text(body, "text", limit=2000)
    entry = {"text": text, "by": actor.user_id, "at": now.isoformat()}
    return dict(item, progress=[*item["progress"], entry], log=_log(item, "progress", actor, now))


def delegate(item: Mapping[str, Any], to: str, actor: Actor, now: datetime) -> dict[str, Any]:
    """The owner (or the assigner) hands the work to someone; the owner keeps the responsibility."""
    _ensure_open(item)
    if actor.user_id not in (item["owner_id"], item["assigner_id"]):
        raise Forbidden("只有责任人或交办人可以委托", action_id=item["id"])
    if to == item["owner_id"]:
        raise ValidationError({"delegate_id": "不能委托给责任人本人"})
    return dict(item, delegate_id=to, log=_log(item, "delegated", actor, now, to=to))


def complete(item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """Done (R-WORK-02): without a deliverable at once; with one, handed in for the assigner's approval."""
    if item["status"] == "submitted":
        raise InvalidTransition("成果已提交，等待交办人审核", action_id=item["id"])
    _ensure_open(item)
    if not _may_work(item, actor):
        raise Forbidden("只有责任人或受托人可以办结", action_id=item["id"])
    note = inputs.text(body, "note", required=False, limit=2000)
    if item["deliverable"]:
        ref = inputs.text(body, "deliverable_ref", limit=500)
        return dict(
            item,
            status="submitted",
            deliverable_ref=ref,
            submitted_at=now.isoformat(),
            log=_log(item, "submitted", actor, now, note=note),
        )
    return _done(item, actor, now, note)


def _done(item: Mapping[str, Any], actor: Actor, now: datetime, note: str) -> dict[str, Any]:
    on_time = now <= datetime.fromisoformat(item["deadline"]) and item.get("delayed_at") is None
    return dict(
        item,
        status="done",
        done_at=now.isoformat(),
        on_time=on_time,
        next_at=None,
        log=_log(item, "done", actor, now, note=note),
    )


def review_deliverable(item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """The assigner approves the deliverable (done, R-WORK-02) or sends it back with a note."""
    if item["status"] != "submitted":
        raise InvalidTransition("没有待审核的成果", action_id=item["id"], status=item["status"])
    if actor.user_id != item["assigner_id"]:
        raise Forbidden("只有交办人可以审核成果", action_id=item["id"])
    approve = inputs.flag(body, "approve")
    note = inputs.text(body, "note", required=not approve, limit=1000)
    if approve:
        return _done(item, actor, now, note)
    late = item.get("delayed_at") is not None
    return dict(
        item, status="delayed" if late else "open", log=_log(item, "deliverable_rejected", actor, now, note=note)
    )


def request_extension(
    item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime, cal: WorkCalendar
) -> dict[str, Any]:
    """Cannot finish in time (R-WORK-03): a reason and a new date, for the assigner to decide."""
    _ensure_open(item)
    if not _may_work(item, actor):
        raise Forbidden("只有责任人或受托人可以申请延期", action_id=item["id"])
    if (item.get("extension") or {}).get("status") == "pending":
        raise InvalidTransition("已有待审批的延期申请", action_id=item["id"])
    reason = inputs.text(body, "reason", limit=1000)
    new_deadline = _deadline(body, "new_deadline", cal, now)
    if new_deadline <= datetime.fromisoformat(item["deadline"]):
        raise ValidationError({"new_deadline": "须晚于原完成时限"})
    ext = {
        "reason": reason,
        "new_deadline": new_deadline.isoformat(),
        "requested_by": actor.user_id,
        "requested_at": now.isoformat(),
        "status": "pending",
    }
    return dict(item, extension=ext, log=_log(item, "extension_requested", actor, now, reason=reason))


def decide_extension(item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """The assigner approves (new deadline; a delayed item is open again, its delay stays on record) or refuses."""
    ext = item.get("extension") or {}
    if ext.get("status") != "pending":
        raise InvalidTransition("没有待审批的延期申请", action_id=item["id"])
    if actor.user_id != item["assigner_id"]:
        raise Forbidden("只有交办人可以审批延期", action_id=item["id"])
    approve = inputs.flag(body, "approve")
    note = inputs.text(body, "note", required=not approve, limit=1000)
    decided = dict(
        ext, status="approved" if approve else "rejected", decided_by=actor.user_id, decided_at=now.isoformat()
    )
    decided["note"] = note
    out = dict(item, extension=decided, log=_log(item, "extension_decided", actor, now, approve=approve, note=note))
    if approve:
        out.update(deadline=ext["new_deadline"], next_at=ext["new_deadline"])
        if item["status"] == "delayed":
            out["status"] = "open"
    return out


def action_due(item: Mapping[str, Any], now: datetime) -> bool:
    """True when the sweep must mark this item delayed (its deadline passed, not done)."""
    nxt = item.get("next_at")
    return item["status"] in ("open", "submitted") and nxt is not None and datetime.fromisoformat(nxt) <= now


def mark_delayed(item: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """R-WORK-03: at the deadline an item not done becomes delayed (工作延误); a deliverable handed in
    but not yet approved is late too (done means approved, R-WORK-02) and keeps waiting for review."""
    status = "submitted" if item["status"] == "submitted" else "delayed"
    entry = {"what": "delayed", "by": "system", "at": now.isoformat(), "deadline": item["deadline"]}
    return dict(
        item,
        status=status,
        delayed_at=item.get("delayed_at") or now.isoformat(),
        next_at=None,
        log=[*item.get("log", []), entry],
    )


def days_late(item: Mapping[str, Any], now: datetime) -> float:
    """How late an item is (done: at completion; open: now), against the deadline it missed."""
    if item.get("delayed_at") is None:
        return 0.0
    missed = next(
        (datetime.fromisoformat(e["deadline"]) for e in item.get("log", []) if e.get("what") == "delayed"),
        datetime.fromisoformat(item["deadline"]),
    )
    end = datetime.fromisoformat(item["done_at"]) if item.get("done_at") else now
    return max(0.0, (end - missed).total_seconds() / 86400)


# ---------------------------------------------------------------- approvals (R-WORK-05)


def new_approval(approval_id: str, body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A request (leave, purchase, document, hand-over …) to one approver, due within 24 hours."""
    ensure_staff(actor)
    kind = body.get("kind")
    if kind not in APPROVAL_KINDS:
        raise ValidationError({"kind": "须为 leave、purchase、document、handover 或 other"})
    title = inputs.text(body, "title", limit=200)
    approver = account_id(body, "approver_id")
    if approver == actor.user_id:
        raise ValidationError({"approver_id": "不能由申请人本人审批"})
    due = now + APPROVAL_WINDOW
    return {
        "id": approval_id,
        "kind": kind,
        "title": title,
        "detail": inputs.text(body, "detail", required=False, limit=4000),
        "initiator_id": actor.user_id,
        "approver_id": approver,
        "status": "pending",
        "created_at": now.isoformat(),
        "due_at": due.isoformat(),
        "overdue": False,
        "attributed_to": None,
        "reminders": [],
        "decision": None,
        "next_at": due.isoformat(),
    }


def decide_approval(item: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """The approver's decision (only the approver: anyone else is refused and nothing changes)."""
    if item["status"] != "pending":
        raise InvalidTransition("该申请已审批", approval_id=item["id"], status=item["status"])
    if actor.user_id != item["approver_id"]:
        raise Forbidden("只有指定的审批人可以审批", approval_id=item["id"])
    approve = inputs.flag(body, "approve")
    note = inputs.text(body, "note", required=not approve, limit=1000)
    on_time = now <= datetime.fromisoformat(item["due_at"])
    decision = {"approve": approve, "note": note, "by": actor.user_id, "at": now.isoformat(), "on_time": on_time}
    return dict(item, status="approved" if approve else "rejected", decision=decision, next_at=None)


def approval_due(item: Mapping[str, Any], now: datetime) -> bool:
    """True when a pending approval's 24 hours (or its next chase) have passed."""
    nxt = item.get("next_at")
    return item["status"] == "pending" and nxt is not None and datetime.fromisoformat(nxt) <= now


def chase_approval(item: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Past 24 hours: the delay is the approver's (R-WORK-05), both sides reminded; again every 24 h."""
    return dict(
        item,
        overdue=True,
        attributed_to=item["approver_id"],
        reminders=[*item["reminders"], now.isoformat()],
        next_at=(now + CHASE_EVERY).isoformat(),
    )


def held_hours(item: Mapping[str, Any], now: datetime) -> float:
    """How long a request has been with its approver (until the decision)."""
    end = datetime.fromisoformat(item["decision"]["at"]) if item.get("decision") else now
    return round((end - datetime.fromisoformat(item["created_at"])).total_seconds() / 3600, 1)


# ---------------------------------------------------------------- weekly reports (R-WORK-01)

WEEKDAYS = {"mon": 0, "fri": 4}


def week_of(day: date) -> date:
    """The Monday of a day's week (weeks are named by their Monday)."""
    return day - timedelta(days=day.weekday())


def parse_week(value: Any, name: str = "week") -> date:
    """A week as the date of its Monday (any day of the week is accepted)."""
    if not isinstance(value, str) or len(value) != 10:
        raise ValidationError({name: "须为日期 YYYY-MM-DD（该周任一天）"})
    try:
        return week_of(date.fromisoformat(value))
    except ValueError as exc:
        raise ValidationError({name: "须为日期 YYYY-MM-DD（该周任一天）"}) from exc


def report_due(week: date, rule: str, cal: WorkCalendar) -> datetime:
    """When the report opening `week` is due: `mon 10:00` (default) on the week's first working day, or
    `fri 18:00` on the last working day before the week (a holiday moves it like a deadline)."""
    day_name, _, clock = rule.partition(" ")
    hh, mm = (int(x) for x in (clock or "10:00").split(":"))
    if WEEKDAYS.get(day_name, 0) == 4:
        day = week - timedelta(days=3)
        while not cal.is_workday(day):
            day -= timedelta(days=1)
    else:
        day = week
        while not cal.is_workday(day):
            day += timedelta(days=1)
    return datetime.combine(day, time(hh, mm), tzinfo=SHANGHAI)


OUTCOMES = ("done", "partly", "not_done")


def _entries(body: Mapping[str, Any], name: str, fields: Mapping[str, bool]) -> list[dict[str, Any]]:
    raw = body.get(name, [])
    if not isinstance(raw, list) or len(raw) > MAX_ITEMS:
        raise ValidationError({name: f"须为列表，最多 {MAX_ITEMS} 项"})
    out = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise ValidationError({f"{name}[{i}]": "须为对象"})
        row: dict[str, Any] = {}
        for field_name, required in fields.items():
            key = f"{name}[{i}].{field_name}"
            if field_name == "important":
                value = entry.get("important", False)
                if not isinstance(value, bool):
                    raise ValidationError({key: "须为 true 或 false"})
                row["important"] = value
            elif field_name == "outcome":
                if entry.get("outcome") not in OUTCOMES:
                    raise ValidationError({key: "须为 done、partly 或 not_done"})
                row["outcome"] = entry["outcome"]
            else:
                try:
                    row[field_name] = inputs.text(entry, field_name, required=required, limit=1000)
                except ValidationError as exc:
                    raise ValidationError({key: next(iter(exc.fields.values()))}) from exc
        out.append(row)
    return out


def new_report(
    week: date, owner: str, dept: str | None, body: Mapping[str, Any], actor: Actor, now: datetime, due: datetime
) -> dict[str, Any]:
    """A weekly report: last week's planned items with outcome (unfinished: cause, measure, carried over),
    unplanned items after them, important ones marked, deliverables referenced, this week's plan."""
    if week > week_of(now.astimezone(SHANGHAI).date()):
        raise ValidationError({"week": "不能提交未来一周的周报"})
    planned = _entries(
        body,
        "planned",
        {"text": True, "outcome": True, "important": False, "cause": False, "measure": False, "deliverable_ref": False},
    )
    for i, row in enumerate(planned):
        if row["outcome"] != "done" and not (row["cause"] and row["measure"]):
            raise ValidationError({f"planned[{i}].cause": "未完成事项须写明原因和措施"})
        row["carry_over"] = row["outcome"] != "done"
    unplanned = _entries(body, "unplanned", {"text": True, "important": False, "deliverable_ref": False})
    plan = _entries(body, "plan", {"text": True, "important": False})
    if not (planned or unplanned or plan):
        raise ValidationError({"plan": "周报不能为空"})
    return {
        "week": week.isoformat(),
        "owner_id": owner,
        "dept_id": dept,
        "planned": planned,
        "unplanned": unplanned,
        "plan": plan,
        "submitted_by": actor.user_id,
        "submitted_at": now.isoformat(),
        "due_at": due.isoformat(),
        "late": now > due,
    }


def carry_over(previous: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The draft of a new report: last week's plan becomes this report's planned items, and last week's
    unfinished items come back into the plan (R-WORK-01)."""
    if not previous:
        return []
    rows = [{"text": p["text"], "important": p.get("important", False)} for p in previous.get("plan", [])]
    rows += [
        {"text": p["text"], "important": p.get("important", False)}
        for p in previous.get("planned", [])
        if p.get("carry_over")
    ]
    return rows


PLANNED_KEYS = ("outcome", "cause", "measure", "deliverable_ref")


def combined_draft(previous: Mapping[str, Any] | None, members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The draft of a department's combined report (R-WORK-01): last week's combined plan and unfinished
    items as planned items, then the members' planned items with their outcome, cause, measure and
    deliverable (the member's row wins over the carried-over row of the same text); the members'
    unplanned items and plans after. The same text appears once; an item one member marked important stays important."""

    def merge(rows: list[dict[str, Any]], row: Mapping[str, Any], keys: tuple[str, ...]) -> None:
        text = str(row.get("text") or "").strip()
        if not text:
            return
        found = next((r for r in rows if r["text"] == text), None)
        important = bool(row.get("important")) or bool(found and found["important"])
        if found is None:
            rows.append({"text": text, **{k: row.get(k, "") for k in keys}, "important": important})
        else:
            if row.get("outcome") and not found.get("outcome"):
                found.update({k: row.get(k, "") for k in keys})
            found["important"] = important

    planned: list[dict[str, Any]] = []
    for row in carry_over(previous):
        merge(planned, row, PLANNED_KEYS)
    unplanned: list[dict[str, Any]] = []
    plan: list[dict[str, Any]] = []
    for report in members:
        for row in report.get("planned", []):
            merge(planned, row, PLANNED_KEYS)
        for row in report.get("unplanned", []):
            merge(unplanned, row, ("deliverable_ref",))
        for row in report.get("plan", []):
            merge(plan, row, ())
    return {"planned": planned, "unplanned": unplanned, "plan": plan}


REPORT_STATES = ("submitted", "late", "missing", "pending")


def report_state(report: Mapping[str, Any] | None, due: datetime, now: datetime) -> str:
    """A report owed for a week (R-WORK-01): `submitted` on time, `late` after the due, `missing` once the
    due has passed without it, `pending` before."""
    if report is not None:
        return "late" if report.get("late") else "submitted"
    return "missing" if now > due else "pending"


# ---------------------------------------------------------------- monthly figures (R-WORK-06)

FLAG_UNFINISHED = 3
FLAG_DAYS_LATE = 5.0


def month_of(at_iso: str) -> str:
    """The Asia/Shanghai month (YYYY-MM) of an instant."""
    return datetime.fromisoformat(at_iso).astimezone(SHANGHAI).strftime("%Y-%m")


def contribution(item: Mapping[str, Any] | None) -> dict[str, Any]:
    """What one action item adds to its owner's row of the month of its first deadline (R-WORK-06): the
    counters, and, for an item ever delayed, the deadline it missed and when it was done (its lateness grows
    with the clock while it is open, so the row keeps the instants, not the days)."""
    if item is None:
        return {"due": 0, "on_time": 0, "delayed": 0, "done": 0, "late": {}}
    late = {}
    if item.get("delayed_at"):
        missed = next(
            (e["deadline"] for e in item.get("log", []) if e.get("what") == "delayed"),
            item["deadline"],
        )
        late[item["id"]] = [missed, item.get("done_at") if item["status"] == "done" else None]
    return {
        "due": 1,
        "on_time": 1 if item.get("on_time") else 0,
        "delayed": 1 if item.get("delayed_at") else 0,
        "done": 1 if item["status"] == "done" else 0,
        "late": late,
    }


def figure_key(item: Mapping[str, Any]) -> tuple[str, str]:
    """The counter row an item counts in: (month of its first deadline, owner). Neither ever changes."""
    return month_of(item["first_deadline"]), str(item["owner_id"])


def apply_contribution(
    row: Mapping[str, Any] | None, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> dict[str, Any]:
    """The owner's counter row after one item changed from `before` to `after` (R-WORK-06: kept in the same
    transaction as the change; equal to `monthly` recounted from the items)."""
    old, new = contribution(before), contribution(after)
    out: dict[str, Any] = {k: int((row or {}).get(k, 0)) + new[k] - old[k] for k in FIGURE_COUNTS}
    late = dict((row or {}).get("late") or {})
    late.pop(str(after["id"]), None)
    late.update(new["late"])
    out["late"] = late
    return out


FIGURE_COUNTS = ("due", "on_time", "delayed", "done")


def figure_row(owner_id: str, row: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A stored counter row as `monthly` reports it (lateness against `now` for items still open)."""
    worst = 0.0
    for missed, done_at in (row.get("late") or {}).values():
        end = datetime.fromisoformat(done_at) if done_at else now
        worst = max(worst, round(max(0.0, (end - datetime.fromisoformat(missed)).total_seconds() / 86400), 1))
    due, on_time = int(row.get("due", 0)), int(row.get("on_time", 0))
    unfinished = due - int(row.get("done", 0))
    return {
        "owner_id": owner_id,
        "due": due,
        "on_time": on_time,
        "delayed": int(row.get("delayed", 0)),
        "unfinished": unfinished,
        "max_days_late": worst,
        "rate": round(on_time / due, 4) if due else None,
        "flagged": unfinished > FLAG_UNFINISHED or worst > FLAG_DAYS_LATE,
    }


def monthly(items: Sequence[Mapping[str, Any]], month: str, now: datetime) -> list[dict[str, Any]]:
    """Per owner: items due in the month, completed on time, delayed, unfinished, worst lateness, and the
    accountability flag (more than 3 unfinished, or any item more than 5 days late). Delegated items
    count for their owner."""
    rows: dict[str, dict[str, Any]] = {}
    for item in items:
        if month_of(item["first_deadline"]) != month:
            continue
        row = rows.setdefault(
            item["owner_id"],
            {"owner_id": item["owner_id"], "due": 0, "on_time": 0, "delayed": 0, "unfinished": 0, "max_days_late": 0.0},
        )
        row["due"] += 1
        row["on_time"] += 1 if item.get("on_time") else 0
        row["delayed"] += 1 if item.get("delayed_at") else 0
        row["unfinished"] += 1 if item["status"] != "done" else 0
        row["max_days_late"] = max(row["max_days_late"], round(days_late(item, now), 1))
    out = []
    for row in sorted(rows.values(), key=lambda r: str(r["owner_id"])):
        row["rate"] = round(row["on_time"] / row["due"], 4) if row["due"] else None
        row["flagged"] = row["unfinished"] > FLAG_UNFINISHED or row["max_days_late"] > FLAG_DAYS_LATE
        out.append(row)
    return out


# ---------------------------------------------------------------- tasks and notices to units (自查通知)

MAX_UNITS = 90  # a reminder step writes the notice and one SMS per unit in one transaction (≤ 100 items)
NOTICE_STAGES = ("before", "on", "deadline")  # reminders the working day before and on the day, then late


def _refs(body: Mapping[str, Any], name: str) -> list[str]:
    raw = body.get(name, [])
    if not isinstance(raw, list) or len(raw) > 20 or not all(isinstance(r, str) and 0 < len(r) <= 500 for r in raw):
        raise ValidationError({name: "须为附件引用列表（最多 20 个）"})
    return list(raw)


def notice_stage_at(stage: str, deadline: datetime, cal: WorkCalendar) -> datetime:
    """When a notice's stage falls due: the opening of the working day before the deadline, the opening of
    the deadline's day (like R-12345-04), the deadline itself."""
    if stage == "before":
        return cal.reminder_at(deadline).at
    if stage == "on":
        day = deadline.astimezone(SHANGHAI).date()
        return datetime.combine(day, cal.hours.opening, tzinfo=SHANGHAI).astimezone(deadline.tzinfo)
    return deadline


def _next_stage(
    after: str | None, deadline: datetime, now: datetime, cal: WorkCalendar
) -> tuple[str | None, str | None]:
    """The first stage after `after` that is still ahead of `now` (the deadline stage is never skipped)."""
    stages = NOTICE_STAGES if after is None else NOTICE_STAGES[NOTICE_STAGES.index(after) + 1 :]
    for stage in stages:
        at = notice_stage_at(stage, deadline, cal)
        if at > now or stage == "deadline":
            return stage, at.isoformat()
    return None, None


def new_notice(
    notice_id: str,
    body: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    cal: WorkCalendar,
    units: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:
    """A task or notice to units: body, attachments, the units, a reporting deadline (e.g. 10月25日前报)."""
    ensure_staff(actor)
    title = inputs.text(body, "title", limit=200)
    text = inputs.text(body, "body", limit=20000)
    raw = body.get("unit_ids")
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"unit_ids": "须至少选择一个单位"})
    if len(raw) > MAX_UNITS or not all(isinstance(u, str) for u in raw):
        raise ValidationError({"unit_ids": f"须为单位编号列表（最多 {MAX_UNITS} 个）"})
    unknown = [u for u in raw if u not in units]
    if unknown:
        raise ValidationError({"unit_ids": f"单位 {'、'.join(u[:32] for u in unknown[:5])} 不存在"})
    deadline = _deadline(body, "deadline", cal, now)
    stage, next_at = _next_stage(None, deadline, now, cal)
    return {
        "id": notice_id,
        "title": title,
        "body": text,
        "attachments": _refs(body, "attachments"),
        "unit_ids": list(dict.fromkeys(raw)),
        "deadline": deadline.isoformat(),
        "created_by": actor.user_id,
        "created_at": now.isoformat(),
        "status": "open",
        "units": {
            u: {"name": units[u].get("name", u), "received_at": None, "submitted_at": None, "late": False}
            for u in dict.fromkeys(raw)
        },
        "reminders": [],
        "stage": stage,
        "next_at": next_at,
        "late_units": [],
        "closed_at": None,
    }


def unit_of(notice: Mapping[str, Any], actor: Actor) -> str:
    """The caller's unit when it is a handler of a unit the notice was sent to (else 403)."""
    if actor.role != Role.UNIT_HANDLER or actor.unit_id not in notice["units"]:
        raise Forbidden("只有通知下发的单位可以签收或报送", notice_id=notice["id"])
    return str(actor.unit_id)


def receive(notice: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """The unit confirms receipt (签收); a second confirmation keeps the first."""
    unit = unit_of(notice, actor)
    row = dict(notice["units"][unit])
    if row["received_at"] is None:
        row.update(received_at=now.isoformat(), received_by=actor.user_id)
    return dict(notice, units=dict(notice["units"], **{unit: row}))


def submit(
    notice: Mapping[str, Any],
    body: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    files: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The unit's report (报送) with attachments; `files`: the unit's stored files as submitted (name, sha256,
    when stored). After the deadline, or after the task was closed, it is accepted and marked late (the office
    still needs the report; the lateness stays on record)."""
    unit = unit_of(notice, actor)
    report = inputs.text(body, "text", limit=20000)
    row = dict(notice["units"][unit])
    late = (
        now > datetime.fromisoformat(notice["deadline"]) or notice["status"] == "closed" or unit in notice["late_units"]
    )
    row.update(
        report=report,
        attachments=_refs(body, "attachments"),
        files=[dict(f) for f in files],
        submitted_at=now.isoformat(),
        submitted_by=actor.user_id,
        late=late,
        received_at=row["received_at"] or now.isoformat(),
    )
    return dict(notice, units=dict(notice["units"], **{unit: row}))


def may_manage_notice(notice: Mapping[str, Any], actor: Actor) -> bool:
    """The notice's sender, or an admin: closes it and attaches its files."""
    return actor.user_id == notice["created_by"] or actor.role == Role.ADMIN


def close_notice(notice: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """The sender closes the task: the units that have not reported are listed late."""
    if not may_manage_notice(notice, actor):
        raise Forbidden("只有发文人可以关闭任务", notice_id=notice["id"])
    if notice["status"] == "closed":
        raise InvalidTransition("任务已关闭", notice_id=notice["id"])
    return dict(
        notice, status="closed", closed_at=now.isoformat(), next_at=None, stage=None, late_units=pending_units(notice)
    )


def pending_units(notice: Mapping[str, Any]) -> list[str]:
    """Units that have not reported."""
    return [u for u, row in notice["units"].items() if row["submitted_at"] is None]


def notice_due(notice: Mapping[str, Any], now: datetime) -> bool:
    """True when the notice's next stage has come."""
    nxt = notice.get("next_at")
    return notice["status"] == "open" and nxt is not None and datetime.fromisoformat(nxt) <= now


def advance_notice(notice: Mapping[str, Any], now: datetime, cal: WorkCalendar) -> dict[str, Any]:
    """The sweep's step: a reminder (before / on the day), or at the deadline the late units listed."""
    stage = notice["stage"]
    deadline = datetime.fromisoformat(notice["deadline"])
    if stage == "deadline" or now >= deadline:  # a reminder found after the deadline is not sent: it is late
        return dict(notice, stage=None, next_at=None, late_units=pending_units(notice))
    nxt, at = _next_stage(stage, deadline, now, cal)
    reminders = [*notice["reminders"], {"stage": stage, "at": now.isoformat(), "units": pending_units(notice)}]
    return dict(notice, stage=nxt, next_at=at, reminders=reminders)


# ---------------------------------------------------------------- the Friday 18:00 report (R-WORK-04)

FRIDAY_AT = time(18, 0)


def friday_at(week: date) -> datetime:
    """Friday 18:00 Asia/Shanghai of a week (named by its Monday)."""
    return datetime.combine(week + timedelta(days=4), FRIDAY_AT, tzinfo=SHANGHAI)


def friday_content(
    actions: Sequence[Mapping[str, Any]], approvals: Sequence[Mapping[str, Any]], week: date, now: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The week's progress and delays: items completed in the week, delayed items, items in progress
    (owner responsible), approvals held past 24 hours. Codes stay codes here; the view names them."""
    start = datetime.combine(week, time(0), tzinfo=SHANGHAI)
    end = start + timedelta(days=7)

    def row(item: Mapping[str, Any]) -> dict[str, Any]:
        last = item["progress"][-1]["text"] if item.get("progress") else ""
        return dict(item, days_late=round(days_late(item, now), 1), last_progress=last)

    done = [row(i) for i in actions if i["status"] == "done" and start <= datetime.fromisoformat(i["done_at"]) < end]
    delayed = [row(i) for i in actions if i["status"] != "done" and i.get("delayed_at")]
    in_progress = [row(i) for i in actions if i["status"] != "done" and not i.get("delayed_at")]
    late_approvals = [
        dict(a, held_hours=held_hours(a, now)) for a in approvals if a["status"] == "pending" and a["overdue"]
    ]
    key = "deadline"
    return {
        "done": sorted(done, key=lambda i: str(i["done_at"])),
        "delayed": sorted(delayed, key=lambda i: str(i[key])),
        "open": sorted(in_progress, key=lambda i: str(i[key])),
        "approvals": sorted(late_approvals, key=lambda a: str(a["created_at"])),
    }


# ---------------------------------------------------------------- announcements everyone must read (通知公告)

ANNOUNCE_ROLES = (Role.OPERATOR, Role.ANALYST, Role.LEADER, Role.RECORDS, Role.ADMIN, Role.UNIT_HANDLER)
ANNOUNCERS = frozenset({Role.LEADER, Role.ANALYST, Role.ADMIN})


def new_announcement(
    ann_id: str, body: Mapping[str, Any], actor: Actor, now: datetime, units: Mapping[str, Mapping[str, Any]]
) -> dict[str, Any]:
    """An announcement to roles (default: everyone) and, for unit handlers, to some units (default: all),
    each reader confirming that they have read it (已读回执)."""
    if actor.role not in ANNOUNCERS:
        raise Forbidden("只有领导、综合科和管理员可以发布公告", role=actor.role)
    title = inputs.text(body, "title", limit=200)
    text = inputs.text(body, "body", limit=20000)
    roles = body.get("roles")
    if roles in (None, []):
        roles = [str(r) for r in ANNOUNCE_ROLES]
    if not isinstance(roles, list) or not all(isinstance(r, str) and r in ANNOUNCE_ROLES for r in roles):
        raise ValidationError({"roles": "须为角色列表（话务员、综合科、领导、档案员、管理员、承办单位）"})
    raw = body.get("unit_ids") or []
    if not isinstance(raw, list) or len(raw) > 500 or not all(isinstance(u, str) for u in raw):
        raise ValidationError({"unit_ids": "须为单位编号列表"})
    unknown = [u for u in raw if u not in units]
    if unknown:
        raise ValidationError({"unit_ids": f"单位 {'、'.join(u[:32] for u in unknown[:5])} 不存在"})
    if raw and Role.UNIT_HANDLER not in roles:
        raise ValidationError({"unit_ids": "只有发给承办单位的公告才选择单位"})
    return {
        "id": ann_id,
        "title": title,
        "body": text,
        "attachments": _refs(body, "attachments"),
        "roles": list(dict.fromkeys(roles)),
        "unit_ids": list(dict.fromkeys(raw)),
        "created_by": actor.user_id,
        "created_at": now.isoformat(),
    }


def addressed(ann: Mapping[str, Any], actor: Actor) -> bool:
    """Whether the announcement is for this reader (a unit handler: of one of its units)."""
    if actor.role not in ann["roles"]:
        return False
    return actor.role != Role.UNIT_HANDLER or not ann["unit_ids"] or actor.unit_id in ann["unit_ids"]


def receipt(ann: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A reader's confirmation; only readers the announcement is for confirm."""
    if not addressed(ann, actor):
        raise Forbidden("这条公告不是发给您的", ann_id=ann["id"])
    return {
        "user_id": actor.user_id,
        "name": actor.name or actor.user_id,
        "role": str(actor.role),
        "unit_id": actor.unit_id,
        "at": now.isoformat(),
    }
