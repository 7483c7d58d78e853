"""Leader instructions 领导批示 (R-12345-16): recorded, forwarded, chased until answered, answered.

A leader records under their own name; an operator or the 综合科 (analyst, responsible for 批示的转办、催办和反馈)
enters a written 批示 naming a registered leader account, and the analyst or the leader may chase it at any time.

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
RECORD_ROLES = frozenset({Role.LEADER, Role.OPERATOR, Role.ANALYST})  # staff enter a leader's written 批示
PRIVATE = ("text", "answer", "leader")  # what a unit handler of another unit never reads in an event
CHASE_ROLES = frozenset({Role.ANALYST, Role.LEADER})  # 综合科 chases (催办); the leader may too


def leader_of(body: Mapping[str, Any], actor: Actor, leaders: Mapping[str, str] | None) -> tuple[str, str]:
    """(leader's user id, name) whose instruction this is (R-12345-16): a leader's own, under their own name
    only; an operator's entry names a registered leader account (`leaders`: user id → display name) by its
    display name (`leader_name`) or user id (`leader_id`) — never a free name. `leaders` None: no account
    directory to check against (OIDC stages), so only leaders themselves record."""
    if actor.role == Role.LEADER:
        own = actor.name or actor.user_id
        named = inputs.text(body, "leader_name", required=False, limit=64)
        given_id = body.get("leader_id")
        if (named and named != own) or (given_id not in (None, "", actor.user_id)):
            raise ValidationError({"leader_name": "分管领导只能以本人名义录入批示"})
        return actor.user_id, own
    if leaders is None:
        raise Forbidden("本系统的账号由统一身份认证平台管理，领导批示须由分管领导本人录入", role=actor.role)
    leader_id = body.get("leader_id")
    if leader_id not in (None, ""):
        if not isinstance(leader_id, str) or leader_id not in leaders:
            raise ValidationError({"leader_id": "须为已登记的分管领导账号"})
        return leader_id, leaders[leader_id]
    named = inputs.text(body, "leader_name", limit=64)
    matches = [uid for uid, name in leaders.items() if name == named]
    if len(matches) != 1:
        problem = (
            "同名的分管领导不止一位，请改用 leader_id" if matches else "须为已登记的分管领导（姓名须与其账号一致）"
        )
        raise ValidationError({"leader_name": problem})
    return matches[0], named


def new_instruction(
    instr_id: str,
    ticket: Ticket,
    body: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    cal: WorkCalendar,
    leaders: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Validate and build an instruction; forwarded at once to its target."""
    if actor.role not in RECORD_ROLES:
        raise Forbidden("只有分管领导、经办人或综合科可以录入领导批示", role=actor.role)
    text = inputs.text(body, "text", limit=2000)
    target = body.get("to", "owner")
    if target not in TARGETS:
        raise ValidationError({"to": "须为 owner（派单经办人）或 unit（承办单位）"})
    to_id = ticket.owner_id if target == "owner" else ticket.unit_id
    if not to_id:
        raise InvalidTransition("工单尚未派单，无法转交批示", ticket_id=ticket.ticket_id, to=target)
    leader_id, leader = leader_of(body, actor, leaders)
    due = inputs.due_from(body["due"], "due", cal).at if body.get("due") else deadlines.reassign_due(cal, now).at
    if due <= now:
        raise ValidationError({"due": "须晚于当前时间"})
    return {
        "id": instr_id,
        "ticket_id": ticket.ticket_id,
        "text": text,
        "leader": leader,
        "leader_id": leader_id,
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


def chase_by(instr: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A chase 催办 asked for by the analyst or a leader (any time while open); the hourly chase resumes
    CHASE_EVERY later, or at the due if that is later."""
    if actor.role not in CHASE_ROLES:
        raise Forbidden("只有综合科或分管领导可以催办领导批示", role=actor.role)
    if instr["status"] != "open":
        raise InvalidTransition("该批示已答复，无需催办", instruction_id=instr["id"])
    chased = chase(instr, now)
    due = datetime.fromisoformat(instr["due"])
    chased["next_chase_at"] = max(now + CHASE_EVERY, due).isoformat()
    return chased


def addressed_to_unit(instr: Mapping[str, Any], unit_id: str | None) -> bool:
    """True when the instruction was forwarded to this unit (the only instructions its handlers may read)."""
    to = instr.get("to") or {}
    return bool(unit_id) and to.get("kind") == "unit" and to.get("id") == unit_id


def redact_event(actor: Actor, event: dict[str, Any]) -> dict[str, Any]:
    """R-12345-16: a unit handler sees that an instruction exists on its ticket, never the text, answer or
    leader of one not addressed to their unit (the ticket's history, `GET /tickets/{id}/events`)."""
    if actor.role != Role.UNIT_HANDLER or not str(event.get("type", "")).startswith("instruction_"):
        return event
    data = event.get("data") or {}
    if addressed_to_unit(data, actor.unit_id):
        return event
    return dict(event, data={k: v for k, v in data.items() if k not in PRIVATE})
