"""The five confirmations (五个确认, R-12345-13) for the caller's role and scope; bounded Queries only.

The groups come from the sparse `by_queue` index (open tickets only, so its size follows the open work,
never the archive): each work queue (`storage.tickets.WORK_QUEUES`) is read with ONE Query, narrowed to
the caller's own tickets (operators) or unit (unit handlers), and split into its groups in memory. An
operator's five groups cost 4 Queries (+1 for the follow-up tasks), a unit handler's three cost one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.domain.tickets import act_due
from chalicelib.services import calendar_admin, handover
from chalicelib.services.views import ticket_summary
from chalicelib.storage.tickets import WORK_QUEUES, matches

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

FIRST = 5  # items shown per group
CAP = 50  # counted per status at most ("50+" beyond)
DUE_SOON = timedelta(days=1)
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

    def __init__(self, deps: Adapters, scope: dict[str, str]) -> None:
        self._deps = deps
        self._scope = scope
        self._read: dict[tuple[str, bool], tuple[list[Ticket], bool]] = {}

    def tickets(self, queue: str, scoped: bool) -> tuple[list[Ticket], bool]:
        if (queue, scoped) not in self._read:
            limit = CAP * sum(1 for q in WORK_QUEUES.values() if q == queue)
            filters = dict(self._scope) if scoped else {}
            page = self._deps.tickets.list_page(index="queue", key=queue, limit=limit, token=None, filters=filters)
            self._read[(queue, scoped)] = (page.items, page.next_page is not None)
        return self._read[(queue, scoped)]

    def group(
        self,
        key: str,
        title: str,
        statuses: tuple[str, ...],
        *,
        scoped: bool = True,
        keep: Callable[[Ticket], bool] | None = None,
    ) -> dict[str, Any]:
        tickets: list[Ticket] = []
        more = False
        for queue in dict.fromkeys(WORK_QUEUES[s] for s in statuses):  # each queue read once per request
            read, truncated = self.tickets(queue, scoped)
            tickets += read
            more = more or truncated
        items = [t for t in tickets if str(t.status) in statuses and (keep is None or keep(t))]
        items.sort(key=_urgency)
        return {
            "key": key,
            "title": title,
            "count": len(items),
            "more": more,
            "items": [ticket_summary(t) for t in items[:FIRST]],
        }


def _urgency(ticket: Ticket) -> datetime:
    """The deadline that comes first: the 12-hour clock of an updated ticket (R-12345-12) or its due."""
    return min(d for d in (act_due(ticket), ticket.handle_due or ticket.received_at) if d is not None)


def confirmations(deps: Adapters, actor: Actor, now: datetime) -> dict[str, Any]:
    """Counts and first items of each group for this caller."""
    soon = {"due_before": (now + DUE_SOON).astimezone(UTC).isoformat()}

    def due_soon(ticket: Ticket) -> bool:
        return matches(ticket, soon)

    if actor.role == Role.UNIT_HANDLER:
        if not actor.unit_id:
            raise Forbidden("承办单位账号未关联单位")
        unit = _Queues(deps, {"unit_id": actor.unit_id})
        groups = [
            unit.group("to_sign", "待签收", ("dispatched",)),
            unit.group("due_soon", "即将到期", ("handling", "extension_requested"), keep=due_soon),
            # review rejected: back in handling with the old reply kept (R-12345-10 redo)
            unit.group("redo", "退回重办", ("handling",), keep=lambda t: t.reply is not None),
        ]
        return {"role": actor.role, "groups": groups, "warnings": []}
    if actor.role not in (Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN):
        raise Forbidden("此角色没有五个确认", role=actor.role)
    queues = _Queues(deps, {"owner_id": actor.user_id} if actor.role == Role.OPERATOR else {})
    groups = [
        queues.group(key, title, statuses, scoped=key != "new", keep=due_soon if key == "due_soon" else None)
        for key, title, statuses in OPERATOR_GROUPS
    ]
    out: dict[str, Any] = {"role": actor.role, "groups": groups, "warnings": []}
    if actor.role == Role.ADMIN:
        out["warnings"] = calendar_admin.warnings(deps, now)  # "calendar for YEAR not confirmed"
    if actor.role == Role.OPERATOR:
        out["open_tasks"] = len(my_tasks(deps, actor))
        # R-12345-03: tickets this operator acts on for an absent owner (an active hand-over), beside the five
        out["delegated"] = [ticket_summary(t) for t in handover.delegated_to(deps, actor.user_id)]
    return out


def my_tasks(deps: Adapters, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Open follow-up tasks of the caller (R-12345-04 "phone the unit"), earliest due first."""
    return [data for _, data in deps.directory.query_items(f"OPENTASK#{actor.user_id}", index=True, limit=limit)]
