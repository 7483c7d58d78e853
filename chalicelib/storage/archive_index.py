"""Archive index (Directory partitions `ARCHIVE#`, `RECON#`): versions, search entries, downloads.

Items (pk / sk), all in the Directory table, every search a Query on `gsi1`:

    ARCHIVE#{ticket} / V#{close_seq:06d}   one archived version (files, version ids, checksums)
    ARCHIVE#{ticket} / CURRENT             the current version; gsi1 ARCHIVE-MONTH#{YYYY-MM} / {closed_at}#{ticket}
    ARCHIVE#{ticket} / IDX#unit|category|hotline
                                           gsi1 ARCHIVE-UNIT#{unit} (…-CAT#, …-HOTLINE#) / {YYYY-MM}#{closed_at}#{ticket}
    ARCHIVE#{ticket} / IDX#external        gsi1 ARCHIVE-EXT#{city number} / {ticket}
    ARCHIVE#{ticket} / DL#{at}#{user}#{file}  a download; gsi1 ARCHIVE-DL-BY-USER#{user} / {at}#{ticket}
    RECON#{from}#{to} / {at}               a reconciliation report

The month of the search index is the month the current version was closed (Asia/Shanghai).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.storage.table import Absent, DirectoryTable, Item, KeyRange, Write

SEARCH_PREFIX = {
    "month": "ARCHIVE-MONTH#",
    "unit_id": "ARCHIVE-UNIT#",
    "category": "ARCHIVE-CAT#",
    "hotline": "ARCHIVE-HOTLINE#",
    "external_id": "ARCHIVE-EXT#",
}
_IDX_FIELDS = (("unit", "unit_id"), ("category", "category"), ("hotline", "hotline"))


def _pk(ticket_id: str) -> str:
    return f"ARCHIVE#{ticket_id}"


def _vsk(version: int) -> str:
    return f"V#{version:06d}"


def summary_of(entry: dict[str, Any]) -> dict[str, Any]:
    """The search row of a version (no personal data)."""
    keys = (
        "ticket_id",
        "version",
        "title",
        "category",
        "hotline",
        "unit_id",
        "external_id",
        "closed_at",
        "received_at",
        "month",
        "prefix",
        "seq_range",
    )
    return {k: entry.get(k) for k in keys}


@dataclass(frozen=True)
class SearchPage:
    """One page of search rows and the opaque token of the next."""

    items: list[dict[str, Any]]
    next_page: str | None


class ArchiveIndex:
    """The archive's versions, search entries, download log and reconciliation reports."""

    def __init__(self, table: DirectoryTable) -> None:
        self.table = table

    def get_version(self, ticket_id: str, version: int) -> dict[str, Any] | None:
        """One archived version, or None."""
        item = self.table.get(_pk(ticket_id), _vsk(version))
        return item.data if item else None

    def versions(self, ticket_id: str) -> list[dict[str, Any]]:
        """Every archived version of a ticket, oldest first."""
        return [i.data for i in self.table.items(_pk(ticket_id), KeyRange(prefix="V#"))]

    def latest(self, ticket_id: str) -> dict[str, Any] | None:
        """The newest archived version, or None."""
        items = self.table.items(_pk(ticket_id), KeyRange(prefix="V#"), newest_first=True, limit=1)
        return items[0].data if items else None

    def current(self, ticket_id: str) -> dict[str, Any] | None:
        """The search entry of the current version (summary + version number), or None."""
        item = self.table.get(_pk(ticket_id), "CURRENT")
        return item.data if item else None

    def save_version(self, entry: dict[str, Any], *, overwrite: bool = False) -> bool:
        """Point every search entry at a version and write the version item itself, in one transaction.

        The version item carries the condition: False (and nothing written) when this version was
        already indexed (a duplicate delivery), so no version exists without its search entries and a
        duplicate never moves them. `overwrite` replaces an indexed version (reconciliation rewrote its
        lost objects).
        """
        tid, version = entry["ticket_id"], int(entry["version"])
        summary = summary_of(entry)
        sort = f"{entry['closed_at']}#{tid}"
        month_sort = f"{entry['month']}#{sort}"
        items = [Item(_pk(tid), "CURRENT", summary, SEARCH_PREFIX["month"] + entry["month"], sort)]
        for name, field in _IDX_FIELDS:
            if entry.get(field):
                items.append(
                    Item(_pk(tid), f"IDX#{name}", summary, SEARCH_PREFIX[field] + str(entry[field]), month_sort)
                )
        if entry.get("external_id"):
            items.append(
                Item(_pk(tid), "IDX#external", summary, SEARCH_PREFIX["external_id"] + entry["external_id"], tid)
            )
        writes: list[Write] = [(item, None) for item in items]
        writes.append((Item(_pk(tid), _vsk(version), entry), None if overwrite else Absent()))
        return self.table.transact(writes)

    def search(self, field: str, value: str, month: str | None, limit: int, token: str | None) -> SearchPage:
        """Newest closed first; `month` narrows unit/category/hotline searches (begins_with on the sort key)."""
        key = KeyRange(prefix=f"{month}#") if month and field in ("unit_id", "category", "hotline") else None
        page = self.table.query(
            SEARCH_PREFIX[field] + value, key, index=True, newest_first=True, limit=limit, token=token
        )
        return SearchPage([i.data for i in page.items], page.next_page)

    def record_download(self, ticket_id: str, version: int, file: str, user_id: str, role: str, at: datetime) -> None:
        """Every download is recorded: who, when, which record, version and file."""
        stamp = at.isoformat()
        data = {"ticket_id": ticket_id, "version": version, "file": file, "user_id": user_id, "role": role, "at": stamp}
        self.table.put(
            Item(
                _pk(ticket_id),
                f"DL#{stamp}#{user_id}#{file}",
                data,
                f"ARCHIVE-DL-BY-USER#{user_id}",
                f"{stamp}#{ticket_id}",
            )
        )

    def downloads(self, ticket_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Recorded downloads of a record, newest first."""
        return [
            i.data for i in self.table.items(_pk(ticket_id), KeyRange(prefix="DL#"), newest_first=True, limit=limit)
        ]

    def save_report(self, report: dict[str, Any]) -> None:
        """Keep a reconciliation report (RECON#{from}#{to} / {finished_at})."""
        self.table.put(Item(f"RECON#{report['from']}#{report['to']}", report["finished_at"], report))
