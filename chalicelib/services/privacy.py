"""Personal data outside the ticket's caller field (R-12345-11): recorded calls and the access log.

- A recorded call keeps whom it reached only inside the envelope: `contact_enc` holds
  `{"name", "phone"}` encrypted, `to_name` / `to_phone` hold the masked forms. Events, their audit
  copies, record.json / record.html and every API view therefore carry no plaintext number or name;
  `GET /tickets/{id}/calls?reveal=1` opens them for the roles allowed to reveal, and the reveal is
  recorded like any other.
- Every access to personal data or to an archive file (reveal, download, export, document) is
  recorded twice: a Directory item (queryable, `PIIVIEW#` / `ACCESS#`) and a write-once copy in the
  Object-Lock archive bucket (`security-log/…`, COMPLIANCE retention): the app role can put such an
  object but can delete neither it nor its locked version (docs/security.md).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.model import Actor, Change
from chalicelib.integrations import crypto

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

CONTACT_FIELD = "contact_enc"
SECURITY_LOG_PREFIX = "security-log/"


def contact_aad(ticket_id: str) -> str:
    """Where a call's sealed contact lives: an event of this ticket (the ciphertext is bound to it)."""
    return crypto.aad("events", ticket_id, CONTACT_FIELD)


def seal_call(deps: Adapters, ticket_id: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """The call record as stored: name and number encrypted, masked forms beside them."""
    name, phone = str(call.get("to_name") or ""), str(call.get("to_phone") or "")
    out = {k: v for k, v in call.items() if k not in ("to_name", "to_phone")}
    out.update(to_name=access.mask_text(name, 1), to_phone=access.mask_phone(phone))
    if name or phone:
        out[CONTACT_FIELD] = deps.tickets.seal_personal(
            ticket_id, {"name": name, "phone": phone}, contact_aad(ticket_id)
        )
    return out


def open_call(deps: Adapters, ticket_id: str, call: Mapping[str, Any]) -> dict[str, Any]:
    """A stored call with name and number decrypted (for SMS to the unit and for allowed reveals)."""
    out = {k: v for k, v in call.items() if k != CONTACT_FIELD}
    sealed = call.get(CONTACT_FIELD)
    if sealed:
        contact = deps.tickets.open_personal(ticket_id, str(sealed), contact_aad(ticket_id))
        out.update(to_name=contact.get("name", ""), to_phone=contact.get("phone", ""))
    return out


MESSAGE_FIELD = "private_enc"
CITIZEN_ROLES = frozenset({"reporter"})  # messages to a caller / reporter (R-12345-11, R-12369-02)
_PRIVATE_MESSAGE_KEYS = ("to_name", "to", "e164", "text", "params")


def message_aad(record: Mapping[str, Any]) -> str:
    """Where a message's sealed recipient lives: its record in the Directory (`SMS#{ticket}` / `{event}#{role}`)."""
    return crypto.aad("directory", f"SMS#{record['ticket_id']}/{record['event_id']}#{record['role']}", MESSAGE_FIELD)


def seal_message(deps: Adapters, record: Mapping[str, Any]) -> dict[str, Any]:
    """A message record as stored: to a citizen, the name, number, text and parameters only in the envelope
    (masked forms beside them, for the message logs); to staff or a unit, unchanged."""
    if record.get("role") not in CITIZEN_ROLES or MESSAGE_FIELD in record:
        return dict(record)
    name, phone = str(record.get("to_name") or ""), str(record.get("to") or "")
    masked_name = access.mask_text(name, 1)
    text = str(record.get("text") or "")
    out = dict(record)
    out.update(
        to_name=masked_name,
        to=access.mask_phone(phone),
        text=text.replace(name, masked_name) if name else text,
        params={k: (masked_name if k == "name" else v) for k, v in dict(record.get("params") or {}).items()},
    )
    private = {k: record.get(k) for k in _PRIVATE_MESSAGE_KEYS}
    out.pop("e164", None)  # derived from the number: only in the envelope
    out[MESSAGE_FIELD] = deps.tickets.seal_personal(str(record["ticket_id"]), private, message_aad(record))
    return out


def open_message(deps: Adapters, record: Mapping[str, Any]) -> dict[str, Any]:
    """A stored message record with its sealed recipient opened (only to send it)."""
    out = {k: v for k, v in record.items() if k != MESSAGE_FIELD}
    sealed = record.get(MESSAGE_FIELD)
    if sealed:
        out.update(deps.tickets.open_personal(str(record["ticket_id"]), str(sealed), message_aad(record)))
    return out


def public_call(call: Mapping[str, Any]) -> dict[str, Any]:
    """A stored call as any API view shows it: masked, without the ciphertext."""
    return {k: v for k, v in call.items() if k != CONTACT_FIELD}


def seal_change(deps: Adapters, change: Change) -> Change:
    """The change with the calls in its event data sealed (every verb that records a call; `co_calls`:
    one per co-unit, R-12345-02)."""
    data = dict(change.data)
    tid = change.after.ticket_id
    call = data.get("call")
    if isinstance(call, Mapping) and CONTACT_FIELD not in call:
        data["call"] = seal_call(deps, tid, call)
    co_calls = data.get("co_calls")
    if isinstance(co_calls, list):
        data["co_calls"] = [
            seal_call(deps, tid, c) if isinstance(c, Mapping) and CONTACT_FIELD not in c else c for c in co_calls
        ]
    return change if data == change.data else replace(change, data=data)


def public_event_data(event: Mapping[str, Any]) -> dict[str, Any]:
    """A history item for the API: the calls in its data shown masked, without the ciphertext."""
    data = event.get("data") or {}
    if not isinstance(data, Mapping):
        return dict(event)
    shown = dict(data)
    if isinstance(data.get("call"), Mapping):
        shown["call"] = public_call(data["call"])
    if isinstance(data.get("co_calls"), list):
        shown["co_calls"] = [public_call(c) if isinstance(c, Mapping) else c for c in data["co_calls"]]
    return dict(event, data=shown)


# ---------------------------------------------------------------- the access log (R-12345-11)


def log_access(
    deps: Adapters, action: str, actor: Actor, now: datetime, *, ticket_id: str | None = None, **detail: Any
) -> dict[str, Any]:
    """Record one access to personal data or an archive file: who, what, when, which ticket.

    The Directory item serves the reveal log pages; the write-once Object-Lock copy is the record
    nobody with the app's role can remove.
    """
    entry_id = uuid.uuid4().hex
    entry = {
        "id": entry_id,
        "action": action,
        "user_id": actor.user_id,
        "role": str(actor.role),
        "unit_id": actor.unit_id,
        "at": now.isoformat(),
        "ticket_id": ticket_id,
        **{k: v for k, v in detail.items() if v is not None},
    }
    day = now.strftime("%Y/%m/%d")
    key = f"{SECURITY_LOG_PREFIX}{day}/{now.strftime('%H%M%S')}-{entry_id}.json"
    body = json.dumps(entry, ensure_ascii=False, sort_keys=True).encode()
    deps.archive_store.put_once(key, body, "application/json", now, {"action": action})
    deps.directory.put_item(
        f"ACCESS#{now.strftime('%Y-%m-%d')}",
        f"{now.isoformat()}#{entry_id}",
        dict(entry, s3_key=key),
        gsi1pk=f"ACCESS-BY-USER#{actor.user_id}",
        gsi1sk=f"{now.isoformat()}#{entry_id}",
    )
    if action == "reveal" and ticket_id:
        deps.directory.record_pii_view(ticket_id, actor.user_id, str(actor.role), now, reason=detail.get("reason"))
    return entry
