"""Printable documents as HTML print views or PDF (`?format=html|pdf`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import reports
else:
    reports = on_first_use("chalicelib.services.reports")

bp = Blueprint(__name__)


def _doc(result: tuple[bytes | str, str], name: str) -> Response:
    body, content_type = result
    headers: dict[str, str | list[str]] = {"Content-Type": content_type}
    if content_type.startswith("application/pdf"):
        headers["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return Response(body, status_code=200, headers=headers)


@route(bp, "/documents/monthly-report", methods=["GET"])
def monthly_report() -> Response:
    """月度通报 `?month=YYYY-MM&format=html|pdf`."""
    q = query(bp)
    return _doc(
        reports.monthly_report(adapters(), current_actor(bp), q.get("month", ""), q.get("format", "html"), now()),
        "monthly",
    )


@route(bp, "/documents/difficult-sheet/{ticket_id}", methods=["GET"])
def difficult_sheet(ticket_id: str) -> Response:
    """疑难工单 of one ticket for the leader `?format=html|pdf` (R-12345-10)."""
    fmt = query(bp).get("format", "html")
    return _doc(reports.difficult_sheet(adapters(), current_actor(bp), ticket_id, fmt, now()), ticket_id)


@route(bp, "/documents/typical", methods=["GET"])
def typical() -> Any:
    """典型工单 of a month `?month=&format=html|pdf|json` (R-12345-15)."""
    q, actor = query(bp), current_actor(bp)
    if q.get("format") == "json":
        return {"items": reports.typical_json(adapters(), actor, q.get("month", ""))}
    return _doc(
        reports.typical_summary(adapters(), actor, q.get("month", ""), q.get("format", "html"), now()), "typical"
    )
