"""Open311 GeoReport v2 use cases: services, create a request (api_key), list and read requests, the
updates feed (FixMyStreet's servicerequestupdates), and what staff approve for publication.

Listing is bounded and uses Query and BatchGet only: each request created through Open311 is indexed under
its receipt month (`PARTNER#O311#{yyyy-mm}`, sorted by receipt time) and copied to that month's partitions
by status, by service and by service and status (storage/partners.py). GET requests queries, for each month
of its ≤ 90-day window newest first, exactly the partitions its filters name (at most `max_requests` ≤ 1000
entries from each), merges them newest first and stops at `max_requests`: the filters come before the cap,
and the items read are at most (partitions queried) × (requests returned). The tickets are then loaded with
BatchGet. The status copies follow the ticket through the TicketEvents stream (`on_event`).

Nothing personal is published (R-12345-11): see `domain.open311.request_record`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import open311 as o311
from chalicelib.domain import pii
from chalicelib.domain.access import ensure_role
from chalicelib.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.services import partners
from chalicelib.services import tickets as ticket_service
from chalicelib.storage.serialize import iso, ticket_from_doc

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


def publication(deps: Adapters) -> o311.Publication:
    """What this stage publishes (Settings: `open311_grid_m`, `open311_descriptions`)."""
    return o311.Publication(deps.settings.open311_grid_m, deps.settings.open311_descriptions)


def authenticate(deps: Adapters, api_key: str, now: datetime) -> partners.PartnerRequest:
    """api_key → partner: 403 when missing, unknown or no longer usable (as the spec shows)."""
    if not api_key:
        raise Forbidden("api_key missing")
    return partners.authenticate_api_key(deps, api_key, now)


def check_read_key(deps: Adapters, params: o311.Params, now: datetime) -> None:
    """GETs need an api_key when the stage says so (`open311_get_requires_key`)."""
    if deps.settings.open311_get_requires_key:
        authenticate(deps, o311.value(params, "api_key")[:201], now)


def create_request(deps: Adapters, form: Mapping[str, Sequence[str]], now: datetime) -> dict[str, Any]:
    """POST requests: api_key (403 missing or invalid), service (404), location, description."""
    caller = authenticate(deps, o311._one(form, "api_key", 200), now)
    svc, payload, kept = o311.request_payload(form)
    payload["source"] = caller.partner_id
    try:
        ticket, _ = ticket_service.create_ticket(deps, caller.actor, payload, now)
    except ValidationError as exc:  # the ticket core's 422 is a 400 in GeoReport v2
        raise o311.Open311Error("; ".join(f"{k}: {v}" for k, v in exc.fields.items())) from exc
    entry = {
        "ticket_id": ticket.ticket_id,
        "received_at": iso(ticket.received_at) or "",
        "service_code": svc.code,
        "partner_id": caller.partner_id,
        "status": o311.open_or_closed(ticket),
        **kept,
    }
    deps.partners.index_open311(entry)
    return o311.created_record(ticket)


def _load(deps: Adapters, ids: Sequence[str]) -> list[Ticket]:
    found = {t.ticket_id: t for t in deps.tickets.get_many(ids)}
    return [found[i] for i in ids if i in found]


def _entry_of(deps: Adapters, ticket: Ticket) -> dict[str, Any] | None:
    return deps.partners.open311_entry(ticket.ticket_id, iso(ticket.received_at) or "")


def get_request(deps: Adapters, request_id: str, *, extensions: bool = False) -> dict[str, Any]:
    """GET requests/{id}: one Open311 request (404 for any other id)."""
    if not o311.is_ticket_id(request_id):
        raise NotFound(f"service_request_id {request_id} not found")
    tickets = _load(deps, [request_id])
    entry = _entry_of(deps, tickets[0]) if tickets else None
    if entry is None:
        raise NotFound(f"service_request_id {request_id} not found")
    names = partners.unit_names(deps)
    return o311.request_record(
        tickets[0],
        names.get(tickets[0].unit_id or ""),
        entry=entry,
        publication=publication(deps),
        extensions=extensions,
    )


def _entries(deps: Adapters, q: o311.RequestQuery) -> list[dict[str, Any]]:
    """Index entries matching the filters, newest first, at most `q.limit`: one Query per partition named."""
    assert q.start is not None and q.end is not None
    start, end = iso(q.start.astimezone(UTC)) or "", iso(q.end.astimezone(UTC)) or ""
    codes: Sequence[str] = [""]
    if q.service_codes:
        codes = [c for c in q.service_codes if c in o311.BY_CODE]
    statuses: Sequence[str] = q.statuses if set(q.statuses) != {"open", "closed"} else [""]
    entries: list[dict[str, Any]] = []
    for month in o311.months_between(q.start, q.end):
        remaining = q.limit - len(entries)
        if remaining <= 0 or not codes:
            break
        found: list[dict[str, Any]] = []
        for code in codes:
            for status in statuses:
                found += deps.partners.open311_range(month, start, end, remaining, service_code=code, status=status)
        found.sort(key=lambda e: (str(e["received_at"]), str(e["ticket_id"])), reverse=True)
        entries += found[:remaining]
    return entries


def list_requests(deps: Adapters, params: o311.Params, now: datetime) -> list[dict[str, Any]]:
    """GET requests with the spec's filters (and `max_requests`), applied before the cap; newest first."""
    q = o311.request_query(params, now)
    if q.ids:
        loaded = _load(deps, [i for i in q.ids if o311.is_ticket_id(i)])
        pairs = [(t, _entry_of(deps, t)) for t in loaded]
        found = [(t, e) for t, e in pairs if e is not None]
    else:
        entries = _entries(deps, q)
        by_id = {str(e["ticket_id"]): e for e in entries}
        # the status copies follow the ticket through the stream: one that moved since is left out until then
        found = [(t, by_id[t.ticket_id]) for t in _load(deps, list(by_id)) if o311.open_or_closed(t) in q.statuses]
    names, shown = partners.unit_names(deps), publication(deps)
    return [
        o311.request_record(t, names.get(t.unit_id or ""), entry=e, publication=shown, extensions=q.extensions)
        for t, e in found
    ]


# ---------------------------------------------------------------- publication, as staff approve it

# approving what the public sees is a business decision: not the system administrator (R-SEC-01)
PUBLISHERS = frozenset({Role.OPERATOR})


def approve_publication(deps: Adapters, actor: Actor, ticket_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """Staff approve what Open311 GETs show of a request: `public_text` (masked by the PII recogniser
    before it is stored; empty withdraws it) and whether its `media_url` is public (R-12345-11).
    Confidential tickets are never published."""
    ensure_role(actor, *PUBLISHERS)
    ticket = deps.tickets.get(ticket_id)
    entry = _entry_of(deps, ticket)
    if entry is None:
        raise NotFound(f"工单 {ticket_id} 不是 Open311 请求", ticket_id=ticket_id)
    text = body.get("public_text", "")
    media = body.get("public_media", False)
    errors: dict[str, str] = {}
    if not isinstance(text, str) or len(text) > o311.MAX_DESCRIPTION:
        errors["public_text"] = f"须为不超过 {o311.MAX_DESCRIPTION} 字的文本"
    if not isinstance(media, bool):
        errors["public_media"] = "须为 true 或 false"
    if errors:
        raise ValidationError(errors)
    if ticket.confidential and (text.strip() or media):
        raise ValidationError({"public_text": "保密件不得公开"})
    after = {**entry, "public_text": pii.redact(text.strip()), "public_media": media}
    deps.partners.update_open311(entry, after)
    return {"ticket_id": ticket_id, "public_text": after["public_text"], "public_media": media}


# ---------------------------------------------------------------- stream: status copies and the updates feed


def on_event(deps: Adapters, event: Mapping[str, Any], now: datetime) -> bool:
    """A ticket event of an Open311 request: move its index copies to its status, and record a status
    change in the updates feed (idempotent on the event id). False for any other ticket."""
    raw = event.get("snapshot") or {}
    snapshot = dict(raw) if isinstance(raw, Mapping) else {}
    if not snapshot.get("source") or not snapshot.get("received_at"):
        return False
    entry = deps.partners.open311_entry(str(event["ticket_id"]), str(snapshot["received_at"]))
    if entry is None:
        return False
    ticket = ticket_from_doc(snapshot)
    status = o311.open_or_closed(ticket)
    if entry.get("status") != status or event.get("from_status") != event.get("to_status"):
        try:
            deps.partners.update_open311(entry, {**entry, "status": status})
        except Conflict:  # staff changed the entry meanwhile: read it again once
            fresh = deps.partners.open311_entry(str(event["ticket_id"]), str(snapshot["received_at"])) or entry
            deps.partners.update_open311(fresh, {**fresh, "status": status})
    if event.get("to_status") and event.get("from_status") != event.get("to_status"):
        deps.partners.add_open311_update(o311.update_record(event, ticket))
    return True


def list_updates(deps: Adapters, params: o311.Params, now: datetime) -> list[dict[str, Any]]:
    """GET servicerequestupdates: status changes of Open311 requests in the window, oldest first, ≤ 1000."""
    q = o311.request_query({k: v for k, v in params.items() if k in ("start_date", "end_date", "max_requests")}, now)
    assert q.start is not None and q.end is not None
    start, end = iso(q.start.astimezone(UTC)) or "", iso(q.end.astimezone(UTC)) or ""
    found: list[dict[str, Any]] = []
    for month in reversed(o311.months_between(q.start, q.end)):
        if len(found) >= q.limit:
            break
        found += deps.partners.open311_updates(month, start, end, q.limit - len(found))
    return [o311.public_update(u) for u in found]
