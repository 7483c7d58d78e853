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


# ---------------------------------------------------------------- deadlines & notifications (issue #3)
# Partitions used here: the calendar (CAL#), the duty roster (DUTY#), alert claims (ALERT#), follow-up
# tasks (TASK#, open ones in gsi1 OPENTASK#) and SMS records (SMS#, a day's sends in gsi1 SMSLOG#).


def office_hours_text() -> str:
    """Office hours as text: the admin's CONFIG/office_hours, else the OFFICE_HOURS setting."""
    from chalicelib.config import get_settings

    stored = config("office_hours") or {}
    return str(stored.get("text") or get_settings().office_hours)


def put_calendar_days(year: int, days: dict[date, bool], by: str) -> None:
    """Admin overrides of one year (workday true/false), written in batches."""
    with DirectoryModel.batch_write() as batch:
        for d, workday in sorted(days.items()):
            batch.save(DirectoryModel(f"CAL#{year}", d.isoformat(), data=json.dumps({"workday": workday, "by": by})))


def delete_calendar_day(year: int, day: date) -> None:
    """Remove one admin override (the package's verdict applies again)."""
    DirectoryModel(f"CAL#{year}", day.isoformat()).delete()


def claim(pk: str, sk: str, data: dict[str, Any], **extra: Any) -> bool:
    """Create an item only if it does not exist yet; False when someone created it first."""
    from pynamodb.exceptions import PutError

    item = DirectoryModel(pk, sk, data=json.dumps(data, ensure_ascii=False, default=str), **extra)
    try:
        item.save(condition=DirectoryModel.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def query_items(
    pk: str, *, prefix: str | None = None, limit: int | None = None, newest_first: bool = False, index: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """(sk, data) of a bounded Query on the table (pk/sk) or on gsi1 (gsi1pk/gsi1sk)."""
    if index:
        cond = DirectoryModel.gsi1sk.startswith(prefix) if prefix else None
        results = DirectoryModel.gsi1.query(pk, cond, limit=limit, scan_index_forward=not newest_first)
    else:
        cond = DirectoryModel.sk.startswith(prefix) if prefix else None
        results = DirectoryModel.query(pk, cond, limit=limit, scan_index_forward=not newest_first)
    return [(i.sk, json.loads(i.data)) for i in results]


def update_data(pk: str, sk: str, data: dict[str, Any], *, drop_index: bool = False) -> None:
    """Replace an item's data (and optionally take it out of gsi1), keeping the item."""
    actions = [DirectoryModel.data.set(json.dumps(data, ensure_ascii=False, default=str))]
    if drop_index:
        actions += [DirectoryModel.gsi1pk.remove(), DirectoryModel.gsi1sk.remove()]
    DirectoryModel(pk, sk).update(actions=actions)


def add_spend(day: str, fen: int, cap_fen: int) -> bool:
    """Add to a day's SMS spend unless it would pass the cap (one conditional update)."""
    from pynamodb.exceptions import UpdateError

    from chalicelib.storage.models import CounterModel

    counter = CounterModel("SMS#spend", day)
    try:
        counter.update(
            actions=[CounterModel.n.add(fen)],
            condition=CounterModel.n.does_not_exist() | (CounterModel.n <= cap_fen - fen),
        )
    except UpdateError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


# ---------------------------------------------------------------- reply templates & instructions (issue #7)
# TEMPLATE / {category} = the template in force {"sections", "version", …}; TEMPLATE#{category} /
# v{nnnn} = every version ever saved. INSTR#{ticket} / {instr_id} = leader instructions (R-12345-16).


def put_template_version(category: str, data: dict[str, Any], version: int) -> bool:
    """Save version `version` of a template and make it current, atomically; False if not the next one."""
    from pynamodb.transactions import TransactWrite

    from chalicelib.storage.models import DirectoryModel as D

    body = json.dumps(data, ensure_ascii=False, default=str)
    current = D.sk.does_not_exist() if version == 1 else D.data.contains(f'"version": {version - 1},')
    try:
        with TransactWrite(connection=D._get_connection().connection) as tx:
            tx.save(D(TEMPLATE, category, data=body), condition=current)
            tx.save(D(f"{TEMPLATE}#{category}", f"v{version:04d}", data=body), condition=D.sk.does_not_exist())
    except Exception as exc:  # noqa: BLE001 - TransactWriteError: someone saved a version first
        if type(exc).__name__ == "TransactWriteError":
            return False
        raise
    return True
