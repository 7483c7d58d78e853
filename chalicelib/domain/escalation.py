"""Automatic escalation to the leader's 疑难 queue (R-12345-10): pure, clock injected.

Four triggers put a ticket before the supervising leader without anyone flagging it by hand:

- `overdue`            — handling due passed by more than `overdue_hours` and still not submitted (the sweep);
- `unjustified_return` — the operator transfers a returned ticket marking the return unjustified (无故退单);
- `false_reply`        — the review rejects a reply as false (虚假反馈);
- `co_units`           — a ticket dispatched to more than one unit (co-units, a joint matter).

Each opens a difficult-ticket episode (the same record as the manual `flag-difficult`) with a leader decision
deadline, `decision_days` working days later (default 2, `CONFIG`/`escalation`), and the leader on duty is
texted (services/notify.py, from the event). The sweep reminds the leader on duty the working day before the
decision due and again when it passes. A new episode never erases a recorded decision: a decided episode moves,
decision and all, to `history`; a trigger while an episode awaits the leader joins it (`triggers`) without a new
deadline or a new text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.deadlines import HANDLE_PENDING, Alert
from chalicelib.domain.model import Marking, Ticket

TRIGGERS = ("manual", "overdue", "unjustified_return", "false_reply", "co_units")
REASONS = {
    "overdue": "超期未办结，自动列入疑难工单",
    "unjustified_return": "承办单位无故退单，自动列入疑难工单",
    "false_reply": "承办单位虚假反馈，自动列入疑难工单",
    "co_units": "多个承办单位共同办理，自动列入疑难工单",
}
DEFAULT_OVERDUE_HOURS = 24
DEFAULT_DECISION_DAYS = 2
# alert kind → event type (the sweep, domain/sweep.py)
ALERT_EVENTS = {
    "overdue_escalation": "flagged_difficult",  # overdue beyond `overdue_hours`: escalated by the sweep
    "decision_reminder": "decision_reminder_due",  # the working day before the leader's decision due
    "decision_overdue": "marked_decision_overdue",  # the decision due passed without a decision
}


@dataclass(frozen=True)
class Policy:
    """How escalation behaves (`CONFIG`/`escalation`: `overdue_hours` 0–720, `decision_days` 1–30)."""

    overdue_hours: int = DEFAULT_OVERDUE_HOURS
    decision_days: int = DEFAULT_DECISION_DAYS

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> Policy:
        """The stored configuration, anything out of range falling back to the default."""
        raw = raw or {}
        return cls(
            overdue_hours=_int_in(raw.get("overdue_hours"), 0, 720, DEFAULT_OVERDUE_HOURS),
            decision_days=_int_in(raw.get("decision_days"), 1, 30, DEFAULT_DECISION_DAYS),
        )


def _int_in(value: Any, low: int, high: int, default: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return value
    return default


def awaiting(ticket: Ticket) -> bool:
    """True while a difficult episode awaits the leader's decision."""
    return ticket.difficult is not None and not ticket.difficult.get("decision")


def open_episode(
    ticket: Ticket,
    *,
    trigger: str,
    reason: str,
    by: str,
    now: datetime,
    cal: WorkCalendar,
    policy: Policy,
) -> tuple[Marking, dict[str, Any]]:
    """The ticket's difficult record after a trigger, and what the event says about it.

    A pending episode takes the trigger in (`joined`, nothing new to text); otherwise a new episode opens with
    its decision due, an earlier decided one moving to `history` with its decision (oldest first).
    """
    if awaiting(ticket):
        current = Marking(**(ticket.difficult or {}))
        triggers = list(current.get("triggers") or [current.get("trigger") or "manual"])
        if trigger not in triggers:
            triggers.append(trigger)
        current["triggers"] = triggers
        data = {"difficult_trigger": trigger, "joined": True, "decision_due": current.get("decision_due")}
        return current, data
    earlier: list[Marking] = list((ticket.difficult or {}).get("history") or [])
    if ticket.difficult is not None:
        episode = Marking(**ticket.difficult)
        episode.pop("history", None)
        earlier.append(episode)
    due = cal.add_working_days(now, policy.decision_days).at
    info = Marking(
        reason=reason,
        by=by,
        at=now.isoformat(),
        decision=None,
        trigger=trigger,
        triggers=[trigger],
        decision_due=due.isoformat(),
    )
    if earlier:
        info["history"] = earlier
    return info, {"difficult_trigger": trigger, "joined": False, "decision_due": due.isoformat(), "reason": reason}


def escalate(
    ticket: Ticket, trigger: str, by: str, now: datetime, cal: WorkCalendar, policy: Policy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(ticket changes, event data `escalated`) for an automatic trigger inside another transition."""
    info, data = open_episode(ticket, trigger=trigger, reason=REASONS[trigger], by=by, now=now, cal=cal, policy=policy)
    return {"difficult": info, "flags": ticket.flags | {"difficult"}}, data


def decision_due(ticket: Ticket) -> datetime | None:
    """The pending episode's decision due, or None (no episode, decided, or flagged before deadlines existed)."""
    if not awaiting(ticket):
        return None
    raw = (ticket.difficult or {}).get("decision_due")
    return datetime.fromisoformat(raw) if isinstance(raw, str) else None


def schedule(ticket: Ticket, cal: WorkCalendar, policy: Policy) -> list[Alert]:
    """The escalation alerts of an open 12345 ticket, sorted by due instant."""
    alerts: list[Alert] = []
    if ticket.status in HANDLE_PENDING and ticket.handle_due is not None:  # joins a pending episode
        at = ticket.handle_due + timedelta(hours=policy.overdue_hours)
        alerts.append(Alert("overdue_escalation", at, ticket.handle_due))
    due = decision_due(ticket)
    if due is not None:
        reminder = cal.reminder_at(due).at
        if reminder < due:
            alerts.append(Alert("decision_reminder", reminder, due))
        alerts.append(Alert("decision_overdue", due, due))
    return sorted(alerts, key=lambda alert: alert.at)


def next_alert(ticket: Ticket, cal: WorkCalendar, policy: Policy) -> Alert | None:
    """The first escalation alert not yet done, or None."""
    return next((a for a in schedule(ticket, cal, policy) if a.key not in ticket.alerts_done), None)


def alert_changes(
    ticket: Ticket, alert: Alert, now: datetime, cal: WorkCalendar, policy: Policy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a due escalation alert changes on the ticket, and its event data (the sweep)."""
    if alert.kind == "overdue_escalation":
        changes, data = escalate(ticket, "overdue", "system", now, cal, policy)
        return changes, {"reason": REASONS["overdue"], "escalated": data, "overdue_hours": policy.overdue_hours}
    return {}, {"decision_due": alert.deadline.isoformat()}


def decided(ticket: Ticket, decision: str, by: str, now: datetime) -> Marking:
    """The pending episode with the leader's decision, and whether it came within the decision due."""
    info = Marking(**(ticket.difficult or {}))
    info["decision"], info["decided_by"], info["decided_at"] = decision, by, now.isoformat()
    due = info.get("decision_due")
    if isinstance(due, str):
        info["decision_on_time"] = now <= datetime.fromisoformat(due)
    return info


def summary(ticket: Ticket) -> dict[str, Any] | None:
    """The list row's view of the difficult record (no free text): pending, triggers, decision due."""
    d = ticket.difficult
    if d is None:
        return None
    return {
        "pending": not d.get("decision"),
        "trigger": d.get("trigger") or "manual",
        "triggers": list(d.get("triggers") or [d.get("trigger") or "manual"]),
        "decision_due": d.get("decision_due"),
        "at": d.get("at"),
    }
