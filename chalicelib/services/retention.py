"""Retention of personal data (docs/privacy.md): a closed ticket's caller, whom its calls reached and the texts
to its reporter are destroyed `settings.pii_retention_days` after its close, by destroying the ticket's own key
(crypto-shredding, `storage/subject_keys.py`): every copy — the ticket, its events, the write-once audit copies,
the archive package, the message records — holds only ciphertext under that key.

When the archive writes a close's package it schedules the ticket: Directory `RETAIN#{ticket}` / `pii`, in the
sparse gsi1 `RETAIN-DUE` / `{due}#{ticket}` (a later close moves it on). The deadline sweep reads only what is due
(one Query) and shreds it if the ticket is still closed (a reopened ticket leaves the index; its next close
schedules it again). Each destruction is recorded in the access log (write-once copy).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import SYSTEM_ACTOR
from chalicelib.services import privacy
from chalicelib.storage.table import AbsentOrBelow, Item, KeyRange

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

DUE = "RETAIN-DUE"
SK = "pii"


def _pk(ticket_id: str) -> str:
    return f"RETAIN#{ticket_id}"


def _close_order(closed_at: str | datetime) -> int:
    """The item's number `n`: the close's time in microseconds, so a schedule only ever moves on."""
    at = datetime.fromisoformat(closed_at) if isinstance(closed_at, str) else closed_at
    return int(at.timestamp() * 1_000_000)


def schedule(deps: Adapters, ticket_id: str, closed_at: datetime) -> bool:
    """Schedule the destruction of a closed ticket's personal data: ONE conditional write, made only when no
    schedule of this close or a later one exists (idempotent; a later close moves it on). True when written."""
    due = closed_at + timedelta(days=deps.settings.pii_retention_days)
    entry = {"ticket_id": ticket_id, "closed_at": closed_at.isoformat(), "due": due.isoformat()}
    order = _close_order(closed_at)
    item = Item(_pk(ticket_id), SK, entry, gsi1pk=DUE, gsi1sk=f"{due.isoformat()}#{ticket_id}", n=order)
    return deps.table.put(item, AbsentOrBelow(order))


def shred_due(deps: Adapters, now: datetime, limit: int = 100) -> Counter[str]:
    """Destroy the personal data of every closed ticket whose retention ended by `now` (one Query a page)."""
    counts: Counter[str] = Counter()
    token: str | None = None
    while True:
        page = deps.table.query(DUE, KeyRange(below=now.isoformat() + "$"), index=True, limit=limit, token=token)
        for entry in page.items:
            counts[_shred_one(deps, entry.data, now)] += 1
        token = page.next_page
        if token is None:
            return counts


def _shred_one(deps: Adapters, entry: dict[str, Any], now: datetime) -> str:
    tid = str(entry["ticket_id"])
    ticket = deps.tickets.get(tid)
    done = {"ticket_id": tid, "closed_at": entry["closed_at"], "due": entry["due"]}
    order = _close_order(entry["closed_at"])  # kept: a repeated delivery of this close schedules nothing again
    if str(ticket.status) != "closed":
        deps.table.put(Item(_pk(tid), SK, dict(done, reopened=True), n=order))  # out of the index until it closes again
        return "pii_retention_reopened"
    try:
        destroyed = deps.tickets.shred(tid, now)
    except Conflict:
        return "pii_retention_retry"  # changed meanwhile: the next sweep looks again
    deps.table.put(Item(_pk(tid), SK, dict(done, shredded_at=now.isoformat()), n=order))
    if destroyed:
        privacy.log_access(deps, "pii_destroyed", SYSTEM_ACTOR, now, ticket_id=tid, reason="retention_ended")
    return "pii_destroyed"
