"""Bad input is a clear 4xx in the error shape `{code, message, details}` and changes nothing."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from chalicelib.domain.calendar import SHANGHAI
from tests.helpers.partners import PUSH, Signed, new_partner

CALL = {"to_name": "冯磊", "to_phone": "0576-83310003"}
TICKET = {"category": "help", "title": "路灯不亮", "content": "广场路路灯三天不亮"}


def assert_error(resp: Any, status: int, code: str) -> dict[str, Any]:
    """The answer is `status` with the error shape and `code`; returns its details."""
    assert resp.status_code == status, resp.body
    body = json.loads(resp.body)
    assert set(body) == {"code", "message", "details"} and body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"] and isinstance(body["details"], dict)
    return dict(body["details"])


def numbers_taken(deps: Any) -> dict[str, int]:
    """Ticket numbers taken so far, per receipt day: any new ticket moves them."""
    return dict(deps.tickets.read_counters("SEQ#ticket"))


@pytest.fixture(scope="module")
def partner(api: Any) -> Signed:
    key = new_partner(api)["keys"][0]
    return Signed(api, key["key_id"], key["secret"])


# ---------------------------------------------------------------- bodies


def test_a_lone_surrogate_in_a_staff_body_is_a_400_naming_the_field(api: Any, deps: Any) -> None:
    before = numbers_taken(deps)
    raw = json.dumps(dict(TICKET, caller={"name": "PLACEHOLDER"})).replace("PLACEHOLDER", "\\ud800")
    details = assert_error(api.post("/tickets", user="op1", raw=raw), 400, "bad_request")
    assert details == {"field": "caller.name"}
    assert numbers_taken(deps) == before


def test_a_lone_surrogate_in_a_transition_body_is_a_400(api: Any) -> None:
    tid = api.post("/tickets", TICKET, user="op1").json["id"]
    raw = '{"reason": "\\udc00"}'
    assert_error(api.post(f"/tickets/{tid}/flag-supervised", user="op1", raw=raw), 400, "bad_request")
    assert api.get(f"/tickets/{tid}", user="op1").json["flags"]["supervised"] is False


@pytest.mark.parametrize("levels", [40, 100_000])
def test_deeply_nested_json_on_a_staff_route_is_a_400(api: Any, deps: Any, levels: int) -> None:
    before = numbers_taken(deps)
    raw = '{"category": "help", "location": ' + "[" * levels + "]" * levels + "}"
    assert_error(api.post("/tickets", user="op1", raw=raw), 400, "bad_request")
    unit = '{"id": "UX", "contacts": ' + '{"a":' * levels + "1" + "}" * levels + "}"
    assert_error(api.post("/admin/units", user="admin1", raw=unit), 400, "bad_request")
    assert numbers_taken(deps) == before


def test_the_partner_route_reads_bodies_with_the_same_reader(api: Any, partner: Signed) -> None:
    number = "SM" + uuid.uuid4().hex[:12]
    raw = json.dumps(dict(PUSH, number=number, title="PLACEHOLDER")).replace("PLACEHOLDER", "\\ud83d").encode()
    assert_error(partner.send("POST", "/partner/v1/tickets", raw=raw), 400, "bad_request")
    deep = ('{"number": "' + number + '", "caller": ' + "[" * 50_000 + "]" * 50_000 + "}").encode()
    assert_error(partner.send("POST", "/partner/v1/tickets", raw=deep), 400, "bad_request")
    assert_error(partner.send("GET", f"/partner/v1/tickets/{number}"), 404, "not_found")


def test_nan_and_huge_numbers_are_a_400(api: Any) -> None:
    raw = json.dumps(dict(TICKET)).replace("}", ', "city_limit_days": NaN}')
    assert_error(api.post("/tickets", user="op1", raw=raw), 400, "bad_request")
    raw = json.dumps(dict(TICKET)).replace("}", ', "location": {"lat": 1e999}}')
    assert_error(api.post("/tickets", user="op1", raw=raw), 400, "bad_request")


# ---------------------------------------------------------------- page tokens


def token(key: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


FORGED_TICKET_PAGES = [
    "not-a-token",
    token({"ticket_id": {"S": "T20261126-00001"}}),  # not the index's key
    token({"ticket_id": {"S": "x"}, "owner_id": {"S": "op2"}, "received_at": {"S": "x"}}),  # someone else's list
    token({"ticket_id": {"N": "1"}, "owner_id": {"S": "op1"}, "received_at": {"S": "x"}}),
    token({"ticket_id": {"S": "\ud800"}, "owner_id": {"S": "op1"}, "received_at": {"S": "x"}}),
    token({"ticket_id": {"S": "x" * 3000}, "owner_id": {"S": "op1"}, "received_at": {"S": "x"}}),
    token({"ticket_id": {"S": ""}, "owner_id": {"S": "op1"}, "received_at": {"S": "x"}}),
    base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
]


@pytest.mark.parametrize("page", FORGED_TICKET_PAGES)
def test_a_forged_page_token_is_a_400_in_the_error_shape(api: Any, page: str) -> None:
    details = assert_error(api.get(f"/tickets?page={quote(page)}", user="op1"), 400, "bad_request")
    assert details == {"field": "page"}


def test_the_page_token_of_the_previous_page_still_pages(api: Any) -> None:
    ids = [api.post("/tickets", TICKET, user="op1").json["id"] for _ in range(3)]
    for tid in ids:
        api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U003", "call": CALL}, user="op1")
    first = api.get("/tickets?unit_id=U003&limit=2", user="op1").json
    second = api.get(f"/tickets?unit_id=U003&limit=2&page={quote(first['next_page'])}", user="op1")
    assert second.status_code == 200 and second.json["items"]
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second.json["items"]}
    other_index = api.get(f"/tickets?status=dispatched&limit=2&page={quote(first['next_page'])}", user="op1")
    assert_error(other_index, 400, "bad_request")


@pytest.mark.parametrize("page", ["forged", token({"a": 1}), "x" * 5000, "两页", "a b"])
def test_a_forged_user_pool_page_token_is_a_400_in_the_error_shape(api: Any, page: str) -> None:
    details = assert_error(api.get(f"/admin/users?page={quote(page)}", user="admin1"), 400, "bad_request")
    assert details == {"field": "page"}


def test_the_user_pool_page_token_of_the_previous_page_still_pages(api: Any) -> None:
    first = api.get("/admin/users?limit=2", user="admin1").json
    assert first["next_page"]
    second = api.get(f"/admin/users?limit=2&page={quote(first['next_page'])}", user="admin1")
    assert second.status_code == 200 and second.json["items"]
    assert {u["username"] for u in first["items"]}.isdisjoint(u["username"] for u in second.json["items"])


# ---------------------------------------------------------------- wrong types


@pytest.mark.parametrize("role", [["admin"], {"admin": True}, 7, None])
def test_a_role_sent_as_a_list_or_other_non_text_is_a_422_naming_role(api: Any, role: Any) -> None:
    username = "tmp" + uuid.uuid4().hex[:8]
    body = {"username": username, "name": "新用户", "role": role, "password": "Abcdefgh#12345"}
    details = assert_error(api.post("/admin/users", body, user="admin1"), 422, "validation_error")
    assert "role" in details["fields"]
    assert_error(api.get(f"/admin/users/{username}", user="admin1"), 404, "not_found")
    resp = api.client.http.put(
        "/admin/users/op2",
        headers={"Authorization": f"Bearer {api.tokens['admin1']}", "Content-Type": "application/json"},
        body=json.dumps({"role": role}),
    )
    assert "role" in assert_error(resp, 422, "validation_error")["fields"]
    assert api.get("/admin/users/op2", user="admin1").json["role"] == "operator"


@pytest.mark.parametrize("co_units", [[["U002"]], [{}], "U002", [1], ["U001"], ["U404"]])
def test_malformed_co_unit_ids_at_dispatch_are_a_422_and_leave_the_ticket_received(api: Any, co_units: Any) -> None:
    tid = api.post("/tickets", TICKET, user="op1").json["id"]
    body = {"unit_id": "U001", "co_unit_ids": co_units, "call": CALL}
    details = assert_error(api.post(f"/tickets/{tid}/dispatch", body, user="op1"), 422, "validation_error")
    assert all(name.startswith("co_unit_ids") for name in details["fields"])
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "received"


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00", "0001-01-01T00:00:00+00:00", "2000-01-01T00:00:00+08:00"])
def test_a_received_at_of_year_one_or_long_ago_is_a_422_naming_it(api: Any, deps: Any, value: str) -> None:
    before = numbers_taken(deps)
    details = assert_error(api.post("/tickets", dict(TICKET, received_at=value), user="op1"), 422, "validation_error")
    assert set(details["fields"]) == {"received_at"} and "30 天" in details["fields"]["received_at"]
    assert numbers_taken(deps) == before  # no T10101-00001


def test_a_city_due_in_year_9999_is_a_422_naming_it(api: Any) -> None:
    resp = api.post("/tickets", dict(TICKET, city_due="9999-12-31T00:00:00"), user="op1")
    assert set(assert_error(resp, 422, "validation_error")["fields"]) == {"city_due"}


def test_a_partner_pushes_a_ticket_received_eleven_months_ago(api: Any, partner: Signed) -> None:
    received = (datetime.now(UTC) - timedelta(days=330)).replace(microsecond=0)
    body = dict(PUSH, number="SM" + uuid.uuid4().hex[:12], received_at=received.isoformat())
    resp = partner.send("POST", "/partner/v1/tickets", body)
    assert resp.status_code == 201, resp.json
    assert resp.json["received_at"] == received.isoformat()
    assert resp.json["ticket_id"].startswith("T" + received.astimezone(SHANGHAI).strftime("%Y%m%d"))
    body = dict(PUSH, number="SM" + uuid.uuid4().hex[:12], received_at="2001-01-01T00:00:00+08:00")
    assert (
        "一年"
        in assert_error(partner.send("POST", "/partner/v1/tickets", body), 422, "validation_error")["fields"][
            "received_at"
        ]
    )


# ---------------------------------------------------------------- what the docs say


@pytest.mark.parametrize(
    ("user", "url", "field"),
    [
        ("op1", "/tickets?status=zzz", "status"),
        ("op1", "/tickets?limit=abc", "limit"),
        ("op1", "/tickets?flag=red", "flag"),
        ("op1", "/tickets?due_before=tomorrow", "due_before"),
        ("admin1", "/admin/users?limit=0", "limit"),
        ("analyst1", "/stats/monthly?month=2026-13", "month"),
        ("records1", "/archive/search?limit=1000", "limit"),
    ],
)
def test_a_bad_query_value_is_a_422_naming_the_parameter(api: Any, user: str, url: str, field: str) -> None:
    assert field in assert_error(api.get(url, user=user), 422, "validation_error")["fields"]


def test_a_leaders_denial_without_a_note_is_a_422_naming_note(api: Any) -> None:
    tid = api.post("/tickets", TICKET, user="op1").json["id"]
    new_due = (datetime.now(UTC) + timedelta(days=40)).astimezone(SHANGHAI).date().isoformat()
    for verb, user, body in [
        ("dispatch", "op1", {"unit_id": "U001", "call": CALL}),
        ("sign", "uh1", {}),
        ("request-extension", "uh1", {"reason": "需协调多部门", "new_due": new_due}),
    ]:
        assert api.post(f"/tickets/{tid}/{verb}", body, user=user).status_code == 200, verb
    denied = api.post(f"/tickets/{tid}/decide-extension", {"approve": False}, user="leader1")
    assert set(assert_error(denied, 422, "validation_error")["fields"]) == {"note"}
    assert api.get(f"/tickets/{tid}", user="op1").json["status"] == "extension_requested"
    approved = api.post(f"/tickets/{tid}/decide-extension", {"approve": True}, user="leader1")
    assert approved.status_code == 200 and approved.json["extension"]["decision"] == "approved"


# ---------------------------------------------------------------- ids in the URL that name nothing


@pytest.mark.parametrize(
    ("user", "method", "url"),
    [
        ("op1", "POST", "/tickets//dispatch"),
        ("op1", "GET", "/tickets/" + "T" * 3000),
        ("op1", "GET", "/tickets//events"),
        ("records1", "GET", "/archive/"),
        ("admin1", "POST", "/admin/units//deactivate"),
        ("admin1", "POST", "/admin/users//disable"),
        ("admin1", "POST", "/admin/users/a%20b/enable"),
        ("admin1", "GET", "/admin/users/" + "u" * 200),
        ("admin1", "GET", "/admin/partners/" + "p" * 3000),
    ],
)
def test_an_id_in_the_url_that_names_nothing_is_a_404_in_the_error_shape(
    api: Any, user: str, method: str, url: str
) -> None:
    headers = {"Authorization": f"Bearer {api.tokens[user]}", "Content-Type": "application/json"}
    assert_error(api.client.http.request(method, url, headers=headers, body=b"{}"), 404, "not_found")


def test_an_empty_instruction_id_is_a_404(api: Any) -> None:
    tid = api.post("/tickets", TICKET, user="op1").json["id"]
    api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1")
    assert_error(api.post(f"/tickets/{tid}/instructions//answer", {"text": "已办"}, user="op1"), 404, "not_found")


def test_an_open311_date_of_year_one_is_a_400_in_the_spec_shape(api: Any) -> None:
    resp = api.get("/open311/v2/requests.json?start_date=0001-01-01T00:00:00")
    assert resp.status_code == 400 and resp.json[0]["code"] == 400 and "start_date" in resp.json[0]["description"]


@pytest.mark.parametrize(
    ("user", "method", "url", "body", "field"),
    [
        ("op1", "POST", "/tickets", dict(TICKET, channel=[]), "channel"),
        ("op1", "POST", "/tickets", dict(TICKET, hotline={"12345": 1}), "hotline"),
        ("admin1", "PUT", "/admin/duty/defaults", {"day": "ab"}, "day"),
        ("admin1", "PUT", "/admin/duty/defaults", {"night": [1]}, "night"),
        ("admin1", "PUT", "/admin/duty/staff/op1", {"name": "x" * 65, "phone": "13957600001"}, "name"),
        ("admin1", "POST", "/admin/units", {"id": "UT1", "name": "单位", "kind": ["bureau"], "contacts": []}, "kind"),
        (
            "admin1",
            "POST",
            "/admin/units",
            {"id": "UT1", "name": "单位", "contacts": [{"name": "周海", "phone": "13957600001", "role": {}}]},
            "contacts[0].role",
        ),
    ],
)
def test_a_list_or_object_where_a_code_belongs_is_a_422_naming_the_field(
    api: Any, user: str, method: str, url: str, body: dict[str, Any], field: str
) -> None:
    headers = {"Authorization": f"Bearer {api.tokens[user]}", "Content-Type": "application/json"}
    resp = api.client.http.request(method, url, headers=headers, body=json.dumps(body).encode())
    assert field in assert_error(resp, 422, "validation_error")["fields"]
