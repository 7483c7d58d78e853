"""Duplicate requests (重复诉求) and their merge (并单), R-12345-18.

The index (Directory, kept by the TicketEvents stream — `on_event`, run by `handlers/webhooks.partner_event`):
at intake every ticket is written under each of its keys (`domain.duplicates.index_keys`): 16 LSH bands of
its text, the blind-index tag of its normalised place (location address, or a 12369 report's entity name
and address) and the tag of its caller's phone — never the number or the address themselves (R-12345-11).
Items: `DUP#{key}` / `{received_at}#{ticket_id}`, expiring (TTL) a window after receipt. A lookup Queries
each key of the ticket (or intake draft) within the window (`DUPLICATE_WINDOW_DAYS`, default 30) — never a table
scan — then loads the tickets found and scores them exactly (`domain.duplicates.score`).

Merge links: `DUP#ROLE` / ticket id holds `{"into": main}` on a duplicate and `{"main_of": [ids]}` on a
main ticket; every merge/unmerge rewrites both items on condition that they are as read, in the
duplicate's own transaction, so two operators merging two tickets into each other at once cannot both
succeed (one gets 409). When a main ticket closes, `on_event` hands its result to every duplicate still
merged into it (`domain.merging.follow`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, duplicates, env_complaints, merging, tickets
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.model import Actor, Role, Status, Ticket
from chalicelib.services import privacy
from chalicelib.services.views import ticket_summary
from chalicelib.storage.serialize import iso
from chalicelib.storage.table import Absent, Cond, Equals, Item, KeyRange, Write
from chalicelib.storage.tickets import EventRecord

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.duplicates")

INDEX_PREFIX = "DUP#"
ROLE_PK = "DUP#ROLE"
PER_KEY = 25  # newest tickets read per index key
MAX_LOADED = 60  # tickets loaded and scored per lookup (those matching the most keys first)
READERS = (Role.OPERATOR, Role.LEADER, Role.ANALYST)


def place_of(hotline: str, location: Mapping[str, Any] | None, env: Mapping[str, Any] | None) -> str:
    """The place a ticket is about: a 12369 report's reported entity (name + address), else its location."""
    if hotline == env_complaints.HOTLINE:
        entity = (env or {}).get("entity") or {}
        return f"{entity.get('address') or ''}{entity.get('name') or ''}"
    return str((location or {}).get("address") or "")


def _doc(deps: Adapters, ticket: Ticket) -> duplicates.Doc:
    tag = deps.blind_index.phone_tag(ticket.caller.phone) if ticket.caller.phone else None
    place = place_of(ticket.hotline, ticket.location, ticket.env)
    return duplicates.Doc.of(ticket.ticket_id, ticket.title, ticket.content, tag, place)


def _window(deps: Adapters) -> int:
    """Days around a ticket's receipt within which duplicates are looked for (default 30, `DUPLICATE_WINDOW_DAYS`)."""
    return deps.settings.duplicate_window_days


def _place_tag(deps: Adapters) -> Any:
    return lambda place: deps.blind_index.tag("place", place)


def _keys(deps: Adapters, doc: duplicates.Doc) -> list[str]:
    return duplicates.index_keys(doc, _place_tag(deps))


# ---------------------------------------------------------------- the index (stream consumer)


def index_ticket(deps: Adapters, ticket: Ticket) -> int:
    """Write the ticket under each of its index keys (idempotent: the same items again). → items written."""
    doc = _doc(deps, ticket)
    sk = f"{iso(ticket.received_at)}#{ticket.ticket_id}"
    expires = int((ticket.received_at + timedelta(days=_window(deps) + 1)).timestamp())
    items = [
        Item(f"{INDEX_PREFIX}{key}", sk, {"ticket_id": ticket.ticket_id}, expires_at=expires)
        for key in _keys(deps, doc)
    ]
    deps.table.put_many(items)
    return len(items)


def on_event(deps: Adapters, event: EventRecord, now: datetime) -> None:
    """TicketEvents: index a new ticket; a closed main ticket's result reaches its duplicates."""
    kind = event.get("type")
    if kind == "received":
        index_ticket(deps, deps.tickets.get(str(event["ticket_id"])))
    elif kind == "closed" and (event.get("snapshot") or {}).get("hotline") != env_complaints.HOTLINE:
        follow_main(deps, str(event["ticket_id"]), now)


# ---------------------------------------------------------------- candidates


@dataclass(frozen=True)
class Draft:
    """An intake not yet saved: what the operator has typed."""

    hotline: str
    title: str
    content: str
    phone: str
    place: str


def draft_of(body: Mapping[str, Any]) -> Draft:
    """An intake draft from a request body (the fields of `POST /tickets`), or 422."""
    title, content = body.get("title") or "", body.get("content") or ""
    if not isinstance(title, str) or not isinstance(content, str) or not (title.strip() or content.strip()):
        raise ValidationError({"title": "请填写标题或内容后再查重"})
    raw_caller, raw_location = body.get("caller"), body.get("location")
    caller: Mapping[str, Any] = raw_caller if isinstance(raw_caller, Mapping) else {}
    location: Mapping[str, Any] = raw_location if isinstance(raw_location, Mapping) else {}
    hotline = str(body.get("hotline") or "12345")
    env = {"entity": body.get("entity")} if isinstance(body.get("entity"), Mapping) else None
    return Draft(
        hotline,
        title[:200],
        content[:5000],
        str(caller.get("phone") or "")[:32],
        place_of(hotline, location, env)[:300],
    )


def _lookup(
    deps: Adapters, actor: Actor, doc: duplicates.Doc, around: datetime, exclude: str | None
) -> list[tuple[Ticket, duplicates.Score]]:
    """Query every key within the window around `around` (`DUPLICATE_WINDOW_DAYS`), load what was found, score it.

    R-12345-11: the caller signal links tickets by their callers' numbers, so it is used as the lookup by
    number is: never on a confidential ticket unless the actor is a leader."""
    window = timedelta(days=_window(deps))
    span = KeyRange(low=iso(around - window), high=f"{iso(around + window)}~")
    hits: Counter[str] = Counter()
    by_caller: set[str] = set()
    for key in _keys(deps, doc):
        for item in deps.table.items(f"{INDEX_PREFIX}{key}", span, newest_first=True, limit=PER_KEY):
            found = str(item.data.get("ticket_id"))
            if found and found != exclude:
                hits[found] += 1
                if key.startswith("caller#"):
                    by_caller.add(found)
    ids = [i for i, _ in hits.most_common(MAX_LOADED)]
    out = []
    for other in deps.tickets.get_many(ids):
        place = place_of(other.hotline, other.location, other.env)
        same_caller = other.ticket_id in by_caller and (actor.role == Role.LEADER or not other.confidential)
        tag = doc.caller_tag if same_caller else None
        score = duplicates.score(doc, duplicates.Doc.of(other.ticket_id, other.title, other.content, tag, place))
        if score.candidate:
            out.append((other, score))
    out.sort(key=lambda pair: (-pair[1].value, pair[0].ticket_id))
    return out[: duplicates.MAX_CANDIDATES]


def _candidate_view(ticket: Ticket, score: duplicates.Score) -> dict[str, Any]:
    return {
        "ticket": ticket_summary(ticket),
        "score": score.value,
        "text_similarity": score.text,
        "reasons": score.reasons,
        "mergeable_into": ticket.is_open and ticket.status != Status.MERGED and ticket.hotline != "12369",
    }


def role_of(deps: Adapters, ticket_id: str) -> Item | None:
    """The ticket's merge-role item (`into` / `main_of`), or None."""
    return deps.table.get(ROLE_PK, ticket_id)


def _main_of(deps: Adapters, ticket_id: str) -> list[str]:
    item = role_of(deps, ticket_id)
    return list((item.data if item else {}).get("main_of") or [])


def candidates(deps: Adapters, actor: Actor, ticket_id: str, now: datetime) -> dict[str, Any]:
    """`GET /tickets/{id}/duplicates`: likely duplicates (score, reasons), its main ticket and the
    duplicates merged into it."""
    access.ensure_role(actor, *READERS)
    ticket = deps.tickets.get(ticket_id)
    access.ensure_view(actor, ticket)
    found = _lookup(deps, actor, _doc(deps, ticket), ticket.received_at, ticket.ticket_id)
    main_id = (ticket.merge or {}).get("into")
    main = None
    if main_id:
        loaded = deps.tickets.get_many([main_id])
        if loaded:
            main = dict(ticket_summary(loaded[0]), reply=loaded[0].reply, closed_at=iso(loaded[0].closed_at))
    merged = deps.tickets.get_many(_main_of(deps, ticket_id))
    return {
        "ticket_id": ticket_id,
        "window_days": _window(deps),
        "threshold": duplicates.THRESHOLD,
        "items": [_candidate_view(t, s) for t, s in found],
        "merge": ticket.merge,
        "main": main,
        "merged": [ticket_summary(t) for t in sorted(merged, key=lambda t: t.ticket_id)],
    }


def check_draft(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """`POST /duplicates/check`: the candidates of an intake being typed (nothing is stored; the phone
    only becomes its blind-index tag)."""
    access.ensure_role(actor, Role.OPERATOR)
    draft = draft_of(body)
    tag = deps.blind_index.phone_tag(draft.phone) if draft.phone else None
    doc = duplicates.Doc.of("", draft.title, draft.content, tag, draft.place)
    found = _lookup(deps, actor, doc, now, None)
    by_number = sum(1 for _, score in found if score.same_caller)
    if by_number:  # a typed number tied to tickets: recorded like a lookup by number (R-12345-11)
        privacy.log_access(deps, "caller_lookup", actor, now, hits=by_number, via="duplicate_check")
    return {
        "window_days": _window(deps),
        "threshold": duplicates.THRESHOLD,
        "items": [_candidate_view(t, s) for t, s in found],
    }


# ---------------------------------------------------------------- merge, unmerge, follow


def _role_write(pk_id: str, read: Item | None, data: dict[str, Any]) -> Write:
    cond: Cond = Equals("data", read.data) if read is not None else Absent()
    return Item(ROLE_PK, pk_id, data), cond


def merge(deps: Adapters, actor: Actor, ticket_id: str, body: Mapping[str, Any], now: datetime) -> Ticket:
    """`POST /tickets/{id}/merge {"into"}`: the operator confirms the merge (one transaction)."""
    access.ensure_role(actor, Role.OPERATOR)
    if not isinstance(body, Mapping):
        raise ValidationError({"into": "须为主工单编号"})
    dup = deps.tickets.get(ticket_id)
    access.ensure_view(actor, dup)
    into = merging.target_id(body)
    try:
        main: Ticket | None = deps.tickets.get(into) if into != ticket_id else dup
    except NotFound:
        main = None
    if main is not None:
        access.ensure_view(actor, main)
    dup_role, main_role = role_of(deps, ticket_id), role_of(deps, into)
    has = list((dup_role.data if dup_role else {}).get("main_of") or [])
    change = merging.merge(dup, main, body, actor, now, into=into, dup_has_duplicates=has)
    main_of = [*(main_role.data if main_role else {}).get("main_of", []), ticket_id]
    extra = [
        _role_write(ticket_id, dup_role, {"into": into}),
        _role_write(into, main_role, {"main_of": sorted(set(main_of))}),
    ]
    ctx = deps.contexts.load(now)
    merged = deps.tickets.commit(change, tickets.next_alert(change.after, ctx), extra=extra)
    if not deps.tickets.get(into).is_open:  # the main closed while we merged: its stream event may have passed
        follow_main(deps, into, now)
        merged = deps.tickets.get(ticket_id)
    return merged


def unmerge(deps: Adapters, actor: Actor, ticket_id: str, body: Mapping[str, Any], now: datetime) -> Ticket:
    """`POST /tickets/{id}/unmerge`: the duplicate is taken back out of its main ticket."""
    access.ensure_role(actor, Role.OPERATOR)
    dup = deps.tickets.get(ticket_id)
    change = merging.unmerge(dup, body if isinstance(body, Mapping) else {}, actor, now)
    main_id = str((dup.merge or {}).get("into"))
    dup_role, main_role = role_of(deps, ticket_id), role_of(deps, main_id)
    rest = [i for i in (main_role.data if main_role else {}).get("main_of", []) if i != ticket_id]
    extra = [_role_write(ticket_id, dup_role, {}), _role_write(main_id, main_role, {"main_of": rest})]
    ctx = deps.contexts.load(now)
    return deps.tickets.commit(change, tickets.next_alert(change.after, ctx), extra=extra)


def follow_main(deps: Adapters, main_id: str, now: datetime) -> list[str]:
    """The closed main ticket's result reaches each duplicate still merged into it (idempotent). → ids moved."""
    ids = _main_of(deps, main_id)
    if not ids:
        return []
    main = deps.tickets.get(main_id)
    moved = []
    ctx = deps.contexts.load(now)
    for dup_id in ids:
        change = merging.follow(deps.tickets.get(dup_id), main, now)
        if change is not None:
            deps.tickets.commit(change, tickets.next_alert(change.after, ctx))
            moved.append(dup_id)
    return moved
