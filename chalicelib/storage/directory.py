"""Directory repository: units and contacts, calendar overrides, reply templates, settings, access log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist

from chalicelib.domain.calendar import Overrides
from chalicelib.domain.templates import Section
from chalicelib.storage.models import DirectoryModel
from chalicelib.storage.tickets import decode_token, encode_token

UNIT = "UNIT"
TEMPLATE = "TEMPLATE"
CONFIG = "CONFIG"


def _query(pk: str, **kwargs: Any) -> Iterator[DirectoryModel]:
    return iter(DirectoryModel.query(pk, **kwargs))


def get_item(pk: str, sk: str) -> dict[str, Any] | None:
    """The JSON data of one directory item, or None."""
    try:
        item = DirectoryModel.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None
    data: dict[str, Any] = json.loads(item.data)
    return data


def put_item(pk: str, sk: str, data: dict[str, Any], **extra: Any) -> None:
    """Create or replace one directory item."""
    DirectoryModel(pk, sk, data=json.dumps(data, ensure_ascii=False, default=str), **extra).save()


def list_items(pk: str) -> list[tuple[str, dict[str, Any]]]:
    """(sk, data) of every item in a partition (small partitions only: units, templates, overrides)."""
    return [(i.sk, json.loads(i.data)) for i in _query(pk)]


def units() -> dict[str, dict[str, Any]]:
    """Handling units by id, with their contacts."""
    return {sk: dict(data, id=sk) for sk, data in list_items(UNIT)}


def put_unit(unit_id: str, unit: dict[str, Any]) -> None:
    """Create or replace a unit."""
    put_item(UNIT, unit_id, {k: v for k, v in unit.items() if k != "id"})


def reply_templates() -> dict[str, tuple[Section, ...]]:
    """Admin-edited reply templates by category (defaults apply where none is stored)."""
    out: dict[str, tuple[Section, ...]] = {}
    for category, data in list_items(TEMPLATE):
        out[category] = tuple(Section(**s) for s in data.get("sections", []))
    return out


def calendar_overrides(years: range) -> Overrides:
    """Admin-entered working days / days off and confirmed years for some years."""
    days: dict[date, bool] = {}
    confirmed: set[int] = set()
    for year in years:
        for sk, data in list_items(f"CAL#{year}"):
            if sk == "CONFIRMED":
                if data.get("confirmed"):
                    confirmed.add(year)
            else:
                days[date.fromisoformat(sk)] = bool(data["workday"])
    return Overrides(days=days, confirmed_years=frozenset(confirmed))


def config(name: str) -> dict[str, Any] | None:
    """A named configuration document (e.g. `limits`)."""
    return get_item(CONFIG, name)


def record_pii_view(ticket_id: str, user_id: str, role: str, at: datetime) -> None:
    """R-12345-11: every view of unmasked personal data is recorded (who, when, which ticket)."""
    put_item(
        f"PIIVIEW#{ticket_id}",
        f"{at.isoformat()}#{user_id}",
        {"user_id": user_id, "role": role, "at": at.isoformat(), "ticket_id": ticket_id},
        gsi1pk=f"PIIVIEW-BY-USER#{user_id}",
        gsi1sk=f"{at.isoformat()}#{ticket_id}",
    )


def pii_views(ticket_id: str, limit: int = 100, token: str | None = None) -> tuple[list[dict[str, Any]], str | None]:
    """The recorded personal-data views of a ticket, newest first."""
    results = DirectoryModel.query(
        f"PIIVIEW#{ticket_id}", scan_index_forward=False, limit=limit, last_evaluated_key=decode_token(token)
    )
    items = [json.loads(i.data) for i in results]
    return items, encode_token(results.last_evaluated_key if len(items) >= limit else None)
