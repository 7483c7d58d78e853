"""Admin: units and contacts (R-12345-07) and user accounts / roles, through the HTTP API."""

from __future__ import annotations

import json
import uuid
from typing import Any

from tests.helpers.accounts import login

PASSWORD = "Adm1n#Pass2026"
CHOSEN = "Ch0sen#Pass2026"  # the user's own password, set at the first login (R-SEC-05: temporary passwords only)
CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _put(api: Any, path: str, body: Any, user: str) -> Any:
    resp = api.client.http.put(path, headers=api._headers(user), body=json.dumps(body, ensure_ascii=False))
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


def _unit(unit_id: str, phone: str = "13957600066", **overrides: Any) -> dict[str, Any]:
    body = {
        "id": unit_id,
        "name": f"县交通运输局{unit_id}",
        "kind": "bureau",
        "active": True,
        "contacts": [{"name": "钱进", "phone": phone, "role": "handler"}],
    }
    body.update(overrides)
    return body


def _login(api: Any, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return login(api, username, password, **extra)


def test_r12345_07_admin_creates_a_unit_only_with_long_numbers(api: Any, seeded: Any) -> None:
    unit_id = _uid("U")
    short = api.post("/admin/units", _unit(unit_id, phone="6601"), user="admin1")
    assert short.status_code == 422, short.json
    assert set(short.json["details"]["fields"]) == {"contacts[0].phone"}
    assert api.post("/admin/units", _unit(unit_id), user="op1").status_code == 403
    created = api.post("/admin/units", _unit(unit_id), user="admin1")
    assert created.status_code == 201, created.json
    assert created.json["id"] == unit_id and created.json["active"] is True
    listed = {u["id"]: u for u in api.get("/units", user="op1").json["items"]}
    assert listed[unit_id]["contacts"] == [{"name": "钱进", "phone": "13957600066", "role": "handler"}]
    again = api.post("/admin/units", _unit(unit_id, name="另一个"), user="admin1")
    assert again.status_code == 409 and again.json["code"] == "conflict"


def test_admin_replaces_and_deactivates_a_unit_which_then_cannot_be_dispatched_to(api: Any, seeded: Any) -> None:
    unit_id = _uid("U")
    assert api.post("/admin/units", _unit(unit_id), user="admin1").status_code == 201
    contacts = [
        {"name": "钱进", "phone": "0576-83310066", "role": "handler"},
        {"name": "孔局", "phone": "13957600067", "role": "leader"},
    ]
    replaced = _put(
        api, f"/admin/units/{unit_id}", {"name": "县交通局", "kind": "bureau", "contacts": contacts}, "admin1"
    )
    assert replaced.status_code == 200, replaced.json
    assert replaced.json["contacts"] == contacts and replaced.json["name"] == "县交通局"
    bad = _put(
        api,
        f"/admin/units/{unit_id}",
        {"name": "县交通局", "contacts": [contacts[0], dict(contacts[1], phone="666")]},
        "admin1",
    )
    assert bad.status_code == 422 and set(bad.json["details"]["fields"]) == {"contacts[1].phone"}
    assert _put(api, f"/admin/units/{_uid('U')}", {"name": "无", "contacts": contacts}, "admin1").status_code == 404
    assert _put(api, f"/admin/units/{unit_id}", {"name": "x", "contacts": contacts}, "leader1").status_code == 403
    off = api.post(f"/admin/units/{unit_id}/deactivate", user="admin1")
    assert off.status_code == 200 and off.json["active"] is False
    assert api.post(f"/admin/units/{_uid('U')}/deactivate", user="admin1").status_code == 404
    listed = {u["id"]: u for u in api.get("/units", user="op1").json["items"]}
    assert listed[unit_id]["active"] is False and listed[unit_id]["name"] == "县交通局"
    tid = api.post("/tickets", {"category": "help", "title": "公交站牌损坏", "content": "内容"}, user="op1").json["id"]
    refused = api.post(f"/tickets/{tid}/dispatch", {"unit_id": unit_id, "call": CALL}, user="op1")
    assert refused.status_code == 422 and set(refused.json["details"]["fields"]) == {"unit_id"}


def test_admin_creates_a_unit_handler_who_logs_in_with_role_and_unit(api: Any, seeded: Any) -> None:
    unit_id = _uid("U")
    assert api.post("/admin/units", _unit(unit_id), user="admin1").status_code == 201
    username = _uid("uh9")
    body = {"username": username, "name": "钱进", "role": "unit_handler", "unit_id": unit_id, "password": PASSWORD}
    assert api.post("/admin/users", body, user="op1").status_code == 403
    missing = api.post("/admin/users", dict(body, unit_id=None), user="admin1")
    assert missing.status_code == 422 and set(missing.json["details"]["fields"]) == {"unit_id"}
    bad = api.post("/admin/users", dict(body, username="a b", role="boss", password="short"), user="admin1")
    assert set(bad.json["details"]["fields"]) == {"username", "role", "password"}
    unknown = api.post("/admin/users", dict(body, unit_id=_uid("U")), user="admin1")
    assert unknown.status_code == 422 and set(unknown.json["details"]["fields"]) == {"unit_id"}
    created = api.post("/admin/users", body, user="admin1")
    assert created.status_code == 201, created.json
    assert created.json == {
        "username": username,
        "name": "钱进",
        "email": None,
        "unit_id": unit_id,
        "role": "unit_handler",
        "enabled": True,
        "status": "FORCE_CHANGE_PASSWORD",  # R-SEC-05: an admin-set password is temporary
        "locked_until": None,  # R-SEC-04: not locked out
    }
    assert api.post("/admin/users", body, user="admin1").status_code == 409
    first = _login(api, username, new_password=CHOSEN)
    assert first.status_code == 200, first.json
    assert first.json["user"] == {"id": username, "name": "钱进", "role": "unit_handler", "unit_id": unit_id}


def test_admin_lists_users_page_by_page(api: Any, seeded: Any) -> None:
    assert api.get("/admin/users", user="leader1").status_code == 403
    seen: dict[str, dict[str, Any]] = {}
    page = ""
    for _ in range(100):
        resp = api.get(f"/admin/users?limit=3{'&page=' + page if page else ''}", user="admin1")
        assert resp.status_code == 200, resp.json
        assert len(resp.json["items"]) <= 3
        seen.update({u["username"]: u for u in resp.json["items"]})
        page = resp.json["next_page"]
        if not page:
            break
    assert seen["uh1"]["role"] == "unit_handler" and seen["uh1"]["unit_id"] == "U001"
    assert seen["admin1"]["role"] == "admin" and seen["admin1"]["enabled"] is True
    assert api.get("/admin/users?limit=0", user="admin1").status_code == 422  # a bad query value, as everywhere


def test_admin_changes_a_role_and_disables_then_enables_a_user(api: Any, seeded: Any) -> None:
    username = _uid("staff")
    body = {"username": username, "name": "冯蕾", "role": "analyst", "temporary_password": PASSWORD}
    assert api.post("/admin/users", body, user="admin1").json["status"] == "FORCE_CHANGE_PASSWORD"
    first = _login(api, username)
    assert first.status_code == 401 and first.json["details"]["challenge"] == "NEW_PASSWORD_REQUIRED"
    username = _uid("staff")
    body = {"username": username, "name": "冯蕾", "role": "analyst", "password": PASSWORD}
    assert api.post("/admin/users", body, user="admin1").status_code == 201
    changed = _put(api, f"/admin/users/{username}", {"role": "leader", "name": "冯蕾蕾"}, "admin1")
    assert changed.status_code == 200, changed.json
    assert changed.json["role"] == "leader" and changed.json["name"] == "冯蕾蕾"
    assert _login(api, username, new_password=CHOSEN).json["user"]["role"] == "leader"
    handler = _put(api, f"/admin/users/{username}", {"role": "unit_handler"}, "admin1")
    assert handler.status_code == 422 and set(handler.json["details"]["fields"]) == {"unit_id"}
    moved = _put(api, f"/admin/users/{username}", {"role": "unit_handler", "unit_id": "U002"}, "admin1")
    assert moved.json["role"] == "unit_handler" and moved.json["unit_id"] == "U002"
    back = _put(api, f"/admin/users/{username}", {"role": "operator"}, "admin1")
    assert back.json["role"] == "operator" and back.json["unit_id"] is None
    assert _put(api, f"/admin/users/{_uid('nobody')}", {"role": "leader"}, "admin1").status_code == 404
    assert _put(api, "/admin/users/admin1", {"role": "leader"}, "admin1").status_code == 403
    off = api.post(f"/admin/users/{username}/disable", user="admin1")
    assert off.status_code == 200 and off.json["enabled"] is False
    assert _login(api, username, CHOSEN).status_code == 401
    assert api.post("/admin/users/admin1/disable", user="admin1").status_code == 403
    on = api.post(f"/admin/users/{username}/enable", user="admin1")
    assert on.json["enabled"] is True
    assert _login(api, username, CHOSEN).json["user"]["role"] == "operator"
