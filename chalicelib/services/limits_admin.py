"""Handling time limits per hotline and category, edited by admins, versioned (domain/limits.py).

Directory `LIMITS` / `{hotline}` holds the latest version number (the optimistic lock of a change);
`LIMITS#{hotline}` / `v{nnnn}` every version: days by category, who, when, effective from. The
transition context (`deps.contexts.load(now).limits`, a `LimitBook`) reads them all; a ticket takes
the version in force at its receipt.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, limits
from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters


def overview(deps: Adapters, actor: Actor, now: datetime) -> dict[str, Any]:
    """Per hotline: the version in force now, the latest (maybe scheduled) and the whole history."""
    access.ensure_role(actor, Role.ADMIN)
    book, names = deps.contexts.load(now).limits, deps.contexts.names()
    return {"items": [_hotline(book, h, now, names) for h in limits.HOTLINE_LIMITS]}


def _shown(version: limits.LimitVersion, names: dict[str, str]) -> dict[str, Any]:
    """A version with `by_name`: who changed it as printed (domain/people.py); None for the built-in default."""
    return dict(version.as_dict(), by_name=names.get(version.by, version.by) if version.by else None)


def _hotline(book: limits.LimitBook, hotline: str, now: datetime, names: dict[str, str]) -> dict[str, Any]:
    unit, most = limits.HOTLINE_LIMITS[hotline]
    return {
        "hotline": hotline,
        "unit": unit,
        "max_days": most,
        "categories": list(limits.CATEGORIES),
        "in_force": _shown(book.version_at(hotline, now), names),
        "latest": _shown(book.latest(hotline), names),
        "history": [_shown(v, names) for v in reversed(book.history(hotline))],  # newest first
    }


def change(deps: Adapters, actor: Actor, hotline: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Save the next version of a hotline's limits (admin); 422 naming the field, 409 when stale."""
    access.ensure_role(actor, Role.ADMIN)
    deps.contexts.invalidate()  # decide on what is stored, not on a minute-old copy
    book = deps.contexts.load(now).limits
    limits.check_hotline(hotline)
    latest = book.latest(hotline)
    expected = body.get("version", latest.version)
    if expected != latest.version:
        raise Conflict("办理时限已被他人修改，请刷新后重试", expected=expected, current=latest.version)
    version = limits.parse_change(book, hotline, body, actor.user_id, now)
    data = version.as_dict()
    if not deps.directory.put_limit_version(hotline, data, version.version):
        raise Conflict("办理时限已被他人修改，请刷新后重试", current=latest.version)
    deps.contexts.invalidate()  # this process at once; others within the context TTL (60 s)
    privacy.log_change(deps, "limits_changed", actor, now, target=hotline, before=latest.as_dict(), after=data)
    return _shown(version, deps.contexts.names())
