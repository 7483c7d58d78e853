"""Which deployed function serves a route: the API is split by blast radius (docs/deploy.md).

`infra/package.py` turns Chalice's one REST function into four — public, partner, staff, admin —
each with its own least-privilege role, and points every route of the packaged API at the function
of its surface (`surface_of`). Each function is told its surface (`API_SURFACE`, read by the
composition root into `Settings.api_surface`); the middleware below refuses, as an unknown route,
any request for a route of another surface, so a mis-wired integration cannot run a staff route
under the public role. Without a surface (`make run`, tests) one process serves every route.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import Blueprint, Request, Response

from chalicelib.api.deps import adapters
from chalicelib.api.errors import error_response
from chalicelib.api.fallback import unknown_route

bp = Blueprint(__name__)

PUBLIC = "public"
PARTNER = "partner"
STAFF = "staff"
ADMIN = "admin"
SURFACES = (PUBLIC, PARTNER, STAFF, ADMIN)

# Unauthenticated, read-only, no personal data: the public lookup (R-12369-02), Open311 reads,
# health and the API description; unknown paths (the catch-all routes) answer 404 here too.
_PUBLIC_PREFIXES = ("/public/", "/open311/", "/health", "/openapi.json", "/{p1}")


def surface_of(path: str, method: str) -> str:
    """The surface of a route (its path as declared, e.g. `/tickets/{ticket_id}`, and its method)."""
    if path.startswith("/partner/"):
        return PARTNER
    if path.startswith("/open311/"):
        # Open311 writes come from registered partner systems (API key + signature); reads are public
        return PARTNER if method.upper() == "POST" else PUBLIC
    if path.startswith(_PUBLIC_PREFIXES):
        return PUBLIC
    if path.startswith("/admin/"):
        return ADMIN
    return STAFF


@bp.middleware("http")
def only_this_functions_surface(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """A function deployed for one surface answers the routes of the others as unknown (404)."""
    served = adapters().settings.api_surface
    if served:
        declared = str((event.context or {}).get("resourcePath") or event.path)
        if surface_of(declared, event.method) != served:
            return error_response(unknown_route())
    return get_response(event)
