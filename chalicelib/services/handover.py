"""Hand-over (代办) of an operator's open tickets for a period, leader-approved (R-12345-03, domain/handover.py).

Directory `HANDOVER` / id holds each hand-over (a handful a month: one small partition); while the sweep
still has to start or end one it is in gsi1 `HANDOVER-DUE` / `{start|end}#{id}` (sparse). Starting and
ending write one event per ticket, each in its own transaction (`deps.tickets.commit`): a ticket that
already carries (or no longer carries) the hand-over is skipped, so a start or end repeated after a
failure or a lost race never loses or doubles a ticket. The hand-over is marked `active` / `ended` only
once every ticket is done; until then it stays due and the next sweep (or the approval) continues.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, handover, tickets
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Change, Role, Ticket
from chalicelib.integrations import userpool
from chalicelib.storage.table import Absent, Equals, Item, KeyRange

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PK = "HANDOVER"
DUE = "HANDOVER-DUE"
PAGE = 100


def _operators(deps: Adapters) -> dict[str, str] | None:
    """Registered operator accounts (id → name); None on OIDC stages (accounts at the identity provider)."""
    if not deps.settings.user_pool_id:
        return None
    members = userpool.group_members(deps.clients("cognito-idp"), deps.settings.user_pool_id, Role.OPERATOR)
    return {m["username"]: m["name"] for m in members}


def _all(deps: Adapters) -> list[dict[str, Any]]:
    return [data for _, data in deps.directory.list_items(PK)]


def _live(deps: Adapters) -> list[dict[str, Any]]:
    """Hand-overs with a start or an end still to come (the sparse `HANDOVER-DUE` index): bounded by the live
    ones, never the whole history."""
    return [item.data for item in deps.table.items(DUE, index=True, limit=PAGE)]


def _get(deps: Adapters, handover_id: str) -> dict[str, Any]:
    found = deps.directory.get_item(PK, handover_id) if handover_id.startswith("H") else None
    if found is None:
        raise NotFound(f"代办安排 {handover_id} 不存在", handover_id=handover_id)
    return found


def _stamp(at: datetime) -> str:
    """A sortable UTC stamp (the gsi1 sort key)."""
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def _item(h: Mapping[str, Any]) -> Item:
    due = handover.next_at(h)
    if due is None:
        return Item(PK, str(h["id"]), dict(h))
    return Item(PK, str(h["id"]), dict(h), gsi1pk=DUE, gsi1sk=f"{_stamp(datetime.fromisoformat(due))}#{h['id']}")


def _save(deps: Adapters, before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> None:
    """Write the hand-over if it is unchanged since read (409 otherwise)."""
    if not deps.table.put(_item(after), Absent() if before is None else Equals("data", dict(before))):
        raise Conflict("代办安排已被他人更新，请刷新后重试", handover_id=after["id"])
    deps.contexts.invalidate()  # this process's home pages at once; others within the minute


def _staff(actor: Actor) -> None:
    access.ensure_role(actor, Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN)


PEOPLE = ("from_id", "to_id", "requested_by", "decided_by")


def shown(deps: Adapters, h: Mapping[str, Any], names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A hand-over as the API answers it: `names` holds its people as printed (name with unit, domain/people.py),
    field by field (`from_id`, `to_id`, `requested_by`, `decided_by`), so no page shows a login id."""
    names = deps.contexts.names() if names is None else names
    people = {k: names.get(str(h[k]), str(h[k])) for k in PEOPLE if h.get(k)}
    return dict(h, names=people)


def listing(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """Every hand-over, newest first (operators, leaders, analysts, admins)."""
    _staff(actor)
    names = deps.contexts.names()
    items = sorted(_all(deps), key=lambda h: str(h["requested_at"]), reverse=True)
    return {"items": [shown(deps, h, names) for h in items]}


def get(deps: Adapters, actor: Actor, handover_id: str) -> dict[str, Any]:
    """One hand-over."""
    _staff(actor)
    return shown(deps, _get(deps, handover_id))


def create(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """An operator (for themselves) or a leader requests a hand-over; 403/422 and nothing stored when refused."""
    h = handover.request(
        body, actor, now, _operators(deps) if actor.role in (Role.OPERATOR, Role.LEADER) else None, _all(deps)
    )
    _save(deps, None, h)
    return h


def decide(deps: Adapters, actor: Actor, handover_id: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A leader approves (it starts at once when its start has come) or rejects a requested hand-over."""
    access.ensure_role(actor, Role.LEADER)  # before the lookup: other roles learn nothing of which hand-overs exist
    before = _get(deps, handover_id)
    after = handover.decide(before, body, actor, now)
    _save(deps, before, after)
    if after["status"] == handover.APPROVED and datetime.fromisoformat(after["start"]) <= now:
        try:
            after = start(deps, after, now, actor)
        except Conflict:
            pass  # approved and still due: the next sweep finishes the start
    return after


def delegated_to(deps: Adapters, user_id: str) -> list[Ticket]:
    """Open tickets an operator acts on for an absent owner now (active hand-overs naming them as delegate)."""
    live = deps.contexts.handovers(lambda: _live(deps))
    ids = {tid for h in live if h["status"] == handover.ACTIVE and h["to_id"] == user_id for tid in h["tickets"]}
    found = deps.tickets.get_many(sorted(ids)) if ids else []
    return sorted(
        (t for t in found if t.is_open and access.delegate_id(t) == user_id),
        key=lambda t: t.handle_due or t.received_at,
    )


# ---------------------------------------------------------------- start and end: the approval, the sweep


def _open_tickets_of(deps: Adapters, owner_id: str) -> list[str]:
    """Ids of the owner's open tickets (the `by_owner` index, page by page)."""
    ids: list[str] = []
    token: str | None = None
    while True:
        page = deps.tickets.list_page(index="owner", key=owner_id, limit=PAGE, token=token)
        ids.extend(t.ticket_id for t in page.items if t.is_open)
        token = page.next_page
        if not token:
            return ids


def _commit(
    deps: Adapters, ticket_id: str, h: Mapping[str, Any], actor: Actor, now: datetime, *, starting: bool
) -> str:
    """One ticket's start or end in its own transaction; "done" or "skipped" (already so)."""
    for attempt in range(3):
        ticket = deps.tickets.get(ticket_id)
        if handover.carries(ticket, h["id"]) == starting:
            return "skipped"
        if starting and ticket.owner_id != h["from_id"]:
            return "skipped"  # no longer the owner's (re-assigned to another dispatcher meanwhile)
        data = {"handover_id": h["id"], "from_id": h["from_id"], "to_id": h["to_id"], "until": h["end"]}
        after = ticket.with_changes(delegate=handover.delegate_of(h) if starting else None, updated_at=now)
        change = Change(ticket, after, "handover_started" if starting else "handover_ended", data, now, actor)
        try:
            deps.tickets.commit(change, tickets.next_alert(after, deps.contexts.load(now)) if after.is_open else None)
            return "done"
        except Conflict:
            if attempt == 2:
                raise
    return "skipped"


def start(deps: Adapters, h: dict[str, Any], now: datetime, actor: Actor = SYSTEM_ACTOR) -> dict[str, Any]:
    """Hand the owner's open tickets to the delegate (idempotent); the hand-over becomes `active`."""
    ids = sorted(set(h.get("tickets") or []) | set(_open_tickets_of(deps, h["from_id"])))
    done = [tid for tid in ids if _try(deps, tid, h, actor, now, starting=True)]
    recorded = sorted(set(h.get("tickets") or []) | set(done))
    after = dict(h, status=handover.ACTIVE, started_at=now.isoformat(), tickets=recorded)
    _save(deps, h, after)
    return after


def end(deps: Adapters, h: dict[str, Any], now: datetime, actor: Actor = SYSTEM_ACTOR) -> dict[str, Any]:
    """Return the tickets to their owner alone (idempotent); the hand-over becomes `ended`."""
    for tid in h.get("tickets") or []:
        _try(deps, tid, h, actor, now, starting=False)
    after = dict(h, status=handover.ENDED, ended_at=now.isoformat())
    _save(deps, h, after)
    return after


def _try(deps: Adapters, ticket_id: str, h: Mapping[str, Any], actor: Actor, now: datetime, *, starting: bool) -> bool:
    """True when the ticket carries the hand-over (start) / no longer does (end) afterwards."""
    try:
        _commit(deps, ticket_id, h, actor, now, starting=starting)
    except NotFound:
        return False
    return True


def sweep(deps: Adapters, now: datetime) -> dict[str, int]:
    """Start approved hand-overs whose start has come, end active ones whose end has passed (idempotent)."""
    counts = {"handovers_started": 0, "handovers_ended": 0}
    for item in deps.table.items(DUE, KeyRange(below=_stamp(now) + "$"), index=True, limit=PAGE):
        h = deps.directory.get_item(PK, item.sk)
        due = handover.next_at(h) if h is not None else None
        if h is None or due is None or datetime.fromisoformat(due) > now:
            continue
        try:
            if h["status"] == handover.APPROVED:
                start(deps, h, now)
                counts["handovers_started"] += 1
            else:
                end(deps, h, now)
                counts["handovers_ended"] += 1
        except Conflict:
            continue  # changed meanwhile (or a ticket kept racing): the next sweep continues
    return counts
