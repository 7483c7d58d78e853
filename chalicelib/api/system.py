"""Health and read-only directory routes (units, reply templates)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import system as svc
else:
    svc = on_first_use("chalicelib.services.system")

bp = Blueprint(__name__)


@route(bp, "/health", methods=["GET"])
def health() -> dict[str, Any]:
    """Liveness plus warnings an admin must act on (e.g. calendar not confirmed)."""
    return svc.health(adapters(), now())


@route(bp, "/units", methods=["GET"])
def units() -> dict[str, Any]:
    """Handling units and their contacts (phones only for the roles that phone units)."""
    return {"items": svc.list_units(adapters(), current_actor(bp))}


@route(bp, "/reply-templates", methods=["GET"])
def reply_templates() -> dict[str, Any]:
    """The reply template in force per category (R-12345-06)."""
    current_actor(bp)
    return {"items": svc.reply_templates(adapters(), now())}
