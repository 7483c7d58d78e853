"""Hand-over (代办) of an operator's open tickets while the owner is away (R-12345-03, 调岗/请假, seed
24小时响应和节假日值班): pure checks and shapes, clock injected.

A hand-over names the owner (`from_id`), the delegate (`to_id`, another operator), a period
[`start`, `end`) and a reason. An operator requests it for themselves, a leader for any operator; a
leader approves or rejects it. While it is active every open ticket the owner had at its start carries
`delegate` = `{handover_id, user_id, from_id, until}`: the delegate may take the owner's verbs (review,
callback, submit, transfer …, `access.permits`) while the owner stays the owner (`owner_id` never
changes, R-12345-03: the figures stay with the owner, docs/statistics.md). At `end` the sweep clears
`delegate` again. Each start and end is an event on each ticket (`handover_started` / `handover_ended`).

Statuses: requested → approved (waiting for `start`) → active → ended; requested → rejected.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import inputs
from chalicelib.domain.errors import Forbidden, InvalidTransition, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket

REQUESTED, APPROVED, ACTIVE, ENDED, REJECTED = "requested", "approved", "active", "ended", "rejected"
STATUSES = (REQUESTED, APPROVED, ACTIVE, ENDED, REJECTED)
LIVE = frozenset({REQUESTED, APPROVED, ACTIVE})  # may still overlap another
MAX_PERIOD = timedelta(days=90)
MAX_AHEAD = timedelta(days=180)
CLOCK_SKEW = timedelta(minutes=5)
PERIOD_RULE = "须为 ISO-8601 时间，不早于当前时间，且在半年以内"


def new_id(now: datetime) -> str:
    """`H{yyyymmddHHMMSS}-{6 hex}` (UTC)."""
    return f"H{now.astimezone(UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def _overlaps(a: Mapping[str, Any], start: datetime, end: datetime) -> bool:
    return datetime.fromisoformat(a["start"]) < end and start < datetime.fromisoformat(a["end"])


def _parties(
    body: Mapping[str, Any], actor: Actor, operators: Mapping[str, str] | None, errors: dict[str, str]
) -> tuple[str, str]:
    from_id = body.get("from_id") or (actor.user_id if actor.role == Role.OPERATOR else None)
    if actor.role == Role.OPERATOR and from_id != actor.user_id:
        raise Forbidden("经办人只能为本人申请代办；为他人安排代办须由分管领导申请", from_id=from_id)
    if not isinstance(from_id, str) or not from_id:
        errors["from_id"] = "须填写被代办的经办人（工单负责人）"
        from_id = ""
    elif operators is not None and from_id not in operators:
        errors["from_id"] = f"{from_id} 不是业务科经办人（operator）账号"
    to_id = body.get("to_id")
    if not isinstance(to_id, str) or not to_id.strip():
        errors["to_id"] = "须填写代办人（业务科经办人账号）"
        return from_id, ""
    to_id = to_id.strip()
    if to_id == from_id:
        errors["to_id"] = "代办人不能是本人"
    elif operators is not None and to_id not in operators:
        errors["to_id"] = f"代办人 {to_id} 不是业务科经办人（operator）账号，不能代办工单"
    return from_id, to_id


def _period(body: Mapping[str, Any], now: datetime, errors: dict[str, str]) -> tuple[datetime, datetime] | None:
    try:
        start = inputs.instant_within(
            body.get("start") or now.isoformat(), "start", now - CLOCK_SKEW, now + MAX_AHEAD, PERIOD_RULE
        )
        end = inputs.instant_within(body.get("end"), "end", now - CLOCK_SKEW, now + MAX_AHEAD + MAX_PERIOD, PERIOD_RULE)
    except ValidationError as exc:
        errors.update(exc.fields)
        return None
    if end <= start:
        errors["end"] = "结束时间须晚于开始时间"
    elif end - start > MAX_PERIOD:
        errors["end"] = f"代办期限最长 {MAX_PERIOD.days} 天"
    return start, end


def _clash(
    existing: Iterable[Mapping[str, Any]], from_id: str, to_id: str, start: datetime, end: datetime
) -> dict[str, str]:
    """Overlapping hand-overs: the owner already away or standing in, or the delegate away themselves."""
    for h in existing:
        if h.get("status") not in LIVE or not _overlaps(h, start, end):
            continue
        if from_id in (h["from_id"], h["to_id"]):
            return {"start": f"与已有代办安排 {h['id']}（{h['from_id']} → {h['to_id']}）的时间重叠"}
        if to_id == h["from_id"]:
            return {"to_id": f"代办人 {to_id} 在此期间本人有代办安排 {h['id']}（不在岗）"}
    return {}


def request(
    body: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    operators: Mapping[str, str] | None,
    existing: Iterable[Mapping[str, Any]],
) -> dict[str, Any]:
    """A new hand-over request, or 403/422 naming the field; nothing is stored here.

    `operators`: registered operator accounts (id → name), None when the accounts live at an outside
    identity provider (then only the shape of `to_id` is checked). `existing`: the stored hand-overs.
    """
    if actor.role not in (Role.OPERATOR, Role.LEADER):
        raise Forbidden("只有业务科经办人（本人）或分管领导可以申请代办", role=actor.role)
    errors: dict[str, str] = {}
    from_id, to_id = _parties(body, actor, operators, errors)
    period = _period(body, now, errors)
    try:
        reason = inputs.text(body, "reason", limit=500)
    except ValidationError as exc:
        errors.update(exc.fields)
        reason = ""
    if not errors and period:
        errors = _clash(existing, from_id, to_id, *period)
    if errors or period is None:
        raise ValidationError(errors, message="代办申请未保存：" + "；".join(f"{k} {v}" for k, v in errors.items()))
    return {
        "id": new_id(now),
        "from_id": from_id,
        "to_id": to_id,
        "start": period[0].isoformat(),
        "end": period[1].isoformat(),
        "reason": reason,
        "status": REQUESTED,
        "requested_by": actor.user_id,
        "requested_at": now.isoformat(),
        "tickets": [],
    }


def decide(h: Mapping[str, Any], body: Mapping[str, Any], actor: Actor, now: datetime) -> dict[str, Any]:
    """A leader's approval or rejection of a requested hand-over."""
    if actor.role != Role.LEADER:
        raise Forbidden("代办须由分管领导审批", role=actor.role)
    if h["status"] != REQUESTED:
        raise InvalidTransition(f"代办安排 {h['id']} 当前为 {h['status']}，不能再审批", status=h["status"])
    approve = body.get("approve")
    if not isinstance(approve, bool):
        raise ValidationError({"approve": "须为 true（批准）或 false（不批准）"})
    note = inputs.text(body, "note", required=not approve, limit=500)
    if approve and datetime.fromisoformat(h["end"]) <= now:
        raise ValidationError({"approve": "代办期限已过，不能再批准"})
    return dict(
        h, status=APPROVED if approve else REJECTED, decided_by=actor.user_id, decided_at=now.isoformat(), note=note
    )


def next_at(h: Mapping[str, Any]) -> str | None:
    """When the sweep must act on it next: the start of an approved one, the end of an active one."""
    if h["status"] == APPROVED:
        return str(h["start"])
    if h["status"] == ACTIVE:
        return str(h["end"])
    return None


def delegate_of(h: Mapping[str, Any]) -> dict[str, Any]:
    """What an active hand-over writes on each of the owner's tickets."""
    return {"handover_id": h["id"], "user_id": h["to_id"], "from_id": h["from_id"], "until": h["end"]}


def carries(ticket: Ticket, handover_id: str) -> bool:
    """Whether the ticket already carries this hand-over (a start repeated after a failure skips it)."""
    return bool(ticket.delegate) and (ticket.delegate or {}).get("handover_id") == handover_id
