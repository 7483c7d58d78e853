"""Leader instructions 领导批示 (R-12345-16): record + forward, answer, list (the chase: handlers/sweep.py)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.services import instructions as svc

bp = Blueprint(__name__)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["POST"])
def record(ticket_id: str) -> Response:
    """`{"text", "to": "owner"|"unit", "due"?, "leader_name"?}` → 201 the instruction, forwarded."""
    return Response(svc.record(adapters(), current_actor(bp), ticket_id, json_body(bp), now()), status_code=201)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["GET"])
def for_ticket(ticket_id: str) -> dict[str, Any]:
    """The instructions on a ticket."""
    return {"items": svc.for_ticket(adapters(), current_actor(bp), ticket_id)}


@route(bp, "/tickets/{ticket_id}/instructions/{instr_id}/answer", methods=["POST"])
def answer(ticket_id: str, instr_id: str) -> dict[str, Any]:
    """`{"text"}` by the owner or unit it was forwarded to; closes it."""
    return svc.answer(adapters(), current_actor(bp), ticket_id, instr_id, json_body(bp), now())


@route(bp, "/instructions", methods=["GET"])
def open_instructions() -> dict[str, Any]:
    """Unanswered instructions in the user's scope (`?mine=1`: those the user must answer)."""
    return {"items": svc.open_list(adapters(), current_actor(bp), query(bp))}
