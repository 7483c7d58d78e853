"""The 12345 ticket lifecycle (domain-rules.md, Lifecycle and R-12345-01…09): pure, clock injected.

`new_ticket` validates an intake; `apply` checks role, scope, state and inputs of one verb and
returns a `Change` (the new ticket + the event that records it), or raises a DomainError.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.documents.labels import label
from chalicelib.domain import access, deadlines, emergency, env_complaints, escalation, inputs, phones
from chalicelib.domain.calendar import Deadline, WorkCalendar
from chalicelib.domain.errors import InvalidTransition, ValidationError
from chalicelib.domain.limits import LimitBook
from chalicelib.domain.model import (
    CHANNELS,
    HOTLINES,
    OPEN_STATUSES,
    SATISFACTION,
    Actor,
    Caller,
    Category,
    Change,
    Extension,
    Role,
    Status,
    Ticket,
)
from chalicelib.domain.templates import DEFAULT_TEMPLATES, Section, check_reply

S = Status
ANY_OPEN = frozenset(OPEN_STATUSES)
ANY = frozenset(Status)

# verb → states it may start from (the graph of domain-rules.md; anything else is 409).
FROM_STATES: dict[str, frozenset[str]] = {
    "dispatch": frozenset({S.RECEIVED}),
    "sign": frozenset({S.DISPATCHED}),
    "return": frozenset({S.DISPATCHED, S.HANDLING}),
    "transfer": frozenset({S.RETURNED}),
    "request-extension": frozenset({S.HANDLING}),
    "decide-extension": frozenset({S.EXTENSION_REQUESTED}),
    "reply": frozenset({S.HANDLING}),
    "review": frozenset({S.REPLIED}),
    "callback": frozenset({S.REVIEWED}),
    "submit": frozenset({S.CALLED_BACK, S.REVIEWED}),
    "close": frozenset({S.SUBMITTED}),
    "city-reject": frozenset({S.SUBMITTED}),
    "reassign": frozenset({S.CLOSED}),
    "flag-difficult": ANY_OPEN,
    "leader-decision": ANY_OPEN,
    "flag-supervised": ANY_OPEN,
    "mark-typical": ANY,
    "record-call": ANY,
    "unmark-typical": ANY,
}
# every verb of the ticket API: the 12345 graph's and the 12369 workflow's own (domain/env_complaints.py)
VERBS = tuple(FROM_STATES) + tuple(v for v in env_complaints.VERBS if v not in FROM_STATES)
CALL_KINDS = ("dispatch_notice", "reminder", "callback", "other")
MAX_TEXT = inputs.MAX_TEXT
MAX_CO_UNITS = 10
MAX_TICKET_BYTES = 150_000  # the ticket's JSON: its item, and its snapshot in every event, stay under 400 KB
CLOCK_SKEW = timedelta(minutes=5)  # a sender's clock may run this far ahead of ours
BACKDATE = timedelta(days=30)  # how far back an operator may date a receipt (a late-entered call)
RECEIVED_RULE = "须在当前时间前 30 天以内，且不晚于当前时间 5 分钟"
RECEIVED_RULE_PARTNER = "须在当前时间前一年以内，且不晚于当前时间 5 分钟"
CITY_DUE_RULE = "须不早于受理时间（received_at），且在受理后两年以内"
LATER_DUE_RULE = "须晚于当前时间，且在两年以内"


@dataclass(frozen=True)
class Context:
    """What a transition needs besides the ticket: calendar, known units, templates, limits."""

    calendar: WorkCalendar
    units: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    templates: Mapping[str, Sequence[Section]] = field(default_factory=lambda: DEFAULT_TEMPLATES)
    limits: LimitBook = field(default_factory=LimitBook)  # versioned, by receipt (domain/limits.py)
    emergency_keywords: Sequence[str] = emergency.DEFAULT_KEYWORDS  # CONFIG/emergency_keywords
    escalation: escalation.Policy = escalation.Policy()  # CONFIG/escalation (R-12345-10)


# ---------------------------------------------------------------- input helpers


def _unit(ctx: Context, body: Mapping[str, Any], name: str = "unit_id") -> str:
    unit_id = inputs.text(body, name, limit=64)
    if unit_id not in ctx.units:
        raise ValidationError({name: f"承办单位 {unit_id} 不存在"})
    if not ctx.units[unit_id].get("active", True):
        raise ValidationError({name: f"承办单位 {unit_id} 已停用"})
    return unit_id


def _co_units(ctx: Context, raw: Any, lead: str) -> list[str]:
    """Co-units of a joint matter: distinct registered, active units other than the lead unit."""
    if raw is None:
        return []
    if not isinstance(raw, list) or len(raw) > MAX_CO_UNITS:
        raise ValidationError({"co_unit_ids": f"须为协办单位编号的列表（最多 {MAX_CO_UNITS} 个）"})
    for n, unit_id in enumerate(raw):
        name = f"co_unit_ids[{n}]"
        if not isinstance(unit_id, str):
            raise ValidationError({name: "须为单位编号（文本）"})
        if unit_id == lead or unit_id in raw[:n]:
            raise ValidationError({name: f"协办单位 {unit_id} 与承办单位或其他协办单位重复"})
        if unit_id not in ctx.units or not ctx.units[unit_id].get("active", True):
            raise ValidationError({name: f"协办单位 {unit_id} 不存在或已停用"})
    return list(raw)


def _call(body: Mapping[str, Any], actor: Actor, now: datetime, kind: str) -> dict[str, Any]:
    """A phone-call record (R-12345-02): who phoned whom, when, and what was said."""
    raw = body.get("call")
    if not isinstance(raw, Mapping):
        raise ValidationError({"call": "须记录电话通知承办单位经办人（to_name, to_phone）"})
    return _call_record(raw, actor, now, kind)


def _co_calls(body: Mapping[str, Any], co_units: Sequence[str], actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """R-12345-02: every co-unit is phoned like the lead unit — one call record per co-unit (`co_calls`)."""
    if not co_units:
        return []
    raw = body.get("co_calls")
    if not isinstance(raw, list):
        raise ValidationError({"co_calls": "须为每个协办单位记录电话通知（unit_id, to_name, to_phone）"})
    calls: dict[str, dict[str, Any]] = {}
    for n, item in enumerate(raw):
        name = f"co_calls[{n}]"
        if not isinstance(item, Mapping):
            raise ValidationError({name: "须为对象（unit_id, to_name, to_phone）"})
        unit_id = item.get("unit_id")
        if not isinstance(unit_id, str) or unit_id not in co_units or unit_id in calls:
            raise ValidationError({f"{name}.unit_id": "须为本工单的协办单位之一，且每个单位只记录一次"})
        try:
            calls[unit_id] = dict(_call_record(item, actor, now, "dispatch_notice"), unit_id=unit_id)
        except ValidationError as exc:
            raise ValidationError({f"{name}.{k}": v for k, v in exc.fields.items()}) from exc
    missing = [u for u in co_units if u not in calls]
    if missing:
        raise ValidationError({"co_calls": f"须记录电话通知协办单位：{'、'.join(missing)}"})
    return [calls[u] for u in co_units]


def _call_record(raw: Mapping[str, Any], actor: Actor, now: datetime, kind: str) -> dict[str, Any]:
    to_name = inputs.text(raw, "to_name", limit=64)
    to_phone = inputs.text(raw, "to_phone", required=kind != "callback", limit=32)
    if to_phone and (problem := phones.long_number_problem(to_phone)):
        raise ValidationError({"to_phone": problem})
    return {
        "kind": kind,
        "to_name": to_name,
        "to_phone": phones.clean(to_phone) if to_phone else "",
        "outcome": inputs.text(raw, "outcome", required=False, limit=64) or "reached",
        "note": inputs.text(raw, "note", required=False, limit=1000),
        "by": actor.user_id,
        "at": now.isoformat(),
    }


# ---------------------------------------------------------------- intake


class _Intake:
    """Reads an intake payload field by field, collecting every problem before refusing."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        self.payload = payload
        self.errors: dict[str, str] = {}

    def choice(self, name: str, allowed: Sequence[str] | frozenset[str], default: str | None = None) -> str:
        value = self.payload.get(name, default)
        if not isinstance(value, str) or value not in allowed:  # a list or object is no choice (unhashable)
            self.errors[name] = f"须为 {', '.join(sorted(allowed))} 之一"
            return default or ""
        return str(value)

    def text(self, name: str, limit: int) -> str:
        try:
            return inputs.text(self.payload, name, limit=limit)
        except ValidationError as exc:
            self.errors.update(exc.fields)
            return ""

    def caller(self) -> Caller:
        raw = self.payload.get("caller") or {}
        if not isinstance(raw, Mapping):
            self.errors["caller"] = "须为对象"
            raw = {}
        caller = Caller(**{k: str(raw.get(k) or "").strip()[:200] for k in ("name", "phone", "employer", "address")})
        if caller.phone and not phones.is_long_number(caller.phone):
            self.errors["caller.phone"] = "须为11位手机号码或带区号的固定电话"
        return caller

    def instant(self, name: str, earliest: datetime, latest: datetime, rule: str) -> datetime | None:
        if self.payload.get(name) is None:
            return None
        try:
            return inputs.instant_within(self.payload[name], name, earliest, latest, rule)
        except ValidationError as exc:
            self.errors.update(exc.fields)
            return None

    def received_at(self, now: datetime, partner: bool) -> datetime | None:
        """A back-dated receipt: within 30 days (a partner's own date: within a year), ≤ 5 min ahead (clocks)."""
        if partner:
            return self.instant("received_at", inputs.add_years(now, -1), now + CLOCK_SKEW, RECEIVED_RULE_PARTNER)
        return self.instant("received_at", now - BACKDATE, now + CLOCK_SKEW, RECEIVED_RULE)

    def city_due(self, received_at: datetime) -> datetime | None:
        """The city's own due instant: not before receipt, within two years of it."""
        return self.instant("city_due", received_at, inputs.add_years(received_at, 2), CITY_DUE_RULE)

    def limit_days(self) -> int | None:
        value = self.payload.get("city_limit_days")
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 365:
            self.errors["city_limit_days"] = "须为 1–365 的整数（工作日）"
            return None
        return value

    def external_id(self) -> str | None:
        value = self.payload.get("external_id")
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 64):
            self.errors["external_id"] = "须为 1–64 个字符的文本"
            return None
        return value

    def source(self, actor: Actor, external_id: str | None) -> str:
        """Where the ticket came from. A partner's pushes carry its own id (set by the partner service);
        staff name one of the channels, never a partner id: (source, external_id) is the idempotency key
        of a partner's pushes, so staff could otherwise take, or answer for, a partner's number."""
        value = self.payload.get("source")
        if actor.role == Role.PARTNER:
            return str(value or "city")[:32]
        if value is None or value == "":
            return "city" if external_id else "phone"
        if not isinstance(value, str) or value not in CHANNELS:
            self.errors["source"] = f"须为 {', '.join(sorted(CHANNELS))} 之一（合作方编号只能由合作方接口写入）"
            return "phone"
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.payload.get(name, default)
        if not isinstance(value, bool):
            self.errors[name] = "须为 true 或 false"
            return default
        return value


def new_ticket(ticket_id: str, payload: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Change:
    """Validate an intake and compute its deadlines (R-12345-01, handling time limits)."""
    read = _Intake(payload)
    hotline = read.choice("hotline", HOTLINES, "12345")
    channel = read.choice("channel", CHANNELS, "phone")
    env_report = hotline == env_complaints.HOTLINE
    if env_report and payload.get("category") is None:
        category = Category.REPORT.value  # a 12369 report is a 举报 unless stated otherwise
    else:
        category = read.choice("category", [c.value for c in Category])
    title, content = read.text("title", 200), read.text("content", MAX_TEXT)
    caller = read.caller()
    location = _location(payload.get("location"), read.errors)
    limit_days = read.limit_days()
    received_at = read.received_at(now, partner=actor.role == Role.PARTNER) or now
    city_due = read.city_due(received_at)
    external_id = read.external_id()
    source = read.source(actor, external_id)
    flags = {
        name: read.flag(name, default)
        for name, default in (("confidential", False), ("wants_reply", True), ("urgent", False))
    }
    env = env_complaints.intake(payload, received_at, read.errors) if env_report else None  # R-12369-01
    if env is not None and env["anonymous"] and any(caller.as_dict().values()):
        read.errors["caller"] = "匿名举报不能填写举报人信息"
    if read.errors:
        raise ValidationError(read.errors)
    fields: dict[str, Any] = {
        "ticket_id": ticket_id,
        "hotline": hotline,
        "source": source,
        "channel": channel,
        "category": category,
        "title": title,
        "content": content,
        "received_at": received_at,
        "external_id": external_id,
        "location": location,
        "caller": caller,
        "city_due": city_due,
        "created_by": actor.user_id,
        "created_at": now,
        "updated_at": now,
        "confidential": flags["confidential"],
        "wants_reply": flags["wants_reply"],
        "urgent": flags["urgent"],
    }
    if env is not None:  # R-12369-03: only the decision clock runs until the report is accepted
        data = {"source": source, "external_id": external_id, "hotline": hotline}
        return Change(None, Ticket(**fields, env=env), "received", data, now, actor)
    due = deadlines.handle_due(
        ctx.calendar,
        start=received_at,
        category=category,
        urgent=flags["urgent"],
        city_limit_days=limit_days,
        city_due=city_due,
        limits=ctx.limits.days(hotline, received_at),  # the version in force at receipt
    )
    ticket = Ticket(
        **fields,
        city_limit_days=limit_days,
        dispatch_due=deadlines.dispatch_due(received_at),  # R-12345-01
        handle_due=due.at,
        handle_due_provisional=due.provisional,
    )
    return Change(None, ticket, "received", {"source": source, "external_id": external_id}, now, actor)


def _location(raw: Any, errors: dict[str, str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        errors["location"] = "须为对象"
        return {}
    loc: dict[str, Any] = {"address": str(raw.get("address") or "")[:300]}
    for name, bound in (("lat", 90), ("lng", 180)):
        value = raw.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
            errors[f"location.{name}"] = f"须为 -{bound}–{bound} 的数字"
            continue
        loc[name] = float(value)
    return loc


# ---------------------------------------------------------------- transitions


def state_allows(ticket: Ticket, verb: str) -> bool:
    """True when the ticket's state allows the verb (the graph only, not inputs)."""
    if ticket.hotline == env_complaints.HOTLINE:
        return env_complaints.state_allows(ticket, verb)
    if ticket.status not in FROM_STATES.get(verb, frozenset()):
        return False
    if verb == "submit" and ticket.status == S.REVIEWED:
        return ticket.callback is not None or not callback_required(ticket)
    if verb in ONCE:
        return ONCE[verb](ticket)
    return True


def _awaiting_decision(ticket: Ticket) -> bool:
    return ticket.difficult is not None and not ticket.difficult.get("decision")


# Verbs that leave the state as it is, and when they may be taken: each is decided once however many
# requests race for it (the transaction's version condition admits one of the requests that read the
# same version; this refuses the ones that read the winner's). R-12345-10: a ticket awaiting the
# leader's decision cannot be flagged again; once decided, a new flag opens a new episode.
ONCE: dict[str, Callable[[Ticket], bool]] = {
    "flag-difficult": lambda t: not _awaiting_decision(t),
    "leader-decision": _awaiting_decision,
    "flag-supervised": lambda t: "supervised" not in t.flags,
    "mark-typical": lambda t: "typical" not in t.flags,
    "unmark-typical": lambda t: "typical" in t.flags,
}


def callback_required(ticket: Ticket) -> bool:
    """R-12345-05: a callback is required unless confidential or the caller wants no contact."""
    return not ticket.confidential and ticket.wants_reply


def allowed_actions(ticket: Ticket, actor: Actor) -> list[str]:
    """The verbs this actor may take on the ticket now (for the SPA's buttons)."""
    if ticket.hotline == env_complaints.HOTLINE:
        return env_complaints.allowed_actions(ticket, actor)
    return [v for v in VERBS if state_allows(ticket, v) and access.permits(actor, v, ticket)]


def apply(ticket: Ticket, verb: str, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Change:
    """Check and perform one verb; raise DomainError and change nothing when refused.

    The checks, in order (docs/api.md "Transitions"): the ticket is visible (404), the role takes
    this verb at all (403), the ticket's state allows it (409, the graph of domain-rules.md), the
    actor owns the ticket / handles for its lead unit (403), then the body (422). The state comes
    before ownership: "not the owner" of a transition the ticket cannot take anyway would mislead
    (a received ticket has no owner yet; closing it is impossible whoever asks).
    """
    if ticket.hotline == env_complaints.HOTLINE:  # the 12369 workflow (R-12369-01…08)
        if verb not in env_complaints.FROM_STATES:
            raise InvalidTransition(f"12369举报件不能「{label('verb', verb)}」", verb=verb, status=ticket.status)
        access.ensure_view(actor, ticket)
        access.ensure_role_may(actor, verb)
        changes, event_type, data = env_complaints.apply(ticket, verb, body, actor, now, ctx)
        return Change(ticket, fits(ticket.with_changes(updated_at=now, **changes), body), event_type, data, now, actor)
    handler = _HANDLERS.get(verb)
    if handler is None:
        raise InvalidTransition("未知操作", verb=verb)
    access.ensure_view(actor, ticket)
    access.ensure_role_may(actor, verb)
    if verb == "submit" and ticket.status == S.REVIEWED and not state_allows(ticket, verb):
        raise InvalidTransition("提交前须回访反映人并记录满意度", verb=verb, status=ticket.status)
    if not state_allows(ticket, verb):
        raise InvalidTransition(
            f"工单当前状态为「{label('status', ticket.status)}」，不能「{label('verb', verb)}」",
            verb=verb,
            status=ticket.status,
            allowed_from=sorted(FROM_STATES[verb]),
        )
    access.ensure_permitted(actor, verb, ticket)
    changes, event_type, data = handler(ticket, body, actor, now, ctx)
    after = fits(ticket.with_changes(updated_at=now, **changes), body)
    return Change(ticket, after, event_type, data, now, actor)


def document_size(ticket: Ticket) -> int:
    """Bytes of the ticket as JSON (UTF-8): about what its Tickets item and each event's snapshot hold."""
    return len(json.dumps(dataclasses.asdict(ticket), ensure_ascii=False, default=str).encode())


def fits(after: Ticket, body: Mapping[str, Any]) -> Ticket:
    """The changed ticket, or 422 naming the body's text fields when it would outgrow MAX_TICKET_BYTES.

    Every free text has its own cap, but some records accumulate (earlier difficult-ticket episodes,
    escalations, a 12369 report's supervision rounds): the ticket item and the snapshot of it in each
    event must stay under DynamoDB's 400 KB item, with room for the event's own data.
    """
    if document_size(after) <= MAX_TICKET_BYTES:
        return after
    named = sorted(k for k, v in body.items() if isinstance(v, str | Mapping | list)) or ["body"]
    raise ValidationError(
        dict.fromkeys(named, "工单记录已接近存储上限，无法再写入这么多文字，请精简"),
        message="工单记录已接近存储上限（约 150 KB），本次操作未执行",
        limit_bytes=MAX_TICKET_BYTES,
    )


Result = tuple[dict[str, Any], str, dict[str, Any]]


def _dispatch(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    unit_id = _unit(ctx, body)
    co_units = _co_units(ctx, body.get("co_unit_ids"), unit_id)
    call = _call(body, actor, now, "dispatch_notice")  # R-12345-02
    co_calls = _co_calls(body, co_units, actor, now)  # R-12345-02: the co-units are phoned too
    changes = {
        "status": S.DISPATCHED,
        "unit_id": unit_id,
        "co_unit_ids": tuple(co_units),
        "owner_id": actor.user_id,  # R-12345-03 whoever dispatches owns it
        "first_owner_id": t.first_owner_id or actor.user_id,
        "dispatched_at": now,
        "first_dispatched_at": t.first_dispatched_at or now,
    }
    within = t.dispatch_due is None or now <= t.dispatch_due
    data = {"unit_id": unit_id, "co_unit_ids": list(co_units), "call": call, "co_calls": co_calls, "within_12h": within}
    if co_units:  # R-12345-10: a matter for more than one unit goes before the leader
        _escalate(t, changes, data, "co_units", actor, now, ctx)
    return changes, "dispatched", data


def _escalate(
    t: Ticket, changes: dict[str, Any], data: dict[str, Any], trigger: str, actor: Actor, now: datetime, ctx: Context
) -> None:
    """R-12345-10: the transition also puts the ticket in the leader's 疑难 queue (same transaction, one event)."""
    more, escalated = escalation.escalate(
        t.with_changes(**changes), trigger, actor.user_id, now, ctx.calendar, ctx.escalation
    )
    changes.update(more)
    data["escalated"] = escalated


def _sign(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    return {"status": S.HANDLING}, "signed", {"unit_id": t.unit_id}


def _return(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    reason = inputs.text(body, "reason", limit=1000)
    info = {"reason": reason, "by": actor.user_id, "unit_id": t.unit_id, "at": now.isoformat()}
    changes = {"status": S.RETURNED, "return_info": info, "return_count": t.return_count + 1}
    return changes, "returned", {"reason": reason, "unit_id": t.unit_id}


def _transfer(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    unit_id = _unit(ctx, body)
    call = _call(body, actor, now, "dispatch_notice")
    good_reason = inputs.flag(body, "good_reason", default=True)
    other = unit_id != t.unit_id
    info = dict(t.return_info or {}, good_reason=good_reason)
    changes = {
        "status": S.DISPATCHED,
        "unit_id": unit_id,
        "dispatched_at": now,
        "return_info": info,
        "transfer_count": t.transfer_count + (1 if other else 0),
    }
    data = {
        "from_unit_id": t.unit_id,
        "unit_id": unit_id,
        "other_unit": other,
        "good_reason": good_reason,
        "call": call,
        "note": inputs.text(body, "note", required=False),
    }
    if not good_reason:  # R-12345-10: a return without good reason (无故退单) goes before the leader
        _escalate(t, changes, data, "unjustified_return", actor, now, ctx)
    return changes, "transferred", data


def _request_extension(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    reason = inputs.text(body, "reason", limit=1000)
    if "new_due" not in body:
        raise ValidationError({"new_due": "必填：申请延期至的日期"})
    due = inputs.due_from(body["new_due"], "new_due", ctx.calendar)
    if t.handle_due is not None and due.at <= t.handle_due:
        raise ValidationError({"new_due": "须晚于当前办理期限"})
    if due.at > inputs.add_years(now, 2):
        raise ValidationError({"new_due": "须在两年以内"})
    ext = {
        "reason": reason,
        "requested_due": due.at.isoformat(),
        "requested_due_provisional": due.provisional,
        "requested_by": actor.user_id,
        "requested_at": now.isoformat(),
        "previous_due": t.handle_due.isoformat() if t.handle_due else None,
        "decision": None,
    }
    return (
        {"status": S.EXTENSION_REQUESTED, "extension": ext},
        "extension_requested",
        {
            "reason": reason,
            "requested_due": ext["requested_due"],
        },
    )


def _decide_extension(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    approve = inputs.flag(body, "approve")
    note = inputs.text(body, "note", required=not approve, limit=1000)
    ext: Extension = {
        **(t.extension or Extension()),
        "decision": "approved" if approve else "denied",
        "decided_by": actor.user_id,
        "decided_at": now.isoformat(),
        "note": note,
    }
    changes: dict[str, Any] = {"status": S.HANDLING, "extension": ext}
    if approve:
        changes["handle_due"] = datetime.fromisoformat(ext["requested_due"])
        changes["handle_due_provisional"] = bool(ext.get("requested_due_provisional"))
        changes["flags"] = t.flags - {"overdue"}
    due: datetime | None = changes.get("handle_due") or t.handle_due
    data = {"approve": approve, "note": note, "handle_due": due.isoformat() if due else None}
    return changes, "extension_decided", data


def _reply(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    raw = body.get("sections")
    if not isinstance(raw, Mapping):
        raise ValidationError({"sections": "须按答复参考范本逐段填写（对象：段落 → 内容）"})
    template = ctx.templates.get(t.category) or DEFAULT_TEMPLATES[t.category]
    sections = check_reply(template, raw)  # R-12345-06
    reply = {"sections": sections, "by": actor.user_id, "unit_id": actor.unit_id, "at": now.isoformat()}
    return {"status": S.REPLIED, "reply": reply}, "replied", {"sections": sorted(sections)}


def _review(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    if inputs.flag(body, "approve"):
        return {"status": S.REVIEWED}, "reviewed", {"note": inputs.text(body, "note", required=False)}
    reason = inputs.text(body, "reason", limit=1000)
    false_reply = inputs.flag(body, "false_reply", default=False)
    changes: dict[str, Any] = {"status": S.HANDLING, "redo_count": t.redo_count + 1}
    data: dict[str, Any] = {"reason": reason, "false_reply": false_reply, "unit_id": t.unit_id}
    if false_reply:  # R-12345-10: a false reply (虚假反馈) goes before the leader
        _escalate(t, changes, data, "false_reply", actor, now, ctx)
    return changes, "review_rejected", data


def _callback(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    satisfaction = body.get("satisfaction")
    if satisfaction not in SATISFACTION:
        raise ValidationError({"satisfaction": f"须为 {', '.join(SATISFACTION)} 之一"})
    record: dict[str, Any] = {"satisfaction": satisfaction}
    if satisfaction != "unreachable":  # R-12345-05 the four checks
        errors: dict[str, str] = {}
        for name in ("informed", "truthful", "misconduct"):
            if not isinstance(body.get(name), bool):
                errors[name] = "回访必须确认此项（true/false）"
            record[name] = body.get(name)
        if errors:
            raise ValidationError(errors)
        if record["misconduct"]:
            record["misconduct_note"] = inputs.text(body, "misconduct_note", limit=1000)
    record.update(note=inputs.text(body, "note", required=False, limit=1000), by=actor.user_id, at=now.isoformat())
    return (
        {"status": S.CALLED_BACK, "callback": record},
        "called_back",
        {k: v for k, v in record.items() if k not in ("by", "at")},
    )


def _submit(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    on_time = t.handle_due is None or now <= t.handle_due  # R-12345-08
    return {"status": S.SUBMITTED, "submitted_at": now}, "submitted", {"on_time": on_time}


def _close(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    on_time = t.submitted_at is not None and (t.handle_due is None or t.submitted_at <= t.handle_due)
    satisfaction = (t.callback or {}).get("satisfaction")
    data = {"note": inputs.text(body, "note", required=False), "on_time": on_time, "satisfaction": satisfaction}
    return {"status": S.CLOSED, "closed_at": now}, "closed", data


def _city_reject(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    reason = inputs.text(body, "reason", limit=1000)
    return {"status": S.REVIEWED, "submitted_at": None}, "city_rejected", {"reason": reason}


def _reassign(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    """R-12345-09: re-assigned (重新交办) like a dispatch — the operator records the call to the unit and to
    each co-unit (R-12345-02), the units are texted. The city platform (partner) re-assigns without a
    call: the units are texted all the same, and the owner's call follows as `record-call`."""
    reason = inputs.text(body, "reason", limit=1000)
    by_operator = actor.role != Role.PARTNER or "call" in body
    call = _call(body, actor, now, "dispatch_notice") if by_operator else None
    co_calls = _co_calls(body, t.co_unit_ids, actor, now) if by_operator else []
    due = (
        Deadline(
            inputs.instant_within(body["city_due"], "city_due", now, inputs.add_years(now, 2), LATER_DUE_RULE), False
        )
        if body.get("city_due")
        else deadlines.reassign_due(ctx.calendar, now)  # R-12345-09
    )
    changes = {
        "status": S.HANDLING,
        "owner_id": t.first_owner_id or t.owner_id,  # R-12345-03 back to the first dispatcher
        "handle_due": due.at,
        "handle_due_provisional": due.provisional,
        "reassign_count": t.reassign_count + 1,
        "submitted_at": None,
        "closed_at": None,
        "reply": None,
        "callback": None,
        "extension": None,
        "flags": t.flags - {"overdue"},
        "alerts_done": frozenset(),
    }
    data: dict[str, Any] = {
        "reason": reason,
        "handle_due": due.at.isoformat(),
        "owner_id": changes["owner_id"],
        "unit_id": t.unit_id,
        "co_unit_ids": list(t.co_unit_ids),
        "co_calls": co_calls,
    }
    if call is not None:
        data["call"] = call
    return changes, "reassigned", data


def _flag_difficult(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    """R-12345-10: a new episode with the leader's decision due; a decided earlier one moves, decision and all,
    to `history` (oldest first; a pending flag cannot be flagged again, ONCE)."""
    reason = inputs.text(body, "reason", limit=1000)
    info, data = escalation.open_episode(
        t, trigger="manual", reason=reason, by=actor.user_id, now=now, cal=ctx.calendar, policy=ctx.escalation
    )
    return {"difficult": info, "flags": t.flags | {"difficult"}}, "flagged_difficult", data


def _leader_decision(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    decision = inputs.text(body, "decision", limit=2000)
    info = escalation.decided(t, decision, actor.user_id, now)
    data = {"decision": decision, "on_time": info.get("decision_on_time"), "decision_due": info.get("decision_due")}
    return {"difficult": info}, "leader_decided", data


def _flag_supervised(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    reason = inputs.text(body, "reason", limit=1000)
    info = {"reason": reason, "by": actor.user_id, "at": now.isoformat()}
    return {"supervised": info, "flags": t.flags | {"supervised"}}, "flagged_supervised", {"reason": reason}


def _mark_typical(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    note = inputs.text(body, "note", required=False, limit=1000)
    info = {"note": note, "by": actor.user_id, "at": now.isoformat()}
    return {"typical": info, "flags": t.flags | {"typical"}}, "marked_typical", {"note": note}


def _unmark_typical(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    """R-12345-15: the mark is removed (the ticket leaves the typical-ticket summary); the event keeps it."""
    reason = inputs.text(body, "reason", required=False, limit=1000)
    data = {"reason": reason, "mark": dict(t.typical or {})}
    return {"typical": None, "flags": t.flags - {"typical"}}, "unmarked_typical", data


def _record_call(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Context) -> Result:
    kind = body.get("kind")
    if kind not in CALL_KINDS:
        raise ValidationError({"kind": f"须为 {', '.join(CALL_KINDS)} 之一"})
    call = _call_record(body, actor, now, str(kind))
    return {}, "call_recorded", {"call": call}


_HANDLERS: dict[str, Callable[[Ticket, Mapping[str, Any], Actor, datetime, Context], Result]] = {
    "dispatch": _dispatch,
    "sign": _sign,
    "return": _return,
    "transfer": _transfer,
    "request-extension": _request_extension,
    "decide-extension": _decide_extension,
    "reply": _reply,
    "review": _review,
    "callback": _callback,
    "submit": _submit,
    "close": _close,
    "city-reject": _city_reject,
    "reassign": _reassign,
    "flag-difficult": _flag_difficult,
    "leader-decision": _leader_decision,
    "flag-supervised": _flag_supervised,
    "mark-typical": _mark_typical,
    "record-call": _record_call,
    "unmark-typical": _unmark_typical,
}


def act_due(ticket: Ticket) -> datetime | None:
    """The operator's 12-hour clock on an updated 12345 ticket (R-12345-12): transfer a returned ticket
    within 12 clock hours of the return, review a reply within 12 clock hours of it; else None."""
    if ticket.hotline == env_complaints.HOTLINE:
        return None
    entered = {S.RETURNED: ticket.return_info, S.REPLIED: ticket.reply}.get(ticket.status) or {}
    at = entered.get("at")
    return deadlines.act_due(ticket.status, datetime.fromisoformat(at) if isinstance(at, str) else None)


def next_alert(ticket: Ticket, ctx: Context) -> deadlines.Alert | None:
    """The next pending alert of a ticket (drives the sparse open-deadline index): the earlier of its
    deadline alert (a 12369 report's own, R-12369-03…07) and an unacknowledged emergency's next
    escalation (domain/emergency.py)."""
    if ticket.hotline == env_complaints.HOTLINE:
        due = env_complaints.next_alert(ticket)  # a closed report may still have a supervision to chase
    elif not ticket.is_open:
        return None
    else:
        due = deadlines.next_alert(
            ctx.calendar,
            status=ticket.status,
            dispatch_due=ticket.dispatch_due,
            handle_due=ticket.handle_due,
            done=ticket.alerts_done,
            act_due=act_due(ticket),
        )
        raised = escalation.next_alert(ticket, ctx.calendar, ctx.escalation)  # R-12345-10
        if raised is not None and (due is None or raised.at < due.at):
            due = raised
    urgent = emergency.next_escalation(ticket)
    if urgent is not None and (due is None or urgent.at <= due.at):
        return urgent
    return due


__all__ = ["Context", "VERBS", "act_due", "allowed_actions", "apply", "new_ticket", "next_alert", "Role"]
