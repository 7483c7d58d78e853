"""Notifications from the events stream (R-12345-02, R-12345-04, R-12345-12): roster, E.164, dedup, cap, backends."""

from __future__ import annotations

import dataclasses
import http.server
import json
import threading
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from chalicelib.domain.model import Actor
from tests.helpers.streams import stream_batch

EVENTS = Path(__file__).resolve().parents[1] / "events"
OP1 = Actor("op1", "operator")
ADMIN = Actor("admin1", "admin")


def recorded(name: str) -> dict[str, Any]:
    """A recorded Lambda event from tests/events."""
    return json.loads((EVENTS / name).read_text(encoding="utf-8"))


def test_r12345_12_new_ticket_after_hours_reaches_the_night_operator_on_duty(deps: Any, seeded: Any, app: Any) -> None:
    from chalice.test import Client

    from chalicelib.services import duty, notify

    event = recorded("stream-received-night.json")
    image = event["Records"][0]["dynamodb"]["NewImage"]
    ticket_id = image["ticket_id"]["S"]  # received 2026-11-27 22:05 Shanghai: the night shift
    duty.put_roster(
        deps,
        ADMIN,
        {
            "entries": [
                {"date": "2026-11-27", "shift": "day", "user_id": "op1", "name": "王敏", "phone": "13957601001"},
                {"date": "2026-11-27", "shift": "night", "user_id": "op2", "name": "李强", "phone": "13957601002"},
            ]
        },
    )
    with Client(app) as client:
        first = client.lambda_.invoke("notify_from_events", event)
        again = client.lambda_.invoke("notify_from_events", event)  # redelivered batch
    assert first.payload == again.payload == {"batchItemFailures": []}
    messages = notify.ticket_messages(deps, ticket_id)
    assert len(messages) == 1, messages  # de-duplicated by event id
    sms = messages[0]
    assert sms["role"] == "duty" and sms["to_name"] == "李强" and sms["e164"] == "+8613957601002"
    assert sms["status"] == "sent" and "新工单" in sms["text"] and ticket_id in sms["text"]
    day = datetime.fromisoformat(sms["at"]).astimezone(notify.SHANGHAI).date().isoformat()
    assert any(m["event_id"] == sms["event_id"] for m in notify.day_log(deps, day))  # the admin's SMS log


def test_r12345_02_dispatch_texts_the_unit_handler_and_invalid_numbers_are_reported(
    deps: Any, seeded: Any, outputs: dict[str, str]
) -> None:
    from chalicelib.services import notify
    from chalicelib.services import tickets as svc
    from tests.helpers.streams import NOTIFY, deliver

    ok, _ = svc.create_ticket(
        deps, OP1, {"category": "help", "title": "断水求助", "content": "两天没水"}, datetime.now(UTC)
    )
    svc.act(
        deps,
        OP1,
        ok.ticket_id,
        "dispatch",
        {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}},
        datetime.now(UTC),
    )
    landline, _ = svc.create_ticket(
        deps, OP1, {"category": "help", "title": "求助", "content": "内容"}, datetime.now(UTC)
    )
    svc.act(
        deps,
        OP1,
        landline.ticket_id,
        "dispatch",
        {"unit_id": "U003", "call": {"to_name": "冯磊", "to_phone": "0576-83310003"}},
        datetime.now(UTC),
    )
    for tid in (ok.ticket_id, landline.ticket_id):
        assert deliver(deps, NOTIFY, stream_batch(deps, tid, types=("dispatched",))["Records"], datetime.now(UTC)) == {
            "batchItemFailures": []
        }
    [sent] = notify.ticket_messages(deps, ok.ticket_id)
    assert sent["status"] == "sent" and sent["e164"] == "+8613957600001" and "已交办贵单位" in sent["text"]
    [failed] = notify.ticket_messages(deps, landline.ticket_id)
    assert failed["status"] == "failed" and failed["reason"] == "invalid_number" and failed["e164"] is None


def test_sms_daily_spend_cap_stops_sending(deps: Any, seeded: Any) -> None:
    from chalicelib.services import notify
    from chalicelib.services import tickets as svc
    from tests.helpers.streams import NOTIFY, deliver

    capped = dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, sms_daily_cap_fen=0))
    t, _ = svc.create_ticket(deps, OP1, {"category": "help", "title": "求助", "content": "内容"}, datetime.now(UTC))
    svc.act(
        deps,
        OP1,
        t.ticket_id,
        "dispatch",
        {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}},
        datetime.now(UTC),
    )
    deliver(capped, NOTIFY, stream_batch(deps, t.ticket_id, types=("dispatched",))["Records"], datetime.now(UTC))
    [msg] = notify.ticket_messages(deps, t.ticket_id)
    assert msg["status"] == "failed" and msg["reason"] == "daily_cap"


def test_a_failing_record_is_reported_alone(deps: Any, seeded: Any) -> None:
    from tests.helpers.streams import NOTIFY, deliver

    bad = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "42", "NewImage": {"type": {"S": "received"}}}}
    modify = {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "43", "NewImage": {}}}
    assert deliver(deps, NOTIFY, [bad, modify], datetime.now(UTC)) == {"batchItemFailures": [{"itemIdentifier": "42"}]}


class _FakeAliyun(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[dict[str, str]]] = []
    answer: ClassVar[dict[str, str]] = {"Code": "OK", "Message": "OK", "BizId": "900619367830^0", "RequestId": "R1"}

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
        params.update(urllib.parse.parse_qsl(body))
        params.update({k.lower(): v for k, v in self.headers.items() if k.lower().startswith("x-acs-")})
        params["authorization"] = self.headers.get("Authorization", "")
        type(self).requests.append(params)
        payload = json.dumps(type(self).answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        return


def test_mainland_gateway_sends_through_the_aliyun_sdk_to_a_local_fake_endpoint(deps: Any) -> None:
    from chalicelib.integrations.sms import AliyunSender, SmsMessage

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeAliyun)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        settings = dataclasses.replace(
            deps.settings,
            aliyun_sms_endpoint=f"127.0.0.1:{server.server_address[1]}",
            aliyun_sms_protocol="http",
            aliyun_access_key_id="test-key",
            aliyun_access_key_secret="test-secret",
            sms_sign_name="三门县12345",
            sms_template_codes=json.dumps({"dispatched": "SMS_100001"}),
        )
        sender = AliyunSender(settings)
        msg = SmsMessage(
            "+8613957600001", "工单已交办", "dispatched", {"ticket_id": "T1", "title": "噪音"}, ref="T1.000002#unit"
        )
        result = sender.send(msg)
        assert result.ok and result.message_id == "900619367830^0"
        req = _FakeAliyun.requests[-1]
        assert req["x-acs-action"] == "SendSms" and req["x-acs-version"] == "2017-05-25"
        assert "test-key" in req["authorization"]  # signed with the configured AccessKey
        assert req["PhoneNumbers"] == "13957600001"
        assert req["SignName"] == "三门县12345" and req["TemplateCode"] == "SMS_100001"
        assert json.loads(req["TemplateParam"]) == {"ticket_id": "T1", "title": "噪音"}
        _FakeAliyun.answer = {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发流控", "RequestId": "R2"}
        refused = sender.send(msg)
        assert not refused.ok and "BUSINESS_LIMIT_CONTROL" in refused.error
        assert not sender.send(dataclasses.replace(msg, template="unknown")).ok
    finally:
        server.shutdown()


def test_sns_backend_publishes_to_the_phone_number(deps: Any) -> None:
    from chalicelib.integrations.sms import SmsMessage, SnsSender

    result = SnsSender(deps.clients("sns")).send(SmsMessage("+8613957600001", "测试短信", "dispatched"))
    assert result.ok and result.message_id
