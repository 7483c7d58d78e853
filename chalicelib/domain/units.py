"""Handling units and their contacts (R-12345-07): pure validation of what an admin submits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.phones import long_number_problem

UNIT_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
KINDS = frozenset({"township", "bureau", "company", "other"})
CONTACT_ROLES = frozenset({"handler", "leader", "other"})
LONG_NUMBER_ROLES = frozenset({"handler", "leader"})
MAX_CONTACTS = 50


def unit_id_problem(unit_id: Any) -> str | None:
    """Why a unit id is not acceptable (URL-safe, 1–32 of A–Z a–z 0–9 _ -), or None."""
    if isinstance(unit_id, str) and UNIT_ID.match(unit_id):
        return None
    return "须为1–32位字母、数字、下划线或连字符（如 U006）"


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, str) and 1 <= len(value.strip()) <= limit:
        return value.strip()
    return None


def _contact(i: int, raw: Any, problems: dict[str, str]) -> dict[str, str] | None:
    key = f"contacts[{i}]"
    if not isinstance(raw, Mapping):
        problems[key] = "须为对象 {name, phone, role}"
        return None
    name = _text(raw.get("name"), 50)
    if name is None:
        problems[f"{key}.name"] = "必填，1–50 个字符"
    role = raw.get("role", "handler")
    if not isinstance(role, str) or role not in CONTACT_ROLES:
        problems[f"{key}.role"] = "须为 handler、leader 或 other"
        role = "other"
    phone = raw.get("phone")
    phone = phone.strip() if isinstance(phone, str) else ""
    if len(phone) > 30:
        problems[f"{key}.phone"] = "过长（最多30个字符）"
    elif role in LONG_NUMBER_ROLES and (problem := long_number_problem(phone)):
        problems[f"{key}.phone"] = problem  # R-12345-07: no short internal numbers
    return {"name": name or "", "phone": phone, "role": str(role)}


def validate_unit(body: Mapping[str, Any], unit_id: str) -> dict[str, Any]:
    """A unit from an admin's body, normalized `{id, name, kind, active, contacts}`; ValidationError names each bad field.

    R-12345-07: every handler / leader contact has a full 11-digit mobile or a landline with its
    area code, and the unit has at least one handler contact.
    """
    problems: dict[str, str] = {}
    if (p := unit_id_problem(unit_id)) is not None:
        problems["id"] = p
    name = _text(body.get("name"), 100)
    if name is None:
        problems["name"] = "必填，1–100 个字符"
    kind = body.get("kind", "other")
    if not isinstance(kind, str) or kind not in KINDS:
        problems["kind"] = "须为 township、bureau、company 或 other"
    active = body.get("active", True)
    if not isinstance(active, bool):
        problems["active"] = "须为 true 或 false"
    raw_contacts = body.get("contacts")
    contacts: list[dict[str, str]] = []
    if not isinstance(raw_contacts, list):
        problems["contacts"] = "须为联系人列表"
    elif len(raw_contacts) > MAX_CONTACTS:
        problems["contacts"] = f"最多 {MAX_CONTACTS} 个联系人"
    else:
        contacts = [c for i, raw in enumerate(raw_contacts) if (c := _contact(i, raw, problems)) is not None]
        if not any(c["role"] == "handler" for c in contacts):
            problems["contacts"] = "至少需要一名经办人（role = handler）"
    if problems:
        raise ValidationError(problems)
    return {"id": unit_id, "name": name, "kind": kind, "active": active, "contacts": contacts}
