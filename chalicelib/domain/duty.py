"""Duty roster (值班表, R-12345-12): which shift covers an instant, and office-hours text.

Shifts: `day` on a working day from office opening to closing, `holiday` the same hours on a day
off, `night` from closing to the next opening (it belongs to the date on which it began).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from chalicelib.domain import phones
from chalicelib.domain.calendar import OfficeHours, WorkCalendar
from chalicelib.domain.errors import ValidationError

SHIFTS = ("day", "night", "holiday")
_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class Shift:
    """One roster slot: the local date the shift began on and its kind."""

    day: date
    kind: str

    @property
    def key(self) -> str:
        """Directory sort key `YYYY-MM-DD#kind`."""
        return f"{self.day.isoformat()}#{self.kind}"


def shift_at(at: datetime, cal: WorkCalendar) -> Shift:
    """The shift on duty at an instant (R-12345-12: out of hours included)."""
    hours = cal.hours
    local = at.astimezone(hours.tz)
    moment = local.time().replace(tzinfo=None)
    today = local.date()
    if moment < hours.opening:
        return Shift(today - timedelta(days=1), "night")
    if moment >= hours.closing:
        return Shift(today, "night")
    return Shift(today, "day" if cal.is_workday(today) else "holiday")


def parse_office_hours(text: str) -> OfficeHours:
    """`08:30-12:00,14:00-17:30` → OfficeHours (Asia/Shanghai); 422 when malformed."""
    periods: list[tuple[time, time]] = []
    for part in (text or "").split(","):
        match = _PERIOD.match(part)
        if not match:
            raise ValidationError({"office_hours": "格式须为 08:30-12:00,14:00-17:30"})
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            periods.append((time(h1, m1), time(h2, m2)))
        except ValueError as exc:
            raise ValidationError({"office_hours": f"时间无效：{part.strip()}"}) from exc
    try:
        return OfficeHours(periods=tuple(periods))
    except ValueError as exc:
        raise ValidationError({"office_hours": str(exc)}) from exc


def format_office_hours(hours: OfficeHours) -> str:
    """OfficeHours → `08:30-12:00,14:00-17:30`."""
    return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in hours.periods)


def validate_entry(raw: object) -> dict[str, str]:
    """One roster entry {date, shift, user_id, name, phone}; 422 naming the bad field."""
    if not isinstance(raw, dict):
        raise ValidationError({"entries": "每项须为对象"})
    errors: dict[str, str] = {}
    try:
        day = date.fromisoformat(str(raw.get("date")))
    except ValueError:
        errors["date"] = "须为日期 YYYY-MM-DD"
        day = date.min
    if raw.get("shift") not in SHIFTS:
        errors["shift"] = f"须为 {', '.join(SHIFTS)} 之一"
    for name in ("user_id", "name"):
        if not isinstance(raw.get(name), str) or not 1 <= len(raw[name].strip()) <= 64:
            errors[name] = "必填，1–64 个字符"
    phone = str(raw.get("phone") or "")
    if not phones.is_mobile(phone):
        errors["phone"] = "须为11位手机号码（值班短信）"  # R-12345-07
    if errors:
        raise ValidationError(errors)
    return {
        "date": day.isoformat(),
        "shift": str(raw["shift"]),
        "user_id": str(raw["user_id"]).strip(),
        "name": str(raw["name"]).strip(),
        "phone": phones.clean(phone),
    }
