"""Statistics counters (Counters table): bounded reads of one month and scope, and the recount's writes.

Layout (written by storage/tickets.counter_items inside each transition's transaction):
pk `{YYYY-MM}#{scope}`, sk `{metric}#{shard}`, attribute `n`. A scope's month is ONE partition, so
reading it is one Query whose size is bounded by the number of metrics × shards (docs/statistics.md),
whatever the number of tickets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.storage.models import CounterModel, EventModel


@dataclass
class ReadCost:
    """What a report read: Query calls and items returned (the bench compares these)."""

    queries: int = 0
    items: int = 0
    pks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"queries": self.queries, "items": self.items}


def read_partition(pk: str, cost: ReadCost | None = None) -> dict[str, int]:
    """`{sk: n}` of one counter partition (one Query, consistent)."""
    out: dict[str, int] = {}
    for item in CounterModel.query(pk, consistent_read=True):
        out[item.sk] = int(item.n or 0)
    if cost is not None:
        cost.queries += 1
        cost.items += len(out)
        cost.pks.append(pk)
    return out


def read_scope(month: str, scope: str, cost: ReadCost | None = None) -> dict[str, int]:
    """`{metric#shard: n}` of one month and scope."""
    return read_partition(f"{month}#{scope}", cost)


def read_index(month: str, kind: str, cost: ReadCost | None = None) -> list[str]:
    """Ids of the units (`units`) or dispatchers (`owners`) that had figures in the month."""
    return sorted(sk.rsplit("#", 1)[0] for sk in read_partition(f"{month}#{kind}", cost))


def read_many(pks: Iterable[str]) -> dict[tuple[str, str], int]:
    """Every item of some partitions, keyed by (pk, sk)."""
    out: dict[tuple[str, str], int] = {}
    for pk in pks:
        for sk, n in read_partition(pk).items():
            out[(pk, sk)] = n
    return out


def overwrite(values: Mapping[tuple[str, str], int]) -> int:
    """Set counters to the given values (the recount's repair); returns the number written."""
    with CounterModel.batch_write() as batch:
        for (pk, sk), n in values.items():
            batch.save(CounterModel(pk, sk, n=n))
    return len(values)


# ---------------------------------------------------------------- the event log, for the recount


@dataclass(frozen=True)
class StoredEvent:
    """What the recount needs of a history item: exactly what the transition fed counter_items."""

    ticket_id: str
    seq: int
    type: str
    data: dict[str, Any]
    snapshot: dict[str, Any]
    at: datetime


def _stored(e: EventModel) -> StoredEvent:
    return StoredEvent(e.ticket_id, int(e.seq), e.type, json.loads(e.data), json.loads(e.snapshot),
                       datetime.fromisoformat(e.at))


def month_events(month: str) -> Iterator[StoredEvent]:
    """Every event that happened in the month (GSI by_month), all pages."""
    for e in EventModel.by_month.query(month):
        yield _stored(e)


def ticket_events(ticket_id: str) -> Iterator[StoredEvent]:
    """A ticket's whole history, oldest first."""
    for e in EventModel.query(ticket_id, consistent_read=True):
        yield _stored(e)
