"""Handling time limits per hotline and category, versioned (domain-rules.md, "Handling time limits").

Admins change the limits; every change is a new version (who, when, effective from). A ticket takes
the limits of the version in force at its receipt (`received_at`): a change applies to tickets received
after its `effective_from`, never to tickets received before it — also when a calendar confirmation
recomputes their due (domain/sweep.py).

12345: working days per category (the city platform's own limit still wins, urgent = 24 h).
12369: calendar days from acceptance to the result per category, at most the 60 days of R-12369-05.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import inputs
from chalicelib.domain.deadlines import DEFAULT_LIMITS, ENV_FINISH_WINDOW
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.model import Category

CATEGORIES = tuple(c.value for c in Category)
# hotline → (unit of the limit, largest limit an admin may set)
HOTLINE_LIMITS: dict[str, tuple[str, int]] = {
    "12345": ("working_days", 365),
    "12369": ("calendar_days", ENV_FINISH_WINDOW.days),  # R-12369-05: never beyond 60 days
}
UNIT_NAMES = {"working_days": "个工作日", "calendar_days": "天（自然日）"}
MAX_AHEAD = timedelta(days=366)  # how far ahead a change may be scheduled
CLOCK_SKEW = timedelta(minutes=5)


def defaults(hotline: str) -> dict[str, int]:
    """The built-in limits (version 0) of a hotline."""
    if hotline == "12369":
        return dict.fromkeys(CATEGORIES, ENV_FINISH_WINDOW.days)
    return dict(DEFAULT_LIMITS)


def check_hotline(hotline: str) -> str:
    """The hotline, or 404 naming it."""
    if hotline not in HOTLINE_LIMITS:
        raise NotFound(f"热线 {hotline} 没有可设置的办理时限（只有 12345、12369）", hotline=hotline)
    return hotline


@dataclass(frozen=True)
class LimitVersion:
    """One version of a hotline's limits: the days by category, who set it, when, from when it applies."""

    hotline: str
    version: int
    days: Mapping[str, int]
    effective_from: datetime | None  # None: the built-in default, in force since always
    by: str | None = None
    at: datetime | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of the API."""
        return {
            "hotline": self.hotline,
            "version": self.version,
            "unit": HOTLINE_LIMITS[self.hotline][0],
            "days": dict(self.days),
            "effective_from": self.effective_from.isoformat() if self.effective_from else None,
            "by": self.by,
            "at": self.at.isoformat() if self.at else None,
            "note": self.note,
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> LimitVersion:
        """A stored version (Directory `LIMITS#{hotline}` / `v{nnnn}`)."""
        eff, at = data.get("effective_from"), data.get("at")
        return LimitVersion(
            hotline=str(data["hotline"]),
            version=int(data["version"]),
            days={str(k): int(v) for k, v in dict(data["days"]).items()},
            effective_from=datetime.fromisoformat(eff) if eff else None,
            by=data.get("by"),
            at=datetime.fromisoformat(at) if at else None,
            note=str(data.get("note") or ""),
        )


@dataclass(frozen=True)
class LimitBook:
    """Every stored version of every hotline; answers "which limits applied to a ticket received at T"."""

    versions: tuple[LimitVersion, ...] = field(default_factory=tuple)

    def history(self, hotline: str) -> list[LimitVersion]:
        """Version 0 (the default) and every saved version of a hotline, oldest first."""
        saved = sorted((v for v in self.versions if v.hotline == hotline), key=lambda v: v.version)
        return [LimitVersion(hotline, 0, defaults(hotline), None, note="系统默认时限"), *saved]

    def latest(self, hotline: str) -> LimitVersion:
        """The newest version (possibly not yet in force)."""
        return self.history(hotline)[-1]

    def version_at(self, hotline: str, received_at: datetime) -> LimitVersion:
        """The version in force for a ticket received at `received_at`."""
        current = self.history(hotline)[0]
        for v in self.history(hotline)[1:]:
            if v.effective_from is not None and v.effective_from <= received_at:
                current = v
        return current

    def days(self, hotline: str, received_at: datetime) -> Mapping[str, int]:
        """The limits by category for a ticket of this hotline received at `received_at`."""
        if hotline not in HOTLINE_LIMITS:
            return defaults("12345")
        return self.version_at(hotline, received_at).days


def parse_change(book: LimitBook, hotline: str, body: Mapping[str, Any], by: str, now: datetime) -> LimitVersion:
    """An admin's change as the next version, or 422 naming every wrong field (nothing is saved).

    `days`: categories to change (the others keep the latest version's value); `effective_from`
    (optional, default now): not before now, nor before the latest version's, within a year.
    """
    check_hotline(hotline)
    unit, most = HOTLINE_LIMITS[hotline]
    latest = book.latest(hotline)
    errors: dict[str, str] = {}
    raw = body.get("days")
    days = dict(latest.days)
    if not isinstance(raw, Mapping) or not raw:
        errors["days"] = "须为对象：类别 → 时限天数，至少一个类别"
    else:
        for category, value in raw.items():
            name = f"days.{category}"
            if category not in CATEGORIES:
                errors[name] = f"未知类别 {category}（须为 {', '.join(CATEGORIES)} 之一）"
            elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
                errors[name] = f"办理时限须为 1–{most} 的整数（{UNIT_NAMES[unit]}）"
            else:
                days[category] = value
    effective_from = now
    earliest = max(now, latest.effective_from or now)
    if body.get("effective_from") is not None:
        try:
            effective_from = inputs.instant_within(
                body["effective_from"],
                "effective_from",
                earliest - CLOCK_SKEW,
                now + MAX_AHEAD,
                "生效时间须不早于当前时间和上一版本的生效时间，且在一年以内（已受理的工单不受影响）",
            )
        except ValidationError as exc:
            errors.update(exc.fields)
        effective_from = max(effective_from, earliest)
    else:
        effective_from = earliest
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        errors["note"] = "须为文本，≤500 个字符"
    if errors:
        raise ValidationError(errors, message="办理时限未保存：" + "；".join(f"{k} {v}" for k, v in errors.items()))
    if days == dict(latest.days):
        raise ValidationError({"days": "与当前版本的时限相同，无需保存新版本"})
    return LimitVersion(hotline, latest.version + 1, days, effective_from.astimezone(UTC), by, now, str(note).strip())
