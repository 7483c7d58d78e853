"""Unit assessment (综合科 考核): a monthly score per unit from the ticket figures and the notices answered on time.

Pure. The weights are versioned (`CONFIG#ASSESSMENT`, one item per version, written once): `weights` gives points to
rate figures of the 12345 line (docs/statistics.md) and to `notices_on_time` (the share of the month's notices the
unit reported on time); `deductions` takes points off per case of a count figure (e.g. 无故退单数). The score is
100 × Σ(weight × rate) / Σ(weight of the rates the unit has) − Σ(deduction × count), never below 0 (a rate with no
cases that month, e.g. no closures, is left out rather than counted as 0; a unit with none of the weighted rates has
no score and is listed unranked). Definitions: docs/statistics.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from chalicelib.domain import statistics
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import ValidationError

NOTICES = "notices_on_time"
NOTICES_LABEL = "通知按时报送率"
RATE_IDS = tuple(f.id for f in statistics.FIGURES if f.kind == "rate")
COUNT_IDS = tuple(f.id for f in statistics.FIGURES if f.kind == "count")
DEFAULT = {
    "version": 0,
    "weights": {"completion_rate": 30, "on_time_rate": 30, "satisfaction_rate": 20, NOTICES: 20},
    "deductions": {"returns_without_reason": 2},
    "set_by": None,
    "set_at": None,
}


def label(figure: str) -> str:
    """The Chinese name of an input."""
    return NOTICES_LABEL if figure == NOTICES else statistics.FIGURE_LABELS[figure]


def _points(body: Mapping[str, Any], name: str, allowed: Sequence[str]) -> dict[str, float]:
    raw = body.get(name, {})
    if not isinstance(raw, Mapping):
        raise ValidationError({name: "须为 指标: 分值 的对象"})
    out: dict[str, float] = {}
    for key, value in raw.items():
        if key not in allowed:
            names = "、".join(label(a) for a in allowed)
            raise ValidationError({f"{name}.{str(key)[:40]}": f"不是可用的考核指标（可用：{names}）"})
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
            raise ValidationError({f"{name}.{key}": "须为 0–100 的数"})
        if value:
            out[str(key)] = float(value)
    return out


def new_version(previous: int, body: Mapping[str, Any], by: str, now: datetime) -> dict[str, Any]:
    """The next version of the weights (at least one weight above 0)."""
    weights = _points(body, "weights", (*RATE_IDS, NOTICES))
    if not weights:
        raise ValidationError({"weights": "至少一个指标的权重须大于 0"})
    deductions = _points(body, "deductions", COUNT_IDS)
    return {
        "version": previous + 1,
        "weights": weights,
        "deductions": deductions,
        "set_by": by,
        "set_at": now.isoformat(),
    }


def notice_counts(notices: Sequence[Mapping[str, Any]], month: str, now: datetime) -> dict[str, dict[str, int]]:
    """Per unit: the notices whose deadline fell in `month` (Asia/Shanghai) and has passed, and how many the unit
    reported on time (a report marked late, or none, is not on time)."""
    out: dict[str, dict[str, int]] = {}
    for n in notices:
        deadline = datetime.fromisoformat(n["deadline"])
        if deadline > now or deadline.astimezone(SHANGHAI).strftime("%Y-%m") != month:
            continue
        for unit, row in n["units"].items():
            c = out.setdefault(unit, {"due": 0, "on_time": 0})
            c["due"] += 1
            c["on_time"] += 1 if row.get("submitted_at") and not row.get("late") else 0
    return out


def score(
    figures: Mapping[str, Mapping[str, Any]], notices: Mapping[str, int], version: Mapping[str, Any]
) -> dict[str, Any]:
    """One unit's score and the inputs it came from (each with its weight or deduction and its points)."""
    inputs: list[dict[str, Any]] = []
    earned = weight_sum = 0.0
    for fid, weight in version["weights"].items():
        if fid == NOTICES:
            num, den = notices.get("on_time", 0), notices.get("due", 0)
        else:
            num, den = figures[fid]["numerator"], figures[fid]["denominator"]
        rate = round(num / den, 4) if den else None
        if rate is not None:
            earned += weight * rate
            weight_sum += weight
        inputs.append(
            {"id": fid, "label": label(fid), "numerator": num, "denominator": den, "value": rate, "weight": weight}
        )
    deducted = 0.0
    for fid, per_case in version["deductions"].items():
        cases = figures[fid]["value"]
        deducted += per_case * cases
        inputs.append({"id": fid, "label": label(fid), "value": cases, "deduction": per_case})
    if not weight_sum:  # nothing to assess this month (no cases behind any weighted rate)
        return {"score": None, "base": None, "deducted": round(deducted, 2), "inputs": inputs}
    base = 100 * earned / weight_sum
    return {
        "score": round(max(0.0, base - deducted), 2),
        "base": round(base, 2),
        "deducted": round(deducted, 2),
        "inputs": inputs,
    }


def rank(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Highest score first; equal scores share a rank (1, 2, 2, 4); units with nothing to assess last, unranked."""
    scored = sorted((r for r in rows if r["score"] is not None), key=lambda r: (-r["score"], r["name"]))
    for i, r in enumerate(scored):
        r["rank"] = scored[i - 1]["rank"] if i and scored[i - 1]["score"] == r["score"] else i + 1
    rest = sorted((r for r in rows if r["score"] is None), key=lambda r: r["name"])
    for r in rest:
        r["rank"] = None
    return [*scored, *rest]
