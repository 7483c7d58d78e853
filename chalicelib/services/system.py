"""Health, units and templates."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import statistics
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.model import Actor, Role

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


DEGRADED_AFTER_S = 60.0  # stream side effects (audit, archive, SMS) later than this: degraded


def health(deps: Adapters, now: datetime) -> dict[str, Any]:
    """`ok` (or `degraded`) plus warnings such as an unconfirmed calendar year; in embedded mode also
    the stream pump's lag and last error."""
    ctx = deps.contexts.load(now)
    years = ctx.calendar.unconfirmed_years(now.astimezone(SHANGHAI).date())
    warnings = [{"code": "calendar_unconfirmed", "year": y, "message": f"{y} 年工作日历尚未确认"} for y in years]
    out: dict[str, Any] = {"status": "ok", "time": now.isoformat(), "warnings": warnings}
    if deps.stream_status is not None:
        stream = stream_health(deps, now)
        out["stream"] = stream
        if stream["lag_s"] > DEGRADED_AFTER_S or stream["since_last_pass_s"] > DEGRADED_AFTER_S:
            out["status"] = "degraded"
            warnings.append({"code": "stream_lagging", "message": f"事件处理滞后 {int(stream['lag_s'])} 秒"})
    return out


def stream_health(deps: Adapters, now: datetime) -> dict[str, Any]:
    """Lag = age of the oldest stored event the pump has not handled (0 when none waits)."""
    assert deps.stream_status is not None
    report = deps.stream_status() or {}
    handled = str(report.get("handled_through") or "")
    months = {statistics.month_of(now)}
    if handled:
        months.add(statistics.month_of(datetime.fromisoformat(handled.split("#", 1)[0])))
    pending = [e for m in sorted(months) if (e := deps.tickets.first_event_after(m, handled)) is not None]
    oldest = min((datetime.fromisoformat(e["at"]) for e in pending), default=None)
    last_pass = datetime.fromisoformat(report["at"]) if report.get("at") else None
    return {
        "lag_s": round(max(0.0, (now - oldest).total_seconds()), 1) if oldest else 0.0,
        "since_last_pass_s": round((now - last_pass).total_seconds(), 1) if last_pass else 0.0,
        "handled_through": handled or None,
        "records_handled": report.get("records", 0),
        "last_error": report.get("last_error"),
        "last_error_at": report.get("last_error_at"),
    }


# Who sees the staff phones of the units' contacts (R-12345-02: the dispatcher phones the handler; a leader
# phones a unit about an emergency or an instruction; an administrator keeps the numbers): everyone else
# sees names and roles only, a unit handler also its own unit's numbers.
PHONE_ROLES = frozenset({Role.OPERATOR, Role.LEADER, Role.ADMIN})


def list_units(deps: Adapters, actor: Actor) -> list[dict[str, Any]]:
    """Units sorted by id; contact phones only for the roles that phone units (PHONE_ROLES, own unit)."""
    units = sorted(deps.directory.units().values(), key=lambda u: str(u["id"]))
    return [u if _sees_phones(actor, u) else _without_phones(u) for u in units]


def _sees_phones(actor: Actor, unit: dict[str, Any]) -> bool:
    return actor.role in PHONE_ROLES or (actor.role == Role.UNIT_HANDLER and actor.unit_id == unit["id"])


def _without_phones(unit: dict[str, Any]) -> dict[str, Any]:
    contacts = [{k: v for k, v in c.items() if k != "phone"} for c in unit.get("contacts") or []]
    return dict(unit, contacts=contacts)


def reply_templates(deps: Adapters, now: datetime) -> list[dict[str, Any]]:
    """Template sections per category."""
    ctx = deps.contexts.load(now)
    return [{"category": c, "sections": [s.as_dict() for s in secs]} for c, secs in sorted(ctx.templates.items())]
