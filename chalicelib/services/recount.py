"""Recount: rebuild a month's counters from the event log and report the differences (R-12345-14).

The recount feeds every stored event (type, data, snapshot, at) to the SAME function the
transition used (storage/tickets.counter_items → domain/statistics.counter_deltas), so live
counters and recount agree unless a write was lost or a counter was edited by hand.

Which events: a month's counters hold the events of the tickets first dispatched in the month
(whenever those events happen) plus the pre-dispatch events that happened in the month. Both kinds
of ticket have an event in the month's `by_month` partition whose figures belong to the month, so:
read the month's events (one GSI partition), pick those tickets, read each one's history (Query).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, statistics
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy, work
from chalicelib.services.stats import check_month
from chalicelib.storage import counters
from chalicelib.storage.tickets import counter_items

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


def expected_counters(deps: Adapters, month: str) -> tuple[dict[tuple[str, str], int], dict[str, int]]:
    """(counter values rebuilt from the history, {events_read, tickets})."""
    prefix = f"{month}#"
    tickets: set[str] = set()
    events_read = 0
    for e in counters.month_events(deps.tickets, month):
        events_read += 1
        if statistics.stat_month(e.snapshot, e.at) == month:
            tickets.add(e.ticket_id)
    expected: dict[tuple[str, str], int] = defaultdict(int)
    for ticket_id in sorted(tickets):
        for e in counters.ticket_events(deps.tickets, ticket_id):
            events_read += 1
            for key, n in counter_items(e.type, e.data, e.snapshot, e.at).items():
                if key[0].startswith(prefix):
                    expected[key] += n
    return dict(expected), {"events_read": events_read, "tickets": len(tickets)}


def _partitions(deps: Adapters, month: str, expected: dict[tuple[str, str], int]) -> set[str]:
    """Every partition of the month that the recount or the live counters may hold."""
    pks = {pk for pk, _ in expected} | {
        f"{month}#{s}" for s in ("county", statistics.ENV_SCOPE, *statistics.INDEX_SCOPES)
    }
    pks |= {
        f"{month}#unit#{u}"
        for u in set(deps.directory.units()) | set(counters.read_index(deps.tickets, month, "units"))
    }
    pks |= {f"{month}#owner#{o}" for o in counters.read_index(deps.tickets, month, "owners")}
    return pks


def recount(deps: Adapters, month: str, *, repair: bool = True, now: datetime | None = None) -> dict[str, Any]:
    """Rebuild the month's counters; report every (pk, sk) where live ≠ recount; repair if asked.

    Repair overwrites the differing counters with the recount; run it when no transition is being
    written for that month's tickets (a transition committed during the recount may be overwritten).
    """
    month = check_month(month)
    expected, stats = expected_counters(deps, month)
    live = counters.read_many(deps.tickets, sorted(_partitions(deps, month, expected)))
    diffs = [
        {"pk": pk, "sk": sk, "counter": live.get((pk, sk), 0), "recount": expected.get((pk, sk), 0)}
        for pk, sk in sorted(set(live) | set(expected))
        if live.get((pk, sk), 0) != expected.get((pk, sk), 0)
    ]
    repairs = {(str(d["pk"]), str(d["sk"])): int(str(d["recount"])) for d in diffs}
    written = deps.tickets.overwrite_counters(repairs) if repair and diffs else 0
    return {
        "work": work.recount_figures(deps, month, repair=repair),  # office work's counters (R-WORK-06)
        "month": month,
        "events_read": stats["events_read"],
        "tickets": stats["tickets"],
        "counters": len(expected),
        "differences": diffs,
        "repaired": written,
        "at": now.isoformat() if now else None,
    }


def recount_for(deps: Adapters, actor: Actor, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """POST /admin/recount: admins rebuild (or with `dry_run` only compare) a month."""
    access.ensure_role(actor, Role.ADMIN)
    month, repair = str(body.get("month") or ""), not body.get("dry_run", False)
    result = recount(deps, month, repair=repair, now=now)
    summary = {k: v for k, v in result.items() if isinstance(v, int | str | bool | None)}
    summary["differences"] = len(result["differences"])
    privacy.log_change(deps, "recount_run", actor, now, target=month, before={"repair": repair}, after=summary)
    return result
