"""The ONE map from domain errors to HTTP, and the route decorator that applies it.

Anything that is not a DomainError is logged with the request id and answered as a plain 500:
never a traceback.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib.api.browser import PinnedCORS
from chalicelib.documents.labels import field_label
from chalicelib.domain import errors as e

log = logging.getLogger("hotline.api")

STATUS: dict[type[e.DomainError], int] = {
    e.BadRequest: 400,
    e.Unauthenticated: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.UnsupportedMediaType: 415,
    e.InvalidTransition: 409,
    e.Conflict: 409,
    e.ValidationError: 422,
    e.RateLimited: 429,
}

CORS = PinnedCORS(  # the SPA's origin(s) from the settings (api/browser.py)
    allow_headers=["Authorization", "Content-Type", "Accept-Language", "X-Request-Id"],
    max_age=600,
)

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8"}


def status_of(exc: e.DomainError) -> int:
    """HTTP status of a domain error (most specific class wins)."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """`{"code", "message", "details"}`."""
    return {"code": code, "message": message, "details": details or {}}


def error_response(exc: e.DomainError) -> Response:
    """Response for a domain error; a validation error also names each field (`details.labels`: path → 中文名)."""
    headers: dict[str, str | list[str]] = dict(JSON_HEADERS)
    if isinstance(exc, e.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    message, details = exc.message, exc.details
    if isinstance(exc, e.ValidationError):
        named = {path: exc.labels.get(path) or field_label(path) for path in exc.fields}
        labels = {path: name for path, name in named.items() if name}
        details = {**details, "labels": labels}
        if message == e.ValidationError.default_message(exc.fields):  # the reasons under the fields' names
            message = "输入有误：" + "；".join(f"{labels.get(k, k)}：{v}" for k, v in exc.fields.items())
    return Response(error_body(exc.code, message, details), status_code=status_of(exc), headers=headers)


def _request_id(bp: Blueprint) -> str:
    try:
        ctx = bp.current_request.context or {}
        return str(ctx.get("requestId") or uuid.uuid4())
    except Exception:  # noqa: BLE001 - outside a request
        return str(uuid.uuid4())


def route(bp: Blueprint, path: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`bp.route` with CORS on and domain errors mapped; unexpected errors become a logged 500."""
    options.setdefault("cors", CORS)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def view(*args: Any, **kwargs: Any) -> Any:
            try:
                result = fn(*args, **kwargs)
            except e.DomainError as exc:
                return error_response(exc)
            except Exception:
                request_id = _request_id(bp)
                log.exception("unhandled error, request %s", request_id)
                body = error_body("internal", "服务器内部错误，请稍后重试", {"request_id": request_id})
                return Response(body, status_code=500, headers=dict(JSON_HEADERS))
            if isinstance(result, Response):
                return result
            return Response(result, status_code=200, headers=dict(JSON_HEADERS))

        bp.route(path, **options)(view)
        return fn

    return decorate
