"""Use cases on the in-memory adapters: the same services the API calls, no moto, no network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import Actor
from chalicelib.handlers.streams import each_event, process_batch
from chalicelib.services import notify, records, sweep
from chalicelib.services import tickets as svc
from tests.helpers.accounts import UNITS
from tests.helpers.streams import AUDIT, NOTIFY
from tests.helpers.streams import history_records as records_of
from tests.helpers.tickets import CALL, OP1, UH1, close_ticket, closed_ticket

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
    seen = svc.get_ticket(world, OP1, ticket.ticket_id, NOW, reveal=True)
    assert seen.caller.name == "张三"
    views, _ = world.directory.pii_views(ticket.ticket_id)
    assert [(v["user_id"], v["role"]) for v in views] == [("op1", "operator")]


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
    svc.act(world, OP1, tid, "reassign", {"reason": "市平台重新交办"}, NOW + timedelta(hours=1))
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
