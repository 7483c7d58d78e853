"""Shanghai wall-clock helpers shared by the calendar and deadline tests."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.calendar import SHANGHAI


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    """An aware Shanghai wall-clock datetime."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def at_close(y: int, m: int, d: int) -> datetime:
    """17:30 Shanghai on a date, in UTC."""
    return sh(y, m, d, 17, 30).astimezone(UTC)


def at_open(y: int, m: int, d: int) -> datetime:
    """08:30 Shanghai on a date, in UTC."""
    return sh(y, m, d, 8, 30).astimezone(UTC)
