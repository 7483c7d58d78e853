"""R-12345-18 merge (并单) on the in-memory fakes: the index kept from the stream, the merge, the duplicate
following its main ticket, its figures (counted once, as 重复诉求) equal to the recount."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import duplicates as dup_domain
from chalicelib.domain.errors import Conflict, InvalidTransition, ValidationError
from chalicelib.handlers.webhooks import CONSUMER
from chalicelib.services import duplicates as svc
from chalicelib.services import recount, stats
from chalicelib.services import tickets as tickets_svc
from tests.conftest import UNITS
from tests.helpers.streams import deliver, history_records
from tests.helpers.tickets import CALLBACK, LEADER, OP1, OP2, close_ticket

NOW = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
MONTH = "2026-11"


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def _create(
    world: Any, title: str, content: str, phone: str, address: str, at: datetime = NOW, confidential: bool = False
) -> str:
    payload = {
        "confidential": confidential,
        "category": "complaint",
        "title": title,
        "content": content,
        "caller": {"name": "王五", "phone": phone},
        "location": {"address": address},
    }
    ticket, _ = tickets_svc.create_ticket(world, OP1, payload, at)
    assert deliver(world, CONSUMER, history_records(world, ticket.ticket_id), at) == {"batchItemFailures": []}
    return ticket.ticket_id


def _pair(world: Any) -> tuple[str, str]:
    main = _create(
        world,
        "小区电梯故障困人",
        "阳光花园小区5幢电梯今天上午突然停在6楼和7楼之间，里面困了两个老人，物业电话打不通。",
        "13957611111",
        "阳光花园小区",
    )
    dup = _create(
        world,
        "电梯停运有人被关在里面",
        "我们阳光花园小区5号楼的电梯卡住不动了，有老人被关在轿厢里半个多小时，物业一直没人来。",
        "13957622222",
        "阳光花园小区",
    )
    return main, dup


def test_r12345_18_the_stream_indexes_a_ticket_under_its_keys_never_its_number_or_address(world: Any) -> None:
    main, _ = _pair(world)
    keys = dup_domain.index_keys(svc._doc(world, world.tickets.get(main)), svc._place_tag(world))
    index = [i for key in keys for i in world.table.items(f"DUP#{key}")]
    assert {i.data["ticket_id"] for i in index} >= {main}
    assert len({i.pk for i in index}) >= dup_domain.BANDS + 2  # the bands, the place's tag, the caller's tag
    text = repr([(i.pk, i.sk, i.data) for i in index])
    assert "13957611111" not in text and "阳光花园" not in text  # tags only (R-12345-11)
    assert all(i.expires_at for i in index)  # gone a window after receipt


def test_r12345_18_candidates_find_the_paraphrase_within_the_window(world: Any) -> None:
    main, dup = _pair(world)
    found = svc.candidates(world, OP2, dup, NOW)
    assert [c["ticket"]["id"] for c in found["items"]] == [main]
    assert "same_place" in found["items"][0]["reasons"]
    late = _create(
        world,
        "再次反映电梯故障",
        "阳光花园小区5幢电梯困人，维保人员还没到，老人还在里面。",
        "13957633333",
        "阳光花园小区",
        NOW + timedelta(days=dup_domain.WINDOW_DAYS + 5),
    )
    assert main not in [c["ticket"]["id"] for c in svc.candidates(world, OP2, late, NOW)["items"]]


def test_r12345_18_merged_counts_once_and_equals_the_recount(world: Any) -> None:
    main, dup = _pair(world)
    svc.merge(world, OP2, dup, {"into": main}, NOW)
    close_ticket(world, main, NOW + timedelta(hours=1))
    deliver(world, CONSUMER, history_records(world, main), NOW)
    followed = world.tickets.get(dup)
    assert followed.status == "reviewed" and followed.reply and followed.reply["from_ticket"] == main
    at = NOW + timedelta(hours=3)
    for verb, body in (("callback", CALLBACK), ("submit", {}), ("close", {})):
        tickets_svc.act(world, OP2, dup, verb, body, at)
    figures = stats.monthly(world, MONTH)["figures"]
    assert figures["duplicates"]["value"] == 1
    assert figures["assigned"]["value"] == 1 and figures["completion_rate"]["numerator"] == 1  # the main only
    assert recount.recount(world, MONTH, repair=False)["differences"] == []


def test_r12345_18_unmerge_and_refusals_on_the_fakes(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    main, dup = _pair(world)
    with pytest.raises(ValidationError):
        svc.merge(world, OP1, dup, {"into": dup}, NOW)
    with pytest.raises(InvalidTransition):
        svc.unmerge(world, OP1, dup, {}, NOW)
    svc.merge(world, OP1, dup, {"into": main}, NOW)
    with pytest.raises(ValidationError, match="循环并单"):
        svc.merge(world, OP1, main, {"into": dup}, NOW)
    back = svc.unmerge(world, OP1, dup, {"reason": "不同事项"}, NOW)
    assert back.status == "received" and back.merge is None and back.owner_id is None
    assert stats.monthly(world, MONTH)["figures"]["duplicates"]["value"] == 0
    assert recount.recount(world, MONTH, repair=False)["differences"] == []


def test_r12345_18_two_merges_racing_on_the_same_main_do_not_both_write_stale_links(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, dup = _pair(world)
    third = _create(world, "电梯困人", "阳光花园小区电梯困人", "13957633333", "阳光花园小区")
    read_before = svc.role_of(world, main)  # what the slower request read: no duplicates yet
    svc.merge(world, OP1, dup, {"into": main}, NOW)  # the faster one commits
    real = svc.role_of
    monkeypatch.setattr(svc, "role_of", lambda deps, tid: read_before if tid == main else real(deps, tid))
    version = world.tickets.get(third).version
    with pytest.raises(Conflict):
        svc.merge(world, OP2, third, {"into": main}, NOW)
    assert world.tickets.get(third).version == version  # nothing changed
    assert real(world, main).data["main_of"] == [dup]  # type: ignore[union-attr]


def test_r12345_18_an_intake_check_matching_a_typed_number_is_recorded_and_confidential_callers_stay_hidden(
    world: Any,
) -> None:
    main, _ = _pair(world)
    draft = {
        "title": "电梯困人",
        "content": "阳光花园小区5幢电梯坏了，老人困在里面出不来。",
        "caller": {"phone": "139 5761 1111"},
        "location": {"address": "阳光花园小区"},
    }
    found = {c["ticket"]["id"]: c for c in svc.check_draft(world, OP1, draft, NOW)["items"]}
    assert "same_caller" in found[main]["reasons"]
    log = world.table.items(f"ACCESS#{NOW.strftime('%Y-%m-%d')}")
    assert [(i.data["action"], i.data["via"], i.data["hits"]) for i in log] == [("caller_lookup", "duplicate_check", 1)]
    assert "13957611111" not in repr([i.data for i in log])

    secret = _create(world, "电梯困人", "阳光花园小区5幢电梯困人，老人困在里面。", "13957644444", "", confidential=True)
    draft2 = dict(draft, caller={"phone": "13957644444"})
    as_operator = [c for c in svc.check_draft(world, OP1, draft2, NOW)["items"] if c["ticket"]["id"] == secret]
    assert all("same_caller" not in c["reasons"] for c in as_operator)  # never linked by a confidential caller
    probe = _create(world, "电梯困人", "阳光花园小区5幢电梯坏了，老人困在里面。", "13957644444", "")

    def reasons(actor: Any) -> list[str]:
        items = svc.candidates(world, actor, probe, NOW)["items"]
        return next(c["reasons"] for c in items if c["ticket"]["id"] == secret)

    assert "same_caller" not in reasons(OP1) and "same_caller" in reasons(LEADER)


def test_r12345_18_a_main_closing_while_the_merge_commits_still_hands_over_its_result(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, dup = _pair(world)
    seen_open = world.tickets.get(main)  # what the merge's check read
    close_ticket(world, main, NOW + timedelta(hours=1))
    deliver(world, CONSUMER, history_records(world, main), NOW)  # the close passed the stream: no duplicate yet
    real_get, reads = world.tickets.get, []

    def get(ticket_id: str) -> Any:
        reads.append(ticket_id)
        return seen_open if ticket_id == main and reads.count(main) == 1 else real_get(ticket_id)

    monkeypatch.setattr(world.tickets, "get", get)
    after = svc.merge(world, OP1, dup, {"into": main}, NOW + timedelta(hours=2))
    assert after.status == "reviewed" and after.reply and after.reply["from_ticket"] == main


def test_r12345_18_the_window_is_a_setting() -> None:
    import dataclasses

    from chalicelib.config import Settings
    from tests.helpers.fakes import fake_adapters

    assert Settings.from_env({"DUPLICATE_WINDOW_DAYS": "7"}).duplicate_window_days == 7
    assert Settings.from_env({"DUPLICATE_WINDOW_DAYS": "0"}).duplicate_window_days == 1
    assert Settings.from_env({}).duplicate_window_days == dup_domain.WINDOW_DAYS == 30
    short = fake_adapters(dataclasses.replace(fake_adapters().settings, duplicate_window_days=3))
    for unit_id, unit in UNITS.items():
        short.directory.put_unit(unit_id, unit)
    main, dup = _pair(short)
    later = _create(
        short,
        "电梯停运有人被关",
        "阳光花园小区5号楼电梯卡住不动了，老人被关在轿厢里。",
        "13957655555",
        "阳光花园小区",
        NOW + timedelta(days=5),
    )
    assert main in [c["ticket"]["id"] for c in svc.candidates(short, OP1, dup, NOW)["items"]]
    assert svc.candidates(short, OP1, later, NOW)["window_days"] == 3
    assert main not in [c["ticket"]["id"] for c in svc.candidates(short, OP1, later, NOW)["items"]]
