"""Leader instructions 领导批示 (R-12345-16): record + forward, answer, chase, list (the hourly chase: handlers/sweep.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import instructions as svc
else:
    svc = on_first_use("chalicelib.services.instructions")

bp = Blueprint(__name__)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["POST"])
def record(ticket_id: str) -> Response:
    """`{"text", "to": "owner"|"unit", "due"?, "leader_name"? | "leader_id"?}` → 201 the instruction, forwarded."""
    return Response(svc.record(adapters(), current_actor(bp), ticket_id, json_body(bp), now()), status_code=201)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["GET"])
def for_ticket(ticket_id: str) -> dict[str, Any]:
    """The instructions on a ticket."""
    return {"items": svc.for_ticket(adapters(), current_actor(bp), ticket_id)}


@route(bp, "/tickets/{ticket_id}/instructions/{instr_id}/answer", methods=["POST"])
def answer(ticket_id: str, instr_id: str) -> dict[str, Any]:
    """`{"text"}` by the owner or unit it was forwarded to; closes it."""
    return svc.answer(adapters(), current_actor(bp), ticket_id, instr_id, json_body(bp), now())


@route(bp, "/tickets/{ticket_id}/instructions/{instr_id}/chase", methods=["POST"])
def chase(ticket_id: str, instr_id: str) -> dict[str, Any]:
    """A chase 催办 by the 综合科 (analyst) or a leader; the owner and the addressed unit are texted."""
    return svc.chase(adapters(), current_actor(bp), ticket_id, instr_id, now())


@route(bp, "/instructions", methods=["GET"])
def open_instructions() -> dict[str, Any]:
    """Instructions in the user's scope: open ones (`?mine=1` per role), or a leader's `?status=answered`."""
    return {"items": svc.open_list(adapters(), current_actor(bp), query(bp), now())}
