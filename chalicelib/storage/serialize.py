"""Domain Ticket ↔ plain JSON-able dict (the stored document, the event snapshot, the API's base)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.model import Caller, Ticket

_DATES = (
    "received_at",
    "city_due",
    "dispatched_at",
    "first_dispatched_at",
    "dispatch_due",
    "handle_due",
    "submitted_at",
    "closed_at",
    "created_at",
    "updated_at",
)
_SETS = ("flags", "alerts_done")


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 with offset, or None."""
    return value.isoformat() if value else None


def ticket_to_doc(ticket: Ticket) -> dict[str, Any]:
    """All fields except the caller's personal data, JSON-able."""
    doc: dict[str, Any] = {}
    for name in Ticket.__dataclass_fields__:
        if name == "caller":
            continue
        value = getattr(ticket, name)
        if name in _DATES:
            value = iso(value)
        elif name in _SETS:
            value = sorted(value)
        elif name == "co_unit_ids":
            value = list(value)
        doc[name] = value
    return doc


def ticket_from_doc(doc: dict[str, Any], caller: Caller | None = None) -> Ticket:
    """Rebuild a Ticket from its document and (decrypted) caller."""
    values: dict[str, Any] = {}
    for name in Ticket.__dataclass_fields__:
        if name not in doc or name == "caller":
            continue
        value = doc[name]
        if name in _DATES:
            value = datetime.fromisoformat(value) if value else None
        elif name in _SETS:
            value = frozenset(value or ())
        elif name == "co_unit_ids":
            value = tuple(value or ())
        values[name] = value
    return Ticket(caller=caller or Caller(), **values)
