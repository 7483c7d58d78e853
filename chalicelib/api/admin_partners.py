"""Admin API for partner credentials and webhook deliveries (/admin/partners…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import partners as svc
    from chalicelib.services import webhooks
else:
    svc = on_first_use("chalicelib.services.partners")
    webhooks = on_first_use("chalicelib.services.webhooks")

bp = Blueprint(__name__)


@route(bp, "/admin/partners", methods=["POST"])
def create_partner() -> Response:
    """Register a partner; the first key's secret and api_key are in this answer only."""
    return Response(svc.create_partner(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/admin/partners", methods=["GET"])
def list_partners() -> dict[str, Any]:
    """All partners."""
    return {"items": svc.list_partners(adapters(), current_actor(bp))}


@route(bp, "/admin/partners/{partner_id}", methods=["GET"])
def get_partner(partner_id: str) -> dict[str, Any]:
    """A partner and its keys (no secrets)."""
    return svc.get_partner(adapters(), current_actor(bp), partner_id)


@route(bp, "/admin/partners/{partner_id}", methods=["PATCH"])
def update_partner(partner_id: str) -> dict[str, Any]:
    """Change name, webhook_url, webhook_events, rate_per_minute."""
    return svc.update_partner(adapters(), current_actor(bp), partner_id, json_body(bp), now())


@route(bp, "/admin/partners/{partner_id}/keys", methods=["POST"])
def rotate_key(partner_id: str) -> Response:
    """New key (rotation): older keys stay valid for `grace_hours` (default 24)."""
    return Response(svc.rotate_key(adapters(), current_actor(bp), partner_id, json_body(bp), now()), status_code=201)


@route(bp, "/admin/partners/{partner_id}/keys/{key_id}/revoke", methods=["POST"])
def revoke_key(partner_id: str, key_id: str) -> dict[str, Any]:
    """Revoke a key at once."""
    return svc.revoke_key(adapters(), current_actor(bp), partner_id, key_id, now())


@route(bp, "/admin/partners/{partner_id}/deliveries", methods=["GET"])
def deliveries(partner_id: str) -> dict[str, Any]:
    """Webhook delivery log, newest first, every attempt (`limit`, `before`)."""
    return webhooks.delivery_log(adapters(), current_actor(bp), partner_id, query(bp))
