"""The 12369 environmental complaint (举报件) as its own workflow (R-12369-01…08): pure, clock injected.

A ticket with `hotline == "12369"` follows this graph instead of the 12345 one (`tickets.apply`
hands it over); its 12369 data lives in `Ticket.env` (a JSON-able dict):

```
received 待受理 ─decide accept→ accepted 待转送 ─forward→ dispatched 待签收 ─sign→ handling 办理中
   ─report (four parts)→ awaiting_signoff 待签发 ─sign-off→ closed 办结归档
                                             ─send-back(reason)→ handling (redo)
received ─decide not_accepted(reason code) | refer(authority)→ closed (the reporter's notice)
handling ─request-extension(days ≤ 30)→ extension_requested ─decide-extension (leader)→ handling
   (one approved extension per report; a second request is refused)
dispatched|handling ─return→ returned ─transfer→ dispatched
accepted … closed (a signed result): supervise 督办 (trigger) ─answer-supervision→ (answered)
closed, sampled for a spot check (R-12369-08): spot-check (callback result)
```

Every decision, extension and signed result produces the reporter's notice (`notices/*.txt.j2`,
kept in `env.notices` and in the event's `data.notice`; texted by the stream handler where a number
exists).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from chalicelib.documents import environment
from chalicelib.documents.labels import label
from chalicelib.domain import access, deadlines, inputs
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.errors import InvalidTransition, ValidationError
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Role, Status, Ticket
from chalicelib.domain.templates import Section, check_reply

S = Status
HOTLINE = "12369"
BRAND = "【12369环保举报热线】"

DECISIONS = ("accept", "not_accepted", "refer")
# R-12369-02: why a report is not accepted; each has its notice (notices/env_not_accepted.txt.j2)
NOT_ACCEPTED_REASONS = ("not_in_scope", "in_legal_procedure", "duplicate", "same_facts_reviewed")
# R-12369-07: what opens a supervision (督办)
SUPERVISION_TRIGGERS = ("not_carried_out", "new_facts", "late", "leader_instruction")
SUPERVISION_WORKING_DAYS = 5  # R-12369-07: the supervised party answers within 5 working days
MAX_EXTENSION_DAYS = deadlines.ENV_MAX_EXTENSION.days  # R-12369-05
SATISFACTION = ("satisfied", "basically_satisfied", "dissatisfied", "unreachable")

# R-12369-06: the four parts of a result report (checked like a 12345 reply template)
RESULT_SECTIONS: tuple[Section, ...] = (
    Section("matter", "举报事项", True, "举报人反映的问题"),
    Section("investigation", "调查核实情况", True, "调查核实的时间、人员和查明的事实"),
    Section("decision", "处理意见", True, "依据的法规和作出的处理决定"),
    Section("reply", "答复意见", True, "告知举报人的结论"),
)

OPEN_AFTER_ACCEPTANCE = frozenset(
    {S.ACCEPTED, S.DISPATCHED, S.HANDLING, S.EXTENSION_REQUESTED, S.RETURNED, S.AWAITING_SIGNOFF}
)
FINISH_PENDING = frozenset({S.DISPATCHED, S.HANDLING, S.EXTENSION_REQUESTED, S.RETURNED, S.AWAITING_SIGNOFF})

# verb → states it may start from; `extra` conditions in ONCE.
FROM_STATES: dict[str, frozenset[str]] = {
    "decide": frozenset({S.RECEIVED}),
    "forward": frozenset({S.ACCEPTED}),
    "sign": frozenset({S.DISPATCHED}),
    "return": frozenset({S.DISPATCHED, S.HANDLING}),
    "transfer": frozenset({S.RETURNED}),
    "request-extension": frozenset({S.HANDLING}),
    "decide-extension": frozenset({S.EXTENSION_REQUESTED}),
    "report": frozenset({S.HANDLING}),
    "sign-off": frozenset({S.AWAITING_SIGNOFF}),
    "send-back": frozenset({S.AWAITING_SIGNOFF}),
    "supervise": OPEN_AFTER_ACCEPTANCE | {S.CLOSED},
    "answer-supervision": OPEN_AFTER_ACCEPTANCE | {S.CLOSED},
    "spot-check": frozenset({S.CLOSED}),
    "flag-difficult": OPEN_AFTER_ACCEPTANCE | {S.RECEIVED},
    "leader-decision": OPEN_AFTER_ACCEPTANCE | {S.RECEIVED},
    "mark-typical": frozenset(Status),
    "record-call": frozenset(Status),
    "unmark-typical": frozenset(Status),
}
ENV_VERBS = ("decide", "forward", "report", "sign-off", "send-back", "supervise", "answer-supervision", "spot-check")
VERBS = tuple(FROM_STATES)


def _env(t: Ticket) -> dict[str, Any]:
    return dict(t.env or {})


def _pending_supervision(t: Ticket) -> bool:
    sup = _env(t).get("supervision") or {}
    return bool(sup) and not sup.get("answer")


ONCE: dict[str, Callable[[Ticket], bool]] = {
    # a closed report is supervised only when a result was signed (not a not-accepted/referred one)
    "supervise": lambda t: not _pending_supervision(t) and (t.status != S.CLOSED or bool(_env(t).get("signoff"))),
    "answer-supervision": _pending_supervision,
    "spot-check": lambda t: bool(_env(t).get("spot_check")) and not _env(t)["spot_check"].get("result"),
    "leader-decision": lambda t: t.difficult is not None and not t.difficult.get("decision"),
    "flag-difficult": lambda t: t.difficult is None or bool(t.difficult.get("decision")),
    "mark-typical": lambda t: "typical" not in t.flags,
    "unmark-typical": lambda t: "typical" in t.flags,
}


def state_allows(t: Ticket, verb: str) -> bool:
    """True when the 12369 graph allows the verb now (inputs not considered)."""
    if t.status not in FROM_STATES.get(verb, frozenset()):
        return False
    return ONCE[verb](t) if verb in ONCE else True


def allowed_actions(t: Ticket, actor: Actor) -> list[str]:
    """The verbs this actor may take on the 12369 report now (the SPA's buttons)."""
    return [v for v in VERBS if state_allows(t, v) and access.permits(actor, v, t)]


# ---------------------------------------------------------------- intake (R-12369-01)


def intake(payload: Mapping[str, Any], received_at: datetime, errors: dict[str, str]) -> dict[str, Any]:
    """The 12369 part of an intake: reported entity (name, address, location), the reporter's demand."""
    raw = payload.get("entity")
    entity: dict[str, Any] = {}
    if not isinstance(raw, Mapping):
        errors["entity"] = "必填：被举报对象（name 名称，address 地址）"
    else:
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            errors["entity.name"] = "必填：被举报单位或个人的名称（200字以内）"
        else:
            entity["name"] = name.strip()
        address = raw.get("address", "")
        if not isinstance(address, str) or len(address) > 300:
            errors["entity.address"] = "须为300字以内的文本"
        else:
            entity["address"] = address.strip()
        for coord, bound in (("lat", 90), ("lng", 180)):
            value = raw.get(coord)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not -bound <= value <= bound:
                errors[f"entity.{coord}"] = f"须为 -{bound}–{bound} 的数字"
            else:
                entity[coord] = float(value)
    demand = payload.get("demand")
    if not isinstance(demand, str) or not demand.strip() or len(demand) > 1000:
        errors["demand"] = "必填：举报人的诉求目的（1000字以内）"
        demand = ""
    anonymous = payload.get("anonymous", False)
    if not isinstance(anonymous, bool):
        errors["anonymous"] = "须为 true 或 false"
        anonymous = False
    return {
        "entity": entity,
        "demand": demand.strip(),
        "anonymous": anonymous,
        "decision_due": deadlines.env_decision_due(received_at).isoformat(),  # R-12369-03
        "notices": [],
    }


# ---------------------------------------------------------------- transitions

Result = tuple[dict[str, Any], str, dict[str, Any]]
Handler = Callable[[Ticket, Mapping[str, Any], Actor, datetime, Any], Result]


def apply(ticket: Ticket, verb: str, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """Check the 12369 graph and inputs of one verb (role/scope are checked by `tickets.apply`)."""
    if verb not in FROM_STATES:
        raise InvalidTransition(f"12369举报件不能「{label('verb', verb)}」", verb=verb, status=ticket.status)
    if verb == "request-extension" and ticket.status == S.HANDLING and _env(ticket).get("extension_approved"):
        ext = _env(ticket).get("extension") or {}
        raise InvalidTransition(
            f"12369举报件只能延期一次（已于 {str(ext.get('decided_at', ''))[:10]} 批准延期 {ext.get('days')} 日），"
            "不能再次申请延期",
            verb=verb,
            status=ticket.status,
            refusal="extension_used",
        )
    if not state_allows(ticket, verb):
        message, refusal = _refusal(ticket, verb)
        raise InvalidTransition(
            message, verb=verb, status=ticket.status, allowed_from=sorted(FROM_STATES[verb]), refusal=refusal
        )
    access.ensure_permitted(actor, verb, ticket)
    return _HANDLERS[verb](ticket, body, actor, now, ctx)


def _refusal(t: Ticket, verb: str) -> tuple[str, str]:
    """The Chinese message and its code (`details.refusal`, named by the SPA) of a refused 12369 verb."""
    if verb == "forward" and t.status == S.RECEIVED:
        return "举报件尚未作出受理决定，受理后才能转送", "not_decided"
    if verb == "answer-supervision":
        return "该举报件没有待回复的督办", "no_supervision"
    if verb == "supervise" and _pending_supervision(t):
        return "该举报件已有未回复的督办", "supervision_open"
    if verb == "spot-check":
        return "该举报件未被抽中回访抽查，或抽查结果已记录", "not_sampled"
    return f"举报件当前状态为「{label('env_status', t.status)}」，不能「{label('verb', verb)}」", "state"


def notice(kind: str, t: Ticket, **params: Any) -> str:
    """The reporter's notice (Chinese, branded), rendered from `notices/env_{kind}.txt.j2`."""
    e = _env(t)
    text = (
        environment()
        .get_template(f"notices/env_{kind}.txt.j2")
        .render(
            brand=BRAND,
            ticket_id=t.ticket_id,
            entity=(e.get("entity") or {}).get("name", ""),
            received=t.received_at.astimezone(deadlines_tz()).strftime("%Y年%m月%d日"),
            **params,
        )
    )
    return " ".join(text.split())


def deadlines_tz() -> Any:
    """Asia/Shanghai (notices show local dates)."""
    from chalicelib.domain.calendar import SHANGHAI

    return SHANGHAI


def _with_notice(e: dict[str, Any], kind: str, text: str, now: datetime) -> dict[str, Any]:
    e["notices"] = [*(e.get("notices") or []), {"kind": kind, "text": text, "at": now.isoformat()}]
    return e


def _decide(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-02 acceptance decision, due 15 days after receipt (R-12369-03)."""
    decision = body.get("decision")
    if not isinstance(decision, str) or decision not in DECISIONS:
        raise ValidationError({"decision": f"须为 {', '.join(DECISIONS)} 之一（受理 / 不予受理 / 移送）"})
    e = _env(t)
    on_time = now <= datetime.fromisoformat(e["decision_due"]) if e.get("decision_due") else True
    note = inputs.text(body, "note", required=False, limit=1000)
    record: dict[str, Any] = {"kind": decision, "by": actor.user_id, "at": now.isoformat(), "on_time": on_time}
    if note:
        record["note"] = note
    changes: dict[str, Any] = {"owner_id": actor.user_id, "first_owner_id": t.first_owner_id or actor.user_id}
    if decision == "accept":
        forward = deadlines.env_forward_due(ctx.calendar, now)  # R-12369-04
        finish = _finish_due(t, now, ctx)
        e.update(
            accepted_at=now.isoformat(),
            forward_due=forward.at.isoformat(),
            forward_due_provisional=forward.provisional,
            finish_due=finish.isoformat(),
        )
        text = notice("accepted", t, finish=finish.astimezone(deadlines_tz()).strftime("%Y年%m月%d日"))
        changes.update(status=S.ACCEPTED, handle_due=finish, handle_due_provisional=False)
    elif decision == "not_accepted":
        reason = body.get("reason_code")
        if not isinstance(reason, str) or reason not in NOT_ACCEPTED_REASONS:
            raise ValidationError({"reason_code": f"须为 {', '.join(NOT_ACCEPTED_REASONS)} 之一（不予受理的理由）"})
        record["reason_code"] = reason
        params: dict[str, Any] = {"reason": reason, "authority": "", "duplicate_of": ""}
        if reason == "not_in_scope":
            record["authority"] = params["authority"] = inputs.text(body, "authority", limit=200)
        if reason == "duplicate":
            original = inputs.text(body, "duplicate_of", limit=32)
            if original == t.ticket_id or not original.startswith("T"):
                raise ValidationError({"duplicate_of": "须为此前举报件的编号（T开头，不能是本件）"})
            record["duplicate_of"] = params["duplicate_of"] = original
        text = notice("not_accepted", t, **params)
        changes.update(status=S.CLOSED, closed_at=now)
    else:  # refer: not ours — the competent authority (or the common superior of several)
        record["authority"] = inputs.text(body, "authority", limit=200)
        text = notice("referred", t, authority=record["authority"])
        changes.update(status=S.CLOSED, closed_at=now)
    e["decision"] = record
    changes["env"] = _with_notice(e, "decision", text, now)
    data = {k: v for k, v in record.items() if k != "by"}
    return changes, "decided", dict(data, notice=text)


def _finish_due(t: Ticket, accepted_at: datetime, ctx: Any) -> datetime:
    """R-12369-05: 60 days after acceptance, or the admin's shorter limit for the category in force at the
    report's receipt (domain/limits.py); a case handed down from above keeps the upper level's date."""
    if t.city_due is not None:
        return t.city_due
    days = ctx.limits.days(HOTLINE, t.received_at).get(t.category, deadlines.ENV_FINISH_WINDOW.days)
    return deadlines.env_finish_due(accepted_at, days=days)


def _forward(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-04 forward (转送/交办) with the call record of a dispatch (R-12345-02)."""
    from chalicelib.domain import tickets as base

    unit_id = base._unit(ctx, body)
    co_units = base._co_units(ctx, body.get("co_unit_ids"), unit_id)
    call = base._call(body, actor, now, "dispatch_notice")
    consultation = inputs.text(body, "consultation", required=bool(co_units), limit=2000)
    e = _env(t)
    on_time = now <= datetime.fromisoformat(e["forward_due"]) if e.get("forward_due") else True
    e["forward"] = {"unit_id": unit_id, "co_unit_ids": list(co_units), "at": now.isoformat(), "on_time": on_time}
    if consultation:
        e["forward"]["consultation"] = consultation  # multi-authority: the common superior's consultation
    changes = {
        "status": S.DISPATCHED,
        "unit_id": unit_id,
        "co_unit_ids": tuple(co_units),
        "owner_id": t.owner_id or actor.user_id,
        "dispatched_at": now,
        "first_dispatched_at": t.first_dispatched_at or now,
        "env": e,
    }
    data = {"unit_id": unit_id, "co_unit_ids": list(co_units), "call": call, "on_time": on_time}
    return changes, "forwarded", data


def _request_extension(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-05: one extension of at most 30 days; a case from above needs an explanation (说明情况)."""
    days = body.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError({"days": f"须为 1–{MAX_EXTENSION_DAYS} 的整数（延期天数，最多延长30日）"})
    reason = inputs.text(body, "reason", limit=1000)
    explanation = inputs.text(body, "explanation", required=t.city_due is not None, limit=2000)
    e = _env(t)
    ext = {
        "days": days,
        "reason": reason,
        "requested_by": actor.user_id,
        "requested_at": now.isoformat(),
        "previous_due": e.get("finish_due"),
        "decision": None,
    }
    if explanation:
        ext["explanation"] = explanation
    e["extension"] = ext
    return {"status": S.EXTENSION_REQUESTED, "env": e}, "extension_requested", {"days": days, "reason": reason}


def _decide_extension(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    approve = inputs.flag(body, "approve")
    note = inputs.text(body, "note", required=not approve, limit=1000)
    e = _env(t)
    ext = dict(e.get("extension") or {})
    ext.update(decision="approved" if approve else "denied", decided_by=actor.user_id, decided_at=now.isoformat())
    ext["note"] = note
    changes: dict[str, Any] = {"status": S.HANDLING}
    data: dict[str, Any] = {"approve": approve, "note": note}
    if approve:
        due = datetime.fromisoformat(e["finish_due"]) + timedelta(days=int(ext["days"]))
        e.update(finish_due=due.isoformat(), extension_approved=True)
        text = notice(
            "extended",
            t,
            days=ext["days"],
            reason=ext["reason"],
            due=due.astimezone(deadlines_tz()).strftime("%Y年%m月%d日"),
        )
        e = _with_notice(e, "extension", text, now)
        changes.update(handle_due=due, flags=t.flags - {"overdue"})
        data.update(handle_due=due.isoformat(), notice=text, days=ext["days"])
    e["extension"] = ext
    changes["env"] = e
    return changes, "extension_decided", data


def _report(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-06: the result report in four parts (matter, investigation, decision, reply)."""
    raw = body.get("sections")
    if not isinstance(raw, Mapping):
        raise ValidationError(
            {
                "sections": "须按四部分填写：matter 举报事项、investigation 调查核实情况、decision 处理意见、reply 答复意见"
            }
        )
    sections = check_reply(RESULT_SECTIONS, raw)
    e = _env(t)
    e["result"] = {"sections": sections, "by": actor.user_id, "unit_id": actor.unit_id, "at": now.isoformat()}
    return {"status": S.AWAITING_SIGNOFF, "env": e}, "result_reported", {"sections": sorted(sections)}


def _sign_off(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-06 签发: only a signed result goes to the reporter and the hotline office; closes the report."""
    e = _env(t)
    note = inputs.text(body, "note", required=False, limit=1000)
    e["signoff"] = {"by": actor.user_id, "at": now.isoformat(), "note": note}
    finish = e.get("finish_due")
    on_time = finish is None or datetime.fromisoformat(
        str((e.get("result") or {}).get("at") or now.isoformat())
    ) <= datetime.fromisoformat(finish)
    text = notice("result", t, reply=(e.get("result") or {}).get("sections", {}).get("reply", ""))
    e = _with_notice(e, "result", text, now)
    changes = {"status": S.CLOSED, "closed_at": now, "submitted_at": now, "env": e}
    return changes, "signed_off", {"note": note, "on_time": on_time, "notice": text, "unit_id": t.unit_id}


def _send_back(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    reason = inputs.text(body, "reason", limit=1000)
    e = _env(t)
    e["sent_back"] = int(e.get("sent_back") or 0) + 1
    changes = {"status": S.HANDLING, "redo_count": t.redo_count + 1, "env": e}
    return changes, "sent_back", {"reason": reason, "unit_id": t.unit_id}


def open_supervision(t: Ticket, trigger: str, reason: str, by: str, now: datetime, ctx: Any) -> dict[str, Any]:
    """A new supervision record (R-12369-07) on the env dict; due in SUPERVISION_WORKING_DAYS."""
    e = _env(t)
    due = ctx.calendar.add_working_days(now, SUPERVISION_WORKING_DAYS)
    earlier = list(e.get("supervisions") or [])
    if e.get("supervision"):
        earlier.append(e["supervision"])
    e["supervisions"] = earlier
    e["supervision"] = {
        "trigger": trigger,
        "reason": reason,
        "by": by,
        "at": now.isoformat(),
        "due": due.at.isoformat(),
    }
    return e


def _supervise(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    trigger = body.get("trigger")
    if not isinstance(trigger, str) or trigger not in SUPERVISION_TRIGGERS:
        raise ValidationError({"trigger": f"须为 {', '.join(SUPERVISION_TRIGGERS)} 之一（督办事由）"})
    if trigger == "leader_instruction" and actor.role != Role.LEADER:
        raise ValidationError({"trigger": "领导批示督办须由分管领导发起"})
    reason = inputs.text(body, "reason", limit=1000)
    e = open_supervision(t, trigger, reason, actor.user_id, now, ctx)
    changes = {
        "env": e,
        "flags": t.flags | {"supervised"},
        "supervised": {"reason": reason, "by": actor.user_id, "at": now.isoformat()},
    }
    return (
        changes,
        "supervision_opened",
        {"trigger": trigger, "reason": reason, "due": e["supervision"]["due"], "unit_id": t.unit_id},
    )


def _answer_supervision(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    answer = inputs.text(body, "answer", limit=2000)
    e = _env(t)
    sup = dict(e["supervision"])
    on_time = now <= datetime.fromisoformat(sup["due"])
    sup["answer"] = {"text": answer, "by": actor.user_id, "at": now.isoformat(), "on_time": on_time}
    e["supervision"] = sup
    return {"env": e}, "supervision_answered", {"trigger": sup["trigger"], "on_time": on_time}


def _spot_check(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
    """R-12369-08: the callback of a sampled report; a decision not carried out or new facts open a supervision."""
    satisfaction = body.get("satisfaction")
    if not isinstance(satisfaction, str) or satisfaction not in SATISFACTION:
        raise ValidationError({"satisfaction": f"须为 {', '.join(SATISFACTION)} 之一"})
    carried_out = body.get("carried_out", True)
    if not isinstance(carried_out, bool):
        raise ValidationError({"carried_out": "须为 true 或 false（处理决定是否落实）"})
    new_facts = inputs.text(body, "new_facts", required=False, limit=2000)
    e = _env(t)
    result = {
        "satisfaction": satisfaction,
        "carried_out": carried_out,
        "new_facts": new_facts,
        "note": inputs.text(body, "note", required=False, limit=1000),
        "by": actor.user_id,
        "at": now.isoformat(),
    }
    e["spot_check"] = dict(e["spot_check"], result=result)
    changes: dict[str, Any] = {"env": e}
    data: dict[str, Any] = {"satisfaction": satisfaction, "carried_out": carried_out, "new_facts": bool(new_facts)}
    trigger = "not_carried_out" if not carried_out else "new_facts" if new_facts else None
    if trigger and not _pending_supervision(t):  # R-12369-07 detected from the callback
        reason = (
            "回访抽查：处理决定未落实" if trigger == "not_carried_out" else f"回访抽查：举报人提出新的事实：{new_facts}"
        )
        changes["env"] = open_supervision(t.with_changes(env=e), trigger, reason, SYSTEM_ACTOR.user_id, now, ctx)
        changes["flags"] = t.flags | {"supervised"}
        data["supervision"] = trigger
    return changes, "spot_checked", data


def _base(verb: str) -> Handler:
    def run(t: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime, ctx: Any) -> Result:
        from chalicelib.domain import tickets as base

        return base._HANDLERS[verb](t, body, actor, now, ctx)

    return run


_HANDLERS: dict[str, Handler] = {
    "decide": _decide,
    "forward": _forward,
    "sign": _base("sign"),
    "return": _base("return"),
    "transfer": _base("transfer"),
    "request-extension": _request_extension,
    "decide-extension": _decide_extension,
    "report": _report,
    "sign-off": _sign_off,
    "send-back": _send_back,
    "supervise": _supervise,
    "answer-supervision": _answer_supervision,
    "spot-check": _spot_check,
    "flag-difficult": _base("flag-difficult"),
    "leader-decision": _base("leader-decision"),
    "mark-typical": _base("mark-typical"),
    "record-call": _base("record-call"),
    "unmark-typical": _base("unmark-typical"),
}


# ---------------------------------------------------------------- deadlines and the sweep

# alert kind → event type; R-12369-03/04/05 overdue, R-12369-07 supervision not answered in time
ALERT_EVENTS: dict[str, str] = {
    "env_decision_overdue": "env_decision_overdue",
    "env_forward_overdue": "env_forward_overdue",
    "env_finish_overdue": "env_finish_overdue",
    "env_supervision_overdue": "env_supervision_overdue",
}


def alert_schedule(t: Ticket) -> list[Alert]:
    """The 12369 alerts that apply in the report's state, sorted by due instant."""
    e = _env(t)
    alerts: list[Alert] = []

    def add(kind: str, due: str | None) -> None:
        if due:
            at = datetime.fromisoformat(due)
            alerts.append(Alert(kind, at, at))

    if t.status == S.RECEIVED:
        add("env_decision_overdue", e.get("decision_due"))  # R-12369-03
    if t.status == S.ACCEPTED:
        add("env_forward_overdue", e.get("forward_due"))  # R-12369-04
    if t.status in FINISH_PENDING:
        add("env_finish_overdue", e.get("finish_due"))  # R-12369-05
    if _pending_supervision(t):
        add("env_supervision_overdue", e["supervision"]["due"])  # R-12369-07 chase
    return sorted(alerts, key=lambda a: a.at)


def next_alert(t: Ticket) -> Alert | None:
    """The first 12369 alert not yet done (drives the sparse open-deadline index; O(due) sweep)."""
    return next((a for a in alert_schedule(t) if a.key not in t.alerts_done), None)


def alert_changes(t: Ticket, alert: Alert, now: datetime, ctx: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a due 12369 alert changes besides marking it done: flags, an automatic supervision (R-12369-07)."""
    changes: dict[str, Any] = {}
    data: dict[str, Any] = {}
    if alert.kind in ("env_decision_overdue", "env_forward_overdue", "env_finish_overdue"):
        changes["flags"] = t.flags | {"overdue"}
    if alert.kind in ("env_forward_overdue", "env_finish_overdue") and not _pending_supervision(t):
        what = "转送" if alert.kind == "env_forward_overdue" else "办结"
        reason = f"逾期未{what}（期限 {alert.deadline.astimezone(deadlines_tz()):%Y-%m-%d %H:%M}）"
        changes["env"] = open_supervision(t, "late", reason, SYSTEM_ACTOR.user_id, now, ctx)
        changes["flags"] = changes["flags"] | {"supervised"}
        data["supervision"] = "late"
    return changes, data


# ---------------------------------------------------------------- spot checks (R-12369-08)


def draw(population: list[str], rate: float, seed: str) -> list[str]:
    """A reproducible random sample: the same population, rate and seed give the same report numbers.

    At least one report when the population is not empty; sorted, so a listing is stable.
    """
    import random

    pool = sorted(set(population))
    if not pool:
        return []
    size = min(len(pool), max(1, round(len(pool) * rate)))
    return sorted(random.Random(seed).sample(pool, size))  # noqa: S311 - a sample, not a secret


def sample_change(
    t: Ticket, month: str, seed: str, actor: Actor, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mark a signed, closed report as sampled for the month's spot check (the callback queue)."""
    e = _env(t)
    e["spot_check"] = {"month": month, "seed": seed, "sampled_at": now.isoformat(), "by": actor.user_id}
    return {"env": e}, {"month": month, "seed": seed}
