"""City platform API (/partner/v1/…) and the admin credential API: signing, idempotent pushes,
re-assignment (R-12345-09), city audit, rate limits."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.helpers.partners import PUSH, Signed, new_partner
from tests.helpers.tickets import drive_to_submitted


@pytest.fixture()
def partner(api: Any) -> tuple[dict[str, Any], Signed]:
    created = new_partner(api)
    key = created["keys"][0]
    return created, Signed(api, key["key_id"], key["secret"])


def number() -> str:
    return "SM" + uuid.uuid4().hex[:12].upper()


# ---------------------------------------------------------------- admin credentials


def test_admin_creates_partner_secret_shown_once_and_stored_encrypted(deps: Any, api: Any) -> None:
    created = new_partner(api)
    key = created["keys"][0]
    assert key["secret"] and key["api_key"].startswith("o311_") and key["key_id"].startswith("hk_")
    shown = api.get(f"/admin/partners/{created['partner_id']}", user="admin1").json
    assert "secret" not in json.dumps(shown) and key["secret"] not in json.dumps(shown)

    stored = json.dumps(deps.directory.get_item("PARTNER#KEY", key["key_id"]), ensure_ascii=False)
    assert key["secret"] not in stored and key["api_key"] not in stored and "kms2:" in stored


def test_only_admins_manage_partners(api: Any) -> None:
    assert api.post("/admin/partners", {"partner_id": "px", "name": "x"}, user="op1").status_code == 403
    assert api.get("/admin/partners", user="analyst1").status_code == 403
    assert api.get("/admin/partners").status_code == 401


def test_partner_validation_and_duplicate(api: Any) -> None:
    bad = api.post(
        "/admin/partners",
        {
            "partner_id": "Bad Id",
            "name": "",
            "webhook_url": "ftp://x",
            "webhook_events": ["nope"],
            "rate_per_minute": 0,
            "x": 1,
        },
        user="admin1",
    )
    assert bad.status_code == 422
    assert set(bad.json["details"]["fields"]) == {
        "partner_id",
        "name",
        "webhook_url",
        "webhook_events",
        "rate_per_minute",
        "x",
    }
    created = new_partner(api)
    again = api.post("/admin/partners", {"partner_id": created["partner_id"], "name": "y"}, user="admin1")
    assert again.status_code == 409


def test_rotate_keeps_old_key_in_grace_and_revoke_stops_it(api: Any, partner: Any) -> None:
    created, old = partner
    pid = created["partner_id"]
    rotated = api.post(f"/admin/partners/{pid}/keys", {"grace_hours": 1}, user="admin1")
    assert rotated.status_code == 201
    new = Signed(api, rotated.json["key_id"], rotated.json["secret"])
    n = number()
    assert new.send("POST", "/partner/v1/tickets", dict(PUSH, number=n)).status_code == 201
    assert old.send("GET", f"/partner/v1/tickets/{n}").status_code == 200  # old key still in grace
    revoked = api.post(f"/admin/partners/{pid}/keys/{old.key_id}/revoke", {}, user="admin1")
    assert revoked.status_code == 200 and revoked.json["status"] == "revoked"
    assert old.send("GET", f"/partner/v1/tickets/{n}").status_code == 401
    assert new.send("GET", f"/partner/v1/tickets/{n}").status_code == 200
    immediate = api.post(f"/admin/partners/{pid}/keys", {"grace_hours": 0}, user="admin1").json
    assert new.send("GET", f"/partner/v1/tickets/{n}").status_code == 401
    assert (
        Signed(api, immediate["key_id"], immediate["secret"]).send("GET", f"/partner/v1/tickets/{n}").status_code == 200
    )


# ---------------------------------------------------------------- signature edge cases over HTTP


def test_signature_edge_cases_are_401(partner: Any) -> None:
    _, client = partner
    body = json.dumps(dict(PUSH, number=number()), ensure_ascii=False).encode()
    url = "/partner/v1/tickets"
    cases = {
        "wrong secret": client.headers("POST", url, body, secret="not-the-secret"),
        "skewed clock": client.headers("POST", url, body, ts=int(time.time()) - 301),
        "future clock": client.headers("POST", url, body, ts=int(time.time()) + 400),
        "missing headers": {"Content-Type": "application/json"},
        "other path": client.headers("POST", "/partner/v1/tickets/x", body),
    }
    for name, headers in cases.items():
        resp = client.send("POST", url, raw=body, headers=headers)
        assert resp.status_code == 401, name
        assert resp.json["code"] == "unauthenticated", name
    altered = client.headers("POST", url, body)
    resp = client.send("POST", url, raw=body.replace("噪音".encode(), "灯光".encode()), headers=altered)
    assert resp.status_code == 401  # body altered after signing
    unknown = Signed(client, "hk_doesnotexist00", "x")
    unknown.client = client.client
    assert unknown.send("GET", "/partner/v1/tickets/X1").status_code == 401


def test_replayed_nonce_is_rejected(partner: Any) -> None:
    _, client = partner
    n = number()
    body = json.dumps(dict(PUSH, number=n)).encode()
    headers = client.headers("POST", "/partner/v1/tickets", body)
    assert client.send("POST", "/partner/v1/tickets", raw=body, headers=headers).status_code == 201
    replay = client.send("POST", "/partner/v1/tickets", raw=body, headers=headers)
    assert replay.status_code == 401 and "nonce" in replay.json["message"]


def test_query_is_signed(partner: Any) -> None:
    _, client = partner
    n = number()
    client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n))
    url = f"/partner/v1/tickets/{n}?lang=zh&x=1"
    assert client.send("GET", url).status_code == 200
    headers = client.headers("GET", url, b"")
    assert client.send("GET", f"/partner/v1/tickets/{n}?lang=en&x=1", headers=headers).status_code == 401


# ---------------------------------------------------------------- pushes


def test_push_is_idempotent_and_conflicting_payload_is_409(deps: Any, partner: Any) -> None:
    created, client = partner
    n = number()
    first = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n))
    assert first.status_code == 201
    view = first.json
    assert view["number"] == n and view["status"] == "received" and view["result"] is None
    assert "caller" not in view and "张三" not in json.dumps(view, ensure_ascii=False)
    again = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n))
    assert again.status_code == 200 and again.json["ticket_id"] == view["ticket_id"]
    conflict = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n, title="另一件事"))
    assert conflict.status_code == 409 and conflict.json["code"] == "conflict"

    ticket = deps.tickets.get(view["ticket_id"])
    assert ticket.source == created["partner_id"] and ticket.external_id == n and ticket.channel == "city"


def test_a_pushed_ticket_names_its_partner_platform(deps: Any, api: Any, seeded: Any) -> None:
    created = new_partner(api, name="县应急联动平台")
    key = created["keys"][0]
    pushed = Signed(api, key["key_id"], key["secret"]).send("POST", "/partner/v1/tickets", dict(PUSH, number=number()))
    assert pushed.status_code == 201
    view = api.get(f"/tickets/{pushed.json['ticket_id']}", user="op1").json
    assert view["source"] == created["partner_id"] and view["partner_name"] == "县应急联动平台"

    renamed = api.patch(f"/admin/partners/{created['partner_id']}", {"name": "市域治理平台"}, user="admin1")
    assert renamed.status_code == 200, renamed.json
    assert api.get(f"/tickets/{pushed.json['ticket_id']}", user="op1").json["partner_name"] == "市域治理平台"

    own = api.post("/tickets", {"category": "help", "title": "求助", "content": "内容", "channel": "phone"}, user="op1")
    assert api.get(f"/tickets/{own.json['id']}", user="op1").json["partner_name"] is None


def test_ten_parallel_pushes_make_one_ticket_and_burn_no_number(partner: Any, deps: Any) -> None:
    _, client = partner
    n = number()
    body = dict(PUSH, number=n)
    taken = dict(deps.tickets.read_counters("SEQ#ticket"))

    def push(_: int) -> tuple[int, str]:
        resp = client.send("POST", "/partner/v1/tickets", body)
        return resp.status_code, resp.json.get("ticket_id", "")

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(push, range(10)))
    codes = sorted(code for code, _ in results)
    assert codes.count(201) == 1 and codes.count(200) == 9, results
    assert len({tid for _, tid in results}) == 1
    day = results[0][1][1:9]
    assert deps.tickets.read_counters("SEQ#ticket")[day] == taken.get(day, 0) + 1


def test_push_validation_is_422_and_hostile_bodies_are_400(partner: Any) -> None:
    _, client = partner
    missing = client.send("POST", "/partner/v1/tickets", {"number": number(), "category": "x"})
    assert missing.status_code == 422 and "title" in missing.json["details"]["fields"]
    unknown = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=number(), evil=1))
    assert unknown.status_code == 422 and "evil" in unknown.json["details"]["fields"]
    bad_number = client.send("POST", "/partner/v1/tickets", dict(PUSH, number="../etc/passwd"))
    assert bad_number.status_code == 422
    for raw in (b"[" * 50000 + b"]" * 50000, b"\xff\xfe", b"[1,2]", b"{"):
        resp = client.send("POST", "/partner/v1/tickets", raw=raw)
        assert resp.status_code in (400, 413), raw[:10]
    too_big = client.send("POST", "/partner/v1/tickets", raw=b'{"x":"' + b"a" * 70000 + b'"}')
    assert too_big.status_code == 400


def test_other_partners_numbers_are_404(api: Any, partner: Any) -> None:
    _, client = partner
    n = number()
    client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n))
    other = new_partner(api)["keys"][0]
    assert Signed(api, other["key_id"], other["secret"]).send("GET", f"/partner/v1/tickets/{n}").status_code == 404
    assert client.send("GET", "/partner/v1/tickets/NOPE-1").status_code == 404


# ---------------------------------------------------------------- lifecycle with the city


def test_r12345_09_city_audit_and_reassign(deps: Any, api: Any, seeded: Any, partner: Any) -> None:
    _, client = partner
    n = number()
    ticket_id = client.send("POST", "/partner/v1/tickets", dict(PUSH, number=n)).json["ticket_id"]
    drive_to_submitted(api, ticket_id)
    status = client.send("GET", f"/partner/v1/tickets/{n}").json
    assert status["status"] == "submitted" and status["result"]["satisfaction"] == "satisfied"
    assert status["handling_unit"] == {"id": "U001", "name": "海游街道办事处"}
    assert client.send("POST", f"/partner/v1/tickets/{n}/audit", {"result": "rejected"}).status_code == 422
    rejected = client.send("POST", f"/partner/v1/tickets/{n}/audit", {"result": "rejected", "reason": "答复不完整"})
    assert rejected.status_code == 200 and rejected.json["status"] == "reviewed"
    assert api.post(f"/tickets/{ticket_id}/submit", {}, user="op1").status_code == 200
    accepted = client.send("POST", f"/partner/v1/tickets/{n}/audit", {"result": "accepted", "note": "通过"})
    assert accepted.status_code == 200 and accepted.json["status"] == "closed"
    again = client.send("POST", f"/partner/v1/tickets/{n}/audit", {"result": "accepted"})
    assert again.status_code == 200  # a retried acceptance is harmless
    assert (
        client.send("POST", f"/partner/v1/tickets/{n}/audit", {"result": "rejected", "reason": "x"}).status_code == 409
    )
    reassigned = client.send("POST", f"/partner/v1/tickets/{n}/reassign", {"reason": "市民不满意，重新交办"})
    assert reassigned.status_code == 200 and reassigned.json["status"] == "handling"

    ticket = deps.tickets.get(ticket_id)
    assert ticket.owner_id == "op1" and ticket.reassign_count == 1  # R-12345-03: back to the first dispatcher
    events = [e["type"] for e in api.get(f"/tickets/{ticket_id}/events", user="op1").json["items"]]
    assert events[-4:] == ["city_rejected", "submitted", "closed", "reassigned"]
    assert client.send("POST", f"/partner/v1/tickets/{n}/reassign", {"reason": "again"}).status_code == 409


def test_rate_limit_gives_a_clear_429(api: Any) -> None:
    created = new_partner(api, rate_per_minute=3)
    key = created["keys"][0]
    client = Signed(api, key["key_id"], key["secret"])
    codes = [client.send("GET", "/partner/v1/tickets/X1").status_code for _ in range(5)]
    if codes.count(429) == 0:  # a minute boundary fell between the calls: one more window
        codes = [client.send("GET", "/partner/v1/tickets/X1").status_code for _ in range(5)]
    assert 429 in codes
    resp = client.send("GET", "/partner/v1/tickets/X1")
    if resp.status_code == 429:
        assert resp.json["code"] == "rate_limited" and 0 < resp.json["details"]["retry_after"] <= 60


# ---------------------------------------------------------------- hostile bodies, property-based

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
_push_bodies = st.fixed_dictionaries(
    {}, optional=dict.fromkeys((*PUSH, "number", "received_at", "city_due", "urgent"), _json_values)
)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=_push_bodies, verb=st.sampled_from(["", "/reassign", "/audit"]))
def test_signed_hostile_bodies_never_cause_a_server_error(api: Any, body: dict[str, Any], verb: str) -> None:
    client = _property_client(api)
    url = "/partner/v1/tickets" + (f"/{number()}{verb}" if verb else "")
    resp = client.send("POST", url, body)
    assert resp.status_code < 500, (body, resp.json)
    assert resp.json is not None and ("code" in resp.json or "ticket_id" in resp.json)


_clients: dict[str, Signed] = {}


def _property_client(api: Any) -> Signed:
    if "c" not in _clients:
        key = new_partner(api, rate_per_minute=10000)["keys"][0]
        _clients["c"] = Signed(api, key["key_id"], key["secret"])
    return _clients["c"]
