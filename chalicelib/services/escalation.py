"""The escalation policy (R-12345-10): `CONFIG`/`escalation`, read into every transition's context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, escalation
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

RANGES = {"overdue_hours": (0, 720, "超期多少小时后列入疑难工单"), "decision_days": (1, 30, "领导决定期限（工作日）")}


def policy(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """The policy in force (staff read it: the SPA shows the leader's decision due rule)."""
    access.ensure_role(actor, Role.ADMIN, Role.OPERATOR, Role.LEADER, Role.ANALYST)
    stored = deps.directory.config("escalation")
    current = escalation.Policy.from_config(stored)
    return {"overdue_hours": current.overdue_hours, "decision_days": current.decision_days, "default": not stored}


def set_policy(deps: Adapters, actor: Actor, body: Mapping[str, Any]) -> dict[str, Any]:
    """Admin: `{overdue_hours: 0–720, decision_days: 1–30}`; applies to escalations from the next minute on."""
    access.ensure_role(actor, Role.ADMIN)
    errors: dict[str, str] = {}
    values: dict[str, int] = {}
    for name, (low, high, what) in RANGES.items():
        value = body.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = f"{what}须为 {low}–{high} 的整数"
        else:
            values[name] = value
    if errors:
        raise ValidationError(errors)
    before = deps.directory.get_item("CONFIG", "escalation")
    deps.directory.put_item("CONFIG", "escalation", dict(values, by=actor.user_id))
    deps.contexts.invalidate()
    privacy.log_change(deps, "escalation_policy_changed", actor, deps.clock(), before=before, after=values)
    return dict(values, default=False)
