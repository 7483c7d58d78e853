"""Merging duplicate requests (并单, R-12345-18): pure transitions of the duplicate ticket, clock injected.

- `merge`: an operator merges a ticket still waiting for dispatch (`received`) into an open main ticket:
  the duplicate becomes `merged` (已并单), links to the main (`merge.into`) and is owned by the operator
  who merged it (R-12345-03: who merges answers for its callback).
- `unmerge`: while the main is not finished, the operator takes it back: the duplicate returns to the
  state it was merged from, as if never merged (its figures count again, docs/statistics.md).
- `follow`: when the main ticket closes (the city accepted its result), the duplicate takes the main's
  reply and goes to `reviewed` (待回访): its own caller is called back with the main's result (R-12345-05)
  and it is submitted like any ticket.

Bad input is refused with a Chinese message and changes nothing: merging into itself, into a closed or
a merged ticket (a circular merge is one: the target is merged into this ticket), into a 12369 report,
and a ticket that already has duplicates merged into it (no chains).
A 12369 report is merged by its own acceptance decision (R-12369-02 `not_accepted` / `duplicate` with
`duplicate_of`): `merge` refuses it and names that decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain import access, env_complaints, inputs
from chalicelib.domain.errors import InvalidTransition, ValidationError
from chalicelib.domain.model import SYSTEM_ACTOR, Actor, Change, Reply, Role, Status, Ticket, is_ticket_id

S = Status
MERGEABLE = frozenset({S.RECEIVED})  # 并单 at acceptance: before a unit is given the duplicate
STATUS_NAMES = {
    S.RECEIVED: "待派单",
    S.DISPATCHED: "待签收",
    S.HANDLING: "办理中",
    S.REPLIED: "待审核",
    S.REVIEWED: "待回访",
    S.CALLED_BACK: "待提交",
    S.SUBMITTED: "已提交市审核组",
    S.CLOSED: "办结归档",
    S.RETURNED: "被退单",
    S.EXTENSION_REQUESTED: "延期待审批",
    S.MERGED: "已并单",
}


def _status(ticket: Ticket) -> str:
    return STATUS_NAMES.get(ticket.status, "其他")


def target_id(body: Mapping[str, Any]) -> str:
    """The main ticket's number from a merge body (`into`), or 422."""
    into = inputs.text(body, "into", limit=32)
    if not is_ticket_id(into):
        raise ValidationError({"into": "须为主工单编号（T开头，如 T20261126-00001）"})
    return into


def _check_target(dup: Ticket, main: Ticket | None, into: str) -> Ticket:
    """The main ticket a duplicate may be merged into, or 422 naming `into`."""
    if into == dup.ticket_id:
        raise ValidationError({"into": "不能把工单并入它自己"})
    if main is None:
        raise ValidationError({"into": f"主工单 {into} 不存在"})
    if main.hotline == env_complaints.HOTLINE:
        raise ValidationError({"into": f"主工单 {into} 是12369举报件，12345工单不能并入举报件"})
    further = (main.merge or {}).get("into")
    if main.status == S.MERGED and further == dup.ticket_id:
        raise ValidationError({"into": f"循环并单：工单 {into} 已并入本工单 {dup.ticket_id}"})
    if main.status == S.MERGED:
        raise ValidationError({"into": f"工单 {into} 本身已并入 {further}，请直接并入主工单 {further}"})
    if not main.is_open:
        raise ValidationError({"into": f"主工单 {into} 已办结，不能并入已办结的工单"})
    return main


def _check_duplicate(dup: Ticket) -> None:
    """The duplicate's own state allows a merge, or 409."""
    if dup.hotline == env_complaints.HOTLINE:
        raise InvalidTransition(
            "12369举报件的重复举报请在受理决定中选择「不予受理 · 重复举报」并填写原举报件编号",
            verb="merge",
            status=dup.status,
        )
    if dup.status == S.MERGED:
        into = (dup.merge or {}).get("into")
        raise InvalidTransition(f"工单已并入 {into}，请先取消并单", verb="merge", status=dup.status)
    if dup.status not in MERGEABLE:
        raise InvalidTransition(
            f"只有待派单的工单可以并单（本工单当前为「{_status(dup)}」）", verb="merge", status=dup.status
        )


def merge(
    dup: Ticket,
    main: Ticket | None,
    body: Mapping[str, Any],
    actor: Actor,
    now: datetime,
    *,
    into: str,
    dup_has_duplicates: Sequence[str] = (),
) -> Change:
    """Merge `dup` into `main` (None: no such ticket). Checks: role (403), the duplicate's state (409),
    the target (422: itself, unknown, 12369, circular, merged, closed), then no duplicates of its own (409)."""
    access.ensure_role(actor, Role.OPERATOR)
    access.ensure_view(actor, dup)
    _check_duplicate(dup)
    target = _check_target(dup, main, into)
    if dup_has_duplicates:  # no chains: a main ticket is merged into nothing
        raise InvalidTransition(
            f"本工单已有重复件并入（{'、'.join(dup_has_duplicates)}），不能再并入其他工单，请先取消它们的并单",
            verb="merge",
            status=dup.status,
        )
    note = inputs.text(body, "note", required=False, limit=1000)
    record = {"into": target.ticket_id, "by": actor.user_id, "at": now.isoformat(), "from_status": str(dup.status)}
    if note:
        record["note"] = note
    after = dup.with_changes(status=S.MERGED, merge=record, owner_id=actor.user_id, updated_at=now)
    data = {"into": target.ticket_id, "note": note, "main_status": str(target.status)}
    return Change(dup, after, "merged", data, now, actor)


def unmerge(dup: Ticket, body: Mapping[str, Any], actor: Actor, now: datetime) -> Change:
    """Take a merged duplicate back out of its main ticket (before the main's result reached it)."""
    access.ensure_role(actor, Role.OPERATOR)
    access.ensure_view(actor, dup)
    if dup.status != S.MERGED or not dup.merge:
        if dup.merge and dup.merge.get("followed_at"):
            raise InvalidTransition(
                "主工单已办结，本工单已按其结果回访处理，不能再取消并单", verb="unmerge", status=dup.status
            )
        raise InvalidTransition(
            f"本工单未并入其他工单（当前为「{_status(dup)}」），无需取消并单", verb="unmerge", status=dup.status
        )
    reason = inputs.text(body, "reason", required=False, limit=1000)
    back = Status(dup.merge.get("from_status") or S.RECEIVED)
    owner = None if back == S.RECEIVED else dup.owner_id
    after = dup.with_changes(status=back, merge=None, owner_id=owner, updated_at=now)
    data = {"from": dup.merge.get("into"), "reason": reason, "to_status": str(back)}
    return Change(dup, after, "unmerged", data, now, actor)


def follow(dup: Ticket, main: Ticket, now: datetime) -> Change | None:
    """The closed main's result reaches its merged duplicate (None: nothing to do — not merged into it)."""
    if dup.status != S.MERGED or (dup.merge or {}).get("into") != main.ticket_id or main.is_open:
        return None
    reply = Reply(**(main.reply or Reply()), from_ticket=main.ticket_id)
    record = dict(dup.merge or {}, followed_at=now.isoformat())
    after = dup.with_changes(status=S.REVIEWED, reply=reply, merge=record, updated_at=now)
    data = {"main": main.ticket_id, "main_closed_at": main.closed_at.isoformat() if main.closed_at else None}
    return Change(dup, after, "merge_followed", data, now, SYSTEM_ACTOR)
