"""R-SEC-01: the auditor reads the security log and nothing else changes; nobody audits themselves."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.api.deps import actor_from_claims
from chalicelib.documents.labels import CATALOGUE
from chalicelib.domain.errors import Unauthenticated
from chalicelib.services.privacy import CHANGE_ACTIONS, LOGIN_ACTIONS

OTHERS = ("op1", "op2", "analyst1", "leader1", "uh1", "uh2", "records1", "admin1")


def test_r_sec_01_only_the_auditor_reads_the_security_log(api: Any, seeded: Any) -> None:
    assert api.get("/security-log", user="auditor1").status_code == 200
    for user in OTHERS:  # the administrator included: the log records the administrator's changes
        resp = api.get("/security-log", user=user)
        assert resp.status_code == 403, (user, resp.json)
    assert api.get("/security-log").status_code == 401


def test_r_sec_01_the_auditor_changes_nothing(api: Any, seeded: Any) -> None:
    unit = {"id": "UAUD1", "name": "审计测试单位", "kind": "bureau", "contacts": []}
    assert api.post("/admin/units", unit, user="auditor1").status_code == 403
    assert api.get("/admin/users", user="auditor1").status_code == 403
    assert api.post("/admin/partners", {"partner_id": "paud", "name": "x"}, user="auditor1").status_code == 403
    body = {"category": "help", "title": "求助", "content": "内容"}
    assert api.post("/tickets", body, user="auditor1").status_code == 403


def test_r_sec_01_the_reveal_log_of_a_ticket_is_the_auditors_not_the_admins(api: Any, seeded: Any) -> None:
    body = {"category": "help", "title": "求助", "content": "内容", "caller": {"name": "韩梅", "phone": "13800007777"}}
    tid = api.post("/tickets", body, user="op1").json["id"]
    assert api.get(f"/tickets/{tid}?reveal=1&reason=callback", user="op1").status_code == 200
    assert api.get(f"/tickets/{tid}/pii-views", user="admin1").status_code == 403
    views = api.get(f"/tickets/{tid}/pii-views", user="auditor1")
    assert views.status_code == 200 and views.json["items"][0]["user_id"] == "op1"
    log = api.get("/security-log?actor=op1&action=reveal", user="auditor1").json["items"]
    entry = next(e for e in log if e.get("ticket_id") == tid)
    assert entry["kind"] == "access" and entry["reason"] == "callback" and entry["own"] is False
    assert "韩梅" not in str(log) and "13800007777" not in str(log)


def test_r_sec_01_the_auditors_own_reads_are_recorded_and_marked(api: Any, seeded: Any) -> None:
    api.get("/security-log?kind=change", user="auditor1")
    mine = api.get("/security-log?actor=auditor1&action=security_log_read", user="auditor1").json["items"]
    assert mine and all(e["own"] and e["user_id"] == "auditor1" for e in mine)
    assert all(e["user_name"] == "钱明" for e in mine)  # the person as printed beside the account
    assert any(e.get("filters") == {"kind": "change"} for e in mine)


def test_r_sec_01_an_account_cannot_be_auditor_and_anything_else() -> None:
    for other in ("admin", "operator", "leader"):
        with pytest.raises(Unauthenticated):
            actor_from_claims({"cognito:username": "x", "cognito:groups": ["auditor", other]})
    assert actor_from_claims({"cognito:username": "x", "cognito:groups": ["auditor"]}).role == "auditor"


def test_r_sec_01_bad_filters_are_a_clear_422(api: Any, seeded: Any) -> None:
    cases = {
        "kind=secret": "kind",
        "from=2026-13-01": "from",
        "to=yesterday": "to",
        "from=2026-01-01&to=2026-12-31": "to",
        "from=2026-02-01&to=2026-01-01": "to",
        "page=%%%": "page",
        "action=a%20b": "action",
    }
    for params, field in cases.items():
        resp = api.get(f"/security-log?{params}", user="auditor1")
        assert resp.status_code == 422, (params, resp.json)
        assert field in resp.json["details"]["fields"], params


def test_r_sec_01_every_logged_action_and_kind_has_a_name() -> None:
    for action in CHANGE_ACTIONS | LOGIN_ACTIONS | {"security_log_read"}:
        assert action in CATALOGUE["access_action"], action
    assert set(CATALOGUE["security_kind"]) == {"access", "change", "login"}
    assert "auditor" in CATALOGUE["role"]
