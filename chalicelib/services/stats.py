"""Monthly statistics (R-12345-14) read from the counters: bounded Queries whatever the volume.

`monthly(month, scope, id)` is also what `make bench` calls: its `read` field counts the Query calls
and items read, which depend on the number of metrics, never on the number of tickets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, statistics
from chalicelib.domain.errors import Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.storage import counters

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

SCOPES = ("county", "unit", "owner")
TREND_MONTHS = 12
READ_ROLES = (Role.ANALYST, Role.LEADER, Role.ADMIN, Role.OPERATOR, Role.UNIT_HANDLER)


def check_month(value: Any) -> str:
    """A `YYYY-MM` month or 422."""
    try:
        return statistics.parse_month(value)
    except ValueError as exc:
        raise ValidationError({"month": "须为 YYYY-MM"}) from exc


def scope_key(scope: str, scope_id: str | None) -> str:
    """`county`, `unit#{id}` or `owner#{id}`; 422 on anything else."""
    if scope not in SCOPES:
        raise ValidationError({"scope": f"须为 {', '.join(SCOPES)} 之一"})
    if scope == "county":
        return "county"
    if not scope_id:
        raise ValidationError({"id": f"scope={scope} 时必填"})
    return f"{scope}#{scope_id}"


def ensure_can_read(actor: Actor, scope: str, scope_id: str | None) -> None:
    """Staff read everything; a unit handler only their own unit's figures."""
    access.ensure_role(actor, *READ_ROLES)
    if actor.role == Role.UNIT_HANDLER and not (scope == "unit" and scope_id == actor.unit_id):
        raise Forbidden("承办单位只能查看本单位的统计", scope=scope)


HOTLINES = ("12345", "12369")


def check_hotline(value: str | None, scope: str) -> str:
    """`12345` (default) or `12369`; 12369 figures are county-wide only (docs/statistics.md)."""
    hotline = value or "12345"
    if hotline not in HOTLINES:
        raise ValidationError({"hotline": "须为 12345 或 12369"})
    if hotline == "12369" and scope != "county":
        raise ValidationError({"scope": "12369 举报热线的统计仅提供全县口径（scope=county）"})
    return hotline


def monthly(
    deps: Adapters, month: str, scope: str = "county", scope_id: str | None = None, hotline: str = "12345"
) -> dict[str, Any]:
    """Every figure of one scope, month and hotline, each with numerator and denominator; one Query."""
    month = check_month(month)
    hotline = check_hotline(hotline, scope)
    env = hotline == "12369"
    key = statistics.ENV_SCOPE if env else scope_key(scope, scope_id)
    cost = counters.ReadCost()
    counts = statistics.sum_shards(counters.read_scope(deps.tickets, month, key, cost))
    metrics = statistics.ENV_METRICS if env else statistics.METRICS
    return {
        "month": month,
        "hotline": hotline,
        "scope": scope,
        "id": scope_id,
        "figures": statistics.figures(counts, statistics.ENV_FIGURES if env else statistics.FIGURES),
        "counts": {m: counts.get(m, 0) for m in metrics},
        "read": cost.as_dict(),
    }


def monthly_for(deps: Adapters, actor: Actor, params: dict[str, str]) -> dict[str, Any]:
    """GET /stats/monthly for this actor."""
    scope, scope_id = params.get("scope") or "county", params.get("id") or None
    ensure_can_read(actor, scope, scope_id)
    return monthly(deps, params.get("month", ""), scope, scope_id, params.get("hotline") or "12345")


def trend(
    deps: Adapters, month: str, scope: str = "county", scope_id: str | None = None, months: int = TREND_MONTHS
) -> dict[str, Any]:
    """The figures of the `months` months ending with `month` (one Query per month)."""
    month = check_month(month)
    key = scope_key(scope, scope_id)
    cost = counters.ReadCost()
    items: list[dict[str, Any]] = []
    for m in statistics.previous_months(month, months):
        counts = statistics.sum_shards(counters.read_scope(deps.tickets, m, key, cost))
        items.append({"month": m, "figures": statistics.figures(counts)})
    series = {f: [i["figures"][f]["value"] for i in items] for f in statistics.FIGURE_IDS}
    return {
        "scope": scope,
        "id": scope_id,
        "months": [i["month"] for i in items],
        "series": series,
        "items": items,
        "read": cost.as_dict(),
    }


def trend_for(deps: Adapters, actor: Actor, params: dict[str, str]) -> dict[str, Any]:
    """GET /stats/trend for this actor."""
    scope, scope_id = params.get("scope") or "county", params.get("id") or None
    ensure_can_read(actor, scope, scope_id)
    try:
        months = int(params.get("months") or TREND_MONTHS)
    except ValueError as exc:
        raise ValidationError({"months": "须为 1–24 的整数"}) from exc
    if not 1 <= months <= 24:
        raise ValidationError({"months": "须为 1–24 的整数"})
    return trend(deps, params.get("month", ""), scope, scope_id, months)


def report(deps: Adapters, month: str) -> dict[str, Any]:
    """The monthly report 月度通报: county figures, one row per unit, one per dispatcher.

    Units: every unit of the Directory plus any unit with figures that month; dispatchers: those
    with figures that month (the `owners` index). Query/Get only: 3 + units + dispatchers Queries.
    """
    month = check_month(month)
    cost = counters.ReadCost()
    county = statistics.sum_shards(counters.read_scope(deps.tickets, month, "county", cost))
    units = deps.directory.units()
    unit_ids = sorted(set(units) | set(counters.read_index(deps.tickets, month, "units", cost)))
    names = deps.contexts.names()
    rows_units = []
    for uid in unit_ids:
        counts = statistics.sum_shards(counters.read_scope(deps.tickets, month, f"unit#{uid}", cost))
        rows_units.append(
            {
                "id": uid,
                "name": str(units.get(uid, {}).get("name") or uid),
                "counts": counts,
                "figures": statistics.figures(counts),
            }
        )
    rows_owners = []
    for oid in counters.read_index(deps.tickets, month, "owners", cost):
        counts = statistics.sum_shards(counters.read_scope(deps.tickets, month, f"owner#{oid}", cost))
        rows_owners.append(
            {"id": oid, "name": names.get(oid, oid), "counts": counts, "figures": statistics.figures(counts)}
        )
    return {
        "month": month,
        "county": {"counts": county, "figures": statistics.figures(county)},
        "units": rows_units,
        "owners": rows_owners,
        "definitions": [{"id": f.id, "label": f.label, "kind": f.kind, "rule": f.rule} for f in statistics.FIGURES],
        "read": cost.as_dict(),
    }


def report_for(deps: Adapters, actor: Actor, month: str) -> dict[str, Any]:
    """The monthly report for staff (unit handlers read their own unit through /stats/monthly)."""
    access.ensure_role(actor, Role.ANALYST, Role.LEADER, Role.ADMIN, Role.OPERATOR)
    return report(deps, month)
