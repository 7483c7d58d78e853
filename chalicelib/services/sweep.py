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
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import emergency, sweep
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import Ticket
from chalicelib.domain.tickets import Context, next_alert
from chalicelib.services import duty, duty_fallback, notify, retention
from chalicelib.storage.table import Absent, Item, Write
from chalicelib.storage.tickets import DEADLINE_SHARDS

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PAGE = 500  # due tickets per shard Query (DynamoDB ends a page at 1 MB: then one more request)
MAX_ROUNDS = 40  # pages per shard and sweep (20,000 due tickets per shard)


class RequestCounter:
    """Counts DynamoDB API calls made by the threads of one sweep (botocore `before-call` hook)."""

    def __init__(self) -> None:
        self.threads = {threading.get_ident()}
        self.ops: Counter[str] = Counter()
        self._lock = threading.Lock()

    def join(self) -> None:
        """Count the calling thread's requests too (a worker of this sweep)."""
        with self._lock:
            self.threads.add(threading.get_ident())

    def __call__(self, model: Any = None, **_: Any) -> None:
        """botocore event handler."""
        if threading.get_ident() in self.threads:
            with self._lock:
                self.ops[getattr(model, "name", "?")] += 1

    @property
    def total(self) -> int:
        """All calls counted."""
        return sum(self.ops.values())


@contextmanager
def count_requests(clients: list[Any]) -> Iterator[RequestCounter]:
    """Count the DynamoDB requests of the current thread (and of threads that `join`) inside the block."""
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
    """One sweep at `now`: counts per outcome and event type, plus the DynamoDB requests it made.

    The shards' due tickets come whole from the open-deadline index, a page at a time; a bounded pool
    of `settings.sweep_workers` threads commits them, one ticket per task and one transaction per
    alert, so a catch-up of thousands of due tickets costs ~1 request each and runs them side by side.
    """
    now = (now or deps.clock()).astimezone(UTC)
    stats: Counter[str] = Counter()
    with count_requests(deps.dynamodb_clients()) as requests:
        ctx = deps.contexts.load(now)
        workers = max(1, deps.settings.sweep_workers)
        with ThreadPoolExecutor(workers, thread_name_prefix="sweep") as pool:
            for shard in range(DEADLINE_SHARDS):
                _sweep_shard(deps, pool, requests, shard, now, ctx, stats)
        stats.update(notify.retry_due(deps, now))
        stats.update(retention.shred_due(deps, now))  # personal data past its retention (docs/privacy.md)
    # R-12345-12: no one on duty this shift → the main number takes the duty SMS (recorded once per shift);
    # a constant 1–3 GetItems per run, kept out of the count of the due tickets' requests
    stats["duty_fallback"] += duty_fallback.check(deps, now)
    return {
        "at": now.isoformat(),
        **dict(stats),
        "sms_retried": stats["sms_retried"],
        "dynamodb_requests": requests.total,
        "dynamodb_by_operation": dict(requests.ops),
    }


def _sweep_shard(
    deps: Adapters,
    pool: ThreadPoolExecutor,
    requests: RequestCounter,
    shard: int,
    now: datetime,
    ctx: Context,
    stats: Counter[str],
) -> None:
    """Walk the shard's due range once, page by page; the page's tickets go to the pool, and the next
    page is read while they commit (at most two pages in flight)."""

    def one(ticket: Ticket) -> Counter[str]:
        requests.join()
        own: Counter[str] = Counter(candidates=1)
        _sweep_ticket(deps, ticket, now, ctx, own)
        return own

    token: str | None = None
    in_flight: list[Future[Counter[str]]] = []
    for _round in range(MAX_ROUNDS):
        page = deps.tickets.due_tickets(shard, now, limit=PAGE, token=token)
        finished, in_flight = in_flight, [pool.submit(one, ticket) for ticket in page.items]
        for done in finished:
            stats.update(done.result())
        token = page.next_page
        if token is None:
            break
    for done in in_flight:
        stats.update(done.result())


def _sweep_ticket(deps: Adapters, ticket: Ticket, now: datetime, ctx: Context, stats: Counter[str]) -> int:
    """Apply every alert of the ticket that is due, one transaction each; returns how many.

    The ticket is the index's copy (no read): the commit's version condition rejects a stale one, and
    only then is the ticket read once, consistently. The ticket a commit returns is the next alert's
    starting point, so a due ticket costs one transaction per alert.
    """
    ticket_id = ticket.ticket_id
    applied = 0
    from_index = True
    for _ in range(sweep.MAX_ALERTS_PER_TICKET + 1):
        alert = sweep.due_alert(ticket, ctx, now)
        if alert is None:
            if not applied:
                stats["not_due"] += 1  # stale index entry, or another sweep was first
            return applied
        if alert.kind == emergency.KIND:  # R-12369-02: text the leader on duty and record the call
            change = emergency.escalate(ticket, alert, now, duty.on_duty(deps, now, post="leader"))
        else:
            change = sweep.apply_alert(ticket, alert, now, ctx)
        extra: list[Write] = [(Item(f"ALERT#{ticket_id}", alert.key, {"at": now.isoformat()}), Absent())]
        if (task := sweep.task_for(change)) is not None:
            extra.append((_task_item(task), Absent()))
        try:
            ticket = deps.tickets.commit(change, next_alert(change.after, ctx), extra=extra)
        except Conflict:
            if from_index:  # the index's copy may be stale: decide again on the ticket as it is
                from_index = False
                try:
                    ticket = deps.tickets.get(ticket_id)
                except NotFound:
                    stats["vanished"] += 1
                    return applied
                continue
            recovered = _already_claimed(deps, ticket_id, alert, now, ctx)
            if recovered is None:
                stats["conflicts"] += 1  # another sweep or a person was first: skip, nothing sent twice
                return applied
            stats["already_claimed"] += 1
            ticket = recovered
        from_index = False
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
    change = sweep.apply_alert(fresh, alert, now, ctx, announce=False)
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
