"""Leader instructions 领导批示 (R-12345-16): record + forward, answer, chase (hourly, or by the 综合科).

Each step is ONE transaction through the ticket repository: the Directory item `INSTR#{ticket}` /
`{id}` (open ones in gsi1 `INSTR-OPEN`, answered ones in gsi1 `INSTR-ANSWERED#{leader id}` for the
leader's home) and a ticket event (`instruction_recorded`, `instruction_answered`, `instruction_chased`)
whose ticket is unchanged but for `updated_at`, so the instruction is in the ticket's history and its
stream: services/notify.py texts the owner and the addressed unit on forwarding and chasing, the leader
on the answer. A unit handler reads an instruction's text only when it is addressed to their unit
(`domain.instructions.redact_event`, the ticket's `/events`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, instructions, tickets
from chalicelib.domain.errors import Conflict, NotFound, ValidationError
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Change, Role, Ticket
from chalicelib.integrations import userpool
from chalicelib.storage.table import Absent, Cond, Equals, Item

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.instructions")
OPEN_INDEX = "INSTR-OPEN"
ANSWERED_INDEX = "INSTR-ANSWERED#"  # + the leader's user id; sorted by the answer's time
ANSWERED_LIMIT = 20


def _pk(ticket_id: str) -> str:
    return f"INSTR#{ticket_id}"


def _item(instr: Mapping[str, Any]) -> Item:
    key = f"{instr['ticket_id']}#{instr['id']}"
    if instr["status"] == "open":
        return Item(
            _pk(instr["ticket_id"]),
            instr["id"],
            dict(instr),
            gsi1pk=OPEN_INDEX,
            gsi1sk=f"{instr['next_chase_at']}#{key}",
        )
    if instr.get("leader_id") and instr.get("answer"):  # R-12345-16: the answer shown on the leader's home
        index = f"{ANSWERED_INDEX}{instr['leader_id']}"
        return Item(
            _pk(instr["ticket_id"]), instr["id"], dict(instr), gsi1pk=index, gsi1sk=f"{instr['answer']['at']}#{key}"
        )
    return Item(_pk(instr["ticket_id"]), instr["id"], dict(instr))


def _commit(
    deps: Adapters, ticket: Ticket, event: str, instr: Mapping[str, Any], actor: Actor, now: datetime, *, new: bool
) -> None:
    """The instruction item and a ticket event in one TransactWriteItems (409 if either raced)."""
    data = {"instruction_id": instr["id"], "to": instr["to"], "status": instr["status"], "due": instr["due"]}
    data["leader_id"] = instr.get("leader_id")
    if event == "instruction_recorded":
        data.update(text=instr["text"], leader=instr["leader"])
    elif event == "instruction_answered":
        data.update(answer=instr["answer"]["text"], on_time=instr["answer"]["on_time"])
    elif event == "instruction_chased":
        data.update(chases=len(instr["chases"]))
    change = Change(ticket, ticket.with_changes(updated_at=now), event, data, now, actor)
    cond: Cond = Absent() if new else Equals("gsi1pk", OPEN_INDEX)
    deps.tickets.commit(change, tickets.next_alert(change.after, deps.contexts.load(now)), extra=[(_item(instr), cond)])


def record(deps: Adapters, actor: Actor, ticket_id: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A leader's instruction on a ticket: recorded and forwarded to the owner or the unit."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    instr_id = f"I{now.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:6]}"
    leaders = _leaders(deps) if actor.role in (Role.OPERATOR, Role.ANALYST) else None
    instr = instructions.new_instruction(instr_id, ticket, body, actor, now, deps.contexts.load(now).calendar, leaders)
    _commit(deps, ticket, "instruction_recorded", instr, actor, now, new=True)
    return instr


def _leaders(deps: Adapters) -> dict[str, str] | None:
    """Registered leader accounts (user id → display name): the user pool's `leader` group; None on OIDC
    stages, whose accounts live at the identity provider (only leaders themselves record there)."""
    if not deps.settings.user_pool_id:
        return None
    members = userpool.group_members(deps.clients("cognito-idp"), deps.settings.user_pool_id, Role.LEADER)
    return {m["username"]: m["name"] for m in members}


def _get(deps: Adapters, ticket_id: str, instr_id: str) -> dict[str, Any]:
    instr = deps.directory.get_item(_pk(ticket_id), instr_id)
    if instr is None:
        raise NotFound(f"批示 {instr_id} 不存在", instruction_id=instr_id)
    return instr


def answer(
    deps: Adapters, actor: Actor, ticket_id: str, instr_id: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """The owner's or unit's answer; closes the instruction."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    done = instructions.answer(_get(deps, ticket_id, instr_id), body, actor, now)
    _commit(deps, ticket, "instruction_answered", done, actor, now, new=False)
    return done


def chase(deps: Adapters, actor: Actor, ticket_id: str, instr_id: str, now: datetime) -> dict[str, Any]:
    """A chase 催办 by the 综合科 (analyst) or a leader: recorded on the ticket, the owner and unit texted."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    chased = instructions.chase_by(_get(deps, ticket_id, instr_id), actor, now)
    _commit(deps, ticket, "instruction_chased", chased, actor, now, new=False)
    return chased


def _visible(actor: Actor, instr: Mapping[str, Any]) -> bool:
    if actor.role == Role.UNIT_HANDLER:
        return instructions.addressed_to_unit(instr, actor.unit_id)
    return actor.role in (Role.LEADER, Role.OPERATOR, Role.ANALYST, Role.ADMIN)


def for_ticket(deps: Adapters, actor: Actor, ticket_id: str) -> list[dict[str, Any]]:
    """The instructions on one ticket (unit handlers: those forwarded to their unit)."""
    access.ensure_view(actor, deps.tickets.get(ticket_id))
    names = deps.contexts.names()
    return [_named(i, names) for _, i in deps.directory.list_items(_pk(ticket_id)) if _visible(actor, i)]


def _named(instr: dict[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """An instruction as shown, its people as printed (name with unit, domain/people.py), never login ids:
    `recorded_by_name` (who entered it), `to.name` (the owner it went to), the answer's `by_name`."""
    out = dict(instr, recorded_by_name=names.get(str(instr.get("recorded_by"))))
    to = instr.get("to")
    if isinstance(to, Mapping) and to.get("kind") == "owner":
        out["to"] = dict(to, name=names.get(str(to.get("id"))))
    answer = instr.get("answer")
    if isinstance(answer, Mapping):
        out["answer"] = dict(answer, by_name=names.get(str(answer.get("by"))))
    return out


def _mine(actor: Actor, instr: Mapping[str, Any]) -> bool:
    """`mine=1` per role: a leader's own instructions, the analyst's entries, the ones to answer otherwise."""
    if actor.role == Role.LEADER:
        return bool(instr.get("leader_id") == actor.user_id)
    if actor.role == Role.ANALYST:
        return bool(instr.get("recorded_by") == actor.user_id)
    return instructions.may_answer(instr, actor)


def open_list(deps: Adapters, actor: Actor, params: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    """Instructions in the actor's scope (R-12345-16). Open ones (default), the most urgent first, each with
    `overdue`; `mine=1` narrows per role (`_mine`). `status=answered`: a leader's answered ones, newest first."""
    access.ensure_role(actor, Role.LEADER, Role.OPERATOR, Role.ANALYST, Role.ADMIN, Role.UNIT_HANDLER)
    status = params.get("status") or "open"
    if status not in ("open", "answered"):
        raise ValidationError({"status": "须为 open（待回复）或 answered（已回复）"})
    if status == "answered":
        if actor.role != Role.LEADER:
            raise ValidationError({"status": "已回复的批示只列给作出批示的分管领导"})
        rows = deps.directory.query_items(
            f"{ANSWERED_INDEX}{actor.user_id}", index=True, limit=ANSWERED_LIMIT, newest_first=True
        )
        return [_named(i, deps.contexts.names()) for _, i in rows]
    items = [i for _, i in deps.directory.query_items(OPEN_INDEX, index=True) if _visible(actor, i)]
    if params.get("mine") in ("1", "true"):
        items = [i for i in items if _mine(actor, i)]
    items.sort(key=lambda i: str(i.get("due")))
    names = deps.contexts.names()
    return [dict(_named(i, names), overdue=datetime.fromisoformat(i["due"]) < now) for i in items]


def chase_all(deps: Adapters, now: datetime) -> int:
    """The hourly chase 催办: every open instruction past its next chase time gets a reminder event."""
    count = 0
    for _, instr in deps.directory.query_items(OPEN_INDEX, index=True):
        if not instructions.chase_due(instr, now):
            continue
        try:
            _commit(
                deps,
                deps.tickets.get(instr["ticket_id"]),
                "instruction_chased",
                instructions.chase(instr, now),
                SYSTEM_ACTOR,
                now,
                new=False,
            )
            count += 1
        except (Conflict, NotFound):
            log.info("chase of %s deferred (ticket changed meanwhile)", instr["id"])
    return count
