"""The five confirmations through the API (R-12345-13): urgency order, counts, 查看全部 queries, 逐项确认
recorded once, bad input a Chinese 4xx, and the home page within 5 DynamoDB Queries; the empty-roster
banner for admins and leaders (R-12345-12)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.services.sweep import count_requests

CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _ticket(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {"category": "complaint", "title": "噪音扰民", "content": "夜间施工"}
    body.update(overrides)
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return resp.json


def _group(api: Any, user: str, key: str) -> dict[str, Any]:
    resp = api.get("/me/confirmations", user=user)
    assert resp.status_code == 200, resp.json
    return next(g for g in resp.json["groups"] if g["key"] == key)


def _deadline(item: dict[str, Any]) -> str:
    return item["deadline"] or "~"


def test_r12345_13_groups_come_most_urgent_first_with_whole_counts_and_list_queries(api: Any, seeded: Any) -> None:
    past = (datetime.now(UTC) - timedelta(hours=14)).isoformat()
    overdue = _ticket(api, received_at=past)
    fresh = _ticket(api)
    for user in ("op1", "leader1", "uh1"):
        for group in api.get("/me/confirmations", user=user).json["groups"]:
            deadlines = [_deadline(i) for i in group["items"]]
            assert deadlines == sorted(deadlines), (user, group["key"])
            flags = [i["overdue"] for i in group["items"]]
            assert flags == sorted(flags, reverse=True)  # overdue first
            assert group["count"] >= len(group["items"]) and group["pending"] + group["confirmed"] == group["count"]
            assert group["list"] and all(isinstance(q, dict) and q for q in group["list"])
    new = _group(api, "op1", "new")
    assert new["list"] == [{"status": "received"}] and new["overdue"] >= 1
    assert new["items"][0]["overdue"] is True
    ids = {t["id"] for t in api.get("/tickets?status=received&limit=100", user="op1").json["items"]}
    assert {overdue["id"], fresh["id"]} <= ids  # 查看全部 is the GET /tickets query of the group
    mine = _group(api, "op1", "due_soon")
    assert mine["list"][0]["owner_id"] == "op1" and "due_before" in mine["list"][0]


def test_r12345_13_a_confirmed_item_is_recorded_once_and_drops_off(api: Any, seeded: Any) -> None:
    t = _ticket(api)
    api.post(f"/tickets/{t['id']}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1")
    before = _group(api, "uh1", "to_sign")
    first = api.post("/me/confirmations/confirm", {"group": "to_sign", "ticket_id": t["id"]}, user="uh1")
    assert first.status_code == 200 and first.json["created"] is True
    again = api.post("/me/confirmations/confirm", {"group": "to_sign", "ticket_id": t["id"]}, user="uh1")
    assert again.status_code == 200 and again.json == dict(first.json, created=False)
    after = _group(api, "uh1", "to_sign")
    assert t["id"] not in [i["id"] for i in after["items"]]
    assert after["confirmed"] == before["confirmed"] + 1 and after["count"] == before["count"]


def test_r12345_13_bad_confirmations_are_a_chinese_4xx_and_change_nothing(api: Any, deps: Any, seeded: Any) -> None:
    t = _ticket(api)
    bad = api.post("/me/confirmations/confirm", {"group": "x"}, user="op1")
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]) == {"group", "ticket_id"}
    assert "新工单" in bad.json["details"]["fields"]["group"]
    wrong = api.post("/me/confirmations/confirm", {"group": "to_confirm", "ticket_id": t["id"]}, user="op1")
    assert wrong.status_code == 422 and "无需确认" in wrong.json["details"]["fields"]["group"]
    missing = api.post("/me/confirmations/confirm", {"group": "new", "ticket_id": "T20200101-99999"}, user="op1")
    assert missing.status_code == 404
    other = api.post("/me/confirmations/confirm", {"group": "to_sign", "ticket_id": t["id"]}, user="uh2")
    assert other.status_code in (404, 422)
    assert (
        api.post("/me/confirmations/confirm", {"group": "new", "ticket_id": t["id"]}, user="records1").status_code
        == 403
    )
    for user in ("op1", "uh2", "records1"):
        entries = (deps.directory.get_item(f"CONFIRM#{user}", "open") or {}).get("entries", {})
        assert not [k for k in entries if k.endswith(t["id"])]


def test_r12345_13_the_home_page_costs_at_most_five_queries(api: Any, deps: Any, seeded: Any) -> None:
    _ticket(api)
    # an operator: 4 groups + open_tasks; the live hand-overs (R-12345-03) come from the minute's context cache
    for user in ("op1", "leader1", "admin1", "uh1"):
        api.get("/me/confirmations", user=user)  # warm the context cache and the login
        with count_requests(deps.dynamodb_clients()) as requests:
            assert api.get("/me/confirmations", user=user).status_code == 200
        assert requests.ops.get("Query", 0) <= 5, (user, dict(requests.ops))
        assert requests.ops.get("Scan", 0) == 0


def test_r12345_12_empty_roster_banner_for_admins_and_leaders_only(api: Any, seeded: Any) -> None:
    now = api.get("/admin/duty/now", user="admin1").json
    warnings = {u: api.get("/me/confirmations", user=u).json["warnings"] for u in ("admin1", "leader1", "op1")}
    empty = [w for w in warnings["leader1"] if w["code"] == "duty_empty"]
    assert bool(empty) == (now["on_duty"] is None)
    assert bool([w for w in warnings["admin1"] if w["code"] == "duty_empty"]) == (now["on_duty"] is None)
    assert warnings["op1"] == []
    put = api.client.http.put(
        "/admin/duty/fallback",
        headers=api._headers("admin1"),
        body=json.dumps({"phone": "6001"}),
    )
    assert put.status_code == 422 and "手机" in json.loads(put.body)["details"]["fields"]["phone"]
    denied = api.client.http.put(
        "/admin/duty/fallback", headers=api._headers("op1"), body=json.dumps({"phone": "13957600077"})
    )
    assert denied.status_code == 403
