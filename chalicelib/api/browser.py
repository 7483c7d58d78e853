"""What every API response tells the browser (R-12345-11: personal data stays with the people allowed to see it).

- CORS pinned to the SPA's origin(s) (`Settings.cors_origins`, env `CORS_ORIGINS`): a request whose `Origin`
  is one of them gets it back in `Access-Control-Allow-Origin` (with `Vary: Origin`); any other origin gets
  no CORS grant, so a page elsewhere cannot read an answer. Preflights (answered by the gateway before the
  app runs: chalice local, API Gateway's mock integration) grant the first configured origin.
- `Cache-Control: no-store` on every answer that does not set its own: revealed callers, archive records,
  exports and documents never rest in a browser's or a proxy's cache.
- `X-Content-Type-Options: nosniff`, `Strict-Transport-Security`, `Referrer-Policy: same-origin` on all;
  HTML documents (printed views, record.html) get a CSP that loads nothing but their inline style
  (`frame-ancestors 'none'`) and `X-Frame-Options: DENY`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, CORSConfig, Request, Response

from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
else:
    bootstrap = on_first_use("chalicelib.bootstrap")

bp = Blueprint(__name__)

ALLOW_ORIGIN = "Access-Control-Allow-Origin"
NO_ORIGIN = "null"  # nothing configured: a value no page's origin equals (an opaque origin is refused below)
HTML_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Referrer-Policy": "same-origin",
}


def origins() -> tuple[str, ...]:
    """The SPA origins browsers may call the API from."""
    return bootstrap.settings().cors_origins


class PinnedCORS(CORSConfig):
    """A route's CORS configuration whose origin is read from the settings when a response is made."""

    @property
    def allow_origin(self) -> str:
        found = origins()
        return found[0] if found else NO_ORIGIN

    @allow_origin.setter
    def allow_origin(self, _value: str) -> None:
        """CORSConfig's constructor assigns one; the settings decide."""


def allowed_origin(origin: str | None) -> str | None:
    """The request's origin when it is one of the SPA's, else None (`null`, the opaque origin, never)."""
    if not origin or origin == NO_ORIGIN:
        return None
    return origin if origin.rstrip("/") in origins() else None


def _headers(resp: Response) -> dict[str, Any]:
    return {name.lower(): name for name in resp.headers}


def secure(request: Request | None, resp: Response) -> Response:
    """The response with the pinned CORS grant and the security headers set (see the module text)."""
    names = _headers(resp)
    if ALLOW_ORIGIN.lower() in names:
        del resp.headers[names[ALLOW_ORIGIN.lower()]]
    sent: Any = request.headers if request is not None else None
    origin = allowed_origin(str(sent.get("origin") or "")) if sent else None
    if origin is not None:
        resp.headers[ALLOW_ORIGIN] = origin
    resp.headers["Vary"] = "Origin"
    if "cache-control" not in names:
        resp.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():
        resp.headers[name] = value
    content_type = str(resp.headers.get(names.get("content-type", "Content-Type"), ""))
    if content_type.lower().startswith("text/html"):
        resp.headers["Content-Security-Policy"] = HTML_CSP
        resp.headers["X-Frame-Options"] = "DENY"
    return resp


@bp.middleware("http")
def browser_headers(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Every API answer: pinned CORS, no-store, nosniff, HSTS; CSP on HTML."""
    return secure(event, get_response(event))
