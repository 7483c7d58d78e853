"""Emergency escalation use cases (R-12369-02 `emergency`, both hotlines; domain/emergency.py).

Intake sets the flag (services/tickets.create_ticket); here: an operator or leader flags an open
ticket later, a leader acknowledges (the event `emergency_acknowledged` stops the escalations),
the banner's list of unacknowledged emergencies (one Query on the sparse gsi1 `EMERGENCY#OPEN`),
and the admin's keyword rule (CONFIG/emergency_keywords). The escalations themselves are the
sweep's (services/sweep.py): each texts the leader on duty and records the call.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, emergency, tickets
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.services import privacy
from chalicelib.services.tickets import EMERGENCY_OPEN, emergency_item

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

FLAG_ROLES = (Role.OPERATOR, Role.LEADER)
ACK_ROLES = (Role.LEADER,)
BANNER_ROLES = (Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN, Role.RECORDS)
MAX_OPEN = 100


def flag(deps: Adapters, actor: Actor, ticket_id: str, body: dict[str, Any], now: datetime) -> Ticket:
    """Mark an open ticket an emergency: escalated to the leader on duty by the next sweep."""
    access.ensure_role(actor, *FLAG_ROLES)
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    change = emergency.flag(ticket, body, actor, now)
    ctx = deps.contexts.load(now)
    return deps.tickets.commit(change, tickets.next_alert(change.after, ctx), extra=[emergency_item(change.after)])


def acknowledge(deps: Adapters, actor: Actor, ticket_id: str, body: dict[str, Any], now: datetime) -> Ticket:
    """A leader acknowledges the emergency: no more escalations, the banner goes (one transaction)."""
    access.ensure_role(actor, *ACK_ROLES)
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    change = emergency.acknowledge(ticket, body, actor, now)
    ctx = deps.contexts.load(now)
    return deps.tickets.commit(change, tickets.next_alert(change.after, ctx), extra=[emergency_item(change.after)])


def open_emergencies(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """Unacknowledged emergencies, oldest first: the red banner on every staff home page."""
    access.ensure_role(actor, *BANNER_ROLES)
    items = [d for _, d in deps.directory.query_items(EMERGENCY_OPEN, index=True, limit=MAX_OPEN)]
    return {"items": items, "can_acknowledge": actor.role in ACK_ROLES}


def keywords(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """The keyword rule in force (admins, operators and leaders read it)."""
    access.ensure_role(actor, Role.ADMIN, Role.OPERATOR, Role.LEADER)
    stored = (deps.directory.config("emergency_keywords") or {}).get("keywords")
    return {"keywords": list(stored or emergency.DEFAULT_KEYWORDS), "default": not stored}


def set_keywords(deps: Adapters, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Admin: replace the keyword list (takes effect within the context cache's minute)."""
    access.ensure_role(actor, Role.ADMIN)
    words = emergency.clean_keywords(body.get("keywords"))
    before = keywords(deps, actor)["keywords"]
    deps.directory.put_item("CONFIG", "emergency_keywords", {"keywords": words, "by": actor.user_id})
    privacy.log_change(deps, "emergency_keywords_changed", actor, deps.clock(), before=before, after=words)
    deps.contexts.invalidate()
    return {"keywords": words, "default": False}
