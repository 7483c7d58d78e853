"""12369 routes besides the ticket verbs: the monthly spot-check sample and its callback queue (R-12369-08)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import env_complaints as svc
else:
    svc = on_first_use("chalicelib.services.env_complaints")

bp = Blueprint(__name__)


@route(bp, "/env/spot-checks", methods=["POST"])
def draw_sample() -> dict[str, Any]:
    """`{"month", "rate"?, "seed"?}`: draw the month's reproducible sample of signed 12369 reports."""
    return svc.sample(adapters(), current_actor(bp), json_body(bp), now())


@route(bp, "/env/spot-checks", methods=["GET"])
def spot_queue() -> dict[str, Any]:
    """`?month=`: the month's spot-check callback queue with each result."""
    return svc.queue(adapters(), current_actor(bp), query(bp))
