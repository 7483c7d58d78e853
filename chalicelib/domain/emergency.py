"""Emergency escalation, both hotlines (R-12369-02 `emergency`: 突发环境事件 / 群体性事件倾向 — accept at
once and alert the responsible leader immediately; R-12345-12: re-checked by the 15-minute sweep).

A ticket is an emergency when the operator says so at intake or its title/content contains a
configured keyword (CONFIG/emergency_keywords, default `DEFAULT_KEYWORDS`). Until a leader acknowledges
it, it carries a pending `emergency_escalation` alert: the first is due at once (the next sweep), each
further one `REPEAT` after the last, so the leader on duty is texted — and the call to them recorded —
every sweep (15 min) until acknowledged. The alert rides the open-deadline index like the deadline
alerts, so the sweep stays O(due). Pure: the clock and the leader are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.deadlines import Alert
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Change, Ticket

DEFAULT_KEYWORDS: tuple[str, ...] = ("爆炸", "泄漏", "泄露", "群体", "中毒", "火灾", "死亡", "突发环境事件")
# the sweep runs every 15 minutes: a repeat due 14 minutes after the last is taken by the next sweep
REPEAT = timedelta(minutes=14)
KIND = "emergency_escalation"
MAX_KEYWORDS = 50


def matches(texts: Iterable[str], keywords: Iterable[str]) -> list[str]:
    """The keywords found in the texts, in keyword order."""
    joined = "\n".join(texts)
    return [k for k in keywords if k and k in joined]


def at_intake(
    payload: Mapping[str, Any], ticket: Ticket, actor: Actor, now: datetime, keywords: Iterable[str]
) -> dict[str, Any] | None:
    """The emergency record of a new ticket: set by the operator (`emergency: true`) or by keyword."""
    raw = payload.get("emergency", False)
    if not isinstance(raw, bool):
        raise ValidationError({"emergency": "须为 true 或 false"})
    found = matches((ticket.title, ticket.content), keywords)
    if not raw and not found:
        return None
    return {
        "by_keyword": not raw,
        "keywords": found,
        "by": actor.user_id,
        "at": now.isoformat(),
        "escalations": 0,
    }


def flag(ticket: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime) -> Change:
    """An operator (or leader) marks an open ticket an emergency after intake."""
    if not ticket.is_open:
        raise Conflict("工单已办结，不能再标记为突发事件", ticket_id=ticket.ticket_id)
    if ticket.emergency is not None and not ticket.emergency.get("acknowledged_at"):
        raise Conflict("工单已是待确认的突发事件", ticket_id=ticket.ticket_id)
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        raise ValidationError({"note": "说明须为不超过 500 字的文本"})
    record = {"by_keyword": False, "keywords": [], "by": actor.user_id, "at": now.isoformat(), "escalations": 0}
    if note:
        record["note"] = note
    after = ticket.with_changes(emergency=record, updated_at=now)
    return Change(ticket, after, "emergency_flagged", {"emergency": record}, now, actor)


def pending(ticket: Ticket) -> bool:
    """An emergency nobody has acknowledged yet."""
    return ticket.emergency is not None and not ticket.emergency.get("acknowledged_at")


def next_escalation(ticket: Ticket) -> Alert | None:
    """The next escalation of an unacknowledged emergency on an open ticket (None otherwise)."""
    if not ticket.is_open or not pending(ticket):
        return None
    record = ticket.emergency or {}
    last = record.get("last_escalated_at")
    at = datetime.fromisoformat(last) + REPEAT if last else datetime.fromisoformat(record["at"])
    return Alert(KIND, at, at)  # the key names the instant: each repeat is claimed once


def escalate(ticket: Ticket, alert: Alert, now: datetime, leader: Mapping[str, Any] | None) -> Change:
    """One escalation: the event texts the leader on duty (services/notify.py) and records the call."""
    record = dict(ticket.emergency or {})
    n = int(record.get("escalations", 0)) + 1
    record.update(escalations=n, last_escalated_at=now.isoformat())
    after = ticket.with_changes(emergency=record, updated_at=now)
    person = dict(leader or {})
    data: dict[str, Any] = {
        "alert": KIND,
        "key": alert.key,
        "escalation": n,
        "duty_leader": person or None,
        "call": {
            "kind": "emergency",
            "to_name": person.get("name", ""),
            "to_phone": person.get("phone", ""),
            "outcome": "notified" if person.get("phone") else "unreachable",
            "note": f"突发事件第 {n} 次报告值班领导" if person else "无值班领导，请立即人工联系",
            "by": SYSTEM_ACTOR.user_id,
            "at": now.isoformat(),
        },
    }
    return Change(ticket, after, "emergency_escalated", data, now, SYSTEM_ACTOR)


def acknowledge(ticket: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime) -> Change:
    """The leader acknowledges: escalations stop, the banner goes; the acknowledgement is an event."""
    if not pending(ticket):
        raise Conflict("该工单没有待确认的突发事件", ticket_id=ticket.ticket_id)
    note = body.get("note", "")
    if not isinstance(note, str) or len(note) > 500:
        raise ValidationError({"note": "批示须为不超过 500 字的文本"})
    record = dict(ticket.emergency or {})
    record.update(acknowledged_at=now.isoformat(), acknowledged_by=actor.user_id, acknowledge_note=note)
    after = ticket.with_changes(emergency=record, updated_at=now)
    data = {"escalations": record.get("escalations", 0), "note": note, "flagged_at": record.get("at")}
    return Change(ticket, after, "emergency_acknowledged", data, now, actor)


def clean_keywords(raw: object) -> list[str]:
    """An admin's keyword list: 1–50 non-empty texts of at most 20 characters, duplicates dropped."""
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_KEYWORDS:
        raise ValidationError({"keywords": f"须为 1–{MAX_KEYWORDS} 个关键词的列表"})
    out: list[str] = []
    for k in raw:
        if not isinstance(k, str) or not 1 <= len(k.strip()) <= 20:
            raise ValidationError({"keywords": "每个关键词须为 1–20 个字符"})
        if k.strip() not in out:
            out.append(k.strip())
    return out
