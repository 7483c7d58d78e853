"""Reading request bodies in the domain: every refusal names its field (ValidationError)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from chalicelib.domain.calendar import SHANGHAI, Deadline, WorkCalendar
from chalicelib.domain.errors import ValidationError

MAX_TEXT = 4000


def text(body: Mapping[str, Any], name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A trimmed text field: required unless told otherwise, at most `limit` characters."""
    value = body.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationError({name: "必填"})
        return ""
    if not isinstance(value, str):
        raise ValidationError({name: "须为文本"})
    if len(value) > limit:
        raise ValidationError({name: f"不能超过 {limit} 个字符"})
    return value.strip()


def flag(body: Mapping[str, Any], name: str, default: bool | None = None) -> bool:
    """A boolean field (true/false only)."""
    value = body.get(name, default)
    if not isinstance(value, bool):
        raise ValidationError({name: "必填，须为 true 或 false"})
    return value


def instant(value: Any, name: str) -> datetime:
    """An ISO-8601 instant as UTC; without an offset it is Asia/Shanghai wall time."""
    try:
        return _aware(value, name).astimezone(UTC)
    except OverflowError as exc:  # 0001-01-01 in Shanghai is still year 0 in UTC
        raise ValidationError({name: "时间超出可表示的范围"}) from exc


def _aware(value: Any, name: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError({name: "须为 ISO-8601 时间"})
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValidationError({name: "须为 ISO-8601 时间"}) from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=SHANGHAI)


def add_years(at: datetime, years: int) -> datetime:
    """The same wall-clock instant `years` later (earlier when negative); 29 February becomes the 28th."""
    try:
        return at.replace(year=at.year + years)
    except ValueError:
        return at.replace(year=at.year + years, day=28)


def instant_within(value: Any, name: str, earliest: datetime, latest: datetime, rule: str) -> datetime:
    """An instant (see `instant`) between `earliest` and `latest`; `rule` says the bounds in words."""
    try:
        at = _aware(value, name).astimezone(UTC)
    except OverflowError as exc:  # year 1 or 9999 at the edge of a time zone: far outside any window
        raise ValidationError({name: rule}) from exc
    if not earliest <= at <= latest:
        raise ValidationError({name: rule})
    return at


def due_from(value: Any, name: str, cal: WorkCalendar) -> Deadline:
    """A requested due: a date means the close of office hours that day (Asia/Shanghai)."""
    if isinstance(value, str) and len(value) == 10:
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError({name: "须为日期 YYYY-MM-DD 或 ISO-8601 时间"}) from exc
        local = datetime.combine(day, cal.hours.closing, tzinfo=SHANGHAI)
        return Deadline(local.astimezone(UTC), not cal.is_known_year(day.year))
    at = instant(value, name)
    return Deadline(at, not cal.is_known_year(at.astimezone(SHANGHAI).year))
