"""The caller's own work: the five confirmations (R-12345-13) and open follow-up tasks (R-12345-04)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import confirmations as svc
else:
    svc = on_first_use("chalicelib.services.confirmations")

bp = Blueprint(__name__)


@route(bp, "/me/confirmations", methods=["GET"])
def my_confirmations() -> dict[str, Any]:
    """五个确认 for the caller's role and scope: counts and the first items of each group."""
    return svc.confirmations(adapters(), current_actor(bp), now())


@route(bp, "/me/tasks", methods=["GET"])
def my_tasks() -> dict[str, Any]:
    """Open "phone the unit" tasks; recording the reminder call closes them."""
    return {"items": svc.my_tasks(adapters(), current_actor(bp))}


@route(bp, "/me/confirmations/confirm", methods=["POST"])
def confirm_item() -> dict[str, Any]:
    """逐项确认: tick one ticket of a group off (R-12345-13); confirming again changes nothing."""
    return svc.confirm(adapters(), current_actor(bp), json_body(bp), now())
