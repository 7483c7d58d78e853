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
import re
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
ACCESS_PREFIX = "ACCESS#"  # Directory partition of the security log, one per UTC day
ACCESS_BY_USER = "ACCESS-BY-USER#"  # its gsi1 partition per actor


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


LOGIN_ACTIONS = frozenset({"login", "login_failed", "lockout", "logout"})
# fields never copied into the security log (R-SEC-02): secrets a change may carry
SECRET_FIELDS = re.compile(r"secret|password|api_key|token|hash", re.IGNORECASE)


def kind_of(action: str) -> str:
    """The security log's kind of an action: `login`, `change` (admin / configuration) or `access`."""
    if action in LOGIN_ACTIONS:
        return "login"
    return "change" if action in CHANGE_ACTIONS else "access"


def log_access(
    deps: Adapters, action: str, actor: Actor, now: datetime, *, ticket_id: str | None = None, **detail: Any
) -> dict[str, Any]:
    """Record one access to personal data or an archive file: who, what, when, which ticket.

    The Directory item serves the reveal log pages; the write-once Object-Lock copy is the record
    nobody with the app's role can remove.
    """
    entry = _write_entry(deps, action, actor, now, ticket_id=ticket_id, **detail)
    if action == "reveal" and ticket_id:
        deps.directory.record_pii_view(ticket_id, actor.user_id, str(actor.role), now, reason=detail.get("reason"))
    return entry


# every admin and configuration change (R-SEC-02); each has a name in the label catalogue (`security_action`)
CHANGE_ACTIONS = frozenset(
    {
        "user_created",
        "user_updated",
        "user_enabled",
        "user_disabled",
        "unit_created",
        "unit_updated",
        "unit_deactivated",
        "partner_created",
        "partner_updated",
        "partner_key_issued",
        "partner_key_revoked",
        "duty_roster_changed",
        "duty_default_changed",
        "duty_staff_changed",
        "calendar_changed",
        "calendar_confirmed",
        "office_hours_changed",
        "emergency_keywords_changed",
        "template_saved",
        "recount_run",
        "reconcile_run",
        "work_settings_changed",
        "assessment_weights_changed",
        "escalation_policy_changed",
        "duty_fallback_changed",
        "mfa_reset",
        "account_unlocked",
        "limits_changed",
    }
)


def log_change(
    deps: Adapters,
    action: str,
    actor: Actor,
    now: datetime,
    *,
    target: str | None = None,
    before: Any = None,
    after: Any = None,
) -> dict[str, Any]:
    """Record one admin or configuration change with its before and after (R-SEC-02).

    The ONE writer of the change log: the same two copies as `log_access` (write-once Object-Lock
    object + Directory `ACCESS#` item), secrets left out (`SECRET_FIELDS`). Called after the change
    succeeded, so a refused change (4xx) leaves no entry.
    """
    if action not in CHANGE_ACTIONS:
        raise ValueError(f"unknown change action {action!r}")  # a programming error: every action has a label
    return _write_entry(deps, action, actor, now, target=target, before=scrub(before), after=scrub(after))


def scrub(value: Any) -> Any:
    """A change's before/after without secrets: fields named like a secret become `***`."""
    if isinstance(value, Mapping):
        return {str(k): "***" if SECRET_FIELDS.search(str(k)) else scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v) for v in value]
    return value


def _write_entry(
    deps: Adapters, action: str, actor: Actor, now: datetime, *, ticket_id: str | None = None, **detail: Any
) -> dict[str, Any]:
    """One security-log entry: a write-once Object-Lock object and a Directory `ACCESS#` item."""
    entry_id = uuid.uuid4().hex
    entry = {
        "id": entry_id,
        "action": action,
        "kind": kind_of(action),
        "user_id": actor.user_id,
        "role": str(actor.role),
        "unit_id": actor.unit_id,
        "at": now.isoformat(),
        "ticket_id": ticket_id,
        **{k: v for k, v in detail.items() if v is not None},
    }
    day = now.strftime("%Y/%m/%d")
    key = f"{SECURITY_LOG_PREFIX}{day}/{now.strftime('%H%M%S')}-{entry_id}.json"
    body = json.dumps(entry, ensure_ascii=False, sort_keys=True, default=str).encode()
    deps.archive_store.put_once(key, body, "application/json", now, {"action": action})
    deps.directory.put_item(
        f"{ACCESS_PREFIX}{now.strftime('%Y-%m-%d')}",
        f"{now.isoformat()}#{entry_id}",
        json.loads(body) | {"s3_key": key},
        gsi1pk=f"{ACCESS_BY_USER}{actor.user_id}",
        gsi1sk=f"{now.isoformat()}#{entry_id}",
    )
    return entry
