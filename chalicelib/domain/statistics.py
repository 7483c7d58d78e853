"""Monthly statistics (R-12345-14): which counters each event moves. Definitions: docs/statistics.md.

A figure belongs to the month (Asia/Shanghai) of the event that moves it. Scopes: `county`,
`unit#{unit_id}`, `owner#{operator}`. The same function serves the live counters (written in the
transition's own transaction) and the recount from the event log, so both agree by construction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from chalicelib.domain.calendar import SHANGHAI

Deltas = dict[str, dict[str, int]]


def month_of(at: datetime) -> str:
    """`YYYY-MM` of an instant in Asia/Shanghai."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m")


def counter_deltas(event_type: str, data: Mapping[str, Any], ticket: Mapping[str, Any]) -> Deltas:
    """Counter increments for one event; `ticket` is the ticket after the event (plain fields)."""
    out: Deltas = defaultdict(dict)
    unit = ticket.get("unit_id")
    owner = ticket.get("owner_id")

    def add(metric: str, *, unit_id: str | None = unit, owner_id: str | None = owner) -> None:
        scopes = ["county"]
        if unit_id:
            scopes.append(f"unit#{unit_id}")
        if owner_id:
            scopes.append(f"owner#{owner_id}")
        for scope in scopes:
            out[scope][metric] = out[scope].get(metric, 0) + 1

    if event_type == "received":
        add("received", unit_id=None, owner_id=None)
    elif event_type == "dispatched":
        add("assigned")  # 交办总数
        if data.get("within_12h"):
            add("dispatched_in_12h")
    elif event_type == "transferred":
        if data.get("other_unit"):
            add("transfers", unit_id=data.get("from_unit_id"))  # 转办数, charged to the unit that gave it up
            add("assigned")
        if not data.get("good_reason", True):
            add("returns_without_reason", unit_id=data.get("from_unit_id"))
    elif event_type == "returned":
        add("returns")  # 退单数
    elif event_type == "extension_requested":
        add("extension_requests")  # 申请承诺件数
    elif event_type == "review_rejected":
        add("redo")
    elif event_type == "called_back":
        add("callbacks")
        add(f"satisfaction_{data.get('satisfaction')}")
    elif event_type == "closed":
        add("completed")  # 办结
        if data.get("on_time"):
            add("completed_on_time")
    elif event_type == "marked_overdue":
        add("overdue")  # 逾期办理数
    elif event_type == "marked_dispatch_overdue":
        add("dispatch_overdue")
    elif event_type == "reassigned":
        add("reassigned")
    return {k: v for k, v in out.items() if v}
