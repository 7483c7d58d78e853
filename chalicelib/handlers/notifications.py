"""TicketEvents stream → SMS and follow-up task updates (never sent from requests or the sweep)."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, DynamoDBEvent

from chalicelib.bootstrap import root
from chalicelib.handlers.streams import EVENTS_STREAM, each_event, process_batch
from chalicelib.services import notify

bp = Blueprint(__name__)
CONSUMER = each_event(notify.handle_event)


@bp.on_dynamodb_record(stream_arn=EVENTS_STREAM, name="notify_from_events", starting_position="TRIM_HORIZON")
def notify_from_events(event: DynamoDBEvent) -> dict[str, Any]:
    """Lambda entry: one SMS per recipient and event, de-duplicated by event id."""
    deps = root()
    return process_batch(CONSUMER, event.to_dict(), deps, deps.clock())
