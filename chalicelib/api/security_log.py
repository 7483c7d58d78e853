"""The security log for auditors (R-SEC-01…03): `GET /security-log` (services/security_log.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import security_log as svc
else:
    svc = on_first_use("chalicelib.services.security_log")

bp = Blueprint(__name__)


@route(bp, "/security-log", methods=["GET"])
def read() -> dict[str, Any]:
    """`?kind=&action=&actor=&from=&to=&page=` → entries newest first (auditors only; 403 for everyone else)."""
    return svc.read(adapters(), current_actor(bp), query(bp), now())
