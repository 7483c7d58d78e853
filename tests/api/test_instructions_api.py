"""R-12345-16 leader instructions: recorded, forwarded, chased until answered, answered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _ticket(api: Any) -> str:
    tid = api.post("/tickets", {"category": "help", "title": "低保申请", "content": "内容"}, user="op1").json["id"]
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    return tid


def test_r12345_16_instruction_is_forwarded_to_the_owner_and_answered(api: Any, seeded: Any) -> None:
    tid = _ticket(api)
    resp = api.post(f"/tickets/{tid}/instructions", {"text": "请尽快协调解决，三日内报结果"}, user="leader1")
    assert resp.status_code == 201, resp.json
    instr = resp.json
    assert instr["to"] == {"kind": "owner", "id": "op1"} and instr["status"] == "open" and instr["leader"]
    mine = api.get("/instructions?mine=1", user="op1").json["items"]
    assert instr["id"] in [i["id"] for i in mine]
    shown = next(i for i in mine if i["id"] == instr["id"])  # people as printed, not login ids
    assert shown["to"]["name"] == "王敏" and shown["recorded_by_name"] == "陈建国"
    assert instr["id"] not in [i["id"] for i in api.get("/instructions?mine=1", user="op2").json["items"]]
    assert (
        api.post(f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "已办"}, user="op2").status_code == 403
    )
    done = api.post(f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "已协调民政办，本周办结"}, user="op1")
    assert done.status_code == 200 and done.json["status"] == "answered" and done.json["answer"]["on_time"] is True
    again = api.post(f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "再答"}, user="op1")
    assert again.status_code == 409
    types = [e["type"] for e in api.get(f"/tickets/{tid}/events", user="op1").json["items"]]
    assert types[-2:] == ["instruction_recorded", "instruction_answered"]
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "dispatched"  # the ticket itself is unchanged
    assert instr["id"] not in [i["id"] for i in api.get("/instructions", user="leader1").json["items"]]
    answered = api.get("/instructions?status=answered", user="leader1").json["items"]
    assert next(i for i in answered if i["id"] == instr["id"])["answer"]["by_name"] == "王敏"


def test_r12345_16_unanswered_instruction_is_chased_until_answered(deps: Any, api: Any, seeded: Any) -> None:
    from chalicelib.services import instructions as svc

    tid = _ticket(api)
    instr = api.post(f"/tickets/{tid}/instructions", {"text": "请单位说明情况", "to": "unit"}, user="leader1").json
    assert instr["to"] == {"kind": "unit", "id": "U001"}
    assert instr["id"] in [i["id"] for i in api.get("/instructions?mine=1", user="uh1").json["items"]]
    assert api.get(f"/tickets/{tid}/instructions", user="uh2").status_code == 404  # another unit's ticket
    due = datetime.fromisoformat(instr["due"])
    assert svc.chase_all(deps, due - timedelta(minutes=1)) >= 0
    assert api.get(f"/tickets/{tid}/instructions", user="op1").json["items"][0]["chases"] == []
    assert svc.chase_all(deps, due + timedelta(minutes=1)) >= 1
    svc.chase_all(deps, due + timedelta(minutes=2))  # the next chase comes only 24 h later
    item = api.get(f"/tickets/{tid}/instructions", user="op1").json["items"][0]
    assert len(item["chases"]) == 1
    types = [e["type"] for e in api.get(f"/tickets/{tid}/events", user="op1").json["items"]]
    assert types.count("instruction_chased") == 1
    assert (
        api.post(f"/tickets/{tid}/instructions/{instr['id']}/answer", {"text": "已说明"}, user="uh1").status_code == 200
    )
    assert svc.chase_all(deps, due + timedelta(days=5)) >= 0
    item = api.get(f"/tickets/{tid}/instructions", user="op1").json["items"][0]
    assert item["status"] == "answered" and len(item["chases"]) == 1


def test_instruction_needs_text_and_a_leader(api: Any, seeded: Any) -> None:
    tid = _ticket(api)
    assert api.post(f"/tickets/{tid}/instructions", {}, user="leader1").status_code == 422
    assert api.post(f"/tickets/{tid}/instructions", {"text": "x"}, user="uh1").status_code == 403
    assert (
        api.post(f"/tickets/{tid}/instructions", {"text": "x"}, user="op1").status_code == 422
    )  # leader_name required
    ok = api.post(f"/tickets/{tid}/instructions", {"text": "x", "leader_name": "陈建国"}, user="op1")
    assert ok.status_code == 201 and ok.json["leader"] == "陈建国"
    received = api.post("/tickets", {"category": "help", "title": "t", "content": "c"}, user="op1").json["id"]
    assert api.post(f"/tickets/{received}/instructions", {"text": "x"}, user="leader1").status_code == 409
