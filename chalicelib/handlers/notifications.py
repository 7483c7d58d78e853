"""TicketEvents stream → SMS and follow-up task updates (never sent from requests or the sweep)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, DynamoDBEvent

from chalicelib.handlers.streams import EVENTS_STREAM, each_event, process_batch
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.bootstrap import Adapters
    from chalicelib.services import notify
else:
    bootstrap = on_first_use("chalicelib.bootstrap")
    notify = on_first_use("chalicelib.services.notify")

bp = Blueprint(__name__)


def handle_event(deps: Adapters, event: dict[str, Any], now: datetime) -> None:
    """One stored event → its SMS and task updates (`services.notify`, loaded by the first batch)."""
    notify.handle_event(deps, event, now)


CONSUMER = each_event(handle_event)


@bp.on_dynamodb_record(stream_arn=EVENTS_STREAM, name="notify_from_events", starting_position="TRIM_HORIZON")
def notify_from_events(event: DynamoDBEvent) -> dict[str, Any]:
    """Lambda entry: one SMS per recipient and event, de-duplicated by event id."""
    deps = bootstrap.root()
    return process_batch(CONSUMER, event.to_dict(), deps, deps.clock())
