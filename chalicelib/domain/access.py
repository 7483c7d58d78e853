"""Who may do what: role × action × unit scope, and personal-data masking (R-12345-03, R-12345-11).

One table decides every ticket action; `tests/unit/test_access.py` checks it as a matrix.
"""

from __future__ import annotations

from chalicelib.documents.labels import label
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.model import Actor, Caller, Role, Ticket

# Verbs of the ticket API and the roles that may attempt them (state is checked in tickets.py).
ACTION_ROLES: dict[str, frozenset[str]] = {
    "create": frozenset({Role.OPERATOR, Role.PARTNER}),
    "dispatch": frozenset({Role.OPERATOR}),
    "sign": frozenset({Role.UNIT_HANDLER}),
    "return": frozenset({Role.UNIT_HANDLER}),
    "transfer": frozenset({Role.OPERATOR}),
    "request-extension": frozenset({Role.UNIT_HANDLER}),
    "decide-extension": frozenset({Role.LEADER}),
    "reply": frozenset({Role.UNIT_HANDLER}),
    "review": frozenset({Role.OPERATOR}),
    "callback": frozenset({Role.OPERATOR}),
    "submit": frozenset({Role.OPERATOR}),
    "close": frozenset({Role.OPERATOR, Role.PARTNER}),
    "city-reject": frozenset({Role.OPERATOR, Role.PARTNER}),
    "reassign": frozenset({Role.OPERATOR, Role.PARTNER}),
    "flag-difficult": frozenset({Role.OPERATOR, Role.ANALYST}),
    "leader-decision": frozenset({Role.LEADER}),
    "flag-supervised": frozenset({Role.OPERATOR, Role.LEADER}),
    "mark-typical": frozenset({Role.OPERATOR}),
    "record-call": frozenset({Role.OPERATOR, Role.UNIT_HANDLER}),
    # the 12369 workflow (domain/env_complaints.py, R-12369-02…08)
    "decide": frozenset({Role.OPERATOR}),
    "forward": frozenset({Role.OPERATOR}),
    "report": frozenset({Role.UNIT_HANDLER}),
    "sign-off": frozenset({Role.LEADER}),
    "send-back": frozenset({Role.LEADER}),
    "supervise": frozenset({Role.OPERATOR, Role.LEADER}),
    "answer-supervision": frozenset({Role.UNIT_HANDLER, Role.OPERATOR}),
    "spot-check": frozenset({Role.OPERATOR}),
    # R-12345-15: a typical mark is removed by an operator or by the 综合科 / leader who compile the summary
    "unmark-typical": frozenset({Role.OPERATOR, Role.ANALYST, Role.LEADER}),
}

# Operator verbs restricted to the ticket's owner: whoever dispatches owns it (R-12345-03).
OWNER_ONLY = frozenset({"transfer", "review", "callback", "submit", "close", "city-reject", "reassign", "forward"})
# Unit-handler verbs restricted to the lead unit (co-units only see the ticket).
LEAD_UNIT_ONLY = frozenset(
    {"sign", "return", "request-extension", "reply", "record-call", "report", "answer-supervision"}
)

VIEW_ALL_ROLES = frozenset({Role.OPERATOR, Role.ANALYST, Role.LEADER, Role.ADMIN, Role.PARTNER, Role.SYSTEM})
# R-12345-11: who may ever see unmasked caller data of a ticket. Units never (the reported party
# is a unit), administrators never (they run the system, not the cases).
REVEAL_ROLES = frozenset({Role.OPERATOR, Role.LEADER})
# the reason code every reveal names (labels: `reveal_reason` in documents/labels.py)
REVEAL_REASONS = ("callback", "verify", "handling", "supervision")
REVEAL_REASON_PROBLEM = "查看来电人信息须选择事由：回访来电人、核实来电人身份、办理需要或督办核查"
HIDDEN = "***"  # what a confidential ticket shows of each caller field to everyone who may not reveal


def can_view(actor: Actor, ticket: Ticket) -> bool:
    """Unit handlers see their own unit's tickets (lead or co-unit); staff roles see all."""
    if actor.role in VIEW_ALL_ROLES:
        return True
    if actor.role == Role.UNIT_HANDLER and actor.unit_id:
        return actor.unit_id == ticket.unit_id or actor.unit_id in ticket.co_unit_ids
    return False


def ensure_view(actor: Actor, ticket: Ticket) -> None:
    """Raise NotFound when the actor may not know the ticket exists (another unit's id → 404)."""
    if not can_view(actor, ticket):
        raise NotFound(f"工单 {ticket.ticket_id} 不存在", ticket_id=ticket.ticket_id)


def role_may(actor: Actor, verb: str) -> bool:
    """True when the actor's role takes this verb at all (on some ticket, in some state)."""
    return actor.role in ACTION_ROLES.get(verb, frozenset())


def ensure_role_may(actor: Actor, verb: str) -> None:
    """Raise Forbidden when the actor's role never takes this verb."""
    if not role_may(actor, verb):
        raise Forbidden(f"「{label('role', actor.role)}」不能「{label('verb', verb)}」", verb=verb, role=actor.role)


def permits(actor: Actor, verb: str, ticket: Ticket) -> bool:
    """True when role, ownership and unit scope allow the verb (state not considered)."""
    if not role_may(actor, verb):
        return False
    if actor.role == Role.OPERATOR and verb == "reassign":  # R-12345-09: reopened by its dispatcher, not any operator
        return actor.user_id in (ticket.owner_id, ticket.first_owner_id, delegate_id(ticket))
    if actor.role == Role.OPERATOR and verb in OWNER_ONLY:
        return actor.user_id in (ticket.owner_id, delegate_id(ticket))  # R-12345-03: or the approved delegate
    if actor.role == Role.OPERATOR and verb in ("dispatch", "decide"):
        return ticket.owner_id in (None, actor.user_id)
    if actor.role == Role.UNIT_HANDLER and verb in LEAD_UNIT_ONLY:
        return actor.unit_id is not None and actor.unit_id == ticket.unit_id
    return True


def delegate_id(ticket: Ticket) -> str | None:
    """The operator acting for the owner under an active, leader-approved hand-over (domain/handover.py)."""
    return str(ticket.delegate["user_id"]) if ticket.delegate and ticket.delegate.get("user_id") else None


def ensure_permitted(actor: Actor, verb: str, ticket: Ticket) -> None:
    """Raise NotFound/Forbidden unless the actor may attempt `verb` on the ticket (its state aside)."""
    ensure_view(actor, ticket)
    ensure_role_may(actor, verb)
    if not permits(actor, verb, ticket):
        who = "工单负责人（派单人）或其代办人" if actor.role == Role.OPERATOR else "主办单位"
        raise Forbidden(f"只有{who}可以对工单 {ticket.ticket_id}「{label('verb', verb)}」", verb=verb, role=actor.role)


def ensure_role(actor: Actor, *roles: str) -> None:
    """Raise Forbidden unless the actor has one of the roles."""
    if actor.role not in roles:
        raise Forbidden(f"「{label('role', actor.role)}」无权执行此操作", role=actor.role, allowed=sorted(roles))


def can_reveal(actor: Actor, ticket: Ticket) -> bool:
    """Who may see unmasked caller data (R-12345-11).

    Leaders; operators only on tickets of their own office work — taken (`created_by`), dispatched
    (`first_owner_id`), owned (`owner_id`) by them or handed over to them (`delegate`, R-12345-03) — and never on a confidential ticket (those are
    revealed by a leader). No unit handler (a unit may be the reported party), no administrator.
    """
    if actor.role == Role.LEADER:
        return True
    if actor.role != Role.OPERATOR or ticket.confidential:
        return False
    return actor.user_id in (ticket.owner_id, ticket.first_owner_id, ticket.created_by, delegate_id(ticket))


def mask_text(value: str, keep_start: int = 1, keep_end: int = 0) -> str:
    """Mask all but the first/last characters: 张三丰 → 张**, 13800001234 → 138****1234."""
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return value[:1] + "*" * (len(value) - 1)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + (value[-keep_end:] if keep_end else "")


def mask_phone(phone: str) -> str:
    """13800001234 → 138****1234; short numbers keep their first digit only."""
    return mask_text(phone, 3, 4) if len(phone) >= 8 else mask_text(phone)


def masked_caller(caller: Caller, *, confidential: bool = False) -> Caller:
    """The caller as shown without the right (or the wish) to reveal; on a confidential ticket
    nothing of any field (no surname, no digit, no address start, no employer initial, R-12345-11)."""
    if confidential:
        return Caller(
            *(HIDDEN if value else "" for value in (caller.name, caller.phone, caller.employer, caller.address))
        )
    return Caller(
        name=mask_text(caller.name, 1),
        phone=mask_phone(caller.phone),
        employer=mask_text(caller.employer, 1) if caller.employer else "",
        address=mask_text(caller.address, 3) if caller.address else "",
    )
