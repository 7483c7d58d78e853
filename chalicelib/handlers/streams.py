"""The one stream path: every TicketEvents consumer receives its batch through `process_batch`.

Lambda semantics (`ReportBatchItemFailures`): the batch's INSERT records are parsed once by the one
parser (`storage.tickets.event_from_image`); the consumer gets the parsed events and returns the
sequence numbers it could not handle; those (and unreadable records) are reported in stream order,
so Lambda — or the local pump — retries from the lowest failed one and later parks what keeps
failing in the dead-letter queue. The event id is every consumer's idempotency key, so a retried or
twice-delivered record changes nothing twice. A consumer never swallows an error: it reports it.

Why not AWS Lambda Powertools' BatchProcessor: see docs/architecture.md ("One stream path").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters
    from chalicelib.storage import tickets as stored
    from chalicelib.storage.tickets import EventRecord, StreamRecord
else:  # the parser and the record type come with the ticket store (PynamoDB): loaded by the first batch
    stored = on_first_use("chalicelib.storage.tickets")

log = logging.getLogger("hotline.streams")

# Chalice needs a stream ARN when a handler is declared; the deployed one is set by the merged
# template (infra/resources.yaml overrides each handler's event source with the table's StreamArn)
# and the local pump maps this name to the emulator's stream. Nothing reads the environment here.
EVENTS_STREAM = "arn:aws:dynamodb:region:account:table/TicketEvents/stream/from-infra-resources-yaml"


Consumer = Callable[["Adapters", "list[StreamRecord]", datetime], set[str]]
"""Handles a batch of events; returns the sequence numbers of the records that failed."""


def parse(batch: Mapping[str, Any]) -> tuple[list[StreamRecord], list[str], set[str]]:
    """(parsed INSERT records, every INSERT sequence number in stream order, unreadable ones)."""
    records: list[StreamRecord] = []
    order: list[str] = []
    unreadable: set[str] = set()
    for raw in batch.get("Records", []):
        if raw.get("eventName") != "INSERT":
            continue  # the history is append-only: only new events matter
        ddb = raw.get("dynamodb") or {}
        sequence = str(ddb.get("SequenceNumber"))
        order.append(sequence)
        try:
            records.append(stored.StreamRecord(sequence, stored.event_from_image(ddb["NewImage"])))
        except Exception:  # an unreadable record is reported, never dropped
            log.exception("stream record %s: unreadable image", sequence)
            unreadable.add(sequence)
    return records, order, unreadable


def process_batch(consumer: Consumer, batch: Mapping[str, Any], deps: Adapters, now: datetime) -> dict[str, Any]:
    """Run one consumer on a Lambda-shaped batch → `{"batchItemFailures": [{"itemIdentifier": seq}]}`."""
    records, order, failed = parse(batch)
    try:
        failed |= consumer(deps, records, now)
    except Exception:  # the consumer itself broke: every record of the batch is retried
        log.exception("stream consumer %s failed on a batch of %d", getattr(consumer, "__name__", consumer), len(order))
        failed = set(order)
    if failed:
        log.warning("stream batch: %d of %d record(s) failed", len(failed), len(order))
    return {"batchItemFailures": [{"itemIdentifier": seq} for seq in order if seq in failed]}


def replay(consumer: Consumer, events: list[EventRecord], deps: Adapters, now: datetime) -> set[str]:
    """Run a consumer on events read back from the event log (a redrive); the ids of those that failed.

    The same consumers as the stream's, on the same parsed events, keyed by event id instead of a
    stream sequence number (the stream records are gone; the log is the source of truth).
    """
    records = [stored.StreamRecord(str(e["event_id"]), e) for e in events]
    try:
        return set(consumer(deps, records, now))
    except Exception:  # the consumer itself broke: every event is reported
        log.exception("replay through %s failed on %d event(s)", getattr(consumer, "__name__", consumer), len(records))
        return {r.sequence for r in records}


def each_event(handle: Callable[[Adapters, EventRecord, datetime], object]) -> Consumer:
    """A consumer that handles records one by one; a failing record fails alone."""

    def consume(deps: Adapters, records: list[StreamRecord], now: datetime) -> set[str]:
        failed: set[str] = set()
        for record in records:
            try:
                handle(deps, record.event, now)
            except Exception:  # reported as this record's failure, retried by the stream
                log.exception("%s failed for %s", getattr(handle, "__name__", handle), record.event["event_id"])
                failed.add(record.sequence)
        return failed

    consume.__name__ = getattr(handle, "__name__", "consume")
    return consume
