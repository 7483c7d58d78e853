"""Webhooks to partners: signed like partner requests, queued from the events stream, retried with
backoff, every attempt logged (a partner down for an hour loses nothing)."""

from __future__ import annotations

import http.server
import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from chalicelib.domain import signing
from tests.helpers.partners import PUSH, Signed, new_partner
from tests.helpers.streams import stream_batch
from tests.helpers.tickets import drive_to_submitted


class Receiver:
    """A partner's webhook endpoint on 127.0.0.1: answers with scripted statuses, records requests."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/12345?tenant=sanmen"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


def setup(api: Any, receiver: Receiver, **settings: Any) -> tuple[dict[str, Any], Signed, str, str]:
    created = new_partner(api, webhook_url=receiver.url, **settings)
    key = created["keys"][0]
    client = Signed(api, key["key_id"], key["secret"])
    n = "SM" + uuid.uuid4().hex[:10]
    ticket_id = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n)).json["ticket_id"]
    return created, client, n, ticket_id


def verify_signed(req: dict[str, Any], key_id: str, secret: str) -> None:
    """What the partner does with our webhook: check the signature over its own URL."""
    parts = urlsplit(req["path"])
    signed = signing.signed_headers(req["headers"])
    assert signed.key_id == key_id
    from urllib.parse import parse_qsl

    signing.verify([secret], signed, "POST", parts.path, parse_qsl(parts.query), req["body"])


def test_result_is_pushed_back_on_submit_signed(deps: Any, api: Any, seeded: Any, receiver: Receiver) -> None:
    from tests.helpers.streams import PARTNERS, deliver

    created, client, n, ticket_id = setup(api, receiver)
    drive_to_submitted(api, ticket_id)
    assert deliver(deps, PARTNERS, stream_batch(deps, ticket_id)) == {"batchItemFailures": []}
    assert len(receiver.requests) == 1  # default subscription: submitted only
    req = receiver.requests[0]
    verify_signed(req, client.key_id, client.secret)
    payload = json.loads(req["body"])
    assert payload["type"] == "submitted" and payload["number"] == n
    assert payload["ticket"]["status"] == "submitted" and payload["ticket"]["result"]["sections"]
    assert "张三" not in req["body"].decode() and "13800001234" not in req["body"].decode()
    assert req["headers"]["X-Hotline-Event-Id"] == payload["event_id"]
    log = api.get(f"/admin/partners/{created['partner_id']}/deliveries", user="admin1")
    assert log.status_code == 200
    item = log.json["items"][0]
    assert item["status"] == "delivered" and item["attempt_count"] == 1
    assert item["attempts"][0]["status_code"] == 200 and item["payload"]["event_id"] == payload["event_id"]
    # a redelivered stream batch queues nothing twice
    deliver(deps, PARTNERS, stream_batch(deps, ticket_id))
    assert len(receiver.requests) == 1
    assert api.get(f"/admin/partners/{created['partner_id']}/deliveries", user="op1").status_code == 403


def test_subscribed_status_changes_are_delivered(deps: Any, api: Any, seeded: Any, receiver: Receiver) -> None:
    from tests.helpers.streams import PARTNERS, deliver

    _, _, _, ticket_id = setup(api, receiver, webhook_events=["received", "dispatched"])
    drive_to_submitted(api, ticket_id)
    deliver(deps, PARTNERS, stream_batch(deps, ticket_id))
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["received", "dispatched"]


def test_webhook_retry_after_failures_with_backoff(deps: Any, api: Any, seeded: Any, receiver: Receiver) -> None:
    from chalicelib.services import webhooks

    created, _, _, ticket_id = setup(api, receiver, webhook_events=["received"])
    receiver.statuses = [500, 503]
    t0 = datetime.now(UTC)
    from tests.helpers.streams import PARTNERS, deliver

    deliver(deps, PARTNERS, stream_batch(deps, ticket_id), now=t0)
    assert len(receiver.requests) == 1
    webhooks.retry_due(deps, t0 + timedelta(seconds=10))  # not due yet
    assert len(receiver.requests) == 1
    webhooks.retry_due(deps, t0 + timedelta(seconds=31))
    assert len(receiver.requests) == 2
    webhooks.retry_due(deps, t0 + timedelta(seconds=31 + 61))
    assert len(receiver.requests) == 3
    assert [r["headers"]["X-Hotline-Delivery-Attempt"] for r in receiver.requests] == ["1", "2", "3"]
    item = api.get(f"/admin/partners/{created['partner_id']}/deliveries", user="admin1").json["items"][0]
    assert item["status"] == "delivered" and [a["status_code"] for a in item["attempts"]] == [500, 503, 200]
    webhooks.retry_due(deps, t0 + timedelta(hours=3))
    assert len(receiver.requests) == 3  # delivered: never sent again


def test_partner_down_for_an_hour_loses_nothing(deps: Any, api: Any, seeded: Any) -> None:
    from chalicelib.services import webhooks
    from tests.helpers.streams import PARTNERS, deliver

    down = Receiver()
    url = down.url
    down.stop()  # nothing listens: connection refused
    created = new_partner(api, webhook_url=url, webhook_events=["received"])
    key = created["keys"][0]
    client = Signed(api, key["key_id"], key["secret"])
    ticket_id = client.send("POST", "/partner/v1/tickets", dict(PUSH, number="SM" + uuid.uuid4().hex[:10])).json[
        "ticket_id"
    ]
    t0 = datetime.now(UTC)
    deliver(deps, PARTNERS, stream_batch(deps, ticket_id), now=t0)
    minute = t0
    while minute < t0 + timedelta(minutes=61):  # the schedule runs every minute for an hour
        minute += timedelta(minutes=1)
        webhooks.retry_due(deps, minute)
    log = api.get(f"/admin/partners/{created['partner_id']}/deliveries", user="admin1").json["items"][0]
    assert log["status"] == "retrying" and log["attempt_count"] >= 7
    assert all(a["status_code"] is None and a["error"] for a in log["attempts"])
    # the partner comes back on the same port
    port = urlsplit(url).port
    back = Receiver.__new__(Receiver)
    back.requests, back.statuses = [], []
    handler = type(down.server.RequestHandlerClass.__name__, (down.server.RequestHandlerClass,), {})
    back.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=back.server.serve_forever, daemon=True).start()
    try:
        for _ in range(180):  # the next tries (hourly after the first hour)
            minute += timedelta(minutes=1)
            if webhooks.retry_due(deps, minute).get("delivered"):
                break
        log = api.get(f"/admin/partners/{created['partner_id']}/deliveries", user="admin1").json["items"][0]
        assert log["status"] == "delivered"
        assert json.loads(down.requests[-1]["body"])["type"] == "received"  # handler closure records on `down`
    finally:
        back.server.shutdown()
        back.server.server_close()


def test_backoff_schedule() -> None:
    from chalicelib.services.webhooks import MAX_ATTEMPTS, backoff

    waits = [backoff(n).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 300, 600, 1200, 1800, 3600, 3600]
    total = sum(backoff(n).total_seconds() for n in range(1, MAX_ATTEMPTS))
    assert total > 24 * 3600  # retried for more than a day before giving up
