"""Outbound webhook HTTP: one POST, no redirects, bounded time and response size."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from dataclasses import dataclass

MAX_RESPONSE = 4096


@dataclass(frozen=True)
class Outcome:
    """The result of one delivery attempt."""

    ok: bool
    status: int | None
    error: str
    duration_ms: int
    response: str


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is a failed delivery, never followed


_OPENER = urllib.request.build_opener(_NoRedirect)


def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0) -> Outcome:
    """POST the body; 2xx is success, anything else (status, timeout, refused) a failure."""
    started = time.monotonic()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    status: int | None = None
    error = ""
    text = ""
    try:
        with _OPENER.open(request, timeout=timeout) as resp:
            status = resp.status
            text = resp.read(MAX_RESPONSE).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status = exc.code
        error = f"HTTP {exc.code}"
        try:
            text = exc.read(MAX_RESPONSE).decode("utf-8", "replace")
        except Exception:  # noqa: BLE001 - the body of an error is only informative
            text = ""
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"[:300]
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    return Outcome(ok, status, error if not ok else "", duration, text[:500])
