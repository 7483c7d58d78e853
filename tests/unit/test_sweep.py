"""Deadline sweep domain (R-12345-01/04/08/09/10/12) and calendar confirmation: pure, clock injected."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.domain import deadlines, statistics, sweep
from chalicelib.domain.calendar import SHANGHAI, Overrides, WorkCalendar
from chalicelib.domain.model import Ticket
from chalicelib.domain.tickets import Context, next_alert
from chalicelib.storage.serialize import ticket_to_doc

CAL = WorkCalendar()
CTX = Context(calendar=CAL)


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        ticket_id="T20260930-00001",
        hotline="12345",
        source="phone",
        channel="phone",
        category="complaint",
        title="噪音",
        content="夜间施工",
        received_at=sh(2026, 9, 30, 10).astimezone(UTC),
        created_by="op1",
    )
    return base.with_changes(**changes)


def test_r12345_09_reassigned_on_2026_09_30_due_on_make_up_saturday_2026_10_10() -> None:
    due = deadlines.reassign_due(CAL, sh(2026, 9, 30, 10))
    # National Day 10-01…10-07 off; 10-08, 10-09 and the make-up Saturday 10-10 are the three days.
    assert due.at == sh(2026, 10, 10, 17, 30).astimezone(UTC) and not due.provisional


def test_r12345_04_reminder_on_the_working_day_before_due_at_office_opening() -> None:
    due = sh(2026, 10, 12, 17, 30)  # Monday after the make-up Saturday and a Sunday off
    assert CAL.reminder_at(due).at == sh(2026, 10, 10, 8, 30).astimezone(UTC)
    due_after_holiday = sh(2026, 10, 8, 17, 30)  # first working day after National Day
    assert CAL.reminder_at(due_after_holiday).at == sh(2026, 9, 30, 8, 30).astimezone(UTC)


def test_working_days_deadline_landing_in_an_unconfirmed_year_is_provisional() -> None:
    due = CAL.add_working_days(sh(2026, 12, 28, 10), 5)
    assert due.provisional  # 2027 unknown to the package: Mon–Fri fallback, shown as provisional
    confirmed = WorkCalendar(Overrides(confirmed_years=frozenset({2027})))
    assert not confirmed.add_working_days(sh(2026, 12, 28, 10), 5).provisional


def test_calendar_unconfirmed_warning_from_1_november_of_the_year_before() -> None:
    assert CAL.unconfirmed_years(date(2026, 10, 31)) == []
    assert CAL.unconfirmed_years(date(2026, 11, 1)) == [2027]


def test_r12345_12_dispatch_warning_then_overdue_flagged_and_counted() -> None:
    t = ticket(dispatch_due=sh(2026, 9, 30, 22).astimezone(UTC))
    assert sweep.due_alert(t, CTX, sh(2026, 9, 30, 19, 59)) is None
    alert = sweep.due_alert(t, CTX, sh(2026, 9, 30, 20, 0))
    assert alert is not None and alert.kind == "dispatch_warning"
    warned = sweep.apply_alert(t, alert, sh(2026, 9, 30, 20, 0))
    assert warned.event_type == "dispatch_warned" and warned.data["late"] is False
    assert alert.key in warned.after.alerts_done and not warned.after.flags
    overdue_alert = sweep.due_alert(warned.after, CTX, sh(2026, 9, 30, 22, 0))
    assert overdue_alert is not None and overdue_alert.kind == "dispatch_overdue"
    overdue = sweep.apply_alert(warned.after, overdue_alert, sh(2026, 9, 30, 22, 0))
    assert overdue.event_type == "marked_dispatch_overdue" and "dispatch_overdue" in overdue.after.flags
    deltas = statistics.counter_deltas(overdue.event_type, overdue.data, ticket_to_doc(overdue.after))
    assert deltas["county"] == {"dispatch_overdue": 1}
    assert next_alert(overdue.after, CTX) is None  # nothing more while not dispatched


def test_r12345_12_alert_found_after_its_deadline_is_late_and_not_texted() -> None:
    t = ticket(dispatch_due=sh(2026, 9, 30, 22).astimezone(UTC))
    alert = sweep.due_alert(t, CTX, sh(2026, 10, 1, 9))
    assert alert is not None and alert.kind == "dispatch_warning"
    assert sweep.apply_alert(t, alert, sh(2026, 10, 1, 9)).data["late"] is True


def test_r12345_04_reminder_gives_the_owner_a_phone_the_unit_task() -> None:
    due = sh(2026, 10, 10, 17, 30).astimezone(UTC)
    t = ticket(status="handling", unit_id="U001", owner_id="op2", handle_due=due)
    alert = sweep.due_alert(t, CTX, sh(2026, 10, 9, 8, 30))
    assert alert is not None and alert.kind == "handle_reminder"
    change = sweep.apply_alert(t, alert, sh(2026, 10, 9, 8, 30))
    assert change.event_type == "reminder_due"
    task = sweep.task_for(change)
    assert task is not None and task["owner_id"] == "op2" and task["kind"] == "phone_unit"
    assert task["key"] == alert.key == f"handle_reminder#{due.isoformat()}"


def test_r12345_10_overdue_marked_flagged_counted_then_escalated() -> None:
    due = sh(2026, 10, 10, 17, 30).astimezone(UTC)
    t = ticket(status="handling", unit_id="U001", owner_id="op2", handle_due=due)
    now = sh(2026, 10, 12, 9)
    first = sweep.apply_alert(t, sweep.due_alert(t, CTX, now), now)  # type: ignore[arg-type]
    assert first.event_type == "reminder_due" and first.data["late"] is True
    second = sweep.apply_alert(first.after, sweep.due_alert(first.after, CTX, now), now)  # type: ignore[arg-type]
    assert second.event_type == "marked_overdue" and "overdue" in second.after.flags
    assert "difficult_candidate" not in second.data  # R-12345-10: the escalation below replaces the marker
    deltas = statistics.counter_deltas(second.event_type, second.data, ticket_to_doc(second.after))
    assert deltas["county"] == {"overdue": 1} and deltas["unit#U001"] == {"overdue": 1}
    third = sweep.apply_alert(second.after, sweep.due_alert(second.after, CTX, now), now, CTX)  # type: ignore[arg-type]
    assert third.event_type == "flagged_difficult" and third.data["escalated"]["difficult_trigger"] == "overdue"
    assert "difficult" in third.after.flags and sweep.due_alert(third.after, CTX, now) is None


def test_calendar_year_confirmed_later_recomputes_a_provisional_deadline() -> None:
    t = ticket(
        status="handling",
        received_at=sh(2026, 12, 28, 10).astimezone(UTC),
        handle_due=CAL.add_working_days(sh(2026, 12, 28, 10), 5).at,
        handle_due_provisional=True,
    )
    # the State Council notice makes 2027-01-01 (Friday) a holiday: one working day later
    cal = WorkCalendar(Overrides(days={date(2027, 1, 1): False}, confirmed_years=frozenset({2027})))
    due = sweep.recomputed_due(t, Context(calendar=cal))
    assert due is not None and due.at == sh(2027, 1, 5, 17, 30).astimezone(UTC) and not due.provisional
    change = sweep.recompute_change(t, due, sh(2026, 12, 29, 9), 2027)
    assert change is not None and change.event_type == "deadline_recomputed"
    assert change.after.handle_due == due.at and change.after.handle_due_provisional is False
    assert sweep.recompute_change(change.after, due, sh(2026, 12, 29, 9), 2027) is None  # once


def test_recompute_keeps_a_persons_extension_date_and_only_clears_provisional() -> None:
    due = sh(2027, 1, 8, 17, 30).astimezone(UTC)
    t = ticket(status="handling", handle_due=due, handle_due_provisional=True, extension={"decision": "approved"})
    cal = WorkCalendar(Overrides(confirmed_years=frozenset({2027})))
    result = sweep.recomputed_due(t, Context(calendar=cal))
    assert result is not None and result.at == due and not result.provisional
