"""Public status lookup for citizens: number + verification code, no personal data (R-12369-02)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import lookup
else:
    lookup = on_first_use("chalicelib.services.lookup")

bp = Blueprint(__name__)


def client_address(blueprint: Blueprint) -> str:
    """The caller's source IP as API Gateway reports it."""
    identity = (blueprint.current_request.context or {}).get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


@route(bp, "/public/v1/requests/{number}", methods=["GET"])
def lookup_request(number: str) -> dict[str, Any]:
    """Status, handling unit, dates and public reply of a request (`?code=` from the SMS)."""
    return lookup.lookup(adapters(), number, query(bp).get("code"), client_address(bp), now())
