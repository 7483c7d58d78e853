"""The five confirmations (R-12345-13) on the fakes: urgency order, whole counts, 逐项确认 recorded once;
an empty duty roster (R-12345-12): the duty SMS goes to the office's main number, recorded, and a banner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.config import Settings
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.handlers.streams import process_batch
from chalicelib.services import confirmations, duty_fallback, notify, sweep
from chalicelib.services import tickets as svc
from tests.helpers.accounts import UNITS
from tests.helpers.fakes import fake_adapters
from tests.helpers.streams import NOTIFY
from tests.helpers.streams import history_records as records_of
from tests.helpers.tickets import CALL, OP1, UH1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai
BODY = {"category": "help", "title": "求助", "content": "内容"}
LEADER = Actor("leader1", "leader")
ADMIN = Actor("admin1", "admin")


def _world(settings: Settings | None = None) -> Any:
    world = fake_adapters(settings)
    for unit_id, unit in UNITS.items():
        world.directory.put_unit(unit_id, unit)
    return world


@pytest.fixture
def world() -> Any:
    return _world()


def _received(world: Any, hours_ago: int) -> str:
    ticket, _ = svc.create_ticket(world, OP1, dict(BODY), NOW - timedelta(hours=hours_ago))
    return ticket.ticket_id


def _group(result: dict[str, Any], key: str) -> dict[str, Any]:
    return next(g for g in result["groups"] if g["key"] == key)


def test_r12345_13_each_group_is_sorted_overdue_first_then_soonest_due(world: Any) -> None:
    recent, overdue, older = _received(world, 1), _received(world, 13), _received(world, 6)
    new = _group(confirmations.confirmations(world, OP1, NOW), "new")
    assert [i["id"] for i in new["items"]] == [overdue, older, recent]  # dispatch due 12 h after receipt
    assert [i["overdue"] for i in new["items"]] == [True, False, False]
    assert new["count"] == 3 and new["pending"] == 3 and new["overdue"] == 1
    assert new["list"] == [{"status": "received"}]


def test_r12345_13_the_overdue_ticket_is_shown_past_the_cap(world: Any) -> None:
    """More new tickets than one Query reads (CAP): the overdue one, entered last but received first (its
    dispatch deadline the earliest), is still read and shown first; the newest are what the cap leaves out."""
    fresh = [_received(world, h % 6) for h in range(confirmations.CAP + 10)]
    overdue = _received(world, 13)  # created last, received 13 h ago: dispatch due 1 h ago
    new = _group(confirmations.confirmations(world, OP1, NOW), "new")
    assert new["more"] is True and new["count"] == confirmations.CAP
    assert new["items"][0]["id"] == overdue and new["items"][0]["overdue"] is True
    assert new["overdue"] == 1
    assert {i["id"] for i in new["items"][1:]} <= set(fresh)


def test_r12345_13_the_count_is_the_whole_group_not_the_five_shown(world: Any) -> None:
    ids = [_received(world, h) for h in range(8)]
    new = _group(confirmations.confirmations(world, OP1, NOW), "new")
    assert new["count"] == 8 and len(new["items"]) == confirmations.FIRST and not new["more"]
    assert [i["id"] for i in new["items"]] == ids[::-1][:5]  # the oldest receipt is due first


def test_r12345_13_a_confirmed_item_drops_off_once_recorded_and_comes_back_at_a_new_stage(world: Any) -> None:
    first, second = _received(world, 3), _received(world, 2)
    done = confirmations.confirm(world, OP1, {"group": "new", "ticket_id": first}, NOW)
    assert done["created"] is True
    again = confirmations.confirm(world, OP1, {"group": "new", "ticket_id": first}, NOW + timedelta(minutes=5))
    assert again == dict(done, created=False)  # idempotent: the first confirmation stands
    logs = world.directory.query_items("CONFIRM#op1", prefix="LOG#")
    assert len(logs) == 1 and logs[0][1]["ticket_id"] == first
    new = _group(confirmations.confirmations(world, OP1, NOW), "new")
    assert [i["id"] for i in new["items"]] == [second]
    assert (new["count"], new["pending"], new["confirmed"]) == (2, 1, 1)
    assert _group(confirmations.confirmations(world, Actor("op2", "operator"), NOW), "new")["pending"] == 2
    svc.act(world, OP1, first, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    unit = confirmations.confirmations(world, UH1, NOW)
    assert [i["id"] for i in _group(unit, "to_sign")["items"]] == [first]  # another group, another person


def test_r12345_13_confirming_names_the_field_in_chinese_and_changes_nothing(world: Any) -> None:
    tid = _received(world, 1)
    with pytest.raises(ValidationError) as bad:
        confirmations.confirm(world, OP1, {"group": "nope", "ticket_id": ""}, NOW)
    assert set(bad.value.fields) == {"group", "ticket_id"} and "新工单" in bad.value.fields["group"]
    with pytest.raises(ValidationError) as wrong:
        confirmations.confirm(world, OP1, {"group": "to_confirm", "ticket_id": tid}, NOW)
    assert "无需确认" in wrong.value.fields["group"]
    with pytest.raises(NotFound):
        confirmations.confirm(world, OP1, {"group": "new", "ticket_id": "T20261130-99999"}, NOW)
    svc.act(world, OP1, tid, "dispatch", {"unit_id": "U002", "call": CALL}, NOW)
    with pytest.raises(NotFound):  # another unit's ticket is not known to it
        confirmations.confirm(world, UH1, {"group": "to_sign", "ticket_id": tid}, NOW)
    assert world.directory.get_item("CONFIRM#op1", "open") is None


def test_r12345_12_empty_roster_the_duty_sms_goes_to_the_main_number_and_it_is_recorded() -> None:
    world = _world(
        Settings.from_env({"STAGE": "test", "AWS_DEFAULT_REGION": "cn-north-1", "DUTY_FALLBACK_PHONE": "13957600088"})
    )
    ticket, _ = svc.create_ticket(world, OP1, dict(BODY), NOW)
    assert process_batch(NOTIFY, {"Records": records_of(world, ticket.ticket_id)}, world, NOW) == {
        "batchItemFailures": []
    }
    [duty_sms] = [m for m in notify.ticket_messages(world, ticket.ticket_id) if m["role"] == "duty"]
    assert duty_sms["to"] == "13957600088" and duty_sms["status"] == "sent" and duty_sms["to_name"] == "中心值班总机"
    [(shift, used)] = world.directory.query_items(duty_fallback.LOG_PK)
    assert used["uses"] == 1 and used["ticket_id"] == ticket.ticket_id and shift.endswith("#day")
    assert sweep.run_sweep(world, NOW)["duty_fallback"] == 1
    [banner] = confirmations.confirmations(world, LEADER, NOW)["warnings"]
    assert banner["code"] == "duty_empty" and "13957600088" in banner["message"]
    assert any(w["code"] == "duty_empty" for w in confirmations.confirmations(world, ADMIN, NOW)["warnings"])
    assert confirmations.confirmations(world, OP1, NOW)["warnings"] == []  # the banner is for admins and leaders


def test_r12345_12_an_admin_sets_the_main_number_and_a_roster_ends_the_fallback(world: Any) -> None:
    [banner] = confirmations.confirmations(world, LEADER, NOW)["warnings"]
    assert banner["fallback"] is False and "没有接收人" in banner["message"]
    with pytest.raises(ValidationError) as bad:
        duty_fallback.put_fallback(world, ADMIN, {"phone": "6001"})
    assert "手机" in bad.value.fields["phone"]
    duty_fallback.put_fallback(world, ADMIN, {"name": "总值班室", "phone": "13957600077"})
    assert duty_fallback.recipient(world, NOW)["phone"] == "13957600077"
    world.directory.put_item("DUTY#DEFAULT", "day", {"user_id": "op2", "name": "李强", "phone": "13957601002"})
    assert duty_fallback.recipient(world, NOW)["name"] == "李强"
    assert confirmations.confirmations(world, LEADER, NOW)["warnings"] == []
    assert sweep.run_sweep(world, NOW)["duty_fallback"] == 0


def test_r12345_12_two_uses_of_the_main_number_at_once_both_count(world: Any) -> None:
    fallback = {"name": "中心值班总机", "phone": "13957600088"}
    real_get = world.directory.get_item
    raced: list[bool] = []

    def get_item(pk: str, sk: str) -> Any:
        seen = real_get(pk, sk)
        if pk == duty_fallback.LOG_PK and not raced:  # another sweep records between this read and its write
            raced.append(True)
            duty_fallback.record(world, sk, NOW, fallback, "T-other")
        return seen

    world.directory.get_item = get_item  # type: ignore[method-assign]
    duty_fallback.record(world, "2026-12-04#day", NOW + timedelta(minutes=1), fallback, "T-this")
    world.directory.get_item = real_get  # type: ignore[method-assign]
    used = real_get(duty_fallback.LOG_PK, "2026-12-04#day")
    assert raced and used["uses"] == 2 and used["ticket_id"] == "T-this"
    assert used["first_at"] == NOW.isoformat() and used["last_at"] == (NOW + timedelta(minutes=1)).isoformat()
