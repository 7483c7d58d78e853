"""Reconciliation: the event log against the audit copies and archive packages (R-12345-17).

For each Asia/Shanghai day of a range: the day's events (TicketEvents `by_month` Query, never a full-table
read), the day's audit keys (one S3 listing per 1,000 objects), every missing audit copy rewritten
from the event item; every `closed` event checked against the archive index and its three objects,
a missing package written again. Counts: checked, missing, repaired (and the same for archives).
Run daily by the schedule (yesterday + today) and on demand by an admin for a date range.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from chalicelib.documents.archive_record import FILES, MANIFEST, audit_key
from chalicelib.domain import access
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import archive, privacy

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

log = logging.getLogger("hotline.reconcile")
MAX_DAYS = 62
MAX_LISTED = 100  # repaired / failed ids kept in a report


def _bounds(day: date) -> tuple[str, str]:
    """UTC ISO prefixes of a Shanghai day: start <= at_key < end."""
    start = datetime.combine(day, time(0), SHANGHAI).astimezone(UTC)
    end = start + timedelta(days=1)
    return start.strftime("%Y-%m-%dT%H:%M:%S"), end.strftime("%Y-%m-%dT%H:%M:%S")


def run(deps: Adapters, start: date, end: date, now: datetime) -> dict[str, Any]:
    """Compare and repair every day from `start` to `end` (inclusive); the report is stored and returned."""
    if end < start or (end - start).days >= MAX_DAYS:
        raise ValidationError({"to": f"日期范围须为 1–{MAX_DAYS} 天且 from ≤ to"})
    counts = dict.fromkeys(
        (
            "checked",
            "missing",
            "repaired",
            "failed",
            "archives_checked",
            "archives_missing",
            "archives_repaired",
            "archives_superseded",
            "archives_failed",
        ),
        0,
    )
    repaired: list[str] = []
    failed: list[str] = []
    day = start
    while day <= end:
        _reconcile_day(deps, day, now, counts, repaired, failed)
        day += timedelta(days=1)
    report = {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "started_at": now.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "counts": counts,
        "repaired": repaired[:MAX_LISTED],
        "failed": failed[:MAX_LISTED],
    }
    deps.archive_index.save_report(report)
    return report


def _reconcile_day(
    deps: Adapters, day: date, now: datetime, counts: dict[str, int], repaired: list[str], failed: list[str]
) -> None:
    lo, hi = _bounds(day)
    present = deps.archive_store.keys(f"audit/{day:%Y/%m/%d}/")
    for event in deps.tickets.month_events(f"{day:%Y-%m}", lo, hi):
        counts["checked"] += 1
        if audit_key(event) not in present:
            counts["missing"] += 1
            try:
                archive.write_audit(deps, event, now)
                counts["repaired"] += 1
                repaired.append(event["event_id"])
            except Exception:
                log.exception("reconcile: audit copy of %s failed", event["event_id"])
                counts["failed"] += 1
                failed.append(event["event_id"])
        if archive.is_close(event):
            _reconcile_archive(deps, event, now, counts, repaired, failed)


def _reconcile_archive(
    deps: Adapters, event: dict[str, Any], now: datetime, counts: dict[str, int], repaired: list[str], failed: list[str]
) -> None:
    counts["archives_checked"] += 1
    entry = deps.archive_index.get_version(event["ticket_id"], int(event["seq"]))
    if entry is not None:
        keys = deps.archive_store.keys(entry["prefix"])
        if all(entry["prefix"] + name in keys for name in (*FILES, MANIFEST)):
            return
    else:
        newest = deps.archive_index.latest(event["ticket_id"])
        if newest is not None and int(newest["version"]) > int(event["seq"]):
            counts["archives_superseded"] += 1  # reopened and archived again: the newer package holds it all
            return
    counts["archives_missing"] += 1
    try:
        outcome = archive.archive_ticket(deps, event, now, force=entry is not None)
    except Exception:
        log.exception("reconcile: archive of %s failed", event["event_id"])
        counts["archives_failed"] += 1
        failed.append(event["event_id"])
        return
    if outcome == "superseded":
        counts["archives_superseded"] += 1
    else:
        counts["archives_repaired"] += 1
        repaired.append(event["event_id"])


def _date(body: dict[str, Any], name: str) -> date:
    try:
        return date.fromisoformat(str(body.get(name) or ""))
    except ValueError as exc:
        raise ValidationError({name: "须为日期 YYYY-MM-DD（北京时间）"}) from exc


def reconcile_range(deps: Adapters, actor: Actor, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Admin: reconcile a date range `{from, to}` now."""
    access.ensure_role(actor, Role.ADMIN)
    start, end = _date(body, "from"), _date(body, "to")
    result = run(deps, start, end, now)
    summary = {"counts": result["counts"], "failed": len(result["failed"])}
    privacy.log_change(deps, "reconcile_run", actor, now, target=f"{start}/{end}", after=summary)
    return result
