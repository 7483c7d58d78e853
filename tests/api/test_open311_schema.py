"""Every JSON answer of /open311/v2 against JSON schemas written from the GeoReport v2 text (and FixMyStreet's
updates feed), with `jsonschema` (draft 4, as open311/schema-validation's schemas are)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest
from jsonschema import Draft4Validator

from tests.helpers import open311 as spec
from tests.helpers.partners import new_partner
from tests.helpers.streams import PARTNERS, deliver, stream_batch
from tests.helpers.tickets import close_ticket

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def answer(resp: Any) -> Any:
    return json.loads(resp.body.decode("utf-8") if isinstance(resp.body, bytes) else resp.body)


def check(schema: dict[str, Any], value: Any) -> None:
    errors = sorted(Draft4Validator(schema).iter_errors(value), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def test_the_schemas_catch_what_the_spec_forbids() -> None:
    for schema, bad in (
        (spec.DISCOVERY_SCHEMA, {"changeset": "x", "contact": "", "key_service": "", "endpoints": []}),
        (spec.REQUESTS_SCHEMA, [{"service_request_id": "1", "status": "pending"}]),
        (spec.ERRORS_SCHEMA, [{"code": "400", "description": "x"}]),
    ):
        assert list(Draft4Validator(schema).iter_errors(bad))


@pytest.fixture(scope="module")
def request_id(api: Any, deps: Any) -> str:
    key = new_partner(api, name="schema 检查")["keys"][0]["api_key"]
    body = {"api_key": key, "service_code": "complaint", "lat": "29.1", "long": "121.3", "description": "路灯不亮"}
    created = api.client.http.post("/open311/v2/requests.json", headers=FORM, body=urlencode(body).encode())
    assert created.status_code == 201
    check(spec.CREATED_SCHEMA, answer(created))
    rid = str(answer(created)[0]["service_request_id"])
    close_ticket(deps, rid, datetime.now(UTC) - timedelta(minutes=1))  # its steps end before now
    deliver(deps, PARTNERS, stream_batch(deps, rid))
    return rid


def test_every_json_answer_matches_the_spec_shapes(api: Any, request_id: str) -> None:
    http = api.client.http
    check(spec.DISCOVERY_SCHEMA, answer(http.get("/open311/v2/discovery.json")))
    services = answer(http.get("/open311/v2/services.json"))
    check(spec.SERVICES_SCHEMA, services)
    for service in services:
        check(spec.DEFINITION_SCHEMA, answer(http.get(f"/open311/v2/services/{service['service_code']}.json")))
    for query in ("", "?status=closed", "?extensions=true", f"?service_request_id={request_id}", "?max_requests=3"):
        listed = answer(http.get(f"/open311/v2/requests.json{query}"))
        check(spec.REQUESTS_SCHEMA, listed)
    closed = answer(http.get("/open311/v2/requests.json?status=closed"))
    assert request_id in {r["service_request_id"] for r in closed}
    check(spec.REQUESTS_SCHEMA, answer(http.get(f"/open311/v2/requests/{request_id}.json")))
    updates = answer(http.get("/open311/v2/servicerequestupdates.json"))
    check(spec.UPDATES_SCHEMA, updates)
    assert {u["external_status_code"] for u in updates if u["service_request_id"] == request_id} >= {"closed"}
    for path in ("/open311/v2/services/nope.json", "/open311/v2/requests.json?status=x", "/open311/v2/x.json"):
        check(spec.ERRORS_SCHEMA, answer(http.get(path)))
    forbidden = http.post("/open311/v2/requests.json", headers=FORM, body=b"service_code=help")
    assert forbidden.status_code == 403
    check(spec.ERRORS_SCHEMA, answer(forbidden))
