"""R-12345-11 in the browser: CORS only for the SPA's configured origin(s), nothing cached, security headers."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.config import Config
from chalice.local import LocalGateway

from chalicelib import bootstrap

SPA = "https://hotline.example.gov.cn"


@pytest.fixture
def pinned(deps: Any) -> Iterator[str]:
    """The app's settings with one SPA origin (restored after the test)."""
    bootstrap.use(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, cors_origins=(SPA,))))
    try:
        yield SPA
    finally:
        bootstrap.use(deps)


def _get(api: Any, path: str, user: str | None, origin: str | None, **headers: str) -> Any:
    sent = {**headers, **({"Origin": origin} if origin else {})}
    if user:
        sent["Authorization"] = f"Bearer {api.tokens[user]}"
    return api.client.http.get(path, headers=sent)


def test_r12345_11_cors_is_granted_to_the_configured_spa_origin_only(app: Any, api: Any, pinned: str) -> None:
    ok = _get(api, "/units", "op1", pinned)
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == pinned and ok.headers["Vary"] == "Origin"
    for other in ("https://evil.example", "null", pinned + ".evil.example"):
        resp = _get(api, "/units", "op1", other)
        assert resp.status_code == 200
        assert "Access-Control-Allow-Origin" not in resp.headers, other
    refused = _get(api, "/units", None, "https://evil.example")  # errors too: no grant, no wildcard
    assert refused.status_code == 401 and "Access-Control-Allow-Origin" not in refused.headers
    assert _get(api, "/units", None, pinned).headers["Access-Control-Allow-Origin"] == pinned
    gateway = LocalGateway(app, Config())  # chalice local's gateway answers preflights
    preflight = gateway.handle_request("OPTIONS", "/units", {"origin": pinned}, b"")
    assert preflight["headers"]["Access-Control-Allow-Origin"] == pinned  # from the settings, never "*"


def test_without_configured_origins_no_origin_is_granted(api: Any, seeded: Any) -> None:
    resp = _get(api, "/units", "op1", "https://hotline.example.gov.cn")
    assert resp.status_code == 200 and "Access-Control-Allow-Origin" not in resp.headers
    assert "*" not in str(resp.headers.get("Access-Control-Allow-Origin", ""))


def test_r12345_11_revealed_data_and_every_answer_are_never_cached(api: Any, seeded: Any) -> None:
    body = {"category": "help", "title": "求助", "content": "内容", "caller": {"name": "钱七", "phone": "13800005555"}}
    tid = api.post("/tickets", body, user="op1").json["id"]
    revealed = _get(api, f"/tickets/{tid}?reveal=1&reason=callback", "op1", None)
    assert revealed.status_code == 200 and json.loads(revealed.body)["caller"]["name"] == "钱七"
    for resp in (revealed, _get(api, f"/tickets/{tid}/calls?reveal=1&reason=callback", "op1", None)):
        assert resp.headers["Cache-Control"] == "no-store"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    missing = _get(api, "/archive/T-none", "records1", None)  # an archive answer, an error one
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    unknown = _get(api, "/no/such/route", "op1", None)  # the catch-all's answer goes through the same headers
    assert unknown.status_code == 404 and unknown.headers["X-Content-Type-Options"] == "nosniff"


def test_html_documents_carry_a_csp_that_loads_nothing_and_forbids_framing(api: Any, seeded: Any) -> None:
    resp = _get(api, "/documents/monthly-report?month=2026-10&format=html", "leader1", None)
    assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/html")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src" not in csp
    assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Cache-Control"] == "no-store"
    json_resp = _get(api, "/units", "op1", None)
    assert "Content-Security-Policy" not in json_resp.headers
