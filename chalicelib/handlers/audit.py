"""TicketEvents stream → audit copies and archive packages; the daily reconciliation schedule.

Record-by-record processing with partial batch failures (Lambda `ReportBatchItemFailures`): a
record that fails is logged with its event id and reported by its SequenceNumber; the others
count as done. Lambda (and the local pump) retry the failed ones a bounded number of times and
then park them in the dead-letter queue (docs/operations.md, "Audit and archive"); the daily
reconciliation repairs whatever still ended up missing. Every write is idempotent (deterministic
keys, If-None-Match, conditional index write), so a retried or twice-delivered batch is harmless.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice import Blueprint, Cron

from chalicelib.config import get_settings
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.services import archive, reconcile

log = logging.getLogger("hotline.audit")
bp = Blueprint(__name__)


def process_batch(event: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """One Lambda-shaped TicketEvents batch → `{"batchItemFailures": [...]}` (bench / local pump entry)."""
    return archive.handle_batch(event, now)


@bp.on_dynamodb_record(stream_arn=get_settings().events_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def on_ticket_event(event: Any) -> dict[str, Any]:
    """Lambda entry for the TicketEvents stream (the SAM override adds ReportBatchItemFailures + DLQ)."""
    return process_batch(event.to_dict())


def reconcile_recent(now: datetime) -> dict[str, Any]:
    """Reconcile yesterday and today (Asia/Shanghai): the daily safety net behind the stream."""
    today = now.astimezone(SHANGHAI).date()
    return reconcile.run(today - timedelta(days=1), today, now)


@bp.schedule(Cron(30, 18, "*", "*", "?", "*"), name="daily_reconcile")  # 02:30 Asia/Shanghai
def daily_reconcile(event: Any) -> None:
    """EventBridge entry: daily reconciliation of the event log with the audit copies and archive."""
    report = reconcile_recent(datetime.now(UTC))
    log.info("reconciliation %s..%s: %s", report["from"], report["to"], report["counts"])
