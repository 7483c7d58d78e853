"""Unknown routes answer 404 in the error shape, and chalice's own errors are rewritten into it.

Why catch-all routes, and not a middleware alone: `chalice local` and `chalice.test.Client` both
route through chalice's LocalGateway, whose RouteMatcher raises before the app is called when no
registered path matches; the gateway then answers 403 `{"message": "Missing Authentication Token"}`,
or, when an Authorization header is present, a message that repeats the header (the caller's
bearer token). No middleware, error handler or view runs for such a request, so the only way in is
a route that matches. The matcher compares whole segments and counts them (`/tickets/{id}` matches
two segments, never three), and chalice has no greedy `{proxy+}` (one segment per parameter;
`{proxy+}` is not even a view argument to chalice): hence one route per depth, `/{p1}` …
`/{p1}/…/{p16}`. The matcher tries routes in sorted order and `{` sorts after every letter and
digit, so every real route is tried first.

A known path with a method it does not have reaches the app, and chalice answers its own 405
`{"Code": "MethodNotAllowedError", …}`; the middleware below rewrites every error chalice makes
itself (405, 415, the 400 of a binary answer without a matching Accept) into our shape through the
one error map — the 405 as the same 404 as an unknown path, which is what API Gateway answers.

In the cloud, API Gateway answers paths no resource declares (and deeper than MAX_DEPTH) and
methods a resource lacks with its MISSING_AUTHENTICATION_TOKEN gateway response: infra/resources.yaml
sets it to 404 with the same body as `UNKNOWN_ROUTE` (tests/api/test_unknown_routes.py keeps the two
equal). Nothing from the request is echoed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Request, Response

from chalicelib.api.errors import error_response, route
from chalicelib.domain import errors as e

bp = Blueprint(__name__)

MAX_DEPTH = 16
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]
UNKNOWN_ROUTE_MESSAGE = "接口不存在，请检查请求的路径和方法"
CATCH_ALL_PATHS = tuple("/" + "/".join(f"{{p{n}}}" for n in range(1, depth + 1)) for depth in range(1, MAX_DEPTH + 1))


def unknown_route() -> e.NotFound:
    """The error of a path or method no route declares (the same text as the cloud's gateway response)."""
    return e.NotFound(UNKNOWN_ROUTE_MESSAGE)


def _unknown(**_: str) -> Any:
    raise unknown_route()


for _depth, _path in enumerate(CATCH_ALL_PATHS, start=1):
    route(bp, _path, methods=METHODS, content_types=["*/*"], name=f"unknown_route_{_depth}")(_unknown)


def _from_chalice(resp: Response) -> e.DomainError | None:
    """The domain error for a response chalice built itself (`{"Code", "Message"}`), or None."""
    body = resp.body
    if not (isinstance(body, dict) and set(body) == {"Code", "Message"}):
        return None
    code = body["Code"]
    if code == "MethodNotAllowedError":
        return unknown_route()
    if code == "UnsupportedMediaType":
        return e.UnsupportedMediaType("不支持的请求体类型（Content-Type），JSON 接口须为 application/json")
    if code == "BadRequest" and resp.status_code == 400:
        return e.BadRequest("此接口返回文件，请求须带与文件类型相符的 Accept 请求头")
    return None


@bp.middleware("http")
def chalice_errors_in_our_shape(event: Request, get_response: Callable[[Request], Response]) -> Response:
    """Chalice's own error answers (405, 415, binary 400) in the error shape, from the one error map."""
    resp = get_response(event)
    if resp.status_code < 400:
        return resp
    error = _from_chalice(resp)
    if error is None:
        return resp
    fixed = error_response(error)
    for name, value in resp.headers.items():  # keep CORS headers chalice added
        if name.lower().startswith("access-control-"):
            fixed.headers[name] = value
    return fixed
