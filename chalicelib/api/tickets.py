"""Ticket routes: intake, read, list, history, and one POST route per verb."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, current_actor, json_body, now, query
from chalicelib.api.errors import route
from chalicelib.domain.tickets import VERBS
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import tickets as svc
    from chalicelib.services import views
else:
    views = on_first_use("chalicelib.services.views")
    svc = on_first_use("chalicelib.services.tickets")

bp = Blueprint(__name__)


@route(bp, "/tickets", methods=["POST"])
def create_ticket() -> Response:
    """Operator entry (201), or the same ticket again for a repeated external id (200)."""
    actor = current_actor(bp)
    ticket, created = svc.create_ticket(adapters(), actor, json_body(bp), now())
    return Response(views.ticket_public(ticket, actor), status_code=201 if created else 200)


@route(bp, "/tickets", methods=["GET"])
def list_tickets() -> dict[str, Any]:
    """A page of tickets: filters status, unit_id, owner_id, flag, due_before, hotline; one search term
    ticket_id, phone (blind index, R-12345-11) or keyword; opaque `page`."""
    page = svc.list_tickets(adapters(), current_actor(bp), query(bp), now())
    out: dict[str, Any] = {"items": [views.ticket_summary(t) for t in page.items], "next_page": page.next_page}
    if page.examined is not None:
        out["examined"] = page.examined
    return out


@route(bp, "/tickets/{ticket_id}", methods=["GET"])
def get_ticket(ticket_id: str) -> dict[str, Any]:
    """One ticket; `?reveal=1` shows caller data to the roles allowed (and records the view)."""
    actor = current_actor(bp)
    params = query(bp)
    reveal = params.get("reveal") in ("1", "true")
    ticket = svc.get_ticket(adapters(), actor, ticket_id, now(), reveal=reveal, reason=params.get("reason"))
    return svc.with_people(adapters(), views.ticket_public(ticket, actor, reveal=reveal))


@route(bp, "/tickets/{ticket_id}/events", methods=["GET"])
def ticket_events(ticket_id: str) -> dict[str, Any]:
    """The ticket's history, oldest first."""
    return {"items": svc.ticket_events(adapters(), current_actor(bp), ticket_id)}


@route(bp, "/tickets/{ticket_id}/pii-views", methods=["GET"])
def pii_views(ticket_id: str) -> dict[str, Any]:
    """Who saw this ticket's unmasked caller data, and when (admins, R-12345-11)."""
    items, next_page = svc.pii_views(adapters(), current_actor(bp), ticket_id, query(bp).get("page"))
    return {"items": items, "next_page": next_page}


def _verb_view(verb: str) -> Any:
    def view(ticket_id: str) -> dict[str, Any]:
        actor = current_actor(bp)
        deps = adapters()
        return svc.with_people(
            deps, views.ticket_public(svc.act(deps, actor, ticket_id, verb, json_body(bp), now()), actor)
        )

    view.__name__ = "ticket_" + verb.replace("-", "_")
    view.__doc__ = f"Transition `{verb}` (see docs/api.md)."
    return view


for _verb in VERBS:
    route(bp, "/tickets/{ticket_id}/" + _verb, methods=["POST"])(_verb_view(_verb))
