"""Duplicate requests and their merge (并单, R-12345-18): candidates of a ticket or of an intake being typed,
merge and unmerge."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import duplicates as svc
    from chalicelib.services import views
else:
    views = on_first_use("chalicelib.services.views")
    svc = on_first_use("chalicelib.services.duplicates")

bp = Blueprint(__name__)


@route(bp, "/tickets/{ticket_id}/duplicates", methods=["GET"])
def ticket_duplicates(ticket_id: str) -> dict[str, Any]:
    """Likely duplicates within the window (score, reasons), the main ticket and the merged duplicates."""
    return svc.candidates(adapters(), current_actor(bp), ticket_id, now())


@route(bp, "/duplicates/check", methods=["POST"])
def check_duplicates() -> dict[str, Any]:
    """Candidates of an intake not yet saved (title, content, caller.phone, location.address / entity)."""
    return svc.check_draft(adapters(), current_actor(bp), json_body(bp), now())


@route(bp, "/tickets/{ticket_id}/merge", methods=["POST"])
def merge_ticket(ticket_id: str) -> dict[str, Any]:
    """Merge this ticket into `into` (the operator confirms the duplicate)."""
    actor = current_actor(bp)
    return views.ticket_public(svc.merge(adapters(), actor, ticket_id, json_body(bp), now()), actor)


@route(bp, "/tickets/{ticket_id}/unmerge", methods=["POST"])
def unmerge_ticket(ticket_id: str) -> dict[str, Any]:
    """Take this duplicate back out of its main ticket."""
    actor = current_actor(bp)
    return views.ticket_public(svc.unmerge(adapters(), actor, ticket_id, json_body(bp), now()), actor)
