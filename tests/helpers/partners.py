"""A partner platform as the tests see it: a registered partner and a client that signs its requests."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from chalicelib.domain import signing

PUSH = {
    "hotline": "12345",
    "channel": "city",
    "category": "complaint",
    "title": "小区噪音扰民",
    "content": "夜间施工噪音严重，请尽快处理。",
    "location": {"address": "海游街道广场路 8 号"},
    "caller": {"name": "张三", "phone": "13800001234"},
    "city_limit_days": 5,
}


def new_partner(api: Any, **extra: Any) -> dict[str, Any]:
    """Register a partner with a unique id; returns the admin answer (with the first key's secret)."""
    body = {"partner_id": "p-" + uuid.uuid4().hex[:10], "name": "市12345平台", **extra}
    resp = api.post("/admin/partners", body, user="admin1")
    assert resp.status_code == 201, resp.json
    return resp.json


class Signed:
    """Signs requests like a partner would and sends them through the Chalice test client."""

    def __init__(self, api: Any, key_id: str, secret: str) -> None:
        self.client, self.key_id, self.secret = api.client, key_id, secret

    def headers(
        self,
        method: str,
        url: str,
        body: bytes,
        *,
        ts: int | None = None,
        nonce: str | None = None,
        secret: str | None = None,
    ) -> dict[str, str]:
        parts = urlsplit(url)
        return {
            "Content-Type": "application/json",
            **signing.headers_for(
                secret or self.secret,
                self.key_id,
                method,
                parts.path,
                parse_qsl(parts.query),
                int(time.time()) if ts is None else ts,
                nonce or secrets.token_hex(12),
                body,
            ),
        }

    def send(
        self,
        method: str,
        url: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        **sign: Any,
    ) -> Any:
        data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else b"")
        hdrs = headers if headers is not None else self.headers(method, url, data, **sign)
        resp = self.client.http.request(method, url, headers=hdrs, body=data)
        resp.json = json.loads(resp.body) if resp.body else None
        return resp


def record_webhook_posts(monkeypatch: Any) -> list[dict[str, Any]]:
    """Answer every webhook POST with 200 without a network; the list of (url, event id) POSTed."""
    from chalicelib.integrations import webhook_client

    seen: list[dict[str, Any]] = []

    def post(url: str, body: bytes, headers: dict[str, str], timeout: float = 5.0, **_: Any) -> webhook_client.Outcome:
        seen.append({"url": url, "event_id": headers["X-Hotline-Event-Id"]})
        return webhook_client.Outcome(True, 200, "", 1, "ok")

    monkeypatch.setattr(webhook_client, "post", post)
    return seen


def partner_ticket(deps: Any, now: Any, partner_id: str = "city-a") -> str:
    """A partner subscribed to every event (webhook on https) and a ticket it pushed, on any adapters."""
    from chalicelib.domain.model import Actor
    from chalicelib.services import partners
    from chalicelib.services import tickets as svc

    settings = {"partner_id": partner_id, "name": "市平台", "webhook_url": "https://partner.example/hooks"}
    partners.create_partner(deps, Actor("admin1", "admin"), {**settings, "webhook_events": ["*"]}, now)
    ticket, _ = svc.create_ticket(deps, Actor(partner_id, "partner"), {**PUSH, "source": partner_id}, now)
    return ticket.ticket_id
