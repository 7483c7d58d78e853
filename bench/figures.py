"""Figures: one measured quantity over repeated runs, its minimum, and how they are printed/saved."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass
class Figure:
    """A figure: per-run values (median = the figure), unit, and the minimum the design allows.

    `better` says which direction is good; `ratio` is always "how many times worse than the
    minimum" (≥ 1 means above the floor): value/minimum when lower is better, minimum/value when
    higher is better.
    """

    id: str
    label: str
    unit: str
    runs: list[float] = field(default_factory=list)
    better: str = "lower"
    minimum: float | None = None
    minimum_basis: str = ""
    status: str = "ok"
    note: str = ""
    section: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "ok" and bool(self.runs)

    @property
    def median(self) -> float | None:
        return statistics.median(self.runs) if self.ok else None

    @property
    def spread(self) -> tuple[float, float] | None:
        return (min(self.runs), max(self.runs)) if self.ok else None

    @property
    def ratio(self) -> float | None:
        med = self.median
        if med is None or self.minimum is None or self.minimum <= 0 or med <= 0:
            return None
        return med / self.minimum if self.better == "lower" else self.minimum / med

    def as_json(self) -> dict[str, Any]:
        spread = self.spread
        return {
            "id": self.id,
            "section": self.section,
            "label": self.label,
            "unit": self.unit,
            "status": self.status,
            "median": _round(self.median),
            "min": _round(spread[0]) if spread else None,
            "max": _round(spread[1]) if spread else None,
            "n": len(self.runs),
            "runs": [_round(v) for v in self.runs],
            "better": self.better,
            "minimum": _round(self.minimum),
            "minimum_basis": self.minimum_basis,
            "ratio": _round(self.ratio),
            "note": self.note,
            **({"extra": self.extra} if self.extra else {}),
        }


def skipped(
    id: str,
    label: str,
    unit: str,
    reason: str,
    section: str = "",
    minimum: float | None = None,
    minimum_basis: str = "",
) -> Figure:
    """A row that says honestly why it has no value."""
    return Figure(
        id, label, unit, status=f"skipped: {reason}", section=section, minimum=minimum, minimum_basis=minimum_basis
    )


def _round(value: float | None) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value == 0 or abs(value) >= 100:
        return round(value, 1)
    return float(f"{value:.4g}")


def fmt(value: float | None) -> str:
    """Compact number for the table."""
    if value is None:
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 100:
        return f"{value:.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if value == int(value):
        return f"{value:.0f}"
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.3g}"


def table(figures: list[Figure]) -> str:
    """One plain-text table, grouped by section, skipped rows included."""
    head = ("figure", "median", "unit", "spread (min–max)", "n", "minimum", "×min", "note")
    rows: list[tuple[str, ...] | str] = []
    section = None
    for f in figures:
        if f.section != section:
            section = f.section
            rows.append(f"[{section}]")
        spread = f.spread
        spread_txt = f"{fmt(spread[0])}–{fmt(spread[1])}" if spread and len(f.runs) > 1 else ""
        note = f.note if f.ok else f.status + (f" — {f.note}" if f.note else "")
        rows.append(
            (
                f.label,
                fmt(f.median),
                f.unit,
                spread_txt,
                str(len(f.runs)) if f.ok else "",
                fmt(f.minimum) if f.minimum is not None else "",
                f"{f.ratio:.2f}" if f.ratio is not None else "",
                note,
            )
        )
    widths = [len(h) for h in head]
    for r in rows:
        if isinstance(r, tuple):
            widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    widths[-1] = 0  # the note runs free

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            c.ljust(w) if i not in (1, 3, 4, 5, 6) else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    total = sum(widths[:-1]) + 2 * (len(widths) - 1) + 4
    out = [line(head), "-" * total]
    for r in rows:
        out.append(r if isinstance(r, str) else line(r))
    return "\n".join(out)
