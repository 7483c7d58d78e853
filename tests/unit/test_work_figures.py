"""R-WORK-06: the monthly completion counters are written in the same transaction as every change of an
action item (by a person or by the sweep), and always equal the figures recounted from the items."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain import work
from chalicelib.domain.errors import DomainError, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import duty
from chalicelib.services import work as svc
from tests.helpers.clock import sh
from tests.helpers.fakes import fake_adapters

START = sh(2026, 11, 2, 9).astimezone(UTC)  # Monday
LEADER = Actor("leader1", "leader", name="陈建国")
PEOPLE = {"op1": Actor("op1", "operator", name="王敏"), "op2": Actor("op2", "operator", name="李强")}
STAFF = {"op1", "op2", "leader1"}


def office(monkeypatch: pytest.MonkeyPatch) -> Any:
    deps = fake_adapters()

    def account(deps: Any, field: str, user_id: str) -> dict[str, Any]:
        if user_id not in STAFF:
            raise ValidationError({field: f"用户 {user_id} 不存在"})
        return {"username": user_id, "name": user_id, "groups": ["operator"], "enabled": True}

    monkeypatch.setattr(svc, "account", account)
    for uid in STAFF:
        deps.directory.put_item(duty.STAFF, uid, {"name": uid, "phone": "13957601001"})
    return deps


STEP = st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["op1", "op2"]), st.integers(1, 40), st.booleans()),
    st.tuples(st.just("progress"), st.integers(0, 9)),
    st.tuples(st.just("complete"), st.integers(0, 9)),
    st.tuples(st.just("review"), st.integers(0, 9), st.booleans()),
    st.tuples(st.just("extend"), st.integers(0, 9), st.integers(1, 20), st.booleans()),
    st.tuples(st.just("delegate"), st.integers(0, 9)),
    st.tuples(
        st.just("sweep"),
    ),
    st.tuples(st.just("wait"), st.integers(1, 96)),
)


def run(deps: Any, steps: list[tuple[Any, ...]]) -> datetime:
    """Apply the steps as people and the sweep would; refused steps change nothing (as through the API)."""
    now, ids = START, []
    for step in steps:
        kind = step[0]
        try:
            if kind == "create":
                deadline = (now + timedelta(days=step[2])).astimezone(UTC).date().isoformat()
                body = {"title": "事项", "owner_id": step[1], "deadline": deadline, "deliverable": step[3]}
                ids.append(svc.create_action(deps, LEADER, body, now)["id"])
            elif kind == "sweep":
                svc.sweep(deps, now)
            elif kind == "wait":
                now += timedelta(hours=step[1])
            elif ids:
                action_id = ids[step[1] % len(ids)]
                owner = PEOPLE[deps.directory.get_item(svc.ACTION, action_id)["owner_id"]]
                if kind == "progress":
                    svc.act_on_action(deps, owner, action_id, "progress", {"note": "进展"}, now)
                elif kind == "complete":
                    svc.act_on_action(deps, owner, action_id, "complete", {"deliverable_ref": "成果.docx"}, now)
                elif kind == "review":
                    svc.act_on_action(deps, LEADER, action_id, "review", {"approve": step[2], "note": "退回"}, now)
                elif kind == "extend":
                    new = (now + timedelta(days=step[2])).astimezone(UTC).date().isoformat()
                    body = {"reason": "材料未齐", "new_deadline": new}
                    svc.act_on_action(deps, owner, action_id, "request-extension", body, now)
                    decision = {"approve": step[3], "note": "不同意"}
                    svc.act_on_action(deps, LEADER, action_id, "decide-extension", decision, now)
                elif kind == "delegate":
                    svc.act_on_action(deps, owner, action_id, "delegate", {"delegate_id": "op2"}, now)
        except DomainError:
            pass
    return now


def months(deps: Any) -> set[str]:
    return {work.figure_key(d)[0] for _, d in deps.directory.query_items(svc.ACTION)}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=40))
def test_r_work_06_counters_equal_the_recount_after_any_sequence(
    steps: list[tuple[Any, ...]], monkeypatch: pytest.MonkeyPatch
) -> None:
    deps = office(monkeypatch)
    now = run(deps, steps)
    items = [d for _, d in deps.directory.query_items(svc.ACTION)]
    for month in months(deps):
        assert svc.recount_figures(deps, month, repair=False)["differences"] == []
        stored = [{k: v for k, v in r.items() if k != "name"} for r in svc.figure_rows(deps, month, now)]
        assert stored == work.monthly(items, month, now)


def test_r_work_06_a_delay_and_its_lateness_are_counted_as_they_happen(monkeypatch: pytest.MonkeyPatch) -> None:
    deps = office(monkeypatch)
    created = svc.create_action(deps, LEADER, {"title": "报表", "owner_id": "op1", "deadline": "2026-11-06"}, START)
    month = "2026-11"
    assert [(r["due"], r["unfinished"], r["delayed"]) for r in svc.figure_rows(deps, month, START)] == [(1, 1, 0)]
    late = sh(2026, 11, 9, 17, 30).astimezone(UTC)  # 3 days after the 17:30 deadline
    svc.sweep(deps, late)
    (row,) = svc.figure_rows(deps, month, late)
    assert (row["delayed"], row["unfinished"], row["max_days_late"], row["rate"]) == (1, 1, 3.0, 0.0)
    (row,) = svc.figure_rows(deps, month, late + timedelta(days=3))
    assert row["max_days_late"] == 6.0 and row["flagged"]  # more than 5 days late, still open
    svc.act_on_action(deps, PEOPLE["op1"], created["id"], "complete", {}, late + timedelta(days=1))
    (row,) = svc.figure_rows(deps, month, late + timedelta(days=30))
    assert (row["unfinished"], row["max_days_late"], row["flagged"]) == (0, 4.0, False)  # frozen at completion


def test_r_work_06_the_recount_repairs_a_missing_or_wrong_row(monkeypatch: pytest.MonkeyPatch) -> None:
    deps = office(monkeypatch)
    svc.create_action(deps, LEADER, {"title": "报表", "owner_id": "op1", "deadline": "2026-11-06"}, START)
    deps.directory.put_item(svc._figure_pk("2026-11"), "op1", {"due": 5, "on_time": 0, "delayed": 0, "done": 0})
    report = svc.recount_figures(deps, "2026-11", repair=True)
    assert [d["owner_id"] for d in report["differences"]] == ["op1"] and report["repaired"] == 1
    assert svc.recount_figures(deps, "2026-11", repair=False)["differences"] == []
    assert [r["due"] for r in svc.figure_rows(deps, "2026-11", START)] == [1]


def test_r_work_06_the_month_is_read_with_one_query(monkeypatch: pytest.MonkeyPatch) -> None:
    deps = office(monkeypatch)
    for i in range(30):
        body = {"title": f"事项{i}", "owner_id": "op1" if i % 2 else "op2", "deadline": "2026-11-20"}
        svc.create_action(deps, LEADER, body, START)
    calls: list[str] = []
    original = deps.table.query

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(deps.table, "query", counted)
    rows = svc.figure_rows(deps, "2026-11", START)
    assert [r["due"] for r in rows] == [15, 15] and calls == [svc._figure_pk("2026-11")]
