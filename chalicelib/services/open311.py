"""Open311 GeoReport v2 use cases: services, create a request (api_key), list and read requests.

Listing is bounded and uses Query and BatchGet only: each request created through Open311 is indexed under its
receipt month (`PARTNER#O311#{yyyy-mm}`, sorted by receipt time). GET requests reads the month
partitions of its date window (at most 90 days → at most 4 Queries), newest first, takes at most
1000 index entries, filters service codes, loads those tickets with BatchGet and filters status.
Only Open311-created requests are listed; nothing personal is ever returned.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import open311 as o311
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.model import Ticket
from chalicelib.services import partners
from chalicelib.services import tickets as ticket_service
from chalicelib.storage.serialize import iso

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


def create_request(deps: Adapters, form: Mapping[str, Sequence[str]], now: datetime) -> dict[str, Any]:
    """POST requests: api_key (400 missing / 403 invalid), service (404), location, description."""
    api_key = o311._one(form, "api_key", 200)
    if not api_key:
        raise o311.Open311Error("api_key missing")
    caller = partners.authenticate_api_key(deps, api_key, now)
    svc, payload = o311.request_payload(form)
    payload["source"] = caller.partner_id
    try:
        ticket, _ = ticket_service.create_ticket(deps, caller.actor, payload, now)
    except ValidationError as exc:  # the ticket core's 422 is a 400 in GeoReport v2
        raise o311.Open311Error("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from exc
    deps.partners.index_open311(ticket.ticket_id, iso(ticket.received_at) or "", svc.code, caller.partner_id)
    return o311.created_record(ticket)


def _load(deps: Adapters, ids: Sequence[str]) -> list[Ticket]:
    found = {t.ticket_id: t for t in deps.tickets.get_many(ids)}
    return [found[i] for i in ids if i in found]


def get_request(deps: Adapters, request_id: str, *, extensions: bool = False) -> dict[str, Any]:
    """GET requests/{id}: one Open311 request (404 for any other id)."""
    if not o311.is_ticket_id(request_id):
        raise NotFound(f"service_request_id {request_id} not found")
    tickets = _load(deps, [request_id])
    if not tickets or deps.partners.open311_entry(request_id, iso(tickets[0].received_at) or "") is None:
        raise NotFound(f"service_request_id {request_id} not found")
    return o311.request_record(
        tickets[0], partners.unit_names(deps).get(tickets[0].unit_id or ""), extensions=extensions
    )


def list_requests(deps: Adapters, params: Mapping[str, str], now: datetime) -> list[dict[str, Any]]:
    """GET requests with the spec's filters; at most 1000, newest first."""
    q = o311.request_query(params, now)
    if q.ids:
        ids = [i for i in q.ids if o311.is_ticket_id(i)]
        tickets = [t for t in _load(deps, ids) if deps.partners.open311_entry(t.ticket_id, iso(t.received_at) or "")]
    else:
        assert q.start is not None and q.end is not None
        start, end = iso(q.start.astimezone(UTC)) or "", iso(q.end.astimezone(UTC)) or ""
        entries: list[dict[str, Any]] = []
        for month in o311.months_between(q.start, q.end):
            if len(entries) >= o311.MAX_RESULTS:
                break
            entries += deps.partners.open311_range(month, start, end, o311.MAX_RESULTS - len(entries))
        if q.service_codes:
            entries = [e for e in entries if e.get("service_code") in q.service_codes]
        tickets = _load(deps, [str(e["ticket_id"]) for e in entries])
        if q.statuses:
            tickets = [t for t in tickets if o311.open_or_closed(t) in q.statuses]
    names = partners.unit_names(deps)
    return [o311.request_record(t, names.get(t.unit_id or ""), extensions=q.extensions) for t in tickets]
