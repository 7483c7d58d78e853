"""R-SEC-01, separation of duties: the system administrator (`admin`, 系统管理员) runs users, units, partners
and configuration and takes no business action; business roles and the auditor change no administration;
nobody audits themselves."""

from __future__ import annotations

import re
from typing import Any

from app import app as chalice_app
from chalicelib.documents.labels import CATALOGUE

BUSINESS = ("op1", "analyst1", "leader1", "uh1", "records1")
# configuration writes outside /admin/ (office-work settings, reply templates)
CONFIG_WRITES = (("PUT", "/work/settings"), ("PUT", "/reply-templates/{category}"))


def _status(api: Any, method: str, path: str, user: str, body: Any = None) -> int:
    return int(api.client.http.request(method, path, headers=api._headers(user), body=body or "{}").status_code)


def _admin_writes() -> list[tuple[str, str]]:
    writes = [
        (method, path)
        for path, methods in chalice_app.routes.items()
        if path.startswith("/admin/")
        for method in methods
        if method != "GET"
    ]
    return sorted(writes) + list(CONFIG_WRITES)


def test_r_sec_01_the_administrator_is_named_system_administrator() -> None:
    assert CATALOGUE["role"]["admin"] == ("系统管理员", "System administrator")


def test_r_sec_01_the_administrator_takes_no_business_action(api: Any, seeded: Any) -> None:
    body = {"category": "help", "title": "求助", "content": "内容", "caller": {"name": "韩梅", "phone": "13800007778"}}
    assert api.post("/tickets", body, user="admin1").status_code == 403
    tid = api.post("/tickets", body, user="op1").json["id"]
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001"}, user="admin1").status_code == 403
    assert api.post(f"/tickets/{tid}/review", {"approve": True}, user="admin1").status_code == 403
    assert api.post(f"/tickets/{tid}/close", {}, user="admin1").status_code == 403
    # reveal: never (R-12345-11); the masked ticket stays readable for support
    revealed = api.get(f"/tickets/{tid}?reveal=1&reason=callback", user="admin1")
    assert revealed.status_code == 403
    masked = api.get(f"/tickets/{tid}", user="admin1")
    assert masked.status_code == 200 and "13800007778" not in str(masked.json) and "韩梅" not in str(masked.json)
    # approvals of a ticket: extensions, leader decisions, what the public sees
    assert api.post(f"/tickets/{tid}/decide-extension", {"approve": True}, user="admin1").status_code == 403
    assert api.post(f"/tickets/{tid}/leader-decision", {"decision": "x"}, user="admin1").status_code == 403
    assert api.put(f"/tickets/{tid}/open311-publication", {"public_text": "公开"}, user="admin1").status_code == 403


def test_r_sec_01_business_roles_and_the_auditor_change_no_administration(api: Any, seeded: Any) -> None:
    writes = _admin_writes()
    assert ("POST", "/admin/users") in writes and ("PUT", "/admin/escalation") in writes
    for method, path in writes:
        url = re.sub(r"\{(\w+)\}", lambda m: {"category": "complaint", "year": "2046"}.get(m.group(1), "none"), path)
        for user in (*BUSINESS, "auditor1"):
            assert _status(api, method, url, user) == 403, (method, path, user)


def test_r_sec_01_nobody_audits_themselves(api: Any, seeded: Any) -> None:
    # the administrator, whose changes the log records, reads neither log
    assert api.get("/security-log", user="admin1").status_code == 403
    # an administrator cannot move itself into another role (e.g. auditor)
    moved = api.put("/admin/users/admin1", {"role": "auditor"}, user="admin1")
    assert moved.status_code == 403 and "自己" in moved.json["message"]
    # the auditor's own entries are marked for another auditor's review
    api.get("/security-log?kind=login", user="auditor1")
    items = api.get("/security-log?actor=auditor1", user="auditor1").json["items"]
    assert items and all(e["own"] for e in items)
