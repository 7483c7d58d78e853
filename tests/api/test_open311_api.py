"""Open311 GeoReport v2 over HTTP: discovery, services, definitions, POST/GET requests, JSON and XML,
errors as the spec shows (400/403/404), no personal data in any GET."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.helpers.open311 import SPEC_REQUEST_FIELDS
from tests.helpers.partners import new_partner

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def put(api: Any, path: str, body: dict[str, Any], user: str) -> Any:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {api.tokens[user]}"}
    resp = api.client.http.put(path, headers=headers, body=json.dumps(body, ensure_ascii=False))
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


def get(api: Any, path: str) -> Any:
    resp = api.client.http.get(path)
    resp.text = resp.body.decode("utf-8") if isinstance(resp.body, bytes) else resp.body
    return resp


def post(api: Any, path: str, fields: dict[str, str]) -> Any:
    resp = api.client.http.post(path, headers=FORM, body=urlencode(fields).encode())
    resp.text = resp.body.decode("utf-8") if isinstance(resp.body, bytes) else resp.body
    return resp


@pytest.fixture(scope="module")
def api_key(api: Any) -> str:
    return str(new_partner(api, name="随手拍 App")["keys"][0]["api_key"])


def fields(api_key: str, **extra: str) -> dict[str, str]:
    base = {
        "api_key": api_key,
        "service_code": "complaint",
        "description": "广场路路灯坏了三天，电话13800001234",
        "address_string": "海游街道广场路 8 号",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800001234",
        "email": "zhangsan@example.com",
    }
    return {k: v for k, v in {**base, **extra}.items() if v is not None}


def test_discovery_and_services_json_and_xml(api: Any) -> None:
    disc = get(api, "/open311/v2/discovery.json")
    assert disc.status_code == 200 and disc.headers["Content-Type"].startswith("application/json")
    endpoint = json.loads(disc.text)["endpoints"][0]
    assert re.fullmatch(r"https?://[^/]+(/[^/]+)?/open311/v2", endpoint["url"]), endpoint["url"]  # absolute
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    root = ET.fromstring(get(api, "/open311/v2/discovery.xml").body)
    assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format") is not None
    services = json.loads(get(api, "/open311/v2/services.json").text)
    assert {s["service_code"] for s in services} >= {"complaint", "env-report"}
    xml = get(api, "/open311/v2/services.xml")
    assert xml.headers["Content-Type"] == "text/xml"  # the XML declaration names UTF-8 (RFC 7303)
    assert "投诉" in xml.text and ET.fromstring(xml.body).find("service/service_name") is not None


def test_service_definition_and_404(api: Any) -> None:
    definition = json.loads(get(api, "/open311/v2/services/complaint.json").text)
    assert definition["service_code"] == "complaint" and definition["attributes"]
    assert ET.fromstring(get(api, "/open311/v2/services/complaint.xml").body).tag == "service_definition"
    missing = get(api, "/open311/v2/services/nope.json")
    assert missing.status_code == 404 and json.loads(missing.text)[0]["code"] == 404
    bad_format = get(api, "/open311/v2/services/complaint.html")
    assert bad_format.status_code == 404


def test_post_request_creates_ticket_and_get_shows_no_personal_data(deps: Any, api: Any, api_key: str) -> None:
    created = post(api, "/open311/v2/requests.json", fields(api_key, lat="29.1", long="121.3"))
    assert created.status_code == 201, created.text
    answer = json.loads(created.text)
    assert list(answer[0]) == ["service_request_id", "service_notice", "account_id"]
    rid = answer[0]["service_request_id"]

    ticket = deps.tickets.get(rid)
    assert ticket.channel == "app" and ticket.caller.name == "张 三" and ticket.caller.phone == "13800001234"
    one = get(api, f"/open311/v2/requests/{rid}.json")
    assert one.status_code == 200
    record = json.loads(one.text)[0]
    assert list(record) == SPEC_REQUEST_FIELDS
    assert record["service_request_id"] == rid and record["status"] == "open" and record["service_code"] == "complaint"
    assert (record["lat"], record["long"]) != (29.1, 121.3)  # coarsened to the 500 m grid (R-12345-11)
    assert abs(record["lat"] - 29.1) < 0.003 and abs(record["long"] - 121.3) < 0.003
    assert record["description"] is None and record["address"] is None  # nothing published until approved
    for text in (
        one.text,
        get(api, f"/open311/v2/requests/{rid}.xml").text,
        get(api, f"/open311/v2/requests.json?service_request_id={rid}").text,
    ):
        assert "13800001234" not in text and "张" not in text and "zhangsan" not in text
    xml = get(api, f"/open311/v2/requests/{rid}.xml")
    root = ET.fromstring(xml.body)
    assert root.tag == "service_requests" and root.findtext("request/service_request_id") == rid
    assert "路灯" not in xml.text and xml.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    approve = {"public_text": "广场路路灯坏了三天，电话13800001234", "public_media": False}
    assert put(api, f"/tickets/{rid}/open311-publication", approve, "uh1").status_code == 403
    approved = put(api, f"/tickets/{rid}/open311-publication", approve, "op1")
    assert approved.status_code == 200 and "13800001234" not in approved.json["public_text"]
    shown = json.loads(get(api, f"/open311/v2/requests/{rid}.json").text)[0]
    assert shown["description"] == "广场路路灯坏了三天，电话***********"
    ext = json.loads(get(api, f"/open311/v2/requests/{rid}.json?extensions=true").text)[0]
    assert ext["extended_attributes"]["detailed_status"] == "received"


def test_get_requests_filters(api: Any, api_key: str) -> None:
    ids = [
        json.loads(post(api, "/open311/v2/requests.json", fields(api_key, service_code=code, **extra)).text)[0][
            "service_request_id"
        ]
        for code, extra in (
            ("help", {}),
            ("env-report", {"attribute[entity_name]": "某化工厂", "attribute[demand]": "查处偷排"}),
        )
    ]
    listed = json.loads(get(api, "/open311/v2/requests.json").text)
    assert {r["service_request_id"] for r in listed} >= set(ids) and len(listed) <= 1000
    only_env = json.loads(get(api, "/open311/v2/requests.json?service_code=env-report").text)
    assert ids[1] in {r["service_request_id"] for r in only_env}
    assert all(r["service_code"] == "env-report" for r in only_env)
    closed = json.loads(get(api, "/open311/v2/requests.json?status=closed").text)
    assert not {r["service_request_id"] for r in closed} & set(ids)
    by_ids = json.loads(get(api, f"/open311/v2/requests.json?service_request_id={ids[0]},{ids[1]}").text)
    assert [r["service_request_id"] for r in by_ids] == ids
    past = json.loads(
        get(api, "/open311/v2/requests.json?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").text
    )
    assert past == []
    xml = ET.fromstring(get(api, "/open311/v2/requests.xml?status=open").body)
    assert xml.tag == "service_requests"


def test_tickets_from_other_channels_are_not_open311_requests(api: Any) -> None:
    body = {"hotline": "12345", "channel": "phone", "category": "help", "title": "求助", "content": "需要帮助"}
    tid = api.post("/tickets", body, user="op1").json["id"]
    assert get(api, f"/open311/v2/requests/{tid}.json").status_code == 404
    assert json.loads(get(api, f"/open311/v2/requests.json?service_request_id={tid}").text) == []


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "o311_wrong"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "nope"}, 404),
        ({"address_string": None}, 400),
        ({"description": "长" * 4001}, 400),
        ({"phone": "12345"}, 400),
        ({"lat": "91", "long": "1"}, 400),
    ],
)
def test_post_errors_as_the_spec_shows(api: Any, api_key: str, change: dict[str, Any], status: int) -> None:
    body = fields(api_key)
    for k, v in change.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    resp = post(api, "/open311/v2/requests.json", body)
    assert resp.status_code == status, resp.text
    errors = json.loads(resp.text)
    assert isinstance(errors, list) and errors[0]["code"] == status and errors[0]["description"]
    xml = post(api, "/open311/v2/requests.xml", body)
    assert xml.status_code == status
    root = ET.fromstring(xml.body)
    assert root.tag == "errors" and root.findtext("error/code") == str(status)


def test_get_errors_and_hostile_input(api: Any) -> None:
    for query in (
        "status=pending",
        "start_date=notadate",
        "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
    ):
        resp = get(api, f"/open311/v2/requests.json?{query}")
        assert resp.status_code == 400 and json.loads(resp.text)[0]["code"] == 400
    assert get(api, "/open311/v2/requests/..%2Fetc.json").status_code == 404
    raw = api.client.http.post("/open311/v2/requests.json", headers=FORM, body=b"\xff\xfe=\x00")
    assert raw.status_code == 400


def test_revoked_api_key_is_403(api: Any) -> None:
    created = new_partner(api)
    key = created["keys"][0]
    api.post(f"/admin/partners/{created['partner_id']}/keys/{key['key_id']}/revoke", {}, user="admin1")
    assert post(api, "/open311/v2/requests.json", fields(key["api_key"])).status_code == 403


def test_spec_fields_round_trip_4000_characters_media_url_and_address_id(api: Any, api_key: str) -> None:
    body = fields(api_key, description="噪" * 4000, media_url="https://img.example/p/1.jpg", address_id="ADDR-77")
    created = post(api, "/open311/v2/requests.json", body)
    assert created.status_code == 201, created.text
    rid = json.loads(created.text)[0]["service_request_id"]
    no_text = post(api, "/open311/v2/requests.json", fields(api_key, description=None))
    assert no_text.status_code == 201, no_text.text  # description is optional in the spec
    assert put(api, f"/tickets/{rid}/open311-publication", {"public_text": "噪" * 4000, "public_media": True}, "op1")
    record = json.loads(get(api, f"/open311/v2/requests/{rid}.json").text)[0]
    assert record["description"] == "噪" * 4000
    assert (record["media_url"], record["address_id"]) == ("https://img.example/p/1.jpg", "ADDR-77")


def test_repeated_filters_max_requests_and_a_future_start_date(api: Any, api_key: str) -> None:
    ids = [
        json.loads(post(api, "/open311/v2/requests.json", fields(api_key, service_code=code)).text)[0][
            "service_request_id"
        ]
        for code in ("praise", "suggestion")
    ]
    both = json.loads(get(api, "/open311/v2/requests.json?service_code=praise&service_code=suggestion").text)
    assert set(ids) <= {r["service_request_id"] for r in both}
    assert {r["service_code"] for r in both} <= {"praise", "suggestion"}
    statuses = json.loads(get(api, "/open311/v2/requests.json?status=open&status=closed&max_requests=1").text)
    assert len(statuses) == 1
    future = get(api, "/open311/v2/requests.json?start_date=2099-01-01T00:00:00Z")
    assert future.status_code == 200 and json.loads(future.text) == []


@pytest.mark.parametrize(
    "path",
    ["/open311/v2/services.csv", "/open311/v2/nothing.json", "/open311/v2/requests/x/y.json", "/open311/v2/a/b.xml"],
)
def test_unknown_paths_and_formats_answer_the_spec_error_body(api: Any, path: str) -> None:
    resp = get(api, path)
    assert resp.status_code == 404
    if path.endswith(".xml"):
        assert ET.fromstring(resp.body).findtext("error/code") == "404"
    else:
        assert json.loads(resp.text)[0]["code"] == 404


def test_updates_feed_in_json_and_xml(api: Any) -> None:
    feed = get(api, "/open311/v2/servicerequestupdates.json?start_date=2026-01-01T00:00:00Z")
    assert feed.status_code == 200 and isinstance(json.loads(feed.text), list)
    xml = get(api, "/open311/v2/servicerequestupdates.xml")
    assert xml.status_code == 200 and ET.fromstring(xml.body).tag == "service_request_updates"
