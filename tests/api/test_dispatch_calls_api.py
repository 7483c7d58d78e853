"""Co-units and re-assignment are phoned and texted like a dispatch (R-12345-02, R-12345-09), through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.helpers.streams import NOTIFY, deliver, stream_batch
from tests.helpers.tickets import drive_to_submitted

CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
CO_CALL = {"unit_id": "U002", "to_name": "吴芳", "to_phone": "13957600002", "note": "已电话通知协办"}


def _ticket(api: Any) -> str:
    body = {"category": "complaint", "title": "占道经营", "content": "多部门联合处理"}
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def _texts(deps: Any, tid: str, event_type: str) -> dict[str, dict[str, Any]]:
    from chalicelib.services import notify

    deliver(deps, NOTIFY, stream_batch(deps, tid, types=(event_type,))["Records"], datetime.now(UTC))
    return {m["role"]: m for m in notify.ticket_messages(deps, tid) if m["event_type"] == event_type}


def test_r12345_02_each_co_unit_gets_a_call_record_and_an_sms_at_dispatch(api: Any, deps: Any) -> None:
    tid = _ticket(api)
    body = {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL}
    refused = api.post(f"/tickets/{tid}/dispatch", body, user="op1")
    assert refused.status_code == 422 and "co_calls" in refused.json["details"]["fields"]
    assert "协办单位" in refused.json["details"]["fields"]["co_calls"]
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "received"  # nothing changed
    bad = api.post(f"/tickets/{tid}/dispatch", dict(body, co_calls=[dict(CO_CALL, to_phone="6002")]), user="op1")
    assert bad.status_code == 422 and "co_calls[0].to_phone" in bad.json["details"]["fields"]
    ok = api.post(f"/tickets/{tid}/dispatch", dict(body, co_calls=[CO_CALL]), user="op1")
    assert ok.status_code == 200, ok.json
    calls = api.get(f"/tickets/{tid}/calls", user="op1").json["items"]
    assert [(c["kind"], c.get("unit_id"), c["event_type"]) for c in calls] == [
        ("dispatch_notice", None, "dispatched"),
        ("dispatch_notice", "U002", "dispatched"),
    ]
    assert calls[1]["to_phone"] != "13957600002"  # masked (R-12345-11)
    history = api.get(f"/tickets/{tid}/events", user="op1").json["items"]
    assert "contact_enc" not in str(history) and "13957600002" not in str(history)
    texts = _texts(deps, tid, "dispatched")
    assert set(texts) == {"unit", "co_unit:U002", "duty_leader"}  # R-12345-10: co-units go before the leader
    co = texts["co_unit:U002"]
    assert co["e164"] == "+8613957600002" and co["status"] == "sent" and "协办单位" in co["text"]
    assert api.get(f"/tickets/{tid}", user="uh2").status_code == 200  # the co-unit sees its ticket


def test_r12345_09_a_reassign_is_phoned_and_texted_like_a_dispatch(api: Any, deps: Any) -> None:
    tid = _ticket(api)
    drive_to_submitted(api, tid)
    assert api.post(f"/tickets/{tid}/close", {}, user="op1").status_code == 200
    other = api.post(f"/tickets/{tid}/reassign", {"reason": "市民再次反映", "call": CALL}, user="op2")
    assert other.status_code == 403  # not its dispatcher: an operator does not reopen another's closed ticket
    refused = api.post(f"/tickets/{tid}/reassign", {"reason": "市民再次反映"}, user="op1")
    assert refused.status_code == 422 and "call" in refused.json["details"]["fields"]
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "closed"  # nothing changed
    resp = api.post(f"/tickets/{tid}/reassign", {"reason": "市民再次反映", "call": CALL}, user="op1")
    assert resp.status_code == 200 and resp.json["status"] == "handling", resp.json
    calls = api.get(f"/tickets/{tid}/calls", user="op1").json["items"]
    assert [(c["kind"], c["event_type"], c["by"]) for c in calls][-1] == ("dispatch_notice", "reassigned", "op1")
    texts = _texts(deps, tid, "reassigned")
    assert set(texts) == {"unit"}
    sms = texts["unit"]
    assert sms["e164"] == "+8613957600001" and sms["status"] == "sent" and "重新交办" in sms["text"]
