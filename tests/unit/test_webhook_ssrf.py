"""Webhooks never reach into our own network (SSRF): checked at registration and at every send."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib.integrations import webhook_client
from chalicelib.integrations.webhook_client import blocked, post
from chalicelib.services.partners import webhook_url_problem

INSIDE = [
    "127.0.0.1",
    "127.8.9.10",
    "10.0.0.5",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "0.0.0.0",
    "::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "::ffff:10.0.0.1",
    "::ffff:127.0.0.1",
    "::",
    "224.0.0.1",
]
OUTSIDE = ["8.8.8.8", "114.114.114.114", "172.32.0.1", "2001:4860:4860::8888"]


@pytest.mark.parametrize("address", INSIDE)
def test_loopback_private_and_link_local_addresses_are_blocked(address: str) -> None:
    assert blocked(address)


@pytest.mark.parametrize("address", OUTSIDE)
def test_public_addresses_are_not(address: str) -> None:
    assert not blocked(address)


def test_local_stages_may_reach_loopback_only() -> None:
    assert not blocked("127.0.0.1", allow_loopback=True) and not blocked("::1", allow_loopback=True)
    assert blocked("10.0.0.5", allow_loopback=True) and blocked("169.254.169.254", allow_loopback=True)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]:8443/hook",
        "https://[fc00::1]/hook",
        "https://172.16.5.5/hook",
        "https://192.168.0.10/hook",
        "https://[::ffff:10.0.0.1]/hook",
    ],
)
def test_registration_refuses_an_address_inside_our_network(url: str) -> None:
    problem = webhook_url_problem(url, local=False)
    assert problem is not None and "内网" in problem


def test_registration_refuses_a_name_resolving_inside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook_client, "resolve", lambda host, port: ["114.114.114.114", "10.0.0.7"])
    assert "10.0.0.7" in str(webhook_url_problem("https://hooks.partner.example/x", local=False))
    monkeypatch.setattr(webhook_client, "resolve", lambda host, port: ["114.114.114.114"])
    assert webhook_url_problem("https://hooks.partner.example/x", local=False) is None


def test_a_name_that_does_not_resolve_yet_is_left_to_the_send_time_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(host: str, port: int) -> list[str]:
        raise OSError("Name or service not known")

    monkeypatch.setattr(webhook_client, "resolve", fails)
    assert webhook_url_problem("https://hooks.partner.example/x", local=False) is None
    assert webhook_url_problem("http://hooks.partner.example/x", local=False) == "须为 https:// 地址"


class _Receiver(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        _Receiver.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        return


@pytest.fixture
def receiver() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.hits = []
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_a_send_to_a_blocked_address_never_connects(receiver: int) -> None:
    outcome = post(f"http://127.0.0.1:{receiver}/hook", b"{}", {})
    assert not outcome.ok and outcome.status is None and "内网" in outcome.error
    assert _Receiver.hits == []
    for url in ("https://10.0.0.1/hook", "https://[::1]/hook", "https://169.254.169.254/"):  # TLS: the same check
        assert "内网" in post(url, b"{}", {}, timeout=2).error, url
    assert post(f"http://127.0.0.1:{receiver}/hook", b"{}", {}, allow_loopback=True).ok  # a local stage
    assert _Receiver.hits == ["/hook"]


def test_a_name_re_pointed_inside_after_registration_is_refused_at_send(
    receiver: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([["114.114.114.114"], ["127.0.0.1"]])  # public at registration, loopback at send (rebinding)
    monkeypatch.setattr(webhook_client, "resolve", lambda host, port: next(answers))
    url = f"http://rebind.partner.example:{receiver}/hook"
    assert webhook_client.host_problem("rebind.partner.example", receiver) is None
    outcome = post(url, b"{}", {})
    assert not outcome.ok and "127.0.0.1" in outcome.error and _Receiver.hits == []


def test_the_connection_goes_to_the_address_that_was_checked(receiver: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook_client, "resolve", lambda host, port: ["127.0.0.1"])  # resolved once, used
    assert post(f"http://checked.partner.example:{receiver}/in", b"{}", {}, allow_loopback=True).ok
    assert _Receiver.hits == ["/in"]
