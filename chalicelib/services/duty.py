"""Duty roster (值班表) and staff contacts: who gets the new-ticket SMS, out of hours too (R-12345-12).

Items: `DUTY#{YYYY-MM}` / `{date}#{shift}` (one shift), `DUTY#DEFAULT` / `{shift}` (the fallback
when a date has no entry), `DUTY#STAFF` / user_id (an operator's name and mobile for alerts).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, duty
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

STAFF = "DUTY#STAFF"
DEFAULT = "DUTY#DEFAULT"
MAX_ENTRIES = 400
POSTS = ("operator", "leader")  # the operator on duty (R-12345-12), the leader on duty (emergencies, R-12369-02)


def _post(value: object) -> str:
    post = "operator" if value in (None, "") else value
    if post not in POSTS:
        raise ValidationError({"post": "须为 operator（值班经办人）或 leader（值班领导）"})
    return str(post)


def _prefix(post: str) -> str:
    """`DUTY#` for the operator roster, `DUTY#LEADER#` for the leaders'."""
    return "DUTY#" if post == "operator" else "DUTY#LEADER#"


def _month_pk(day: str, post: str = "operator") -> str:
    return f"{_prefix(post)}{day[:7]}"


def _default_pk(post: str) -> str:
    return DEFAULT if post == "operator" else "DUTY#LEADER#DEFAULT"


def _month(value: object) -> str | None:
    """The optional `month` of a roster put (`YYYY-MM`): the month whose roster the entries replace."""
    if value in (None, ""):
        return None
    try:
        date.fromisoformat(f"{value}-01")
    except (TypeError, ValueError) as exc:
        raise ValidationError({"month": "须为 YYYY-MM"}) from exc
    return str(value)


def put_roster(deps: Adapters, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: store shifts `{"entries": [{date, shift, user_id, name, phone}]}`. With `"month": "YYYY-MM"` the
    entries are that month's whole roster (R-12345-12): every entry must fall in it, and the month's shifts not
    listed are removed (an empty list empties the month); without it the entries are added or replaced one by one."""
    access.ensure_role(actor, Role.ADMIN)
    month = _month(body.get("month"))
    raw = body.get("entries")
    least = 0 if month else 1
    if not isinstance(raw, list) or not least <= len(raw) <= MAX_ENTRIES:
        raise ValidationError({"entries": f"须为 {least}–{MAX_ENTRIES} 项的列表"})
    post = _post(body.get("post"))
    entries = [duty.validate_entry(e) for e in raw]
    if month and any(not e["date"].startswith(month) for e in entries):
        raise ValidationError({"entries": f"每项日期须在 {month} 月内"})
    keys = {f"{e['date']}#{e['shift']}" for e in entries}
    before = [deps.directory.get_item(_month_pk(e["date"], post), f"{e['date']}#{e['shift']}") for e in entries]
    dropped = (
        [(sk, data) for sk, data in deps.directory.query_items(_month_pk(month, post)) if sk not in keys]
        if month
        else []
    )
    for e in entries:
        deps.directory.put_item(_month_pk(e["date"], post), f"{e['date']}#{e['shift']}", e)
        deps.directory.put_item(STAFF, e["user_id"], {"name": e["name"], "phone": e["phone"]})
    for sk, _ in dropped:
        deps.directory.delete(_month_pk(sk, post), sk)
    changed = [b for b in before if b is not None] + [data for _, data in dropped]
    privacy.log_change(deps, "duty_roster_changed", actor, deps.clock(), target=post, before=changed, after=entries)
    return {"stored": len(entries), "removed": len(dropped)}


def put_default(deps: Adapters, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: the fallback person per shift kind `{"day": {...}, "night": {...}, "holiday": {...}}`.

    `null` for a kind removes its default (R-12345-12: that shift is then empty unless a date has an entry, and the
    duty SMS goes to the office's main number). Every kind is checked before anything is written.
    """
    access.ensure_role(actor, Role.ADMIN)
    post = _post(body.get("post"))
    before = dict(deps.directory.query_items(_default_pk(post)))
    after: dict[str, Any] = {}
    for kind in duty.SHIFTS:
        if kind not in body:
            continue
        if body[kind] is None:
            after[kind] = None
            continue
        if not isinstance(body[kind], dict):
            raise ValidationError({kind: "须为对象 {user_id, name, phone}，或 null 表示取消该班次的默认值班人"})
        e = duty.validate_entry(dict(body[kind], date="2000-01-01", shift=kind))
        after[kind] = {k: e[k] for k in ("user_id", "name", "phone")}
    if not after:
        raise ValidationError({"day": "至少提供 day / night / holiday 之一"})
    for kind, person in after.items():
        if person is None:
            deps.directory.delete(_default_pk(post), kind)
        else:
            deps.directory.put_item(_default_pk(post), kind, person)
    stored = list(after)
    shown = {k: v for k, v in before.items() if k in after}
    privacy.log_change(deps, "duty_default_changed", actor, deps.clock(), target=post, before=shown, after=after)
    return {"stored": stored}


def put_staff(deps: Adapters, actor: Actor, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: an operator's mobile for deadline alerts."""
    access.ensure_role(actor, Role.ADMIN)
    e = duty.validate_entry(dict(body, user_id=user_id, date="2000-01-01", shift="day"))
    before = deps.directory.get_item(STAFF, user_id)
    deps.directory.put_item(STAFF, user_id, {"name": e["name"], "phone": e["phone"]})
    after = {"name": e["name"], "phone": e["phone"]}
    privacy.log_change(deps, "duty_staff_changed", actor, deps.clock(), target=user_id, before=before, after=after)
    return {"user_id": user_id, "name": e["name"], "phone": e["phone"]}


def roster(deps: Adapters, actor: Actor, month: str, post: str | None = None) -> dict[str, Any]:
    """Admin/operators: the shifts of a month (`YYYY-MM`) and the defaults (`post`: operator | leader)."""
    access.ensure_role(actor, Role.ADMIN, Role.OPERATOR, Role.LEADER)
    which = _post(post)
    try:
        date.fromisoformat(month + "-01")
    except ValueError as exc:
        raise ValidationError({"month": "须为 YYYY-MM"}) from exc
    items = [data for _, data in deps.directory.query_items(_month_pk(month, which))]
    defaults = dict(deps.directory.query_items(_default_pk(which)))
    return {"month": month, "post": which, "items": items, "defaults": defaults}


def on_duty(deps: Adapters, at: datetime, post: str = "operator") -> dict[str, Any] | None:
    """The person on duty at an instant: the date's shift, else the default of that shift kind."""
    shift = duty.shift_at(at, deps.contexts.load(at).calendar)
    found = deps.directory.get_item(_month_pk(shift.day.isoformat(), post), shift.key) or deps.directory.get_item(
        _default_pk(post), shift.kind
    )
    if found is None:
        return None
    return {"user_id": found["user_id"], "name": found["name"], "phone": found["phone"], "shift": shift.key}


def who_is_on_duty(deps: Adapters, actor: Actor, at: datetime) -> dict[str, Any]:
    """Route view of on_duty."""
    access.ensure_role(actor, Role.ADMIN, Role.OPERATOR, Role.LEADER)
    shift = duty.shift_at(at, deps.contexts.load(at).calendar)
    return {"at": at.isoformat(), "shift": shift.key, "kind": shift.kind, "on_duty": on_duty(deps, at)}


def staff_contacts(deps: Adapters, actor: Actor) -> list[dict[str, Any]]:
    """Admin: the name and mobile entered for each person (`DUTY#STAFF`, written by every roster save and by
    `put_staff`): the roster page fills a picked person's mobile from it (R-12345-12)."""
    access.ensure_role(actor, Role.ADMIN)
    return [{"user_id": user_id, **data} for user_id, data in deps.directory.query_items(STAFF)]


def staff_contact(deps: Adapters, user_id: str | None) -> dict[str, Any] | None:
    """An operator's name and mobile, when an admin entered one."""
    if not user_id:
        return None
    return deps.directory.get_item(STAFF, user_id)
