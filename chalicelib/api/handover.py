"""Hand-over (代办) of an operator's open tickets, leader-approved (R-12345-03, services/handover.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import handover as svc
else:
    svc = on_first_use("chalicelib.services.handover")

bp = Blueprint(__name__)


@route(bp, "/handovers", methods=["GET"])
def list_handovers() -> dict[str, Any]:
    """Every hand-over, newest first."""
    return svc.listing(adapters(), current_actor(bp))


@route(bp, "/handovers", methods=["POST"])
def request_handover() -> dict[str, Any]:
    """`{"to_id", "start"?, "end", "reason", "from_id"? (leaders)}` → the requested hand-over."""
    return svc.create(adapters(), current_actor(bp), json_body(bp), now())


@route(bp, "/handovers/{handover_id}", methods=["GET"])
def get_handover(handover_id: str) -> dict[str, Any]:
    """One hand-over with the tickets it covers."""
    return svc.get(adapters(), current_actor(bp), handover_id)


@route(bp, "/handovers/{handover_id}/decide", methods=["POST"])
def decide_handover(handover_id: str) -> dict[str, Any]:
    """`{"approve": bool, "note"?}` (leader) → the decided hand-over; active at once when its start has come."""
    return svc.decide(adapters(), current_actor(bp), handover_id, json_body(bp), now())
