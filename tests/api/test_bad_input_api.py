"""Bad input is a clear 4xx in the error shape `{code, message, details}` and changes nothing."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.helpers.partners import PUSH, Signed, new_partner

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
