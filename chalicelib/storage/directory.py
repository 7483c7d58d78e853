"""Directory store: units and contacts, calendar overrides, reply templates, settings, access log,
and the generic item operations the deadline and notification services use.

Partitions (pk) and their owners are listed in docs/contributing.md. Calendar (`CAL#{year}`), duty
roster (`DUTY#`), alert claims (`ALERT#`), follow-up tasks (`TASK#`, open ones in gsi1 `OPENTASK#`),
the daily SMS spend (`SMS#spend`; the SMS records themselves: storage/sms.py), reply templates (`TEMPLATE` / category = the
version in force, `TEMPLATE#{category}` / v{nnnn} = every version), leader instructions (`INSTR#`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from chalicelib.domain.calendar import Overrides
from chalicelib.domain.templates import Section
from chalicelib.storage.table import Absent, Cond, DirectoryTable, Equals, Item, KeyRange

UNIT = "UNIT"
TEMPLATE = "TEMPLATE"
CONFIG = "CONFIG"
USER = "USER"
LIMITS = "LIMITS"  # head of each hotline's time limits; versions in `LIMITS#{hotline}` (domain/limits.py)


class Directory:
    """Typed reads and writes of the Directory table's small partitions."""

    def __init__(self, table: DirectoryTable, default_office_hours: str) -> None:
        self.table = table
        self._default_office_hours = default_office_hours

    # ------------------------------------------------------------ generic items

    def get_item(self, pk: str, sk: str) -> dict[str, Any] | None:
        """The JSON data of one item, or None."""
        item = self.table.get(pk, sk)
        return item.data if item else None

    def put_item(
        self,
        pk: str,
        sk: str,
        data: Mapping[str, Any],
        *,
        gsi1pk: str | None = None,
        gsi1sk: str | None = None,
        expires_at: int | None = None,
    ) -> None:
        """Create or replace one item."""
        self.table.put(Item(pk, sk, dict(data), gsi1pk, gsi1sk, expires_at=expires_at))

    def claim(
        self, pk: str, sk: str, data: Mapping[str, Any], *, gsi1pk: str | None = None, gsi1sk: str | None = None
    ) -> bool:
        """Create an item only if it does not exist yet; False when someone created it first."""
        return self.table.put(Item(pk, sk, dict(data), gsi1pk, gsi1sk), Absent())

    def put_if(self, pk: str, sk: str, data: Mapping[str, Any], cond: Cond) -> bool:
        """Create or replace an item when `cond` holds; False otherwise."""
        return self.table.put(Item(pk, sk, dict(data)), cond)

    def list_items(self, pk: str) -> list[tuple[str, dict[str, Any]]]:
        """(sk, data) of every item in a partition (small partitions only: units, templates, overrides)."""
        return [(i.sk, i.data) for i in self.table.items(pk)]

    def query_items(
        self,
        pk: str,
        *,
        prefix: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
        index: bool = False,
    ) -> list[tuple[str, dict[str, Any]]]:
        """(sk, data) of a bounded Query on the table (pk/sk) or on gsi1 (gsi1pk/gsi1sk)."""
        key = KeyRange(prefix=prefix) if prefix else None
        items = self.table.items(pk, key, limit=limit, newest_first=newest_first, index=index)
        return [(i.sk, i.data) for i in items]

    def update_data(self, pk: str, sk: str, data: Mapping[str, Any], *, drop_index: bool = False) -> None:
        """Replace an item's data (and optionally take it out of gsi1), keeping the item."""
        self.table.update(pk, sk, data=data, drop_index=drop_index)

    def delete(self, pk: str, sk: str) -> None:
        """Remove one item."""
        self.table.delete(pk, sk)

    def add_spend(self, day: str, fen: int, cap_fen: int) -> bool:
        """Add to a day's SMS spend unless it would pass the cap (one conditional update)."""
        return self.table.add("SMS#spend", day, fen, cap=cap_fen) is not None

    # ------------------------------------------------------------ units, templates, settings

    def units(self) -> dict[str, dict[str, Any]]:
        """Handling units by id, with their contacts."""
        return {sk: dict(data, id=sk) for sk, data in self.list_items(UNIT)}

    def put_unit(self, unit_id: str, unit: Mapping[str, Any]) -> None:
        """Create or replace a unit."""
        self.put_item(UNIT, unit_id, {k: v for k, v in unit.items() if k != "id"})

    def save_unit(self, unit_id: str, data: Mapping[str, Any], cond: Cond) -> bool:
        """Write a unit when `cond` holds (Absent: create; Equals("data", stored): unchanged since read)."""
        return self.table.put(Item(UNIT, unit_id, dict(data)), cond)

    def user_names(self) -> dict[str, str]:
        """Names of staff by user id (the `USER` partition)."""
        return {sk: str(d.get("name") or sk) for sk, d in self.list_items(USER)}

    def staff(self) -> dict[str, dict[str, Any]]:
        """The Directory copy of each staff member by user id: `{name, role, unit_id}` (the `USER` partition,
        written by services/admin_directory whenever the user pool gains or changes a user)."""
        return dict(self.list_items(USER))

    def put_staff(self, user_id: str, name: str, role: str | None, unit_id: str | None) -> bool:
        """Write `USER / {user_id}` unless it already says the same (idempotent); True when it changed."""
        data = {"name": name, "role": role, "unit_id": unit_id}
        if self.get_item(USER, user_id) == data:
            return False
        self.put_item(USER, user_id, data)
        return True

    def reply_templates(self) -> dict[str, tuple[Section, ...]]:
        """Admin-edited reply templates by category (defaults apply where none is stored)."""
        out: dict[str, tuple[Section, ...]] = {}
        for category, data in self.list_items(TEMPLATE):
            out[category] = tuple(Section(**s) for s in data.get("sections", []))
        return out

    def put_template_version(self, category: str, data: Mapping[str, Any], version: int) -> bool:
        """Save version `version` of a template and make it current, atomically; False if not the next one."""
        current: Cond = Absent() if version == 1 else Equals("n", version - 1)
        return self.table.transact(
            [
                (Item(TEMPLATE, category, dict(data), n=version), current),
                (Item(f"{TEMPLATE}#{category}", f"v{version:04d}", dict(data), n=version), Absent()),
            ]
        )

    def limit_versions(self, hotlines: Iterable[str]) -> list[dict[str, Any]]:
        """Every saved version of the hotlines' time limits (`LIMITS#{hotline}` / `v{nnnn}`), oldest first."""
        return [data for hotline in hotlines for _, data in self.list_items(f"{LIMITS}#{hotline}")]

    def put_limit_version(self, hotline: str, data: Mapping[str, Any], version: int) -> bool:
        """Save version `version` of a hotline's limits, atomically with its head; False if not the next one."""
        current: Cond = Absent() if version == 1 else Equals("n", version - 1)
        return self.table.transact(
            [
                (Item(LIMITS, hotline, {"version": version}, n=version), current),
                (Item(f"{LIMITS}#{hotline}", f"v{version:04d}", dict(data), n=version), Absent()),
            ]
        )

    def config(self, name: str) -> dict[str, Any] | None:
        """A named configuration document (e.g. `limits`)."""
        return self.get_item(CONFIG, name)

    def office_hours_text(self) -> str:
        """Office hours as text: the admin's CONFIG/office_hours, else the configured default."""
        stored = self.config("office_hours") or {}
        return str(stored.get("text") or self._default_office_hours)

    # ------------------------------------------------------------ calendar

    def calendar_overrides(self, years: range) -> Overrides:
        """Admin-entered working days / days off and confirmed years for some years."""
        days: dict[date, bool] = {}
        confirmed: set[int] = set()
        for year in years:
            for sk, data in self.list_items(f"CAL#{year}"):
                if sk == "CONFIRMED":
                    if data.get("confirmed"):
                        confirmed.add(year)
                else:
                    days[date.fromisoformat(sk)] = bool(data["workday"])
        return Overrides(days=days, confirmed_years=frozenset(confirmed))

    def put_calendar_days(self, year: int, days: Mapping[date, bool], by: str) -> None:
        """Admin overrides of one year (workday true/false), written in batches."""
        self.table.put_many(
            [Item(f"CAL#{year}", d.isoformat(), {"workday": workday, "by": by}) for d, workday in sorted(days.items())]
        )

    def delete_calendar_day(self, year: int, day: date) -> None:
        """Remove one admin override (the package's verdict applies again)."""
        self.table.delete(f"CAL#{year}", day.isoformat())

    # ------------------------------------------------------------ personal-data access log (R-12345-11)

    def record_pii_view(self, ticket_id: str, user_id: str, role: str, at: datetime, reason: str | None = None) -> None:
        """Every view of unmasked personal data is recorded (who, when, which ticket, why)."""
        self.put_item(
            f"PIIVIEW#{ticket_id}",
            f"{at.isoformat()}#{user_id}",
            {"user_id": user_id, "role": role, "at": at.isoformat(), "ticket_id": ticket_id, "reason": reason},
            gsi1pk=f"PIIVIEW-BY-USER#{user_id}",
            gsi1sk=f"{at.isoformat()}#{ticket_id}",
        )

    def pii_views(
        self, ticket_id: str, limit: int = 100, token: str | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """The recorded personal-data views of a ticket, newest first."""
        page = self.table.query(f"PIIVIEW#{ticket_id}", newest_first=True, limit=limit, token=token)
        return [i.data for i in page.items], page.next_page
