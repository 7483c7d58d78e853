"""What a due deadline alert does to a ticket (R-12345-01/04/08/10/12): pure, clock injected.

R-12345-10: a ticket overdue beyond the configured hours is escalated to the leader's 疑难 queue here, and a
pending leader decision is reminded the working day before its due and marked overdue at it (domain/escalation.py).

The sweep finds a ticket through the sparse open-deadline index, recomputes its next alert here and,
when it is due, turns it into a `Change` (flag, counters via the event type, alert marked done).
Notifications are not sent here: the stream handler reacts to the event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import deadlines, env_complaints, escalation
from chalicelib.domain.calendar import SHANGHAI, Deadline
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.model import SYSTEM_ACTOR, Change, Ticket
from chalicelib.domain.tickets import Context, next_alert

# alert kind → event type (statistics counts marked_overdue / marked_dispatch_overdue)
EVENT_OF: dict[str, str] = {
    "dispatch_warning": "dispatch_warned",  # R-12345-12: dispatch due within 2 h
    "dispatch_overdue": "marked_dispatch_overdue",  # R-12345-01: 12 h passed
    "handle_reminder": "reminder_due",  # R-12345-04: the working day before due, the unit holds it
    "submit_reminder": "submit_reminder_due",  # R-12345-08: the working day before due, the dispatcher holds it
    "handle_overdue": "marked_overdue",  # R-12345-08/10: due passed, not submitted
    "transfer_warning": "transfer_warned",  # R-12345-12: a returned ticket's transfer due within 2 h
    "transfer_overdue": "marked_transfer_overdue",  # R-12345-12: 12 h since the return passed
    "review_warning": "review_warned",  # R-12345-12: a reply's review due within 2 h
    "review_overdue": "marked_review_overdue",  # R-12345-12: 12 h since the reply passed
    **env_complaints.ALERT_EVENTS,  # R-12369-03/04/05 overdue, R-12369-07 supervision chase
    **escalation.ALERT_EVENTS,  # R-12345-10: overdue beyond N hours escalated; the leader's decision chased
}
FLAG_OF: dict[str, str] = {"dispatch_overdue": "dispatch_overdue", "handle_overdue": "overdue"}
SWEEP_EVENTS = frozenset(EVENT_OF.values())
MAX_ALERTS_PER_TICKET = 8  # at most four deadline alerts in one status, three of R-12345-10, plus escalations


def due_alert(ticket: Ticket, ctx: Context, now: datetime) -> Alert | None:
    """The ticket's pending alert if it is due at `now` (recomputed, not trusted from the index)."""
    alert = next_alert(ticket, ctx)
    if alert is None or alert.at > now:
        return None
    return alert


def apply_alert(
    ticket: Ticket, alert: Alert, now: datetime, ctx: Context | None = None, *, announce: bool = True
) -> Change:
    """Mark the alert done on the ticket; flag overdue kinds; the event says who must act.

    `announce=False` records an alert whose claim already exists (it was announced before) silently.
    """
    flags = ticket.flags | {FLAG_OF[alert.kind]} if alert.kind in FLAG_OF else ticket.flags
    extra: dict[str, Any] = {}
    env_data: dict[str, Any] = {}
    if alert.kind in env_complaints.ALERT_EVENTS and ctx is not None:  # R-12369-07: late work is supervised
        extra, env_data = env_complaints.alert_changes(ticket, alert, now, ctx)
        flags = extra.pop("flags", flags)
    if alert.kind in escalation.ALERT_EVENTS and ctx is not None:  # R-12345-10
        extra, env_data = escalation.alert_changes(ticket, alert, now, ctx.calendar, ctx.escalation)
        flags = extra.pop("flags", flags)
    after = ticket.with_changes(alerts_done=ticket.alerts_done | {alert.key}, flags=flags, updated_at=now, **extra)
    data = {
        "alert": alert.kind,
        "key": alert.key,
        "deadline": alert.deadline.isoformat(),
        "due_at": alert.at.isoformat(),
        # a warning or reminder found after its deadline passed is recorded but not texted
        "late": alert.kind in deadlines.NOTICE_KINDS and now >= alert.deadline,
        "owner_id": ticket.owner_id or ticket.created_by,
        "unit_id": ticket.unit_id,
        "announce": announce,
        **env_data,
    }
    if alert.kind == "env_supervision_overdue":
        data["unit_id"] = ticket.unit_id  # the chase goes to the supervised unit and the owner
    if alert.kind == "handle_overdue":
        # R-12345-08: who holds the overdue ticket; the unit is texted only while it does
        data["stage"] = "unit" if ticket.status in deadlines.UNIT_STAGE else "dispatcher"
    return Change(ticket, after, EVENT_OF[alert.kind], data, now, SYSTEM_ACTOR)


def task_for(change: Change) -> dict[str, str] | None:
    """R-12345-04: a reminder gives the owner a follow-up task "phone the unit"."""
    if change.event_type != "reminder_due":
        return None
    t = change.after
    owner = t.owner_id or t.created_by
    if not owner:
        return None
    return {
        "owner_id": owner,
        "ticket_id": t.ticket_id,
        "kind": "phone_unit",
        "title": f"电话督促承办单位：{t.title}",
        "unit_id": t.unit_id or "",
        "due": change.data["deadline"],
        "key": change.data["key"],
        "created_at": change.at.isoformat(),
    }


# ---------------------------------------------------------------- calendar confirmation


def recomputed_due(ticket: Ticket, ctx: Context, *, reassigned_at: datetime | None = None) -> Deadline | None:
    """The handling due under the current calendar, or None when it cannot depend on the calendar."""
    if not ticket.is_open or ticket.handle_due is None or ticket.hotline == env_complaints.HOTLINE:
        return None  # 12369 dues are calendar days from acceptance (R-12369-05), fixed once computed
    cal = ctx.calendar
    if (ticket.extension or {}).get("decision") == "approved" or ticket.city_due is not None:
        # A date chosen by a person (extension) or the city: only its provisional mark can change.
        year = ticket.handle_due.astimezone(SHANGHAI).year
        return Deadline(ticket.handle_due, not cal.is_known_year(year) and ticket.city_due is None)
    if ticket.reassign_count:
        if reassigned_at is None:
            return None
        return deadlines.reassign_due(cal, reassigned_at)  # R-12345-09
    return deadlines.handle_due(
        cal,
        start=ticket.received_at,
        category=ticket.category,
        urgent=ticket.urgent,
        city_limit_days=ticket.city_limit_days,
        limits=ctx.limits.days(ticket.hotline, ticket.received_at),  # the version in force at receipt
    )


def recompute_change(ticket: Ticket, due: Deadline, now: datetime, year: int) -> Change | None:
    """`deadline_recomputed` when confirming a year moved the due or cleared its provisional mark."""
    if due.at == ticket.handle_due and due.provisional == ticket.handle_due_provisional:
        return None
    after = ticket.with_changes(handle_due=due.at, handle_due_provisional=due.provisional, updated_at=now)
    if due.at > now:
        after = after.with_changes(flags=after.flags - {"overdue"})
    data = {
        "year": year,
        "previous_due": ticket.handle_due.isoformat() if ticket.handle_due else None,
        "handle_due": due.at.astimezone(UTC).isoformat(),
        "provisional": due.provisional,
    }
    return Change(ticket, after, "deadline_recomputed", data, now, SYSTEM_ACTOR)
