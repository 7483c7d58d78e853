"""Open311 GeoReport v2 mapping (domain/open311.py), checked field by field against the spec."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import open311 as o311
from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import Caller, Status, Ticket
from tests.helpers.open311 import SPEC_REQUEST_FIELDS

NOW = datetime(2026, 11, 26, 4, 0, tzinfo=UTC)


# GeoReport v2 "GET Service Requests" response fields, in the order of the spec.
def ticket(**changes: object) -> Ticket:
    base = Ticket(
        ticket_id="T20261126-00001",
        hotline="12345",
        source="app-x",
        channel="app",
        category="complaint",
        title="噪音",
        content="楼下饭店油烟扰民，联系我 13800001234",
        received_at=NOW,
        location={"address": "海游街道广场路 8 号", "lat": 29.1, "lng": 121.3},
        caller=Caller(name="张三", phone="13800001234", address="家庭住址"),
        handle_due=NOW + timedelta(days=5),
        updated_at=NOW,
        unit_id="U001",
        status=Status.HANDLING,
    )
    return base.with_changes(**changes)


def test_services_have_every_spec_field() -> None:
    for svc in o311.services_list():
        assert list(svc)[:7] == ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
        assert svc["groups"] == [svc["group"]]
        assert svc["type"] in ("realtime", "batch", "blackbox")
        assert isinstance(svc["metadata"], bool)
    codes = {s["service_code"] for s in o311.services_list()}
    assert {"consult", "help", "complaint", "report", "suggestion", "praise", "env-report"} == codes


def test_service_definition_attributes_follow_spec() -> None:
    definition = o311.service_definition("complaint")
    assert definition["service_code"] == "complaint"
    for attr in definition["attributes"]:
        for field in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            assert field in attr
        assert attr["datatype"] in ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
        assert all(set(v) == {"key", "name"} for v in attr["values"])
    with pytest.raises(NotFound):
        o311.service_definition("nope")


APPROVED = {"public_text": "楼下饭店油烟扰民", "public_media": True, "media_url": "https://x/1.jpg", "address_id": "A9"}


def test_request_record_fields_and_values() -> None:
    record = o311.request_record(ticket(), "海游街道办事处", entry=APPROVED, publication=o311.Publication(grid_m=0))
    assert list(record) == SPEC_REQUEST_FIELDS
    assert record["service_request_id"] == "T20261126-00001"
    assert record["status"] == "open"
    assert record["service_code"] == "complaint" and record["service_name"] == "投诉"
    assert record["agency_responsible"] == "海游街道办事处"
    assert record["requested_datetime"] == "2026-11-26T12:00:00+08:00"
    assert record["expected_datetime"] == "2026-12-01T12:00:00+08:00"
    assert (record["lat"], record["long"]) == (29.1, 121.3)  # grid 0: exact, by configuration
    assert record["address"] is None  # never published (R-12345-11)
    assert record["description"] == "楼下饭店油烟扰民"
    assert (record["media_url"], record["address_id"]) == ("https://x/1.jpg", "A9")
    assert "extended_attributes" not in record


def test_r12345_11_nothing_but_an_approved_text_and_a_coarse_location_is_published() -> None:
    record = o311.request_record(ticket(), "海游街道办事处", entry={"media_url": "https://x/1.jpg", "address_id": "A9"})
    assert (record["description"], record["media_url"], record["address_id"], record["address"]) == (None,) * 4
    assert (record["lat"], record["long"]) != (29.1, 121.3)
    assert abs(record["lat"] - 29.1) < 0.005 and abs(record["long"] - 121.3) < 0.005
    never = o311.request_record(ticket(), None, entry=APPROVED, publication=o311.Publication(descriptions="never"))
    assert never["description"] is None
    no_photo = o311.request_record(ticket(), None, entry={**APPROVED, "public_media": False})
    assert no_photo["media_url"] is None


@pytest.mark.parametrize("grid", [100, 500, 1000])
def test_coarsened_locations_stay_within_a_grid_cell(grid: int) -> None:
    for lat, lng in ((29.1, 121.3), (29.123456, 121.654321), (-33.9, 151.2), (60.0, -1.0)):
        clat, clng = o311.coarsen(lat, lng, grid)
        assert (clat, clng) != (lat, lng)
        assert abs(clat - lat) * 111_320 <= grid / 2 + 1
        east_west = abs(clng - lng) * 111_320 * math.cos(math.radians(clat))
        assert east_west <= grid / 2 + 1
    assert o311.coarsen(29.1, 121.3, 0) == (29.1, 121.3)
    # every point of one cell publishes the same centre
    assert o311.coarsen(29.1001, 121.3001, 500) == o311.coarsen(29.1002, 121.3002, 500)


def test_request_record_never_carries_personal_data() -> None:
    text = str(o311.request_record(ticket(), None, entry={"public_text": "联系我 13800001234"}, extensions=True))
    assert "张三" not in text and "家庭住址" not in text and "广场路" not in text
    assert "13800001234" not in text and "联系我 ***********" in text  # approved text is masked once more


def test_confidential_request_hides_description_and_location() -> None:
    record = o311.request_record(ticket(confidential=True), None, entry=APPROVED)
    assert record["description"] is None and record["media_url"] is None
    assert record["address"] is None and record["lat"] is None and record["long"] is None


def test_closed_maps_to_spec_closed_and_extensions_only_on_request() -> None:
    record = o311.request_record(ticket(status=Status.CLOSED), "U", extensions=True)
    assert record["status"] == "closed"
    ext = record["extended_attributes"]
    assert set(ext) == set(o311.EXTENSION_FIELDS)
    assert ext["detailed_status"] == "closed" and ext["handling_unit"] == "U"


def test_xml_is_well_formed_utf8_with_chinese() -> None:
    entry = {"public_text": "含控制字符\x01与<标签>&符号"}
    records = [o311.request_record(ticket(), "海游街道办事处", entry=entry, extensions=True)]
    xml = o311.to_xml("service_requests", records)
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "service_requests"
    request = root.find("request")
    assert request is not None
    assert [child.tag for child in request][: len(SPEC_REQUEST_FIELDS)] == SPEC_REQUEST_FIELDS
    assert request.findtext("agency_responsible") == "海游街道办事处"
    assert request.findtext("description") == "含控制字符与<标签>&符号"
    assert request.find("extended_attributes/handling_unit") is not None


def test_xml_lists_use_singular_elements() -> None:
    root = ET.fromstring(o311.to_xml("services", o311.services_list()).encode())
    assert len(root.findall("service")) == len(o311.SERVICES)
    definition = ET.fromstring(o311.to_xml("service_definition", o311.service_definition("help")).encode())
    assert definition.find("attributes/attribute/values/value/key") is not None
    errors = ET.fromstring(o311.to_xml("errors", o311.error_list(403, "api_key 无效")).encode())
    assert errors.findtext("error/code") == "403" and errors.findtext("error/description") == "api_key 无效"


def form(**fields: str) -> dict[str, list[str]]:
    base = {"service_code": "complaint", "description": "路灯不亮", "address_string": "广场路"}
    base.update(fields)
    return {k: [v] for k, v in base.items() if v is not None}


def test_request_payload_maps_form_fields() -> None:
    svc, payload, kept = o311.request_payload(
        form(
            lat="29.1",
            long="121.3",
            first_name="三",
            last_name="张",
            phone="13800001234",
            **{"attribute[confidential]": "true"},
        )
    )
    assert svc.code == "complaint"
    assert payload["category"] == "complaint" and payload["channel"] == "app" and payload["hotline"] == "12345"
    assert payload["location"] == {"address": "广场路", "lat": 29.1, "lng": 121.3}
    assert payload["caller"] == {"name": "张 三", "phone": "13800001234"}
    assert payload["confidential"] is True and payload["wants_reply"] is True
    assert kept == {"media_url": "", "address_id": ""}
    env_form = {"attribute[entity_name]": "某化工厂", "attribute[demand]": "查处偷排"}
    env, env_payload, _ = o311.request_payload(form(service_code="env-report", **env_form))
    assert env_payload["hotline"] == "12369" and env_payload["category"] == "report"
    assert env_payload["entity"] == {"name": "某化工厂", "address": ""} and env_payload["demand"] == "查处偷排"


def test_r12369_01_the_12369_group_requires_entity_and_demand() -> None:
    codes = [a["code"] for a in o311.service_definition("env-report")["attributes"]]
    assert {"entity_name", "demand", "entity_address"} <= set(codes)
    assert "entity_name" not in [a["code"] for a in o311.service_definition("help")["attributes"]]
    with pytest.raises(o311.Open311Error, match="entity_name"):
        o311.request_payload(form(service_code="env-report", **{"attribute[demand]": "查处"}))
    with pytest.raises(o311.Open311Error, match="demand"):
        o311.request_payload(form(service_code="env-report", **{"attribute[entity_name]": "某厂"}))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"service_code": ""}, "service_code missing"),
        ({"address_string": ""}, "location is required"),
        ({"lat": "29.1"}, "together"),
        ({"lat": "nan", "long": "1"}, "between"),
        ({"lat": "abc", "long": "1"}, "number"),
        ({"description": "长" * 4001}, "longer than 4000 characters"),
        ({"attribute[confidential]": "maybe"}, "true or false"),
        ({"media_url": "javascript:alert(1)"}, "media_url"),
    ],
)
def test_request_payload_errors_are_400(fields: dict[str, str], message: str) -> None:
    with pytest.raises(o311.Open311Error, match=message):
        o311.request_payload(form(**fields))


def test_description_is_optional_and_4000_characters_of_any_script_are_taken() -> None:
    _, payload, _ = o311.request_payload(form(description=""))
    assert payload["content"] and payload["title"].startswith("投诉")
    for char in ("长", "𠀀", "a", "ё"):
        _, payload, _ = o311.request_payload(form(description=char * 4000))
        assert payload["content"] == char * 4000
    _, _, kept = o311.request_payload(form(media_url="https://img.example/1.jpg", address_id="ADDR-9"))
    assert kept == {"media_url": "https://img.example/1.jpg", "address_id": "ADDR-9"}


def test_repeated_and_comma_separated_filters_are_all_kept() -> None:
    q = o311.request_query({"status": ["open", "closed"], "service_code": ["help", "env-report,report"]}, NOW)
    assert q.statuses == ("open", "closed") and q.service_codes == ("help", "env-report", "report")
    assert o311.request_query({"max_requests": "5"}, NOW).limit == 5
    for bad in ("0", "1001", "x"):
        with pytest.raises(o311.Open311Error, match="max_requests"):
            o311.request_query({"max_requests": bad}, NOW)


def test_a_future_start_date_without_end_date_is_an_empty_window_not_an_error() -> None:
    q = o311.request_query({"start_date": "2027-01-01T00:00:00+08:00"}, NOW)
    assert q.start is not None and q.end == q.start + timedelta(days=90)


def test_unknown_service_code_is_404() -> None:
    with pytest.raises(NotFound):
        o311.request_payload(form(service_code="nope"))


def test_request_query_defaults_to_last_90_days() -> None:
    q = o311.request_query({}, NOW)
    assert q.end == NOW and q.start == NOW - timedelta(days=90)


def test_request_query_ids_override_other_filters() -> None:
    q = o311.request_query({"service_request_id": "T20261126-00001,T20261126-00002", "status": "bogus"}, NOW)
    assert q.ids == ("T20261126-00001", "T20261126-00002")


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-12-01T00:00:00Z"},
        {"start_date": "2026-11-02T00:00:00Z", "end_date": "2026-11-01T00:00:00Z"},
        {"start_date": "0001-01-01T00:00:00"},  # overflowed in the conversion to UTC (500)
        {"end_date": "0001-01-02T00:00:00Z"},  # overflowed in end - 90 days
        {"start_date": "9999-12-31T00:00:00Z"},  # overflowed in start + 90 days
    ],
)
def test_request_query_rejects_bad_filters(params: dict[str, str]) -> None:
    with pytest.raises(o311.Open311Error):
        o311.request_query(params, NOW)


def test_months_between_newest_first() -> None:
    start = datetime(2026, 10, 30, tzinfo=UTC)
    assert o311.months_between(start, datetime(2027, 1, 2, tzinfo=UTC)) == ["2027-01", "2026-12", "2026-11", "2026-10"]


def test_split_format() -> None:
    assert o311.split_format("T20261126-00001.xml") == ("T20261126-00001", "xml")
    with pytest.raises(NotFound):
        o311.split_format("T20261126-00001.html")
