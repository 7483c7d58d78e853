"""Monthly statistics (R-12345-14): which counters each event moves, and the figures built on them.

Definitions, in words, with worked examples: docs/statistics.md. This module is the ONE place that
decides them: the live counters (written in the transition's own transaction by
storage/tickets.counter_items), the recount from the event log (services/recount.py), the API, the
Excel export and the printed monthly report all go through `counter_deltas` and `figures`.

Which month a figure belongs to (`stat_month`): a ticket belongs to the month (Asia/Shanghai) of its
first dispatch 交办; every figure of the ticket, whenever the event happens, is charged to that
month, so each rate compares like with like (of the tickets assigned in March, how many were
completed, on time, satisfied) and can never exceed 100 %. Only `received` (before any dispatch)
belongs to the month the ticket was entered.

Scopes: `county`, `unit#{unit_id}` (the unit holding the ticket when the event happens; a transfer
is charged to the unit that gave the ticket up), `owner#{dispatcher}` (R-12345-03: the dispatcher
owns the ticket throughout). Two index scopes list who had figures in a month so every report is a
Query: `units` (sk = unit id) and `owners` (sk = dispatcher id).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.domain.calendar import SHANGHAI

Deltas = dict[str, dict[str, int]]

SATISFIED = ("satisfied", "basically_satisfied")  # 满意 + 基本满意 count as satisfied
SATISFACTION_BUCKETS = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable", "none")

# Every counter metric (sk prefix). A report reads at most len(METRICS) × shards items per scope.
METRICS: tuple[str, ...] = (
    "received",
    "assigned",
    "dispatched_in_12h",
    "dispatch_overdue",
    "transfer_in",
    "transfer_out",
    "transfers",
    "returns",
    "returns_without_reason",
    "extension_requests",
    "extensions_approved",
    "redo",
    "false_replies",
    "closures",
    "closed_on_time",
    *(f"sat_{b}" for b in SATISFACTION_BUCKETS),
    "reassigned",
    "overdue",
    "duplicates",  # R-12345-18 重复诉求: tickets merged into a main ticket (并单)
    "unmerged",  # merges taken back
)
INDEX_SCOPES = ("units", "owners")

# The 12369 line's own counters (docs/statistics.md, "12369"): a 12369 report moves only these, in the
# one scope ENV_SCOPE, so every 12345 figure counts 12345 tickets only (every figure split by hotline).
ENV_SCOPE = "hotline#12369"
ENV_METRICS: tuple[str, ...] = (
    "env_received",
    "env_decided",
    "env_decided_on_time",
    "env_accepted",
    "env_not_accepted",
    "env_referred",
    "env_forwarded",
    "env_forwarded_on_time",
    "env_transfers",
    "env_extensions",
    "env_sent_back",
    "env_finished",
    "env_finished_on_time",
    "env_overdue",
    "env_supervised",
    "env_supervision_answered",
    "env_spot_sampled",
    "env_spot_checked",
    "env_spot_answered",
    "env_spot_satisfied",
)


def month_of(at: datetime) -> str:
    """`YYYY-MM` of an instant in Asia/Shanghai."""
    return at.astimezone(SHANGHAI).strftime("%Y-%m")


def _parse(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return None


def stat_month(ticket: Mapping[str, Any], at: datetime) -> str:
    """The month an event's figures belong to: the ticket's first dispatch 交办, else the event's own.

    Before its first dispatch a ticket's events count in their own month (only `received` moves a
    counter then: the month the ticket was entered, whatever `received_at` the city stated).
    """
    return month_of(_parse(ticket.get("first_dispatched_at")) or at)


# Events that move one counter in every scope of the ticket (unit holding it, its owner, county).
SIMPLE_EVENTS: dict[str, str] = {
    "returned": "returns",  # 退单数
    "extension_requested": "extension_requests",  # 申请承诺件数
    "reassigned": "reassigned",  # 重新交办: the closure no longer stands
    "marked_overdue": "overdue",  # 逾期办理数: the deadline sweep, open past handle_due (R-12345-08)
    "marked_dispatch_overdue": "dispatch_overdue",
}


# Events counted for the county only: entries, and R-12345-18 重复诉求 (merged before any unit held them).
COUNTY_ONLY: dict[str, str] = {"received": "received", "merged": "duplicates", "unmerged": "unmerged"}


def _conditional(event_type: str, data: Mapping[str, Any]) -> list[str]:
    """Metrics of the events whose counters depend on their data (same scopes as SIMPLE_EVENTS)."""
    if event_type == "received":
        return []  # county only, see counter_deltas
    if event_type == "dispatched":  # 交办 (first dispatch; dispatch only leaves `received`)
        return ["assigned"] + (["dispatched_in_12h"] if data.get("within_12h") else [])  # R-12345-01
    if event_type == "extension_decided":
        return ["extensions_approved"] if data.get("approve") else []
    if event_type == "review_rejected":  # 答复退回重办; 虚假反馈 (R-12345-10)
        return ["redo"] + (["false_replies"] if data.get("false_reply") else [])
    if event_type == "closed":  # the city accepted the result: 办结
        bucket = data.get("satisfaction")
        return (
            ["closures"]
            + (["closed_on_time"] if data.get("on_time") else [])
            + [f"sat_{bucket if bucket in SATISFACTION_BUCKETS else 'none'}"]
        )
    return []


def _transferred(add: Any, data: Mapping[str, Any]) -> None:
    """Re-dispatch of a returned ticket (same or other unit)."""
    from_unit = data.get("from_unit_id")
    if data.get("other_unit"):  # 转办数: to another unit, charged to the unit that gave it up
        add("transfers", unit_id=from_unit)
        add("transfer_out", unit_id=from_unit, county=False, to_owner=False)
        add("transfer_in", county=False, to_owner=False)
    if data.get("good_reason") is False:  # 无故退单 (R-12345-10), judged by the dispatcher
        add("returns_without_reason", unit_id=from_unit)


def counter_deltas(event_type: str, data: Mapping[str, Any], ticket: Mapping[str, Any]) -> Deltas:
    """Counter increments for one event; `ticket` is the ticket after the event (plain fields).

    Pure and deterministic: the recount feeds it the stored event (type, data, snapshot) and gets
    exactly what the transition wrote.
    """
    if ticket.get("hotline") == "12369":  # every figure split by hotline (docs/statistics.md, "12369")
        return env_deltas(event_type, data)
    if ticket.get("merge") and event_type != "merged":
        return {}  # R-12345-18: a merged duplicate counts once, in its main ticket's figures
    return _deltas_12345(event_type, data, ticket)


def _charged_unit(event_type: str, data: Mapping[str, Any], ticket: Mapping[str, Any]) -> str | None:
    """The unit an event is charged to: the one holding the ticket, none for an overdue of the dispatcher's
    stage (R-12345-08: the unit had replied; the dispatcher held the ticket past its due)."""
    if event_type == "marked_overdue" and data.get("stage") == "dispatcher":
        return None
    return ticket.get("unit_id")


def _deltas_12345(event_type: str, data: Mapping[str, Any], ticket: Mapping[str, Any]) -> Deltas:
    out: Deltas = defaultdict(dict)
    unit = _charged_unit(event_type, data, ticket)
    owner = ticket.get("owner_id")

    def bump(scope: str, key: str) -> None:
        out[scope][key] = out[scope].get(key, 0) + 1

    def add(metric: str, *, unit_id: str | None = unit, county: bool = True, to_owner: bool = True) -> None:
        if county:
            bump("county", metric)
        if unit_id:
            bump(f"unit#{unit_id}", metric)
            bump("units", unit_id)
        if owner and to_owner:
            bump(f"owner#{owner}", metric)
            bump("owners", owner)

    if event_type in COUNTY_ONLY:
        add(COUNTY_ONLY[event_type], unit_id=None, to_owner=False)
    elif event_type == "transferred":
        _transferred(add, data)
    elif event_type in SIMPLE_EVENTS:
        add(SIMPLE_EVENTS[event_type])
    else:
        for metric in _conditional(event_type, data):
            add(metric)
    return {k: v for k, v in out.items() if v}


def _if(flag: str, metric: str) -> Any:
    return lambda d: [metric] if d.get(flag) else []


_DECISION_METRIC = {"accept": "env_accepted", "not_accepted": "env_not_accepted", "refer": "env_referred"}
_ANSWERED_SPOT = ("satisfied", "basically_satisfied", "dissatisfied")

# 12369 event type → the metrics it moves given its data (R-12369-02…08)
_ENV_EVENTS: dict[str, Any] = {
    "received": lambda d: ["env_received"],
    "decided": lambda d: (
        ["env_decided", _DECISION_METRIC.get(str(d.get("kind")), "env_referred")]
        + _if("on_time", "env_decided_on_time")(d)
    ),
    "forwarded": lambda d: ["env_forwarded"] + _if("on_time", "env_forwarded_on_time")(d),
    "transferred": _if("other_unit", "env_transfers"),
    "extension_decided": _if("approve", "env_extensions"),
    "sent_back": lambda d: ["env_sent_back"],
    "signed_off": lambda d: ["env_finished"] + _if("on_time", "env_finished_on_time")(d),
    "env_forward_overdue": lambda d: ["env_overdue"] + _if("supervision", "env_supervised")(d),
    "env_finish_overdue": lambda d: ["env_overdue"] + _if("supervision", "env_supervised")(d),
    "supervision_opened": lambda d: ["env_supervised"],
    "supervision_answered": lambda d: ["env_supervision_answered"],
    "spot_sampled": lambda d: ["env_spot_sampled"],
    "spot_checked": lambda d: (
        ["env_spot_checked"]
        + (["env_spot_answered"] if d.get("satisfaction") in _ANSWERED_SPOT else [])
        + (["env_spot_satisfied"] if d.get("satisfaction") in SATISFIED else [])
        + _if("supervision", "env_supervised")(d)
    ),
}


def env_deltas(event_type: str, data: Mapping[str, Any]) -> Deltas:
    """Counter increments of one 12369 event (R-12369-02…08), all in ENV_SCOPE."""
    rule = _ENV_EVENTS.get(event_type)
    metrics: list[str] = rule(data) if rule else []
    counts: dict[str, int] = {}
    for metric in metrics:
        counts[metric] = counts.get(metric, 0) + 1
    return {ENV_SCOPE: counts} if counts else {}


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figure:
    """One published figure: numerator / denominator over summed counters (docs/statistics.md)."""

    id: str
    label: str
    kind: str  # "count" | "rate"
    numerator: tuple[tuple[int, str], ...]  # (sign, metric)
    denominator: tuple[tuple[int, str], ...]
    rule: str = "R-12345-14"


_ASSIGNED = ((1, "assigned"), (1, "transfer_in"))
_HELD = ((1, "assigned"), (1, "transfer_in"), (-1, "transfer_out"))
_COMPLETED = ((1, "closures"), (-1, "reassigned"))
_ANSWERED = ((1, "sat_satisfied"), (1, "sat_basically_satisfied"), (1, "sat_dissatisfied"))

FIGURES: tuple[Figure, ...] = (
    Figure("assigned", "交办总数", "count", _ASSIGNED, _ASSIGNED),
    Figure("completion_rate", "办结率", "rate", _COMPLETED, _HELD),
    Figure("on_time_rate", "按期办结率", "rate", ((1, "closed_on_time"),), ((1, "closures"),), "R-12345-08"),
    Figure(
        "satisfaction_rate",
        "满意率",
        "rate",
        ((1, "sat_satisfied"), (1, "sat_basically_satisfied")),
        _ANSWERED,
        "R-12345-05",
    ),
    Figure("unreachable", "回访无法联系数", "count", ((1, "sat_unreachable"),), ((1, "closures"),), "R-12345-05"),
    Figure("returns", "退单数", "count", ((1, "returns"),), _ASSIGNED),
    Figure(
        "returns_without_reason",
        "无故退单数",
        "count",
        ((1, "returns_without_reason"),),
        ((1, "returns"),),
        "R-12345-10",
    ),
    Figure("transfers", "转办数", "count", ((1, "transfers"),), _ASSIGNED),
    Figure("overdue", "逾期办理数", "count", ((1, "overdue"),), _ASSIGNED, "R-12345-08"),
    Figure("extension_requests", "申请承诺件数", "count", ((1, "extension_requests"),), _ASSIGNED),
    Figure(
        "dispatch_12h_rate", "12小时内派单率", "rate", ((1, "dispatched_in_12h"),), ((1, "assigned"),), "R-12345-01"
    ),
    Figure("redo", "答复退回重办数", "count", ((1, "redo"),), _ASSIGNED, "R-12345-06"),
    Figure(
        "duplicates", "重复诉求数", "count", ((1, "duplicates"), (-1, "unmerged")), ((1, "received"),), "R-12345-18"
    ),
)
FIGURE_IDS = tuple(f.id for f in FIGURES)
FIGURE_LABELS = {f.id: f.label for f in FIGURES}

# The 12369 line's figures (docs/statistics.md, "12369"), over ENV_METRICS.
ENV_FIGURES: tuple[Figure, ...] = (
    Figure("env_received", "举报受理登记数", "count", ((1, "env_received"),), ((1, "env_received"),), "R-12369-01"),
    Figure("acceptance_rate", "受理率", "rate", ((1, "env_accepted"),), ((1, "env_decided"),), "R-12369-02"),
    Figure(
        "decided_on_time_rate", "按期受理率", "rate", ((1, "env_decided_on_time"),), ((1, "env_decided"),), "R-12369-03"
    ),
    Figure(
        "forwarded_on_time_rate",
        "按期转送率",
        "rate",
        ((1, "env_forwarded_on_time"),),
        ((1, "env_forwarded"),),
        "R-12369-04",
    ),
    Figure(
        "finished_on_time_rate",
        "按期办结率",
        "rate",
        ((1, "env_finished_on_time"),),
        ((1, "env_finished"),),
        "R-12369-05",
    ),
    Figure("not_accepted", "不予受理数", "count", ((1, "env_not_accepted"),), ((1, "env_decided"),), "R-12369-02"),
    Figure("referred", "移送数", "count", ((1, "env_referred"),), ((1, "env_decided"),), "R-12369-02"),
    Figure("extensions", "延期数", "count", ((1, "env_extensions"),), ((1, "env_accepted"),), "R-12369-05"),
    Figure("sent_back", "签发退回数", "count", ((1, "env_sent_back"),), ((1, "env_finished"),), "R-12369-06"),
    Figure("supervised", "督办数", "count", ((1, "env_supervised"),), ((1, "env_accepted"),), "R-12369-07"),
    Figure(
        "spot_satisfaction_rate",
        "抽查满意率",
        "rate",
        ((1, "env_spot_satisfied"),),
        ((1, "env_spot_answered"),),
        "R-12369-08",
    ),
)
ENV_FIGURE_IDS = tuple(f.id for f in ENV_FIGURES)


def _sum(terms: tuple[tuple[int, str], ...], counts: Mapping[str, int]) -> int:
    return sum(sign * int(counts.get(metric, 0)) for sign, metric in terms)


def figures(counts: Mapping[str, int], table: tuple[Figure, ...] = FIGURES) -> dict[str, dict[str, Any]]:
    """Every figure of one scope and month: `{id: {label, kind, value, numerator, denominator, rate}}`.

    `value` is the count for counts and the rate (0–1, None when the denominator is 0) for rates;
    `rate` is always numerator / denominator (None when undefined).
    """
    out: dict[str, dict[str, Any]] = {}
    for f in table:
        num = _sum(f.numerator, counts)
        den = _sum(f.denominator, counts)
        rate = round(num / den, 4) if den > 0 else None
        out[f.id] = {
            "label": f.label,
            "kind": f.kind,
            "numerator": num,
            "denominator": den,
            "rate": rate,
            "value": rate if f.kind == "rate" else num,
        }
    return out


def sum_shards(items: Mapping[str, int]) -> dict[str, int]:
    """`{"metric#shard": n}` → `{"metric": total}`."""
    out: dict[str, int] = {}
    for sk, n in items.items():
        metric = sk.rsplit("#", 1)[0]
        out[metric] = out.get(metric, 0) + int(n)
    return out


def parse_month(value: Any) -> str:
    """A valid `YYYY-MM` or ValueError."""
    if not isinstance(value, str) or len(value) != 7 or value[4] != "-":
        raise ValueError("month must be YYYY-MM")
    year, month = int(value[:4]), int(value[5:])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("month must be YYYY-MM")
    return value


def previous_months(month: str, n: int) -> list[str]:
    """The `n` months ending with `month`, oldest first."""
    year, mon = int(month[:4]), int(month[5:])
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{mon:02d}")
        mon -= 1
        if mon == 0:
            year, mon = year - 1, 12
    return out[::-1]


def next_month(month: str) -> str:
    """The month after `month`."""
    year, mon = int(month[:4]), int(month[5:])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
