"""Leader instructions 领导批示 (R-12345-16): recorded, forwarded, chased until answered, answered.

Pure: the service stores the result (Directory `INSTR#{ticket}` + a ticket event in one transaction).
An instruction is forwarded to the ticket's owner (the dispatcher, R-12345-03) or to its handling
unit; the answer is due like a re-assigned ticket, 3 working days unless the leader sets a date
(R-12345-09); from the due on, the hourly chase records a reminder every CHASE_EVERY until answered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain import deadlines, inputs
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import Forbidden, InvalidTransition, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket

TARGETS = ("owner", "unit")
CHASE_EVERY = timedelta(hours=24)
RECORD_ROLES = frozenset({Role.LEADER, Role.OPERATOR})  # an operator may enter a leader's written 批示


def new_instruction(
    instr_id: str, ticket: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, cal: WorkCalendar
) -> dict[str, Any]:
    """Validate and build an instruction; forwarded at once to its target."""
    if actor.role not in RECORD_ROLES:
        raise Forbidden("只有分管领导或经办人可以录入领导批示", role=actor.role)
    text = inputs.text(body, "text", limit=2000)
    target = body.get("to", "owner")
    if target not in TARGETS:
        raise ValidationError({"to": "须为 owner（派单经办人）或 unit（承办单位）"})
    to_id = ticket.owner_id if target == "owner" else ticket.unit_id
    if not to_id:
        raise InvalidTransition("工单尚未派单，无法转交批示", ticket_id=ticket.ticket_id, to=target)
    leader = (
        inputs.text(body, "leader_name", required=actor.role != Role.LEADER, limit=64) or actor.name or actor.user_id
    )
    due = inputs.due_from(body["due"], "due", cal).at if body.get("due") else deadlines.reassign_due(cal, now).at
    if due <= now:
        raise ValidationError({"due": "须晚于当前时间"})
    return {
        "id": instr_id,
        "ticket_id": ticket.ticket_id,
        "text": text,
        "leader": leader,
        "recorded_by": actor.user_id,
        "recorded_at": now.isoformat(),
        "to": {"kind": target, "id": to_id},
        "forwarded_at": now.isoformat(),
        "due": due.isoformat(),
        "next_chase_at": due.isoformat(),
        "chases": [],
        "status": "open",
        "answer": None,
    }


def may_answer(instr: Mapping[str, Any], actor: Actor) -> bool:
    """The target answers: the owner operator, or a handler of the target unit."""
    to = instr["to"]
    if to["kind"] == "owner":
        return actor.role == Role.OPERATOR and actor.user_id == to["id"]
    return actor.role == Role.UNIT_HANDLER and actor.unit_id == to["id"]


def answer(instr: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """Record the answer (closes the instruction, stops the chase)."""
    if instr["status"] != "open":
        raise InvalidTransition("该批示已答复", instruction_id=instr["id"])
    if not may_answer(instr, actor):
        raise Forbidden("只有批示转交的对象可以答复", to=instr["to"])
    text = inputs.text(body, "text", limit=4000)
    on_time = now <= datetime.fromisoformat(instr["due"])
    return dict(
        instr,
        status="answered",
        next_chase_at=None,
        answer={"text": text, "by": actor.user_id, "at": now.isoformat(), "on_time": on_time},
    )


def chase_due(instr: Mapping[str, Any], now: datetime) -> bool:
    """True when an open instruction's next chase time has come."""
    nxt = instr.get("next_chase_at")
    return instr["status"] == "open" and nxt is not None and datetime.fromisoformat(nxt) <= now


def chase(instr: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Record one reminder 催办 and schedule the next."""
    chases = [*instr.get("chases", []), now.isoformat()]
    return dict(instr, chases=chases, next_chase_at=(now + CHASE_EVERY).isoformat())
