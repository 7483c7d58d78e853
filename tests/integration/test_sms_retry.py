"""Stuck SMS sends settled by the deadline sweep on moto (R-12345-12): one send in a race, cost O(due)."""

from __future__ import annotations

import dataclasses
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.model import Actor
from chalicelib.integrations.sms import RecorderSender, SendResult, SmsMessage
from chalicelib.storage.sms import SmsStore
from tests.helpers.streams import stream_batch

OP1 = Actor("op1", "operator")
CALL = {"to_name": "周海", "to_phone": "13957600001"}


class FlakySender(RecorderSender):
    """Raises before handing over on its first call; later calls take a while (the race's window)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.lock = threading.Lock()

    def send(self, message: SmsMessage) -> SendResult:
        with self.lock:
            self.calls += 1
            first = self.calls == 1
        if first:
            raise RuntimeError("gateway client not ready")
        time.sleep(0.2)
        return super().send(message)


def _dispatched(deps: Any, now: datetime) -> str:
    from chalicelib.services import tickets as svc

    ticket, _ = svc.create_ticket(deps, OP1, {"category": "help", "title": "断水求助", "content": "两天没水"}, now)
    svc.act(deps, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, now)
    return ticket.ticket_id


def test_r12345_12_two_sweeps_at_once_send_a_stuck_sms_once(deps: Any, seeded: Any) -> None:
    from chalicelib.services import notify, sweep
    from tests.helpers.streams import NOTIFY, deliver

    sender = FlakySender()
    quick = dataclasses.replace(deps.settings, sms_retry_after_s=1)
    flaky = dataclasses.replace(deps, sms=sender, settings=quick)
    now = datetime.now(UTC)
    tid = _dispatched(deps, now)
    result = deliver(flaky, NOTIFY, stream_batch(deps, tid, types=("dispatched",))["Records"], now)
    assert len(result["batchItemFailures"]) == 1
    [stuck] = notify.ticket_messages(deps, tid)
    assert stuck["status"] == "pending"
    ref = f"{stuck['event_id']}#unit"

    both_saw_it = threading.Barrier(2)

    class SeenTogether(SmsStore):
        """Both sweeps read the stuck send from the outbox before either tries to take it."""

        def due(self, until: datetime, limit: int = 100) -> list[tuple[str, dict[str, Any]]]:
            rows = super().due(until, limit)
            if any(f"{r['event_id']}#{r['role']}" == ref for _, r in rows):
                both_saw_it.wait(timeout=10)
            return rows

    racing = dataclasses.replace(flaky, sms_records=SeenTogether(deps.table))

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: sweep.run_sweep(racing, now + timedelta(seconds=2)), range(2)))
    assert [m.ref for m in sender.sent].count(ref) == 1
    [done] = notify.ticket_messages(deps, tid)
    assert done["status"] == "sent" and done["attempts"] == 2  # one lease taken: one sweep made the attempt
    assert sorted(bool(r.get("sms_skipped")) for r in results) == [False, True]  # the other lost the lease


def test_r12345_12_the_sweep_costs_the_same_with_many_old_sent_sms(deps: Any, seeded: Any, ns: str) -> None:
    from chalicelib.services import notify, sweep

    now = datetime.now(UTC)
    sweep.run_sweep(deps, now)  # settle whatever is due
    deps.contexts.load(now)
    before = sweep.run_sweep(deps, now)
    old = now - timedelta(days=1)
    for n in range(25):
        tid = f"T20250101-9{n:04d}"
        event = {
            "ticket_id": tid,
            "event_id": f"{tid}.{ns}",
            "type": "dispatched",
            "at": old.isoformat(),
            "data": {},
            "snapshot": {"ticket_id": tid, "title": "断水求助", "category": "help"},
        }
        sent = notify.deliver(deps, event, notify.Recipient("unit", "周海", "13957600001", "dispatched"), old)
        assert sent is not None and sent["status"] == "sent"
    deps.contexts.load(now)
    after = sweep.run_sweep(deps, now)
    # 8 open-deadline shard Queries + 1 Query on the outbox of unfinished sends + 1 on the personal data past its
    # retention, with or without old texts
    assert before["dynamodb_by_operation"]["Query"] == after["dynamodb_by_operation"]["Query"] == 10, (before, after)
    assert after["dynamodb_requests"] == before["dynamodb_requests"], (before, after)
    assert after["sms_retried"] == before["sms_retried"] == 0
