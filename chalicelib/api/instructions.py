"""Leader instructions 领导批示 (R-12345-16): record + forward, answer, list; the hourly chase."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint, Rate, Response

from chalicelib.api.deps import current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.services import instructions as svc

bp = Blueprint(__name__)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["POST"])
def record(ticket_id: str) -> Response:
    """`{"text", "to": "owner"|"unit", "due"?, "leader_name"?}` → 201 the instruction, forwarded."""
    return Response(svc.record(current_actor(bp), ticket_id, json_body(bp), now()), status_code=201)


@route(bp, "/tickets/{ticket_id}/instructions", methods=["GET"])
def for_ticket(ticket_id: str) -> dict[str, Any]:
    """The instructions on a ticket."""
    return {"items": svc.for_ticket(current_actor(bp), ticket_id)}


@route(bp, "/tickets/{ticket_id}/instructions/{instr_id}/answer", methods=["POST"])
def answer(ticket_id: str, instr_id: str) -> dict[str, Any]:
    """`{"text"}` by the owner or unit it was forwarded to; closes it."""
    return svc.answer(current_actor(bp), ticket_id, instr_id, json_body(bp), now())


@route(bp, "/instructions", methods=["GET"])
def open_instructions() -> dict[str, Any]:
    """Unanswered instructions in the user's scope (`?mine=1`: those the user must answer)."""
    return {"items": svc.open_list(current_actor(bp), query(bp))}


@bp.schedule(Rate(1, unit=Rate.HOURS))
def chase_instructions(event: Any) -> None:
    """Hourly: chase 催办 every instruction past its due and still unanswered (R-12345-16)."""
    svc.chase_all(datetime.now(UTC))
