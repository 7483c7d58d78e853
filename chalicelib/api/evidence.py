"""Evidence file routes (services/evidence.py): upload form, confirm, list, download, log — the same five routes for
every owner path, declared by `evidence_routes`: a ticket, an action item (R-WORK-02), a weekly report (R-WORK-01),
a notice to units and a unit's submission to it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.domain.model import Actor
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import evidence as svc
    from chalicelib.services import work_archive
else:
    svc = on_first_use("chalicelib.services.evidence")
    work_archive = on_first_use("chalicelib.services.work_archive")

bp = Blueprint(__name__)

# the owner from the path's parameters, the query and the caller
OwnerOf = Callable[[Mapping[str, str], Mapping[str, str], Actor], "svc.Owner"]


def evidence_routes(bp: Blueprint, owner_path: str, name: str, what: str, owner_of: OwnerOf) -> None:
    """Declare the five evidence routes below `owner_path` (e.g. `/tickets/{ticket_id}`): `name` makes the view
    names unique, `what` names the owner in their descriptions, `owner_of` finds the owner. Path parameters are
    URL-decoded first (API Gateway and Chalice hand them over as sent)."""

    def owner(params: Mapping[str, str], actor: Actor) -> svc.Owner:
        decoded = {k: unquote(v) for k, v in params.items() if k != "evidence_id"}
        return owner_of(decoded, query(bp), actor)

    def listing(**params: str) -> dict[str, Any]:
        actor = current_actor(bp)
        return svc.listing(adapters(), actor, owner(params, actor))

    def start(**params: str) -> Response:
        actor = current_actor(bp)
        started = svc.start_upload(adapters(), actor, owner(params, actor), json_body(bp), now())
        return Response(started, status_code=201)

    def confirm(evidence_id: str, **params: str) -> dict[str, Any]:
        actor = current_actor(bp)
        return svc.confirm(adapters(), actor, owner(params, actor), unquote(evidence_id), now())

    def download(evidence_id: str, **params: str) -> dict[str, Any]:
        actor = current_actor(bp)
        inline = query(bp).get("inline") in ("1", "true")
        found = owner(params, actor)
        return svc.download(adapters(), actor, found, unquote(evidence_id), now(), inline=inline)

    def downloads(**params: str) -> dict[str, Any]:
        actor = current_actor(bp)
        return svc.downloads(adapters(), actor, owner(params, actor))

    views: list[tuple[str, str, str, Callable[..., Any], str]] = [
        ("/evidence", "GET", f"list_{name}_evidence", listing, f"The {what}'s stored evidence files, oldest first."),
        (
            "/evidence",
            "POST",
            f"start_{name}_evidence_upload",
            start,
            f"`{{filename, size, note?}}` → 201 a pending file of the {what} with its presigned upload form (POST to S3).",
        ),
        (
            "/evidence/{evidence_id}/confirm",
            "POST",
            f"confirm_{name}_evidence",
            confirm,
            "Check the uploaded file by its content and keep it (422 and removed when refused).",
        ),
        (
            "/evidence/{evidence_id}/download",
            "GET",
            f"download_{name}_evidence",
            download,
            "A presigned link valid 15 minutes (`?inline=1`: shown in the browser); recorded.",
        ),
        (
            "/evidence-downloads",
            "GET",
            f"{name}_evidence_downloads",
            downloads,
            f"Who downloaded the {what}'s evidence files, newest first.",
        ),
    ]
    for tail, method, view_name, view, doc in views:
        view.__name__ = view_name
        view.__doc__ = doc
        route(bp, owner_path + tail, methods=[method])(view)


def _ticket(params: Mapping[str, str], _query: Mapping[str, str], _actor: Actor) -> svc.Owner:
    return svc.Owner("ticket", params["ticket_id"])


def _action(params: Mapping[str, str], _query: Mapping[str, str], _actor: Actor) -> svc.Owner:
    return svc.Owner(work_archive.ACTION_KIND, params["action_id"])


def _report(params: Mapping[str, str], q: Mapping[str, str], actor: Actor) -> svc.Owner:
    """R-WORK-01: my report of the week; `?dept_id=` the department's combined one; `?owner_id=` another's."""
    return svc.Owner(work_archive.REPORT_KIND, work_archive.report_owner(params["week"], q, actor))


def _notice(params: Mapping[str, str], _query: Mapping[str, str], _actor: Actor) -> svc.Owner:
    return svc.Owner(work_archive.NOTICE_KIND, params["notice_id"])


def _submission(params: Mapping[str, str], _query: Mapping[str, str], _actor: Actor) -> svc.Owner:
    return svc.Owner(work_archive.SUBMISSION_KIND, work_archive.submission_id(params["notice_id"], params["unit_id"]))


evidence_routes(bp, "/tickets/{ticket_id}", "ticket", "ticket", _ticket)
evidence_routes(bp, "/work/actions/{action_id}", "action", "action item", _action)
evidence_routes(bp, "/work/weekly/{week}", "report", "weekly report", _report)
evidence_routes(bp, "/work/notices/{notice_id}", "notice", "notice", _notice)
evidence_routes(bp, "/work/notices/{notice_id}/units/{unit_id}", "submission", "unit's submission", _submission)
