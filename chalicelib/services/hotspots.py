"""Monthly hot spots of 社情民意 (综合分析, R-12345-14): topics of the month's tickets, cached per month.

The month's tickets are found through the event log's month index (`TicketStore.month_events`, a Query of
the `by_month` GSI, like the recount): the 12345 tickets first dispatched that month (the month a ticket's
figures belong to, docs/statistics.md), then read by key (`get_many`, BatchGet). Never a read of the whole table. The result
is kept in one Directory item per month (`HOTSPOT#{month}` / `analysis`) and recomputed when an analyst or
leader asks (`POST /stats/hotspots/{month}/recompute`), when the topic rules change (`ALGORITHM_VERSION`),
or when it is stale: older than `STALE_AFTER` while the month is not yet settled (until `SETTLED_AFTER`
past its end its tickets may still be transferred or re-categorised). Confidential tickets are never read
into the analysis: not counted, never an example.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.documents.labels import label
from chalicelib.domain import access, hotspots, pii, statistics
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.services import stats

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PK = "HOTSPOT#"
SK = "analysis"
READ_ROLES = (Role.ANALYST, Role.LEADER, Role.ADMIN, Role.OPERATOR)
RECOMPUTE_ROLES = (Role.ANALYST, Role.LEADER)
BY = ("unit", "category")
STALE_AFTER = timedelta(hours=1)
SETTLED_AFTER = timedelta(days=7)
SHOW_COUNTY, SHOW_GROUP = 10, 5  # topics ranked per scope
KEEP_COUNTY, KEEP_GROUP = 1000, 200  # topic counts kept per scope (the next month's change reads them)
MAX_ITEM_BYTES = 300_000  # the cache item stays well under DynamoDB's 400 KB
TITLE_CHARS = 60


def check_month(value: Any, now: datetime) -> str:
    """A `YYYY-MM` month that has begun (Asia/Shanghai), or 422."""
    month = stats.check_month(value)
    if month > statistics.month_of(now):
        raise ValidationError({"month": "不能晚于本月（尚无工单）"})
    return month


def check_by(value: str | None) -> str | None:
    """`unit`, `category` or nothing (county only); 422 on anything else."""
    if not value:
        return None
    if value not in BY:
        raise ValidationError({"by": "须为 unit（按承办单位）或 category（按类别）"})
    return value


def _month_start(month: str) -> datetime:
    return datetime(int(month[:4]), int(month[5:]), 1, tzinfo=SHANGHAI)


def is_stale(cached: dict[str, Any], month: str, now: datetime) -> bool:
    """Whether a cached analysis must be recomputed before it is shown (module docstring)."""
    if cached.get("algorithm") != hotspots.ALGORITHM_VERSION:
        return True
    computed = datetime.fromisoformat(str(cached["computed_at"]))
    settled = _month_start(statistics.next_month(month)) + SETTLED_AFTER
    return computed < settled and now - computed > STALE_AFTER


# ---------------------------------------------------------------- computing a month


def month_tickets(deps: Adapters, month: str) -> tuple[list[Ticket], int]:
    """(the month's 12345 tickets, events read): first dispatched in the month, by the month index."""
    ids: list[str] = []
    events = 0
    for record in deps.tickets.month_events(month):
        events += 1
        if record["type"] == "dispatched":
            ids.append(str(record["ticket_id"]))
    tickets = [
        t
        for t in deps.tickets.get_many(sorted(set(ids)))
        if t.hotline != "12369"
        and t.first_dispatched_at is not None
        and statistics.month_of(t.first_dispatched_at) == month
    ]
    return sorted(tickets, key=lambda t: t.ticket_id), events


def _scope(tally: hotspots.Tally, phrases: frozenset[str], show: int, keep: int) -> dict[str, Any]:
    ranked = hotspots.ranking(tally.counts, phrases, show)
    kept = dict(tally.counts.most_common(keep))
    return {
        "tickets": tally.tickets,
        "top": [[topic, n, tally.examples.get(topic, [])] for topic, n in ranked],
        "counts": kept,
        "complete": len(kept) == len(tally.counts),
    }


def _document(
    analysis: hotspots.Analysis, titles: dict[str, str], keep: tuple[int, int], meta: dict[str, Any]
) -> dict[str, Any]:
    county = _scope(analysis.county, analysis.phrases, SHOW_COUNTY, keep[0])
    units = {k: _scope(v, analysis.phrases, SHOW_GROUP, keep[1]) for k, v in analysis.units.items()}
    categories = {k: _scope(v, analysis.phrases, SHOW_GROUP, keep[1]) for k, v in analysis.categories.items()}
    shown = {tid for s in (county, *units.values(), *categories.values()) for _, _, ids in s["top"] for tid in ids}
    return {
        **meta,
        "county": county,
        "units": units,
        "categories": categories,
        "titles": {tid: titles[tid] for tid in sorted(shown) if tid in titles},
    }


def compute(deps: Adapters, month: str, now: datetime, by: str = "system") -> dict[str, Any]:
    """Analyse the month from its tickets and store the result (the cache item); returns it."""
    tickets, events = month_tickets(deps, month)
    shown = [t for t in tickets if not t.confidential]
    docs = [hotspots.Doc(t.ticket_id, t.title, t.content, t.unit_id or "—", t.category) for t in shown]
    analysis = hotspots.analyse(docs)
    titles = {t.ticket_id: t.title[:TITLE_CHARS] for t in shown}
    meta = {
        "algorithm": hotspots.ALGORITHM_VERSION,
        "month": month,
        "computed_at": now.isoformat(),
        "computed_by": by,
        "tickets": len(shown),
        "confidential_excluded": len(tickets) - len(shown),
        "read": {"events": events, "tickets": len(tickets)},
    }
    keep = (KEEP_COUNTY, KEEP_GROUP)
    doc = _document(analysis, titles, keep, meta)
    while len(json.dumps(doc, ensure_ascii=False).encode()) > MAX_ITEM_BYTES and keep[1] > 10:
        keep = (keep[0] // 2, keep[1] // 2)
        doc = _document(analysis, titles, keep, meta)
    # no caller data in a report (R-12345-11): example titles pass the personal-data recogniser
    doc["titles"] = {tid: pii.redact(title) for tid, title in doc["titles"].items()}
    deps.directory.put_item(f"{PK}{month}", SK, doc)
    return doc


def cached(deps: Adapters, month: str, now: datetime) -> tuple[dict[str, Any], bool]:
    """(the month's analysis, whether it came from the cache): computed when missing or stale."""
    item = deps.directory.get_item(f"{PK}{month}", SK)
    if item is not None and not is_stale(item, month, now):
        return item, True
    return compute(deps, month, now), False


# ---------------------------------------------------------------- the view


def _previous(prev: dict[str, Any] | None, topic: str) -> int | None:
    """The topic's count in the previous month's scope: 0 when absent from a complete list or when the scope had
    no tickets that month; None when the scope's kept counts were cut and the topic is not among them."""
    if prev is None:
        return 0
    if topic in prev["counts"]:
        return int(prev["counts"][topic])
    return 0 if prev.get("complete", True) else None


def _topics(scope: dict[str, Any], prev: dict[str, Any] | None, titles: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {
            "rank": k,
            "topic": topic,
            "terms": hotspots.group_terms(topic),
            "count": n,
            **hotspots.change(n, _previous(prev, topic)),
            "examples": [{"id": tid, "title": titles.get(tid, "")} for tid in ids],
        }
        for k, (topic, n, ids) in enumerate(scope["top"], start=1)
    ]


def _groups(deps: Adapters, cur: dict[str, Any], prev: dict[str, Any], by: str) -> list[dict[str, Any]]:
    key = "units" if by == "unit" else "categories"
    units = deps.directory.units() if by == "unit" else {}
    out = []
    for gid, scope in sorted(cur[key].items(), key=lambda kv: (-kv[1]["tickets"], kv[0])):
        unit = units.get(gid, {})
        out.append(
            {
                "id": gid,
                "name": str(unit.get("name") or gid) if by == "unit" else label("category", gid),
                "kind": label("unit_kind", unit["kind"]) if unit.get("kind") else None,
                "tickets": scope["tickets"],
                "previous_tickets": prev[key].get(gid, {}).get("tickets", 0),
                "topics": _topics(scope, prev[key].get(gid), cur["titles"]),
            }
        )
    return out


def month_view(deps: Adapters, month: str, now: datetime, by: tuple[str, ...] = ()) -> dict[str, Any]:
    """The month's hot spots with the change against the previous month, county and the `by` breakdowns."""
    cur, from_cache = cached(deps, month, now)
    previous_month = statistics.previous_months(month, 2)[0]
    prev, _ = cached(deps, previous_month, now)
    return {
        "month": month,
        "previous_month": previous_month,
        "computed_at": cur["computed_at"],
        "computed_by": cur["computed_by"],
        "tickets": cur["tickets"],
        "previous_tickets": prev["tickets"],
        "confidential_excluded": cur["confidential_excluded"],
        "topics": _topics(cur["county"], prev["county"], cur["titles"]),
        "groups": {b: _groups(deps, cur, prev, b) for b in by},
        "read": {**cur["read"], "cached": from_cache},
    }


def hotspots_for(deps: Adapters, actor: Actor, params: dict[str, str], now: datetime) -> dict[str, Any]:
    """GET /stats/hotspots?month=&by= for staff."""
    access.ensure_role(actor, *READ_ROLES)
    month = check_month(params.get("month", ""), now)
    by = check_by(params.get("by"))
    view = month_view(deps, month, now, (by,) if by else ())
    return {**{k: v for k, v in view.items() if k != "groups"}, "by": by, "groups": view["groups"].get(by or "", [])}


def recompute_for(deps: Adapters, actor: Actor, month: str, params: dict[str, str], now: datetime) -> dict[str, Any]:
    """POST /stats/hotspots/{month}/recompute (analyst, leader): analyse the month again now."""
    access.ensure_role(actor, *RECOMPUTE_ROLES)
    month = check_month(month, now)
    by = check_by(params.get("by"))
    compute(deps, month, now, actor.user_id)
    return hotspots_for(deps, actor, {"month": month, **({"by": by} if by else {})}, now)
