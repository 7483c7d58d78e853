"""Outbound webhook HTTP: one POST, no redirects, no proxy, bounded time and response size, and never to an
address inside our own network (SSRF).

A partner names its webhook URL; the API's functions then connect to whatever that name resolves to.
Addresses that are not globally routable — loopback 127/8 and ::1, private 10/8, 172.16/12, 192.168/16,
fc00::/7, link-local 169.254/16 (the instance metadata service) and fe80::/10, shared 100.64/10,
unspecified, reserved, multicast, and IPv4 inside IPv6 (`::ffff:10.0.0.1`) — are refused at
registration (when the name resolves then) and at every send: the connection resolves the name once,
checks every address, and connects to a checked address itself, so a name re-pointed after its check
(DNS rebinding) gains nothing. Local stages (`make run`, tests) may reach loopback: their partners'
test receivers run on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

MAX_RESPONSE = 4096
BLOCKED_TEXT = "目标地址为本机、内网或链路本地地址（{address}），不允许作为 webhook 地址"


@dataclass(frozen=True)
class Outcome:
    """The result of one delivery attempt."""

    ok: bool
    status: int | None
    error: str
    duration_ms: int
    response: str


class BlockedAddress(OSError):
    """The webhook host resolves to an address inside a private, loopback or link-local network."""


def blocked(address: str, *, allow_loopback: bool = False) -> bool:
    """True when `address` (an IP literal) is not a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # a scoped IPv6 literal (fe80::1%eth0)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return not allow_loopback
    return not ip.is_global or ip.is_multicast


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal: itself)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def host_problem(host: str, port: int, *, allow_loopback: bool = False) -> str | None:
    """Why `host` may not be a webhook target (one of its addresses is blocked); None when it may, or when
    it does not resolve now (a name the partner sets up later: every send checks again)."""
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        return None
    bad = [a for a in addresses if blocked(a, allow_loopback=allow_loopback)]
    return BLOCKED_TEXT.format(address=bad[0]) if bad else None


def _vetted_connection(allow_loopback: bool) -> Any:
    """`socket.create_connection` that connects only to checked addresses of the name."""

    def create_connection(address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        host, port = address
        addresses = resolve(host, port)
        bad = [a for a in addresses if blocked(a, allow_loopback=allow_loopback)]
        if bad or not addresses:
            raise BlockedAddress(BLOCKED_TEXT.format(address=bad[0] if bad else host))
        return socket.create_connection((addresses[0], port), timeout, source_address)

    return create_connection


class _HTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, allow_loopback: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _vetted_connection(allow_loopback)


class _HTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, allow_loopback: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = _vetted_connection(allow_loopback)  # TLS still checks the name's certificate


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, allow_loopback: bool) -> None:
        super().__init__()
        self.allow_loopback = allow_loopback

    def http_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(functools.partial(_HTTPConnection, allow_loopback=self.allow_loopback), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, allow_loopback: bool) -> None:
        super().__init__()
        self.allow_loopback = allow_loopback

    def https_open(self, req: urllib.request.Request) -> Any:
        return self.do_open(functools.partial(_HTTPSConnection, allow_loopback=self.allow_loopback), req)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a redirect is a failed delivery, never followed


@functools.cache
def _opener(allow_loopback: bool) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(
        urllib.request.ProxyHandler({}),  # straight to the checked address, never through a proxy
        _NoRedirect,
        _HTTPHandler(allow_loopback),
        _HTTPSHandler(allow_loopback),
    )


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0, *, allow_loopback: bool = False
) -> Outcome:
    """POST the body; 2xx is success, anything else (status, timeout, refused, a blocked address) a failure."""
    started = time.monotonic()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8", **headers}
    )
    status: int | None = None
    error = ""
    text = ""
    try:
        with _opener(allow_loopback).open(request, timeout=timeout) as resp:
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
        reason = getattr(exc, "reason", exc)
        error = str(reason) if isinstance(reason, BlockedAddress) else f"{type(exc).__name__}: {reason}"
        error = error[:300]
    duration = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    return Outcome(ok, status, error if not ok else "", duration, text[:500])
