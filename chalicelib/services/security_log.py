"""The security log's reader (R-SEC-01…03): the auditor's view of every access, login and admin change.

Entries are written only by `services.privacy` (`log_access`, `log_change`) as Directory `ACCESS#{day}`
items beside their write-once Object-Lock copies; this module reads the items. Only the auditor reads
them: an administrator, whose changes the log records, gets 403 (nobody audits themselves), and the
auditor's own reads are recorded too (`security_log_read`), for another auditor to see.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy
from chalicelib.storage.table import KeyRange

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

KINDS = ("access", "change", "login")
PAGE_SIZE = 50
MAX_DAYS = 92  # one query spans at most a quarter
DEFAULT_DAYS = 7
MAX_READS = 40  # Directory queries per request (each day partition is one; pages continue)


def _day(value: str | None, name: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationError({name: f"{_NAMES[name]}须为日期 YYYY-MM-DD"}) from exc
    except TypeError as exc:
        raise ValidationError({name: f"{_NAMES[name]}须为日期 YYYY-MM-DD"}) from exc


_NAMES = {"from": "开始日期", "to": "结束日期", "kind": "类别", "actor": "操作人", "page": "页码"}


def _filters(params: Mapping[str, str], now: datetime) -> tuple[str | None, str | None, str | None, date, date]:
    kind = params.get("kind") or None
    problems: dict[str, str] = {}
    if kind is not None and kind not in KINDS:
        problems["kind"] = "类别须为个人信息与文件访问、管理与配置变更或登录之一"
    action = params.get("action") or None
    if action is not None and (len(action) > 40 or not action.replace("_", "").isalnum()):
        problems["action"] = "操作类型无效"
    who = (params.get("actor") or "").strip() or None
    if who is not None and len(who) > 128:
        problems["actor"] = "操作人账号过长（至多 128 个字符）"
    end = _day(params.get("to"), "to", now.date())
    start = _day(params.get("from"), "from", end - timedelta(days=DEFAULT_DAYS - 1))
    if end < start or (end - start).days >= MAX_DAYS:
        problems["to"] = f"结束日期不能早于开始日期，且范围不超过 {MAX_DAYS} 天"
    if problems:
        raise ValidationError(problems)
    return kind, action, who, start, end


def _decode(page: str | None) -> dict[str, Any]:
    if not page:
        return {}
    try:
        found = json.loads(base64.urlsafe_b64decode(page.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError({"page": "页码无效，请从第一页重新查询"}) from exc
    if not isinstance(found, dict):
        raise ValidationError({"page": "页码无效，请从第一页重新查询"})
    return found


def _encode(state: Mapping[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode()


def read(deps: Adapters, actor: Actor, params: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """`GET /security-log`: entries newest first, filtered by kind, action, actor and date range
    (Asia/Shanghai dates are not used: the partitions are UTC days, `from`/`to` are UTC dates)."""
    access.ensure_role(actor, Role.AUDITOR)
    kind, action, who, start, end = _filters(params, now)
    state = _decode(params.get("page"))
    items: list[dict[str, Any]] = []
    reads = 0
    next_state: dict[str, Any] | None = None
    if who:
        low, high = start.isoformat(), (end + timedelta(days=1)).isoformat()
        token = state.get("t")
        while reads < MAX_READS and len(items) < PAGE_SIZE:
            page = deps.table.query(
                f"{privacy.ACCESS_BY_USER}{who}",
                KeyRange(low=low, high=high),
                index=True,
                newest_first=True,
                limit=PAGE_SIZE,
                token=token,
            )
            reads += 1
            items += [i.data for i in page.items]
            token = page.next_page
            if token is None:
                break
        next_state = {"t": token} if token else None
    else:
        day = _day(str(state.get("d") or end.isoformat()), "page", end)
        token = state.get("t")
        while reads < MAX_READS and len(items) < PAGE_SIZE and start <= day <= end:
            page = deps.table.query(
                f"{privacy.ACCESS_PREFIX}{day.isoformat()}", newest_first=True, limit=PAGE_SIZE, token=token
            )
            reads += 1
            items += [i.data for i in page.items]
            token = page.next_page
            if token is None:
                day -= timedelta(days=1)
        next_state = {"d": day.isoformat(), "t": token} if start <= day <= end else None
    names = deps.contexts.names()
    shown = [_view(e, actor, names) for e in items if _matches(e, kind, action)]
    privacy.log_access(
        deps,
        "security_log_read",
        actor,
        now,
        filters={k: v for k, v in params.items() if k != "page" and v},
    )
    return {
        "items": shown,
        "next_page": _encode(next_state) if next_state else None,
        "from": start.isoformat(),
        "to": end.isoformat(),
    }


def _matches(entry: Mapping[str, Any], kind: str | None, action: str | None) -> bool:
    entry_kind = entry.get("kind") or privacy.kind_of(str(entry.get("action")))
    return (kind is None or entry_kind == kind) and (action is None or entry.get("action") == action)


def _view(entry: Mapping[str, Any], actor: Actor, names: Mapping[str, str]) -> dict[str, Any]:
    """An entry as the auditor sees it: read-only, the auditor's own entries marked (`own`), the person as printed
    (`user_name`, domain/people.py; None for an account the Directory does not know, e.g. a failed login's)."""
    shown = {k: v for k, v in entry.items() if k != "s3_key"}
    shown["user_name"] = names.get(str(entry.get("user_id")))
    shown["kind"] = entry.get("kind") or privacy.kind_of(str(entry.get("action")))
    shown["record"] = entry.get("s3_key")  # where the write-once copy lies
    shown["own"] = entry.get("user_id") == actor.user_id
    return shown
