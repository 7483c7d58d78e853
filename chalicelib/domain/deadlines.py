"""Due dates (12345 and 12369) and the alert schedule the deadline sweep follows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.calendar import Deadline, WorkCalendar

DISPATCH_WINDOW = timedelta(hours=12)  # R-12345-01
DISPATCH_WARNING = timedelta(hours=2)  # alert when dispatch due within 2 h (R-12345-12)
# The operator acts within 12 clock hours on every updated ticket (交办、转办和反馈, R-12345-12):
# a returned ticket is transferred, a reply is reviewed; warned 2 h before, then overdue.
ACT_WINDOW = timedelta(hours=12)
# Handling time limits: working days per category when the city sets none.
DEFAULT_LIMITS: dict[str, int] = {
    "consult": 2,
    "help": 5,
    "complaint": 5,
    "report": 10,
    "suggestion": 10,
    "praise": 2,
}
URGENT_LIMIT = timedelta(hours=24)  # Handling time limits: urgent = 24 clock hours
REASSIGN_WORKING_DAYS = 3  # R-12345-09

ENV_DECISION_WINDOW = timedelta(days=15)  # R-12369-03 (calendar days)
ENV_FORWARD_WORKING_DAYS = 3  # R-12369-04
ENV_FINISH_WINDOW = timedelta(days=60)  # R-12369-05
ENV_MAX_EXTENSION = timedelta(days=30)  # R-12369-05 (one extension, leader-approved)

DISPATCH_PENDING = frozenset({"received"})
# R-12345-04: the unit holds the ticket (a returned one goes back to a unit); its handler is reminded.
UNIT_STAGE = frozenset({"dispatched", "handling", "extension_requested", "returned"})
# R-12345-08: the dispatcher holds the ticket (review, callback, submit); its owner is reminded.
DISPATCHER_STAGE = frozenset({"replied", "reviewed", "called_back"})
HANDLE_PENDING = UNIT_STAGE | DISPATCHER_STAGE  # overdue until the result is submitted (R-12345-08)
# status → (warning kind, overdue kind) of the operator's 12-hour clock (ACT_WINDOW)
ACT_ALERTS: dict[str, tuple[str, str]] = {
    "returned": ("transfer_warning", "transfer_overdue"),
    "replied": ("review_warning", "review_overdue"),
}
# kinds that only announce: found after their deadline they are recorded, not texted
NOTICE_KINDS = frozenset(
    {"dispatch_warning", "handle_reminder", "submit_reminder", "transfer_warning", "review_warning"}
)


def _utc(value: datetime, name: str) -> datetime:
    """The same instant in UTC; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")
    return value.astimezone(UTC)


def dispatch_due(received_at: datetime) -> datetime:
    """Receipt plus 12 clock hours, nights and holidays included (R-12345-01)."""
    return _utc(received_at, "received_at") + DISPATCH_WINDOW


def handle_due(
    cal: WorkCalendar,
    *,
    start: datetime,
    category: str,
    urgent: bool = False,
    city_limit_days: int | None = None,
    city_due: datetime | None = None,
    limits: Mapping[str, int] | None = None,
) -> Deadline:
    """Handling due: city due date, city limit, urgent 24 h, else category default."""
    # Handling time limits: the city platform's limit wins.
    if city_due is not None:
        return Deadline(at=_utc(city_due, "city_due"), provisional=False)
    if city_limit_days is not None:
        return cal.add_working_days(start, city_limit_days)
    if urgent:
        return Deadline(at=_utc(start, "start") + URGENT_LIMIT, provisional=False)
    table = DEFAULT_LIMITS if limits is None else limits
    if category not in table:
        raise ValueError(f"no handling time limit for category {category!r}")
    return cal.add_working_days(start, table[category])


def act_due(status: str, entered_at: datetime | None) -> datetime | None:
    """The operator's 12-hour clock: transfer a returned ticket, review a reply (R-12345-12)."""
    if status not in ACT_ALERTS or entered_at is None:
        return None
    return _utc(entered_at, "entered_at") + ACT_WINDOW


def reassign_due(cal: WorkCalendar, reassigned_at: datetime) -> Deadline:
    """Re-assigned (重新交办) tickets are due in 3 working days (R-12345-09)."""
    return cal.add_working_days(reassigned_at, REASSIGN_WORKING_DAYS)


def env_decision_due(received_at: datetime) -> datetime:
    """12369 acceptance decision due 15 calendar days after receipt (R-12369-03)."""
    return _utc(received_at, "received_at") + ENV_DECISION_WINDOW


def env_forward_due(cal: WorkCalendar, accepted_at: datetime) -> Deadline:
    """12369 forwarding due 3 working days after acceptance (R-12369-04)."""
    return cal.add_working_days(accepted_at, ENV_FORWARD_WORKING_DAYS)


def env_finish_due(accepted_at: datetime, extension: timedelta = timedelta(0), *, days: int | None = None) -> datetime:
    """12369 result due 60 days (or an admin's shorter limit, `days`) after acceptance, plus ≤ 30 days (R-12369-05)."""
    if not timedelta(0) <= extension <= ENV_MAX_EXTENSION:
        raise ValueError(f"extension must be 0–{ENV_MAX_EXTENSION.days} days, got {extension}")
    window = ENV_FINISH_WINDOW if days is None else timedelta(days=days)
    if not timedelta(days=1) <= window <= ENV_FINISH_WINDOW:
        raise ValueError(f"finish limit must be 1–{ENV_FINISH_WINDOW.days} days, got {window}")
    return _utc(accepted_at, "accepted_at") + window + extension


@dataclass(frozen=True)
class Alert:
    """One alert of a ticket: kind, when it is due (UTC), the deadline it concerns."""

    # "dispatch_warning" | "dispatch_overdue" | "handle_reminder" | "submit_reminder" | "handle_overdue"
    # | "transfer_warning" | "transfer_overdue" | "review_warning" | "review_overdue"
    kind: str
    at: datetime
    deadline: datetime

    def __post_init__(self) -> None:
        """Normalise both instants to UTC so the key is stable."""
        object.__setattr__(self, "at", _utc(self.at, "at"))
        object.__setattr__(self, "deadline", _utc(self.deadline, "deadline"))

    @property
    def key(self) -> str:
        """Identity within the ticket: kind and deadline (a moved deadline re-arms)."""
        return f"{self.kind}#{self.deadline.isoformat()}"


def alert_schedule(
    cal: WorkCalendar,
    *,
    status: str,
    dispatch_due: datetime | None,
    handle_due: datetime | None,
    act_due: datetime | None = None,
) -> list[Alert]:
    """The alerts that apply to a ticket in this status, sorted by due instant.

    `act_due`: the operator's 12-hour clock of a returned ticket or a reply (`act_due()`).
    """
    alerts: list[Alert] = []
    if status in DISPATCH_PENDING and dispatch_due is not None:
        # R-12345-01, R-12345-12: warn 2 h before the window closes, then overdue.
        alerts.append(Alert("dispatch_warning", dispatch_due - DISPATCH_WARNING, dispatch_due))
        alerts.append(Alert("dispatch_overdue", dispatch_due, dispatch_due))
    if status in ACT_ALERTS and act_due is not None:
        warning, overdue = ACT_ALERTS[status]  # R-12345-12: like dispatch, 2 h before, then overdue
        alerts.append(Alert(warning, act_due - DISPATCH_WARNING, act_due))
        alerts.append(Alert(overdue, act_due, act_due))
    if status in HANDLE_PENDING and handle_due is not None:
        reminder = cal.reminder_at(handle_due).at
        if reminder < handle_due:
            # R-12345-04 reminds the unit while it holds the ticket; R-12345-08 the owner once replied
            kind = "handle_reminder" if status in UNIT_STAGE else "submit_reminder"
            alerts.append(Alert(kind, reminder, handle_due))
        alerts.append(Alert("handle_overdue", handle_due, handle_due))  # R-12345-08: once per due
    return sorted(alerts, key=lambda alert: alert.at)


def next_alert(
    cal: WorkCalendar,
    *,
    status: str,
    dispatch_due: datetime | None,
    handle_due: datetime | None,
    done: Iterable[str],
    act_due: datetime | None = None,
) -> Alert | None:
    """The first scheduled alert whose key is not in done, or None."""
    finished = set(done)
    schedule = alert_schedule(cal, status=status, dispatch_due=dispatch_due, handle_due=handle_due, act_due=act_due)
    for alert in schedule:
        if alert.key not in finished:
            return alert
    return None
