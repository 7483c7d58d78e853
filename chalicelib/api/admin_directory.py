"""Admin API for units and contacts (R-12345-07) and user accounts / roles (/admin/units, /admin/users)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import admin_directory as svc
else:
    svc = on_first_use("chalicelib.services.admin_directory")

bp = Blueprint(__name__)


@route(bp, "/admin/units", methods=["POST"])
def create_unit() -> Response:
    """`{id, name, kind, active?, contacts: [{name, phone, role}]}` → 201 the unit; 409 when the id is taken."""
    return Response(svc.create_unit(adapters(), current_actor(bp), json_body(bp), now()), status_code=201)


@route(bp, "/admin/units/{unit_id}", methods=["PUT"])
def replace_unit(unit_id: str) -> dict[str, Any]:
    """Replace a unit's name, kind, active and contacts."""
    return svc.replace_unit(adapters(), current_actor(bp), unit_id, json_body(bp), now())


@route(bp, "/admin/units/{unit_id}/deactivate", methods=["POST"])
def deactivate_unit(unit_id: str) -> dict[str, Any]:
    """Mark a unit inactive (still listed, no longer dispatchable)."""
    return svc.deactivate_unit(adapters(), current_actor(bp), unit_id, now())


@route(bp, "/admin/users", methods=["GET"])
def list_users() -> dict[str, Any]:
    """One page of users (`limit` ≤ 60, `page` = the previous answer's `next_page`)."""
    return svc.list_users(adapters(), current_actor(bp), query(bp))


@route(bp, "/admin/users", methods=["POST"])
def create_user() -> Response:
    """`{username, name, role, unit_id?, email?, password | temporary_password}` → 201 the user."""
    return Response(svc.create_user(adapters(), current_actor(bp), json_body(bp)), status_code=201)


@route(bp, "/admin/users/{username}", methods=["GET"])
def get_user(username: str) -> dict[str, Any]:
    """One user."""
    return svc.get_user(adapters(), current_actor(bp), username)


@route(bp, "/admin/users/{username}", methods=["PUT"])
def update_user(username: str) -> dict[str, Any]:
    """`{name?, role?, unit_id?}`; a role change moves the user to the new role's group."""
    return svc.update_user(adapters(), current_actor(bp), username, json_body(bp))


@route(bp, "/admin/users/{username}/disable", methods=["POST"])
def disable_user(username: str) -> dict[str, Any]:
    """Disable a user (login refused, refresh tokens revoked)."""
    return svc.set_enabled(adapters(), current_actor(bp), username, False)


@route(bp, "/admin/users/{username}/enable", methods=["POST"])
def enable_user(username: str) -> dict[str, Any]:
    """Enable a user again."""
    return svc.set_enabled(adapters(), current_actor(bp), username, True)


@route(bp, "/admin/users/{username}/mfa-reset", methods=["POST"])
def reset_user_mfa(username: str) -> dict[str, Any]:
    """Forget the user's authenticator app; the next login enrols a new one (R-SEC-06, recorded)."""
    return svc.reset_mfa(adapters(), current_actor(bp), username)


@route(bp, "/admin/users/{username}/unlock", methods=["POST"])
def unlock_user(username: str) -> dict[str, Any]:
    """End a user's login lockout before its time (R-SEC-04, recorded); 409 when it is not locked."""
    return svc.unlock(adapters(), current_actor(bp), username)
