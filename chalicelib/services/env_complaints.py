"""12369 spot checks (R-12369-08): a reproducible monthly sample of signed reports to the callback queue.

`sample` draws the month's sample once (seed recorded in `SPOT#{month}` / `SAMPLE`, claimed with a
conditional put so two runs cannot draw two samples), then marks each drawn report in its own
transaction (`spot_sampled`); a repeated run with the same seed and rate finishes the marking and
answers the same sample. The callback itself is the `spot-check` verb on the report.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.domain import access, env_complaints, statistics
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import Actor, Change, Role

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

SAMPLE_ROLES = (Role.OPERATOR, Role.ANALYST, Role.LEADER)


def _month(value: Any) -> str:
    try:
        return statistics.parse_month(value)
    except ValueError as exc:
        raise ValidationError({"month": "须为 YYYY-MM"}) from exc


def population(deps: Adapters, month: str) -> list[str]:
    """The 12369 reports signed off (办结) in the month: one Query of the month's event partition."""
    return sorted(
        {
            e["ticket_id"]
            for e in deps.tickets.month_events(month)
            if e["type"] == "signed_off" and (e.get("snapshot") or {}).get("hotline") == env_complaints.HOTLINE
        }
    )


def sample(deps: Adapters, actor: Actor, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Draw (or finish drawing) the month's spot-check sample; the same seed gives the same sample."""
    access.ensure_role(actor, *SAMPLE_ROLES)
    month = _month(body.get("month"))
    rate = body.get("rate", deps.settings.env_spot_check_rate)
    if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate <= 1:
        raise ValidationError({"rate": "须为大于0且不超过1的比例（默认0.1，即10%）"})
    seed = body.get("seed", f"12369-{month}")
    if not isinstance(seed, str) or not 1 <= len(seed) <= 64:
        raise ValidationError({"seed": "须为 1–64 个字符的文本"})
    pk = f"SPOT#{month}"
    reports = population(deps, month)
    drawn = env_complaints.draw(reports, float(rate), seed)
    record: dict[str, Any] = {
        "month": month,
        "seed": seed,
        "rate": float(rate),
        "population": len(reports),
        "ticket_ids": drawn,
        "by": actor.user_id,
        "at": now.isoformat(),
    }
    if not deps.directory.claim(pk, "SAMPLE", record):
        stored = deps.directory.get_item(pk, "SAMPLE") or {}
        if stored.get("seed") != seed or stored.get("rate") != float(rate):
            raise Conflict(
                f"{month} 的抽查样本已生成（随机种子 {stored.get('seed')}，比例 {stored.get('rate')}），不能重新抽取",
                month=month,
            )
        record = stored
    for ticket in deps.tickets.get_many(record["ticket_ids"]):
        if ((ticket.env or {}).get("spot_check") or {}).get("month") == month:
            continue  # marked by an earlier run
        fresh = deps.tickets.get(ticket.ticket_id)
        changes, data = env_complaints.sample_change(fresh, month, seed, actor, now)
        change = Change(fresh, fresh.with_changes(updated_at=now, **changes), "spot_sampled", data, now, actor)
        try:
            deps.tickets.commit(change, env_complaints.next_alert(change.after))
        except Conflict:
            continue  # another run marked it first
    return record


def queue(deps: Adapters, actor: Actor, params: dict[str, str]) -> dict[str, Any]:
    """The month's callback queue of spot checks: each sampled report and its result so far."""
    access.ensure_role(actor, *SAMPLE_ROLES)
    month = _month(params.get("month"))
    stored = deps.directory.get_item(f"SPOT#{month}", "SAMPLE")
    if stored is None:
        return {"month": month, "seed": None, "rate": None, "population": 0, "items": []}
    tickets = {t.ticket_id: t for t in deps.tickets.get_many(stored["ticket_ids"])}
    items = []
    for tid in stored["ticket_ids"]:
        t = tickets.get(tid)
        env = (t.env if t else None) or {}
        items.append(
            {
                "ticket_id": tid,
                "title": t.title if t else "",
                "entity": (env.get("entity") or {}).get("name", ""),
                "closed_at": t.closed_at.isoformat() if t and t.closed_at else None,
                "result": (env.get("spot_check") or {}).get("result"),
            }
        )
    return {k: stored.get(k) for k in ("month", "seed", "rate", "population", "by", "at")} | {"items": items}
