"""Deadline administration: working-day calendar, office hours, duty roster, sent SMS, calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, local_admin, now, query
from chalicelib.api.errors import route
from chalicelib.domain import access
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.model import Role
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import calendar_admin, calls, duty, duty_fallback, escalation, handover, notify, sweep
    from chalicelib.services import tickets as ticket_svc
else:
    calendar_admin = on_first_use("chalicelib.services.calendar_admin")
    calls = on_first_use("chalicelib.services.calls")
    duty = on_first_use("chalicelib.services.duty")
    duty_fallback = on_first_use("chalicelib.services.duty_fallback")
    escalation = on_first_use("chalicelib.services.escalation")
    handover = on_first_use("chalicelib.services.handover")
    notify = on_first_use("chalicelib.services.notify")
    sweep = on_first_use("chalicelib.services.sweep")
    ticket_svc = on_first_use("chalicelib.services.tickets")

bp = Blueprint(__name__)
STAFF = (Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN)


@route(bp, "/admin/calendar/{year}", methods=["GET"])
def calendar_year(year: str) -> dict[str, Any]:
    """A year's overrides, coverage and confirmation."""
    return calendar_admin.get_year(adapters(), current_actor(bp), year, now())


@route(bp, "/admin/calendar/{year}/days", methods=["PUT", "POST"])
def calendar_days(year: str) -> dict[str, Any]:
    """Enter holidays (ranges) and make-up working days."""
    return calendar_admin.put_days(adapters(), current_actor(bp), year, json_body(bp))


@route(bp, "/admin/calendar/{year}/days/{day}", methods=["DELETE"])
def calendar_day_delete(year: str, day: str) -> dict[str, Any]:
    """Remove one override."""
    return calendar_admin.delete_day(adapters(), current_actor(bp), year, day)


@route(bp, "/admin/calendar/{year}/import", methods=["POST"])
def calendar_import(year: str) -> dict[str, Any]:
    """Import a pasted State Council notice (or ISO lines); `dry_run` to preview."""
    return calendar_admin.import_notice(adapters(), current_actor(bp), year, json_body(bp))


@route(bp, "/admin/calendar/{year}/confirm", methods=["POST"])
def calendar_confirm(year: str) -> dict[str, Any]:
    """Mark the year confirmed; recomputes open provisional deadlines."""
    return calendar_admin.confirm(adapters(), current_actor(bp), year, now())


@route(bp, "/admin/office-hours", methods=["PUT"])
def office_hours() -> dict[str, Any]:
    """Office hours `08:30-12:00,14:00-17:30`."""
    return calendar_admin.set_office_hours(adapters(), current_actor(bp), json_body(bp))


@route(bp, "/admin/duty/roster", methods=["GET"])
def duty_roster() -> dict[str, Any]:
    """Shifts of `?month=YYYY-MM` and the defaults (`?post=leader`: the leaders' roster)."""
    params = query(bp)
    return duty.roster(
        adapters(), current_actor(bp), params.get("month") or now().strftime("%Y-%m"), params.get("post")
    )


@route(bp, "/admin/duty/roster", methods=["PUT", "POST"])
def duty_roster_put() -> dict[str, Any]:
    """Store shifts `{"entries": [{date, shift, user_id, name, phone}]}`."""
    return duty.put_roster(adapters(), current_actor(bp), json_body(bp))


@route(bp, "/admin/duty/defaults", methods=["PUT"])
def duty_defaults() -> dict[str, Any]:
    """Fallback person per shift kind."""
    return duty.put_default(adapters(), current_actor(bp), json_body(bp))


@route(bp, "/admin/duty/staff", methods=["GET"])
def duty_staff_list() -> dict[str, Any]:
    """The name and mobile entered for each person (the roster page fills a picked person's mobile)."""
    return {"items": duty.staff_contacts(adapters(), current_actor(bp))}


@route(bp, "/admin/duty/staff/{user_id}", methods=["PUT"])
def duty_staff(user_id: str) -> dict[str, Any]:
    """An operator's mobile for deadline alerts."""
    return duty.put_staff(adapters(), current_actor(bp), user_id, json_body(bp))


@route(bp, "/admin/duty/now", methods=["GET"])
def duty_now() -> dict[str, Any]:
    """Who is on duty right now."""
    return duty.who_is_on_duty(adapters(), current_actor(bp), now())


@route(bp, "/admin/sms", methods=["GET"])
def sms_log() -> dict[str, Any]:
    """Local mode only: messages of `?day=YYYY-MM-DD` (default today), newest first."""
    local_admin(bp)
    return {"items": notify.day_log(adapters(), query(bp).get("day") or now().astimezone(SHANGHAI).date().isoformat())}


@route(bp, "/admin/sweep", methods=["POST"])
def sweep_now() -> dict[str, Any]:
    """Local mode only: run the deadline sweep now (demo)."""
    local_admin(bp)
    at = now()
    return {**sweep.run_sweep(adapters(), at), **handover.sweep(adapters(), at)}


@route(bp, "/tickets/{ticket_id}/calls", methods=["GET"])
def ticket_calls(ticket_id: str) -> dict[str, Any]:
    """The ticket's phone-call log, masked; `?reveal=1&reason=…` in full for the roles allowed (recorded)."""
    params = query(bp)
    reveal = params.get("reveal") in ("1", "true")
    items = calls.list_calls(
        adapters(), current_actor(bp), ticket_id, now(), reveal=reveal, reason=params.get("reason")
    )
    return {"items": items}


@route(bp, "/tickets/{ticket_id}/calls", methods=["POST"])
def ticket_call_record(ticket_id: str) -> Response:
    """Record a call (kind, to_name, to_phone, outcome, note); 201 with the ticket."""
    actor = current_actor(bp)
    return Response(calls.record_call(adapters(), actor, ticket_id, json_body(bp), now()), status_code=201)


@route(bp, "/tickets/{ticket_id}/sms", methods=["GET"])
def ticket_sms(ticket_id: str) -> dict[str, Any]:
    """Messages recorded on the ticket (sent / failed and why); staff only."""
    actor = current_actor(bp)
    access.ensure_role(actor, *STAFF)
    ticket_svc.get_ticket(adapters(), actor, ticket_id, now())
    return {"items": notify.ticket_messages(adapters(), ticket_id)}


@route(bp, "/admin/escalation", methods=["GET"])
def escalation_policy() -> dict[str, Any]:
    """R-12345-10: hours overdue before a ticket is escalated, working days for the leader's decision."""
    return escalation.policy(adapters(), current_actor(bp))


@route(bp, "/admin/escalation", methods=["PUT"])
def set_escalation_policy() -> dict[str, Any]:
    """Admin: `{overdue_hours, decision_days}`."""
    return escalation.set_policy(adapters(), current_actor(bp), json_body(bp))


@route(bp, "/admin/duty/fallback", methods=["PUT"])
def duty_fallback_number() -> dict[str, Any]:
    """The office's main number for duty SMS when the roster is empty (R-12345-12)."""
    return duty_fallback.put_fallback(adapters(), current_actor(bp), json_body(bp))
