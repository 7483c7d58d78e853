"""R-12345-16 through the API: the 综合科 (analyst) records a written 批示 naming a registered leader account,
forwards and chases it; forwarding and chasing text the owner and the addressed unit's handler; the answer is
texted to the leader and listed on the leader's home; open instructions per role; a unit handler never reads
the text of an instruction not addressed to their unit, not even in the ticket's `/events`."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.services import notify
from tests.helpers.streams import NOTIFY, deliver, stream_batch

CALL = {"to_name": "周海", "to_phone": "13957600001"}
OWNER_PHONE = "13957601001"
LEADER_PHONE = "13957601009"


@pytest.fixture(scope="module")
def contacts(deps: Any, seeded: Any) -> None:
    from chalicelib.domain.model import Actor
    from chalicelib.services import duty

    admin = Actor("admin1", "admin")
    duty.put_staff(deps, admin, "op1", {"name": "王敏", "phone": OWNER_PHONE})
    duty.put_staff(deps, admin, "leader1", {"name": "陈建国", "phone": LEADER_PHONE})


def _ticket(api: Any, unit: str = "U001") -> str:
    tid = api.post("/tickets", {"category": "help", "title": "低保申请", "content": "内容"}, user="op1").json["id"]
    body = {"unit_id": unit, "call": CALL}
    assert api.post(f"/tickets/{tid}/dispatch", body, user="op1").status_code == 200
    return str(tid)


def _texts(deps: Any, tid: str, event_type: str) -> dict[str, dict[str, Any]]:
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=(event_type,))["Records"], datetime.now(UTC))
    return {m["role"]: m for m in notify.ticket_messages(deps, tid) if m["event_type"] == event_type}


def test_r12345_16_the_analyst_records_for_a_registered_leader_and_forwarding_texts_owner_and_unit(
    api: Any, deps: Any, contacts: None
) -> None:
    tid = _ticket(api)
    free = api.post(f"/tickets/{tid}/instructions", {"text": "请尽快办理", "leader_name": "张三"}, user="analyst1")
    assert free.status_code == 422 and "leader_name" in free.json["details"]["fields"]
    unknown = api.post(f"/tickets/{tid}/instructions", {"text": "请尽快办理", "leader_id": "op1"}, user="analyst1")
    assert unknown.status_code == 422 and "分管领导" in unknown.json["details"]["fields"]["leader_id"]
    assert api.get(f"/tickets/{tid}/instructions", user="op1").json["items"] == []  # nothing recorded
    body = {"text": "请住建局会同街道三日内拿出方案", "to": "unit", "leader_id": "leader1"}
    resp = api.post(f"/tickets/{tid}/instructions", body, user="analyst1")
    assert resp.status_code == 201, resp.json
    instr = resp.json
    assert instr["leader"] == "陈建国" and instr["leader_id"] == "leader1" and instr["recorded_by"] == "analyst1"
    texts = _texts(deps, tid, "instruction_recorded")
    assert set(texts) == {"owner", "unit"}
    assert texts["owner"]["to"] == OWNER_PHONE and texts["unit"]["e164"] == "+8613957600001"
    assert all(m["status"] == "sent" and "批示" in m["text"] for m in texts.values())
    assert body["text"] not in texts["unit"]["text"]  # the text itself stays in the system
    owner_only = _ticket(api)
    api.post(f"/tickets/{owner_only}/instructions", {"text": "请核实", "leader_id": "leader1"}, user="analyst1")
    assert set(_texts(deps, owner_only, "instruction_recorded")) == {"owner"}  # not to the unit


def test_r12345_16_the_analyst_chases_and_the_answer_is_texted_to_the_leader_and_on_their_home(
    api: Any, deps: Any, contacts: None
) -> None:
    tid = _ticket(api)
    body = {"text": "请街道说明进展", "to": "unit", "leader_id": "leader1"}
    instr = api.post(f"/tickets/{tid}/instructions", body, user="analyst1").json
    chase = f"/tickets/{tid}/instructions/{instr['id']}/chase"
    assert api.post(chase, {}, user="uh1").status_code == 403
    assert api.post(chase, {}, user="op1").status_code == 403
    chased = api.post(chase, {}, user="analyst1")
    assert chased.status_code == 200 and len(chased.json["chases"]) == 1
    texts = _texts(deps, tid, "instruction_chased")
    assert set(texts) == {"owner", "unit"} and "尚未回复" in texts["unit"]["text"]
    events = api.get(f"/tickets/{tid}/events", user="op1").json["items"]
    assert events[-1]["type"] == "instruction_chased" and events[-1]["actor_id"] == "analyst1"
    open_for_leader = api.get("/instructions?mine=1", user="leader1").json["items"]
    mine = next(i for i in open_for_leader if i["id"] == instr["id"])
    assert mine["overdue"] is False
    assert instr["id"] in [i["id"] for i in api.get("/instructions?mine=1", user="analyst1").json["items"]]
    assert instr["id"] in [i["id"] for i in api.get("/instructions?mine=1", user="uh1").json["items"]]
    assert instr["id"] not in [i["id"] for i in api.get("/instructions", user="uh2").json["items"]]
    answer = api.post(
        f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "已制定方案，周五前办结"}, user="uh1"
    )
    assert answer.status_code == 200
    assert api.post(chase, {}, user="analyst1").status_code == 409  # answered: nothing to chase
    [sms] = _texts(deps, tid, "instruction_answered").values()
    assert sms["role"] == "leader" and sms["to"] == LEADER_PHONE and "已有回复" in sms["text"]
    home = api.get("/instructions?status=answered", user="leader1").json["items"]
    assert home[0]["id"] == instr["id"] and home[0]["answer"]["text"] == "已制定方案，周五前办结"
    assert api.get("/instructions?status=answered", user="op1").status_code == 422
    assert api.get("/instructions?status=closed", user="leader1").status_code == 422


def test_r12345_16_a_unit_never_reads_an_instruction_not_addressed_to_it_in_events(
    api: Any, deps: Any, contacts: None
) -> None:
    tid = _ticket(api)
    secret = "此事涉及街道主要负责人，请县纪委关注"
    api.post(f"/tickets/{tid}/instructions", {"text": secret, "to": "owner"}, user="leader1")
    api.post(f"/tickets/{tid}/instructions", {"text": "请街道如实说明", "to": "unit"}, user="leader1")
    unit_view = api.get(f"/tickets/{tid}/events", user="uh1")
    assert unit_view.status_code == 200
    seen = json.dumps(unit_view.json, ensure_ascii=False)
    assert secret not in seen and "请街道如实说明" in seen
    recorded = [e for e in unit_view.json["items"] if e["type"] == "instruction_recorded"]
    assert len(recorded) == 2 and "text" not in recorded[0]["data"] and "leader" not in recorded[0]["data"]
    assert [i["text"] for i in api.get(f"/tickets/{tid}/instructions", user="uh1").json["items"]] == ["请街道如实说明"]
    staff = api.get(f"/tickets/{tid}/events", user="op1").json
    assert secret in json.dumps(staff, ensure_ascii=False)  # staff read everything
