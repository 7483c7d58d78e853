"""Emergency routes (services/emergency.py): flag, acknowledge, the banner's list, the keyword rule."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import emergency as svc
    from chalicelib.services import views
else:
    views = on_first_use("chalicelib.services.views")
    svc = on_first_use("chalicelib.services.emergency")

bp = Blueprint(__name__)


@route(bp, "/tickets/{ticket_id}/emergency", methods=["POST"])
def flag_emergency(ticket_id: str) -> dict[str, Any]:
    """Operator or leader: mark an open ticket an emergency `{note?}`."""
    actor = current_actor(bp)
    return views.ticket_public(svc.flag(adapters(), actor, ticket_id, json_body(bp), now()), actor)


@route(bp, "/tickets/{ticket_id}/emergency/acknowledge", methods=["POST"])
def acknowledge_emergency(ticket_id: str) -> dict[str, Any]:
    """Leader: acknowledge the emergency `{note?}`; escalations stop."""
    actor = current_actor(bp)
    return views.ticket_public(svc.acknowledge(adapters(), actor, ticket_id, json_body(bp), now()), actor)


@route(bp, "/emergencies", methods=["GET"])
def open_emergencies() -> dict[str, Any]:
    """Unacknowledged emergencies (the staff home page's red banner)."""
    return svc.open_emergencies(adapters(), current_actor(bp))


@route(bp, "/admin/emergency-keywords", methods=["GET"])
def emergency_keywords() -> dict[str, Any]:
    """The keyword rule in force."""
    return svc.keywords(adapters(), current_actor(bp))


@route(bp, "/admin/emergency-keywords", methods=["PUT"])
def set_emergency_keywords() -> dict[str, Any]:
    """Admin: `{keywords: [...]}`."""
    return svc.set_keywords(adapters(), current_actor(bp), json_body(bp))
