"""Smaller holes closed, through the API: each bad input a Chinese 4xx naming its field, nothing changed."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.templates import MAX_SECTION
from tests.helpers.partners import new_partner

CALL = {"to_name": "周海", "to_phone": "13957600001"}
REPLY = {"investigation": "已核查", "result": "已整改", "basis": "条例第十条", "contact": "已告知"}


def _fields(resp: Any, status: int = 422) -> dict[str, str]:
    assert resp.status_code == status, resp.body
    body = json.loads(resp.body)
    assert body["message"]
    return dict(body["details"].get("fields") or {})


def test_operator_intake_cannot_name_a_partner_as_source(api: Any, deps: Any, seeded: Any) -> None:
    before = dict(deps.tickets.read_counters("SEQ#ticket"))
    body = {"category": "help", "title": "求助", "content": "内容", "source": "city-platform", "external_id": "X-1"}
    fields = _fields(api.post("/tickets", body, user="op1"))
    assert list(fields) == ["source"] and "合作方" in fields["source"]
    assert dict(deps.tickets.read_counters("SEQ#ticket")) == before  # no number taken


def test_r12345_06_an_oversize_reply_section_is_refused_and_nothing_changes(api: Any, seeded: Any) -> None:
    tid = api.post("/tickets", {"category": "complaint", "title": "噪音", "content": "施工"}, user="op1").json["id"]
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    assert api.post(f"/tickets/{tid}/sign", {}, user="uh1").status_code == 200
    version = api.get(f"/tickets/{tid}", user="uh1").json["version"]
    long_reply = dict(REPLY, basis="条" * (MAX_SECTION + 1))
    fields = _fields(api.post(f"/tickets/{tid}/reply", {"sections": long_reply}, user="uh1"))
    assert list(fields) == ["sections.basis"] and str(MAX_SECTION) in fields["sections.basis"]
    after = api.get(f"/tickets/{tid}", user="uh1").json
    assert after["version"] == version and after["status"] == "handling"


def test_units_give_staff_phones_only_to_the_roles_that_phone_units(api: Any, seeded: Any) -> None:
    def phones(user: str) -> dict[str, list[str]]:
        resp = api.get("/units", user=user)
        assert resp.status_code == 200
        return {u["id"]: [c["phone"] for c in u["contacts"] if "phone" in c] for u in resp.json["items"]}

    for user in ("op1", "leader1", "admin1"):
        assert phones(user)["U001"] and phones(user)["U002"], user
    own = phones("uh1")
    assert own["U001"] and not own["U002"]  # its own unit's numbers only
    for user in ("analyst1", "records1"):
        seen = phones(user)
        assert not any(seen.values()), user
    names = {u["id"]: [c["name"] for c in u["contacts"]] for u in api.get("/units", user="analyst1").json["items"]}
    assert names["U001"]  # names and roles stay


def test_webhook_urls_inside_our_network_are_refused_at_registration(api: Any, seeded: Any) -> None:
    for url in ("https://10.1.2.3/hook", "https://169.254.169.254/latest/meta-data/", "https://[fc00::5]/h"):
        partner_id = "p-ssrf-" + str(abs(hash(url)) % 10_000)
        body = {"partner_id": partner_id, "name": "测试平台", "webhook_url": url}
        fields = _fields(api.post("/admin/partners", body, user="admin1"))
        assert list(fields) == ["webhook_url"] and "内网" in fields["webhook_url"], url
        assert api.get(f"/admin/partners/{partner_id}", user="admin1").status_code == 404
    created = new_partner(api)
    pid = created["partner_id"]
    resp = api.client.http.patch(
        f"/admin/partners/{pid}",
        headers={"Authorization": f"Bearer {api.tokens['admin1']}", "Content-Type": "application/json"},
        body=json.dumps({"webhook_url": "https://192.168.10.1/hook"}),
    )
    assert list(_fields(resp)) == ["webhook_url"]
    assert api.get(f"/admin/partners/{pid}", user="admin1").json["webhook_url"] is None


def test_r12345_16_an_instruction_is_recorded_only_under_a_registered_leaders_own_name(api: Any, seeded: Any) -> None:
    tid = api.post("/tickets", {"category": "help", "title": "求助", "content": "内容"}, user="op1").json["id"]
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    path = f"/tickets/{tid}/instructions"
    refusals = [
        ({"text": "尽快办理", "leader_name": "李副县长"}, "op1", "leader_name"),  # no such leader account
        ({"text": "尽快办理", "leader_id": "op2"}, "op1", "leader_id"),  # an account, but not a leader
        ({"text": "尽快办理", "leader_name": "李副县长"}, "leader1", "leader_name"),  # a leader, another's name
        ({"text": "尽快办理", "leader_id": "leader9"}, "leader1", "leader_name"),
    ]
    for body, user, field in refusals:
        assert list(_fields(api.post(path, body, user=user))) == [field], (body, user)
    assert api.get(path, user="op1").json["items"] == []  # nothing recorded
    entered = api.post(path, {"text": "尽快办理", "leader_name": "陈建国"}, user="op1").json
    assert entered["leader"] == "陈建国" and entered["leader_id"] == "leader1" and entered["recorded_by"] == "op1"
    own = api.post(path, {"text": "督促落实"}, user="leader1").json
    assert own["leader"] == "陈建国" and own["leader_id"] == "leader1"
