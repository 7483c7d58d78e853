"""Bulk data written straight through the storage layer in batches (fast), shaped like real items.

A template ticket is walked through the real domain (intake → dispatch → sign → reply → review →
callback → submit → close) once; each bulk ticket is a copy with its own id and its dates shifted,
serialised with the repository's own functions (`DynamoTicketRepository.ticket_model` /
`.event_model`, `event_record`, `ticket_to_doc`, `counter_items`) into the adapters' bound tables
(`deps.tables`), so items look exactly like ones the API writes: closed tickets carry no
`deadline_shard`/`next_alert_at`, due ones do.

To keep 50,000 tickets loadable in seconds, each bulk closed ticket gets two of its history
items (`received` seq 1 and `closed` seq N; the ones in between are left out), while the
statistics counters are moved for its whole history, as the live transactions would have.
"""

from __future__ import annotations

import dataclasses
import os
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench.stack import log

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

OP = ("op1", "operator", None, "王敏")
UH = ("uh1", "unit_handler", "U001", "周海")
CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}
REPLY = {
    "investigation": "已现场核查，情况属实",
    "result": "已责令施工方整改",
    "basis": "《噪声污染防治法》",
    "contact": "已电话告知反映人",
}
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}
PAYLOAD = {
    "category": "complaint",
    "title": "小区夜间施工噪音扰民",
    "content": "海游街道某小区工地夜间22点后仍在施工，噪音很大，影响休息。" * 3,
    "caller": {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "三门县海游街道1号"},
    "location": {"address": "三门县海游街道", "lat": 29.11, "lng": 121.37},
}
SEARCH_TERM = "工地"  # a word of PAYLOAD's content: the bulk tickets are in its search-index partition
DATES = (
    "received_at",
    "city_due",
    "dispatched_at",
    "first_dispatched_at",
    "dispatch_due",
    "handle_due",
    "submitted_at",
    "closed_at",
    "created_at",
    "updated_at",
)
CLOSED_FIRST_NO = 10000  # bulk closed ids T{day}-10000 … ; due ids from 60000 (real intake counts from 1)
DUE_FIRST_NO = 60000


def bench_month(now: datetime) -> datetime:
    """00:00 Asia/Shanghai on the 1st of the previous month, as UTC (the bulk data's month)."""
    from chalicelib.domain.statistics import SHANGHAI

    local = now.astimezone(SHANGHAI)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    prev = (first - timedelta(days=1)).replace(day=1)
    return prev.astimezone(UTC)


def _actor(spec: tuple[str, str, str | None, str]) -> Any:
    from chalicelib.domain.model import Actor

    return Actor(spec[0], spec[1], spec[2], spec[3])


def _shift(ticket: Any, delta: timedelta, **changes: Any) -> Any:
    values = {name: getattr(ticket, name) + delta for name in DATES if getattr(ticket, name) is not None}
    return dataclasses.replace(ticket, **values, **changes)


class _DirectSink:
    """Puts serialised items straight into the in-process moto backend (no HTTP, no JSON)."""

    def __init__(self, model: Any, backend: Any) -> None:
        self.table, self.backend = model.Meta.table_name, backend

    def save(self, item: Any) -> None:
        self.backend.put_item(self.table, item.serialize())

    def __enter__(self) -> _DirectSink:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def _sink(model: Any) -> Any:
    """Where bulk items go: moto's backend when it runs in this process, else PynamoDB batch_write.

    Items are serialised by the models either way (`Model.serialize()` is what batch_write sends),
    so they are the same items; the direct path only skips HTTP and JSON, which would otherwise
    make 50,000 tickets take minutes. BENCH_LOAD_VIA_API=1 forces batch_write.
    """
    if not os.environ.get("BENCH_LOAD_VIA_API"):
        try:
            from moto.core import DEFAULT_ACCOUNT_ID
            from moto.dynamodb.models import dynamodb_backends

            backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][model.Meta.region]
            if model.Meta.table_name in backend.tables:
                return _DirectSink(model, backend)
        except (ImportError, KeyError):
            pass
    return model.batch_write()


class BulkLoader:
    """Writes closed tickets (owned by op1, one month) and due tickets in batches."""

    def __init__(self, deps: Adapters, now: datetime) -> None:
        from chalicelib.storage.tickets import DynamoTicketRepository

        if not isinstance(deps.tickets, DynamoTicketRepository) or deps.tables is None:
            raise TypeError("bulk loading writes DynamoDB items: it needs the real adapters")
        self.now = now
        self.repo = deps.tickets
        self.tables = deps.tables
        self.ctx = deps.contexts.load(now)
        self.month_start = bench_month(now)
        self.month = self._month_of(self.month_start + timedelta(hours=12))
        self.closed = 0  # bulk closed tickets written so far
        self.due_no = DUE_FIRST_NO
        self._closed_template()
        self._due_template()

    @staticmethod
    def _month_of(at: datetime) -> str:
        from chalicelib.domain.statistics import month_of

        return month_of(at)

    # ------------------------------------------------------------------ templates

    def _closed_template(self) -> None:
        from chalicelib.domain import tickets as dom

        t0 = self.month_start + timedelta(hours=1)
        op, uh = _actor(OP), _actor(UH)
        first = dom.new_ticket("T00000000-00000", dict(PAYLOAD, received_at=t0.isoformat()), op, t0, self.ctx)
        changes = [first]
        steps = [
            ("dispatch", op, {"unit_id": "U001", "call": CALL}),
            ("sign", uh, {}),
            ("reply", uh, {"sections": REPLY}),
            ("review", op, {"approve": True}),
            ("callback", op, CALLBACK),
            ("submit", op, {}),
            ("close", op, {"note": "市审核组审核通过"}),
        ]
        ticket = first.after.with_changes(last_seq=1, version=1)
        for n, (verb, actor, body) in enumerate(steps, start=1):
            change = dom.apply(ticket, verb, body, actor, t0 + timedelta(minutes=20 * n), self.ctx)
            changes.append(change)
            ticket = change.after.with_changes(last_seq=n + 1, version=n + 1)
        self.t0 = t0
        self.received_change = first
        self.received_ticket = first.after.with_changes(last_seq=1, version=1)
        self.closed_change = changes[-1]
        self.closed_ticket = ticket
        # (event type, data, document after it, offset from t0) of every event, for the counters
        from chalicelib.storage.serialize import ticket_to_doc

        self.history = [(c.event_type, c.data, ticket_to_doc(c.after), c.at - t0) for c in changes]
        span = timedelta(days=25)  # every bulk ticket is received and closed inside the month
        self.spacing = span

    def _due_template(self) -> None:
        from chalicelib.domain import tickets as dom

        received = self.now - timedelta(hours=10, minutes=45)  # dispatch warning due 45 min ago
        change = dom.new_ticket(
            "T00000000-00000", dict(PAYLOAD, received_at=received.isoformat()), _actor(OP), self.now, self.ctx
        )
        ticket = change.after.with_changes(last_seq=1, version=1)
        alert = dom.next_alert(ticket, self.ctx)
        if alert is None or alert.at > self.now:
            raise RuntimeError(f"due template has no alert due now: {alert}")
        self.due_change, self.due_ticket, self.due_alert = change, ticket, alert

    # ------------------------------------------------------------------ ids

    @staticmethod
    def _ticket_id(received_at: datetime, number: int) -> str:
        from chalicelib.domain.statistics import SHANGHAI

        return f"T{received_at.astimezone(SHANGHAI):%Y%m%d}-{number:05d}"

    # ------------------------------------------------------------------ closed tickets

    def load_closed(self, upto: int, total_planned: int) -> float:
        """Write closed tickets until `upto` exist; returns seconds taken."""
        import time

        from chalicelib.domain.model import Change
        from chalicelib.storage.serialize import ticket_to_doc
        from chalicelib.storage.tickets import counter_items

        if upto <= self.closed:
            return 0.0
        started = time.perf_counter()
        step = self.spacing / max(total_planned, 1)
        counters: dict[tuple[str, str], int] = defaultdict(int)
        rc, cc = self.received_change, self.closed_change
        last_seq = self.closed_ticket.last_seq
        from chalicelib.services.search import TERM_PREFIX
        from chalicelib.storage.table import DynamoDirectoryTable, Item

        directory = DynamoDirectoryTable(self.tables.directory)
        with (
            _sink(self.tables.tickets) as tickets,
            _sink(self.tables.events) as events,
            _sink(self.tables.directory) as index,
        ):
            for i in range(self.closed, upto):
                delta = step * i
                tid = self._ticket_id(self.t0 + delta, CLOSED_FIRST_NO + i)
                final = _shift(self.closed_ticket, delta, ticket_id=tid)
                doc = ticket_to_doc(final)
                model = self.repo.ticket_model(final, None, doc, fresh=True)
                model.version = final.version
                tickets.save(model)
                # the search index under the bench's content keyword (every bulk ticket holds it: the worst case)
                sk = f"{model.received_at}#{tid}"
                index.save(directory.model_of(Item(f"{TERM_PREFIX}{SEARCH_TERM}", sk, {"t": tid})))
                received = _shift(self.received_ticket, delta, ticket_id=tid)
                events.save(
                    self._event(
                        Change(None, received, rc.event_type, rc.data, rc.at + delta, rc.actor),
                        1,
                        ticket_to_doc(received),
                    )
                )
                events.save(
                    self._event(
                        Change(cc.before, final, cc.event_type, cc.data, cc.at + delta, cc.actor), last_seq, doc
                    )
                )
                for event_type, data, step_doc, offset in self.history:
                    # the step's document with this copy's id and (set-once) dates
                    mini = {
                        **step_doc,
                        "ticket_id": tid,
                        **{k: doc[k] for k in DATES if step_doc.get(k) is not None and k != "updated_at"},
                    }
                    for key, n in counter_items(event_type, data, mini, self.t0 + delta + offset).items():
                        counters[key] += n
        self._add_counters(counters)
        took = time.perf_counter() - started
        log(f"loaded closed tickets {self.closed:,} → {upto:,} in {took:.1f} s")
        self.closed = upto
        return took

    # ------------------------------------------------------------------ due tickets

    def load_due(self, n: int) -> list[str]:
        """Write n open tickets whose dispatch warning is due now (sparse index attributes set)."""
        from chalicelib.storage.serialize import ticket_to_doc
        from chalicelib.storage.tickets import counter_items

        ids = []
        counters: dict[tuple[str, str], int] = defaultdict(int)
        ch = self.due_change
        with _sink(self.tables.tickets) as tickets, _sink(self.tables.events) as events:
            for _ in range(n):
                tid = self._ticket_id(self.due_ticket.received_at, self.due_no)
                self.due_no += 1
                ticket = self.due_ticket.with_changes(ticket_id=tid)
                doc = ticket_to_doc(ticket)
                model = self.repo.ticket_model(ticket, self.due_alert, doc, fresh=True)
                model.version = 1
                tickets.save(model)
                events.save(self._event(dataclasses.replace(ch, after=ticket), 1, doc))
                for key, k in counter_items(ch.event_type, ch.data, doc, ch.at).items():
                    counters[key] += k
                ids.append(tid)
        self._add_counters(counters)
        return ids

    # ------------------------------------------------------------------ items

    def _event(self, change: Any, seq: int, doc: dict[str, Any]) -> Any:
        """The stored history item of a change, as the repository's transaction writes it."""
        from chalicelib.storage.tickets import event_record

        return self.repo.event_model(event_record(change, seq, doc))

    def _add_counters(self, counters: dict[tuple[str, str], int]) -> None:
        """Move the statistics counters as the transactions would have (one ADD per counter item)."""
        model = self.tables.counters
        for (pk, sk), n in counters.items():
            model(pk, sk).update(actions=[model.n.add(n)])
