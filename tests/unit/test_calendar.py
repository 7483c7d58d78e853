"""Working days, overrides, office hours, reminders ("Working days", R-12345-04/09)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalicelib.domain.calendar import (
    DEFAULT_HOURS,
    SHANGHAI,
    Deadline,
    OfficeHours,
    Overrides,
    WorkCalendar,
)
from tests.helpers.clock import at_close, at_open, sh

CAL = WorkCalendar()
OVERRIDES_2027 = {
    date(2027, 1, 1): False,
    date(2027, 1, 9): True,
}  # New Year off, a make-up Saturday


# --- is_workday: package, weekends, fallback, overrides -----------------------------


def test_working_days_national_day_2026_is_off_and_make_up_saturday_is_on() -> None:
    for day in range(1, 8):
        assert not CAL.is_workday(date(2026, 10, day))
    assert CAL.is_workday(date(2026, 10, 8))
    assert CAL.is_workday(date(2026, 10, 10))  # make-up Saturday
    assert not CAL.is_workday(date(2026, 10, 11))  # ordinary Sunday


def test_working_days_spring_festival_2026_span_and_make_up_saturdays() -> None:
    # chinesecalendar 1.11.0: off 02-15..02-23, make-up Saturdays 02-14 and 02-28
    for day in range(15, 24):
        assert not CAL.is_workday(date(2026, 2, day))
    assert CAL.is_workday(date(2026, 2, 14))
    assert CAL.is_workday(date(2026, 2, 28))
    assert CAL.is_workday(date(2026, 2, 24))


def test_working_days_ordinary_weekend_is_off() -> None:
    assert not CAL.is_workday(date(2026, 3, 7))
    assert not CAL.is_workday(date(2026, 3, 8))
    assert CAL.is_workday(date(2026, 3, 9))


def test_working_days_unknown_year_falls_back_to_mon_fri_without_raising() -> None:
    # 2027-01-01 is a Friday; really New Year, but the year is unknown → Mon–Fri
    assert CAL.is_workday(date(2027, 1, 1))
    assert not CAL.is_workday(date(2027, 1, 2))
    assert CAL.is_workday(date(2003, 12, 31))
    assert not CAL.is_known_year(2027)
    assert not CAL.is_known_year(2003)
    assert CAL.is_known_year(2026)
    assert CAL.is_known_year(2004)


def test_working_days_admin_override_wins_in_unknown_and_known_years() -> None:
    cal = WorkCalendar(Overrides(days={**OVERRIDES_2027, date(2026, 10, 10): False}))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 1, 9))
    assert not cal.is_workday(date(2026, 10, 10))
    assert not cal.is_known_year(2027)  # overrides alone do not make a year known


def test_working_days_confirmed_year_is_known() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027, confirmed_years=frozenset({2027})))
    assert cal.is_known_year(2027)


def test_overrides_copy_their_input() -> None:
    days = {date(2027, 1, 1): False}
    cal = WorkCalendar(Overrides(days=days))
    days[date(2027, 1, 1)] = True
    assert not cal.is_workday(date(2027, 1, 1))


# --- add_working_days ---------------------------------------------------------------


def test_working_days_example_0930_plus_3_due_make_up_saturday_1010_1730() -> None:
    due = CAL.add_working_days(sh(2026, 9, 30, 10, 0), 3)
    assert due == Deadline(at=at_close(2026, 10, 10), provisional=False)
    assert due.at.tzinfo is UTC
    assert due.iso() == "2026-10-10T09:30:00+00:00"
    assert due.at.astimezone(SHANGHAI).isoformat() == "2026-10-10T17:30:00+08:00"


def test_working_days_start_day_not_counted_whatever_the_hour() -> None:
    early = CAL.add_working_days(sh(2026, 3, 9, 0, 1), 1)
    late = CAL.add_working_days(sh(2026, 3, 9, 23, 59), 1)
    assert early.at == late.at == at_close(2026, 3, 10)


def test_working_days_local_date_is_shanghai_not_utc() -> None:
    # 2026-03-09 17:00 UTC is already Tuesday 03-10 01:00 in Shanghai.
    due = CAL.add_working_days(datetime(2026, 3, 9, 17, 0, tzinfo=UTC), 1)
    assert due.at == at_close(2026, 3, 11)


def test_working_days_friday_plus_1_skips_weekend() -> None:
    assert CAL.add_working_days(sh(2026, 3, 13, 16), 1).at == at_close(2026, 3, 16)


def test_working_days_spring_festival_make_up_saturday_0214() -> None:
    assert CAL.add_working_days(sh(2026, 2, 13, 9), 1).at == at_close(2026, 2, 14)
    assert CAL.add_working_days(sh(2026, 2, 14, 9), 1).at == at_close(2026, 2, 24)


def test_working_days_year_end_2026_into_2027_provisional_mon_fri_fallback() -> None:
    # 12-31 Thu, 01-01 Fri (fallback), 01-04 Mon
    due = CAL.add_working_days(sh(2026, 12, 30, 10), 3)
    assert due == Deadline(at=at_close(2027, 1, 4), provisional=True)


def test_working_days_inside_2026_not_provisional() -> None:
    due = CAL.add_working_days(sh(2026, 12, 28, 10), 2)
    assert due == Deadline(at=at_close(2026, 12, 30), provisional=False)


def test_working_days_2027_admin_holiday_honoured_provisional_until_confirmed() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027))
    # 12-31, (01-01 off), 01-04, 01-05
    due = cal.add_working_days(sh(2026, 12, 30, 10), 3)
    assert due == Deadline(at=at_close(2027, 1, 5), provisional=True)


def test_working_days_2027_admin_make_up_saturday_honoured() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027))
    assert cal.add_working_days(sh(2027, 1, 8, 10), 1) == Deadline(at=at_close(2027, 1, 9), provisional=True)


def test_working_days_2027_confirmed_year_not_provisional() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027, confirmed_years=frozenset({2027})))
    assert cal.add_working_days(sh(2026, 12, 30, 10), 3) == Deadline(at=at_close(2027, 1, 5), provisional=False)
    assert cal.add_working_days(sh(2027, 1, 8, 10), 1) == Deadline(at=at_close(2027, 1, 9), provisional=False)


def test_working_days_custom_office_hours_close_at_their_closing() -> None:
    hours = OfficeHours(periods=((time(9, 0), time(12, 0)), (time(13, 30), time(18, 0))))
    cal = WorkCalendar(hours=hours)
    assert cal.add_working_days(sh(2026, 3, 9, 10), 1).at == sh(2026, 3, 10, 18, 0).astimezone(UTC)
    assert cal.reminder_at(sh(2026, 3, 10, 18)).at == sh(2026, 3, 9, 9, 0).astimezone(UTC)


def test_working_days_refuses_n_below_1_and_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        CAL.add_working_days(sh(2026, 3, 9), 0)
    with pytest.raises(ValueError):
        CAL.add_working_days(datetime(2026, 3, 9, 10), 1)


# --- working_day_before / reminder_at (R-12345-04) ----------------------------------


def test_r12345_04_reminder_for_monday_due_fires_friday_0830() -> None:
    reminder = CAL.reminder_at(sh(2026, 3, 16, 17, 30))
    assert reminder == Deadline(at=at_open(2026, 3, 13), provisional=False)


def test_r12345_04_reminder_for_monday_0302_fires_on_make_up_saturday_0228() -> None:
    assert CAL.reminder_at(sh(2026, 3, 2, 17, 30)).at == at_open(2026, 2, 28)


def test_r12345_04_reminder_after_national_day_fires_0930() -> None:
    assert CAL.working_day_before(date(2026, 10, 8)) == date(2026, 9, 30)
    assert CAL.reminder_at(sh(2026, 10, 8, 17, 30)).at == at_open(2026, 9, 30)


def test_r12345_04_reminder_for_make_up_saturday_1010_fires_friday_1009() -> None:
    assert CAL.reminder_at(at_close(2026, 10, 10)).at == at_open(2026, 10, 9)


def test_r12345_04_reminder_after_spring_festival_on_make_up_saturday_0214() -> None:
    assert CAL.working_day_before(date(2026, 2, 24)) == date(2026, 2, 14)


def test_r12345_04_reminder_in_2027_is_provisional_and_honours_overrides() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027))
    assert cal.reminder_at(sh(2027, 1, 4, 17, 30)) == Deadline(at=at_open(2026, 12, 31), provisional=True)
    confirmed = WorkCalendar(Overrides(days=OVERRIDES_2027, confirmed_years=frozenset({2027})))
    assert confirmed.reminder_at(sh(2027, 1, 4, 17, 30)).provisional is False
    # due 2027-01-05: the working day before is Monday 01-04 (Mon–Fri fallback)
    assert CAL.reminder_at(sh(2027, 1, 5, 9)) == Deadline(at=at_open(2027, 1, 4), provisional=True)


def test_r12345_04_reminder_on_jan_2_2027_consults_only_2026_days() -> None:
    cal = WorkCalendar(Overrides(days=OVERRIDES_2027))
    # due 2027-01-02 (Sat): 01-01 is off (override, 2027 consulted) → 2026-12-31
    assert cal.reminder_at(sh(2027, 1, 2, 9)) == Deadline(at=at_open(2026, 12, 31), provisional=True)
    # due 2027-01-01: only 2026-12-31 consulted → known
    assert cal.reminder_at(sh(2027, 1, 1, 9)) == Deadline(at=at_open(2026, 12, 31), provisional=False)


# --- working_days_between -----------------------------------------------------------


def test_working_days_between_counts_half_open_interval_of_local_dates() -> None:
    start = sh(2026, 9, 30, 10)
    assert CAL.working_days_between(start, at_close(2026, 10, 10)) == 3
    assert CAL.working_days_between(start, sh(2026, 10, 7, 12)) == 0
    assert CAL.working_days_between(start, sh(2026, 9, 30, 23)) == 0
    assert CAL.working_days_between(at_close(2026, 10, 10), start) == -3


# --- office hours -------------------------------------------------------------------


def test_office_hours_defaults() -> None:
    assert DEFAULT_HOURS.opening == time(8, 30)
    assert DEFAULT_HOURS.closing == time(17, 30)
    assert DEFAULT_HOURS.tz is SHANGHAI
    assert CAL.hours == DEFAULT_HOURS


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (sh(2026, 10, 10, 8, 30), True),  # make-up Saturday, opening
        (sh(2026, 10, 10, 12, 0), False),  # lunch break
        (sh(2026, 10, 10, 14, 0), True),
        (sh(2026, 10, 10, 17, 30), False),  # closing excluded
        (sh(2026, 10, 10, 8, 29), False),
        (sh(2026, 10, 1, 9, 0), False),  # National Day
        (sh(2026, 10, 11, 9, 0), False),  # Sunday
        (datetime(2026, 10, 9, 1, 0, tzinfo=UTC), True),  # 09:00 Shanghai Friday
    ],
)
def test_office_hours_is_open(at: datetime, expected: bool) -> None:
    assert DEFAULT_HOURS.is_open(at, CAL) is expected


def test_office_hours_refuses_bad_periods() -> None:
    with pytest.raises(ValueError):
        OfficeHours(periods=())
    with pytest.raises(ValueError):
        OfficeHours(periods=((time(12, 0), time(8, 0)),))
    with pytest.raises(ValueError):
        OfficeHours(periods=((time(8, 0), time(12, 0)), (time(11, 0), time(13, 0))))


# --- unconfirmed_years --------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 31), []),
        (date(2026, 11, 1), [2027]),
        (date(2026, 12, 31), [2027]),
        (date(2027, 3, 1), [2027]),
        (date(2027, 11, 1), [2027, 2028]),
    ],
)
def test_working_days_unconfirmed_years_from_1_november(today: date, expected: list[int]) -> None:
    assert CAL.unconfirmed_years(today) == expected


def test_working_days_confirmed_year_needs_no_attention() -> None:
    cal = WorkCalendar(Overrides(confirmed_years=frozenset({2027})))
    assert cal.unconfirmed_years(date(2026, 11, 1)) == []
    assert cal.unconfirmed_years(date(2027, 11, 1)) == [2028]


# --- properties ---------------------------------------------------------------------

_starts = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2028, 12, 31),
    timezones=st.just(UTC),
)
_overrides = st.dictionaries(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31)),
    st.booleans(),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(start=_starts, n=st.integers(min_value=1, max_value=15), days=_overrides)
def test_working_days_property_result_is_working_day_at_1730_after_start(
    start: datetime, n: int, days: dict[date, bool]
) -> None:
    cal = WorkCalendar(Overrides(days=days))
    due = cal.add_working_days(start, n)
    local = due.at.astimezone(SHANGHAI)
    assert due.at.tzinfo is UTC
    assert due.at > start
    assert local.time() == time(17, 30)
    assert cal.is_workday(local.date())
    assert cal.working_days_between(start, due.at) == n
    assert due.provisional == (local.year >= 2027)  # only 2025–2026 are known here


@settings(max_examples=200, deadline=None)
@given(due=_starts, days=_overrides)
def test_r12345_04_property_reminder_is_opening_of_previous_working_day(due: datetime, days: dict[date, bool]) -> None:
    cal = WorkCalendar(Overrides(days=days))
    reminder = cal.reminder_at(due)
    local = reminder.at.astimezone(SHANGHAI)
    assert reminder.at < due
    assert local.time() == time(8, 30)
    assert cal.is_workday(local.date())
    due_date = due.astimezone(SHANGHAI).date()
    gap = local.date() + timedelta(days=1)
    while gap < due_date:
        assert not cal.is_workday(gap)
        gap += timedelta(days=1)


def test_working_days_the_calendar_page_shows_the_package_days_and_the_overrides_apart() -> None:
    from chalicelib.services.calendar_admin import year_days

    days = {d["date"]: d for d in year_days({"2026-10-09": False, "2026-10-10": False}, 2026)}
    assert days["2026-10-01"] == {
        "date": "2026-10-01",
        "workday": False,
        "source": "package",
        "festival": "National Day",
    }
    assert days["2026-02-14"]["workday"] is True and days["2026-02-14"]["source"] == "package"  # 班 (Saturday)
    assert days["2026-10-09"] == {
        "date": "2026-10-09",
        "workday": False,
        "source": "override",
        "festival": None,
        "package": None,
    }
    assert days["2026-10-10"]["source"] == "override" and days["2026-10-10"]["package"] is True  # 班 overridden
    assert sum(1 for d in days.values() if d["source"] == "package" and not d["workday"]) >= 30  # 休 of 2026
    assert "2026-03-02" not in days  # an ordinary day is not listed
    # a year the package does not know: the overrides alone
    assert year_days({"2027-01-01": False}, 2027) == [
        {"date": "2027-01-01", "workday": False, "source": "override", "festival": None, "package": None}
    ]
