"""Events-stream entry point: SMS and task updates from stored ticket events (never from requests).

Lambda semantics: each record is handled on its own; a failing record is reported in
`batchItemFailures` so only it is retried (sends are de-duplicated by event id).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from chalice import Blueprint

from chalicelib.config import get_settings
from chalicelib.services import notify

bp = Blueprint(__name__)
log = logging.getLogger("hotline.notifications")
_DESERIALIZER = TypeDeserializer()


def event_from_image(image: dict[str, Any]) -> dict[str, Any]:
    """A TicketEvents item (stream NewImage, DynamoDB JSON) as a plain event with parsed data/snapshot."""
    item = {k: _DESERIALIZER.deserialize(v) for k, v in image.items()}
    item["data"] = json.loads(item.get("data") or "{}")
    item["snapshot"] = json.loads(item.get("snapshot") or "{}")
    return item


def handle_records(records: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Handle raw stream records; returns the partial-batch failure report."""
    failures = []
    for record in records:
        ddb = record.get("dynamodb") or {}
        if record.get("eventName") != "INSERT" or not ddb.get("NewImage"):
            continue  # events are append-only: only new ones matter
        try:
            notify.handle_event(event_from_image(ddb["NewImage"]), now)
        except Exception:
            log.exception("notification failed for %s", ddb.get("SequenceNumber"))
            failures.append({"itemIdentifier": ddb.get("SequenceNumber")})
    return {"batchItemFailures": failures}


# the events table's stream (EVENTS_STREAM_ARN); a placeholder keeps imports working without it
_STREAM = get_settings().events_stream_arn or "arn:aws:dynamodb:local:000000000000:table/events/stream/local"


@bp.on_dynamodb_record(stream_arn=_STREAM, name="notify_from_events")
def notify_from_events(event: Any) -> dict[str, Any]:
    """Chalice DynamoDBEvent → handle_records on its raw records."""
    return handle_records(event.to_dict().get("Records", []), datetime.now(UTC))
