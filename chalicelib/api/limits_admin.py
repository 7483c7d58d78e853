"""Handling time limits per hotline and category: read and change (admin, versioned; domain/limits.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import limits_admin as svc
else:
    svc = on_first_use("chalicelib.services.limits_admin")

bp = Blueprint(__name__)


@route(bp, "/admin/limits", methods=["GET"])
def get_limits() -> dict[str, Any]:
    """Per hotline: the version in force, the latest (maybe scheduled later) and every version."""
    return svc.overview(adapters(), current_actor(bp), now())


@route(bp, "/admin/limits/{hotline}", methods=["PUT"])
def put_limits(hotline: str) -> dict[str, Any]:
    """`{"days": {category: n}, "effective_from"?, "note"?, "version": edited}` → the new version."""
    return svc.change(adapters(), current_actor(bp), hotline, json_body(bp), now())
