"""`GET /people` (docs/api.md): staff by printed name for the SPA's pickers — the owner filter, a work item's owner,
an approver — so no page asks for or shows a login id."""

from __future__ import annotations

from typing import Any


def test_operators_by_printed_name_for_the_owner_filter(api: Any, seeded: Any) -> None:
    resp = api.get("/people?role=operator", user="op1")
    assert resp.status_code == 200, resp.json
    people = {p["user_id"]: p for p in resp.json["items"]}
    assert {"op1", "op2"} <= set(people)
    assert all(p["role"] == "operator" for p in people.values())
    assert all(p["name"] and p["name"] != p["user_id"] for p in people.values() if p["user_id"] in ("op1", "op2"))
    names = [p["name"] for p in resp.json["items"]]
    assert names == sorted(names)


def test_a_unit_handler_sees_the_centre_and_their_own_unit(api: Any, seeded: Any) -> None:
    ids = {p["user_id"] for p in api.get("/people", user="uh1").json["items"]}
    assert "uh1" in ids and "op1" in ids and "uh2" not in ids  # uh2 works for U002


def test_an_unknown_role_is_a_chinese_422_and_records_may_not_ask(api: Any, seeded: Any) -> None:
    bad = api.get("/people?role=boss", user="op1")
    assert bad.status_code == 422 and "role" in bad.json["details"]["fields"]
    assert api.get("/people", user="records1").status_code == 403
