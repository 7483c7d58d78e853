"""Statistics routes (R-12345-14): monthly figures, 12-month trend, the report, Excel export, recount."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import hotspots, recount, reports, stats
else:
    hotspots = on_first_use("chalicelib.services.hotspots")
    recount = on_first_use("chalicelib.services.recount")
    reports = on_first_use("chalicelib.services.reports")
    stats = on_first_use("chalicelib.services.stats")

bp = Blueprint(__name__)


@route(bp, "/stats/monthly", methods=["GET"])
def monthly() -> dict[str, Any]:
    """`?month=YYYY-MM&scope=county|unit|owner&id=`: every figure with numerator and denominator."""
    return stats.monthly_for(adapters(), current_actor(bp), query(bp))


@route(bp, "/stats/trend", methods=["GET"])
def trend() -> dict[str, Any]:
    """`?month=&scope=&id=&months=12`: the figures of the months ending with `month`."""
    return stats.trend_for(adapters(), current_actor(bp), query(bp))


@route(bp, "/stats/report", methods=["GET"])
def report() -> dict[str, Any]:
    """`?month=`: county figures, one row per unit, one per dispatcher."""
    return stats.report_for(adapters(), current_actor(bp), query(bp).get("month", ""))


@route(bp, "/stats/export", methods=["GET"])
def export() -> Response:
    """`?month=`: the monthly report as an Excel workbook (send `Accept: application/vnd.openxmlformats…`)."""
    body, content_type, name = reports.monthly_excel(adapters(), current_actor(bp), query(bp).get("month", ""), now())
    headers: dict[str, str | list[str]] = {
        "Content-Type": content_type,
        "Content-Disposition": f'attachment; filename="{name}"',
    }
    return Response(body, status_code=200, headers=headers)


@route(bp, "/admin/recount", methods=["POST"])
def admin_recount() -> dict[str, Any]:
    """`{"month", "dry_run"?}` (admin): rebuild a month's counters from the event log, report differences."""
    return recount.recount_for(adapters(), current_actor(bp), json_body(bp), now())


@route(bp, "/stats/hotspots", methods=["GET"])
def hotspots_month() -> dict[str, Any]:
    """`?month=YYYY-MM&by=unit|category`: the month's hot topics (综合分析) and their change (staff)."""
    return hotspots.hotspots_for(adapters(), current_actor(bp), query(bp), now())


@route(bp, "/stats/hotspots/{month}/recompute", methods=["POST"])
def hotspots_recompute(month: str) -> dict[str, Any]:
    """Analyse the month again now (analyst, leader); `?by=` as for GET."""
    return hotspots.recompute_for(adapters(), current_actor(bp), month, query(bp), now())


@route(bp, "/stats/typical-summary/{month}", methods=["GET"])
def typical_summary(month: str) -> dict[str, Any]:
    """The typical-ticket summary (R-12345-15): marked tickets, the analysis paragraph and its versions."""
    return reports.typical_summary_json(adapters(), current_actor(bp), month, now())


@route(bp, "/stats/typical-summary/{month}/analysis", methods=["PUT"])
def typical_analysis(month: str) -> dict[str, Any]:
    """`{"text", "version"?}` (analyst, leader): save a new version of the summary's analysis paragraph."""
    return reports.put_typical_analysis(adapters(), current_actor(bp), month, json_body(bp), now())
