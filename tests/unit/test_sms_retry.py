"""SMS sends left unfinished are settled by the deadline sweep (R-12345-12): on the in-memory adapters.

States (docs/operations.md, "SMS states"): pending (claimed) → sending (written before the gateway
call) → sent / failed. A stopped `pending` send is retried once its lease ends, each attempt by one
sweep only, at most `sms_max_attempts` in all; a stopped `sending` one is never sent again.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.config import Settings
from chalicelib.handlers.streams import process_batch
from chalicelib.integrations.sms import RecorderSender, SendResult, SmsMessage
from chalicelib.services import notify, sweep
from chalicelib.services import tickets as svc
from chalicelib.storage.sms import marker
from tests.helpers.accounts import UNITS
from tests.helpers.streams import NOTIFY, history_records
from tests.helpers.tickets import CALL, OP1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai
LEASE = timedelta(minutes=10)  # Settings.sms_retry_after_s default


class Killed(BaseException):  # noqa: N818 - not an error the code may handle: the process is gone
    """The process stops here (Lambda timeout, out of memory): no handler of ours runs."""


class CrashingSender(RecorderSender):
    """Raises before handing the message over `crashes` times, then records like the recorder."""

    def __init__(self, crashes: int = 1) -> None:
        super().__init__()
        self.crashes = crashes
        self.calls = 0

    def send(self, message: SmsMessage) -> SendResult:
        self.calls += 1
        if self.calls <= self.crashes:
            raise RuntimeError("gateway client not ready")
        return super().send(message)


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def dispatched(deps: Any) -> tuple[str, list[dict[str, Any]]]:
    """A ticket dispatched to U001 with the handler phoned; the stream record that texts the handler."""
    ticket, _ = svc.create_ticket(deps, OP1, {"category": "help", "title": "断水求助", "content": "两天没水"}, NOW)
    svc.act(deps, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    records = [
        r for r in history_records(deps, ticket.ticket_id) if r["dynamodb"]["NewImage"]["type"]["S"] == "dispatched"
    ]
    return ticket.ticket_id, records


def unit_sms(deps: Any, ticket_id: str) -> dict[str, Any]:
    [message] = [m for m in notify.ticket_messages(deps, ticket_id) if m["role"] == "unit"]
    return message


def sent_to_unit(deps: Any) -> list[SmsMessage]:
    return [m for m in deps.sms.sent if m.to == "+8613957600001"]


def test_r12345_12_a_send_the_sender_refused_to_start_is_retried_once_after_its_lease(world: Any) -> None:
    deps = dataclasses.replace(world, sms=CrashingSender(crashes=1))
    tid, records = dispatched(deps)
    seq = records[0]["dynamodb"]["SequenceNumber"]
    assert process_batch(NOTIFY, {"Records": records}, deps, NOW) == {"batchItemFailures": [{"itemIdentifier": seq}]}
    stuck = unit_sms(deps, tid)
    assert stuck["status"] == "pending" and stuck["attempts"] == 1 and "RuntimeError" in stuck["last_error"]

    assert process_batch(NOTIFY, {"Records": records}, deps, NOW) == {"batchItemFailures": []}  # Lambda's retry
    assert sweep.run_sweep(deps, NOW + LEASE - timedelta(seconds=1))["sms_retried"] == 0  # lease not over
    assert sent_to_unit(deps) == []

    result = sweep.run_sweep(deps, NOW + LEASE)
    assert result["sms_retried"] == 1
    done = unit_sms(deps, tid)
    assert done["status"] == "sent" and done["attempts"] == 2 and done["message_id"].startswith("rec-")
    assert len(sent_to_unit(deps)) == 1 and "已交办贵单位" in sent_to_unit(deps)[0].text

    assert sweep.run_sweep(deps, NOW + 3 * LEASE)["sms_retried"] == 0
    process_batch(NOTIFY, {"Records": records}, deps, NOW + 3 * LEASE)  # a late redelivery
    assert len(sent_to_unit(deps)) == 1


def test_r12345_12_a_process_stopped_before_the_gateway_call_leaves_pending_and_the_sweep_sends(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid, records = dispatched(world)
    add_spend = world.directory.add_spend
    calls = []

    def dies_once(*args: Any) -> bool:
        calls.append(args)
        if len(calls) == 1:
            raise Killed()
        return bool(add_spend(*args))

    monkeypatch.setattr(world.directory, "add_spend", dies_once)
    with pytest.raises(Killed):
        process_batch(NOTIFY, {"Records": records}, world, NOW)
    stuck = unit_sms(world, tid)
    assert stuck["status"] == "pending" and "last_error" not in stuck and sent_to_unit(world) == []

    assert sweep.run_sweep(world, NOW + LEASE)["sms_retried"] == 1
    assert unit_sms(world, tid)["status"] == "sent" and len(sent_to_unit(world)) == 1


def test_r12345_12_a_send_whose_outcome_was_not_written_is_never_sent_again(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid, records = dispatched(world)
    finish = world.sms_records.finish

    def dies_after_the_gateway(record: dict[str, Any], *args: Any, **kwargs: Any) -> bool:
        if record["status"] == "sent":
            raise Killed()
        return bool(finish(record, *args, **kwargs))

    monkeypatch.setattr(world.sms_records, "finish", dies_after_the_gateway)
    with pytest.raises(Killed):
        process_batch(NOTIFY, {"Records": records}, world, NOW)
    monkeypatch.setattr(world.sms_records, "finish", finish)
    assert unit_sms(world, tid)["status"] == "sending" and len(sent_to_unit(world)) == 1

    result = sweep.run_sweep(world, NOW + LEASE)
    assert result["sms_retried"] == 0 and result["sms_outcome_unknown"] == 1
    verdict = unit_sms(world, tid)
    assert verdict["status"] == "failed" and verdict["reason"] == "outcome_unknown"
    sweep.run_sweep(world, NOW + 5 * LEASE)
    process_batch(NOTIFY, {"Records": records}, world, NOW + 5 * LEASE)
    assert len(sent_to_unit(world)) == 1  # the gateway had it: one text, never a second


def test_r12345_12_after_three_attempts_a_send_is_failed_with_the_last_reason(world: Any) -> None:
    deps = dataclasses.replace(world, sms=CrashingSender(crashes=99))
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)  # attempt 1
    first, second = sweep.run_sweep(deps, NOW + LEASE), sweep.run_sweep(deps, NOW + 2 * LEASE)
    assert first["sms_retry_failed"] == second["sms_retry_failed"] == 1  # attempts 2 and 3
    assert unit_sms(deps, tid)["status"] == "pending" and unit_sms(deps, tid)["attempts"] == 3
    third = sweep.run_sweep(deps, NOW + 3 * LEASE)
    assert third["sms_gave_up"] == 1 and third["sms_retried"] == 0
    failed = unit_sms(deps, tid)
    assert failed["status"] == "failed" and failed["attempts"] == 3
    assert failed["reason"] == "attempts_exhausted: RuntimeError: gateway client not ready"
    assert deps.sms.calls == 3 and sent_to_unit(deps) == []
    assert "sms_gave_up" not in sweep.run_sweep(deps, NOW + 10 * LEASE)  # out of the outbox


def test_the_retry_timeout_and_the_attempts_are_settings(world: Any) -> None:
    settings = Settings.from_env({"STAGE": "test", "SMS_RETRY_AFTER_S": "60", "SMS_MAX_ATTEMPTS": "2"})
    assert (settings.sms_retry_after_s, settings.sms_max_attempts) == (60, 2)
    defaults = Settings.from_env({"STAGE": "test"})
    assert (defaults.sms_retry_after_s, defaults.sms_max_attempts) == (600, 3)
    deps = dataclasses.replace(
        world,
        sms=CrashingSender(crashes=99),
        settings=dataclasses.replace(world.settings, sms_retry_after_s=60, sms_max_attempts=2),
    )
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)
    assert sweep.run_sweep(deps, NOW + timedelta(seconds=60))["sms_retry_failed"] == 1
    assert sweep.run_sweep(deps, NOW + timedelta(seconds=120))["sms_gave_up"] == 1
    assert unit_sms(deps, tid)["attempts"] == 2


def test_r12345_12_a_sweep_that_lost_its_lease_before_sending_sends_nothing(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sweep A takes the attempt, stalls past its lease; sweep B takes the next one and sends; A sends nothing."""
    deps = dataclasses.replace(world, sms=CrashingSender(crashes=1))
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)
    add_spend = world.directory.add_spend
    later: list[dict[str, Any]] = []

    def stalls(*args: Any) -> bool:
        if not later:  # A stands between its lease and `sending` until B has run
            later.append({})
            later[0] = sweep.run_sweep(deps, NOW + 2 * LEASE)
        return bool(add_spend(*args))

    monkeypatch.setattr(world.directory, "add_spend", stalls)
    a = sweep.run_sweep(deps, NOW + LEASE)
    assert later[0]["sms_retried"] == 1 and a["sms_retried"] == 0 and a["sms_skipped"] == 1
    assert len(sent_to_unit(deps)) == 1
    assert unit_sms(deps, tid)["status"] == "sent" and unit_sms(deps, tid)["attempts"] == 3


def test_r12345_12_a_sweep_stalled_in_the_gateway_call_keeps_its_true_outcome(world: Any) -> None:
    """B finds A's attempt `sending` past its lease: it records outcome_unknown, sends nothing; A's answer wins."""
    verdicts: list[dict[str, Any]] = []

    class Stalls(RecorderSender):
        def send(self, message: SmsMessage) -> SendResult:
            if not verdicts:
                verdicts.append({})
                verdicts[0] = sweep.run_sweep(deps, NOW + 3 * LEASE)
            return super().send(message)

    deps = dataclasses.replace(world, sms=CrashingSender(crashes=1))
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)
    deps = dataclasses.replace(deps, sms=Stalls())
    assert sweep.run_sweep(deps, NOW + LEASE)["sms_retried"] == 1
    assert verdicts[0]["sms_outcome_unknown"] == 1 and verdicts[0]["sms_retried"] == 0
    assert len(sent_to_unit(deps)) == 1 and unit_sms(deps, tid)["status"] == "sent"


def test_the_outbox_is_locked_by_its_marker(world: Any) -> None:
    store = world.sms_records
    record = {"ticket_id": "T20261130-00001", "event_id": "T20261130-00001.000002", "role": "unit"}
    record.update(status="pending", attempts=1, at=NOW.isoformat())
    mark = store.claim(record, NOW + LEASE)
    assert mark is not None and store.claim(record, NOW + LEASE) is None  # one claim per event and role
    assert store.due(NOW + LEASE - timedelta(microseconds=1)) == []
    assert store.due(NOW + LEASE) == [(mark, record)]
    newer = marker(NOW + 2 * LEASE, "p", 2, record["ticket_id"], "T20261130-00001.000002#unit")
    assert store.change(dict(record, attempts=2), mark, newer)
    assert not store.change(dict(record, attempts=3), mark, "x")  # a stale read loses
    assert not store.finish(dict(record, status="failed"), "2026-11-30", seen=mark)
    assert store.finish(dict(record, status="sent"), "2026-11-30", seen=newer)
    assert store.due(NOW + 10 * LEASE) == [] and store.unfinished() == []
    assert [m["status"] for m in store.day_log("2026-11-30")] == ["sent"]


def test_the_day_log_shows_unfinished_sends_too(world: Any) -> None:
    deps = dataclasses.replace(world, sms=CrashingSender(crashes=1))
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)
    log = notify.day_log(deps, "2026-11-30")
    assert [(m["ticket_id"], m["role"], m["status"]) for m in log if m["role"] == "unit"] == [(tid, "unit", "pending")]


class Refuses(RecorderSender):
    """A gateway refusal that echoes the number (as SNS does)."""

    def send(self, message: SmsMessage) -> SendResult:
        return SendResult(False, error=f"sns: Invalid parameter: PhoneNumber Reason: {message.to} is not valid")


class Raises(RecorderSender):
    """A client error before the hand-over that echoes the number."""

    def send(self, message: SmsMessage) -> SendResult:
        raise ValueError(f"cannot reach gateway for 139 5760 0001 ({message.to.removeprefix('+86')})")


def test_r12345_11_gateway_errors_are_recorded_and_logged_without_the_number(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("DEBUG")
    hotline = logging.getLogger("hotline")  # Chalice(app_name="hotline") stops it propagating once app.py is loaded
    hotline.addHandler(caplog.handler)
    try:
        _gateway_errors_scrubbed(world, caplog)
    finally:
        hotline.removeHandler(caplog.handler)


def _gateway_errors_scrubbed(world: Any, caplog: pytest.LogCaptureFixture) -> None:
    deps = dataclasses.replace(world, sms=Refuses())
    tid, records = dispatched(deps)
    process_batch(NOTIFY, {"Records": records}, deps, NOW)
    failed = unit_sms(deps, tid)
    assert failed["status"] == "failed" and "PhoneNumber" in failed["reason"] and "***" in failed["reason"]

    deps = dataclasses.replace(world, sms=Raises())
    tid, records = dispatched(deps)
    seq = records[0]["dynamodb"]["SequenceNumber"]  # the stream's attempt raises: reported, logged scrubbed
    assert process_batch(NOTIFY, {"Records": records}, deps, NOW) == {"batchItemFailures": [{"itemIdentifier": seq}]}
    pending = unit_sms(deps, tid)
    assert pending["status"] == "pending" and "ValueError" in pending["last_error"]
    assert sweep.run_sweep(deps, NOW + LEASE)["sms_retry_failed"] == 1  # the sweep's attempt: logged scrubbed
    assert "SmsGatewayError" in caplog.text
    for text in (failed["reason"], pending["last_error"], caplog.text):
        assert "13957600001" not in text and "139 5760 0001" not in text
