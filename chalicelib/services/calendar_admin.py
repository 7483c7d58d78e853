"""Admin calendar: enter or import a year's schedule, confirm it, office hours ("Working days").

Days an admin enters override chinesecalendar (`CAL#{year}` / `YYYY-MM-DD`). A deadline in a year that
neither the package nor a confirmation covers is provisional; confirming a year recomputes every open
provisional deadline, one `deadline_recomputed` event per changed ticket.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, sweep
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar, package_days
from chalicelib.domain.duty import format_office_hours, parse_office_hours
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import OPEN_STATUSES, Actor, Role
from chalicelib.domain.tickets import next_alert
from chalicelib.services import privacy

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

_ISO_LINE = re.compile(
    r"(\d{4}-\d{2}-\d{2})\s*(?:(?:~|～|至|\.\.|/|到)\s*(\d{4}-\d{2}-\d{2}))?\s*(休|班|holiday|off|workday|work)?"
)
_CN_DAY = re.compile(r"(?:(\d{1,2})月)?(\d{1,2})日")
_CN_RANGE = re.compile(r"(\d{1,2})月(\d{1,2})日(?:[（(][^）)]*[）)])?(?:至(?:(\d{1,2})月)?(\d{1,2})日)?")
MAX_SPAN = 40  # days in one holiday range


def _year(value: Any) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"year": "须为年份"}) from exc
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "须在 2000–2100 之间"})
    return year


def _span(start: date, end: date) -> list[date]:
    if end < start or (end - start).days > MAX_SPAN:
        raise ValidationError({"holidays": f"区间 {start}–{end} 无效（须顺序且不超过 {MAX_SPAN} 天）"})
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _parse_date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValidationError({name: f"日期无效：{value}"}) from exc


def days_from_body(body: dict[str, Any]) -> dict[date, bool]:
    """`holidays` (dates or ranges "A~B" / [A, B]), `workdays` (make-up days), `days` [{date, workday}]."""
    days: dict[date, bool] = {}
    for raw in body.get("holidays") or []:
        if isinstance(raw, list | tuple) and len(raw) == 2:
            start, end = _parse_date(raw[0], "holidays"), _parse_date(raw[1], "holidays")
        elif isinstance(raw, str) and (m := _ISO_LINE.fullmatch(raw.strip())):
            start = _parse_date(m.group(1), "holidays")
            end = _parse_date(m.group(2), "holidays") if m.group(2) else start
        else:
            raise ValidationError({"holidays": f"无法识别：{raw}"})
        days.update(dict.fromkeys(_span(start, end), False))
    for raw in body.get("workdays") or []:
        days[_parse_date(raw, "workdays")] = True  # 调休上班
    for raw in body.get("days") or []:
        if not isinstance(raw, dict) or not isinstance(raw.get("workday"), bool):
            raise ValidationError({"days": "每项须为 {date, workday: true|false}"})
        days[_parse_date(raw.get("date"), "days")] = raw["workday"]
    return days


def parse_notice(text: str, year: int) -> dict[date, bool]:
    """Days from a pasted State Council notice (…10月1日至7日放假调休…9月20日、10月10日上班) or ISO lines."""
    days: dict[date, bool] = {}
    for clause in re.split(r"[。；;\n]", text or ""):
        clause = clause.strip()
        iso = [m for m in _ISO_LINE.finditer(clause) if m.group(3)]
        for line in iso:
            start = _parse_date(line.group(1), "text")
            end = _parse_date(line.group(2), "text") if line.group(2) else start
            off = line.group(3) in ("休", "holiday", "off")
            days.update(dict.fromkeys(_span(start, end), not off))
        if iso:
            continue
        if "放假" in clause and (m := _CN_RANGE.search(clause)):
            start = date(year, int(m.group(1)), int(m.group(2)))
            end_month = int(m.group(3) or m.group(1))
            end_year = year + 1 if end_month < start.month else year
            end = date(end_year, end_month, int(m.group(4))) if m.group(4) else start
            days.update(dict.fromkeys(_span(start, end), False))
        if "上班" in clause:
            month = None
            for m in _CN_DAY.finditer(clause.split("放假")[-1]):
                month = int(m.group(1) or month or 0)
                if month:
                    days[date(year, month, int(m.group(2)))] = True
    if not days:
        raise ValidationError({"text": "未识别出任何放假或调休上班日期"})
    return days


def _store(deps: Adapters, actor: Actor, days: dict[date, bool]) -> dict[str, Any]:
    by_year: dict[int, dict[date, bool]] = {}
    for d, workday in days.items():
        by_year.setdefault(d.year, {})[d] = workday
    before = {}
    for d in sorted(days):
        old = deps.directory.get_item(f"CAL#{d.year}", d.isoformat())
        before[d.isoformat()] = None if old is None else old.get("workday")
    for y, part in by_year.items():
        deps.directory.put_calendar_days(y, part, actor.user_id)
    deps.contexts.invalidate()
    after = {d.isoformat(): w for d, w in sorted(days.items())}
    target = ",".join(str(y) for y in sorted(by_year))
    privacy.log_change(deps, "calendar_changed", actor, deps.clock(), target=target, before=before, after=after)
    return {
        "stored": len(days),
        "holidays": sorted(d.isoformat() for d, w in days.items() if not w),
        "workdays": sorted(d.isoformat() for d, w in days.items() if w),
    }


def put_days(deps: Adapters, actor: Actor, year: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: enter holidays (ranges) and make-up working days of a year."""
    access.ensure_role(actor, Role.ADMIN)
    y = _year(year)
    days = days_from_body(body)
    if not days:
        raise ValidationError({"holidays": "请提供 holidays、workdays 或 days"})
    return _store(deps, actor, days) | {"year": y}


def import_notice(deps: Adapters, actor: Actor, year: Any, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: import a pasted notice; `dry_run: true` only shows what would be stored."""
    access.ensure_role(actor, Role.ADMIN)
    y = _year(year)
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ValidationError({"text": "请粘贴国务院办公厅放假安排通知或逐行日期"})
    days = parse_notice(text, y)
    if body.get("dry_run"):
        return {
            "year": y,
            "stored": 0,
            "holidays": sorted(d.isoformat() for d, w in days.items() if not w),
            "workdays": sorted(d.isoformat() for d, w in days.items() if w),
        }
    return _store(deps, actor, days) | {"year": y}


def delete_day(deps: Adapters, actor: Actor, year: Any, day: str) -> dict[str, Any]:
    """Admin: remove one override."""
    access.ensure_role(actor, Role.ADMIN)
    d = _parse_date(day, "date")
    if d.year != _year(year):
        raise ValidationError({"date": "日期不在该年度"})
    old = deps.directory.get_item(f"CAL#{d.year}", d.isoformat())
    deps.directory.delete_calendar_day(d.year, d)
    deps.contexts.invalidate()
    before = {d.isoformat(): None if old is None else old.get("workday")}
    privacy.log_change(deps, "calendar_changed", actor, deps.clock(), target=str(d.year), before=before, after={})
    return {"deleted": d.isoformat()}


def year_days(overrides: dict[str, bool], year: int) -> list[dict[str, Any]]:
    """Every day of a year that is not an ordinary weekday / weekend, as the deadlines count it: the
    statutory days off and make-up working days of chinesecalendar (`source: package`, with the festival's
    code) and the admin's overrides (`source: override`, winning over the package; `package` then says
    what the package had, null for an ordinary day)."""
    statutory = package_days(year)
    shown: dict[str, dict[str, Any]] = {
        d.isoformat(): {
            "date": d.isoformat(),
            "workday": workday,
            "source": "package",
            "festival": festival,  # a code of the label kind `festival`
        }
        for d, (workday, festival) in statutory.items()
    }
    for day, workday in overrides.items():
        before = shown.get(day)
        shown[day] = {
            "date": day,
            "workday": workday,
            "source": "override",
            "festival": before["festival"] if before else None,
            "package": before["workday"] if before else None,
        }
    return [shown[d] for d in sorted(shown)]


def get_year(deps: Adapters, actor: Actor, year: Any, now: datetime) -> dict[str, Any]:
    """A year's days as the deadlines count them (package and overrides, each with its source), whether
    the package covers the year, whether it is confirmed."""
    access.ensure_role(actor, Role.ADMIN, Role.OPERATOR, Role.LEADER, Role.ANALYST)
    y = _year(year)
    items = deps.directory.list_items(f"CAL#{y}")
    confirmed = next((d for sk, d in items if sk == "CONFIRMED"), None)
    names = deps.contexts.names()  # who confirmed / overrode, as printed (domain/people.py), never the login id
    setters = {sk: d.get("by") for sk, d in items if sk != "CONFIRMED"}
    days = year_days({sk: bool(d.get("workday")) for sk, d in items if sk != "CONFIRMED"}, y)
    for day in days:
        if day["source"] == "override":
            day["by_name"] = _printed(names, setters.get(day["date"]))
    cal = deps.contexts.load(now).calendar
    return {
        "year": y,
        "package_covers": WorkCalendar().is_known_year(y),  # no overrides: the package alone
        "confirmed": bool(confirmed and confirmed.get("confirmed")),
        "confirmed_by": (confirmed or {}).get("by"),
        "confirmed_by_name": _printed(names, (confirmed or {}).get("by")),
        "confirmed_at": (confirmed or {}).get("at"),
        "known": cal.is_known_year(y),
        "days": days,
        "office_hours": format_office_hours(cal.hours),
        "warnings": warnings(deps, now),
    }


def _printed(names: dict[str, str], user_id: Any) -> str | None:
    """The printed person of a user id (None for none; an id the Directory does not know stays as it is)."""
    return names.get(str(user_id), str(user_id)) if user_id else None


def warnings(deps: Adapters, now: datetime) -> list[dict[str, Any]]:
    """ "calendar for YEAR not confirmed" (this year, and next year from 1 November)."""
    years = deps.contexts.load(now).calendar.unconfirmed_years(now.astimezone(SHANGHAI).date())
    return [{"code": "calendar_unconfirmed", "year": y, "message": f"{y} 年工作日历尚未确认"} for y in years]


def confirm(deps: Adapters, actor: Actor, year: Any, now: datetime) -> dict[str, Any]:
    """Admin: mark a year confirmed and recompute every open provisional deadline."""
    access.ensure_role(actor, Role.ADMIN)
    y = _year(year)
    before = deps.directory.get_item(f"CAL#{y}", "CONFIRMED")
    deps.directory.put_item(f"CAL#{y}", "CONFIRMED", {"confirmed": True, "by": actor.user_id, "at": now.isoformat()})
    deps.contexts.invalidate()
    privacy.log_change(deps, "calendar_confirmed", actor, now, target=str(y), before=before, after={"confirmed": True})
    return {"year": y, "confirmed": True, **recompute_provisional(deps, now, y)}


def recompute_provisional(deps: Adapters, now: datetime, year: int) -> dict[str, int]:
    """One `deadline_recomputed` event per open ticket whose provisional deadline changed (Query by status)."""
    ctx = deps.contexts.load(now)
    counts = {"checked": 0, "recomputed": 0, "conflicts": 0, "unchanged": 0}
    for status in sorted(OPEN_STATUSES):
        token: str | None = None
        while True:
            page = deps.tickets.list_page(index="status", key=str(status), limit=100, token=token)
            for summary in page.items:
                if summary.handle_due_provisional:
                    counts["checked"] += 1
                    counts[_recompute_one(deps, summary.ticket_id, ctx, now, year)] += 1
            token = page.next_page
            if not token:
                break
    counts.pop("unchanged", None)
    return counts


def _recompute_one(deps: Adapters, ticket_id: str, ctx: Any, now: datetime, year: int) -> str:
    for _attempt in range(3):
        ticket = deps.tickets.get(ticket_id)
        reassigned_at = None
        if ticket.reassign_count:
            at = [e["at"] for e in deps.tickets.events(ticket_id) if e["type"] == "reassigned"]
            reassigned_at = datetime.fromisoformat(at[-1]) if at else None
        due = sweep.recomputed_due(ticket, ctx, reassigned_at=reassigned_at)
        change = sweep.recompute_change(ticket, due, now, year) if due else None
        if change is None:
            return "unchanged"
        try:
            deps.tickets.commit(change, next_alert(change.after, ctx))
            return "recomputed"
        except Conflict:
            continue
    return "conflicts"


def set_office_hours(deps: Adapters, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: office hours as text `08:30-12:00,14:00-17:30` (Asia/Shanghai)."""
    access.ensure_role(actor, Role.ADMIN)
    hours = parse_office_hours(str(body.get("office_hours") or ""))
    text = format_office_hours(hours)
    before = deps.directory.get_item("CONFIG", "office_hours")
    deps.directory.put_item("CONFIG", "office_hours", {"text": text, "by": actor.user_id})
    deps.contexts.invalidate()
    old = None if before is None else before.get("text")
    privacy.log_change(deps, "office_hours_changed", actor, deps.clock(), before=old, after=text)
    return {"office_hours": text}
