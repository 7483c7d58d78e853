"""Announcements everyone must read, with read receipts (seed 4 通知公告; office work, docs/api.md)."""

from __future__ import annotations

import uuid
from typing import Any


def _post(api: Any, user: str = "leader1", **changes: Any) -> Any:
    body = {"title": f"关于春节值班安排的通知 {uuid.uuid4().hex[:6]}", "body": "请各位按排班表值班。", **changes}
    return api.post("/work/announcements", body, user=user)


def test_an_announcement_to_everyone_is_confirmed_once_by_each_reader(api: Any, seeded: Any) -> None:
    created = _post(api)
    assert created.status_code == 201, created.json
    ann = created.json
    assert ann["sender"] == "陈建国" and "people" not in ann
    mine = api.get("/work/announcements?unread=1", user="op1").json["items"]
    assert ann["id"] in [a["id"] for a in mine]
    first = api.post(f"/work/announcements/{ann['id']}/read", {}, user="op1")
    assert first.status_code == 200 and first.json["read_at"]
    again = api.post(f"/work/announcements/{ann['id']}/read", {}, user="op1")
    assert again.json["read_at"] == first.json["read_at"]  # the first confirmation stands
    assert ann["id"] not in [a["id"] for a in api.get("/work/announcements?unread=1", user="op1").json["items"]]
    api.post(f"/work/announcements/{ann['id']}/read", {}, user="uh1")
    tracked = api.get(f"/work/announcements/{ann['id']}", user="analyst1").json
    assert [r["user_id"] for r in tracked["receipts"]] == ["op1", "uh1"]
    units = {u["unit_id"]: u for u in tracked["units"]}
    assert units["U001"]["read_at"] and units["U002"]["read_at"] is None  # a unit not yet read is listed
    as_reader = api.get(f"/work/announcements/{ann['id']}", user="op2").json
    assert "receipts" not in as_reader and as_reader["read_at"] is None


def test_an_announcement_to_some_units_reaches_only_them(api: Any, seeded: Any) -> None:
    ann = _post(api, user="analyst1", roles=["unit_handler"], unit_ids=["U001"]).json
    assert ann["id"] in [a["id"] for a in api.get("/work/announcements", user="uh1").json["items"]]
    assert ann["id"] not in [a["id"] for a in api.get("/work/announcements", user="uh2").json["items"]]
    assert api.get(f"/work/announcements/{ann['id']}", user="uh2").status_code == 404
    assert api.post(f"/work/announcements/{ann['id']}/read", {}, user="uh2").status_code == 404
    assert api.get(f"/work/announcements/{ann['id']}", user="op1").status_code == 404  # not for operators
    refused = api.post(f"/work/announcements/{ann['id']}/read", {}, user="leader1")
    assert refused.status_code == 403  # a leader tracks it (not for leaders) but has nothing to confirm


def test_bad_announcements_are_refused_in_chinese_and_change_nothing(api: Any, seeded: Any) -> None:
    before = len(api.get("/work/announcements", user="leader1").json["items"])
    assert _post(api, user="op1").status_code == 403
    assert _post(api, user="uh1").status_code == 403
    cases = [
        ({"title": ""}, "title"),
        ({"roles": ["boss"]}, "roles"),
        ({"roles": "operator"}, "roles"),
        ({"unit_ids": ["U999"]}, "unit_ids"),
        ({"roles": ["operator"], "unit_ids": ["U001"]}, "unit_ids"),
        ({"body": "长" * 20001}, "body"),
    ]
    for changes, field in cases:
        resp = _post(api, **changes)
        assert resp.status_code == 422 and field in resp.json["details"]["fields"], (changes, resp.json)
    assert len(api.get("/work/announcements", user="leader1").json["items"]) == before
    assert api.get("/work/announcements/G-nope", user="op1").status_code == 404
