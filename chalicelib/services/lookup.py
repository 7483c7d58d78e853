"""Citizen status lookup (R-12369-02: tell the reporter how to look up the result).

At intake (the `received` event on the events stream, whatever the source) a 6-digit code is
issued, only its salted PBKDF2 hash stored (`LOOKUP#{ticket}` / CODE), and the code is sent to the
caller's mobile by SMS. `GET /public/v1/requests/{number}?code=` answers status, handling unit,
dates and the public reply, never personal data (R-12345-11).

Abuse limits: 30 lookups a minute per client address, 10 a minute per number; 5 wrong codes for a
number within a 30-minute window lock that number until the window ends (429). Unknown numbers and
wrong codes get the same answer, so the API does not tell which numbers exist.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import phones
from chalicelib.domain.errors import Forbidden, RateLimited, ValidationError
from chalicelib.domain.model import Status, Ticket
from chalicelib.domain.open311 import CATEGORY_TEXT, STATUS_TEXT, is_ticket_id
from chalicelib.domain.windows import window
from chalicelib.services import partners
from chalicelib.storage.serialize import iso

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.lookup")

CODE = re.compile(r"\d{6}")
PBKDF2_ROUNDS = 60_000
PER_ADDRESS_PER_MIN = 30
PER_NUMBER_PER_MIN = 10
MAX_FAILURES = 5
LOCK_WINDOW_S = 30 * 60
SMS_TEMPLATE = "lookup_code"
WRONG = "工单编号或查询码不正确"


def _hash(ticket_id: str, code: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", f"{ticket_id}:{code}".encode(), salt.encode(), PBKDF2_ROUNDS).hex()


def issue_code(deps: Adapters, ticket_id: str, now: datetime) -> str:
    """A new verification code for the ticket; only its hash is stored. Returns the code."""
    code = f"{secrets.randbelow(10**6):06d}"
    salt = secrets.token_hex(16)
    deps.partners.put_code(ticket_id, {"hash": _hash(ticket_id, code, salt), "salt": salt, "issued_at": iso(now)})
    return code


def on_event(deps: Adapters, event: Mapping[str, Any], now: datetime) -> bool:
    """Stream hook: on `received`, issue the code and text it to the caller (once per ticket).

    The notice is claimed (`sending`) with a conditional write before the code is texted, so a
    redelivered or replayed record — even one racing the first delivery — never texts a second code.
    A send that failed (`failed`) may be claimed again; one interrupted in the gateway call stays
    `sending` and is not repeated (at most once).
    """
    if event.get("type") != "received":
        return False
    ticket_id = str(event["ticket_id"])
    notice = deps.partners.get_notice(ticket_id)
    if notice is not None and notice.get("status") != "failed":
        return False  # texted, no mobile, or a send under way: the caller has (or gets) one code only
    if not deps.partners.claim_notice(ticket_id, {"status": "sending", "at": iso(now)}, notice):
        return False  # another delivery of this record claimed it first
    try:
        ticket = deps.tickets.get(ticket_id)
        code = issue_code(deps, ticket_id, now)
        outcome = send_code(deps, ticket, code, now)
    except Exception as exc:  # released for the stream's retry, then re-raised (the record fails)
        deps.partners.put_notice(ticket_id, {"status": "failed", "at": iso(now), "error": str(exc)[:200]})
        raise
    deps.partners.put_notice(ticket_id, outcome)
    return True


def send_code(deps: Adapters, ticket: Ticket, code: str, now: datetime) -> dict[str, Any]:
    """SMS the number and code to the caller's mobile; returns the delivery record (no code, no number)."""
    from chalicelib.integrations.sms import SmsMessage

    e164 = phones.to_e164(ticket.caller.phone) if ticket.caller.phone else None
    if e164 is None:
        return {"status": "no_mobile", "at": iso(now), "channel": ticket.channel}
    text = f"【12345热线】您的诉求已受理，工单编号 {ticket.ticket_id}，查询码 {code}，可凭编号和查询码查询办理进度。"
    result = deps.sms.send(
        SmsMessage(
            e164, text, SMS_TEMPLATE, {"number": ticket.ticket_id, "code": code}, ref=f"{ticket.ticket_id}#lookup"
        )
    )
    if not result.ok:
        log.warning("lookup code SMS for %s failed: %s", ticket.ticket_id, result.error)
        raise RuntimeError(f"SMS failed: {result.error}")  # the stream retries the record
    return {"status": "sent", "at": iso(now), "message_id": result.message_id}


def _check_code(deps: Adapters, ticket_id: str, code: str) -> bool:
    record = deps.partners.get_code(ticket_id) if is_ticket_id(ticket_id) else None
    if record is None:
        _hash(ticket_id, code, "x" * 32)  # same work either way: timing does not tell which numbers exist
        return False
    return hmac.compare_digest(_hash(ticket_id, code, str(record["salt"])), str(record["hash"]))


def lookup(deps: Adapters, number: str, code: str | None, address: str, now: datetime) -> dict[str, Any]:
    """The public status of a request for its holder (number + code)."""
    number = number.strip()[:64]
    partners.throttle(deps, f"lookup-ip:{address[:64]}", PER_ADDRESS_PER_MIN, now)
    if not code or not CODE.fullmatch(code):
        raise ValidationError({"code": "须为短信中的 6 位数字查询码"})
    partners.throttle(deps, f"lookup-no:{number}", PER_NUMBER_PER_MIN, now)
    start, ts = window(now, LOCK_WINDOW_S)
    retry_after = start + LOCK_WINDOW_S - ts
    if deps.partners.count(f"lookup-fail:{number}", f"fail#{start}") >= MAX_FAILURES:
        raise RateLimited("查询码错误次数过多，已暂时锁定，请稍后再试", retry_after=retry_after)
    if not _check_code(deps, number, code):
        failures = deps.partners.hit(f"lookup-fail:{number}", f"fail#{start}", ts + LOCK_WINDOW_S + 60)
        if failures >= MAX_FAILURES:
            raise RateLimited("查询码错误次数过多，已暂时锁定，请稍后再试", retry_after=retry_after)
        raise Forbidden(WRONG, remaining_attempts=MAX_FAILURES - failures)
    # without personal data (R-12345-11): the public function holds no key to decrypt the caller
    found = deps.tickets.get_many([number])
    if not found:
        raise Forbidden(WRONG)
    ticket = found[0]
    titles = {s.id: s.title for s in deps.contexts.load(now).templates.get(ticket.category, ())}
    return public_view(ticket, partners.unit_names(deps), titles)


def public_reply(ticket: Ticket, titles: Mapping[str, str] | None = None) -> str | None:
    """The reply text (section titles from the reply template), once reviewed and submitted."""
    if ticket.status not in (Status.SUBMITTED, Status.CLOSED) or not ticket.reply:
        return None
    sections = ticket.reply.get("sections") or {}
    titles = titles or {}
    return "\n".join(f"{titles.get(name, name)}：{text}" for name, text in sections.items()) or None


def public_view(ticket: Ticket, names: Mapping[str, str], titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Status, unit, dates and the public reply; nothing about the caller."""
    return {
        "number": ticket.ticket_id,
        "hotline": ticket.hotline,
        "category": ticket.category,
        "category_text": CATEGORY_TEXT.get(ticket.category, ticket.category),
        "status": "closed" if ticket.status == Status.CLOSED else "open",
        "status_text": STATUS_TEXT.get(ticket.status, str(ticket.status)),
        "handling_unit": names.get(ticket.unit_id) if ticket.unit_id else None,
        "received_at": iso(ticket.received_at),
        "handle_due": iso(ticket.handle_due),
        "submitted_at": iso(ticket.submitted_at),
        "closed_at": iso(ticket.closed_at),
        "updated_at": iso(ticket.updated_at),
        "reply": public_reply(ticket, titles),
    }
