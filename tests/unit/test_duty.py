"""Duty roster shifts (R-12345-12: new tickets reach the operator on duty, out of hours included)."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from chalicelib.domain import duty
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.errors import ValidationError

CAL = WorkCalendar()


def sh(m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("at", "key"),
    [
        (sh(9, 30, 8, 30), "2026-09-30#day"),  # working day, office opening
        (sh(9, 30, 12, 30), "2026-09-30#day"),  # lunch break is still the day shift
        (sh(9, 30, 17, 30), "2026-09-30#night"),  # closing: the night shift begins
        (sh(10, 1, 2, 0), "2026-09-30#night"),  # small hours belong to the night that began the day before
        (sh(10, 1, 10, 0), "2026-10-01#holiday"),  # National Day
        (sh(10, 10, 10, 0), "2026-10-10#day"),  # make-up Saturday is a working day
        (sh(10, 11, 10, 0), "2026-10-11#holiday"),  # ordinary Sunday
    ],
)
def test_r12345_12_after_hours_duty_routing(at: datetime, key: str) -> None:
    assert duty.shift_at(at, CAL).key == key


def test_r12345_12_shift_follows_configured_office_hours() -> None:
    hours = duty.parse_office_hours("09:00-12:00,13:30-18:00")
    cal = WorkCalendar(hours=hours)
    assert duty.shift_at(sh(9, 30, 8, 45), cal).key == "2026-09-29#night"
    assert duty.shift_at(sh(9, 30, 17, 45), cal).key == "2026-09-30#day"
    assert duty.format_office_hours(hours) == "09:00-12:00,13:30-18:00"
    assert hours.opening == time(9, 0)


@pytest.mark.parametrize("text", ["", "8:30", "12:00-08:30", "08:30-12:00,11:00-17:30", "25:00-26:00"])
def test_bad_office_hours_are_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        duty.parse_office_hours(text)


def test_r12345_07_roster_entry_needs_a_full_mobile_number() -> None:
    ok = duty.validate_entry(
        {"date": "2026-10-01", "shift": "holiday", "user_id": "op1", "name": "王敏", "phone": "+86 139 5760 0009"}
    )
    assert ok["phone"] == "13957600009"
    with pytest.raises(ValidationError) as err:
        duty.validate_entry({"date": "2026-13-01", "shift": "evening", "user_id": "", "name": "x", "phone": "6001"})
    assert set(err.value.fields) == {"date", "shift", "user_id", "phone"}
