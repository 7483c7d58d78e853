"""How a member of staff is printed: the name with the unit where one exists, never the login id when a
name is known (record.html, PDFs, Excel, statistics by person, the ticket timeline).

`display("周海", "海游街道办事处")` → `周海（海游街道办事处）`; with a role (the archive record's event
rows) → `周海（海游街道办事处，承办单位经办人）`. This module is the ONE place that formats a person.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def display(name: str, unit_name: str | None = None) -> str:
    """A person as printed: `王敏` or `周海（海游街道办事处）`."""
    return f"{name}（{unit_name}）" if unit_name else name


def with_role(shown: str, role_label: str | None) -> str:
    """A printed person with a role added inside the same brackets: `周海（海游街道办事处，承办单位经办人）`."""
    if not role_label:
        return shown
    if shown.endswith("）") and "（" in shown:
        return f"{shown[:-1]}，{role_label}）"
    return f"{shown}（{role_label}）"


def display_names(staff: Mapping[str, Mapping[str, Any]], units: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """`{user_id: printed person}` from the Directory's staff copies (`USER` partition) and units."""
    out: dict[str, str] = {}
    for user_id, data in staff.items():
        unit_id = data.get("unit_id")
        unit_name = units.get(str(unit_id), {}).get("name") if unit_id else None  # an unknown unit: the name only
        out[user_id] = display(str(data.get("name") or user_id), str(unit_name) if unit_name else None)
    return out
