"""Evidence file routes of a ticket (services/evidence.py): upload form, confirm, list, download, log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import evidence as svc
else:
    svc = on_first_use("chalicelib.services.evidence")

bp = Blueprint(__name__)


def _ticket(ticket_id: str) -> svc.Owner:
    return svc.Owner("ticket", ticket_id)


@route(bp, "/tickets/{ticket_id}/evidence", methods=["GET"])
def list_evidence(ticket_id: str) -> dict[str, Any]:
    """The ticket's stored evidence files, oldest first."""
    return svc.listing(adapters(), current_actor(bp), _ticket(ticket_id))


@route(bp, "/tickets/{ticket_id}/evidence", methods=["POST"])
def start_evidence_upload(ticket_id: str) -> Response:
    """`{filename, size, note?}` → 201 a pending file with its presigned upload form (POST to S3)."""
    started = svc.start_upload(adapters(), current_actor(bp), _ticket(ticket_id), json_body(bp), now())
    return Response(started, status_code=201)


@route(bp, "/tickets/{ticket_id}/evidence/{evidence_id}/confirm", methods=["POST"])
def confirm_evidence(ticket_id: str, evidence_id: str) -> dict[str, Any]:
    """Check the uploaded file by its content and keep it (422 and removed when refused)."""
    return svc.confirm(adapters(), current_actor(bp), _ticket(ticket_id), evidence_id, now())


@route(bp, "/tickets/{ticket_id}/evidence/{evidence_id}/download", methods=["GET"])
def download_evidence(ticket_id: str, evidence_id: str) -> dict[str, Any]:
    """A presigned link valid 15 minutes (`?inline=1`: shown in the browser); recorded."""
    inline = query(bp).get("inline") in ("1", "true")
    return svc.download(adapters(), current_actor(bp), _ticket(ticket_id), evidence_id, now(), inline=inline)


@route(bp, "/tickets/{ticket_id}/evidence-downloads", methods=["GET"])
def evidence_downloads(ticket_id: str) -> dict[str, Any]:
    """Who downloaded the ticket's evidence files, newest first."""
    return svc.downloads(adapters(), current_actor(bp), _ticket(ticket_id))
