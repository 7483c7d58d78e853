"""Statistics counter reads: bounded reads of one month and scope, and the recount's view of events.

Layout (written by storage/tickets.counter_items inside each transition's transaction):
pk `{YYYY-MM}#{scope}`, sk `{metric}#{shard}`, attribute `n`. A scope's month is ONE partition, so
reading it is one Query whose size is bounded by the number of metrics × shards (docs/statistics.md),
whatever the number of tickets.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chalicelib.storage.tickets import TicketStore


@dataclass
class ReadCost:
    """What a report read: Query calls and items returned (the bench compares these)."""

    queries: int = 0
    items: int = 0
    pks: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"queries": self.queries, "items": self.items}


def read_partition(store: TicketStore, pk: str, cost: ReadCost | None = None) -> dict[str, int]:
    """`{sk: n}` of one counter partition (one Query, consistent)."""
    out = store.read_counters(pk)
    if cost is not None:
        cost.queries += 1
        cost.items += len(out)
        cost.pks.append(pk)
    return out


def read_scope(store: TicketStore, month: str, scope: str, cost: ReadCost | None = None) -> dict[str, int]:
    """`{metric#shard: n}` of one month and scope."""
    return read_partition(store, f"{month}#{scope}", cost)


def read_index(store: TicketStore, month: str, kind: str, cost: ReadCost | None = None) -> list[str]:
    """Ids of the units (`units`) or dispatchers (`owners`) that had figures in the month."""
    return sorted(sk.rsplit("#", 1)[0] for sk in read_partition(store, f"{month}#{kind}", cost))


def read_many(store: TicketStore, pks: Iterable[str]) -> dict[tuple[str, str], int]:
    """Every item of some partitions, keyed by (pk, sk)."""
    out: dict[tuple[str, str], int] = {}
    for pk in pks:
        for sk, n in read_partition(store, pk).items():
            out[(pk, sk)] = n
    return out


@dataclass(frozen=True)
class StoredEvent:
    """What the recount needs of a history item: exactly what the transition fed counter_items."""

    ticket_id: str
    seq: int
    type: str
    data: dict[str, Any]
    snapshot: dict[str, Any]
    at: datetime


def stored(record: Mapping[str, Any]) -> StoredEvent:
    """A StoredEvent from a history record."""
    return StoredEvent(
        str(record["ticket_id"]),
        int(record["seq"]),
        str(record["type"]),
        dict(record["data"]),
        dict(record["snapshot"]),
        datetime.fromisoformat(str(record["at"])),
    )


def month_events(store: TicketStore, month: str) -> Iterator[StoredEvent]:
    """Every event that happened in the month (GSI by_month), all pages."""
    for record in store.month_events(month):
        yield stored(record)


def ticket_events(store: TicketStore, ticket_id: str) -> Iterator[StoredEvent]:
    """A ticket's whole history, oldest first."""
    for record in store.history(ticket_id):
        yield stored(record)
