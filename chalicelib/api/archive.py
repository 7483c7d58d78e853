"""Records office routes: search, metadata, versions, downloads, verification; admin reconciliation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import reconcile
    from chalicelib.services import records as svc
else:
    reconcile = on_first_use("chalicelib.services.reconcile")
    svc = on_first_use("chalicelib.services.records")

bp = Blueprint(__name__)


@route(bp, "/archive/search", methods=["GET"])
def search_archive() -> dict[str, Any]:
    """ticket_id | external_id | unit_id | category | hotline, optional month (YYYY-MM); paginated."""
    return svc.search(adapters(), current_actor(bp), query(bp))


@route(bp, "/archive/{ticket_id}", methods=["GET"])
def archive_record(ticket_id: str) -> dict[str, Any]:
    """The current archived version; `?reveal=1&reason=…` shows the caller to the records office (recorded)."""
    params = query(bp)
    reveal = params.get("reveal") in ("1", "true")
    return svc.record(adapters(), current_actor(bp), ticket_id, now(), reveal=reveal, reason=params.get("reason"))


@route(bp, "/archive/{ticket_id}/versions", methods=["GET"])
def archive_versions(ticket_id: str) -> dict[str, Any]:
    """Every archived version, oldest first."""
    return svc.list_versions(adapters(), current_actor(bp), ticket_id)


@route(bp, "/archive/{ticket_id}/download", methods=["GET"])
def archive_download(ticket_id: str) -> dict[str, Any]:
    """`?file=record.html|record.json|manifest.json[&version=n]` → a presigned URL valid 15 minutes."""
    return svc.download(adapters(), current_actor(bp), ticket_id, query(bp), now())


@route(bp, "/archive/{ticket_id}/verify", methods=["POST"])
def archive_verify(ticket_id: str) -> dict[str, Any]:
    """Recompute the checksums against the manifest; `{"version": n}` optional."""
    actor = current_actor(bp)
    return svc.verify(adapters(), actor, ticket_id, json_body(bp).get("version") or query(bp).get("version"))


@route(bp, "/admin/reconcile", methods=["POST"])
def admin_reconcile() -> dict[str, Any]:
    """`{"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"}` (Asia/Shanghai days) → counts."""
    return reconcile.reconcile_range(adapters(), current_actor(bp), json_body(bp), now())
