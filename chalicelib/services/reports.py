"""Documents: monthly report 月度通报 (HTML/PDF/Excel), difficult-ticket sheet 疑难工单, typical tickets 典型工单.

Every figure comes from services.stats (one definition, docs/statistics.md). Printed documents
never show unmasked caller data (R-12345-11).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.documents import pdf
from chalicelib.documents.labels import label
from chalicelib.domain import access, statistics
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.domain.templates import DEFAULT_TEMPLATES
from chalicelib.services import hotspots, privacy, stats
from chalicelib.storage import counters

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

STAFF = (Role.ANALYST, Role.LEADER, Role.ADMIN, Role.OPERATOR)
FORMATS = ("html", "pdf")


def _fmt(value: datetime | str | None) -> str:
    if not value:
        return "—"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationError({"format": "须为 html 或 pdf"})
    return fmt


def _month_label(month: str) -> str:
    return f"{int(month[:4])}年{int(month[5:])}月"


# ---------------------------------------------------------------- monthly report


def _trend_chart(trend: dict[str, Any]) -> dict[str, Any]:
    width, height, left, base = 520, 190, 30, 160
    values = [i["figures"]["assigned"]["value"] for i in trend["items"]]
    rates = [i["figures"]["completion_rate"]["rate"] for i in trend["items"]]
    top = max(values + [1])
    step = (width - left - 20) / max(len(values), 1)
    bars, points = [], []
    for k, (month, v, r) in enumerate(zip(trend["months"], values, rates, strict=True)):
        h = round((base - 25) * v / top, 1)
        x = round(left + k * step + step * 0.15, 1)
        bars.append(
            {"x": x, "y": round(base - h, 1), "w": round(step * 0.7, 1), "h": h, "value": v, "label": month[5:]}
        )
        if r is not None:
            points.append(f"{round(x + step * 0.35, 1)},{round(base - (base - 25) * r, 1)}")
    return {"width": width, "height": height, "left": left, "base": base, "bars": bars, "line": " ".join(points)}


def _units_chart(report: dict[str, Any]) -> dict[str, Any]:
    left, full = 150, 300
    bars = []
    for k, u in enumerate(report["units"]):
        f = u["figures"]["completion_rate"]
        rate = f["rate"] or 0.0
        text = "—" if f["rate"] is None else f"{rate * 100:.1f}%（{f['numerator']}/{f['denominator']}）"
        bars.append({"y": 18 + k * 18, "w": round(full * rate, 1), "label": u["name"], "text": text})
    return {"width": left + full + 120, "height": 24 + 18 * len(bars), "left": left, "bars": bars}


def monthly_report(deps: Adapters, actor: Actor, month: str, fmt: str, now: datetime) -> tuple[bytes | str, str]:
    """月度通报 as HTML or PDF: county figures, 12-month trend, units and dispatchers, charts."""
    access.ensure_role(actor, *STAFF)
    report = stats.report(deps, month)
    trend = stats.trend(deps, month)
    hot = hotspots.month_view(deps, report["month"], now, hotspots.BY)  # 综合分析 (社情民意 hot spots)
    privacy.log_access(deps, "document", actor, now, document="monthly-report", month=report["month"], format=fmt)
    return pdf.render(
        "stats/monthly.html",
        _check_format(fmt),
        title=f"{_month_label(report['month'])}工作通报",
        month_label=_month_label(report["month"]),
        generated_at=_fmt(now),
        report=report,
        trend=_trend_chart(trend),
        units_chart=_units_chart(report),
        hot=hot,
    )


def monthly_excel(deps: Adapters, actor: Actor, month: str, now: datetime) -> tuple[bytes, str, str]:
    """(xlsx bytes, content type, file name) of the monthly report."""
    access.ensure_role(actor, *STAFF)
    report = stats.report(deps, month)
    from chalicelib.documents import excel  # openpyxl costs ~270 ms of cold start: only for exports

    privacy.log_access(deps, "export", actor, now, document="monthly-excel", month=report["month"])
    return excel.monthly_workbook(report, _fmt(now)), excel.XLSX_TYPE, f"monthly-{report['month']}.xlsx"


# ---------------------------------------------------------------- difficult-ticket sheet


def _reasons(t: Ticket, events: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Why the ticket goes to the leader (R-12345-10)."""
    out = []
    if t.difficult:
        for earlier in t.difficult.get("history") or []:  # decided episodes before the current flag
            decided = f"；领导决定：{earlier.get('decision')}" if earlier.get("decision") else ""
            out.append({"kind": "报疑难（前次）", "detail": f"{earlier.get('reason') or ''}{decided}"})
        due = f"；领导决定期限 {_fmt(t.difficult.get('decision_due'))}" if t.difficult.get("decision_due") else ""
        out.append({"kind": "报疑难", "detail": f"{t.difficult.get('reason') or ''}{due}"})  # R-12345-10
    if t.extension:
        out.append(
            {
                "kind": "申请延期（承诺件）",
                "detail": f"{t.extension.get('reason', '')}；申请延至 {_fmt(t.extension.get('requested_due'))}",
            }
        )
    for e in events:
        if e["type"] == "transferred" and e["data"].get("good_reason") is False:
            out.append({"kind": "无故退单", "detail": f"{e['data'].get('from_unit_id')} 于 {_fmt(e['at'])} 退单"})
        if e["type"] == "review_rejected" and e["data"].get("false_reply"):
            out.append({"kind": "虚假反馈办理结果", "detail": str(e["data"].get("reason") or "")})
    overdue = [e for e in events if e["type"] == "marked_overdue"]
    if "overdue" in t.flags or overdue:
        when = f"，{_fmt(overdue[-1]['at'])} 已逾期" if overdue else ""
        out.append({"kind": "逾期未办理完成", "detail": f"办理期限 {_fmt(t.handle_due)}{when}"})
    if t.co_unit_ids:
        out.append({"kind": "涉及多个承办单位", "detail": "、".join(t.co_unit_ids)})
    return out


def _note(e: dict[str, Any]) -> str:
    d = e["data"]
    for key in ("reason", "decision", "note", "text", "answer"):
        if d.get(key):
            return str(d[key])
    if e["type"] in ("dispatched", "transferred"):
        return f"承办单位 {d.get('unit_id')}"
    if e["type"] == "called_back":
        return label("satisfaction", d.get("satisfaction")) if d.get("satisfaction") else ""
    return ""


def difficult_sheet(deps: Adapters, actor: Actor, ticket_id: str, fmt: str, now: datetime) -> tuple[bytes | str, str]:
    """The printable 疑难工单 for the supervising leader, with a space for the decision (R-12345-10)."""
    access.ensure_role(actor, *STAFF)
    t = deps.tickets.get(ticket_id)
    events = deps.tickets.events(ticket_id)
    units, names = deps.contexts.load(now).units, deps.contexts.names()
    caller = access.masked_caller(
        t.caller, confidential=t.confidential
    )  # R-12345-11: printed sheets never show personal data
    view = {
        "id": t.ticket_id,
        "external_id": t.external_id,
        "hotline": t.hotline,
        "category_label": label("category", t.category),
        "received_at": _fmt(t.received_at),
        "handle_due": _fmt(t.handle_due),
        "unit_name": str(units.get(t.unit_id or "", {}).get("name") or t.unit_id or "—"),
        "co_units": [str(units.get(u, {}).get("name") or u) for u in t.co_unit_ids],
        "owner_name": names.get(t.owner_id or "", t.owner_id or "—"),
        "status_label": label("status", t.status),
        "caller": f"{caller.name} {caller.phone}".strip() or "—",
        "title": t.title,
        "content": t.content,
    }
    history = [
        {
            "at": _fmt(e["at"]),
            "label": label("event", e["type"]),
            "actor": names.get(e["actor_id"], e["actor_id"]),
            "note": _note(e),
        }
        for e in events
    ]
    decision = None
    if t.difficult and t.difficult.get("decision"):
        decision = {
            "text": t.difficult["decision"],
            "by": names.get(t.difficult.get("decided_by", ""), t.difficult.get("decided_by")),
            "at": _fmt(t.difficult.get("decided_at")),
        }
    privacy.log_access(deps, "document", actor, now, ticket_id=t.ticket_id, document="difficult-sheet", format=fmt)
    return pdf.render(
        "sheets/difficult.html",
        _check_format(fmt),
        title=f"疑难工单 {t.ticket_id}",
        t=view,
        reasons=_reasons(t, events),
        history=history,
        decision=decision,
        printed_at=_fmt(now),
    )


# ---------------------------------------------------------------- typical tickets


def typical_tickets(deps: Adapters, month: str) -> tuple[list[dict[str, Any]], int]:
    """(tickets marked typical during the month and still marked, confidential ones withheld) (R-12345-15).

    The month's `marked_typical` events (by_month Query) name the candidates; a ticket is listed when it
    still carries the mark and the mark was set in this month (a removed mark, `unmark-typical`, takes it
    out; marked again later, it belongs to that later month), in marking order. A confidential ticket's
    content never appears: it is only counted (`withheld`).
    """
    month = stats.check_month(month)
    ids = {e.ticket_id for e in counters.month_events(deps.tickets, month) if e.type == "marked_typical"}
    marked = [
        t
        for t in deps.tickets.get_many(sorted(ids))
        if "typical" in t.flags and t.typical and statistics.month_of(datetime.fromisoformat(t.typical["at"])) == month
    ]
    marked.sort(key=lambda t: (str((t.typical or {}).get("at")), t.ticket_id))
    units = deps.directory.units()
    names = deps.contexts.names()
    out = []
    for t in marked:
        if t.confidential:
            continue
        mark = t.typical or {}
        at = datetime.fromisoformat(mark["at"])
        titles = {
            s.id: s.title for s in deps.contexts.load(at).templates.get(t.category, DEFAULT_TEMPLATES[t.category])
        }
        reply = [{"title": titles.get(k, k), "text": v} for k, v in ((t.reply or {}).get("sections") or {}).items()]
        out.append(
            {
                "id": t.ticket_id,
                "title": t.title,
                "content": t.content,
                "category_label": label("category", t.category),
                "unit_name": str(units.get(t.unit_id or "", {}).get("name") or t.unit_id or "—"),
                "status_label": label("status", t.status),
                "reply": reply,
                "satisfaction": label("satisfaction", (t.callback or {}).get("satisfaction"))
                if (t.callback or {}).get("satisfaction")
                else "—",
                "marked_by": names.get(str(mark.get("by") or ""), str(mark.get("by") or "")),
                "marked_at": _fmt(at),
                "note": str(mark.get("note") or ""),
            }
        )
    return out, len(marked) - len(out)


def typical_summary(deps: Adapters, actor: Actor, month: str, fmt: str, now: datetime) -> tuple[bytes | str, str]:
    """典型工单 summary of a month as HTML or PDF."""
    access.ensure_role(actor, *STAFF)
    items, withheld = typical_tickets(deps, month)
    analysis = typical_summary_analysis(deps, month)
    privacy.log_access(deps, "document", actor, now, document="typical", month=month, format=fmt)
    return pdf.render(
        "stats/typical.html",
        _check_format(fmt),
        title=f"{_month_label(month)}典型工单",
        month_label=_month_label(month),
        items=items,
        withheld=withheld,
        analysis=analysis,
        generated_at=_fmt(now),
    )


def typical_json(deps: Adapters, actor: Actor, month: str) -> list[dict[str, Any]]:
    """The same list as JSON (for the SPA)."""
    access.ensure_role(actor, *STAFF)
    return typical_tickets(deps, month)[0]


# ---------------------------------------------------------------- the typical-ticket summary's analysis

TYPICAL_PK = "TYPICAL#"
ANALYSIS_SK = "analysis#v"
MAX_ANALYSIS = 5000
ANALYSIS_ROLES = (Role.ANALYST, Role.LEADER)


def _analysis_view(sk: str, data: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    return {
        "version": int(sk.removeprefix(ANALYSIS_SK)),
        "text": str(data.get("text") or ""),
        "by": data.get("by"),
        # the writer's display name, never the login id (their name as it was when they wrote, if not on file)
        "by_name": names.get(str(data.get("by") or "")) or str(data.get("by_name") or data.get("by") or ""),
        "at": data.get("at"),
        "at_label": _fmt(data.get("at")),
    }


def typical_summary_analysis(deps: Adapters, month: str, history: int = 1) -> list[dict[str, Any]]:
    """The newest `history` versions of the month's analysis paragraph, newest first (one Query)."""
    items = deps.directory.query_items(f"{TYPICAL_PK}{month}", prefix=ANALYSIS_SK, limit=history, newest_first=True)
    names = deps.contexts.names()
    return [_analysis_view(sk, data, names) for sk, data in items]


def typical_summary_json(deps: Adapters, actor: Actor, month: str, now: datetime) -> dict[str, Any]:
    """GET /stats/typical-summary/{month}: the marked tickets, the analysis and its earlier versions."""
    access.ensure_role(actor, *STAFF)
    month = hotspots.check_month(month, now)
    items, withheld = typical_tickets(deps, month)
    versions = typical_summary_analysis(deps, month, history=20)
    return {
        "month": month,
        "items": items,
        "confidential_withheld": withheld,
        "analysis": versions[0] if versions else None,
        "history": versions,
        "can_edit": actor.role in ANALYSIS_ROLES,
    }


def put_typical_analysis(
    deps: Adapters, actor: Actor, month: str, body: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """PUT /stats/typical-summary/{month}/analysis (analyst, leader): a new version of the paragraph.

    Every version is written once (never overwritten): who wrote it and when stay on record. `version`,
    when sent, must be the version the writer read (409 when someone saved another meanwhile). The same
    save sent twice (a double click, a retried request: same writer, same text, same version read) answers
    the version the first one made instead of a 409.
    """
    access.ensure_role(actor, *ANALYSIS_ROLES)
    month = hotspots.check_month(month, now)
    text = body.get("text")
    if not isinstance(text, str):
        raise ValidationError({"text": "分析段落须为文字"})
    text = text.strip()
    if len(text) > MAX_ANALYSIS:
        raise ValidationError({"text": f"分析段落不能超过 {MAX_ANALYSIS} 字（当前 {len(text)} 字）"})
    base = body.get("version")
    if base is not None and (isinstance(base, bool) or not isinstance(base, int) or base < 0):
        raise ValidationError({"version": "须为所依据的版本号（整数，首次编写为 0）"})
    current = typical_summary_analysis(deps, month)
    latest = current[0]["version"] if current else 0
    if base is not None and base == latest - 1 and (current[0]["text"], current[0]["by"]) == (text, actor.user_id):
        return current[0]  # this writer's same save again: already done
    if base is not None and base != latest:
        raise Conflict(f"分析段落已被他人更新为第 {latest} 版，请刷新后再修改", current_version=latest)
    version = latest + 1
    data = {"text": text, "by": actor.user_id, "by_name": actor.name, "at": now.isoformat(), "month": month}
    if not deps.directory.claim(f"{TYPICAL_PK}{month}", f"{ANALYSIS_SK}{version:06d}", data):
        raise Conflict("分析段落刚被他人更新，请刷新后再修改", current_version=version)
    return _analysis_view(f"{ANALYSIS_SK}{version:06d}", data, deps.contexts.names())
