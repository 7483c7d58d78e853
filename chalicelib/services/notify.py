"""Notifications from the event stream (never from request handlers); stuck sends settled by the sweep.

Per event: who must hear about it (R-12345-02 unit handler at dispatch and each co-unit's, R-12345-09 the
same at a re-assignment, R-12345-12 operator on duty
for a new ticket and for dispatch alerts, R-12345-04 unit handler the working day before due, R-12345-10 the leader on
duty for a new difficult episode and its decision due, R-12345-16 the owner and addressed unit of a forwarded or chased
leader instruction and the leader of its answer), the
Chinese text from `documents/templates/sms/*.txt.j2`, then one recorded send per recipient:
`SMS#{ticket}` / `{event_id}#{role}` is claimed with a conditional put first (de-duplicated by
event id: a redelivered record sends nothing), numbers are normalised to E.164 (an invalid one is
recorded as failed, not sent), the daily spend cap is checked, and the outcome is written back.

States of a message (storage/sms.py; docs/operations.md, "SMS states"): `pending` (claimed, no
gateway call under way) → `sending` (written before the gateway is called) → `sent` / `failed`.
A send left `pending` (the process stopped before the gateway call, or the sender raised) is
retried by the deadline sweep once its lease ends, up to `sms_max_attempts` attempts in all; a send
left `sending` may have been delivered, so it is never sent again: it is recorded failed,
`outcome_unknown`.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.documents import environment
from chalicelib.documents.labels import label
from chalicelib.domain import phones
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.integrations.sms import SmsMessage
from chalicelib.services import duty, duty_fallback, privacy
from chalicelib.storage.sms import marker, restate
from chalicelib.storage.table import Item

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.notify")


class SmsGatewayError(RuntimeError):
    """The sender raised before handing the message over; the text is the scrubbed error (no number)."""


SEGMENT = 67  # characters per segment of a long Chinese SMS


@dataclass(frozen=True)
class Recipient:
    """One person to text about one event."""

    role: str  # duty | owner | unit
    name: str
    phone: str
    template: str


def handle_event(deps: Adapters, event: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """React to one stored ticket event; returns the records of the messages it produced."""
    etype = event["type"]
    snapshot = event.get("snapshot") or {}
    if etype == "call_recorded" and (event.get("data") or {}).get("call", {}).get("kind") == "reminder":
        close_tasks(deps, snapshot, event, now)  # R-12345-04: the recorded reminder call closes the task
        return []
    out = []
    for r in recipients(deps, event):
        record = deliver(deps, event, r, now)
        if record is not None:
            out.append(record)
    return out


# event type → (who, template): R-12345-12 duty operator, R-12345-02/04 unit handler, the owner
ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "received": (("duty", "new_ticket"),),
    "dispatched": (("unit", "dispatched"),),
    "transferred": (("unit", "dispatched"),),
    "reassigned": (("unit", "reassigned"),),  # R-12345-09: like a dispatch
    "dispatch_warned": (("duty", "dispatch_warning"), ("owner", "dispatch_warning")),
    "marked_dispatch_overdue": (("duty", "dispatch_overdue"), ("owner", "dispatch_overdue")),
    "reminder_due": (("unit", "reminder"),),
    "submit_reminder_due": (("owner", "submit_reminder"),),  # R-12345-08: submit before due
    "marked_overdue": (("unit", "overdue"), ("owner", "overdue")),  # the unit only while it holds it
    # R-12345-12: the 12-hour clock on a returned ticket (transfer) and a reply (review), like dispatch
    "transfer_warned": (("duty", "transfer_warning"), ("owner", "transfer_warning")),
    "marked_transfer_overdue": (("duty", "transfer_overdue"), ("owner", "transfer_overdue")),
    "review_warned": (("duty", "review_warning"), ("owner", "review_warning")),
    "marked_review_overdue": (("duty", "review_overdue"), ("owner", "review_overdue")),
    "emergency_escalated": (("leader", "emergency"),),  # R-12369-02: the leader on duty, every escalation
    # R-12345-10: the leader on duty hears of a difficult ticket, the day before its decision due, and at it
    "decision_reminder_due": (("duty_leader", "difficult_reminder"),),
    "marked_decision_overdue": (("duty_leader", "difficult_overdue"),),
}
# A 12369 report's own routes (R-12369-02…07); its other events (sign, return, transfer) use ROUTES.
# "reporter": the reporter's notice (data.notice), texted where a number exists, else kept in the record only.
ENV_ROUTES: dict[str, tuple[tuple[str, str], ...]] = {
    "received": (("duty", "env_new_report"),),
    "decided": (("reporter", "env_notice"),),
    "forwarded": (("unit", "env_forwarded"),),
    "extension_decided": (("reporter", "env_notice"),),
    "signed_off": (("reporter", "env_notice"),),
    "supervision_opened": (("unit", "env_supervision"),),
    "env_decision_overdue": (("duty", "env_overdue"), ("owner", "env_overdue")),
    "env_forward_overdue": (("owner", "env_overdue"),),
    "env_finish_overdue": (("unit", "env_overdue"), ("owner", "env_overdue")),
    "env_supervision_overdue": (("unit", "env_supervision"), ("owner", "env_supervision")),
}
# R-12345-02/09: each co-unit's handler is texted too (CO_UNIT_EVENTS: event type → template)
CO_UNIT_EVENTS = {"dispatched": "co_dispatched", "reassigned": "reassigned"}
BRANDS = {"12345": "【12345热线】", "12369": "【12369环保举报热线】"}
STAGES = {
    "env_decision_overdue": "受理决定",
    "env_forward_overdue": "转送",
    "env_finish_overdue": "办结",
    "env_supervision_overdue": "督办回复",
}


def recipients(deps: Adapters, event: dict[str, Any]) -> list[Recipient]:
    """Who must be texted about this event (empty for most event types)."""
    data = event.get("data") or {}
    if data.get("late") or data.get("announce") is False:
        return []  # found after its deadline, or announced before: recorded on the ticket, not texted
    out = []
    routes = ROUTES.get(event["type"], ())
    if (event.get("snapshot") or {}).get("hotline") == "12369":
        routes = ENV_ROUTES.get(event["type"], routes)
    for role, template in routes:
        if role == "unit" and data.get("stage") == "dispatcher":
            continue  # R-12345-08: overdue while the dispatcher holds the ticket is the owner's to fix
        if role == "reporter" and not data.get("notice"):
            continue  # no notice on this event (a denied extension)
        person = _person(deps, role, event)
        if role == "reporter" and not (person or {}).get("phone"):
            continue  # anonymous or no number: the notice stays in the record only
        if person is not None:
            out.append(Recipient(role, person.get("name", ""), person.get("phone", ""), template))
    if (event.get("snapshot") or {}).get("hotline") != "12369":
        out += _co_units(deps, event)
    return out + _escalation_recipients(deps, event) + _instruction_recipients(deps, event)


def _co_units(deps: Adapters, event: dict[str, Any]) -> list[Recipient]:
    """R-12345-02/09: one message per co-unit — to whom the operator phoned (`co_calls`), else to the
    unit's registered handler (a re-assignment by the city platform); role `co_unit:{unit_id}`."""
    template = CO_UNIT_EVENTS.get(event["type"])
    data = event.get("data") or {}
    if template is None:
        return []
    calls = {c.get("unit_id"): c for c in data.get("co_calls") or [] if isinstance(c, dict)}
    out = []
    for unit_id in data.get("co_unit_ids") or []:
        if unit_id in calls:
            call = privacy.open_call(deps, event["ticket_id"], calls[unit_id])
            person = {"name": call.get("to_name", ""), "phone": call.get("to_phone", "")}
        else:
            person = _unit_handler(deps, unit_id)
        out.append(Recipient(f"co_unit:{unit_id}", person.get("name", ""), person.get("phone", ""), template))
    return out


def _unit_handler(deps: Adapters, unit_id: str | None) -> dict[str, Any]:
    """The unit's registered handler contact (name, phone), or {} (recorded as failed: no recipient)."""
    unit_doc = deps.directory.get_item("UNIT", unit_id or "") or {}
    return next((c for c in unit_doc.get("contacts", []) if c.get("role") == "handler"), {})


def _person(deps: Adapters, role: str, event: dict[str, Any]) -> dict[str, Any] | None:
    """Name and phone of the duty operator, the owner (if an admin entered a mobile) or the unit handler."""
    data, t = event.get("data") or {}, event.get("snapshot") or {}
    if role == "reporter":  # the caller's data is stored encrypted on the ticket, never in the event
        caller = deps.tickets.get(event["ticket_id"]).caller
        return {"name": caller.name, "phone": caller.phone}
    if role == "leader":  # the leader on duty the sweep found (domain/emergency.escalate); none → failed
        return data.get("duty_leader") or {}
    if role == "duty_leader":  # R-12345-10: the leaders' roster (DUTY#LEADER#) at the event's instant
        return duty.on_duty(deps, datetime.fromisoformat(event["at"]), post="leader") or {}
    if role == "duty":  # R-12345-12: the roster decides, out of hours included; nobody → the main number
        return duty_fallback.recipient(deps, datetime.fromisoformat(event["at"]), ticket_id=event["ticket_id"]) or {}
    if role == "owner":
        return duty.staff_contact(deps, data.get("owner_id") or t.get("owner_id") or t.get("created_by"))
    call = privacy.open_call(
        deps, event["ticket_id"], data.get("call") or {}
    )  # the number is sealed in the event (R-12345-11)
    if call.get("to_phone"):  # the handler the operator phoned (R-12345-02)
        return {"name": call.get("to_name", ""), "phone": call["to_phone"]}
    return _unit_handler(deps, t.get("unit_id"))


def _local(iso_text: str | None) -> str:
    if not iso_text:
        return "—"
    return datetime.fromisoformat(iso_text).astimezone(SHANGHAI).strftime("%m月%d日%H:%M")


def render(template: str, event: dict[str, Any], name: str) -> tuple[str, dict[str, str]]:
    """Text and gateway parameters of one message (plain-text templates are not autoescaped)."""
    t, data = event.get("snapshot") or {}, event.get("data") or {}
    params = {
        "ticket_id": str(t.get("ticket_id") or event["ticket_id"]),
        "title": str(t.get("title") or "")[:20],
        "category": label("category", t.get("category")),
        "name": name or "值班人员",
        "deadline": _local(data.get("deadline")),
        "dispatch_due": _local(t.get("dispatch_due")),
        "handle_due": _local(t.get("handle_due")),
        "brand": BRANDS.get(str(t.get("hotline") or "12345"), BRANDS["12345"]),
        "escalation": str(data.get("escalation") or ""),
        # R-12345-10 / R-12345-16
        "trigger": label("difficult_trigger", _escalated(event).get("difficult_trigger")),
        "decision_due": _local(data.get("decision_due") or _escalated(event).get("decision_due")),
        "due": _local(data.get("due")),
    }
    if t.get("hotline") == "12369":  # R-12369-02…07 texts
        env_doc = t.get("env") or {}
        params.update(
            notice=str(data.get("notice") or ""),
            decision_due=_local(env_doc.get("decision_due")),
            supervision_due=_local((env_doc.get("supervision") or {}).get("due")),
            stage=STAGES.get(event["type"], "办理"),
        )
    text = environment().get_template(f"sms/{template}.txt.j2").render(**params)
    return text.strip(), params


def deliver(deps: Adapters, event: dict[str, Any], r: Recipient, now: datetime) -> dict[str, Any] | None:
    """Claim, check, send and record one message; None when this event already produced it."""
    ticket_id = event["ticket_id"]
    text, params = render(r.template, event, r.name)
    record: dict[str, Any] = {
        "ticket_id": ticket_id,
        "event_id": event["event_id"],
        "event_type": event["type"],
        "role": r.role,
        "template": r.template,
        "to_name": r.name,
        "to": r.phone,
        "e164": phones.to_e164(r.phone) if r.phone else None,
        "text": text,
        "params": params,
        "backend": deps.settings.sms_backend,
        "status": "pending",
        "attempts": 1,
        "at": now.isoformat(),
    }
    record = privacy.seal_message(deps, record)  # a citizen's number and name only in the envelope (R-12345-11)
    mark = deps.sms_records.claim(record, now + timedelta(seconds=deps.settings.sms_retry_after_s))
    if mark is None:
        return None  # de-duplicated by event id (a redelivered or replayed record)
    return attempt(deps, record, mark, now)


def attempt(deps: Adapters, record: dict[str, Any], mark: str, now: datetime) -> dict[str, Any] | None:
    """One attempt on a claimed message (marker `mark`): checks, `sending`, the gateway, the outcome.

    None when the record's marker moved on (its lease ended and a sweep took the attempt over).
    Raises, with the record released to `pending`, when the sender raised (nothing was handed over).
    """
    opened = privacy.open_message(deps, record)  # what is sent; `record` (sealed) is what is stored
    cost = deps.settings.sms_price_fen * max(1, math.ceil(len(opened["text"]) / SEGMENT))
    refusal = _refusal(deps, opened, cost, now)
    if refusal is not None:
        outcome = dict(record, status="failed", reason=refusal)  # reported, not sent
    else:
        sending = dict(record, status="sending", sending_at=now.isoformat(), cost_fen=cost)
        sending_mark = restate(mark, "s")
        if not deps.sms_records.change(sending, mark, sending_mark):
            return None
        outcome = _send(deps, sending, sending_mark, opened)
    log.info("sms %s %s#%s: %s", outcome["status"], outcome["event_id"], outcome["role"], outcome.get("reason", ""))
    deps.sms_records.finish(outcome, _day(outcome))
    return outcome


def _refusal(deps: Adapters, record: dict[str, Any], cost: int, now: datetime) -> str | None:
    """Why the message is not sent (no recipient, invalid number, daily cap), or None (spend counted)."""
    s = deps.settings
    if not record["to"]:
        return "no_recipient"
    if record["e164"] is None:
        return "invalid_number"
    day = now.astimezone(SHANGHAI).date().isoformat()
    if cost > s.sms_daily_cap_fen or not deps.directory.add_spend(day, cost, s.sms_daily_cap_fen):
        return "daily_cap"
    return None


def _send(deps: Adapters, record: dict[str, Any], mark: str, opened: dict[str, Any]) -> dict[str, Any]:
    """The gateway call of a `sending` record (`opened`: its recipient and text unsealed); its outcome
    (sent / failed + reason), as stored."""
    ref = f"{record['event_id']}#{record['role']}"
    params = dict(opened.get("params") or {})
    message = SmsMessage(opened["e164"], opened["text"], opened["template"], params, ref=ref)
    try:
        result = deps.sms.send(message)
    except Exception as exc:
        # SmsSender contract: an exception means nothing was handed to the gateway, so the attempt
        # may be repeated: back to pending (the sweep retries it), and the stream reports the error.
        # What a gateway says may echo the number: only the scrubbed text is kept, logged or raised.
        error = phones.scrub(f"{type(exc).__name__}: {exc}")[:500]
        released = {k: v for k, v in record.items() if k != "sending_at"}
        released.update(status="pending", last_error=error)
        deps.sms_records.change(released, mark, restate(mark, "r"))
        raise SmsGatewayError(error) from None  # the original (and its traceback text) is not chained
    outcome = dict(record, status="sent" if result.ok else "failed", message_id=result.message_id)
    if not result.ok:
        outcome["reason"] = phones.scrub(result.error)[:500]
    return outcome


def _day(record: dict[str, Any]) -> str:
    """The local day a message belongs to (its claim)."""
    return datetime.fromisoformat(record["at"]).astimezone(SHANGHAI).date().isoformat()


def retry_due(deps: Adapters, now: datetime, limit: int = 100, rounds: int = 10) -> Counter[str]:
    """The sweep's share (R-12345-12): settle every send left unfinished past its lease.

    One Query on the outbox per page (only unfinished sends are in it). Each stuck send is taken with
    a conditional write of its marker (one sweep per attempt), then: `pending` → one more attempt,
    unless `sms_max_attempts` were made (→ failed, attempts_exhausted); `sending` → failed,
    outcome_unknown (the gateway may have delivered it: never sent again blindly).
    """
    counts: Counter[str] = Counter()
    for _round in range(rounds):
        due = deps.sms_records.due(now, limit)
        progress = 0
        for mark, record in due:
            outcome = _settle(deps, mark, record, now)
            counts[outcome] += 1
            progress += outcome != "sms_skipped"
        if len(due) < limit or not progress:
            break
    return counts


def _settle(deps: Adapters, mark: str, record: dict[str, Any], now: datetime) -> str:
    """One stuck send: a verdict or one more attempt; the name of what happened (a sweep counter)."""
    s = deps.settings
    attempts = int(record.get("attempts") or 1)
    if record.get("status") == "sending":
        verdict = dict(record, status="failed", reason="outcome_unknown", settled_at=now.isoformat())
        return "sms_outcome_unknown" if deps.sms_records.finish(verdict, _day(record), seen=mark) else "sms_skipped"
    if attempts >= s.sms_max_attempts:
        reason = f"attempts_exhausted: {record.get('last_error') or 'interrupted'}"[:500]
        verdict = dict(record, status="failed", reason=reason, settled_at=now.isoformat())
        return "sms_gave_up" if deps.sms_records.finish(verdict, _day(record), seen=mark) else "sms_skipped"
    sk = f"{record['event_id']}#{record['role']}"
    lease = marker(now + timedelta(seconds=s.sms_retry_after_s), "p", attempts + 1, record["ticket_id"], sk)
    leased = dict(record, attempts=attempts + 1, retried_at=now.isoformat())
    if not deps.sms_records.change(leased, mark, lease):
        return "sms_skipped"  # another sweep took this attempt
    try:
        done = attempt(deps, leased, lease, now)
    except Exception:
        log.exception("sms retry of %s failed", sk)
        return "sms_retry_failed"
    return "sms_skipped" if done is None else "sms_retried"


def close_tasks(deps: Adapters, snapshot: dict[str, Any], event: dict[str, Any], now: datetime) -> int:
    """Close the open "phone the unit" tasks of the ticket (R-12345-04)."""
    closed = 0
    for owner in {snapshot.get("owner_id"), snapshot.get("created_by")} - {None}:
        for sk, data in deps.directory.query_items(f"TASK#{owner}", prefix=f"{event['ticket_id']}#"):
            if data.get("status") == "open":
                data.update(status="done", closed_at=now.isoformat(), closed_by_event=event["event_id"])
                deps.directory.update_data(f"TASK#{owner}", sk, data, drop_index=True)
                closed += 1
    return closed


def ticket_messages(deps: Adapters, ticket_id: str) -> list[dict[str, Any]]:
    """Every message recorded on a ticket (pending / sending / sent / failed and why)."""
    return deps.sms_records.of_ticket(ticket_id)


def day_log(deps: Adapters, day: str, limit: int = 200) -> list[dict[str, Any]]:
    """The messages of one local day, newest first, unfinished ones included (admin view in local mode)."""
    unfinished = [m for m in deps.sms_records.unfinished(limit) if _day(m) == day]
    rows = deps.sms_records.day_log(day, limit) + unfinished
    return sorted(rows, key=lambda m: str(m.get("at")), reverse=True)[:limit]


# ---------------------------------------------------------------- office work (services/work.py)


def work_message(
    deps: Adapters,
    ref: str,
    event_id: str,
    event_type: str,
    person: dict[str, Any] | None,
    template: str,
    params: dict[str, str],
    now: datetime,
) -> tuple[dict[str, Any], Item, str]:
    """A reminder about office work (R-WORK-03/05/01): the pending record, its outbox item and marker.

    The caller writes the item (condition Absent) in the same transaction as the state change it is
    about, then calls `send_claimed`; if the process stops in between, the sweep's `retry_due`
    sends it once its lease ends — the message exists if and only if the change committed.
    """
    person = person or {}
    name = str(person.get("name") or "")
    text = environment().get_template(f"sms/{template}.txt.j2").render(**dict(params, name=name or "同志")).strip()
    phone = str(person.get("phone") or "")
    record: dict[str, Any] = {
        "ticket_id": ref,
        "event_id": event_id,
        "event_type": event_type,
        "role": str(person.get("role") or "staff"),
        "template": template,
        "to_name": name,
        "to": phone,
        "e164": phones.to_e164(phone) if phone else None,
        "text": text,
        "params": dict(params, name=name),
        "backend": deps.settings.sms_backend,
        "status": "pending",
        "attempts": 1,
        "at": now.isoformat(),
    }
    item, mark = deps.sms_records.claim_item(record, now + timedelta(seconds=deps.settings.sms_retry_after_s))
    return record, item, mark


def send_claimed(deps: Adapters, record: dict[str, Any], mark: str, now: datetime) -> dict[str, Any] | None:
    """The first attempt of a committed work reminder; a sender error leaves it to the sweep's retry."""
    try:
        return attempt(deps, record, mark, now)
    except Exception:
        log.exception("work reminder %s#%s left to the sweep's retry", record["event_id"], record["role"])
        return None


# ---------------------------------------------------------------- R-12345-10 escalation, R-12345-16 instructions


def _escalated(event: dict[str, Any]) -> dict[str, Any]:
    """The escalation an event records (R-12345-10): a flag's own data, or `escalated` inside a transition's."""
    data = event.get("data") or {}
    if isinstance(data.get("escalated"), dict):
        return dict(data["escalated"])
    if event.get("type") == "flagged_difficult":
        return {k: data.get(k) for k in ("difficult_trigger", "joined", "decision_due")}
    return {}


def _escalation_recipients(deps: Adapters, event: dict[str, Any]) -> list[Recipient]:
    """R-12345-10: a new difficult episode (flagged, or escalated inside a dispatch, transfer, review or the
    sweep) texts the leader on duty; a trigger joining a pending episode texts nobody."""
    found = _escalated(event)
    if not found or found.get("joined"):
        return []
    person = _person(deps, "duty_leader", event) or {}
    return [Recipient("duty_leader", person.get("name", ""), person.get("phone", ""), "difficult_escalated")]


INSTRUCTION_TEMPLATES = {"instruction_recorded": "instruction_forwarded", "instruction_chased": "instruction_chased"}


def _instruction_recipients(deps: Adapters, event: dict[str, Any]) -> list[Recipient]:
    """R-12345-16: forwarding and chasing text the ticket's owner and, when it is addressed to the unit, the
    unit's handler (never a unit it is not addressed to); the answer texts the leader who gave it."""
    data, t = event.get("data") or {}, event.get("snapshot") or {}
    if event["type"] == "instruction_answered":
        person = duty.staff_contact(deps, data.get("leader_id")) or {}
        return [Recipient("leader", person.get("name", ""), person.get("phone", ""), "instruction_answered")]
    template = INSTRUCTION_TEMPLATES.get(event["type"])
    if template is None:
        return []
    owner = duty.staff_contact(deps, t.get("owner_id") or t.get("created_by")) or {}
    out = [Recipient("owner", owner.get("name", ""), owner.get("phone", ""), template)]
    to = data.get("to") or {}
    if to.get("kind") == "unit":
        handler = _unit_handler(deps, to.get("id"))
        out.append(Recipient("unit", handler.get("name", ""), handler.get("phone", ""), template))
    return out
