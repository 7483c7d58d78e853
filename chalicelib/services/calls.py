"""Phone-call log (R-12345-02 dispatch notice, R-12345-04 reminder, R-12345-05 callback, the
report of an emergency to the leader on duty (R-12369-02, recorded by the sweep), other).

A call is a `call_recorded` event in the ticket's history (the `record-call` verb); dispatch, transfer
and re-assignment (R-12345-09) carry their own call, dispatch and re-assignment one per co-unit too
(`co_calls`, R-12345-02). Recording a reminder call closes the owner's "phone the unit" task (the
events stream handler does it, whichever route recorded the call).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.model import Actor
from chalicelib.services import privacy
from chalicelib.services import tickets as ticket_svc
from chalicelib.services.views import ticket_public

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

CALL_EVENTS = ("call_recorded", "dispatched", "transferred", "reassigned", "emergency_escalated")


def record_call(deps: Adapters, actor: Actor, ticket_id: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Record one call: kind, to_name, to_phone, outcome, note (who and when from the request)."""
    ticket = ticket_svc.act(deps, actor, ticket_id, "record-call", body, now)
    return ticket_public(ticket, actor)


def list_calls(
    deps: Adapters, actor: Actor, ticket_id: str, now: datetime, *, reveal: bool = False, reason: str | None = None
) -> list[dict[str, Any]]:
    """Every call recorded on the ticket, oldest first, with the event it belongs to: whom it reached
    masked, or — `reveal` by a role allowed to, with a reason code, recorded — in full (R-12345-11)."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    if reveal:
        ticket_svc.ensure_reveal(deps, actor, ticket, now, reason, "calls")
    out = []
    for e in deps.tickets.events(ticket_id):
        if e["type"] not in CALL_EVENTS:
            continue
        data = e.get("data") or {}
        # the lead unit's call, then one per co-unit (R-12345-02)
        for call in [data.get("call"), *(data.get("co_calls") or [])]:
            if isinstance(call, dict):
                shown = privacy.open_call(deps, ticket_id, call) if reveal else privacy.public_call(call)
                out.append(dict(shown, event_id=e["event_id"], event_type=e["type"]))
    return out
