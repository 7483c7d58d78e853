"""Due dates and alerts (R-12345-01/04/08/09/12, time limits, R-12369-03/04/05)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import Deadline, Overrides, WorkCalendar
from chalicelib.domain.deadlines import (
    DEFAULT_LIMITS,
    DISPATCH_PENDING,
    DISPATCH_WARNING,
    DISPATCH_WINDOW,
    DISPATCHER_STAGE,
    HANDLE_PENDING,
    REASSIGN_WORKING_DAYS,
    UNIT_STAGE,
    URGENT_LIMIT,
    Alert,
    act_due,
    alert_schedule,
    dispatch_due,
    env_decision_due,
    env_finish_due,
    env_forward_due,
    handle_due,
    next_alert,
    reassign_due,
)
from tests.helpers.clock import at_close, at_open, sh

CAL = WorkCalendar()


# --- constants ----------------------------------------------------------------------


def test_handling_time_limits_defaults() -> None:
    assert DEFAULT_LIMITS == {
        "consult": 2,
        "help": 5,
        "complaint": 5,
        "report": 10,
        "suggestion": 10,
        "praise": 2,
    }
    assert URGENT_LIMIT == timedelta(hours=24)
    assert REASSIGN_WORKING_DAYS == 3
    assert DISPATCH_WINDOW == timedelta(hours=12)
    assert DISPATCH_WARNING == timedelta(hours=2)


# --- R-12345-01 dispatch ------------------------------------------------------------


def test_r12345_01_dispatch_due_12_clock_hours_across_the_night() -> None:
    due = dispatch_due(sh(2026, 3, 9, 20, 0))
    assert due == sh(2026, 3, 10, 8, 0)
    assert due.tzinfo is UTC


def test_r12345_01_dispatch_due_counts_holidays_as_clock_time() -> None:
    assert dispatch_due(sh(2026, 10, 1, 9, 15)) == sh(2026, 10, 1, 21, 15)
    # unknown year: still clock time
    assert dispatch_due(sh(2026, 12, 31, 18, 0)) == sh(2027, 1, 1, 6, 0)


def test_r12345_01_dispatch_due_refuses_naive() -> None:
    with pytest.raises(ValueError):
        dispatch_due(datetime(2026, 3, 9, 20, 0))


# --- handling time limits -----------------------------------------------------------


def test_handling_time_limits_category_default_in_working_days() -> None:
    start = sh(2026, 9, 29, 15)
    assert handle_due(CAL, start=start, category="consult") == Deadline(at_close(2026, 10, 8), False)
    assert handle_due(CAL, start=start, category="complaint").at == at_close(2026, 10, 12)
    assert handle_due(CAL, start=start, category="report").at == at_close(2026, 10, 19)


def test_handling_time_limits_admin_limits_replace_defaults() -> None:
    due = handle_due(CAL, start=sh(2026, 3, 9, 10), category="consult", limits={"consult": 1})
    assert due.at == at_close(2026, 3, 10)


def test_handling_time_limits_unknown_category_refused() -> None:
    with pytest.raises(ValueError):
        handle_due(CAL, start=sh(2026, 3, 9, 10), category="nonsense")


def test_handling_time_limits_urgent_is_24_clock_hours_not_provisional() -> None:
    due = handle_due(CAL, start=sh(2026, 12, 31, 10), category="report", urgent=True)
    assert due == Deadline(at=sh(2027, 1, 1, 10).astimezone(UTC), provisional=False)


def test_handling_time_limits_city_limit_days_beats_urgent_and_category() -> None:
    due = handle_due(
        CAL,
        start=sh(2026, 9, 30, 10),
        category="report",
        urgent=True,
        city_limit_days=3,
    )
    assert due == Deadline(at=at_close(2026, 10, 10), provisional=False)


def test_handling_time_limits_city_due_wins_and_is_not_provisional() -> None:
    city = sh(2027, 2, 3, 12, 0)
    due = handle_due(
        CAL,
        start=sh(2026, 12, 30, 10),
        category="report",
        urgent=True,
        city_limit_days=3,
        city_due=city,
    )
    assert due == Deadline(at=city.astimezone(UTC), provisional=False)
    assert due.at.tzinfo is UTC


def test_handling_time_limits_provisional_across_year_end() -> None:
    due = handle_due(CAL, start=sh(2026, 12, 30, 10), category="consult")
    assert due == Deadline(at=at_close(2027, 1, 1), provisional=True)


# --- R-12345-09 re-assignment -------------------------------------------------------


def test_r12345_09_reassigned_on_0930_due_on_make_up_saturday_1010() -> None:
    assert reassign_due(CAL, sh(2026, 9, 30, 10)) == Deadline(at=at_close(2026, 10, 10), provisional=False)


def test_r12345_09_reassigned_late_evening_still_counts_from_next_day() -> None:
    assert reassign_due(CAL, sh(2026, 3, 9, 23, 30)).at == at_close(2026, 3, 12)


def test_r12345_09_reassigned_over_2027_new_year_uses_admin_override() -> None:
    cal = WorkCalendar(Overrides(days={date(2027, 1, 1): False}, confirmed_years=frozenset({2027})))
    assert reassign_due(cal, sh(2026, 12, 30, 10)) == Deadline(at=at_close(2027, 1, 5), provisional=False)


# --- R-12369 ------------------------------------------------------------------------


def test_r12369_03_decision_within_15_calendar_days() -> None:
    assert env_decision_due(sh(2026, 9, 28, 10)) == sh(2026, 10, 13, 10)


def test_r12369_04_forward_within_3_working_days() -> None:
    assert env_forward_due(CAL, sh(2026, 9, 30, 10)) == Deadline(at=at_close(2026, 10, 10), provisional=False)


def test_r12369_05_finish_within_60_days_one_extension_of_at_most_30() -> None:
    accepted = sh(2026, 3, 1, 10)
    assert env_finish_due(accepted) == sh(2026, 4, 30, 10)
    assert env_finish_due(accepted, timedelta(days=30)) == sh(2026, 5, 30, 10)
    with pytest.raises(ValueError):
        env_finish_due(accepted, timedelta(days=31))


# --- alert schedule (R-12345-04, R-12345-08, R-12345-12) ----------------------------


def test_r12345_12_alert_key_is_kind_and_deadline_in_utc() -> None:
    alert = Alert("handle_overdue", sh(2026, 10, 10, 17, 30), sh(2026, 10, 10, 17, 30))
    assert alert.key == "handle_overdue#2026-10-10T09:30:00+00:00"
    assert alert.at.tzinfo is UTC and alert.deadline.tzinfo is UTC


def test_r12345_12_received_ticket_gets_dispatch_warning_then_overdue() -> None:
    due = dispatch_due(sh(2026, 3, 9, 20, 0))
    alerts = alert_schedule(CAL, status="received", dispatch_due=due, handle_due=None)
    assert [(a.kind, a.at) for a in alerts] == [
        ("dispatch_warning", sh(2026, 3, 10, 6, 0)),
        ("dispatch_overdue", sh(2026, 3, 10, 8, 0)),
    ]
    assert all(a.deadline == due for a in alerts)


@pytest.mark.parametrize("status", sorted(UNIT_STAGE))
def test_r12345_04_handling_ticket_gets_reminder_on_working_day_before_then_overdue(
    status: str,
) -> None:
    due = at_close(2026, 10, 8)
    alerts = alert_schedule(CAL, status=status, dispatch_due=sh(2026, 9, 28, 22), handle_due=due)
    assert [(a.kind, a.at) for a in alerts] == [
        ("handle_reminder", at_open(2026, 9, 30)),
        ("handle_overdue", due),
    ]


@pytest.mark.parametrize("status", sorted(DISPATCHER_STAGE))
def test_r12345_08_dispatcher_stage_gets_submit_reminder_then_overdue_not_the_unit_reminder(status: str) -> None:
    # R-12345-04: no "phone the unit" reminder once replied; R-12345-08: the owner is reminded to submit
    due = at_close(2026, 10, 8)
    alerts = alert_schedule(CAL, status=status, dispatch_due=sh(2026, 9, 28, 22), handle_due=due)
    assert [(a.kind, a.at) for a in alerts] == [
        ("submit_reminder", at_open(2026, 9, 30)),
        ("handle_overdue", due),
    ]


def test_r12345_08_overdue_is_one_alert_per_due_across_stages() -> None:
    due = at_close(2026, 10, 8)
    done = [a.key for a in alert_schedule(CAL, status="handling", dispatch_due=None, handle_due=due)]
    # overdue already marked while handling: reviewed later brings only the owner's reminder, never a 2nd overdue
    alert = next_alert(CAL, status="reviewed", dispatch_due=None, handle_due=due, done=done)
    assert alert is not None and alert.kind == "submit_reminder"
    assert next_alert(CAL, status="reviewed", dispatch_due=None, handle_due=due, done=[*done, alert.key]) is None


@pytest.mark.parametrize("status", ["submitted", "closed"])
def test_r12345_08_no_alerts_once_submitted_or_beyond(status: str) -> None:
    assert alert_schedule(CAL, status=status, dispatch_due=sh(2026, 3, 9), handle_due=sh(2026, 3, 20)) == []


def test_r12345_12_pending_sets() -> None:
    assert DISPATCH_PENDING == frozenset({"received"})
    assert UNIT_STAGE == frozenset({"dispatched", "handling", "extension_requested", "returned"})
    assert DISPATCHER_STAGE == frozenset({"replied", "reviewed", "called_back"})
    assert HANDLE_PENDING == UNIT_STAGE | DISPATCHER_STAGE


@pytest.mark.parametrize(
    ("status", "warning", "overdue"),
    [
        ("returned", "transfer_warning", "transfer_overdue"),
        ("replied", "review_warning", "review_overdue"),
    ],
)
def test_r12345_12_twelve_hour_clock_on_returned_and_replied(status: str, warning: str, overdue: str) -> None:
    entered = sh(2026, 3, 7, 22, 0)  # a Saturday night: clock hours, nights and holidays included
    clock = act_due(status, entered)
    assert clock == sh(2026, 3, 8, 10, 0)
    alerts = alert_schedule(CAL, status=status, dispatch_due=None, handle_due=at_close(2026, 3, 20), act_due=clock)
    assert [(a.kind, a.at) for a in alerts][:2] == [(warning, sh(2026, 3, 8, 8, 0)), (overdue, clock)]
    assert act_due("handling", entered) is None and act_due(status, None) is None


def test_r12345_12_missing_deadline_means_no_alert() -> None:
    assert alert_schedule(CAL, status="received", dispatch_due=None, handle_due=None) == []
    assert alert_schedule(CAL, status="handling", dispatch_due=None, handle_due=None) == []


def test_r12345_04_urgent_reminder_may_precede_start_but_stays_before_due() -> None:
    # urgent: received Tue 10:00, due Wed 10:00; reminder Tue 08:30 (due at once)
    due = handle_due(CAL, start=sh(2026, 3, 10, 10), category="help", urgent=True).at
    alerts = alert_schedule(CAL, status="handling", dispatch_due=None, handle_due=due)
    assert [a.kind for a in alerts] == ["handle_reminder", "handle_overdue"]
    assert alerts[0].at == at_open(2026, 3, 10)


def test_r12345_12_next_alert_skips_done_keys() -> None:
    due = dispatch_due(sh(2026, 3, 9, 20, 0))
    kwargs = {"status": "received", "dispatch_due": due, "handle_due": None}
    first = next_alert(CAL, done=[], **kwargs)
    assert first is not None and first.kind == "dispatch_warning"
    second = next_alert(CAL, done={first.key}, **kwargs)
    assert second is not None and second.kind == "dispatch_overdue"
    assert next_alert(CAL, done=(first.key, second.key), **kwargs) is None


def test_r12345_12_moved_deadline_re_arms_alerts() -> None:
    # extension approved: handle_due moved, so the old done keys no longer match
    old = at_close(2026, 3, 13)
    done = [a.key for a in alert_schedule(CAL, status="handling", dispatch_due=None, handle_due=old)]
    assert next_alert(CAL, status="handling", dispatch_due=None, handle_due=old, done=done) is None
    new = at_close(2026, 3, 20)
    alert = next_alert(CAL, status="handling", dispatch_due=None, handle_due=new, done=done)
    assert alert == Alert("handle_reminder", at_open(2026, 3, 19), new)


def test_r12345_12_next_alert_after_dispatch_switches_to_handle_alerts() -> None:
    dispatch = dispatch_due(sh(2026, 9, 28, 10))
    handle = handle_due(CAL, start=sh(2026, 9, 28, 12), category="consult").at
    received = next_alert(CAL, status="received", dispatch_due=dispatch, handle_due=handle, done=())
    assert received is not None and received.kind == "dispatch_warning"
    dispatched = next_alert(CAL, status="dispatched", dispatch_due=dispatch, handle_due=handle, done=())
    assert dispatched == Alert("handle_reminder", at_open(2026, 9, 29), at_close(2026, 9, 30))


_instants = st.datetimes(
    min_value=datetime(2025, 6, 1),
    max_value=datetime(2027, 6, 1),
    timezones=st.just(UTC),
)


@settings(max_examples=150, deadline=None)
@given(
    start=_instants,
    category=st.sampled_from(sorted(DEFAULT_LIMITS)),
    status=st.sampled_from(sorted(DISPATCH_PENDING | HANDLE_PENDING | {"closed"})),
)
def test_r12345_12_property_schedule_sorted_and_alerts_not_after_deadline(
    start: datetime, category: str, status: str
) -> None:
    dispatch = dispatch_due(start)
    handle = handle_due(CAL, start=start, category=category).at
    alerts = alert_schedule(CAL, status=status, dispatch_due=dispatch, handle_due=handle)
    assert [a.at for a in alerts] == sorted(a.at for a in alerts)
    assert all(a.at <= a.deadline for a in alerts)
    assert len({a.key for a in alerts}) == len(alerts)
    expected = 2 if status in DISPATCH_PENDING | HANDLE_PENDING else 0
    assert len(alerts) == expected
