"""R-12345-10 through the API: tickets reach the leader's 疑难 queue by themselves — a joint matter (co-units),
a return marked unjustified (无故退单), a reply marked false (虚假反馈), a ticket overdue beyond N hours — each with
a leader decision due (2 working days by default), the leader on duty texted, reminded and told when it passes;
a new episode never erases a recorded decision; the printable sheet names the trigger and the due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.calendar import WorkCalendar
from chalicelib.services import notify, sweep
from tests.helpers.streams import NOTIFY, deliver, stream_batch

CALL = {"to_name": "周海", "to_phone": "13957600001"}
CO_CALL = {"unit_id": "U002", "to_name": "吴芳", "to_phone": "13957600002"}
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


def _ticket(api: Any, **extra: Any) -> str:
    body = {"category": "complaint", "title": "占道经营", "content": "多部门联合处理", **extra}
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def _dispatched(api: Any, **extra: Any) -> str:
    tid = _ticket(api, **extra)
    resp = api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1")
    assert resp.status_code == 200, resp.json
    return tid


def _leader_texts(deps: Any, tid: str, event_type: str) -> list[dict[str, Any]]:
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=(event_type,))["Records"], datetime.now(UTC))
    return [
        m for m in notify.ticket_messages(deps, tid) if m["event_type"] == event_type and m["role"] == "duty_leader"
    ]


def _queue_ids(api: Any, status: str) -> list[str]:
    resp = api.get(f"/tickets?status={status}&flag=difficult&limit=100", user="leader1")
    assert resp.status_code == 200, resp.json
    return [t["id"] for t in resp.json["items"]]


def test_r12345_10_a_co_unit_dispatch_reaches_the_leader_with_a_decision_due_and_an_sms(
    api: Any, deps: Any, leader_on_duty: str
) -> None:
    tid = _ticket(api)
    body = {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL, "co_calls": [CO_CALL]}
    resp = api.post(f"/tickets/{tid}/dispatch", body, user="op1")
    assert resp.status_code == 200, resp.json
    ticket = resp.json
    esc = ticket["escalation"]
    assert esc["pending"] is True and esc["trigger"] == "co_units" and ticket["flags"]["difficult"] is True
    at = datetime.fromisoformat(ticket["difficult"]["at"])
    expected = WorkCalendar().add_working_days(at, 2).at  # R-12345-10 default: 2 working days
    assert datetime.fromisoformat(esc["decision_due"]) == expected
    assert tid in _queue_ids(api, "dispatched")
    [sms] = _leader_texts(deps, tid, "dispatched")
    assert sms["to"] == LEADER_PHONE and sms["status"] == "sent" and "多单位协办" in sms["text"]
    assert "疑难工单" in sms["text"]
    history = api.get(f"/tickets/{tid}/events", user="op1").json["items"]
    assert history[-1]["type"] == "dispatched" and history[-1]["data"]["escalated"]["difficult_trigger"] == "co_units"


def test_r12345_10_an_unjustified_return_is_escalated_and_a_justified_one_is_not(
    api: Any, deps: Any, leader_on_duty: str
) -> None:
    tid = _dispatched(api)
    assert api.post(f"/tickets/{tid}/return", {"reason": "不属于本单位职责"}, user="uh1").status_code == 200
    body = {"unit_id": "U001", "call": CALL, "good_reason": False, "note": "属本单位职责"}
    bad = api.post(f"/tickets/{tid}/transfer", dict(body, good_reason="no"), user="op1")
    assert bad.status_code == 422 and "good_reason" in bad.json["details"]["fields"]
    assert api.get(f"/tickets/{tid}", user="op1").json["escalation"] is None  # nothing changed
    resp = api.post(f"/tickets/{tid}/transfer", body, user="op1")
    assert resp.status_code == 200, resp.json
    assert resp.json["escalation"]["trigger"] == "unjustified_return" and resp.json["escalation"]["pending"]
    assert len(_leader_texts(deps, tid, "transferred")) == 1
    other = _dispatched(api)
    api.post(f"/tickets/{other}/return", {"reason": "不属于本单位职责"}, user="uh1")
    fine = api.post(f"/tickets/{other}/transfer", {"unit_id": "U002", "call": CALL, "good_reason": True}, user="op1")
    assert fine.status_code == 200 and fine.json["escalation"] is None and not fine.json["flags"]["difficult"]


def test_r12345_10_a_false_reply_is_escalated_and_a_reflag_keeps_the_recorded_decision(
    api: Any, deps: Any, leader_on_duty: str
) -> None:
    tid = _dispatched(api)
    assert api.post(f"/tickets/{tid}/sign", {}, user="uh1").status_code == 200
    # a manual flag first; the leader decides it
    assert api.post(f"/tickets/{tid}/flag-difficult", {"reason": "群众多次反映"}, user="op1").status_code == 200
    decided = api.post(f"/tickets/{tid}/leader-decision", {"decision": "由街道牵头，三日内办结"}, user="leader1")
    assert decided.status_code == 200 and decided.json["difficult"]["decision_on_time"] is True
    assert decided.json["escalation"]["pending"] is False
    templates = {t["category"]: t for t in api.get("/reply-templates", user="op1").json["items"]}
    sections = {s["id"]: "已现场核查并责令整改。" for s in templates["complaint"]["sections"]}
    assert api.post(f"/tickets/{tid}/reply", {"sections": sections}, user="uh1").status_code == 200
    bad = api.post(f"/tickets/{tid}/review", {"approve": False, "reason": "x", "false_reply": "是"}, user="op1")
    assert bad.status_code == 422 and "false_reply" in bad.json["details"]["fields"]
    body = {"approve": False, "reason": "经核实现场仍有占道，答复不属实", "false_reply": True}
    resp = api.post(f"/tickets/{tid}/review", body, user="op1")
    assert resp.status_code == 200, resp.json
    difficult = resp.json["difficult"]
    assert difficult["trigger"] == "false_reply" and difficult["decision"] is None
    [earlier] = difficult["history"]  # the recorded decision is kept, not erased
    assert earlier["decision"] == "由街道牵头，三日内办结" and earlier["trigger"] == "manual"
    assert tid in _queue_ids(api, "handling")
    [sms] = _leader_texts(deps, tid, "review_rejected")
    assert "虚假反馈" in sms["text"]
    again = api.post(f"/tickets/{tid}/flag-difficult", {"reason": "再报"}, user="op1")
    assert again.status_code == 409  # awaiting the leader: decided once
    leader = {"Authorization": f"Bearer {api.tokens['leader1']}"}
    sheet = api.client.http.get(f"/documents/difficult-sheet/{tid}?format=html", headers=leader)
    assert sheet.status_code == 200
    text = sheet.body.decode()
    assert "领导决定期限" in text and "由街道牵头，三日内办结" in text and "虚假反馈" in text


def test_r12345_10_overdue_beyond_n_hours_is_escalated_then_the_decision_is_chased(
    api: Any, deps: Any, leader_on_duty: str
) -> None:
    received = datetime.now(UTC) - timedelta(days=20)
    tid = _dispatched(api, category="consult", received_at=received.isoformat())
    due = datetime.fromisoformat(api.get(f"/tickets/{tid}", user="op1").json["handle_due"])
    policy = api.get("/admin/escalation", user="leader1").json
    assert policy["overdue_hours"] == 24 and policy["decision_days"] == 2
    sweep.run_sweep(deps, due + timedelta(hours=23))  # overdue, not yet beyond 24 hours
    ticket = api.get(f"/tickets/{tid}", user="op1").json
    assert ticket["flags"]["overdue"] is True and ticket["escalation"] is None
    escalated_at = due + timedelta(hours=25)
    sweep.run_sweep(deps, escalated_at)
    ticket = api.get(f"/tickets/{tid}", user="op1").json
    assert ticket["escalation"]["trigger"] == "overdue" and ticket["difficult"]["by"] == "system"
    assert tid in _queue_ids(api, "dispatched")
    [sms] = _leader_texts(deps, tid, "flagged_difficult")
    assert "超期未办结" in sms["text"]
    decision_due = datetime.fromisoformat(ticket["escalation"]["decision_due"])
    sweep.run_sweep(deps, decision_due - timedelta(minutes=1))  # the working day before: reminded
    sweep.run_sweep(deps, decision_due + timedelta(minutes=1))  # passed: overdue
    types = [e["type"] for e in api.get(f"/tickets/{tid}/events", user="op1").json["items"]]
    assert types.count("decision_reminder_due") == 1 and types.count("marked_decision_overdue") == 1
    assert types.count("flagged_difficult") == 1
    assert len(_leader_texts(deps, tid, "marked_decision_overdue")) == 1
    late = api.post(f"/tickets/{tid}/leader-decision", {"decision": "约谈承办单位"}, user="leader1")
    assert late.status_code == 200 and late.json["difficult"]["decision_on_time"] is False


def test_r12345_10_the_escalation_policy_is_set_by_admins_only_and_checked(api: Any, seeded: Any) -> None:
    assert api.get("/admin/escalation", user="uh1").status_code == 403
    assert api.put("/admin/escalation", {"overdue_hours": 12, "decision_days": 3}, user="leader1").status_code == 403
    bad = api.put("/admin/escalation", {"overdue_hours": 0, "decision_days": 400}, user="admin1")
    assert bad.status_code == 422 and "decision_days" in bad.json["details"]["fields"]
    assert "工作日" in bad.json["details"]["fields"]["decision_days"]
    assert api.get("/admin/escalation", user="admin1").json["decision_days"] == 2  # nothing changed
    ok = api.put("/admin/escalation", {"overdue_hours": 48, "decision_days": 2}, user="admin1")
    assert ok.status_code == 200 and api.get("/admin/escalation", user="op1").json["overdue_hours"] == 48
    restored = api.put("/admin/escalation", {"overdue_hours": 24, "decision_days": 2}, user="admin1")
    assert restored.status_code == 200
