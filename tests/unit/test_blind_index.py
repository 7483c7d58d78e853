"""R-12345-11: the caller blind index — an HMAC of the normalised number, never the number, on the fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain import phones
from chalicelib.domain.errors import Forbidden, RateLimited, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import tickets as svc
from chalicelib.storage.blind_index import KEY_PK, KEY_SK, BlindIndex
from tests.helpers.accounts import UNITS
from tests.helpers.fakes import FakeCipher, FakeDirectoryTable
from tests.helpers.tickets import CALL, OP1, UH1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
NUMBER = "13912345678"
LEADER = Actor("leader1", "leader")
OP2 = Actor("op2", "operator")


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def _ticket(world: Any, phone: str, title: str = "噪音扰民", **extra: Any) -> str:
    body = {"category": "complaint", "title": title, "content": "夜间施工", "caller": {"name": "张三", "phone": phone}}
    ticket, _ = svc.create_ticket(world, OP1, dict(body, **extra), NOW)
    return ticket.ticket_id


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13912345678", "+8613912345678"),
        ("+86 139-1234-5678", "+8613912345678"),
        ("0086 13912345678", "+8613912345678"),
        ("１３９１２３４５６７８", "+8613912345678"),  # full-width digits
        ("010-12345678", "+861012345678"),
        ("(0571) 8765 4321", "+8657187654321"),
        ("12345", None),
        ("1391234567", None),
        ("😀13912345678", None),
        ("", None),
    ],
)
def test_r12345_11_a_typed_number_normalises_to_e164(typed: str, e164: str | None) -> None:
    assert phones.normalise_e164(typed) == e164


def test_r12345_11_the_tag_is_an_hmac_that_never_holds_the_number_and_differs_per_key() -> None:
    one = BlindIndex(FakeDirectoryTable(), FakeCipher("blind-index"))
    other = BlindIndex(FakeDirectoryTable(), FakeCipher("blind-index"))
    tag = one.phone_tag(NUMBER)
    assert tag is not None and tag.startswith("b1:") and len(tag) == 3 + 64
    for plain in (NUMBER, "+86" + NUMBER, NUMBER[-8:], NUMBER[:7]):
        assert plain not in tag
    assert tag != "b1:" + NUMBER
    assert one.phone_tag("+86 139 1234 5678") == tag  # every spelling, one tag
    assert one.phone_tag("13912345679") != tag
    assert other.phone_tag(NUMBER) != tag  # another key, another tag
    assert one.tag("id_card", "+8613912345678") != one.tag("phone", "+8613912345678")  # kinds kept apart


def test_r12345_11_the_key_is_stored_only_sealed_and_one_key_serves_every_process() -> None:
    table = FakeDirectoryTable()
    first = BlindIndex(table, FakeCipher("blind-index"))
    tag = first.phone_tag(NUMBER)
    stored = table.get(KEY_PK, KEY_SK)
    assert stored is not None and set(stored.data) == {"sealed", "hash"} and stored.data["hash"] == "sha256"
    assert stored.data["sealed"].startswith(FakeCipher.PREFIX)
    assert BlindIndex(table, FakeCipher("blind-index")).phone_tag(NUMBER) == tag  # a second process reads it
    with pytest.raises(ValueError, match="another context"):  # the personal-data envelope cannot open it
        BlindIndex(table, FakeCipher("personal-data")).phone_tag(NUMBER)


def test_r12345_11_the_stored_ticket_and_its_event_hold_the_tag_and_no_plaintext_number(world: Any) -> None:
    tid = _ticket(world, "139 1234 5678")
    row = world.tickets.rows[tid]
    assert row["caller_tag"] == world.blind_index.phone_tag(NUMBER)
    events = world.tickets.history(tid)
    for text in (json.dumps(row, ensure_ascii=False), json.dumps(events, ensure_ascii=False, default=str)):
        assert NUMBER not in text and "1391234" not in text
    assert all("caller_tag" not in json.dumps(e, default=str) for e in events)  # tags stay on the ticket item


def test_r12345_11_an_operator_finds_a_callers_tickets_by_any_spelling_and_the_lookup_is_logged(
    world: Any,
) -> None:
    first = _ticket(world, NUMBER)
    second = _ticket(world, "+86 139 1234 5678")
    _ticket(world, "13800001111")
    page = svc.list_tickets(world, OP2, {"phone": "１３９ １２３４ ５６７８"}, NOW)
    assert {t.ticket_id for t in page.items} == {first, second}
    entries = [i.data for i in world.table.items(f"ACCESS#{NOW.strftime('%Y-%m-%d')}")]
    lookups = [e for e in entries if e["action"] == "caller_lookup"]
    assert [(e["user_id"], e["hits"]) for e in lookups] == [("op2", 2)]
    assert NUMBER not in json.dumps(entries, ensure_ascii=False)
    for obj in world.archive_store.objects:
        assert NUMBER not in json.dumps([v.body.decode() for v in world.archive_store.objects[obj]])


def test_r12345_11_an_operator_finds_no_confidential_ticket_by_number_and_a_leader_does(world: Any) -> None:
    secret = _ticket(world, NUMBER, confidential=True)
    assert svc.list_tickets(world, OP2, {"phone": NUMBER}, NOW).items == []
    assert [t.ticket_id for t in svc.list_tickets(world, LEADER, {"phone": NUMBER}, NOW).items] == [secret]


def test_r12345_11_units_may_not_look_a_caller_up_and_a_bad_number_names_the_field(world: Any) -> None:
    with pytest.raises(Forbidden):
        svc.list_tickets(world, UH1, {"phone": NUMBER}, NOW)
    with pytest.raises(ValidationError) as bad:
        svc.list_tickets(world, OP1, {"phone": "12345"}, NOW)
    assert set(bad.value.fields) == {"phone"}
    with pytest.raises(ValidationError) as two:
        svc.list_tickets(world, OP1, {"phone": NUMBER, "keyword": "噪音"}, NOW)
    assert set(two.value.fields) == {"phone", "keyword"}


def test_r12345_11_lookups_by_number_are_rate_limited_per_user(world: Any) -> None:
    limit = world.settings.caller_lookups_per_minute
    for _ in range(limit):
        svc.list_tickets(world, OP1, {"phone": NUMBER}, NOW)
    with pytest.raises(RateLimited):
        svc.list_tickets(world, OP1, {"phone": NUMBER}, NOW)
    assert svc.list_tickets(world, OP2, {"phone": NUMBER}, NOW).items == []  # another user's own window


def test_r12345_03_a_ticket_number_finds_exactly_that_ticket_within_the_actors_scope(world: Any) -> None:
    tid = _ticket(world, NUMBER)
    svc.act(world, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    assert [t.ticket_id for t in svc.list_tickets(world, OP2, {"ticket_id": tid.lower()}, NOW).items] == [tid]
    assert [t.ticket_id for t in svc.list_tickets(world, UH1, {"ticket_id": tid}, NOW).items] == [tid]
    uh2 = Actor("uh2", "unit_handler", "U002")
    assert svc.list_tickets(world, uh2, {"ticket_id": tid}, NOW).items == []  # another unit's: nothing
    with pytest.raises(ValidationError) as bad:
        svc.list_tickets(world, OP1, {"ticket_id": "T2026"}, NOW)
    assert set(bad.value.fields) == {"ticket_id"}
