"""Archive index (Directory partitions `ARCHIVE#`, `RECON#`) and the event reads the archive needs.

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

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.storage.models import DirectoryModel, EventModel, TicketModel
from chalicelib.storage.tickets import decode_token, encode_token

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


# ------------------------------------------------------------------------------ events


def event_record(item: EventModel) -> dict[str, Any]:
    """A history item as a plain dict, snapshot included (parsed JSON)."""
    return {
        "event_id": item.event_id,
        "ticket_id": item.ticket_id,
        "seq": int(item.seq),
        "type": item.type,
        "actor_id": item.actor_id,
        "actor_role": item.actor_role,
        "at": item.at,
        "from_status": item.from_status,
        "to_status": item.to_status,
        "data": json.loads(item.data),
        "snapshot": json.loads(item.snapshot),
        "month": item.month,
    }


def event_from_image(image: dict[str, Any]) -> dict[str, Any]:
    """A history item from a stream record's NewImage (DynamoDB JSON)."""
    return event_record(EventModel.from_raw_data(image))


def history(ticket_id: str, upto_seq: int) -> list[dict[str, Any]]:
    """Events 1..upto_seq of a ticket, oldest first (strongly consistent Query)."""
    return [event_record(e) for e in EventModel.query(ticket_id, EventModel.seq <= upto_seq, consistent_read=True)]


def events_between(month: str, start_iso: str, end_iso: str) -> Iterator[dict[str, Any]]:
    """Events of one month partition with start <= at < end (UTC ISO prefixes), via `by_month`."""
    # at_key = "{at}#{ticket}#{seq}": "{end}" sorts before every key of an event at or after `end`.
    for item in EventModel.by_month.query(month, EventModel.at_key.between(start_iso, end_iso)):
        yield event_record(item)


def caller_ciphertext(ticket_id: str) -> str | None:
    """The ticket's KMS-envelope caller ciphertext, as stored on the Tickets item (never decrypted here)."""
    try:
        return TicketModel.get(ticket_id, consistent_read=True, attributes_to_get=["ticket_id", "caller_enc"]).caller_enc
    except DoesNotExist:
        return None


# ------------------------------------------------------------------------------ versions


def get_version(ticket_id: str, version: int) -> dict[str, Any] | None:
    """One archived version, or None."""
    try:
        return json.loads(DirectoryModel.get(_pk(ticket_id), _vsk(version), consistent_read=True).data)
    except DoesNotExist:
        return None


def versions(ticket_id: str) -> list[dict[str, Any]]:
    """Every archived version of a ticket, oldest first."""
    query = DirectoryModel.query(_pk(ticket_id), DirectoryModel.sk.startswith("V#"), consistent_read=True)
    return [json.loads(i.data) for i in query]


def latest(ticket_id: str) -> dict[str, Any] | None:
    """The newest archived version, or None."""
    query = DirectoryModel.query(
        _pk(ticket_id), DirectoryModel.sk.startswith("V#"), scan_index_forward=False, limit=1, consistent_read=True
    )
    return next((json.loads(i.data) for i in query), None)


def current(ticket_id: str) -> dict[str, Any] | None:
    """The search entry of the current version (summary + version number), or None."""
    try:
        return json.loads(DirectoryModel.get(_pk(ticket_id), "CURRENT", consistent_read=True).data)
    except DoesNotExist:
        return None


def save_version(entry: dict[str, Any], *, overwrite: bool = False) -> bool:
    """Point every search entry at a version, then write the version item itself.

    The version item is the commit marker, written last with a condition: False when this version
    was already indexed (a duplicate delivery). Search entries go first in one BatchWriteItem
    (idempotent overwrites), so a crash in between leaves no version without its search entries.
    `overwrite` replaces an indexed version (reconciliation rewrote its lost objects).
    """
    tid, version = entry["ticket_id"], int(entry["version"])
    summary = summary_of(entry)
    sort = f"{entry['closed_at']}#{tid}"
    month_sort = f"{entry['month']}#{sort}"
    items: list[DirectoryModel] = [
        DirectoryModel(_pk(tid), "CURRENT", gsi1pk=SEARCH_PREFIX["month"] + entry["month"], gsi1sk=sort, data=_dump(summary))
    ]
    for name, field in _IDX_FIELDS:
        if entry.get(field):
            items.append(DirectoryModel(_pk(tid), f"IDX#{name}", gsi1pk=SEARCH_PREFIX[field] + str(entry[field]),
                                        gsi1sk=month_sort, data=_dump(summary)))
    if entry.get("external_id"):
        items.append(DirectoryModel(_pk(tid), "IDX#external", gsi1pk=SEARCH_PREFIX["external_id"] + entry["external_id"],
                                    gsi1sk=tid, data=_dump(summary)))
    with DirectoryModel.batch_write() as batch:
        for item in items:
            batch.save(item)
    marker = DirectoryModel(_pk(tid), _vsk(version), data=_dump(entry))
    try:
        marker.save(condition=None if overwrite else DirectoryModel.sk.does_not_exist())
    except PutError as exc:
        if exc.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def summary_of(entry: dict[str, Any]) -> dict[str, Any]:
    """The search row of a version (no personal data)."""
    keys = ("ticket_id", "version", "title", "category", "hotline", "unit_id", "external_id", "closed_at",
            "received_at", "month", "prefix", "seq_range")
    return {k: entry.get(k) for k in keys}


@dataclass(frozen=True)
class SearchPage:
    """One page of search rows and the opaque token of the next."""

    items: list[dict[str, Any]]
    next_page: str | None


def search(field: str, value: str, month: str | None, limit: int, token: str | None) -> SearchPage:
    """Newest closed first; `month` narrows unit/category/hotline searches (begins_with on the sort key)."""
    condition = DirectoryModel.gsi1sk.startswith(f"{month}#") if month and field in ("unit_id", "category", "hotline") else None
    results = DirectoryModel.gsi1.query(
        SEARCH_PREFIX[field] + value,
        condition,
        scan_index_forward=False,
        limit=limit,
        page_size=limit,
        last_evaluated_key=decode_token(token),
    )
    items = [json.loads(i.data) for i in results]
    return SearchPage(items, encode_token(results.last_evaluated_key if len(items) >= limit else None))


# ------------------------------------------------------------------------------ access log, reports


def record_download(ticket_id: str, version: int, file: str, user_id: str, role: str, at: datetime) -> None:
    """Every download is recorded: who, when, which record, version and file."""
    stamp = at.isoformat()
    DirectoryModel(
        _pk(ticket_id),
        f"DL#{stamp}#{user_id}#{file}",
        gsi1pk=f"ARCHIVE-DL-BY-USER#{user_id}",
        gsi1sk=f"{stamp}#{ticket_id}",
        data=_dump({"ticket_id": ticket_id, "version": version, "file": file, "user_id": user_id, "role": role, "at": stamp}),
    ).save()


def downloads(ticket_id: str, limit: int = 100) -> list[dict[str, Any]]:
    """Recorded downloads of a record, newest first."""
    query = DirectoryModel.query(_pk(ticket_id), DirectoryModel.sk.startswith("DL#"), scan_index_forward=False, limit=limit)
    return [json.loads(i.data) for i in query]


def save_report(report: dict[str, Any]) -> None:
    """Keep a reconciliation report (RECON#{from}#{to} / {finished_at})."""
    DirectoryModel(f"RECON#{report['from']}#{report['to']}", report["finished_at"], data=_dump(report)).save()


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)
