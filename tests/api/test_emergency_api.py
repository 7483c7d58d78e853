"""Emergency escalation through the API and the sweep on moto (R-12369-02 `emergency`, R-12345-12):
flagged at intake by the operator or by keyword, the leader on duty texted and the call recorded by
the next sweep, repeated each sweep until a leader acknowledges, the banner list, O(due) sweeps."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.services import notify, sweep
from tests.helpers.streams import NOTIFY, deliver, stream_batch

LEADER_PHONE = "13957609999"


@pytest.fixture(scope="module")
def leader_on_duty(deps: Any, seeded: Any) -> str:
    from chalicelib.domain.model import Actor
    from chalicelib.services import duty

    person = {"user_id": "leader1", "name": "王局长", "phone": LEADER_PHONE}
    duty.put_default(
        deps, Actor("admin1", "admin"), {"post": "leader", "day": person, "night": person, "holiday": person}
    )
    return LEADER_PHONE


ENV = {"entity": {"name": "某化工厂", "address": "工业园区"}, "demand": "查处"}  # R-12369-01


def _intake(api: Any, **extra: Any) -> dict[str, Any]:
    body = {"category": "report", "title": "化工厂", "content": "厂区有异味", "hotline": "12369", **ENV, **extra}
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return dict(resp.json)


def _open_ids(api: Any, user: str = "op1") -> list[str]:
    resp = api.get("/emergencies", user=user)
    assert resp.status_code == 200, resp.json
    return [i["ticket_id"] for i in resp.json["items"]]


def _types(deps: Any, tid: str) -> list[str]:
    return [e["type"] for e in deps.tickets.events(tid)]


def test_r12369_02_a_keyword_flags_an_emergency_at_intake_and_the_banner_shows_it(
    api: Any, leader_on_duty: str
) -> None:
    ticket = _intake(api, content="化工厂储罐发生泄漏，气味刺鼻")
    assert ticket["emergency"]["by_keyword"] is True and ticket["emergency"]["keywords"] == ["泄漏"]
    assert ticket["emergency_pending"] is True
    assert ticket["id"] in _open_ids(api, "op1") and ticket["id"] in _open_ids(api, "analyst1")
    banner = api.get("/emergencies", user="leader1").json
    assert banner["can_acknowledge"] is True and api.get("/emergencies", user="op1").json["can_acknowledge"] is False
    assert api.get("/emergencies", user="uh1").status_code == 403
    plain = _intake(api, content="厂区有异味")
    assert plain["emergency"] is None and plain["id"] not in _open_ids(api)
    api.post(f"/tickets/{ticket['id']}/emergency/acknowledge", {}, user="leader1")


def test_r12369_02_the_leader_on_duty_is_texted_and_called_every_sweep_until_acknowledged(
    api: Any, deps: Any, leader_on_duty: str
) -> None:
    ticket = _intake(api, emergency=True, title="群众聚集", content="村民聚集在厂门口")
    tid = ticket["id"]
    assert ticket["emergency"]["by_keyword"] is False and ticket["emergency"]["by"] == "op1"
    now = datetime.now(UTC)
    first = sweep.run_sweep(deps, now)
    assert first["emergency_escalated"] >= 1
    assert _types(deps, tid).count("emergency_escalated") == 1
    sweep.run_sweep(deps, now + timedelta(minutes=5))  # not due again yet
    assert _types(deps, tid).count("emergency_escalated") == 1
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("emergency_escalated",))["Records"], now)
    [sms] = notify.ticket_messages(deps, tid)
    assert sms["role"] == "leader" and sms["status"] == "sent" and "突发事件" in sms["text"] and "第1次" in sms["text"]
    assert LEADER_PHONE[-8:] in json.dumps(sms)
    calls = api.get(f"/tickets/{tid}/calls", user="op1").json["items"]
    assert [(c["kind"], c["to_phone"], c["event_type"]) for c in calls] == [
        ("emergency", LEADER_PHONE, "emergency_escalated")
    ]
    sweep.run_sweep(deps, now + timedelta(minutes=15))  # the next sweep: second report
    assert _types(deps, tid).count("emergency_escalated") == 2
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("emergency_escalated",))["Records"], now)
    assert [m["text"].count("第2次") for m in notify.ticket_messages(deps, tid)].count(1) == 1
    ack = api.post(f"/tickets/{tid}/emergency/acknowledge", {"note": "已派环境执法大队赶赴现场"}, user="leader1")
    assert ack.status_code == 200, ack.json
    assert ack.json["emergency"]["acknowledged_by"] == "leader1" and ack.json["emergency_pending"] is False
    assert _types(deps, tid)[-1] == "emergency_acknowledged"
    assert tid not in _open_ids(api)
    sweep.run_sweep(deps, now + timedelta(minutes=45))
    assert _types(deps, tid).count("emergency_escalated") == 2  # acknowledged: no more reports


def test_an_operator_flags_an_open_ticket_later(api: Any, deps: Any, leader_on_duty: str) -> None:
    tid = _intake(api)["id"]
    flagged = api.post(f"/tickets/{tid}/emergency", {"note": "来电人称已有人员中毒送医"}, user="op1")
    assert flagged.status_code == 200 and flagged.json["emergency_pending"] is True
    assert _types(deps, tid)[-1] == "emergency_flagged" and tid in _open_ids(api)
    assert api.post(f"/tickets/{tid}/emergency", {}, user="op1").status_code == 409  # already pending
    assert api.post(f"/tickets/{tid}/emergency/acknowledge", {}, user="op1").status_code == 403
    assert api.post(f"/tickets/{tid}/emergency/acknowledge", {}, user="leader1").status_code == 200
    assert api.post(f"/tickets/{tid}/emergency/acknowledge", {}, user="leader1").status_code == 409


def test_bad_emergency_input_is_a_clear_4xx(api: Any, leader_on_duty: str) -> None:
    bad = api.post("/tickets", {"category": "report", "title": "t", "content": "c", "emergency": "yes"}, user="op1")
    assert bad.status_code == 422 and "emergency" in bad.json["details"]["fields"]
    tid = _intake(api)["id"]
    assert api.post(f"/tickets/{tid}/emergency/acknowledge", {}, user="leader1").status_code == 409
    assert api.post(f"/tickets/{tid}/emergency", {"note": 5}, user="op1").status_code == 422
    assert api.post(f"/tickets/{tid}/emergency", {}, user="uh1").status_code == 403
    assert api.post("/tickets/T20000101-99999/emergency", {}, user="op1").status_code == 404
    assert api.get("/admin/emergency-keywords", user="uh1").status_code == 403


def test_the_keyword_rule_is_configurable(api: Any, deps: Any, leader_on_duty: str) -> None:
    def put(body: str) -> Any:
        headers = {**api._headers("admin1"), "Content-Type": "application/json"}
        return api.client.http.put("/admin/emergency-keywords", body=body, headers=headers)

    assert put('{"keywords": []}').status_code == 422
    assert put('{"keywords": ["偷排", 5]}').status_code == 422
    try:
        assert put('{"keywords": ["偷排", "泄漏"]}').status_code == 200
        assert api.get("/admin/emergency-keywords", user="op1").json["keywords"] == ["偷排", "泄漏"]
        ticket = _intake(api, content="夜间偷排废水")
        assert ticket["emergency"]["keywords"] == ["偷排"]
        api.post(f"/tickets/{ticket['id']}/emergency/acknowledge", {}, user="leader1")
    finally:
        deps.directory.delete("CONFIG", "emergency_keywords")
        deps.contexts.invalidate()
    assert api.get("/admin/emergency-keywords", user="op1").json["default"] is True


def test_r12345_12_sweep_requests_grow_with_due_escalations_only(api: Any, deps: Any, leader_on_duty: str) -> None:
    now = datetime.now(UTC) + timedelta(minutes=2)  # after every intake below
    sweep.run_sweep(deps, now)  # settle whatever is due
    deps.contexts.load(now)
    before = sweep.run_sweep(deps, now)
    tids = [_intake(api, emergency=True)["id"] for _ in range(3)]
    for tid in tids:  # acknowledged emergencies cost nothing
        api.post(f"/tickets/{tid}/emergency/acknowledge", {}, user="leader1")
    deps.contexts.load(now)
    after = sweep.run_sweep(deps, now)
    assert after["dynamodb_requests"] == before["dynamodb_requests"], (before, after)
    due = _intake(api, emergency=True)["id"]
    deps.contexts.load(now)
    one = sweep.run_sweep(deps, now)
    # one due escalation: its ticket read, the leader on duty (roster + default), one transaction
    assert one["emergency_escalated"] == 1
    assert one["dynamodb_requests"] - before["dynamodb_requests"] <= 4, (before, one)
    api.post(f"/tickets/{due}/emergency/acknowledge", {}, user="leader1")
