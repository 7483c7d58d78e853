"""PRC working days, admin overrides and office hours (domain-rules "Working days")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)
# From 1 November of Y-1 the schedule of year Y is due (published near year end).
_ATTENTION_MONTH = 11


def _require_aware(value: datetime, name: str) -> None:
    """Refuse naive datetimes: every instant in the domain carries its offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value!r}")


@lru_cache(maxsize=1024)
def _package_covers(year: int) -> bool:
    """Whether chinesecalendar has the official schedule for this year."""
    import chinese_calendar  # loaded by the first deadline computed, not at import

    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


@lru_cache(maxsize=8192)
def _package_workday(d: date) -> bool | None:
    """Chinesecalendar's verdict for a date, or None when it does not know the year."""
    if not _package_covers(d.year):
        return None
    import chinese_calendar

    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:  # defensive: the package's range changed under us
        return None


def package_days(year: int) -> dict[date, tuple[bool, str]]:
    """Chinesecalendar's statutory days of a year: date → (working?, festival), the days off of each
    holiday (休, False) and the make-up working days (调休上班 班, True); {} when it does not know the year."""
    if not _package_covers(year):
        return {}
    import chinese_calendar

    days = {d: (False, str(name)) for d, name in chinese_calendar.holidays.items() if d.year == year}
    days.update({d: (True, str(name)) for d, name in chinese_calendar.workdays.items() if d.year == year})
    return days


@dataclass(frozen=True)
class OfficeHours:
    """Office periods in a time zone (default 08:30–12:00, 14:00–17:30 Shanghai)."""

    periods: tuple[tuple[time, time], ...] = (
        (time(8, 30), time(12, 0)),
        (time(14, 0), time(17, 30)),
    )
    tz: ZoneInfo = SHANGHAI

    def __post_init__(self) -> None:
        """Refuse empty, reversed, unordered or overlapping periods."""
        periods = tuple((start, end) for start, end in self.periods)
        if not periods:
            raise ValueError("office hours need at least one period")
        previous_end: time | None = None
        for start, end in periods:
            if start >= end:
                raise ValueError(f"office period {start}–{end} does not end after it starts")
            if previous_end is not None and start < previous_end:
                raise ValueError("office periods must be in order and must not overlap")
            previous_end = end
        object.__setattr__(self, "periods", periods)

    @property
    def opening(self) -> time:
        """Start of the first period of the day."""
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        """End of the last period of the day."""
        return self.periods[-1][1]

    def is_open(self, at: datetime, cal: WorkCalendar) -> bool:
        """Whether open at this instant: working day, within a period (end excluded)."""
        _require_aware(at, "at")
        local = at.astimezone(self.tz)
        if not cal.is_workday(local.date()):
            return False
        moment = local.time().replace(tzinfo=None)
        return any(start <= moment < end for start, end in self.periods)


DEFAULT_HOURS = OfficeHours()


@dataclass(frozen=True)
class Overrides:
    """Admin-entered days (True = working, False = off) and years confirmed complete."""

    days: Mapping[date, bool] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        """Freeze copies of the inputs so later changes by the caller do not leak in."""
        object.__setattr__(self, "days", MappingProxyType({d: bool(v) for d, v in self.days.items()}))
        object.__setattr__(self, "confirmed_years", frozenset(self.confirmed_years))


@dataclass(frozen=True)
class Deadline:
    """A computed instant (UTC) and whether it rests on an unconfirmed year."""

    at: datetime
    provisional: bool

    def __post_init__(self) -> None:
        """Store the instant in UTC."""
        _require_aware(self.at, "at")
        object.__setattr__(self, "at", self.at.astimezone(UTC))

    def iso(self) -> str:
        """ISO 8601 text of the UTC instant, offset included."""
        return self.at.isoformat()


class WorkCalendar:
    """PRC working days: admin override, then chinesecalendar, then Mon–Fri fallback."""

    def __init__(self, overrides: Overrides | None = None, hours: OfficeHours = DEFAULT_HOURS) -> None:
        """Build a calendar from admin overrides and office hours."""
        self.overrides = overrides if overrides is not None else Overrides()
        self.hours = hours

    def __repr__(self) -> str:
        """Short description for logs and test failures."""
        return (
            f"WorkCalendar(overrides={len(self.overrides.days)} days, "
            f"confirmed={sorted(self.overrides.confirmed_years)}, "
            f"hours={self.hours.periods})"
        )

    # --- days ------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Whether d is a working day: override, else chinesecalendar, else Mon–Fri."""
        override = self.overrides.days.get(d)
        if override is not None:
            return override
        known = _package_workday(d)
        if known is not None:
            return known
        # Unknown year: Mon–Fri fallback, reported as provisional ("Working days").
        return d.weekday() < 5

    def is_known_year(self, year: int) -> bool:
        """Whether chinesecalendar covers the year or an admin confirmed it."""
        return year in self.overrides.confirmed_years or _package_covers(year)

    def _local_date(self, at: datetime) -> date:
        """The office-local (Shanghai) date of an aware instant."""
        _require_aware(at, "datetime")
        return at.astimezone(self.hours.tz).date()

    def _at(self, d: date, moment: time) -> datetime:
        """The UTC instant of a local wall-clock time on a local date."""
        return datetime.combine(d, moment, tzinfo=self.hours.tz).astimezone(UTC)

    def _nth_working_day_after(self, d: date, n: int) -> tuple[date, bool]:
        """The n-th working day after d (d not counted); whether it is provisional."""
        if n < 1:
            raise ValueError(f"n must be at least 1, got {n}")
        provisional = False
        count = 0
        while count < n:
            d += _ONE_DAY
            provisional = provisional or not self.is_known_year(d.year)
            if self.is_workday(d):
                count += 1
        return d, provisional

    def _working_day_before(self, d: date) -> tuple[date, bool]:
        """The last working day strictly before d and whether it is provisional."""
        provisional = False
        while True:
            d -= _ONE_DAY
            provisional = provisional or not self.is_known_year(d.year)
            if self.is_workday(d):
                return d, provisional

    # --- deadlines -------------------------------------------------------------------

    def add_working_days(self, start: datetime, n: int) -> Deadline:
        """Closing time on the n-th working day after start's local date (uncounted)."""
        # "Working days": 2026-09-30 10:00 + 3 → 2026-10-10 17:30 (R-12345-09)
        day, provisional = self._nth_working_day_after(self._local_date(start), n)
        return Deadline(at=self._at(day, self.hours.closing), provisional=provisional)

    def working_day_before(self, d: date) -> date:
        """The last working day strictly before d."""
        return self._working_day_before(d)[0]

    def reminder_at(self, due: datetime) -> Deadline:
        """Opening time on the working day before due's local date (R-12345-04)."""
        day, provisional = self._working_day_before(self._local_date(due))
        return Deadline(at=self._at(day, self.hours.opening), provisional=provisional)

    def working_days_between(self, start: datetime, end: datetime) -> int:
        """Working days in (start date, end date], local; negative if end < start."""
        first, last = self._local_date(start), self._local_date(end)
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        count = 0
        d = first
        while d < last:
            d += _ONE_DAY
            if self.is_workday(d):
                count += 1
        return sign * count

    def unconfirmed_years(self, today: date) -> list[int]:
        """Unknown years needing an admin: this year, and next year from 1 November."""
        candidates: Iterable[int] = (today.year, today.year + 1) if today.month >= _ATTENTION_MONTH else (today.year,)
        return [year for year in candidates if not self.is_known_year(year)]
