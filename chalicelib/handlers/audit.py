"""TicketEvents stream → audit copies and archive packages; the daily reconciliation schedule.

Failed records are reported (one stream path, `handlers/streams.py`), retried a bounded number of
times and then parked in the dead-letter queue (docs/operations.md, "Audit and archive"); the daily
reconciliation repairs whatever still ended up missing. Every write is idempotent (deterministic
keys, If-None-Match, conditional index write), so a retried or twice-delivered batch is harmless.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Cron, DynamoDBEvent

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.handlers.streams import EVENTS_STREAM, process_batch
from chalicelib.handlers.sweep import event_time
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.services import archive, reconcile
else:
    bootstrap = on_first_use("chalicelib.bootstrap")
    archive = on_first_use("chalicelib.services.archive")
    reconcile = on_first_use("chalicelib.services.reconcile")

log = logging.getLogger("hotline.audit")
bp = Blueprint(__name__)


@bp.on_dynamodb_record(stream_arn=EVENTS_STREAM, batch_size=100, starting_position="TRIM_HORIZON")
def on_ticket_event(event: DynamoDBEvent) -> dict[str, Any]:
    """Lambda entry for the TicketEvents stream (the SAM override adds ReportBatchItemFailures + DLQ)."""
    deps = bootstrap.root()
    return process_batch(archive.handle_records, event.to_dict(), deps, deps.clock())


@bp.schedule(Cron(30, 18, "*", "*", "?", "*"), name="daily_reconcile")  # 02:30 Asia/Shanghai
def daily_reconcile(event: Any) -> dict[str, Any]:
    """EventBridge entry: reconcile yesterday and today (Asia/Shanghai) — the safety net behind the stream."""
    deps = bootstrap.root()
    now = event_time(event, deps.clock())
    today = now.astimezone(SHANGHAI).date()
    report = reconcile.run(deps, today - timedelta(days=1), today, now)
    log.info("reconciliation %s..%s: %s", report["from"], report["to"], report["counts"])
    return report
