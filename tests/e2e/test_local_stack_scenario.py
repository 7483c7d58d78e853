"""The README's walk-through over real HTTP against `make run`'s stack: happy path and every side way."""

from __future__ import annotations

from typing import Any

import requests

from tests.e2e.conftest import LocalStack

CALL = {"to_name": "张伟", "to_phone": "13957600001", "note": "已电话通知"}
REPLY = {"investigation": "已现场核查", "result": "已整改", "basis": "《噪声污染防治法》", "contact": "已告知反映人"}


class Session:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tokens = {u: stack.login(u)["id_token"] for u in ("op1", "op2", "uh1", "uh2", "leader", "analyst")}

    def call(self, method: str, path: str, user: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        resp = requests.request(
            method,
            self.stack.api + path,
            json=body,
            headers={"Authorization": f"Bearer {self.tokens[user]}"},
            timeout=30,
        )
        assert resp.status_code == status, (method, path, resp.status_code, resp.text)
        return resp.json()

    def act(self, tid: str, verb: str, user: str, body: dict[str, Any] | None = None, status: int = 200) -> Any:
        return self.call("POST", f"/tickets/{tid}/{verb}", user, body or {}, status)


def test_demo_data_is_there_and_spans_every_state(local_stack: LocalStack) -> None:
    s = Session(local_stack)
    for status in (
        "received",
        "dispatched",
        "handling",
        "replied",
        "reviewed",
        "called_back",
        "submitted",
        "closed",
        "returned",
        "extension_requested",
    ):
        items = s.call("GET", f"/tickets?status={status}&limit=50", "analyst")["items"]
        assert items, status


def test_walk_a_ticket_through_the_happy_path_and_each_side_way_over_http(local_stack: LocalStack) -> None:
    s = Session(local_stack)
    body = {
        "category": "complaint",
        "title": "夜间施工噪音",
        "content": "22点后仍在施工",
        "caller": {"name": "张三", "phone": "13800001111"},
    }
    tid = s.call("POST", "/tickets", "op1", body, status=201)["id"]
    s.act(tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    s.act(tid, "return", "uh1", {"reason": "不属于本单位"})
    s.act(tid, "transfer", "op1", {"unit_id": "U002", "call": dict(CALL, to_name="刘洋", to_phone="13957600002")})
    assert s.call("GET", f"/tickets/{tid}", "uh1", status=404)["code"] == "not_found"
    s.act(tid, "sign", "uh2")
    s.act(tid, "request-extension", "uh2", {"reason": "需协调", "new_due": "2026-12-28"})
    s.act(tid, "decide-extension", "leader", {"approve": False, "note": "请按期办结"})
    s.act(tid, "flag-difficult", "op1", {"reason": "多部门"})
    s.act(tid, "leader-decision", "leader", {"decision": "住建局牵头"})
    s.act(tid, "reply", "uh2", {"sections": REPLY})
    s.act(tid, "review", "op1", {"approve": False, "reason": "答复不完整"})
    s.act(tid, "reply", "uh2", {"sections": REPLY})
    s.act(tid, "review", "op1", {"approve": True})
    s.act(tid, "submit", "op1", status=409)
    s.act(
        tid,
        "callback",
        "op1",
        {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "basically_satisfied"},
    )
    s.act(tid, "submit", "op1")
    s.act(tid, "city-reject", "op1", {"reason": "请补充政策依据"})
    s.act(tid, "submit", "op1")
    assert s.act(tid, "close", "op1")["status"] == "closed"
    t = s.act(tid, "reassign", "op1", {"reason": "市平台重新交办", "call": CALL})
    assert t["status"] == "handling" and t["owner_id"] == "op1"
    types = [e["type"] for e in s.call("GET", f"/tickets/{tid}/events", "op1")["items"]]
    assert types[0] == "received" and types[-1] == "reassigned" and types.count("replied") == 2
