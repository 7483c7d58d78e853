"""Open311 use cases on the in-memory adapters: filters before the cap, what a published GET of 1,000
requests contains (R-12345-11), staff approval of public texts, the status copies and the updates feed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Forbidden, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import open311 as svc
from chalicelib.services import partners
from tests.helpers.accounts import UNITS
from tests.helpers.streams import PARTNERS, deliver, history_records
from tests.helpers.tickets import OP1, close_ticket

START = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
ADMIN = Actor("admin1", "admin")
MOBILES = ("13800001234", "159 1234 5678", "186-5760-1234", "+86 199 8888 7777", "１７０１２３４５６７８")
IDS = ("33102219800101123X", "331022800101123")


@pytest.fixture
def fake(fake: Any) -> Any:
    """In-memory adapters with the demo units (tickets are dispatched to U001)."""
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def api_key(deps: Any) -> str:
    created = partners.create_partner(deps, ADMIN, {"partner_id": "app-o311", "name": "随手拍"}, START)
    return str(created["keys"][0]["api_key"])


def form(key: str, i: int, **extra: str) -> dict[str, list[str]]:
    fields = {
        "api_key": key,
        "service_code": "complaint",
        "description": f"我叫王小明，电话{MOBILES[i % 5]}，身份证{IDS[i % 2]}，住3幢2单元50{i % 10}室",
        "lat": f"{29.1 + i / 10_000:.6f}",
        "long": f"{121.3 + i / 10_000:.6f}",
        "phone": "13800001234",
        "first_name": "小明",
        "last_name": "王",
        **extra,
    }
    if fields["service_code"] == "env-report":  # R-12369-01: the reported entity and the demand
        fields.update({"attribute[entity_name]": "某化工厂", "attribute[demand]": "查处偷排"})
    return {k: [v] for k, v in fields.items()}


def create(deps: Any, key: str, i: int, **extra: str) -> str:
    return str(svc.create_request(deps, form(key, i, **extra), START + timedelta(minutes=i))["service_request_id"])


def digits(text: str) -> str:
    return re.sub(r"\D", "", text.translate(str.maketrans("０１２３４５６７８９", "0123456789")))


def test_r12345_11_a_get_of_1000_published_requests_has_no_mobile_id_or_exact_coordinate(fake: Any) -> None:
    key = api_key(fake)
    ids = [create(fake, key, i) for i in range(1000)]
    for n, rid in enumerate(ids[::3]):  # staff approve the citizen's own text, unedited, for a third of them
        approved = svc.approve_publication(fake, OP1, rid, {"public_text": form(key, n * 3)["description"][0]})
        assert "王小明" not in approved["public_text"]
    now = START + timedelta(days=1)
    listed = svc.list_requests(fake, {"max_requests": "1000"}, now)
    assert len(listed) == 1000 and {r["service_request_id"] for r in listed} == set(ids)
    exact = {(round(29.1 + i / 10_000, 6), round(121.3 + i / 10_000, 6)) for i in range(1000)}
    published_texts = 0
    for record in listed:
        values = [str(v) for k, v in record.items() if k not in ("service_request_id",) and not k.endswith("datetime")]
        flat = digits(" ".join(values))
        for mobile in MOBILES:
            assert digits(mobile)[-11:] not in flat
        for number in IDS:
            assert digits(number)[:12] not in flat
        assert (record["lat"], record["long"]) not in exact
        assert record["address"] is None
        text = json.dumps(record, ensure_ascii=False)
        assert "王小明" not in text and "小明" not in text
        published_texts += record["description"] is not None
    assert published_texts == len(ids[::3])


def test_filters_come_before_the_cap(fake: Any) -> None:
    key = api_key(fake)
    rare = [create(fake, key, i, service_code="env-report") for i in range(3)]  # the oldest three
    common = [create(fake, key, i) for i in range(3, 1010)]
    closed = common[0]
    close_ticket(fake, closed, START + timedelta(minutes=1011))
    deliver(fake, PARTNERS, history_records(fake, closed))
    now = START + timedelta(days=2)
    assert len(svc.list_requests(fake, {}, now)) == 1000
    assert [r["service_request_id"] for r in svc.list_requests(fake, {"service_code": "env-report"}, now)] == rare[::-1]
    assert [r["service_request_id"] for r in svc.list_requests(fake, {"status": "closed"}, now)] == [closed]
    both = svc.list_requests(fake, {"status": ["closed"], "service_code": ["env-report", "complaint"]}, now)
    assert [r["service_request_id"] for r in both] == [closed]
    open_ = svc.list_requests(fake, {"status": "open", "max_requests": "2"}, now)
    assert [r["service_request_id"] for r in open_] == common[:-3:-1]


def test_a_listing_reads_at_most_partitions_times_returned_index_items(fake: Any, monkeypatch: Any) -> None:
    key = api_key(fake)
    for i in range(300):
        create(fake, key, i, service_code=("complaint", "help", "env-report")[i % 3])
    read: list[int] = []
    query = fake.table.query

    def counting(pk: str, *args: Any, **kwargs: Any) -> Any:
        page = query(pk, *args, **kwargs)
        if pk.startswith("PARTNER#O311#"):
            read.append(len(page.items))
        return page

    monkeypatch.setattr(fake.table, "query", counting)
    now = START + timedelta(days=1)
    for params, partitions in (
        ({"max_requests": "10"}, 1),
        ({"service_code": "help", "max_requests": "10"}, 1),
        ({"service_code": ["help", "env-report"], "status": "open", "max_requests": "10"}, 2),
    ):
        read.clear()
        listed = svc.list_requests(fake, params, now)
        assert len(listed) == 10
        assert 0 < sum(read) <= partitions * len(listed), (params, read)


def test_the_status_copies_follow_the_ticket_and_the_updates_feed_records_each_change(fake: Any) -> None:
    key = api_key(fake)
    rid = create(fake, key, 0)
    now = START + timedelta(hours=1)
    close_ticket(fake, rid, now)
    for _ in range(2):  # a redelivered batch changes nothing twice
        result = deliver(fake, PARTNERS, history_records(fake, rid))
        assert result == {"batchItemFailures": []}
    later = START + timedelta(days=1)
    assert [r["status"] for r in svc.list_requests(fake, {"service_request_id": rid}, later)] == ["closed"]
    assert svc.list_requests(fake, {"status": "open"}, later) == []
    updates = svc.list_updates(fake, {"start_date": "2026-10-31T00:00:00Z"}, later)
    assert [u["external_status_code"] for u in updates] == [
        "received",
        "dispatched",
        "handling",
        "replied",
        "reviewed",
        "called_back",
        "submitted",
        "closed",
    ]
    assert (
        updates[-1]["status"] == "closed" and updates[0]["status"] == "open" and updates[1]["status"] == "investigating"
    )
    assert all(
        list(u)
        == [
            "update_id",
            "service_request_id",
            "status",
            "updated_datetime",
            "description",
            "media_url",
            "external_status_code",
        ]
        for u in updates
    )
    assert len({u["update_id"] for u in updates}) == len(updates)
    assert "周海" not in json.dumps(updates, ensure_ascii=False)  # notes never reach the feed


def test_staff_approval_of_public_texts(fake: Any) -> None:
    key = api_key(fake)
    rid = create(fake, key, 0, media_url="https://img.example/1.jpg", address_id="ADDR-9")
    record = svc.get_request(fake, rid)
    assert (record["description"], record["media_url"], record["address_id"]) == (None, None, None)
    with pytest.raises(Forbidden):
        svc.approve_publication(fake, Actor("uh1", "unit_handler", "U001"), rid, {"public_text": "路灯坏了"})
    with pytest.raises(ValidationError):
        svc.approve_publication(fake, OP1, rid, {"public_text": 5})
    svc.approve_publication(fake, OP1, rid, {"public_text": "路灯坏了，联系138 0000 1234", "public_media": True})
    record = svc.get_request(fake, rid)
    assert record["description"] == "路灯坏了，联系*** **** ****"
    assert (record["media_url"], record["address_id"]) == ("https://img.example/1.jpg", "ADDR-9")
    svc.approve_publication(fake, OP1, rid, {"public_text": ""})  # withdrawn
    assert svc.get_request(fake, rid)["description"] is None
    secret = create(fake, key, 1, **{"attribute[confidential]": "true"})
    with pytest.raises(ValidationError):
        svc.approve_publication(fake, OP1, secret, {"public_text": "公开"})


def test_missing_api_key_is_403(fake: Any) -> None:
    with pytest.raises(Forbidden):
        svc.create_request(fake, {k: v for k, v in form("", 0).items() if k != "api_key"}, START)
