"""TicketEvents stream → webhook outbox + citizen lookup codes + the Open311 index and updates feed + the
duplicate index and merged duplicates following their main ticket (R-12345-18) + the keyword search index
(R-12345-13, services/search.py); the 1-minute webhook retry schedule."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, DynamoDBEvent, Rate

from chalicelib.handlers.streams import EVENTS_STREAM, each_event, process_batch
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib import bootstrap
    from chalicelib.bootstrap import Adapters
    from chalicelib.services import duplicates, lookup, open311, search, webhooks
    from chalicelib.storage.tickets import EventRecord
else:
    bootstrap = on_first_use("chalicelib.bootstrap")
    duplicates = on_first_use("chalicelib.services.duplicates")
    lookup = on_first_use("chalicelib.services.lookup")
    open311 = on_first_use("chalicelib.services.open311")
    search = on_first_use("chalicelib.services.search")
    webhooks = on_first_use("chalicelib.services.webhooks")

bp = Blueprint(__name__)


def partner_event(deps: Adapters, event: EventRecord, now: datetime) -> None:
    """Lookup code at intake, the partners' webhooks, the Open311 status copies and updates feed, the
    duplicate index (R-12345-18), then the keyword search index (R-12345-13)."""
    lookup.on_event(deps, event, now)
    webhooks.on_event(deps, event, now)
    open311.on_event(deps, event, now)
    duplicates.on_event(deps, event, now)
    search.on_event(deps, event, now)


CONSUMER = each_event(partner_event)


@bp.on_dynamodb_record(stream_arn=EVENTS_STREAM, batch_size=100, starting_position="TRIM_HORIZON")
def partner_events(event: DynamoDBEvent) -> dict[str, Any]:
    """Lambda entry for the TicketEvents stream: lookup codes at intake, webhooks to partners, Open311."""
    deps = bootstrap.root()
    return process_batch(CONSUMER, event.to_dict(), deps, deps.clock())


@bp.schedule(Rate(1, unit=Rate.MINUTES))
def partner_webhook_retry(event: Any) -> dict[str, int]:
    """Retry the webhook deliveries that are due (exponential backoff, see services/webhooks.py)."""
    deps = bootstrap.root()
    return webhooks.retry_due(deps, deps.clock())
