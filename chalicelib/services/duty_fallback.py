"""An empty duty roster (R-12345-12): the office's main number takes the duty SMS, and people are told.

When no one is on duty for the current shift (no roster entry and no default), the deadline SMS to the
operator on duty goes to the office's main number instead: `CONFIG` / `duty-fallback` (`{"name","phone"}`, set by
an admin with `PUT /admin/duty/fallback`), else the setting `DUTY_FALLBACK_PHONE`. Each use is recorded once per
shift (`DUTY#FALLBACK` / shift key: first and last use, how often, which ticket), the deadline sweep counts the
shift as `duty_fallback`, and admins and leaders see a banner on the home page (`warnings`, code `duty_empty`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, duty, phones
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import duty as roster
from chalicelib.services import privacy
from chalicelib.storage.table import Absent, Equals

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

CONFIG_KEY = "duty-fallback"
LOG_PK = "DUTY#FALLBACK"
DEFAULT_NAME = "中心值班总机"


def main_number(deps: Adapters) -> dict[str, str] | None:
    """The office's main number (admin setting first, then the deployment's), or None when neither is set."""
    stored = deps.directory.get_item("CONFIG", CONFIG_KEY) or {}
    phone = str(stored.get("phone") or deps.settings.duty_fallback_phone or "").strip()
    if not phone:
        return None
    return {"name": str(stored.get("name") or DEFAULT_NAME), "phone": phone}


def recipient(deps: Adapters, at: datetime, *, ticket_id: str | None = None) -> dict[str, Any] | None:
    """The person on duty at `at`, else the office's main number (the use recorded); None if neither."""
    person = roster.on_duty(deps, at)
    if person is not None:
        return person
    fallback = main_number(deps)
    if fallback is None:
        return None
    shift = duty.shift_at(at, deps.contexts.load(at).calendar)
    record(deps, shift.key, at, fallback, ticket_id)
    return dict(fallback, user_id="", shift=shift.key, fallback=True)


def record(deps: Adapters, shift_key: str, at: datetime, fallback: dict[str, str], ticket_id: str | None) -> None:
    """One item per shift that fell back: first and last use, how many times, the last ticket.

    A conditional write on the item as read (created if absent, else replaced only if unchanged), retried on a
    concurrent use: two sweeps or SMS at once both count.
    """
    now = at.astimezone(UTC).isoformat()
    for _ in range(RECORD_ATTEMPTS):
        item = deps.directory.get_item(LOG_PK, shift_key)
        before = item or {}
        data = {
            "shift": shift_key,
            "phone": fallback["phone"],
            "first_at": before.get("first_at") or now,
            "last_at": max(str(before.get("last_at") or ""), now),
            "uses": int(before.get("uses") or 0) + 1,
            "ticket_id": ticket_id or before.get("ticket_id"),
        }
        if deps.directory.put_if(LOG_PK, shift_key, data, Absent() if item is None else Equals("data", item)):
            return
    raise Conflict("值班总机使用记录正被同时更新，请稍后重试")


RECORD_ATTEMPTS = 8


def check(deps: Adapters, now: datetime) -> int:
    """The sweep's check: 1 when the current shift has no one on duty (recorded as a fallback), else 0."""
    if roster.on_duty(deps, now) is not None:
        return 0
    fallback = main_number(deps)
    if fallback is not None:
        shift = duty.shift_at(now, deps.contexts.load(now).calendar)
        if deps.directory.get_item(LOG_PK, shift.key) is None:
            record(deps, shift.key, now, fallback, None)
    return 1


def used(deps: Adapters, shift_key: str) -> dict[str, Any] | None:
    """The fallback record of a shift, if it fell back."""
    return deps.directory.get_item(LOG_PK, shift_key)


def warnings(deps: Adapters, now: datetime) -> list[dict[str, Any]]:
    """The home-page banner for admins and leaders: nobody on duty now (and where the SMS goes)."""
    if roster.on_duty(deps, now) is not None:
        return []
    fallback = main_number(deps)
    if fallback is None:
        message = "当前班次值班表为空，且未设置中心总机号码：截止提醒短信没有接收人，请尽快排班"
    else:
        message = f"当前班次值班表为空：截止提醒短信改发中心总机 {fallback['phone']}，请尽快排班"
    return [{"code": "duty_empty", "message": message, "fallback": fallback is not None}]


def put_fallback(deps: Adapters, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: the office's main number `{"name","phone"}` for duty SMS (a mainland mobile: SMS needs one)."""
    access.ensure_role(actor, Role.ADMIN)
    phone = str(body.get("phone") or "").strip()
    name = str(body.get("name") or DEFAULT_NAME).strip()[:40] or DEFAULT_NAME
    if not phone or phones.to_e164(phone) is None:
        raise ValidationError({"phone": "中心总机短信号码须为11位手机号码（短信只能发往手机）"})
    stored = deps.directory.get_item("CONFIG", CONFIG_KEY) or {}
    before = {k: stored[k] for k in ("name", "phone") if k in stored} or None
    data = {"name": name, "phone": phone, "by": actor.user_id}
    deps.directory.put_item("CONFIG", CONFIG_KEY, data)
    after = {"name": name, "phone": phone}
    privacy.log_change(deps, "duty_fallback_changed", actor, deps.clock(), before=before, after=after)  # R-SEC-02
    return after
