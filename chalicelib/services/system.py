"""Health, units and templates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain.calendar import SHANGHAI

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


def health(deps: Adapters, now: datetime) -> dict[str, Any]:
    """`ok` plus warnings such as an unconfirmed calendar year."""
    ctx = deps.contexts.load(now)
    years = ctx.calendar.unconfirmed_years(now.astimezone(SHANGHAI).date())
    warnings = [{"code": "calendar_unconfirmed", "year": y, "message": f"{y} 年工作日历尚未确认"} for y in years]
    return {"status": "ok", "time": now.isoformat(), "warnings": warnings}


def list_units(deps: Adapters) -> list[dict[str, Any]]:
    """Units sorted by id."""
    return sorted(deps.directory.units().values(), key=lambda u: str(u["id"]))


def reply_templates(deps: Adapters, now: datetime) -> list[dict[str, Any]]:
    """Template sections per category."""
    ctx = deps.contexts.load(now)
    return [{"category": c, "sections": [s.as_dict() for s in secs]} for c, secs in sorted(ctx.templates.items())]
