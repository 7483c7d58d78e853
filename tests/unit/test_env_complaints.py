"""The 12369 workflow's pure parts: the spot-check draw, the 12369 counters and figures (R-12369-02…08)."""

from __future__ import annotations

from chalicelib.domain import env_complaints, statistics


def test_r12369_08_the_draw_is_reproducible_and_sized_by_the_rate() -> None:
    population = [f"T20261101-{n:05d}" for n in range(1, 41)]
    first = env_complaints.draw(population, 0.1, "12369-2026-11")
    assert first == env_complaints.draw(list(reversed(population)), 0.1, "12369-2026-11")  # order does not matter
    assert len(first) == 4 and first == sorted(first) and set(first) <= set(population)
    assert env_complaints.draw(population, 0.1, "another seed") != first
    assert env_complaints.draw(population[:3], 0.1, "s") != []  # at least one report when there are any
    assert env_complaints.draw([], 0.5, "s") == []
    assert env_complaints.draw(population, 1.0, "s") == population


def test_r12369_02_12369_events_move_only_the_12369_counters() -> None:
    env_doc = {"ticket_id": "T20261101-00001", "hotline": "12369", "unit_id": "U001", "owner_id": "op1"}
    assert statistics.counter_deltas("received", {}, env_doc) == {"hotline#12369": {"env_received": 1}}
    decided = statistics.counter_deltas("decided", {"kind": "accept", "on_time": True}, env_doc)
    assert decided == {"hotline#12369": {"env_decided": 1, "env_accepted": 1, "env_decided_on_time": 1}}
    assert statistics.counter_deltas("returned", {}, env_doc) == {}  # no 12345 figure moves
    doc_12345 = dict(env_doc, hotline="12345")
    assert "county" in statistics.counter_deltas("returned", {}, doc_12345)
    spot = statistics.counter_deltas("spot_checked", {"satisfaction": "unreachable"}, env_doc)
    assert spot == {"hotline#12369": {"env_spot_checked": 1}}  # unreachable: left out of the rate


def test_r12369_figures_have_numerators_and_denominators() -> None:
    counts = {"env_decided": 4, "env_accepted": 3, "env_spot_answered": 2, "env_spot_satisfied": 1}
    figures = statistics.figures(counts, statistics.ENV_FIGURES)
    assert figures["acceptance_rate"]["rate"] == 0.75 and figures["acceptance_rate"]["label"] == "受理率"
    assert figures["spot_satisfaction_rate"]["value"] == 0.5
    assert figures["finished_on_time_rate"]["rate"] is None  # nothing finished: no fake 0 %
