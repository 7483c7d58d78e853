"""Ticket use cases: load → domain → one transaction. Each takes the adapters, the actor and `now`."""

from __future__ import annotations

import hashlib
import json
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, emergency, inputs, instructions, tickets
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import BadRequest, Conflict, Forbidden, ValidationError
from chalicelib.domain.model import CHANNELS, FLAGS, HOTLINES, Actor, Change, Role, Status, Ticket, is_ticket_id
from chalicelib.services import privacy, search
from chalicelib.storage.table import Item, Write
from chalicelib.storage.tickets import OPEN, OPEN_PARTS, IdempotencyKey, Page, matches

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

MAX_PAGE = 100
CLAIM_WAITS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5)  # ≈ 4.7 s in all


def payload_hash(payload: dict[str, Any]) -> str:
    """Stable hash of an intake payload (same number + other payload = conflict)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def create_ticket(deps: Adapters, actor: Actor, payload: dict[str, Any], now: datetime) -> tuple[Ticket, bool]:
    """Intake; idempotent on (source, external_id): the same push twice returns the same ticket.

    A number is taken only once the intake holds its idempotency key (an atomic claim), so parallel
    pushes of one number take one number between them; a number taken by a commit that then fails
    stays a gap in the day's sequence, counted (docs/architecture.md "Ticket ids").
    """
    access.ensure_role(actor, Role.OPERATOR, Role.PARTNER)
    ctx = deps.contexts.load(now)
    change = tickets.new_ticket("pending", payload, actor, now, ctx)  # validates before a number is taken
    flagged = emergency.at_intake(payload, change.after, actor, now, ctx.emergency_keywords)
    if flagged is not None:  # operator's flag or a keyword: escalated to the leader on duty by the sweep
        change = Change(
            None,
            change.after.with_changes(emergency=flagged),
            change.event_type,
            {**change.data, "emergency": flagged},
            now,
            actor,
        )
    key = None
    if change.after.external_id:
        key, found = _claim(deps, IdempotencyKey(change.after.source, change.after.external_id, payload_hash(payload)))
        if found is not None:
            return found, False
    ticket_id = deps.tickets.next_number(change.after.received_at)
    after = change.after.with_changes(ticket_id=ticket_id)
    change = Change(None, after, change.event_type, change.data, now, actor)
    try:
        extra = [emergency_item(after)] if after.emergency else []
        return deps.tickets.commit(change, tickets.next_alert(after, ctx), idempotency=key, extra=extra), True
    except Exception as exc:
        deps.tickets.count_unused_number(ticket_id)  # the number stays taken: a counted gap
        if key is None:
            raise
        deps.tickets.release_idempotent(key)
        if isinstance(exc, Conflict) and (found := _existing(deps, key)) is not None:
            return found, False  # our claim lapsed and another push of the same number won
        raise


EMERGENCY_OPEN = "EMERGENCY#OPEN"


def emergency_item(ticket: Ticket) -> Write:
    """`EMERG#{ticket}` / `STATE`: in the sparse gsi1 `EMERGENCY#OPEN` while unacknowledged (the
    banner's one Query); written in the ticket's transaction whenever the emergency changes."""
    record = ticket.emergency or {}
    data = {
        "ticket_id": ticket.ticket_id,
        "title": ticket.title,
        "hotline": ticket.hotline,
        "unit_id": ticket.unit_id,
        **{k: v for k, v in record.items() if k != "note"},
    }
    if emergency.pending(ticket):
        return (Item(f"EMERG#{ticket.ticket_id}", "STATE", data, EMERGENCY_OPEN, str(record.get("at"))), None)
    return (Item(f"EMERG#{ticket.ticket_id}", "STATE", data), None)


def _claim(deps: Adapters, key: IdempotencyKey) -> tuple[IdempotencyKey | None, Ticket | None]:
    """This intake's claim on its key, or the ticket another intake of the same number made.

    While another request holds the claim, wait for its ticket (a commit takes well under a second);
    a claim whose holder died lapses after CLAIM_TTL_S and is taken over.
    """
    for pause in CLAIM_WAITS:
        claimed = deps.tickets.claim_idempotent(key, deps.clock())
        if claimed is not None:
            return claimed, None
        if (found := _existing(deps, key)) is not None:
            return None, found
        time.sleep(pause)
    raise Conflict(
        f"编号 {key.external_id} 的另一次推送正在处理，请稍后重试",
        external_id=key.external_id,
        in_progress=True,
    )


def _existing(deps: Adapters, key: IdempotencyKey) -> Ticket | None:
    """The ticket of a committed intake with this key; 409 when that intake (or the one being
    committed) carried another payload; None while a claim with the same payload is pending."""
    entry = deps.tickets.idempotent_entry(key)
    if entry is None:
        return None
    if entry.payload_hash != key.payload_hash:
        raise Conflict(
            f"编号 {key.external_id} 已用于内容不同的工单" + (f" {entry.ticket_id}" if entry.ticket_id else ""),
            external_id=key.external_id,
            ticket_id=entry.ticket_id,
        )
    return deps.tickets.get(entry.ticket_id) if entry.ticket_id else None


def act(deps: Adapters, actor: Actor, ticket_id: str, verb: str, body: dict[str, Any], now: datetime) -> Ticket:
    """Perform one verb on a ticket in one transaction; 409 if someone else was first."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    expected = body.get("version")
    if expected is not None and expected != ticket.version:
        raise Conflict("工单已被他人更新，请刷新后重试", expected=expected, current=ticket.version)
    ctx = deps.contexts.load(now)
    change = privacy.seal_change(deps, tickets.apply(ticket, verb, body, actor, now, ctx))  # R-12345-11
    return deps.tickets.commit(change, tickets.next_alert(change.after, ctx))


def get_ticket(
    deps: Adapters, actor: Actor, ticket_id: str, now: datetime, *, reveal: bool = False, reason: str | None = None
) -> Ticket:
    """One ticket the actor may see (another unit's id answers 404); reveals are recorded."""
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    if reveal:
        ensure_reveal(deps, actor, ticket, now, reason, "reveal")
    return ticket


def ensure_reveal(deps: Adapters, actor: Actor, ticket: Ticket, now: datetime, reason: str | None, what: str) -> None:
    """R-12345-11: 403 unless this actor may reveal this ticket's caller, 422 without a reason code;
    the allowed reveal is recorded in the access log (Directory + Object-Lock copy)."""
    if not access.can_reveal(actor, ticket):
        raise Forbidden("无权查看来电人信息", ticket_id=ticket.ticket_id)
    if reason not in access.REVEAL_REASONS:
        raise ValidationError({"reason": access.REVEAL_REASON_PROBLEM})
    privacy.log_access(deps, "reveal", actor, now, ticket_id=ticket.ticket_id, reason=reason, what=what)


def pii_views(
    deps: Adapters, actor: Actor, ticket_id: str, page: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The access log of a ticket's personal data (auditors only: an administrator audits no one, R-SEC-01)."""
    access.ensure_role(actor, Role.AUDITOR)
    deps.tickets.get(ticket_id)
    return deps.directory.pii_views(ticket_id, token=page)


def ticket_events(deps: Adapters, actor: Actor, ticket_id: str) -> list[dict[str, Any]]:
    """The ticket's history for someone who may see the ticket."""
    access.ensure_view(actor, deps.tickets.get(ticket_id))
    events = [privacy.public_event_data(e) for e in deps.tickets.events(ticket_id)]
    names = deps.contexts.names()  # the timeline shows names with the unit, not login ids (domain/people.py)
    events = [dict(e, actor_name=names.get(str(e.get("actor_id")))) for e in events]
    return [instructions.redact_event(actor, e) for e in events]  # R-12345-16: not another unit's 批示


def partner_name(deps: Adapters, source: object) -> str | None:
    """The display name of the partner platform that pushed a ticket (its `source`), from the partner registry
    cached per process (`deps.contexts.partners`, read at most once a minute); None for a channel, or a partner
    deleted or unknown (then the source is shown as just 合作平台, `labels.source_label`)."""
    if not source or str(source) in CHANNELS:
        return None
    partner = deps.contexts.partners(deps.partners.list_partners).get(str(source))
    return str(partner["name"]) if partner and partner.get("name") else None


def with_people(deps: Adapters, view: dict[str, Any]) -> dict[str, Any]:
    """A ticket view with `owner_name`, `first_owner_name` (the delegate's `name`, a 12369 sign-off's `by_name`):
    the printed persons (name with the unit), None when the Directory knows no name (the SPA then shows the id);
    and `partner_name`, the partner platform that pushed the ticket (`partner_name()`)."""
    names = deps.contexts.names()
    out = dict(
        view,
        owner_name=names.get(str(view.get("owner_id"))),
        first_owner_name=names.get(str(view.get("first_owner_id"))),
        partner_name=partner_name(deps, view.get("source")),
    )
    if isinstance(view.get("delegate"), dict):  # R-12345-03 hand-over: the delegate as printed too
        out["delegate"] = dict(view["delegate"], name=names.get(str(view["delegate"].get("user_id"))))
    env = view.get("env")
    if isinstance(env, dict) and isinstance(env.get("signoff"), dict):  # 12369: the leader who signed off
        signoff = env["signoff"]
        out["env"] = dict(env, signoff=dict(signoff, by_name=names.get(str(signoff.get("by")))))
    return out


def list_tickets(deps: Adapters, actor: Actor, params: dict[str, str], now: datetime | None = None) -> Page:
    """A page of tickets in the actor's scope; exactly one index is queried.

    One search term narrows the list (docs/api.md): `ticket_id` (exact), `phone` / `caller_name` (the
    caller's number / exact full name through the blind index, R-12345-11) or `keyword` (title and content
    through the search index kept by the event stream, services/search.py, R-12345-13).
    """
    if actor.role in (Role.RECORDS, Role.PARTNER, Role.AUDITOR):  # the auditor reads logs, not cases (R-SEC-01)
        raise Forbidden("此角色不能浏览工单列表", role=actor.role)
    # an empty caller name is a name lookup without a name (422), not "no search": a name is looked up exactly
    terms = {k: params[k] for k in SEARCH_TERMS if params.get(k) or (k == "caller_name" and k in params)}
    if len(terms) > 1:
        raise ValidationError(dict.fromkeys(terms, "工单编号、来电号码、来电人姓名、关键词一次只能按一项查找"))
    names = ("status", "unit_id", "owner_id", "flag", "due_before", "hotline", "received_from", "received_to")
    filters = {k: v for k, v in params.items() if k in names and v}
    _check_filters(filters)
    filters["now"] = (now or deps.clock()).astimezone(UTC).isoformat()
    try:
        limit = int(params.get("limit") or 20)
    except ValueError as exc:
        raise ValidationError({"limit": "须为 1–100 的整数"}) from exc
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationError({"limit": "须为 1–100 的整数"})
    if actor.role == Role.UNIT_HANDLER:
        if filters.get("unit_id", actor.unit_id) != actor.unit_id or not actor.unit_id:
            raise Forbidden("只能查看本单位的工单")
        filters["unit_id"] = actor.unit_id
    if terms:
        return _search(deps, actor, terms, filters, limit, params.get("page"), now or deps.clock())
    if filters.get("status") == OPEN and not {"unit_id", "owner_id"} & set(filters):
        # every open ticket in scope (an operator's 全部未办结, with a flag or not): the open partitions as one list
        filters.pop("status")
        return deps.tickets.list_merged(parts=OPEN_PARTS, limit=limit, token=params.get("page"), filters=filters)
    index, key = _pick_index(actor, filters)
    return deps.tickets.list_page(index=index, key=key, limit=limit, token=params.get("page"), filters=filters)


SEARCH_TERMS = ("ticket_id", "phone", "keyword", "caller_name")


def _search(
    deps: Adapters,
    actor: Actor,
    terms: dict[str, str],
    filters: dict[str, str],
    limit: int,
    token: str | None,
    now: datetime,
) -> Page:
    """The page of the one search term given (docs/api.md "Search")."""
    if "ticket_id" in terms:
        return _by_number(deps, actor, terms["ticket_id"], filters)
    if "phone" in terms:
        return _by_phone(deps, actor, terms["phone"], filters, limit, token, now)
    if "caller_name" in terms:
        return search.name_page(deps, actor, terms["caller_name"], filters, limit, token, now)
    return search.keyword_page(deps, actor, terms["keyword"], filters, limit, token)


def _by_number(deps: Adapters, actor: Actor, raw: str, filters: dict[str, str]) -> Page:
    """The ticket of an exact number (one GetItem), if the actor may see it and it passes the filters."""
    number = unicodedata.normalize("NFKC", raw).strip().upper()
    if not is_ticket_id(number):
        raise ValidationError({"ticket_id": "工单编号格式为 T + 8位日期 + - + 5位序号，如 T20261126-00001"})
    found = [t for t in deps.tickets.get_many([number]) if access.can_view(actor, t) and matches(t, filters)]
    return Page(found, None)


def _by_phone(
    deps: Adapters,
    actor: Actor,
    raw: str,
    filters: dict[str, str],
    limit: int,
    token: str | None,
    now: datetime,
) -> Page:
    """R-12345-11: the caller's earlier tickets through the blind index (one Query on `by_caller`)."""
    return search.caller_page(
        deps, actor, lambda: deps.blind_index.phone_tag(raw[:40]), PHONE_LOOKUP, filters, limit, token, now
    )


PHONE_LOOKUP = search.CallerLookup(
    "phone", "caller", "caller_lookup", "来电号码", "来电号码须为11位手机号码或带区号的固定电话（可含空格、横线或 +86）"
)


def _check_filters(filters: dict[str, str]) -> None:
    if "status" in filters and filters["status"] not in {s.value for s in Status} | {"open"}:
        raise ValidationError({"status": "未知状态"})
    for name in ("received_from", "received_to"):  # days in Asia/Shanghai; the list reads the index's range
        if name in filters:
            try:
                day = date.fromisoformat(unicodedata.normalize("NFKC", filters[name]).strip()[:10])
            except ValueError as exc:
                raise ValidationError({name: "须为日期，如 2026-12-01"}) from exc
            start = datetime.combine(day + timedelta(days=1 if name == "received_to" else 0), clock_time(), SHANGHAI)
            filters.pop(name)
            filters["received_before" if name == "received_to" else name] = start.astimezone(UTC).isoformat()
    if filters.get("received_from", "") >= filters.get("received_before", "~"):
        raise ValidationError({"received_to": "须不早于开始日期"})
    if "hotline" in filters and filters["hotline"] not in HOTLINES:
        raise ValidationError({"hotline": "须为 12345 或 12369"})
    if "flag" in filters and filters["flag"] not in FLAGS:
        raise ValidationError({"flag": f"须为 {', '.join(FLAGS)} 之一"})
    if "due_before" in filters:
        # stored deadlines are UTC ISO strings: compare like with like (naive input = Shanghai time)
        filters["due_before"] = inputs.instant(filters["due_before"], "due_before").isoformat()


def _pick_index(actor: Actor, filters: dict[str, str]) -> tuple[str, str]:
    """unit_id, then owner_id, then status picks the index; default is the actor's own scope."""
    for name, index in (("unit_id", "unit"), ("owner_id", "owner"), ("status", "status")):
        if name in filters and filters[name] != OPEN:  # `open` is many statuses: a filter, not an index key
            return index, filters.pop(name)
    if actor.role == Role.OPERATOR:
        return "owner", actor.user_id
    if actor.role == Role.LEADER:
        return "status", Status.EXTENSION_REQUESTED
    if actor.role in (Role.ANALYST, Role.ADMIN):
        return "status", Status.RECEIVED
    raise BadRequest("请指定 status、unit_id 或 owner_id")
