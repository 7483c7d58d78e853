"""Public JSON shapes of tickets (TicketPublic / TicketSummary), masking applied (R-12345-11)."""

from __future__ import annotations

from typing import Any

from chalicelib.domain import access, emergency, escalation
from chalicelib.domain.model import FLAGS, Actor, Ticket
from chalicelib.domain.tickets import act_due, allowed_actions
from chalicelib.storage.serialize import iso

SUMMARY_FIELDS = (
    "title",
    "category",
    "hotline",
    "status",
    "unit_id",
    "owner_id",
    "urgent",
    "confidential",
    "handle_due_provisional",
)


def ticket_summary(t: Ticket) -> dict[str, Any]:
    """A list row: no personal data at all."""
    out: dict[str, Any] = {"id": t.ticket_id}
    out.update({f: getattr(t, f) for f in SUMMARY_FIELDS})
    out.update(
        received_at=iso(t.received_at),
        dispatch_due=iso(t.dispatch_due),
        handle_due=iso(t.handle_due),
        act_due=iso(act_due(t)),  # R-12345-12: transfer / review within 12 h of the return / reply
        flags={f: f in t.flags for f in FLAGS},
        emergency=bool(t.emergency),
        emergency_pending=emergency.pending(t),
        escalation=escalation.summary(t),  # R-12345-10: the leader's queue (trigger, decision due)
        delegate=t.delegate,  # R-12345-03 hand-over: {handover_id, user_id, from_id, until} while active
    )
    return out


def ticket_public(t: Ticket, actor: Actor, *, reveal: bool = False) -> dict[str, Any]:
    """The full view of one ticket for this actor; caller data unmasked only on an allowed reveal."""
    out = ticket_summary(t)
    show = reveal and access.can_reveal(actor, t)
    caller = t.caller if show else access.masked_caller(t.caller, confidential=t.confidential)
    out.update(
        source=t.source,
        external_id=t.external_id,
        channel=t.channel,
        content=t.content,
        location=t.location,
        caller=caller.as_dict(),
        caller_masked=not show,
        can_reveal=access.can_reveal(actor, t),
        wants_reply=t.wants_reply,
        city_limit_days=t.city_limit_days,
        city_due=iso(t.city_due),
        co_unit_ids=list(t.co_unit_ids),
        first_owner_id=t.first_owner_id,
        dispatched_at=iso(t.dispatched_at),
        submitted_at=iso(t.submitted_at),
        closed_at=iso(t.closed_at),
        redo_count=t.redo_count,
        return_count=t.return_count,
        transfer_count=t.transfer_count,
        reassign_count=t.reassign_count,
        extension=t.extension,
        difficult=t.difficult,
        supervised=t.supervised,
        typical=t.typical,
        emergency=t.emergency,
        merge=t.merge,  # R-12345-18: a duplicate's main ticket
        reply=t.reply,
        callback=t.callback,
        env=t.env,
        allowed_actions=allowed_actions(t, actor),
        version=t.version,
        created_at=iso(t.created_at),
        updated_at=iso(t.updated_at),
    )
    out["return"] = t.return_info
    return out
