"""The 15-minute deadline sweep (R-12345-12): Query the sparse open-deadline index, one transaction per alert.

Each alert is written with a Directory item `ALERT#{ticket}` / `{kind}#{deadline}` that must not exist
yet, in the same transaction as the ticket (version + status condition), its event and counters: two
sweeps at once, or the same sweep twice, change and announce nothing twice (the loser gets Conflict).
New texts are sent by the events stream handler (services/notify.py); the sweep only settles the
sends that handler left unfinished past their lease (`notify.retry_due`: one Query on the sparse
outbox, each attempt taken by one sweep only).
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import emergency, sweep
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import Ticket
from chalicelib.domain.tickets import Context, next_alert
from chalicelib.services import duty, notify
from chalicelib.storage.table import Absent, Item, Write
from chalicelib.storage.tickets import DEADLINE_SHARDS

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PAGE = 200  # due tickets per shard Query
MAX_ROUNDS = 25  # pages per shard and sweep (5,000 due tickets per shard)


class RequestCounter:
    """Counts DynamoDB API calls made by this thread (botocore `before-call` hook)."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.ops: Counter[str] = Counter()

    def __call__(self, model: Any = None, **_: Any) -> None:
        """botocore event handler."""
        if threading.get_ident() == self.thread:
            self.ops[getattr(model, "name", "?")] += 1

    @property
    def total(self) -> int:
        """All calls counted."""
        return sum(self.ops.values())


@contextmanager
def count_requests(clients: list[Any]) -> Iterator[RequestCounter]:
    """Count the DynamoDB requests of the current thread inside the block."""
    counter = RequestCounter()
    hook_id = f"sweep-count-{uuid.uuid4().hex}"
    for client in clients:
        client.meta.events.register("before-call.dynamodb", counter, unique_id=hook_id)
    try:
        yield counter
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id=hook_id)


def run_sweep(deps: Adapters, now: datetime | None = None) -> dict[str, Any]:
    """One sweep at `now`: counts per outcome and event type, plus the DynamoDB requests it made."""
    now = (now or deps.clock()).astimezone(UTC)
    stats: Counter[str] = Counter()
    with count_requests(deps.dynamodb_clients()) as requests:
        ctx = deps.contexts.load(now)
        for shard in range(DEADLINE_SHARDS):
            _sweep_shard(deps, shard, now, ctx, stats)
        stats.update(notify.retry_due(deps, now))
    return {
        "at": now.isoformat(),
        **dict(stats),
        "sms_retried": stats["sms_retried"],
        "dynamodb_requests": requests.total,
        "dynamodb_by_operation": dict(requests.ops),
    }


def _sweep_shard(deps: Adapters, shard: int, now: datetime, ctx: Context, stats: Counter[str]) -> None:
    for _round in range(MAX_ROUNDS):
        due = deps.tickets.due_alerts(shard, now, limit=PAGE)
        applied = 0
        for summary in due:
            stats["candidates"] += 1
            applied += _sweep_ticket(deps, summary.ticket_id, now, ctx, stats)
        if len(due) < PAGE or applied == 0:
            return


def _sweep_ticket(deps: Adapters, ticket_id: str, now: datetime, ctx: Context, stats: Counter[str]) -> int:
    """Apply every alert of the ticket that is due, one transaction each; returns how many.

    One consistent read (the index is eventually consistent), then one transaction per alert: the
    ticket a commit returns is the next one's starting point, so a due ticket costs 1 read + 1 write.
    """
    try:
        ticket = deps.tickets.get(ticket_id)
    except NotFound:
        stats["vanished"] += 1
        return 0
    applied = 0
    for _ in range(sweep.MAX_ALERTS_PER_TICKET):
        alert = sweep.due_alert(ticket, ctx, now)
        if alert is None:
            if not applied:
                stats["not_due"] += 1  # stale index entry, or another sweep was first
            return applied
        if alert.kind == emergency.KIND:  # R-12369-02: text the leader on duty and record the call
            change = emergency.escalate(ticket, alert, now, duty.on_duty(deps, now, post="leader"))
        else:
            change = sweep.apply_alert(ticket, alert, now)
        extra: list[Write] = [(Item(f"ALERT#{ticket_id}", alert.key, {"at": now.isoformat()}), Absent())]
        if (task := sweep.task_for(change)) is not None:
            extra.append((_task_item(task), Absent()))
        try:
            ticket = deps.tickets.commit(change, next_alert(change.after, ctx), extra=extra)
        except Conflict:
            recovered = _already_claimed(deps, ticket_id, alert, now, ctx)
            if recovered is None:
                stats["conflicts"] += 1  # another sweep or a person was first: skip, nothing sent twice
                return applied
            stats["already_claimed"] += 1
            ticket = recovered
        stats[change.event_type] += 1
        applied += 1
    return applied


def _already_claimed(deps: Adapters, ticket_id: str, alert: Alert, now: datetime, ctx: Context) -> Ticket | None:
    """The claim exists but the ticket still lacks the mark (a re-armed deadline): record it silently.

    A concurrent sweep that won leaves the key in `alerts_done`: then this returns None (a plain conflict).
    """
    if deps.directory.get_item(f"ALERT#{ticket_id}", alert.key) is None:
        return None
    fresh = deps.tickets.get(ticket_id)
    if alert.kind == emergency.KIND:
        return None  # each escalation's key names its instant: a claim means it was committed
    if alert.key in fresh.alerts_done or sweep.due_alert(fresh, ctx, now) != alert:
        return None
    change = sweep.apply_alert(fresh, alert, now, announce=False)
    try:
        return deps.tickets.commit(change, next_alert(change.after, ctx))
    except Conflict:
        return None


def _task_item(task: dict[str, str]) -> Item:
    """R-12345-04 follow-up task; listed through gsi1 `OPENTASK#{owner}` while open."""
    return Item(
        f"TASK#{task['owner_id']}",
        f"{task['ticket_id']}#{task['key']}",
        dict(task, status="open"),
        gsi1pk=f"OPENTASK#{task['owner_id']}",
        gsi1sk=f"{task['due']}#{task['ticket_id']}",
    )
