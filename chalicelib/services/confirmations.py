"""The five confirmations (五个确认, R-12345-13) for the caller's role and scope; bounded Queries only.

The groups come from the sparse `by_queue` index (open tickets only, so its size follows the open work,
never the archive): each work queue (`storage.tickets.WORK_QUEUES`) is read with ONE Query, narrowed to
the caller's own tickets (operators) or unit (unit handlers), and split into its groups in memory. The Query
reads the queue oldest received first (`list_page(oldest_first=True)`): a deadline runs from receipt, so when
a queue holds more than the cap the page keeps the longest-waiting, overdue tickets and leaves out the newest. An
operator's five groups cost 4 Queries (+1 for the follow-up tasks), a unit handler's three cost one.

Each group is sorted by urgency (overdue first, then the soonest deadline), counted whole, and names the
`GET /tickets` queries of its full list. A user ticks an item off with `confirm` (逐项确认): the user's
confirmations live in ONE Directory item (`CONFIRM#{user}` / `open`), read with one GetItem, never a Query,
so the home page stays at 5 Queries or fewer. A confirmation holds while the ticket stays at the same stage
(status and deadline); a new return, reply or deadline brings the item back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.errors import Conflict, Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.domain.tickets import act_due
from chalicelib.services import calendar_admin, duty_fallback, handover
from chalicelib.services.views import ticket_summary
from chalicelib.storage.table import Absent, Equals, Item, dump
from chalicelib.storage.tickets import WORK_QUEUES, matches

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

FIRST = 5  # items shown per group
CAP = 50  # counted per status at most ("50+" beyond)
DUE_SOON = timedelta(days=1)
KEEP_CONFIRMED = timedelta(days=30)  # a confirmation older than this is dropped from the user's item
MAX_CONFIRMED = 1000  # entries kept in the user's item at most (oldest dropped first)
LOG_DAYS = 180  # the per-confirmation log items expire after this (DynamoDB TTL)
CONFIRM_ATTEMPTS = 4
# not yet submitted to the city audit group: the unit's stage and the dispatcher's (R-12345-08)
UNFINISHED = ("dispatched", "handling", "extension_requested", "returned", "replied", "reviewed", "called_back")

# (key, title, [statuses]) per group; R-12345-13 lists the five for operators.
OPERATOR_GROUPS = (
    ("new", "新工单", ("received",)),
    ("extensions_returns", "延期申请与退单", ("extension_requested", "returned")),
    ("due_soon", "即将到期未办结", UNFINISHED),
    ("to_confirm", "待审核答复与回访满意度", ("replied", "reviewed")),
    ("to_submit_archive", "待提交市审核组与待归档", ("called_back", "submitted")),
)


class _Queues:
    """Each work queue read once (one Query, up to CAP per status in it), shared by the groups it feeds."""

    def __init__(self, deps: Adapters, scope: dict[str, str], confirmed: dict[str, dict[str, str]]) -> None:
        self._deps = deps
        self._scope = scope
        self._confirmed = confirmed
        self._read: dict[tuple[str, bool], tuple[list[Ticket], bool]] = {}

    def tickets(self, queue: str, scoped: bool) -> tuple[list[Ticket], bool]:
        if (queue, scoped) not in self._read:
            limit = CAP * sum(1 for q in WORK_QUEUES.values() if q == queue)
            filters = dict(self._scope) if scoped else {}
            # oldest first: the capped page holds the longest-waiting tickets, those whose deadlines come first
            page = self._deps.tickets.list_page(
                index="queue", key=queue, limit=limit, token=None, filters=filters, oldest_first=True
            )
            self._read[(queue, scoped)] = (page.items, page.next_page is not None)
        return self._read[(queue, scoped)]

    def group(
        self,
        key: str,
        title: str,
        statuses: tuple[str, ...],
        now: datetime,
        *,
        scoped: bool = True,
        keep: Callable[[Ticket], bool] | None = None,
        lists: list[dict[str, str]] | None = None,
    ) -> dict[str, Any]:
        tickets: list[Ticket] = []
        more = False
        for queue in dict.fromkeys(WORK_QUEUES[s] for s in statuses):  # each queue read once per request
            read, truncated = self.tickets(queue, scoped)
            tickets += read
            more = more or truncated
        items = [t for t in tickets if str(t.status) in statuses and (keep is None or keep(t))]
        items.sort(key=_urgency_key)
        done = [t for t in items if _is_confirmed(self._confirmed, key, t)]
        pending = [t for t in items if not _is_confirmed(self._confirmed, key, t)]
        scope = self._scope if scoped else {}
        return {
            "key": key,
            "title": title,
            "count": len(items),
            "more": more,
            "pending": len(pending),
            "confirmed": len(done),
            "overdue": sum(1 for t in items if (deadline(t) or now) < now),
            "items": [_item(t, now) for t in pending[:FIRST]],
            "list": lists if lists is not None else [dict(scope, status=s) for s in statuses],
        }


def deadline(ticket: Ticket) -> datetime | None:
    """The deadline that comes first (R-12345-13 urgency): the 12-hour clock of an updated ticket
    (R-12345-12), the dispatch deadline of a new one (R-12345-01), else its handling due; None without any."""
    dues = [act_due(ticket), ticket.handle_due]
    if str(ticket.status) == "received":
        dues.append(ticket.dispatch_due)
    present = [d for d in dues if d is not None]
    return min(present) if present else None


def _urgency_key(ticket: Ticket) -> tuple[int, datetime]:
    """Overdue first, then the soonest deadline; tickets without a deadline last, oldest first."""
    due = deadline(ticket)
    return (0, due) if due is not None else (1, ticket.received_at)


def _item(ticket: Ticket, now: datetime) -> dict[str, Any]:
    due = deadline(ticket)
    return dict(
        ticket_summary(ticket),
        deadline=due.astimezone(UTC).isoformat() if due else None,
        overdue=bool(due and due < now),
    )


def _stage(ticket: Ticket) -> str:
    """What a confirmation is of: the ticket's status at its current deadline."""
    due = deadline(ticket)
    return f"{ticket.status}@{due.astimezone(UTC).isoformat() if due else ''}"


def _is_confirmed(confirmed: dict[str, dict[str, str]], group: str, ticket: Ticket) -> bool:
    entry = confirmed.get(f"{group}#{ticket.ticket_id}")
    return entry is not None and entry.get("stage") == _stage(ticket)


def _groups_of(actor: Actor) -> dict[str, tuple[str, ...]]:
    if actor.role == Role.UNIT_HANDLER:
        return {key: statuses for key, _, statuses in UNIT_GROUPS}
    return {key: statuses for key, _, statuses in OPERATOR_GROUPS}


UNIT_GROUPS = (
    ("to_sign", "待签收", ("dispatched",)),
    ("due_soon", "即将到期", ("handling", "extension_requested")),
    # review rejected: back in handling with the old reply kept (R-12345-10 redo)
    ("redo", "退回重办", ("handling",)),
)
GROUP_LABELS = {key: title for key, title, _ in OPERATOR_GROUPS + UNIT_GROUPS}


def _ensure_home(actor: Actor) -> None:
    if actor.role == Role.UNIT_HANDLER:
        if not actor.unit_id:
            raise Forbidden("承办单位账号未关联单位")
    elif actor.role not in (Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN):
        raise Forbidden("此角色没有五个确认", role=actor.role)


def confirmations(deps: Adapters, actor: Actor, now: datetime) -> dict[str, Any]:
    """Counts and the first unconfirmed items of each group for this caller, most urgent first."""
    _ensure_home(actor)
    before = (now + DUE_SOON).astimezone(UTC).isoformat()
    soon = {"due_before": before}
    confirmed = _confirmed(deps, actor)[0]

    def due_soon(ticket: Ticket) -> bool:
        return matches(ticket, soon)

    if actor.role == Role.UNIT_HANDLER:
        scope = {"unit_id": str(actor.unit_id)}
        unit = _Queues(deps, scope, confirmed)
        (sign_key, sign_title, sign), (soon_key, soon_title, soon_statuses), (redo_key, redo_title, redo) = UNIT_GROUPS
        groups = [
            unit.group(sign_key, sign_title, sign, now),
            unit.group(soon_key, soon_title, soon_statuses, now, keep=due_soon, lists=[dict(scope, due_before=before)]),
            unit.group(redo_key, redo_title, redo, now, keep=lambda t: t.reply is not None),
        ]
        return {"role": actor.role, "groups": groups, "warnings": warnings(deps, actor, now)}
    owner = {"owner_id": actor.user_id} if actor.role == Role.OPERATOR else {}
    queues = _Queues(deps, owner, confirmed)
    groups = [
        queues.group(
            key,
            title,
            statuses,
            now,
            scoped=key != "new",
            keep=due_soon if key == "due_soon" else None,
            lists=[dict(owner, due_before=before)] if key == "due_soon" else None,
        )
        for key, title, statuses in OPERATOR_GROUPS
    ]
    out: dict[str, Any] = {"role": actor.role, "groups": groups, "warnings": warnings(deps, actor, now)}
    if actor.role == Role.OPERATOR:
        out["open_tasks"] = len(my_tasks(deps, actor))
        # R-12345-03: tickets this operator acts on for an absent owner (an active hand-over), beside the five
        out["delegated"] = [ticket_summary(t) for t in handover.delegated_to(deps, actor.user_id)]
    return out


def warnings(deps: Adapters, actor: Actor, now: datetime) -> list[dict[str, Any]]:
    """What an admin or leader must act on: the calendar not confirmed (admins), no one on duty (R-12345-12)."""
    out: list[dict[str, Any]] = []
    if actor.role == Role.ADMIN:
        out += calendar_admin.warnings(deps, now)  # "calendar for YEAR not confirmed"
    if actor.role in (Role.ADMIN, Role.LEADER):
        out += duty_fallback.warnings(deps, now)
    return out


# ---------------------------------------------------------------- 逐项确认: the user's confirmations


def _confirmed(deps: Adapters, actor: Actor) -> tuple[dict[str, dict[str, str]], Item | None]:
    """The user's confirmations ({group}#{ticket_id} → {stage, at}) and the stored item (one GetItem)."""
    item = deps.table.get(f"CONFIRM#{actor.user_id}", "open")
    entries = item.data.get("entries", {}) if item else {}
    return (dict(entries) if isinstance(entries, dict) else {}), item


def confirm(deps: Adapters, actor: Actor, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Tick one item of a group off (R-12345-13 逐项确认): one transaction writes the user's confirmations
    item (on condition it is unchanged since read) and a log item; confirming again changes nothing."""
    _ensure_home(actor)
    groups = _groups_of(actor)
    group = body.get("group")
    ticket_id = body.get("ticket_id")
    problems: dict[str, str] = {}
    if not isinstance(group, str) or group not in groups:
        problems["group"] = "确认分组须为：" + "、".join(GROUP_LABELS[k] for k in groups)
    if not isinstance(ticket_id, str) or not ticket_id.strip():
        problems["ticket_id"] = "请填写工单编号"
    if problems:
        raise ValidationError(problems)
    assert isinstance(group, str) and isinstance(ticket_id, str)
    ticket = deps.tickets.get(ticket_id.strip())
    access.ensure_view(actor, ticket)
    if str(ticket.status) not in groups[group]:
        raise ValidationError({"group": f"工单 {ticket.ticket_id} 不在「{GROUP_LABELS[group]}」中，无需确认"})
    if actor.role == Role.UNIT_HANDLER and ticket.unit_id != actor.unit_id:
        raise ValidationError({"ticket_id": f"工单 {ticket.ticket_id} 不是本单位承办的工单"})
    key, stage = f"{group}#{ticket.ticket_id}", _stage(ticket)
    for _ in range(CONFIRM_ATTEMPTS):
        entries, item = _confirmed(deps, actor)
        if entries.get(key, {}).get("stage") == stage:
            return {"group": group, "ticket_id": ticket.ticket_id, "confirmed_at": entries[key]["at"], "created": False}
        at = now.astimezone(UTC).isoformat()
        entries[key] = {"stage": stage, "at": at}
        horizon = (now - KEEP_CONFIRMED).astimezone(UTC).isoformat()
        kept = sorted(((k, v) for k, v in entries.items() if v.get("at", "") >= horizon), key=lambda kv: kv[1]["at"])
        data = {"entries": dict(kept[-MAX_CONFIRMED:]), "user_id": actor.user_id}
        log = Item(
            f"CONFIRM#{actor.user_id}",
            f"LOG#{at}#{key}",
            {"group": group, "ticket_id": ticket.ticket_id, "stage": stage, "at": at, "user_id": actor.user_id},
            expires_at=int((now + timedelta(days=LOG_DAYS)).timestamp()),
        )
        cond = Equals("data", dump(item.data)) if item else Absent()
        if deps.table.transact([(Item(f"CONFIRM#{actor.user_id}", "open", data), cond), (log, Absent())]):
            return {"group": group, "ticket_id": ticket.ticket_id, "confirmed_at": at, "created": True}
    raise Conflict("确认未能保存（同时有其他确认），请重试")


def my_tasks(deps: Adapters, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Open follow-up tasks of the caller (R-12345-04 "phone the unit"), earliest due first."""
    return [data for _, data in deps.directory.query_items(f"OPENTASK#{actor.user_id}", index=True, limit=limit)]
