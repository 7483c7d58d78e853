"""The five confirmations (五个确认, R-12345-13) for the caller's role and scope; bounded Queries only.

Each group is a few Queries of the by_status index (open states only, so their size follows the open
work, never the archive), narrowed to the caller's own tickets (operators) or unit (unit handlers).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import Forbidden
from chalicelib.domain.model import Actor, Role, Ticket
from chalicelib.services import calendar_admin
from chalicelib.services.views import ticket_summary

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

FIRST = 5  # items shown per group
CAP = 50  # counted per status at most ("50+" beyond)
DUE_SOON = timedelta(days=1)
UNFINISHED = ("dispatched", "handling", "extension_requested", "returned")

# (key, title, [statuses]) per group; R-12345-13 lists the five for operators.
OPERATOR_GROUPS = (
    ("new", "新工单", ("received",)),
    ("extensions_returns", "延期申请与退单", ("extension_requested", "returned")),
    ("due_soon", "即将到期未办结", UNFINISHED),
    ("to_confirm", "待审核答复与回访满意度", ("replied", "reviewed")),
    ("to_submit_archive", "待提交市审核组与待归档", ("called_back", "submitted")),
)


def _group(
    deps: Adapters, key: str, title: str, statuses: tuple[str, ...], filters: dict[str, str], keep: Any = None
) -> dict[str, Any]:
    items: list[Ticket] = []
    more = False
    for status in statuses:
        page = deps.tickets.list_page(index="status", key=status, limit=CAP, token=None, filters=dict(filters))
        items += [t for t in page.items if keep is None or keep(t)]
        more = more or page.next_page is not None
    items.sort(key=lambda t: t.handle_due or t.received_at)
    return {
        "key": key,
        "title": title,
        "count": len(items),
        "more": more,
        "items": [ticket_summary(t) for t in items[:FIRST]],
    }


def confirmations(deps: Adapters, actor: Actor, now: datetime) -> dict[str, Any]:
    """Counts and first items of each group for this caller."""
    soon = {"due_before": (now + DUE_SOON).astimezone(UTC).isoformat()}
    if actor.role == Role.UNIT_HANDLER:
        if not actor.unit_id:
            raise Forbidden("承办单位账号未关联单位")
        unit = {"unit_id": actor.unit_id}
        groups = [
            _group(deps, "to_sign", "待签收", ("dispatched",), unit),
            _group(deps, "due_soon", "即将到期", ("handling", "extension_requested"), unit | soon),
            # review rejected: back in handling with the old reply kept (R-12345-10 redo)
            _group(deps, "redo", "退回重办", ("handling",), unit, keep=lambda t: t.reply is not None),
        ]
        return {"role": actor.role, "groups": groups, "warnings": []}
    if actor.role not in (Role.OPERATOR, Role.LEADER, Role.ANALYST, Role.ADMIN):
        raise Forbidden("此角色没有五个确认", role=actor.role)
    mine = {"owner_id": actor.user_id} if actor.role == Role.OPERATOR else {}
    groups = []
    for key, title, statuses in OPERATOR_GROUPS:
        filters = {} if key == "new" else dict(mine)
        if key == "due_soon":
            filters |= soon
        groups.append(_group(deps, key, title, statuses, filters))
    out: dict[str, Any] = {"role": actor.role, "groups": groups, "warnings": []}
    if actor.role == Role.ADMIN:
        out["warnings"] = calendar_admin.warnings(deps, now)  # "calendar for YEAR not confirmed"
    if actor.role == Role.OPERATOR:
        out["open_tasks"] = len(my_tasks(deps, actor))
    return out


def my_tasks(deps: Adapters, actor: Actor, limit: int = 100) -> list[dict[str, Any]]:
    """Open follow-up tasks of the caller (R-12345-04 "phone the unit"), earliest due first."""
    return [data for _, data in deps.directory.query_items(f"OPENTASK#{actor.user_id}", index=True, limit=limit)]
