"""The keyword search index and the searches over it (R-12345-13), and the caller-name lookup (R-12345-11).

Index (Directory, kept by the TicketEvents stream — `on_event`, run by `handlers/webhooks.partner_event`,
so it works in the cloud stream trigger and in `make run`'s embedded pump alike): one item per distinct
term of a ticket (`domain.search.ticket_terms`, ≤ 64) — `SRCH#{term}` / `{received_at}#{ticket_id}` —
and one manifest `SRCHDOC#{ticket_id}` / `TERMS` listing the terms written. Re-indexing (a retried record,
a changed title or content, the backfill) writes the terms not yet in the manifest, deletes those no longer
in the text, then rewrites the manifest: idempotent, and the manifest never names an item that is missing.

Search (`keyword_page`): the query's primary term's partition is read newest first, one Query per index
page (≤ SEARCH_PAGES per request), the tickets found are loaded in one BatchGet, and kept when the actor may
see them, they pass the list filters and their text holds every part of the query. The page token is the
term partition's own key (opaque, as the list's tokens are).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, search
from chalicelib.domain.errors import Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.services import privacy
from chalicelib.storage.serialize import iso
from chalicelib.storage.table import Item, KeyRange, encode_token
from chalicelib.storage.tickets import EventRecord, Page, matches

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.search")

TERM_PREFIX = "SRCH#"
MANIFEST_PREFIX = "SRCHDOC#"
MANIFEST_SK = "TERMS"
SEARCH_PAGE = 50  # index rows per Query of a search
SEARCH_PAGES = 4  # Queries one search request makes at most; the token goes on from where it stopped
NAME_MAX = 50  # characters of a caller name typed into the search
KEYWORD_PROBLEM = f"关键词须为 1–{search.QUERY_MAX} 个字，并至少含一个两字以上的词（单字、表情或长串数字无法查找）"
NAME_PROBLEM = f"来电人姓名须为 1–{NAME_MAX} 个字的完整姓名（不能只有表情或符号）"


# ---------------------------------------------------------------- the index (stream consumer)


def _sort_key(ticket: Ticket) -> str:
    return f"{iso(ticket.received_at)}#{ticket.ticket_id}"


def index_ticket(deps: Adapters, ticket: Ticket) -> tuple[int, int]:
    """Bring the ticket's index items in line with its text → (items written, items deleted)."""
    terms = search.ticket_terms(ticket.title, ticket.content, ticket.caller.name or "")
    sk = _sort_key(ticket)
    manifest = deps.table.get(f"{MANIFEST_PREFIX}{ticket.ticket_id}", MANIFEST_SK)
    old = set(manifest.data.get("terms") or []) if manifest else set()
    old_sk = str(manifest.data.get("sk") or sk) if manifest else sk
    new = [t for t in terms if t not in old or old_sk != sk]
    deps.table.put_many([Item(f"{TERM_PREFIX}{t}", sk, {"t": ticket.ticket_id}) for t in new])
    gone = [t for t in old if t not in terms or old_sk != sk]
    for term in gone:
        deps.table.delete(f"{TERM_PREFIX}{term}", old_sk)
    if new or gone or manifest is None:
        deps.table.put(Item(f"{MANIFEST_PREFIX}{ticket.ticket_id}", MANIFEST_SK, {"terms": terms, "sk": sk}))
    return len(new), len(gone)


def on_event(deps: Adapters, event: EventRecord, now: datetime) -> None:
    """TicketEvents: index a new ticket, re-index one whose title or content changed."""
    data = event.get("data") or {}
    if event.get("type") == "received" or "title" in data or "content" in data:
        index_ticket(deps, deps.tickets.get(str(event["ticket_id"])))


def terms_of(deps: Adapters, ticket_id: str) -> list[str]:
    """The terms the index holds for a ticket (its manifest)."""
    manifest = deps.table.get(f"{MANIFEST_PREFIX}{ticket_id}", MANIFEST_SK)
    return list(manifest.data.get("terms") or []) if manifest else []


# ---------------------------------------------------------------- the keyword search


def keyword_page(
    deps: Adapters, actor: Actor, raw: str, filters: dict[str, str], limit: int, token: str | None
) -> Page:
    """A page of the tickets whose text holds every part of `raw` (see the module text). O(page)."""
    if not raw.strip() or len(raw) > search.QUERY_MAX:
        raise ValidationError({"keyword": KEYWORD_PROBLEM})
    terms, parts = search.query_terms(raw)
    if not terms:
        raise ValidationError({"keyword": KEYWORD_PROBLEM})
    pk = f"{TERM_PREFIX}{search.primary(terms)}"
    since, before = filters.get("received_from"), filters.get("received_before")
    key = KeyRange(low=since, high=before) if since and before else KeyRange(low=since) if since else None
    if before and not since:
        key = KeyRange(below=before)
    found: list[Ticket] = []
    examined = 0
    for _ in range(SEARCH_PAGES):
        page = deps.table.query(pk, key, newest_first=True, limit=SEARCH_PAGE, token=token)
        loaded = {t.ticket_id: t for t in deps.tickets.get_many([str(i.data.get("t")) for i in page.items])}
        for item in page.items:
            examined += 1
            ticket = loaded.get(str(item.data.get("t")))
            if ticket is not None and _keeps(actor, ticket, filters, parts):
                found.append(ticket)
                if len(found) == limit:  # a full page: the next one starts right after this item
                    last = item is page.items[-1] and page.next_page is None
                    after = None if last else encode_token({"pk": {"S": pk}, "sk": {"S": item.sk}})
                    return Page(found, after, examined=examined)
        token = page.next_page
        if token is None:
            break
    return Page(found, token, examined=examined)


def _keeps(actor: Actor, ticket: Ticket, filters: dict[str, str], parts: list[str]) -> bool:
    if not access.can_view(actor, ticket) or not matches(ticket, filters):
        return False
    text = search.text_of(ticket.title, ticket.content)
    return all(p in text for p in parts)


# ---------------------------------------------------------------- the caller-name lookup


def name_page(
    deps: Adapters,
    actor: Actor,
    raw: str,
    filters: dict[str, str],
    limit: int,
    token: str | None,
    now: datetime,
) -> Page:
    """R-12345-11: a caller's tickets by the exact full name, through the blind index (one Query on
    `by_caller_name`) — allowed, limited and logged exactly as the lookup by phone is."""
    return caller_page(
        deps,
        actor,
        lambda: deps.blind_index.name_tag(raw) if len(raw) <= NAME_MAX else None,
        CallerLookup("caller_name", "caller_name", "caller_name_lookup", "来电人姓名", NAME_PROBLEM),
        filters,
        limit,
        token,
        now,
    )


@dataclass(frozen=True)
class CallerLookup:
    """One way to find a caller's tickets through a blind index: its index, its log action, its words."""

    field: str  # the request's parameter, named in a 422
    index: str  # the sparse index of the tag (`caller` = by_caller, `caller_name` = by_caller_name)
    action: str  # the access-log action
    what: str  # what the user typed, in Chinese
    problem: str  # the 422 reason of an input that makes no tag


def caller_page(
    deps: Adapters,
    actor: Actor,
    tag_of: Callable[[], str | None],
    lookup: CallerLookup,
    filters: dict[str, str],
    limit: int,
    token: str | None,
    now: datetime,
) -> Page:
    """The one lookup of a caller's tickets through a blind index (R-12345-11). Only the roles that may reveal a
    caller may look one up (a unit may be the reported party); an operator finds no confidential ticket (those
    callers are a leader's to reveal). Every lookup is rate-limited per user and recorded in the access log by
    the count of hits, never what was typed."""
    if actor.role not in access.REVEAL_ROLES:
        raise Forbidden(f"按{lookup.what}查找仅限话务员和领导", role=actor.role)
    tag = tag_of()
    if tag is None:
        raise ValidationError({lookup.field: lookup.problem})
    from chalicelib.services.partners import throttle  # the one fixed-window limiter (partners imports us)

    throttle(deps, f"caller-lookup:{actor.user_id}", deps.settings.caller_lookups_per_minute, now)
    page = deps.tickets.list_page(index=lookup.index, key=tag, limit=limit, token=token, filters=filters)
    items = [t for t in page.items if actor.role == Role.LEADER or not t.confidential]
    privacy.log_access(deps, lookup.action, actor, now, hits=len(items), page=bool(token))
    return Page(items, page.next_page)


# ---------------------------------------------------------------- backfill


def backfill(deps: Adapters, ticket_ids: Iterator[str]) -> dict[str, Any]:
    """Index existing tickets (terms, and the caller-name tag a ticket saved before it had none): a one-off
    after deploying the index (`python -m infra.search_backfill`, docs/operations.md). It also recomputes
    caller tags made under another blind-index hash (after `BLIND_INDEX_HASH` changed, R-12345-11).
    Idempotent."""
    counts = {"tickets": 0, "terms_written": 0, "terms_deleted": 0, "phone_tags": 0, "name_tags": 0, "failed": 0}
    for ticket_id in ticket_ids:
        try:
            ticket = deps.tickets.get(ticket_id)
            written, deleted = index_ticket(deps, ticket)
            phone_tagged, name_tagged = deps.tickets.tag_caller(ticket)
            counts["phone_tags"] += int(phone_tagged)
            counts["name_tags"] += int(name_tagged)
        except Exception:  # reported, the run goes on; a second run repairs it
            log.exception("search backfill failed for %s", ticket_id)
            counts["failed"] += 1
            continue
        counts["tickets"] += 1
        counts["terms_written"] += written
        counts["terms_deleted"] += deleted
    return counts
