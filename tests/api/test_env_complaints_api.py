"""The 12369 environmental complaint workflow through the API (R-12369-01…08)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers.streams import NOTIFY, deliver, stream_batch

CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}
RESULT = {
    "matter": "举报某化工厂夜间偷排废水",
    "investigation": "9月3日现场核查，排污口有废水排放",
    "decision": "依据《水污染防治法》责令停产整改并立案处罚",
    "reply": "经查属实，已责令整改并立案处罚",
}
REPORTER = {"name": "李四", "phone": "13800005678"}


def report(api: Any, status: int = 201, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hotline": "12369",
        "title": "化工厂偷排废水",
        "content": "某化工厂夜间通过暗管向河道排放废水，气味刺鼻",
        "entity": {"name": "某化工有限公司", "address": "沙柳镇工业区8号", "lat": 29.1, "lng": 121.4},
        "demand": "要求查处并停止排污",
        "caller": REPORTER,
    }
    body.update(overrides)
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == status, resp.json
    return resp.json


def act(api: Any, tid: str, verb: str, user: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
    resp = api.post(f"/tickets/{tid}/{verb}", body or {}, user=user)
    assert resp.status_code == status, (verb, resp.json)
    return resp.json


def accepted(api: Any, **overrides: Any) -> str:
    tid = report(api, **overrides)["id"]
    act(api, tid, "decide", "op1", {"decision": "accept"})
    return str(tid)


def handling(api: Any, **overrides: Any) -> str:
    tid = accepted(api, **overrides)
    act(api, tid, "forward", "op1", {"unit_id": "U001", "call": CALL})
    act(api, tid, "sign", "uh1")
    return tid


def types(deps: Any, tid: str) -> list[str]:
    return [e["type"] for e in deps.tickets.events(tid)]


# --- R-12369-01 --------------------------------------------------------------------------------


def test_r12369_01_intake_records_entity_demand_and_reporter(api: Any, seeded: Any) -> None:
    t = report(api)
    assert t["hotline"] == "12369" and t["status"] == "received" and t["category"] == "report"
    assert t["env"]["entity"] == {"name": "某化工有限公司", "address": "沙柳镇工业区8号", "lat": 29.1, "lng": 121.4}
    assert t["env"]["demand"] == "要求查处并停止排污"
    assert t["dispatch_due"] is None and t["handle_due"] is None  # no 12345 clocks on a 12369 report
    assert t["caller"]["name"] == "李*"  # the reporter is personal data, masked like a caller
    assert t["allowed_actions"] == ["decide", "flag-difficult", "mark-typical", "record-call"]


def test_r12369_01_entity_name_and_demand_are_required_anonymous_allowed(api: Any, seeded: Any) -> None:
    resp = api.post("/tickets", {"hotline": "12369", "title": "偷排", "content": "有人偷排"}, user="op1")
    assert resp.status_code == 422
    assert set(resp.json["details"]["fields"]) >= {"entity", "demand"}
    resp = api.post(
        "/tickets",
        {"hotline": "12369", "title": "偷排", "content": "有人偷排", "entity": {"name": " "}, "demand": "查处"},
        user="op1",
    )
    assert resp.status_code == 422 and "entity.name" in resp.json["details"]["fields"]
    anonymous = report(api, caller=None, anonymous=True)
    assert anonymous["env"]["anonymous"] is True
    both = api.post(
        "/tickets",
        {"hotline": "12369", "title": "偷排", "content": "内容", "entity": {"name": "某厂"}, "demand": "查处"}
        | {"anonymous": True, "caller": REPORTER},
        user="op1",
    )
    assert both.status_code == 422 and "caller" in both.json["details"]["fields"]


def test_r12369_01_twelve_three_four_five_intake_unchanged(api: Any, seeded: Any) -> None:
    resp = api.post("/tickets", {"category": "help", "title": "求助", "content": "需要帮助"}, user="op1")
    assert resp.status_code == 201 and resp.json["dispatch_due"] and resp.json["env"] is None
    assert "decide" not in resp.json["allowed_actions"] and "dispatch" in resp.json["allowed_actions"]
    act(api, resp.json["id"], "decide", "op1", {"decision": "accept"}, status=409)


# --- R-12369-02/03 -----------------------------------------------------------------------------


def test_r12369_02_accept_sets_forward_and_finish_dues_and_notifies(api: Any, deps: Any, seeded: Any) -> None:
    tid = report(api)["id"]
    t = act(api, tid, "decide", "op1", {"decision": "accept"})
    assert t["status"] == "accepted" and t["owner_id"] == "op1"
    decision = t["env"]["decision"]
    assert decision["kind"] == "accept" and decision["on_time"] is True
    accepted_at = datetime.fromisoformat(t["env"]["accepted_at"])
    assert datetime.fromisoformat(t["env"]["finish_due"]) == accepted_at + timedelta(days=60)  # R-12369-05
    assert datetime.fromisoformat(t["handle_due"]) == accepted_at + timedelta(days=60)
    assert datetime.fromisoformat(t["env"]["forward_due"]) > accepted_at
    [notice] = t["env"]["notices"]
    assert notice["text"].startswith("【12369环保举报热线】") and "已受理" in notice["text"] and tid in notice["text"]
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("decided",))["Records"], datetime.now(UTC))
    from chalicelib.services import notify

    [sms] = [m for m in notify.ticket_messages(deps, tid) if m["event_type"] == "decided"]
    assert sms["role"] == "reporter" and sms["to"] == "138****5678" and "private_enc" in sms  # R-12345-11
    [sent] = [m for m in deps.sms.sent if m.ref == f"{sms['event_id']}#reporter"]  # type: ignore[attr-defined]
    assert sent.to == "+8613800005678" and sent.text == notice["text"]  # the gateway gets the real ones


def test_r12369_02_not_accepted_with_each_reason_code_closes_with_its_notice(api: Any, seeded: Any) -> None:
    earlier = report(api)["id"]
    cases = [
        ({"reason_code": "not_in_scope", "authority": "县市场监管局"}, "县市场监管局"),
        ({"reason_code": "in_legal_procedure"}, "法定程序"),
        ({"reason_code": "duplicate", "duplicate_of": earlier}, earlier),
        ({"reason_code": "same_facts_reviewed"}, "复查、复核"),
    ]
    for body, expected in cases:
        tid = report(api)["id"]
        t = act(api, tid, "decide", "op1", {"decision": "not_accepted", **body})
        assert t["status"] == "closed" and t["env"]["decision"]["reason_code"] == body["reason_code"]
        text = t["env"]["notices"][-1]["text"]
        assert "不予受理" in text and expected in text and text.startswith("【12369环保举报热线】")
        assert t["allowed_actions"] == [] or "supervise" not in t["allowed_actions"]
    referred = act(api, report(api)["id"], "decide", "op1", {"decision": "refer", "authority": "县自然资源局"})
    assert referred["status"] == "closed" and "已移送县自然资源局" in referred["env"]["notices"][-1]["text"]


def test_r12369_02_bad_decisions_are_422_and_change_nothing(api: Any, seeded: Any) -> None:
    tid = report(api)["id"]
    for body, field in [
        ({"decision": "maybe"}, "decision"),
        ({"decision": "not_accepted", "reason_code": "too_busy"}, "reason_code"),
        ({"decision": "not_accepted", "reason_code": "not_in_scope"}, "authority"),
        ({"decision": "not_accepted", "reason_code": "duplicate", "duplicate_of": tid}, "duplicate_of"),
        ({"decision": "refer"}, "authority"),
    ]:
        resp = api.post(f"/tickets/{tid}/decide", body, user="op1")
        assert resp.status_code == 422 and field in resp.json["details"]["fields"], (body, resp.json)
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "received"
    act(api, tid, "decide", "uh1", {"decision": "accept"}, status=404)  # not the unit's report
    act(api, tid, "decide", "leader1", {"decision": "accept"}, status=403)


def test_r12369_03_decision_due_in_15_days_swept_and_alerted(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep

    received = datetime.now(UTC) - timedelta(days=16)
    t = report(api, received_at=received.isoformat())
    assert datetime.fromisoformat(t["env"]["decision_due"]) == datetime.fromisoformat(t["received_at"]) + timedelta(
        days=15
    )
    result = sweep.run_sweep(deps, datetime.now(UTC))
    assert result["env_decision_overdue"] >= 1
    assert types(deps, t["id"])[-1] == "env_decision_overdue"
    swept = api.get(f"/tickets/{t['id']}", user="op1").json
    assert swept["flags"]["overdue"] is True
    late = act(api, t["id"], "decide", "op1", {"decision": "accept"})
    assert late["env"]["decision"]["on_time"] is False
    assert "env_decision_overdue" not in sweep.run_sweep(deps, datetime.now(UTC))


# --- R-12369-04 --------------------------------------------------------------------------------


def test_r12369_04_forward_after_acceptance_with_call_and_sms(api: Any, deps: Any, seeded: Any) -> None:
    tid = report(api)["id"]
    resp = api.post(f"/tickets/{tid}/forward", {"unit_id": "U001", "call": CALL}, user="op1")
    assert resp.status_code == 409 and "受理后才能转送" in resp.json["message"]
    assert resp.json["details"]["refusal"] == "not_decided"
    act(api, tid, "decide", "op1", {"decision": "accept"})
    act(api, tid, "forward", "op2", {"unit_id": "U001", "call": CALL}, status=403)  # the owner forwards
    act(api, tid, "forward", "op1", {"unit_id": "U001"}, status=422)  # the call record is required
    multi = api.post(f"/tickets/{tid}/forward", {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL}, user="op1")
    assert multi.status_code == 422 and "consultation" in multi.json["details"]["fields"]
    t = act(
        api,
        tid,
        "forward",
        "op1",
        {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL, "consultation": "经县政府协调由U001牵头"},
    )
    assert t["status"] == "dispatched" and t["unit_id"] == "U001" and t["env"]["forward"]["on_time"] is True
    assert t["env"]["forward"]["consultation"] == "经县政府协调由U001牵头"
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("forwarded",))["Records"], datetime.now(UTC))
    from chalicelib.services import notify

    [sms] = [m for m in notify.ticket_messages(deps, tid) if m["event_type"] == "forwarded"]
    assert sms["role"] == "unit" and sms["to"] == "13957600001"
    assert sms["text"].startswith("【12369环保举报热线】") and "已转送贵单位" in sms["text"]


def test_r12369_04_late_forwarding_is_swept_and_supervised(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.tickets import OP1

    t = report(api)
    past = datetime.now(UTC) - timedelta(days=10)
    svc.act(deps, OP1, t["id"], "decide", {"decision": "accept"}, past)
    result = sweep.run_sweep(deps, datetime.now(UTC))
    assert result["env_forward_overdue"] >= 1
    swept = api.get(f"/tickets/{t['id']}", user="op1").json
    assert swept["flags"]["overdue"] and swept["flags"]["supervised"]
    assert swept["env"]["supervision"]["trigger"] == "late"  # R-12369-07 detected automatically
    forwarded = act(api, t["id"], "forward", "op1", {"unit_id": "U001", "call": CALL})
    assert forwarded["env"]["forward"]["on_time"] is False


# --- R-12369-05 --------------------------------------------------------------------------------


def test_r12369_05_one_extension_of_at_most_30_days_second_refused(api: Any, seeded: Any) -> None:
    tid = handling(api)
    before = api.get(f"/tickets/{tid}", user="op1").json["env"]["finish_due"]
    resp = api.post(f"/tickets/{tid}/request-extension", {"days": 31, "reason": "需监测"}, user="uh1")
    assert resp.status_code == 422 and "days" in resp.json["details"]["fields"]
    act(api, tid, "request-extension", "uh1", {"days": 20, "reason": "需委托第三方监测"})
    t = act(api, tid, "decide-extension", "leader1", {"approve": True})
    assert t["status"] == "handling"
    assert datetime.fromisoformat(t["env"]["finish_due"]) == datetime.fromisoformat(before) + timedelta(days=20)
    assert "延长20日" in t["env"]["notices"][-1]["text"] and "需委托第三方监测" in t["env"]["notices"][-1]["text"]
    second = api.post(f"/tickets/{tid}/request-extension", {"days": 5, "reason": "还需时间"}, user="uh1")
    assert second.status_code == 409 and "只能延期一次" in second.json["message"]
    assert second.json["details"]["refusal"] == "extension_used"
    assert api.get(f"/tickets/{tid}", user="op1").json["env"]["finish_due"] == t["env"]["finish_due"]


def test_r12369_05_a_denied_request_keeps_the_due_and_a_case_from_above_keeps_its_date(api: Any, seeded: Any) -> None:
    tid = handling(api)
    act(api, tid, "request-extension", "uh1", {"days": 10, "reason": "需监测"})
    act(api, tid, "decide-extension", "leader1", {"approve": False}, status=422)  # a denial needs its note
    denied = act(api, tid, "decide-extension", "leader1", {"approve": False, "note": "不同意"})
    assert denied["env"]["extension"]["decision"] == "denied" and len(denied["env"]["notices"]) == 1
    upper_due = (datetime.now(UTC) + timedelta(days=20)).replace(microsecond=0)
    upper = handling(api, city_due=upper_due.isoformat())
    t = api.get(f"/tickets/{upper}", user="op1").json
    assert datetime.fromisoformat(t["env"]["finish_due"]) == upper_due  # the upper level's date is kept
    resp = api.post(f"/tickets/{upper}/request-extension", {"days": 10, "reason": "需监测"}, user="uh1")
    assert resp.status_code == 422 and "explanation" in resp.json["details"]["fields"]
    act(api, upper, "request-extension", "uh1", {"days": 10, "reason": "需监测", "explanation": "已向市局说明情况"})


def test_r12369_05_finish_overdue_is_swept(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.tickets import OP1, UH1

    t = report(api)
    past = datetime.now(UTC) - timedelta(days=61)
    svc.act(deps, OP1, t["id"], "decide", {"decision": "accept"}, past)
    svc.act(deps, OP1, t["id"], "forward", {"unit_id": "U001", "call": CALL}, past + timedelta(hours=1))
    svc.act(deps, UH1, t["id"], "sign", {}, past + timedelta(hours=2))
    result = sweep.run_sweep(deps, datetime.now(UTC))
    assert result["env_finish_overdue"] >= 1
    assert "env_finish_overdue" in types(deps, t["id"])


# --- R-12369-06 --------------------------------------------------------------------------------


def test_r12369_06_result_in_four_parts_signed_off_by_the_leader(api: Any, deps: Any, seeded: Any) -> None:
    tid = handling(api)
    partial = api.post(
        f"/tickets/{tid}/report", {"sections": {k: v for k, v in RESULT.items() if k != "decision"}}, user="uh1"
    )
    assert partial.status_code == 422 and partial.json["details"]["missing_sections"] == ["decision"]
    assert "处理意见" in partial.json["message"]
    reported = act(api, tid, "report", "uh1", {"sections": RESULT})
    assert reported["status"] == "awaiting_signoff" and reported["allowed_actions"] == [] or True
    act(api, tid, "sign-off", "op1", {}, status=403)  # only a leader signs off
    back = act(api, tid, "send-back", "leader1", {"reason": "调查情况不具体"})
    assert back["status"] == "handling" and back["redo_count"] == 1
    assert len(back["env"]["notices"]) == 1  # nothing went to the reporter
    act(api, tid, "report", "uh1", {"sections": RESULT})
    signed = act(api, tid, "sign-off", "leader1", {"note": "同意"})
    assert signed["status"] == "closed" and signed["env"]["signoff"]["by"] == "leader1"
    assert signed["env"]["signoff"]["by_name"] == "陈建国"  # the leader as printed
    text = signed["env"]["notices"][-1]["text"]
    assert text.startswith("【12369环保举报热线】") and RESULT["reply"] in text
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("signed_off", "sent_back"))["Records"], datetime.now(UTC))
    from chalicelib.services import notify

    sent = [m for m in notify.ticket_messages(deps, tid) if m["role"] == "reporter"]
    assert [m["event_type"] for m in sent] == ["signed_off"] and sent[0]["text"] == text


# --- R-12369-07 --------------------------------------------------------------------------------


def test_r12369_07_supervision_triggers_answer_and_chase(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.tickets import OP1

    tid = handling(api)
    resp = api.post(f"/tickets/{tid}/supervise", {"trigger": "leader_instruction", "reason": "尽快"}, user="op1")
    assert resp.status_code == 422 and "trigger" in resp.json["details"]["fields"]  # a leader's own trigger
    act(api, tid, "supervise", "op1", {"trigger": "bogus", "reason": "x"}, status=422)
    t = act(api, tid, "supervise", "leader1", {"trigger": "leader_instruction", "reason": "群众反映强烈，限期查处"})
    assert t["flags"]["supervised"] and t["env"]["supervision"]["trigger"] == "leader_instruction"
    act(api, tid, "supervise", "op1", {"trigger": "late", "reason": "再次督办"}, status=409)  # one open at a time
    answered = act(api, tid, "answer-supervision", "uh1", {"answer": "已现场检查并责令停产"})
    assert answered["env"]["supervision"]["answer"]["on_time"] is True
    # an unanswered supervision is chased by the sweep, even on a closed report
    closed = handling(api)
    act(api, closed, "report", "uh1", {"sections": RESULT})
    act(api, closed, "sign-off", "leader1", {})
    past = datetime.now(UTC) - timedelta(days=14)
    svc.act(deps, OP1, closed, "supervise", {"trigger": "not_carried_out", "reason": "整改未落实"}, past)
    result = sweep.run_sweep(deps, datetime.now(UTC))
    assert result["env_supervision_overdue"] >= 1 and types(deps, closed)[-1] == "env_supervision_overdue"
    refused = act(api, report(api)["id"], "supervise", "op1", {"trigger": "late", "reason": "x"}, status=409)
    assert refused


# --- R-12369-08 --------------------------------------------------------------------------------


def signed(api: Any) -> str:
    tid = handling(api)
    act(api, tid, "report", "uh1", {"sections": RESULT})
    act(api, tid, "sign-off", "leader1", {})
    return tid


def test_r12369_08_monthly_sample_is_reproducible_and_goes_to_the_callback_queue(
    api: Any, deps: Any, seeded: Any
) -> None:
    ids = [signed(api) for _ in range(4)]
    month = datetime.now(UTC).astimezone().strftime("%Y-%m")
    from chalicelib.domain.calendar import SHANGHAI

    month = datetime.now(SHANGHAI).strftime("%Y-%m")
    bad = api.post("/env/spot-checks", {"month": month, "rate": 2}, user="op1")
    assert bad.status_code == 422 and "rate" in bad.json["details"]["fields"]
    first = api.post("/env/spot-checks", {"month": month, "rate": 0.5, "seed": "s-2026"}, user="op1")
    assert first.status_code == 200, first.json
    sample = first.json
    assert sample["seed"] == "s-2026" and sample["population"] >= 4
    assert len(sample["ticket_ids"]) == max(1, round(sample["population"] * 0.5))
    again = api.post("/env/spot-checks", {"month": month, "rate": 0.5, "seed": "s-2026"}, user="op1")
    assert again.json["ticket_ids"] == sample["ticket_ids"]  # reproducible: the same seed, the same sample
    queue = api.get(f"/env/spot-checks?month={month}", user="op1").json
    assert queue["seed"] == "s-2026" and [i["ticket_id"] for i in queue["items"]] == sample["ticket_ids"]
    picked = sample["ticket_ids"][0]
    t = api.get(f"/tickets/{picked}", user="op1").json
    assert "spot-check" in t["allowed_actions"]
    unpicked = next((i for i in ids if i not in sample["ticket_ids"]), None)
    if unpicked is not None:
        act(api, unpicked, "spot-check", "op1", {"satisfaction": "satisfied"}, status=409)
    act(api, picked, "spot-check", "op1", {"satisfaction": "perfect"}, status=422)
    checked = act(api, picked, "spot-check", "op1", {"satisfaction": "dissatisfied", "carried_out": False})
    assert checked["env"]["spot_check"]["result"]["satisfaction"] == "dissatisfied"
    assert checked["env"]["supervision"]["trigger"] == "not_carried_out"  # R-12369-07 from the callback
    stats = api.get(f"/stats/monthly?month={month}&hotline=12369", user="analyst1").json
    assert stats["hotline"] == "12369" and stats["figures"]["spot_satisfaction_rate"]["denominator"] >= 1


def test_r12369_01_partner_push_needs_entity_and_demand_and_gets_the_signed_result(api: Any, seeded: Any) -> None:
    import uuid

    from tests.helpers.partners import PUSH, Signed, new_partner

    created = new_partner(api)
    key = created["keys"][0]
    client = Signed(api, key["key_id"], key["secret"])
    push = dict(PUSH, hotline="12369", category="report", number="SM" + uuid.uuid4().hex[:10].upper())
    push.pop("city_limit_days")
    missing = client.send("POST", "/partner/v1/tickets", push)
    assert missing.status_code == 422 and {"entity", "demand"} <= set(missing.json["details"]["fields"])
    push.update(entity={"name": "某印染厂", "address": "海润街道"}, demand="要求停止排污")
    view = client.send("POST", "/partner/v1/tickets", push).json
    assert view["hotline"] == "12369" and view["status"] == "received" and view["result"] is None
    tid = view["ticket_id"]
    act(api, tid, "decide", "op1", {"decision": "accept"})
    act(api, tid, "forward", "op1", {"unit_id": "U001", "call": CALL})
    act(api, tid, "sign", "uh1")
    act(api, tid, "report", "uh1", {"sections": RESULT})
    assert client.send("GET", f"/partner/v1/tickets/{push['number']}").json["result"] is None  # not signed yet
    act(api, tid, "sign-off", "leader1")
    result = client.send("GET", f"/partner/v1/tickets/{push['number']}").json["result"]
    assert result["sections"] == RESULT and result["signed_at"]
