"""Reply templates 答复参考范本 (R-12345-06): read, edit (admin, versioned), check a draft reply."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import templates_admin as svc
else:
    svc = on_first_use("chalicelib.services.templates_admin")

bp = Blueprint(__name__)


@route(bp, "/reply-templates/{category}", methods=["GET"])
def get_template(category: str) -> dict[str, Any]:
    """The template in force for a category, with its version."""
    current_actor(bp)
    return svc.current(adapters(), category)


@route(bp, "/reply-templates/{category}", methods=["PUT"])
def put_template(category: str) -> dict[str, Any]:
    """`{"sections": [{id,title,required,guidance}], "version": edited, "note"?}` → the new version (admin)."""
    return svc.save(adapters(), current_actor(bp), category, json_body(bp), now())


@route(bp, "/reply-templates/{category}/versions", methods=["GET"])
def versions(category: str) -> dict[str, Any]:
    """Every version of a category's template, oldest first (0 = built-in default)."""
    current_actor(bp)
    return {"items": svc.versions(adapters(), category)}


@route(bp, "/reply-templates/{category}/check", methods=["POST"])
def check(category: str) -> dict[str, Any]:
    """`{"sections": {id: text}}`: 200 when complete, 422 naming the missing sections."""
    return svc.check(adapters(), current_actor(bp), category, json_body(bp))
