"""Open311 GeoReport v2 (/open311/v2/…): JSON and XML, errors in the spec's shape."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route, status_of
from chalicelib.domain import open311 as o311
from chalicelib.domain.errors import DomainError, Forbidden, NotFound, RateLimited
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import open311 as svc
else:
    svc = on_first_use("chalicelib.services.open311")

log = logging.getLogger("hotline.open311")
bp = Blueprint(__name__)
BASE = "/open311/v2"
CHANGESET = "2026-11-01T00:00:00+08:00"
MAX_FORM = 64 * 1024  # 4,000 characters of any script percent-encoded (≤ 12 bytes each) and the other fields
# Bare media types, as Open311 clients compare them: JSON is UTF-8 by definition (RFC 8259, which defines no
# charset parameter) and the XML declaration `encoding="utf-8"` governs a text/xml body without one (RFC 7303).
CONTENT_TYPE = {"json": "application/json", "xml": "text/xml"}
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


def _params() -> dict[str, list[str]]:
    """Query parameters with every value of a repeated one (`status=open&status=closed`)."""
    given = bp.current_request.query_params
    return {k: [str(v) for v in given.getlist(k)] for k in given} if given else {}


def base_url() -> str:
    """The absolute Open311 base: the stage's public base URL (Settings `public_base_url`), else the URL
    this request came in on (API Gateway: https://{domainName}/{stage})."""
    configured = adapters().settings.public_base_url
    if configured:
        return configured.rstrip("/") + BASE
    request = bp.current_request
    headers: Mapping[str, str] = request.headers or {}
    context = request.context or {}
    host = str(context.get("domainName") or headers.get("host") or "127.0.0.1")
    proto = str(headers.get("x-forwarded-proto") or ("http" if adapters().settings.is_local else "https"))
    stage = str(context.get("stage") or "")
    prefix = f"/{stage}" if stage and ".execute-api." in host else ""
    return f"{proto}://{host}{prefix}{BASE}"


def _register(path: str, method: str, name: str, view: Callable[..., Response], **options: Any) -> None:
    view.__name__ = name
    view.__doc__ = f"Open311 GeoReport v2: {method} {path}"
    route(bp, path, methods=[method], **options)(view)


def _make(fmt: str) -> None:
    def discovery() -> Response:
        return respond(fmt, "discovery", lambda: o311.discovery(base_url(), CHANGESET))

    def services() -> Response:
        return respond(fmt, "services", o311.services_list)

    def list_requests() -> Response:
        return respond(fmt, "service_requests", lambda: _read(svc.list_requests))

    def create_request() -> Response:
        return respond(fmt, "service_requests", lambda: [svc.create_request(adapters(), _form(), now())], status=201)

    def list_updates() -> Response:
        return respond(fmt, "service_request_updates", lambda: _read(svc.list_updates))

    _register(f"{BASE}/discovery.{fmt}", "GET", f"open311_discovery_{fmt}", discovery)
    _register(f"{BASE}/services.{fmt}", "GET", f"open311_services_{fmt}", services)
    _register(f"{BASE}/requests.{fmt}", "GET", f"open311_requests_{fmt}", list_requests)
    _register(f"{BASE}/requests.{fmt}", "POST", f"open311_create_{fmt}", create_request, content_types=[FORM])
    _register(f"{BASE}/servicerequestupdates.{fmt}", "GET", f"open311_updates_{fmt}", list_updates)


def _read(produce: Callable[[Any, dict[str, list[str]], Any], Any]) -> Any:
    """A published GET: the stage may require an api_key (403 without one)."""
    deps, params, at = adapters(), _params(), now()
    svc.check_read_key(deps, params, at)
    return produce(deps, params, at)


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
    extensions = o311.value(_params(), "extensions").lower() == "true"

    def produce() -> list[dict[str, Any]]:
        svc.check_read_key(adapters(), _params(), now())
        return [svc.get_request(adapters(), o311.split_format(request_file)[0], extensions=extensions)]

    return respond(fmt, "service_requests", produce)


@route(bp, f"{BASE}/{{resource}}", methods=["GET", "POST"])
def unknown_resource(resource: str) -> Response:
    """Any other resource or format below the base: the spec's error body (404)."""
    return respond(_format_of(resource), "errors", lambda: _unknown(resource))


@route(bp, f"{BASE}/{{folder}}/{{resource}}", methods=["GET", "POST"])
def unknown_nested(folder: str, resource: str) -> Response:
    """Any other nested resource below the base: the spec's error body (404)."""
    return respond(_format_of(resource), "errors", lambda: _unknown(f"{folder}/{resource}"))


@route(bp, f"{BASE}/{{folder}}/{{sub}}/{{resource}}", methods=["GET", "POST"])
def unknown_deeper(folder: str, sub: str, resource: str) -> Response:
    """Deeper paths below the base: the spec's error body (404)."""
    return respond(_format_of(resource), "errors", lambda: _unknown(f"{folder}/{sub}/{resource}"))


def _unknown(resource: str) -> Any:
    raise NotFound("unknown resource or format (see discovery.json; use .json or .xml)")


@route(bp, "/tickets/{ticket_id}/open311-publication", methods=["PUT"])
def approve_publication(ticket_id: str) -> dict[str, Any]:
    """Staff approve the public text (and whether the photo is public) Open311 GETs show of a request."""
    return svc.approve_publication(adapters(), current_actor(bp), ticket_id, json_body(bp))
