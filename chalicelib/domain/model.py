"""Ticket value objects shared by the domain modules: statuses, categories, the ticket, the actor."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypedDict


class Status(StrEnum):
    """Ticket states of the 12345 lifecycle (domain-rules.md, Lifecycle)."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    HANDLING = "handling"
    REPLIED = "replied"
    REVIEWED = "reviewed"
    CALLED_BACK = "called_back"
    SUBMITTED = "submitted"
    CLOSED = "closed"
    RETURNED = "returned"
    EXTENSION_REQUESTED = "extension_requested"
    ACCEPTED = "accepted"  # 12369: accepted, to forward (R-12369-02/04)
    AWAITING_SIGNOFF = "awaiting_signoff"  # 12369: result reported, awaiting the leader's sign-off (R-12369-06)
    MERGED = "merged"  # R-12345-18: a duplicate merged into its main ticket (并单), follows the main's result


OPEN_STATUSES = frozenset(s for s in Status if s is not Status.CLOSED)


class Category(StrEnum):
    """Ticket categories; each has a default time limit and a reply template."""

    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    REPORT = "report"
    SUGGESTION = "suggestion"
    PRAISE = "praise"


class Role(StrEnum):
    """Roles from domain-rules.md, Actors and roles."""

    OPERATOR = "operator"
    ANALYST = "analyst"
    LEADER = "leader"
    UNIT_HANDLER = "unit_handler"
    RECORDS = "records"
    ADMIN = "admin"
    PARTNER = "partner"
    SYSTEM = "system"
    AUDITOR = "auditor"  # read-only: the security log (R-SEC-01)


class EventType(StrEnum):
    """Every kind of history entry (past tense); each has a name in the label catalogue."""

    RECEIVED = "received"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    RETURNED = "returned"
    TRANSFERRED = "transferred"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    REPLIED = "replied"
    REVIEW_REJECTED = "review_rejected"
    REVIEWED = "reviewed"
    CALLED_BACK = "called_back"
    SUBMITTED = "submitted"
    CITY_REJECTED = "city_rejected"
    CLOSED = "closed"
    REASSIGNED = "reassigned"
    FLAGGED_DIFFICULT = "flagged_difficult"
    LEADER_DECIDED = "leader_decided"
    FLAGGED_SUPERVISED = "flagged_supervised"
    MARKED_TYPICAL = "marked_typical"
    UNMARKED_TYPICAL = "unmarked_typical"  # R-12345-15: the mark removed
    CALL_RECORDED = "call_recorded"
    DEADLINE_RECOMPUTED = "deadline_recomputed"
    DISPATCH_WARNED = "dispatch_warned"
    MARKED_DISPATCH_OVERDUE = "marked_dispatch_overdue"
    REMINDER_DUE = "reminder_due"
    MARKED_OVERDUE = "marked_overdue"
    SUBMIT_REMINDER_DUE = "submit_reminder_due"  # R-12345-08: the owner, the working day before due
    TRANSFER_WARNED = "transfer_warned"  # R-12345-12: the 12-hour clock of a returned ticket
    MARKED_TRANSFER_OVERDUE = "marked_transfer_overdue"
    REVIEW_WARNED = "review_warned"  # R-12345-12: the 12-hour clock of a reply
    MARKED_REVIEW_OVERDUE = "marked_review_overdue"
    INSTRUCTION_RECORDED = "instruction_recorded"
    INSTRUCTION_CHASED = "instruction_chased"
    INSTRUCTION_ANSWERED = "instruction_answered"
    DECIDED = "decided"  # 12369 acceptance decision (R-12369-02)
    FORWARDED = "forwarded"  # R-12369-04
    RESULT_REPORTED = "result_reported"  # R-12369-06
    SIGNED_OFF = "signed_off"
    SENT_BACK = "sent_back"
    SUPERVISION_OPENED = "supervision_opened"  # R-12369-07
    SUPERVISION_ANSWERED = "supervision_answered"
    SPOT_CHECKED = "spot_checked"  # R-12369-08
    SPOT_SAMPLED = "spot_sampled"
    ENV_DECISION_OVERDUE = "env_decision_overdue"
    ENV_FORWARD_OVERDUE = "env_forward_overdue"
    ENV_FINISH_OVERDUE = "env_finish_overdue"
    ENV_SUPERVISION_OVERDUE = "env_supervision_overdue"
    EMERGENCY_FLAGGED = "emergency_flagged"
    EMERGENCY_ESCALATED = "emergency_escalated"
    EMERGENCY_ACKNOWLEDGED = "emergency_acknowledged"
    DECISION_REMINDER_DUE = "decision_reminder_due"  # R-12345-10: the leader, the working day before
    MARKED_DECISION_OVERDUE = "marked_decision_overdue"  # R-12345-10: the leader's decision due passed
    MERGED = "merged"  # R-12345-18 并单
    UNMERGED = "unmerged"
    MERGE_FOLLOWED = "merge_followed"  # the main ticket closed: the duplicate takes its result
    HANDOVER_STARTED = "handover_started"  # R-12345-03 hand-over (domain/handover.py)
    HANDOVER_ENDED = "handover_ended"


CHANNELS = frozenset({"phone", "web", "app", "wechat", "letter", "city"})
HOTLINES = frozenset({"12345", "12369"})
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")
FLAGS = ("overdue", "dispatch_overdue", "difficult", "supervised", "typical")


@dataclass(frozen=True)
class Actor:
    """Who acts: a person from a verified token, a partner machine or the system clock."""

    user_id: str
    role: Role
    unit_id: str | None = None
    name: str = ""

    def __post_init__(self) -> None:
        """Accept the role as its string value (tokens, fixtures) and keep the enum."""
        object.__setattr__(self, "role", Role(self.role))


SYSTEM_ACTOR = Actor(user_id="system", role=Role.SYSTEM, name="系统")


@dataclass(frozen=True)
class Caller:
    """The caller's personal data (R-12345-11): never logged, masked by default."""

    name: str = ""
    phone: str = ""
    employer: str = ""
    address: str = ""

    def as_dict(self) -> dict[str, str]:
        """Plain dict of the four fields."""
        return dataclasses.asdict(self)


class Extension(TypedDict, total=False):
    """An extension request (申请延期) and its decision."""

    reason: str
    requested_due: str
    requested_due_provisional: bool
    requested_by: str
    requested_at: str
    previous_due: str | None
    decision: str | None
    decided_by: str
    decided_at: str
    note: str


class ReturnInfo(TypedDict, total=False):
    """A unit's return (退单) and the operator's judgement of its reason."""

    reason: str
    by: str
    unit_id: str | None
    at: str
    good_reason: bool


class Reply(TypedDict, total=False):
    """A unit's reply by the template's sections (R-12345-06)."""

    sections: dict[str, str]
    by: str
    unit_id: str | None
    at: str
    from_ticket: str  # R-12345-18: a merged duplicate's copy of its main ticket's reply


class Callback(TypedDict, total=False):
    """The operator's callback with its four checks (R-12345-05)."""

    satisfaction: str
    informed: bool
    truthful: bool
    misconduct: bool
    misconduct_note: str
    note: str
    by: str
    at: str


class Marking(TypedDict, total=False):
    """A difficult, supervised or typical mark: why, by whom, when, and a leader's decision.

    `history` (difficult only): the ticket's earlier, decided episodes, oldest first (R-12345-10).
    """

    reason: str
    note: str
    by: str
    at: str
    decision: str | None
    decided_by: str
    decided_at: str
    history: list[Marking]
    trigger: str  # R-12345-10: what opened the episode (escalation.TRIGGERS)
    triggers: list[str]  # every trigger while it awaited the leader
    decision_due: str  # the leader's decision due (escalation.Policy.decision_days working days)
    decision_on_time: bool


TICKET_ID = re.compile(r"T\d{8}-\d{5}")


def is_ticket_id(value: str) -> bool:
    """The shape of our ticket numbers, `T{yyyymmdd}-{nnnnn}`: anything else names no ticket."""
    return bool(TICKET_ID.fullmatch(value))


@dataclass(frozen=True)
class Ticket:
    """One work order (工单). Immutable: transitions return a changed copy."""

    ticket_id: str
    hotline: str
    source: str
    channel: str
    category: str
    title: str
    content: str
    received_at: datetime
    status: Status = Status.RECEIVED
    external_id: str | None = None
    location: dict[str, Any] = field(default_factory=dict)
    caller: Caller = field(default_factory=Caller)
    confidential: bool = False
    wants_reply: bool = True
    urgent: bool = False
    city_limit_days: int | None = None
    city_due: datetime | None = None
    unit_id: str | None = None
    co_unit_ids: tuple[str, ...] = ()
    owner_id: str | None = None
    first_owner_id: str | None = None
    created_by: str | None = None
    dispatched_at: datetime | None = None
    first_dispatched_at: datetime | None = None
    dispatch_due: datetime | None = None
    handle_due: datetime | None = None
    handle_due_provisional: bool = False
    submitted_at: datetime | None = None
    closed_at: datetime | None = None
    flags: frozenset[str] = frozenset()
    redo_count: int = 0
    return_count: int = 0
    transfer_count: int = 0
    reassign_count: int = 0
    extension: Extension | None = None
    return_info: ReturnInfo | None = None
    reply: Reply | None = None
    callback: Callback | None = None
    difficult: Marking | None = None
    supervised: Marking | None = None
    typical: Marking | None = None
    env: dict[str, Any] | None = None  # the 12369 report's own record (domain/env_complaints.py)
    emergency: dict[str, Any] | None = None  # domain/emergency.py: flagged, escalations, acknowledgement
    merge: dict[str, Any] | None = None  # R-12345-18 (domain/merging.py): a duplicate's link to its main ticket
    delegate: dict[str, Any] | None = None  # domain/handover.py: who acts for the owner, until when (R-12345-03)
    alerts_done: frozenset[str] = frozenset()
    last_seq: int = 0
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def __post_init__(self) -> None:
        """Accept the status as its string value (stored documents) and keep the enum."""
        object.__setattr__(self, "status", Status(self.status))

    @property
    def is_open(self) -> bool:
        """True until the city accepts the result (closed)."""
        return self.status != Status.CLOSED

    def with_changes(self, **changes: Any) -> Ticket:
        """A copy with some fields replaced."""
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Change:
    """The outcome of one transition: the new ticket and the event that records it."""

    before: Ticket | None
    after: Ticket
    event_type: str
    data: dict[str, Any]
    at: datetime
    actor: Actor
