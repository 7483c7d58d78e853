"""TicketEvents stream → webhook outbox + citizen lookup codes; the 1-minute webhook retry schedule."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from chalice import Blueprint, Rate

from chalicelib.config import get_settings
from chalicelib.services import lookup, webhooks
from chalicelib.storage.archive_index import event_from_image

log = logging.getLogger("hotline.partners")
bp = Blueprint(__name__)


def process_batch(event: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Handle one Lambda-shaped stream batch; failed records are reported for retry (never lost)."""
    moment = now or datetime.now(UTC)
    failed: list[str] = []
    for record in event.get("Records", []):
        if record.get("eventName") != "INSERT":
            continue
        seq = str(record["dynamodb"]["SequenceNumber"])
        try:
            ev = event_from_image(record["dynamodb"]["NewImage"])
            lookup.on_event(ev, moment)
            webhooks.on_event(ev, moment)
        except Exception:  # noqa: BLE001 - reported as this record's failure, retried by the stream
            log.exception("partner stream record %s failed", seq)
            failed.append(seq)
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in failed]}


@bp.on_dynamodb_record(stream_arn=get_settings().events_stream_arn, batch_size=100, starting_position="TRIM_HORIZON")
def partner_events(event: Any) -> dict[str, Any]:
    """Lambda entry for the TicketEvents stream: lookup codes at intake, webhooks to partners."""
    return process_batch(event.to_dict())


@bp.schedule(Rate(1, unit=Rate.MINUTES))
def partner_webhook_retry(event: Any) -> dict[str, int]:
    """Retry the webhook deliveries that are due (exponential backoff, see services/webhooks.py)."""
    return webhooks.retry_due(datetime.now(UTC))
