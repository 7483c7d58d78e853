"""Notifications from the event stream (never from request handlers or the sweep).

Per event: who must hear about it (R-12345-02 unit handler at dispatch, R-12345-12 operator on duty
for a new ticket and for dispatch alerts, R-12345-04 unit handler the working day before due), the
Chinese text from `documents/templates/sms/*.txt.j2`, then one recorded send per recipient:
`SMS#{ticket}` / `{event_id}#{role}` is claimed with a conditional put first (de-duplicated by
event id: a redelivered record sends nothing), numbers are normalised to E.164 (an invalid one is
recorded as failed, not sent), the daily spend cap is checked, and the outcome is written back.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.documents import env
from chalicelib.documents.labels import label
from chalicelib.domain import phones
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.integrations.sms import SmsMessage
from chalicelib.services import duty

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.notify")

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
    "dispatch_warned": (("duty", "dispatch_warning"), ("owner", "dispatch_warning")),
    "marked_dispatch_overdue": (("duty", "dispatch_overdue"), ("owner", "dispatch_overdue")),
    "reminder_due": (("unit", "reminder"),),
    "marked_overdue": (("unit", "overdue"), ("owner", "overdue")),
}


def recipients(deps: Adapters, event: dict[str, Any]) -> list[Recipient]:
    """Who must be texted about this event (empty for most event types)."""
    data = event.get("data") or {}
    if data.get("late") or data.get("announce") is False:
        return []  # found after its deadline, or announced before: recorded on the ticket, not texted
    out = []
    for role, template in ROUTES.get(event["type"], ()):
        person = _person(deps, role, event)
        if person is not None:
            out.append(Recipient(role, person.get("name", ""), person.get("phone", ""), template))
    return out


def _person(deps: Adapters, role: str, event: dict[str, Any]) -> dict[str, Any] | None:
    """Name and phone of the duty operator, the owner (if an admin entered a mobile) or the unit handler."""
    data, t = event.get("data") or {}, event.get("snapshot") or {}
    if role == "duty":  # R-12345-12: the roster decides, out of hours included; nobody → recorded as failed
        return duty.on_duty(deps, datetime.fromisoformat(event["at"])) or {}
    if role == "owner":
        return duty.staff_contact(deps, data.get("owner_id") or t.get("owner_id") or t.get("created_by"))
    call = data.get("call") or {}
    if call.get("to_phone"):  # the handler the operator phoned (R-12345-02)
        return {"name": call.get("to_name", ""), "phone": call["to_phone"]}
    unit_doc = deps.directory.get_item("UNIT", t.get("unit_id") or "") or {}
    return next((c for c in unit_doc.get("contacts", []) if c.get("role") == "handler"), {})


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
    }
    text = env.get_template(f"sms/{template}.txt.j2").render(**params)
    return text.strip(), params


def deliver(deps: Adapters, event: dict[str, Any], r: Recipient, now: datetime) -> dict[str, Any] | None:
    """Claim, check, send and record one message; None when this event already produced it."""
    ticket_id = event["ticket_id"]
    sk = f"{event['event_id']}#{r.role}"
    text, params = render(r.template, event, r.name)
    e164 = phones.to_e164(r.phone) if r.phone else None
    s = deps.settings
    record: dict[str, Any] = {
        "ticket_id": ticket_id,
        "event_id": event["event_id"],
        "event_type": event["type"],
        "role": r.role,
        "template": r.template,
        "to_name": r.name,
        "to": r.phone,
        "e164": e164,
        "text": text,
        "backend": s.sms_backend,
        "status": "pending",
        "at": now.isoformat(),
    }
    day = now.astimezone(SHANGHAI).date().isoformat()
    index = {"gsi1pk": f"SMSLOG#{day}", "gsi1sk": f"{now.isoformat()}#{ticket_id}#{sk}"}
    if not deps.directory.claim(f"SMS#{ticket_id}", sk, record, **index):
        return None  # de-duplicated by event id (a redelivered or replayed record)
    cost = s.sms_price_fen * max(1, math.ceil(len(text) / SEGMENT))
    if not r.phone:
        record.update(status="failed", reason="no_recipient")
    elif e164 is None:
        record.update(status="failed", reason="invalid_number")  # reported, not sent
    elif cost > s.sms_daily_cap_fen or not deps.directory.add_spend(day, cost, s.sms_daily_cap_fen):
        record.update(status="failed", reason="daily_cap")
    else:
        result = deps.sms.send(SmsMessage(e164, text, r.template, params, ref=sk))
        record.update(status="sent" if result.ok else "failed", message_id=result.message_id, cost_fen=cost)
        if not result.ok:
            record["reason"] = result.error[:500]
    log.info("sms %s %s → %s: %s", record["status"], sk, r.role, record.get("reason", ""))
    deps.directory.update_data(f"SMS#{ticket_id}", sk, record)
    return record


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
    """Every message recorded on a ticket (sent / failed and why)."""
    return [data for _, data in deps.directory.query_items(f"SMS#{ticket_id}")]


def day_log(deps: Adapters, day: str, limit: int = 200) -> list[dict[str, Any]]:
    """The messages of one local day, newest first (admin view in local mode)."""
    return [data for _, data in deps.directory.query_items(f"SMSLOG#{day}", index=True, limit=limit, newest_first=True)]
