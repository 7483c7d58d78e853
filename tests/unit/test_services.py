"""Use cases on the in-memory adapters: the same services the API calls, no moto, no network."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, InvalidTransition, NotFound
from chalicelib.domain.model import Actor
from chalicelib.handlers.streams import each_event, process_batch
from chalicelib.services import notify, records, sweep
from chalicelib.services import tickets as svc
from chalicelib.storage.tickets import NUMBERS_TAKEN, NUMBERS_UNUSED, IdempotencyKey, deadline_shard
from tests.helpers.accounts import UNITS
from tests.helpers.streams import AUDIT, NOTIFY
from tests.helpers.streams import history_records as records_of
from tests.helpers.tickets import CALL, OP1, UH1, close_ticket, closed_ticket, reopen_ticket

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai
UH2 = Actor("uh2", "unit_handler", "U002")


@pytest.fixture
def world(fake: Any) -> Any:
    """In-memory adapters with the demo units."""
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def test_intake_is_idempotent_on_the_partner_number_and_a_different_payload_is_a_conflict(world: Any) -> None:
    partner = Actor("city", "partner")
    body = {"category": "consult", "title": "医保", "content": "咨询", "source": "city", "external_id": "SM-1"}
    first, created = svc.create_ticket(world, partner, body, NOW)
    again, created_again = svc.create_ticket(world, partner, body, NOW)
    assert created and not created_again and again.ticket_id == first.ticket_id
    with pytest.raises(Conflict):
        svc.create_ticket(world, partner, dict(body, title="另一个"), NOW)


def test_ten_parallel_pushes_of_one_number_make_one_ticket_and_take_one_number(world: Any) -> None:
    partner = Actor("city", "partner")
    body = {"category": "consult", "title": "医保", "content": "咨询", "source": "city", "external_id": "SM-10"}
    barrier = threading.Barrier(10)

    def push(_: int) -> tuple[str, bool]:
        barrier.wait()
        ticket, created = svc.create_ticket(world, partner, dict(body), NOW)
        return ticket.ticket_id, created

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(push, range(10)))
    assert len({tid for tid, _ in results}) == 1 and [c for _, c in results].count(True) == 1
    assert world.tickets.read_counters(NUMBERS_TAKEN) == {"20261130": 1}
    assert world.tickets.read_counters(NUMBERS_UNUSED) == {}


def test_a_repeated_push_takes_no_number_and_a_failed_commit_counts_its_number(world: Any) -> None:
    partner = Actor("city", "partner")
    body = {"category": "consult", "title": "医保", "content": "咨询", "source": "city", "external_id": "SM-11"}
    svc.create_ticket(world, partner, body, NOW)
    svc.create_ticket(world, partner, body, NOW)
    assert world.tickets.read_counters(NUMBERS_TAKEN) == {"20261130": 1}
    taken = world.tickets.claim_idempotent(IdempotencyKey("city", "SM-13", "h"), NOW)  # someone holds SM-13 …
    assert taken is not None
    world.tickets.release_idempotent(taken)  # … and gave it up: the next push claims it
    ticket, created = svc.create_ticket(world, partner, dict(body, external_id="SM-13"), NOW)
    assert created and world.tickets.read_counters(NUMBERS_UNUSED) == {}

    def commit_fails(*args: Any, **kwargs: Any) -> Any:
        raise Conflict("抢先一步")

    world.tickets.commit = commit_fails  # e.g. TransactionConflict retries exhausted
    with pytest.raises(Conflict):
        svc.create_ticket(world, partner, dict(body, external_id="SM-14"), NOW)
    assert world.tickets.read_counters(NUMBERS_UNUSED) == {"20261130": 1}
    assert world.tickets.claim_idempotent(IdempotencyKey("city", "SM-14", "h"), NOW) is not None  # released


def test_a_push_waits_for_a_pending_claim_then_answers_409_when_it_never_commits(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    partner = Actor("city", "partner")
    body = {"category": "consult", "title": "医保", "content": "咨询", "source": "city", "external_id": "SM-15"}
    monkeypatch.setattr(svc, "CLAIM_WAITS", (0.0, 0.0))
    held = world.tickets.claim_idempotent(IdempotencyKey("city", "SM-15", svc.payload_hash(body)), world.clock())
    assert held is not None
    with pytest.raises(Conflict) as caught:
        svc.create_ticket(world, partner, body, NOW)
    assert caught.value.details["in_progress"] is True
    with pytest.raises(Conflict) as caught:  # a different payload: refused at once, as for a committed number
        svc.create_ticket(world, partner, dict(body, title="另一个"), NOW)
    assert "in_progress" not in caught.value.details
    assert world.tickets.read_counters(NUMBERS_TAKEN) == {}


def test_r12345_10_ten_parallel_difficult_flags_make_one_flag(world: Any) -> None:
    ticket, _ = svc.create_ticket(world, OP1, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    barrier = threading.Barrier(10)

    def flag(n: int) -> str:
        barrier.wait()
        try:
            svc.act(world, OP1, ticket.ticket_id, "flag-difficult", {"reason": f"理由{n}"}, NOW)
            return "ok"
        except (Conflict, InvalidTransition):  # read before the winner committed, or after it
            return "409"

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(flag, range(10)))
    assert results.count("ok") == 1
    assert [e["type"] for e in world.tickets.events(ticket.ticket_id)] == ["received", "flagged_difficult"]


def test_a_transition_records_one_event_and_a_stale_version_is_refused(world: Any) -> None:
    ticket, _ = svc.create_ticket(world, OP1, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    after = svc.act(world, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL, "version": 1}, NOW)
    assert after.version == 2 and after.owner_id == "op1"
    with pytest.raises(Conflict):
        svc.act(world, OP1, ticket.ticket_id, "flag-supervised", {"reason": "督办", "version": 1}, NOW)
    assert [e["type"] for e in svc.ticket_events(world, OP1, ticket.ticket_id)] == ["received", "dispatched"]


def test_r12345_11_other_units_see_nothing_and_a_reveal_is_recorded(world: Any) -> None:
    ticket, _ = svc.create_ticket(
        world,
        OP1,
        {
            "category": "complaint",
            "title": "噪音",
            "content": "夜间",
            "caller": {"name": "张三", "phone": "13800001111"},
        },
        NOW,
    )
    svc.act(world, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    with pytest.raises(NotFound):
        svc.get_ticket(world, UH2, ticket.ticket_id, NOW)
    assert [t.ticket_id for t in svc.list_tickets(world, UH1, {}).items] == [ticket.ticket_id]
    seen = svc.get_ticket(world, OP1, ticket.ticket_id, NOW, reveal=True, reason="callback")
    assert seen.caller.name == "张三"
    views, _ = world.directory.pii_views(ticket.ticket_id)
    assert [(v["user_id"], v["role"], v["reason"]) for v in views] == [("op1", "operator", "callback")]


def test_r12345_04_the_sweep_sends_each_alert_once_however_often_it_runs(world: Any) -> None:
    cal = world.contexts.load(NOW).calendar
    due = cal.add_working_days(NOW, 1).at
    ticket, _ = svc.create_ticket(
        world, OP1, {"category": "consult", "title": "咨询", "content": "内容", "city_due": due.isoformat()}, NOW
    )
    svc.act(world, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    at = cal.reminder_at(due).at + timedelta(minutes=1)
    first, second = sweep.run_sweep(world, at), sweep.run_sweep(world, at)
    assert first["reminder_due"] == 1 and "reminder_due" not in second
    assert [e["type"] for e in world.tickets.events(ticket.ticket_id)].count("reminder_due") == 1


def test_r12345_02_dispatch_texts_the_unit_once_even_when_the_record_is_delivered_twice(world: Any) -> None:
    ticket, _ = svc.create_ticket(world, OP1, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    svc.act(world, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    records = records_of(world, ticket.ticket_id)
    assert process_batch(NOTIFY, {"Records": records}, world, NOW) == {"batchItemFailures": []}
    process_batch(NOTIFY, {"Records": records}, world, NOW)
    sent = [m for m in world.sms.sent if m.to == "+8613957600001"]
    assert len(sent) == 1 and "已交办贵单位" in sent[0].text
    assert [m["role"] for m in notify.ticket_messages(world, ticket.ticket_id)].count("unit") == 1


def test_r12345_17_a_close_is_archived_once_with_checksums_the_records_office_can_verify(world: Any) -> None:
    tid = closed_ticket(world, NOW)
    batch = records_of(world, tid)
    assert process_batch(AUDIT, {"Records": batch}, world, NOW) == {"batchItemFailures": []}
    puts = world.archive_store.request_counts()["PutObject"]
    assert puts == len(batch) + 3  # one audit copy per event, record.json + record.html + manifest
    process_batch(AUDIT, {"Records": batch}, world, NOW)
    assert world.archive_store.request_counts()["PutObject"] == puts + len(batch)  # redelivery: no new version
    assert records.verify(world, Actor("records1", "records"), tid)["ok"]
    [version] = world.archive_index.versions(tid)
    assert version["seq_range"] == [1, len(batch)]


def test_r12345_09_a_reopened_ticket_gets_a_second_archive_version(world: Any) -> None:
    tid = closed_ticket(world, NOW)
    process_batch(AUDIT, {"Records": records_of(world, tid)}, world, NOW)
    reopen_ticket(world, tid, NOW + timedelta(hours=1))
    close_ticket(world, tid, NOW + timedelta(hours=2))
    process_batch(AUDIT, {"Records": records_of(world, tid)}, world, NOW)
    assert len(world.archive_index.versions(tid)) == 2


def test_the_stream_path_reports_an_unreadable_record_alone_and_a_crashed_consumer_whole() -> None:
    def broken(deps: Any, event: Any, now: datetime) -> None:
        raise RuntimeError("down")

    good = {"eventName": "INSERT", "dynamodb": {"SequenceNumber": "1", "NewImage": {"type": {"S": "x"}}}}
    modify = {"eventName": "MODIFY", "dynamodb": {"SequenceNumber": "2", "NewImage": {}}}
    assert process_batch(each_event(broken), {"Records": [good, modify]}, None, NOW) == {  # type: ignore[arg-type]
        "batchItemFailures": [{"itemIdentifier": "1"}]
    }

    def crash(deps: Any, records: list[Any], now: datetime) -> set[str]:
        raise RuntimeError("consumer down")

    assert process_batch(crash, {"Records": [good, modify]}, None, NOW) == {  # type: ignore[arg-type]
        "batchItemFailures": [{"itemIdentifier": "1"}]
    }


def test_health_reports_the_stream_lag_and_turns_degraded_past_a_minute(world: Any) -> None:
    import dataclasses

    from chalicelib.services import system

    ticket, _ = svc.create_ticket(world, OP1, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    first = world.tickets.history(ticket.ticket_id)[0]
    handled_first = f"{first['at']}#{ticket.ticket_id}#000001"
    svc.act(world, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW + timedelta(seconds=5))
    report = {"at": (NOW + timedelta(seconds=100)).isoformat(), "handled_through": handled_first, "records": 1}
    deps = dataclasses.replace(world, stream_status=lambda: report)

    lagging = system.health(deps, NOW + timedelta(seconds=100))
    assert lagging["status"] == "degraded" and lagging["stream"]["lag_s"] == 95.0  # the dispatch waits since +5 s
    assert "stream_lagging" in [w["code"] for w in lagging["warnings"]]

    report["handled_through"] = f"{(NOW + timedelta(seconds=5)).isoformat()}#{ticket.ticket_id}#000002"
    caught_up = system.health(deps, NOW + timedelta(seconds=100))
    assert caught_up["status"] == "ok" and caught_up["stream"]["lag_s"] == 0.0

    report["at"] = NOW.isoformat()  # no pass for 100 s: the pump is not running
    assert system.health(deps, NOW + timedelta(seconds=100))["status"] == "degraded"
    assert "stream" not in system.health(world, NOW)  # the cloud reports stream lag through CloudWatch


def test_r12345_12_the_sweep_commits_due_tickets_side_by_side_and_decides_again_on_a_stale_copy(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses
    import time

    world = dataclasses.replace(world, settings=dataclasses.replace(world.settings, sweep_workers=4))
    body = {
        "category": "consult",
        "title": "咨询",
        "content": "内容",
        "received_at": (NOW - timedelta(hours=11)).isoformat(),
    }
    ids = [svc.create_ticket(world, OP1, dict(body), NOW - timedelta(hours=11))[0].ticket_id for _ in range(12)]
    stale = world.tickets.get(ids[0])  # the index's copy lags behind: the ticket was dispatched since
    svc.act(world, OP1, ids[0], "dispatch", {"unit_id": "U001", "call": CALL}, NOW - timedelta(minutes=5))
    listed = world.tickets.due_tickets

    def lagging(shard: int, *args: Any, **kwargs: Any) -> Any:  # still lists the dispatched ticket as due
        page = listed(shard, *args, **kwargs)
        own = deadline_shard(ids[0]) == f"OPEN#{shard}" and kwargs.get("token") is None
        return dataclasses.replace(page, items=[t for t in page.items if t.ticket_id != ids[0]] + [stale] * own)

    committed, running, most = world.tickets.commit, [0], [0]
    lock = threading.Lock()

    def slow_commit(*args: Any, **kwargs: Any) -> Any:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.01)
            return committed(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(world.tickets, "due_tickets", lagging)
    monkeypatch.setattr(world.tickets, "commit", slow_commit)
    result = sweep.run_sweep(world, NOW)
    assert 1 < most[0] <= 4  # side by side, never more than the pool
    assert result["candidates"] == 12 and result["dispatch_warned"] == 11
    # decided again on the ticket as it is: no dispatch warning, the reminder now due instead
    assert [e["type"] for e in world.tickets.events(ids[0])] == ["received", "dispatched", "reminder_due"]
    for tid in ids[1:]:
        assert [e["type"] for e in world.tickets.events(tid)].count("dispatch_warned") == 1


def test_r12345_13_five_confirmations_read_each_work_queue_once(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.services import confirmations

    body = {"category": "help", "title": "求助", "content": "内容"}
    fresh, _ = svc.create_ticket(world, OP1, dict(body), NOW)
    sent, _ = svc.create_ticket(world, OP1, dict(body), NOW)
    svc.act(world, OP1, sent.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    reads: list[str] = []
    listed = world.tickets.list_page

    def counted(**kwargs: Any) -> Any:
        reads.append(f"{kwargs['index']}:{kwargs['key']}")
        return listed(**kwargs)

    monkeypatch.setattr(world.tickets, "list_page", counted)
    mine = confirmations.confirmations(world, OP1, NOW)
    assert sorted(reads) == ["queue:new", "queue:to_confirm", "queue:to_submit", "queue:unfinished"]
    groups = {g["key"]: g for g in mine["groups"]}
    assert [i["id"] for i in groups["new"]["items"]] == [fresh.ticket_id]
    assert groups["extensions_returns"]["count"] == 0 and groups["to_confirm"]["count"] == 0
    reads.clear()
    unit = confirmations.confirmations(world, UH1, NOW)
    assert reads == ["queue:unfinished"]  # three groups, one Query
    assert [i["id"] for i in unit["groups"][0]["items"]] == [sent.ticket_id]


def test_r12345_17_a_close_whose_whole_life_is_in_the_batch_is_packaged_without_reading_the_log(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole, split = closed_ticket(world, NOW), closed_ticket(world, NOW)
    reads: list[str] = []
    history = world.tickets.history

    def counted(ticket_id: str, upto_seq: int | None = None) -> Any:
        reads.append(ticket_id)
        return history(ticket_id, upto_seq)

    batch = records_of(world, whole) + records_of(world, split)[-1:]  # the other's close alone
    monkeypatch.setattr(world.tickets, "history", counted)
    assert process_batch(AUDIT, {"Records": batch}, world, NOW) == {"batchItemFailures": []}
    assert reads == [split]  # only the ticket whose earlier events are not in the batch
    monkeypatch.undo()
    for tid in (whole, split):
        assert records.verify(world, Actor("records1", "records"), tid)["ok"]
        [version] = world.archive_index.versions(tid)
        assert version["seq_range"] == [1, len(records_of(world, tid))]
