"""The 15-minute deadline sweep on moto (R-12345-01/04/08/10/12): once per alert, concurrent-safe, cheap."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib.domain import tickets as T
from chalicelib.domain.model import Actor
from tests.helpers.streams import stream_batch

EVENTS = Path(__file__).resolve().parents[1] / "events"
OP1 = Actor("op1", "operator")
ADMIN = Actor("admin1", "admin")
CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _now() -> datetime:
    return datetime.now(UTC)


def _create(deps: Any, received_at: datetime | None = None, **extra: Any) -> str:
    from chalicelib.services import tickets as svc

    payload: dict[str, Any] = {"category": "consult", "title": "咨询医保", "content": "内容"}
    if received_at is not None:
        payload["received_at"] = received_at.isoformat()
    payload.update(extra)
    ticket, _ = svc.create_ticket(deps, OP1, payload, _now())
    return ticket.ticket_id


def _types(deps: Any, ticket_id: str) -> list[str]:

    return [e["type"] for e in deps.tickets.events(ticket_id)]


def test_r12345_04_reminder_exactly_once_task_sms_and_the_call_closes_it(
    deps: Any, seeded: Any, outputs: dict[str, str]
) -> None:
    from chalicelib.services import calls, confirmations, notify, sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.streams import NOTIFY, deliver

    cal = deps.contexts.load(_now()).calendar
    due = cal.add_working_days(_now(), 1).at  # close of the next working day
    tid = _create(deps, city_due=due.isoformat())
    svc.act(deps, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, _now())
    at = max(_now(), cal.reminder_at(due).at + timedelta(minutes=1))
    first, second = sweep.run_sweep(deps, at), sweep.run_sweep(deps, at)
    assert first["reminder_due"] >= 1 and "reminder_due" not in second
    assert _types(deps, tid).count("reminder_due") == 1
    tasks = [t for t in confirmations.my_tasks(deps, OP1) if t["ticket_id"] == tid]
    assert len(tasks) == 1 and tasks[0]["kind"] == "phone_unit"
    batch = stream_batch(deps, tid, types=("reminder_due",))["Records"]
    deliver(deps, NOTIFY, batch, at)
    deliver(deps, NOTIFY, batch, at)  # redelivered: nothing sent twice
    [sms] = notify.ticket_messages(deps, tid)
    assert sms["role"] == "unit" and sms["status"] == "sent" and "将于" in sms["text"]
    calls.record_call(
        deps, OP1, tid, {"kind": "reminder", "to_name": "周海", "to_phone": "13957600001", "outcome": "reached"}, _now()
    )
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("call_recorded",))["Records"], _now())
    assert not [t for t in confirmations.my_tasks(deps, OP1) if t["ticket_id"] == tid]
    assert [c["kind"] for c in calls.list_calls(deps, OP1, tid, _now())] == ["dispatch_notice", "reminder"]


def test_r12345_10_overdue_marking_flags_counts_and_leaves_the_index(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc

    tid = _create(deps, received_at=_now() - timedelta(days=12))
    svc.act(deps, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, _now())
    result = sweep.run_sweep(deps, _now())
    assert result["marked_overdue"] >= 1
    # the late reminder is recorded, then overdue; 24 hours past the due it went to the leader (R-12345-10)
    assert _types(deps, tid)[-3:] == ["reminder_due", "marked_overdue", "flagged_difficult"]
    ticket = deps.tickets.get(tid)
    assert "overdue" in ticket.flags and (ticket.difficult or {}).get("trigger") == "overdue"
    assert deps.tables.tickets.get(tid).next_alert_at is not None  # the leader's decision is chased
    svc.act(deps, Actor("leader1", "leader"), tid, "leader-decision", {"decision": "督促街道办结"}, _now())
    assert deps.tables.tickets.get(tid).next_alert_at is None  # nothing pending: out of the sparse index


def test_r12345_01_dispatch_overdue_after_12_hours(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep

    tid = _create(deps, received_at=_now() - timedelta(hours=13))
    sweep.run_sweep(deps, _now())
    assert _types(deps, tid) == ["received", "dispatch_warned", "marked_dispatch_overdue"]
    assert "dispatch_overdue" in deps.tickets.get(tid).flags


def test_r12345_12_concurrent_sweeps_send_nothing_twice(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep

    ids = [_create(deps, received_at=_now() - timedelta(hours=11)) for _ in range(6)]  # warnings due, not overdue
    barrier = threading.Barrier(3)

    def run(_: int) -> dict[str, Any]:
        barrier.wait()
        return sweep.run_sweep(deps, _now())

    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(run, range(3)))
    assert sum(r.get("dispatch_warned", 0) for r in results) >= len(ids)
    for tid in ids:
        assert _types(deps, tid) == ["received", "dispatch_warned"], tid


def test_r12345_12_recorded_schedule_event_runs_the_sweep_through_the_handler(seeded: Any, app: Any) -> None:
    from chalice.test import Client

    event = json.loads((EVENTS / "schedule-sweep.json").read_text(encoding="utf-8"))
    with Client(app) as client:
        result = client.lambda_.invoke("deadline_sweep", event).payload
    assert result["at"] == "2026-11-26T04:15:00+00:00"
    assert result["dynamodb_requests"] >= 8  # one Query per open-deadline shard at least


def test_r12345_12_sweep_requests_do_not_grow_with_closed_tickets(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc

    now = _now()
    sweep.run_sweep(deps, now)  # settle whatever is due
    deps.contexts.load(now)
    before = sweep.run_sweep(deps, now)
    for _ in range(15):
        tid = _create(deps)
        svc.act(deps, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, now)
        t = deps.tickets.get(tid)
        deps.tickets.commit(svc.tickets.Change(t, t.with_changes(status="closed"), "closed", {}, now, OP1), None)
    deps.contexts.load(now)
    after = sweep.run_sweep(deps, now)
    # the same requests with 15 more closed tickets: 8 shard Queries + 1 on the SMS outbox + 1 on the personal data
    # past its retention (+ whatever is stuck due, unchanged)
    assert after["dynamodb_by_operation"]["Query"] == before["dynamodb_by_operation"]["Query"] == 10, (before, after)
    assert after["dynamodb_requests"] == before["dynamodb_requests"], (before, after)


def test_r12345_12_an_alert_claimed_before_is_recorded_silently_and_never_sticks(
    deps: Any, seeded: Any, outputs: dict[str, str]
) -> None:
    from chalicelib.services import notify, sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.streams import NOTIFY, deliver

    tid = _create(deps, received_at=_now() - timedelta(hours=11))
    alert = svc.tickets.next_alert(deps.tickets.get(tid), deps.contexts.load(_now()))
    assert alert is not None and alert.kind == "dispatch_warning"
    deps.directory.put_item(f"ALERT#{tid}", alert.key, {"at": "earlier"})  # e.g. the same deadline re-armed
    result = sweep.run_sweep(deps, _now())
    assert result["already_claimed"] >= 1
    assert _types(deps, tid) == ["received", "dispatch_warned"]
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("dispatch_warned",))["Records"], _now())
    assert notify.ticket_messages(deps, tid) == []  # announced before: not texted again
    assert "dispatch_warned" not in sweep.run_sweep(deps, _now()) or _types(deps, tid).count("dispatch_warned") == 1


def test_r12345_12_due_tickets_cost_one_transaction_each_and_no_read(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep

    now = _now()
    deps.contexts.load(now)
    settled = sweep.run_sweep(deps, now)  # whatever other tests left due
    ids = [_create(deps, received_at=now - timedelta(hours=11)) for _ in range(10)]  # warnings due, not overdue
    deps.contexts.load(now)
    result = sweep.run_sweep(deps, now)
    ops, before = result["dynamodb_by_operation"], settled["dynamodb_by_operation"]
    assert result["dispatch_warned"] == 10 and ops["TransactWriteItems"] == 10
    assert ops.get("GetItem", 0) == before.get("GetItem", 0)  # the index's copy: no read per due ticket
    assert ops["Query"] == before["Query"]  # one page per shard
    for tid in ids:
        assert _types(deps, tid) == ["received", "dispatch_warned"]


def test_r12369_03_sweep_stays_o_due_with_12369_reports_mixed_in(deps: Any, seeded: Any) -> None:
    """12369 reports use the same sparse open-deadline index: reports not yet due cost the sweep nothing,
    each due one costs one transaction per alert and no read (the index holds its copy)."""
    from chalicelib.domain.sweep import EVENT_OF
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc

    report = {
        "hotline": "12369",
        "title": "企业偷排",
        "content": "夜间偷排废水",
        "entity": {"name": "某化工厂"},
        "demand": "查处",
    }
    now = _now()
    sweep.run_sweep(deps, now)  # settle whatever is due
    before = sweep.run_sweep(deps, now)
    for n in range(30):  # received, accepted, forwarded: none due yet
        ticket, _ = svc.create_ticket(deps, OP1, dict(report), now)
        if n % 3:
            svc.act(deps, OP1, ticket.ticket_id, "decide", {"decision": "accept"}, now)
        if n % 3 == 2:
            svc.act(deps, OP1, ticket.ticket_id, "forward", {"unit_id": "U001", "call": CALL}, now)
    not_due = sweep.run_sweep(deps, now)
    assert not_due["dynamodb_by_operation"]["Query"] == before["dynamodb_by_operation"]["Query"] == 10
    assert not_due["dynamodb_requests"] == before["dynamodb_requests"], (before, not_due)
    for _ in range(3):  # decision overdue (R-12369-03)
        svc.create_ticket(deps, OP1, dict(report, received_at=(now - timedelta(days=16)).isoformat()), now)
    due = sweep.run_sweep(deps, now)
    applied = sum(due.get(e, 0) for e in set(EVENT_OF.values()))
    assert due["env_decision_overdue"] >= 3
    ops = due["dynamodb_by_operation"]
    assert ops["Query"] == 10 and "GetItem" not in ops and ops["TransactWriteItems"] == applied, due


# --- R-12345-08: the dispatcher's stage; R-12345-12: the 12-hour clock on updated tickets ---------------------

UH1 = Actor("uh1", "unit_handler", "U001")
REPLY = {"answer": "已逐项答复", "basis": "相关政策"}  # the consult template (R-12345-06)
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}


def _walk(deps: Any, tid: str, verbs: list[str], at: datetime) -> None:
    from chalicelib.services import tickets as svc

    steps = {
        "dispatch": (OP1, {"unit_id": "U001", "call": CALL}),
        "sign": (UH1, {}),
        "return": (UH1, {"reason": "不属于本单位职责"}),
        "reply": (UH1, {"sections": REPLY}),
        "review": (OP1, {"approve": True}),
        "callback": (OP1, CALLBACK),
    }
    for n, verb in enumerate(verbs):
        actor, body = steps[verb]
        svc.act(deps, actor, tid, verb, body, at + timedelta(seconds=n))


def _owner_mobile(deps: Any) -> None:
    from chalicelib.services import duty

    duty.put_staff(deps, ADMIN, "op1", {"name": "王敏", "phone": "13957601001"})


def test_r12345_08_reviewed_ticket_gets_the_owners_reminder_not_the_units_task(deps: Any, seeded: Any) -> None:
    from chalicelib.services import confirmations, notify, sweep
    from tests.helpers.streams import NOTIFY, deliver

    _owner_mobile(deps)
    cal = deps.contexts.load(_now()).calendar
    due = cal.add_working_days(_now(), 1).at
    tid = _create(deps, city_due=due.isoformat())
    _walk(deps, tid, ["dispatch", "sign", "reply", "review"], _now())
    at = max(_now(), cal.reminder_at(due).at + timedelta(minutes=1))
    first, second = sweep.run_sweep(deps, at), sweep.run_sweep(deps, at)
    assert first["submit_reminder_due"] >= 1 and "submit_reminder_due" not in second
    types = _types(deps, tid)
    assert types.count("submit_reminder_due") == 1 and "reminder_due" not in types  # R-12345-04: not once replied
    assert not [t for t in confirmations.my_tasks(deps, OP1) if t["ticket_id"] == tid]  # no "phone the unit"
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("submit_reminder_due",))["Records"], at)
    [sms] = notify.ticket_messages(deps, tid)
    assert sms["role"] == "owner" and sms["to_name"] == "王敏" and "反馈市审核组" in sms["text"]


def test_r12345_08_overdue_while_the_dispatcher_holds_it_is_marked_counted_and_texted_to_the_owner(
    deps: Any, seeded: Any
) -> None:
    from chalicelib.services import notify, stats, sweep
    from tests.helpers.streams import NOTIFY, deliver

    _owner_mobile(deps)
    now = _now()
    month = now.astimezone(notify.SHANGHAI).strftime("%Y-%m")
    before = stats.monthly(deps, month)["counts"]["overdue"]
    before_unit = stats.monthly(deps, month, "unit", "U001")["counts"]["overdue"]
    for verbs in (["dispatch", "sign", "reply", "review"], ["dispatch", "sign", "reply", "review", "callback"]):
        tid = _create(deps, received_at=now - timedelta(days=12))
        _walk(deps, tid, verbs, now)
        sweep.run_sweep(deps, now)
        # the late reminder, then overdue (then, 24 hours past the due, to the leader: R-12345-10)
        assert _types(deps, tid)[-3:] == ["submit_reminder_due", "marked_overdue", "flagged_difficult"]
        ticket = deps.tickets.get(tid)
        assert "overdue" in ticket.flags and ticket.status in ("reviewed", "called_back")
        pending = T.next_alert(ticket, deps.contexts.load(now))
        assert pending is not None and pending.kind == "decision_reminder"  # overdue once per due
        events = deps.tickets.events(tid)
        overdue = next(e for e in events if e["type"] == "marked_overdue")
        assert overdue["data"]["stage"] == "dispatcher"
        deliver(deps, NOTIFY, stream_batch(deps, tid, types=("submit_reminder_due", "marked_overdue"))["Records"], now)
        # the reminder found after its deadline is recorded, not texted; the unit is done, the owner is told
        assert [m["role"] for m in notify.ticket_messages(deps, tid)] == ["owner"]
    assert stats.monthly(deps, month)["counts"]["overdue"] >= before + 2  # 逾期 counts the dispatcher's stage
    unit_now = stats.monthly(deps, month, "unit", "U001")["counts"]["overdue"]
    assert unit_now - before_unit <= stats.monthly(deps, month)["counts"]["overdue"] - before - 2  # not the unit's


def test_r12345_12_returned_ticket_has_a_12_hour_transfer_clock(deps: Any, seeded: Any) -> None:
    from chalicelib.services import duty, notify, sweep
    from chalicelib.services import tickets as svc
    from tests.helpers.streams import NOTIFY, deliver

    _owner_mobile(deps)
    now = _now()
    day = now.astimezone(notify.SHANGHAI).date().isoformat()
    entries = [
        {"date": day, "shift": s, "user_id": "op2", "name": "李强", "phone": "13957601002"} for s in ("day", "night")
    ]
    duty.put_roster(deps, ADMIN, {"entries": entries})
    tid = _create(deps)
    returned_at = now - timedelta(hours=13)
    _walk(deps, tid, ["dispatch", "return"], returned_at)
    sweep.run_sweep(deps, now)
    assert _types(deps, tid)[-2:] == ["transfer_warned", "marked_transfer_overdue"]
    deliver(deps, NOTIFY, stream_batch(deps, tid, types=("marked_transfer_overdue",))["Records"], now)
    assert sorted(m["role"] for m in notify.ticket_messages(deps, tid)) == ["duty", "owner"]
    assert all("转办" in m["text"] for m in notify.ticket_messages(deps, tid))
    svc.act(deps, OP1, tid, "transfer", {"unit_id": "U002", "call": CALL}, now)
    alert = svc.tickets.next_alert(deps.tickets.get(tid), deps.contexts.load(now))
    assert alert is not None and alert.kind == "handle_reminder"  # the clock stopped with the transfer


def test_r12345_12_reply_has_a_12_hour_review_clock_that_the_review_stops(deps: Any, seeded: Any) -> None:
    from chalicelib.services import sweep
    from chalicelib.services import tickets as svc
    from chalicelib.services.views import ticket_summary

    now = _now()
    tid = _create(deps, city_due=(now + timedelta(days=20)).isoformat())
    _walk(deps, tid, ["dispatch", "sign", "reply"], now - timedelta(hours=11))
    summary = ticket_summary(deps.tickets.get(tid))
    assert summary["act_due"] is not None and summary["act_due"] < (now + timedelta(hours=2)).isoformat()
    sweep.run_sweep(deps, now)
    assert _types(deps, tid)[-1] == "review_warned"  # 2 h before the 12 hours end
    svc.act(deps, OP1, tid, "review", {"approve": True}, now)
    sweep.run_sweep(deps, now + timedelta(hours=2))
    assert "marked_review_overdue" not in _types(deps, tid)
    assert ticket_summary(deps.tickets.get(tid))["act_due"] is None
