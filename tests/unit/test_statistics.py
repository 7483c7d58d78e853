"""R-12345-14 definitions (docs/statistics.md) on hand-computed fixtures: pure, no storage."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain import statistics as S


def run(events: list[tuple[str, dict[str, Any], dict[str, Any]]]) -> dict[str, dict[str, int]]:
    """Sum the deltas of a list of (type, data, ticket-after) like the counters do."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for event_type, data, ticket in events:
        for scope, metrics in S.counter_deltas(event_type, data, ticket).items():
            for metric, n in metrics.items():
                out[scope][metric] += n
    return out


T1 = {"ticket_id": "T1", "unit_id": "U001", "owner_id": "op1"}
T2 = {"ticket_id": "T2", "unit_id": "U002", "owner_id": "op1"}
T3 = {"ticket_id": "T3", "unit_id": "U001", "owner_id": "op2"}

# A hand-written month: 3 tickets.
#  T1: dispatched in 12 h to U001, returned without good reason, transferred to U002, closed on time, satisfied.
#  T2: dispatched late to U002, extension requested, reply rejected (false), closed late, caller unreachable.
#  T3: dispatched in 12 h to U001, marked overdue, closed on time (basically satisfied), then reassigned.
HISTORY = [
    ("received", {}, {"ticket_id": "T1"}),
    ("dispatched", {"within_12h": True}, T1),
    ("returned", {"unit_id": "U001"}, T1),
    (
        "transferred",
        {"from_unit_id": "U001", "unit_id": "U002", "other_unit": True, "good_reason": False},
        dict(T1, unit_id="U002"),
    ),
    ("closed", {"on_time": True, "satisfaction": "satisfied"}, dict(T1, unit_id="U002")),
    ("received", {}, {"ticket_id": "T2"}),
    ("dispatched", {"within_12h": False}, T2),
    ("extension_requested", {}, T2),
    ("extension_decided", {"approve": True}, T2),
    ("review_rejected", {"false_reply": True}, T2),
    ("closed", {"on_time": False, "satisfaction": "unreachable"}, T2),
    ("received", {}, {"ticket_id": "T3"}),
    ("dispatched", {"within_12h": True}, T3),
    ("marked_overdue", {}, T3),
    ("closed", {"on_time": True, "satisfaction": "basically_satisfied"}, T3),
    ("reassigned", {}, T3),
]


def test_r12345_14_county_figures_by_hand() -> None:
    f = S.figures(run(HISTORY)["county"])
    assert f["assigned"]["value"] == 3  # a transfer is not a second assignment in the county
    assert (f["completion_rate"]["numerator"], f["completion_rate"]["denominator"]) == (
        2,
        3,
    )  # 3 closures − 1 reassigned
    assert (f["on_time_rate"]["numerator"], f["on_time_rate"]["denominator"]) == (2, 3)
    # unreachable callers are left out of the satisfaction denominator and counted apart
    assert (f["satisfaction_rate"]["numerator"], f["satisfaction_rate"]["denominator"]) == (2, 2)
    assert f["satisfaction_rate"]["value"] == 1.0
    assert f["unreachable"]["value"] == 1
    assert f["returns"]["value"] == 1 and f["returns_without_reason"]["value"] == 1
    assert f["transfers"]["value"] == 1
    assert f["overdue"]["value"] == 1
    assert f["extension_requests"]["value"] == 1
    assert (f["dispatch_12h_rate"]["numerator"], f["dispatch_12h_rate"]["denominator"]) == (2, 3)
    assert f["dispatch_12h_rate"]["rate"] == 0.6667
    assert f["redo"]["value"] == 1
    assert run(HISTORY)["county"]["received"] == 3


def test_r12345_14_unit_figures_charge_the_transfer_to_the_unit_that_gave_it_up() -> None:
    counts = run(HISTORY)
    u1 = S.figures(counts["unit#U001"])
    u2 = S.figures(counts["unit#U002"])
    # U001: got T1 and T3, returned T1 without reason and lost it by transfer; still holds T3
    assert u1["assigned"]["value"] == 2
    assert u1["returns"]["value"] == 1 and u1["returns_without_reason"]["value"] == 1 and u1["transfers"]["value"] == 1
    assert (u1["completion_rate"]["numerator"], u1["completion_rate"]["denominator"]) == (0, 1)  # T3 reassigned
    # U002: T2 dispatched, T1 transferred in; both closed
    assert u2["assigned"]["value"] == 2 and u2["transfers"]["value"] == 0
    assert (u2["completion_rate"]["numerator"], u2["completion_rate"]["denominator"]) == (2, 2)
    assert (u2["on_time_rate"]["numerator"], u2["on_time_rate"]["denominator"]) == (1, 2)
    assert u2["redo"]["value"] == 1 and u2["extension_requests"]["value"] == 1


def test_r12345_03_dispatcher_figures_follow_the_owner() -> None:
    counts = run(HISTORY)
    op1 = S.figures(counts["owner#op1"])
    op2 = S.figures(counts["owner#op2"])
    assert op1["assigned"]["value"] == 2 and op2["assigned"]["value"] == 1
    assert (op1["dispatch_12h_rate"]["numerator"], op1["dispatch_12h_rate"]["denominator"]) == (1, 2)
    assert op1["transfers"]["value"] == 1
    assert sorted(counts["owners"]) == ["op1", "op2"] and sorted(counts["units"]) == ["U001", "U002"]


def test_units_and_dispatchers_add_up_to_the_county() -> None:
    counts = run(HISTORY)
    for metric in ("returns", "closures", "closed_on_time", "redo", "overdue", "extension_requests", "transfers"):
        assert sum(counts[f"unit#{u}"].get(metric, 0) for u in ("U001", "U002")) == counts["county"].get(metric, 0)
        assert sum(counts[f"owner#{o}"].get(metric, 0) for o in ("op1", "op2")) == counts["county"].get(metric, 0)


def test_a_rate_without_denominator_is_none_not_zero() -> None:
    f = S.figures({})
    assert f["completion_rate"] == {
        "label": "办结率",
        "kind": "rate",
        "numerator": 0,
        "denominator": 0,
        "rate": None,
        "value": None,
    }


def test_a_ticket_belongs_to_the_month_of_its_first_dispatch() -> None:
    late = datetime(2026, 4, 2, 1, 0, tzinfo=UTC)
    first = "2026-03-31T15:30:00+00:00"  # 23:30 Shanghai, March 31
    assert S.stat_month({"first_dispatched_at": first}, late) == "2026-03"
    # before any dispatch, an event counts in its own month (Asia/Shanghai): 16:30 UTC = 00:30 next day
    assert S.stat_month({"received_at": first}, datetime(2026, 3, 31, 16, 30, tzinfo=UTC)) == "2026-04"


def test_same_unit_redispatch_is_not_a_transfer_but_may_be_a_return_without_reason() -> None:
    counts = run(
        [("transferred", {"from_unit_id": "U001", "unit_id": "U001", "other_unit": False, "good_reason": False}, T1)]
    )
    assert "transfers" not in counts["county"] and counts["county"]["returns_without_reason"] == 1
    assert counts["unit#U001"]["returns_without_reason"] == 1


def test_closure_without_callback_counts_as_no_answer() -> None:
    counts = run([("closed", {"on_time": True, "satisfaction": None}, T1)])
    assert counts["county"]["sat_none"] == 1
    assert S.figures(counts["county"])["satisfaction_rate"]["denominator"] == 0


def test_events_that_do_not_move_figures_move_nothing() -> None:
    for event_type in (
        "signed",
        "replied",
        "reviewed",
        "submitted",
        "city_rejected",
        "call_recorded",
        "leader_decided",
        "instruction_recorded",
        "instruction_answered",
    ):
        assert S.counter_deltas(event_type, {}, T1) == {}


def test_every_metric_a_figure_uses_is_a_counter() -> None:
    used = {m for f in S.FIGURES for _, m in f.numerator + f.denominator}
    assert used <= set(S.METRICS)


def test_month_helpers() -> None:
    assert S.previous_months("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    assert S.next_month("2026-12") == "2027-01"
    assert S.sum_shards({"returns#0": 2, "returns#3": 1, "assigned#0": 4}) == {"returns": 3, "assigned": 4}


def test_r12345_08_overdue_of_the_dispatchers_stage_counts_for_county_and_owner_not_the_unit() -> None:
    unit_stage = run([("marked_overdue", {"stage": "unit"}, T1)])
    assert unit_stage["county"]["overdue"] == unit_stage["unit#U001"]["overdue"] == unit_stage["owner#op1"]["overdue"]
    dispatcher = run([("marked_overdue", {"stage": "dispatcher"}, T1)])
    assert dispatcher["county"]["overdue"] == dispatcher["owner#op1"]["overdue"] == 1
    assert "unit#U001" not in dispatcher and "units" not in dispatcher
