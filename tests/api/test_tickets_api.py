"""Ticket API through chalice.test.Client with real tokens signed by the (moto) user pool."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chalicelib.api.fallback import CATCH_ALL_PATHS
from tests.helpers.accounts import login
from tests.helpers.raw import raw_ticket
from tests.helpers.tickets import drive_to_submitted

CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}
REPLY = {
    "investigation": "已现场核查",
    "result": "已责令整改",
    "basis": "《噪声污染防治法》",
    "contact": "已电话告知反映人",
}


def new_ticket(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {
        "category": "complaint",
        "title": "小区噪音扰民",
        "content": "夜间施工噪音很大",
        "caller": {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "海游街道1号"},
    }
    body.update(overrides)
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return resp.json


def act(
    api: Any, ticket_id: str, verb: str, user: str, body: dict[str, Any] | None = None, status: int = 200
) -> dict[str, Any]:
    resp = api.post(f"/tickets/{ticket_id}/{verb}", body or {}, user=user)
    assert resp.status_code == status, (verb, resp.json)
    return resp.json


def test_health_answers_without_login(api: Any) -> None:
    resp = api.get("/health")
    assert resp.status_code == 200 and resp.json["status"] == "ok"


def test_login_returns_tokens_and_the_user(api: Any) -> None:
    resp = login(api, "uh1")  # password, then the TOTP code (R-SEC-06)
    assert resp.status_code == 200, resp.json
    assert resp.json["user"] == {"id": "uh1", "name": "周海", "role": "unit_handler", "unit_id": "U001"}
    me = api.client.http.get("/me", headers={"Authorization": "Bearer " + resp.json["id_token"]})
    assert me.status_code == 200


def test_login_with_a_wrong_password_is_401_without_detail(api: Any) -> None:
    resp = api.post("/auth/login", {"username": "op1", "password": "nope"})
    assert resp.status_code == 401 and resp.json["code"] == "unauthenticated"


# Routes that answer without a staff token: liveness, login, the API description, the citizen lookup
# (number + SMS code) and Open311 (its own api_key); partner routes check a request signature instead.
PUBLIC = ("/health", "/auth/login", "/auth/mfa", "/openapi.json", "/public/", "/open311/")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer abc.def.ghi", "Basic b3A6cA=="])
def test_every_route_but_health_and_login_needs_a_valid_token(app: Any, api: Any, header: str | None) -> None:
    import re

    headers = {"Content-Type": "application/json", **({"Authorization": header} if header else {})}
    checked = 0
    for path, methods in app.routes.items():
        if path.startswith(PUBLIC) or path == "/open311" or path in CATCH_ALL_PATHS:  # unknown routes: 404 to all
            continue
        url = re.sub(r"\{[^}]+\}", "T20260101-00001", path)
        for method in methods:
            resp = api.client.http.request(method, url, headers=headers, body=b"{}")
            assert resp.status_code == 401, (method, path, resp.status_code)
            checked += 1
    assert checked > 60  # every staff and partner route, not a sample


def test_a_token_signed_by_another_key_is_refused(api: Any, tokens: dict[str, str]) -> None:
    import jwt
    from cryptography.hazmat.primitives.asymmetric import rsa

    claims = jwt.decode(tokens["op1"], options={"verify_signature": False})
    header = jwt.get_unverified_header(tokens["op1"])
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, key, algorithm="RS256", headers={"kid": header.get("kid")})
    resp = api.client.http.get("/tickets", headers={"Authorization": f"Bearer {forged}"})
    assert resp.status_code == 401


def test_happy_path_from_intake_to_close(api: Any) -> None:
    t = new_ticket(api)
    assert t["status"] == "received" and t["id"].startswith("T")
    assert t["caller"]["name"] == "张**" and t["caller_masked"] is True
    tid = t["id"]
    t = act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    assert t["status"] == "dispatched" and t["owner_id"] == "op1"
    act(api, tid, "sign", "uh1")
    act(api, tid, "reply", "uh1", {"sections": REPLY})
    act(api, tid, "review", "op1", {"approve": True})
    act(
        api,
        tid,
        "callback",
        "op1",
        {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"},
    )
    act(api, tid, "submit", "op1")
    t = act(api, tid, "close", "op1", {"note": "市审核通过"})
    assert t["status"] == "closed"
    events = api.get(f"/tickets/{tid}/events", user="op1").json["items"]
    assert [e["type"] for e in events] == [
        "received",
        "dispatched",
        "signed",
        "replied",
        "reviewed",
        "called_back",
        "submitted",
        "closed",
    ]
    assert [e["seq"] for e in events] == list(range(1, 9))


def test_side_ways_return_transfer_extension_redo_city_reject_reassign(api: Any) -> None:
    tid = new_ticket(api)["id"]
    act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    act(api, tid, "return", "uh1", {"reason": "不属于本单位职责"})
    t = act(api, tid, "transfer", "op1", {"unit_id": "U002", "call": {"to_name": "吴芳", "to_phone": "13957600002"}})
    assert t["unit_id"] == "U002" and t["transfer_count"] == 1
    act(api, tid, "sign", "uh2")
    act(api, tid, "request-extension", "uh2", {"reason": "需协调", "new_due": "2026-12-25"})
    act(api, tid, "decide-extension", "op1", {"approve": True}, status=403)
    t = act(api, tid, "decide-extension", "leader1", {"approve": True})
    assert t["handle_due"].startswith("2026-12-25T09:30")
    act(api, tid, "reply", "uh2", {"sections": REPLY})
    t = act(api, tid, "review", "op1", {"approve": False, "reason": "答复不实"})
    assert t["status"] == "handling" and t["redo_count"] == 1
    act(api, tid, "reply", "uh2", {"sections": REPLY})
    act(api, tid, "review", "op1", {"approve": True})
    act(api, tid, "callback", "op1", {"satisfaction": "unreachable"})
    act(api, tid, "submit", "op1")
    t = act(api, tid, "city-reject", "op1", {"reason": "答复不规范"})
    assert t["status"] == "reviewed"
    act(api, tid, "submit", "op1")
    act(api, tid, "close", "op1")
    t = act(api, tid, "reassign", "op1", {"reason": "市平台重新交办", "call": CALL})
    assert t["status"] == "handling" and t["owner_id"] == "op1"
    t = act(api, tid, "flag-difficult", "op1", {"reason": "多部门"})
    assert t["flags"]["difficult"] is True
    act(api, tid, "leader-decision", "leader1", {"decision": "住建局牵头"})


def test_r12345_10_a_reflag_shows_the_current_flag_and_keeps_the_earlier_flag_and_decision(api: Any) -> None:
    tid = new_ticket(api)["id"]
    act(api, tid, "flag-difficult", "op1", {"reason": "多部门"})
    again = api.post(f"/tickets/{tid}/flag-difficult", {"reason": "再报"}, user="analyst1")
    assert again.status_code == 409 and again.json["code"] == "invalid_transition"  # awaiting the leader
    act(api, tid, "leader-decision", "leader1", {"decision": "住建局牵头"})
    t = act(api, tid, "flag-difficult", "analyst1", {"reason": "住建局未牵头"})
    assert t["difficult"]["reason"] == "住建局未牵头" and t["difficult"]["decision"] is None  # the SPA's fields
    [earlier] = t["difficult"]["history"]
    assert (earlier["reason"], earlier["decision"], earlier["decided_by"]) == ("多部门", "住建局牵头", "leader1")
    assert "leader-decision" in api.get(f"/tickets/{tid}", user="leader1").json["allowed_actions"]
    events = [e["type"] for e in api.get(f"/tickets/{tid}/events", user="op1").json["items"]]
    assert events == ["received", "flagged_difficult", "leader_decided", "flagged_difficult"]
    sheet = api.client.http.get(
        f"/documents/difficult-sheet/{tid}?format=html", headers={"Authorization": f"Bearer {api.tokens['leader1']}"}
    )
    assert "住建局牵头" in sheet.body.decode() and "住建局未牵头" in sheet.body.decode()


def test_reply_missing_sections_is_422_naming_them(api: Any) -> None:
    tid = new_ticket(api)["id"]
    act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    act(api, tid, "sign", "uh1")
    resp = api.post(f"/tickets/{tid}/reply", {"sections": {"investigation": "已核查"}}, user="uh1")
    assert resp.status_code == 422
    assert resp.json["code"] == "validation_error"
    assert resp.json["details"]["missing_sections"] == ["result", "basis", "contact"]
    # each missing section is a field of its own, named as the template names it (the SPA highlights it)
    details = resp.json["details"]
    assert set(details["fields"]) == {"sections.result", "sections.basis", "sections.contact"}
    assert details["labels"]["sections.basis"] == "政策法规依据"
    assert "basis" not in resp.json["message"] and "政策法规依据" in resp.json["message"]


def test_an_extension_date_error_names_the_field_in_chinese(api: Any) -> None:
    tid = new_ticket(api)["id"]
    act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    act(api, tid, "sign", "uh1")
    resp = api.post(f"/tickets/{tid}/request-extension", {"reason": "需联合调查", "new_due": "2000-01-03"}, user="uh1")
    assert resp.status_code == 422 and resp.json["code"] == "validation_error"
    assert set(resp.json["details"]["fields"]) == {"new_due"}
    assert resp.json["details"]["labels"] == {"new_due": "延期至"}
    assert "延期至" in resp.json["message"] and "new_due" not in resp.json["message"]


def test_illegal_transition_is_409_and_changes_nothing(api: Any) -> None:
    tid = new_ticket(api)["id"]
    resp = api.post(f"/tickets/{tid}/submit", {}, user="op1")
    assert resp.status_code == 409 and resp.json["code"] == "invalid_transition"
    resp = api.post(f"/tickets/{tid}/leader-decision", {"decision": "x"}, user="leader1")
    assert resp.status_code == 409 and resp.json["code"] == "invalid_transition"
    assert len(api.get(f"/tickets/{tid}/events", user="op1").json["items"]) == 1


def test_closing_an_unowned_received_ticket_is_a_409_the_state_before_the_owner(api: Any) -> None:
    tid = new_ticket(api)["id"]
    resp = api.post(f"/tickets/{tid}/close", {}, user="op2")  # received: no owner yet, not submitted
    assert resp.status_code == 409 and resp.json["code"] == "invalid_transition"
    assert resp.json["details"]["allowed_from"] == ["submitted"]
    resp = api.post(f"/tickets/{tid}/close", {}, user="leader1")  # a role that never closes: 403 whatever the state
    assert resp.status_code == 403 and resp.json["code"] == "forbidden"
    drive_to_submitted(api, tid)
    resp = api.post(f"/tickets/{tid}/close", {}, user="op2")  # the state allows it; op2 is not the owner
    assert resp.status_code == 403 and "负责人" in resp.json["message"]
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "submitted"


def test_bad_json_is_400_and_bad_fields_422(api: Any) -> None:
    resp = api.post("/tickets", raw="{not json", user="op1")
    assert resp.status_code == 400 and resp.json["code"] == "bad_request"
    resp = api.post("/tickets", {"category": "nope"}, user="op1")
    assert resp.status_code == 422 and {"category", "title", "content"} <= set(resp.json["details"]["fields"])


def test_r12345_11_other_units_handler_gets_404_and_confidential_caller_is_masked(api: Any) -> None:
    tid = new_ticket(api, confidential=True)["id"]
    act(api, tid, "dispatch", "op1", {"unit_id": "U001", "call": CALL})
    assert api.get(f"/tickets/{tid}", user="uh2").status_code == 404
    seen = api.get(f"/tickets/{tid}", user="uh1").json
    assert seen["caller"] == {"name": "***", "phone": "***", "employer": "***", "address": "***"}
    assert seen["can_reveal"] is False
    assert api.get(f"/tickets/{tid}?reveal=1&reason=handling", user="uh1").status_code == 403
    # R-12345-11: a confidential ticket is revealed by a leader only — not even its operator
    assert api.get(f"/tickets/{tid}?reveal=1&reason=callback", user="op1").status_code == 403
    revealed = api.get(f"/tickets/{tid}?reveal=1&reason=supervision", user="leader1").json
    assert revealed["caller"]["name"] == "张三丰" and revealed["caller_masked"] is False


def test_r12345_11_reveal_is_recorded(deps: Any, api: Any) -> None:

    tid = new_ticket(api)["id"]
    assert api.get(f"/tickets/{tid}?reveal=1&reason=verify", user="leader1").status_code == 200
    views, _ = deps.directory.pii_views(tid)
    assert [(v["user_id"], v["reason"]) for v in views] == [("leader1", "verify")]
    log = api.get(f"/tickets/{tid}/pii-views", user="auditor1")
    assert log.status_code == 200 and [v["user_id"] for v in log.json["items"]] == ["leader1"]
    assert api.get(f"/tickets/{tid}/pii-views", user="op1").status_code == 403


def test_caller_data_is_encrypted_at_rest(api: Any, outputs: dict[str, str]) -> None:
    tid = new_ticket(api)["id"]
    item = raw_ticket(outputs, tid)
    raw = str(item)
    assert "张三丰" not in raw and "13800001234" not in raw
    assert item["caller_enc"]["S"].startswith("tk1:")  # under the ticket's own key (docs/privacy.md)


def test_list_pages_with_opaque_tokens_and_unit_scope(api: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    ids = [new_ticket(api, title=f"分页{tag}{i}")["id"] for i in range(5)]
    for tid in ids:
        act(api, tid, "dispatch", "op2", {"unit_id": "U003", "call": CALL})
    seen: list[str] = []
    page = None
    while True:
        path = "/tickets?unit_id=U003&limit=2" + (f"&page={page}" if page else "")
        resp = api.get(path, user="op2").json
        seen += [i["id"] for i in resp["items"]]
        page = resp["next_page"]
        if not page:
            break
    assert set(ids) <= set(seen) and len(seen) == len(set(seen))
    assert "caller" not in resp["items"][0] if resp["items"] else True
    assert api.get("/tickets?unit_id=U003", user="uh1").status_code == 403
    assert api.get("/tickets?page=garbage!!", user="op1").status_code == 400


def test_list_filters_by_status_and_flag(api: Any) -> None:
    tid = new_ticket(api)["id"]
    act(api, tid, "flag-supervised", "leader1", {"reason": "领导督办"})
    items = api.get("/tickets?status=received&flag=supervised&limit=50", user="analyst1").json["items"]
    assert tid in [i["id"] for i in items]
    assert all(i["flags"]["supervised"] for i in items)


def test_stale_version_is_409_conflict(api: Any) -> None:
    t = new_ticket(api)
    resp = api.post(f"/tickets/{t['id']}/flag-difficult", {"reason": "x", "version": t["version"] + 5}, user="op1")
    assert resp.status_code == 409 and resp.json["code"] == "conflict"


def test_intake_is_idempotent_on_source_and_external_id(api: Any) -> None:
    ext = "TZ" + uuid.uuid4().hex[:10]
    body = {"category": "help", "title": "求助", "content": "内容", "external_id": ext, "source": "city"}
    first = api.post("/tickets", body, user="op1")
    again = api.post("/tickets", body, user="op1")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json["id"] == again.json["id"]
    other = api.post("/tickets", dict(body, title="另一个"), user="op1")
    assert other.status_code == 409
