"""Unit assessment scores (domain/assessment.py): weighted rates from the ticket counters, deductions, ranking."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain import assessment, statistics


def test_score_weights_the_rates_the_unit_has_and_deducts_per_case() -> None:
    counts = {"assigned": 10, "closures": 8, "closed_on_time": 6, "returns": 2, "returns_without_reason": 2}
    figures = statistics.figures(counts)
    version = {
        "weights": {"completion_rate": 30, "on_time_rate": 30, "satisfaction_rate": 20, "notices_on_time": 20},
        "deductions": {"returns_without_reason": 2},
    }
    result = assessment.score(figures, {"due": 2, "on_time": 1}, version)
    # completion 0.8, on time 0.75, notices 0.5; no callbacks: satisfaction has no cases and is left out
    assert result["base"] == round(100 * (30 * 0.8 + 30 * 0.75 + 20 * 0.5) / 80, 2)
    assert result["deducted"] == 4.0 and result["score"] == round(result["base"] - 4, 2)
    shown = {i["id"]: i for i in result["inputs"]}
    assert shown["satisfaction_rate"]["value"] is None and shown["returns_without_reason"]["value"] == 2
    assert shown["on_time_rate"]["label"] == "按期办结率" and shown["notices_on_time"]["label"] == "通知按时报送率"
    floor = assessment.score(figures, {}, dict(version, deductions={"returns_without_reason": 100}))
    assert floor["score"] == 0.0


def test_rank_shares_places_and_lists_the_unscored_last() -> None:
    rows = [{"name": n, "score": s} for n, s in (("乙", 90.0), ("甲", 95.0), ("丙", 90.0), ("丁", None), ("戊", 80.0))]
    assert [(r["name"], r["rank"]) for r in assessment.rank(rows)] == [
        ("甲", 1),
        ("丙", 2),
        ("乙", 2),
        ("戊", 4),
        ("丁", None),
    ]


def test_notice_counts_only_the_months_passed_deadlines() -> None:
    notices = [
        {"deadline": "2025-03-20T09:30:00+00:00", "units": {"U1": {"submitted_at": "x", "late": False}, "U2": {}}},
        {
            "deadline": "2025-03-31T17:00:00+00:00",
            "units": {"U1": {"submitted_at": "x", "late": True}},
        },  # 4月1日 Shanghai
        {"deadline": "2025-03-28T09:30:00+00:00", "units": {"U1": {}}},  # not passed yet at `now`
    ]
    counts = assessment.notice_counts(notices, "2025-03", datetime(2025, 3, 25, tzinfo=UTC))
    assert counts == {"U1": {"due": 1, "on_time": 1}, "U2": {"due": 1, "on_time": 0}}
    later = assessment.notice_counts(
        notices, "2025-03", datetime(2025, 4, 2, tzinfo=UTC)
    )  # 3月28日 passed; 4月1日 is April
    assert later == {"U1": {"due": 2, "on_time": 1}, "U2": {"due": 1, "on_time": 0}}
