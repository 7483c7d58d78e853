"""Open311 GeoReport v2 (/open311/v2/…): JSON and XML, errors in the spec's shape."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, now, query
from chalicelib.api.errors import route, status_of
from chalicelib.domain import open311 as o311
from chalicelib.domain.errors import DomainError, Forbidden, NotFound, RateLimited
from chalicelib.services import open311 as svc

log = logging.getLogger("hotline.open311")
bp = Blueprint(__name__)
BASE = "/open311/v2"
CHANGESET = "2026-11-01T00:00:00+08:00"
MAX_FORM = 32 * 1024
CONTENT_TYPE = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
FORM = "application/x-www-form-urlencoded"


def spec_status(exc: DomainError) -> int:
    """The spec knows 400, 403 and 404 (plus 429 for our rate limit)."""
    if isinstance(exc, NotFound | Forbidden | RateLimited):
        return status_of(exc)
    return 403 if status_of(exc) == 401 else 400


def respond(fmt: str, root: str, produce: Callable[[], Any], status: int = 200) -> Response:
    """Render `produce()` as JSON or XML; domain errors as the spec's error list."""
    try:
        value = produce()
    except DomainError as exc:
        status, root, value = spec_status(exc), "errors", o311.error_list(spec_status(exc), exc.message)
    body = o311.to_xml(root, value) if fmt == "xml" else value
    return Response(body, status_code=status, headers={"Content-Type": CONTENT_TYPE[fmt]})


def _form() -> dict[str, list[str]]:
    body = bp.current_request.raw_body or b""
    raw = body.encode() if isinstance(body, str) else body
    if len(raw) > MAX_FORM:
        raise o311.Open311Error(f"request body larger than {MAX_FORM} bytes")
    try:
        text = raw.decode("utf-8")
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, max_num_fields=100)
    except (UnicodeDecodeError, ValueError) as exc:
        raise o311.Open311Error("the body must be UTF-8 application/x-www-form-urlencoded") from exc


def _register(path: str, method: str, name: str, view: Callable[..., Response], **options: Any) -> None:
    view.__name__ = name
    view.__doc__ = f"Open311 GeoReport v2: {method} {path}"
    route(bp, path, methods=[method], **options)(view)


def _make(fmt: str) -> None:
    def discovery() -> Response:
        base = (adapters().settings.public_base_url or "").rstrip("/") + BASE
        return respond(fmt, "discovery", lambda: o311.discovery(base, CHANGESET))

    def services() -> Response:
        return respond(fmt, "services", o311.services_list)

    def list_requests() -> Response:
        return respond(fmt, "service_requests", lambda: svc.list_requests(adapters(), query(bp), now()))

    def create_request() -> Response:
        return respond(fmt, "service_requests", lambda: [svc.create_request(adapters(), _form(), now())], status=201)

    _register(f"{BASE}/discovery.{fmt}", "GET", f"open311_discovery_{fmt}", discovery)
    _register(f"{BASE}/services.{fmt}", "GET", f"open311_services_{fmt}", services)
    _register(f"{BASE}/requests.{fmt}", "GET", f"open311_requests_{fmt}", list_requests)
    _register(f"{BASE}/requests.{fmt}", "POST", f"open311_create_{fmt}", create_request, content_types=[FORM])


for _fmt in o311.FORMATS:
    _make(_fmt)


def _format_of(name: str) -> str:
    return name.rpartition(".")[2] if name.rpartition(".")[2] in o311.FORMATS else "json"


@route(bp, f"{BASE}/services/{{service_file}}", methods=["GET"])
def service_definition(service_file: str) -> Response:
    """`services/{service_code}.json|xml`: the service's attributes."""
    fmt = _format_of(service_file)
    return respond(fmt, "service_definition", lambda: o311.service_definition(o311.split_format(service_file)[0]))


@route(bp, f"{BASE}/requests/{{request_file}}", methods=["GET"])
def get_request(request_file: str) -> Response:
    """`requests/{service_request_id}.json|xml`: one request (a list of one, as the spec shows)."""
    fmt = _format_of(request_file)
    extensions = query(bp).get("extensions", "").lower() == "true"
    return respond(
        fmt,
        "service_requests",
        lambda: [svc.get_request(adapters(), o311.split_format(request_file)[0], extensions=extensions)],
    )
