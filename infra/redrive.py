"""`make redrive`: hand what the TicketEvents stream handlers gave up on back to the same consumers.

    python -m infra.redrive [--dead-letter-dir DIR] [--moto-endpoint URL]        # local (`make run`)
    python -m infra.redrive --queue-url URL [--margin-minutes 15] [--max-messages 100]   # cloud

Local: the stack's stream pump writes each batch that still failed after 3 retries to
`.local-data/dead-letter/events-{consumer}-{first sequence}.json` (the consumer's name and the
Lambda-shaped records). Each file is replayed through that consumer with
`handlers.streams.process_batch` and removed only when its whole batch succeeded.

Cloud: the stream handlers' on-failure destination is the SQS AuditDeadLetterQueue, whose messages
are pointers, not records (`DDBStreamBatchInfo`: shard, sequence-number range, approximate arrival of
the first and last record; the records themselves live 24 hours in the stream). Each pointer's time
window, widened by --margin-minutes (an event's `at` is taken before it reaches the stream), becomes
  1. a reconciliation of the Asia/Shanghai days it touches (`services.reconcile.run`): missing audit
     copies and archive packages are rewritten from the event log;
  2. a replay of the window's events (TicketEvents `by_month` Query) through the SMS and the partner
     consumers (`handlers.streams.replay`), which are idempotent by event id: what was sent before is
     not sent again.
A message is deleted only when both succeeded; otherwise it stays in the queue (visible again after
the visibility timeout) and the exit code is 1. Settings come from the environment as for a Lambda
(STAGE, table names, bucket, key …); the local stage with no endpoint means the running local stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from chalicelib import bootstrap
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.handlers import notifications, webhooks
from chalicelib.handlers.streams import Consumer, process_batch, replay
from chalicelib.services import archive, reconcile
from chalicelib.storage.tickets import EventRecord
from infra.recount import adapters

ROOT = Path(__file__).resolve().parents[1]

# The app's TicketEvents stream handlers (their Chalice names, as the local pump labels its files)
# and the consumer each hands its batch to (tests/unit/test_redrive.py keeps this equal to app.py).
CONSUMERS: dict[str, Consumer] = {
    "on_ticket_event": archive.handle_records,
    "notify_from_events": notifications.CONSUMER,
    "partner_events": webhooks.CONSUMER,
}
# Replayed over a pointer's window in the cloud; the audit/archive consumer's work is redone by the
# reconciliation instead (it also covers packages of closes whose records are long gone).
REPLAYED = ("notify_from_events", "partner_events")


# --------------------------------------------------------------------------- local: dead-letter files


def redrive_file(deps: bootstrap.Adapters, path: Path, now: datetime) -> dict[str, Any]:
    """Replay one dead-letter file through its consumer; the file is removed only if all of it succeeded."""
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        name = str(body["consumer"])
        records = list(body["Records"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return {"file": path.name, "removed": False, "error": f"unreadable: {exc}"}
    consumer = CONSUMERS.get(name)
    if consumer is None:
        return {"file": path.name, "consumer": name, "removed": False, "error": "unknown consumer"}
    result = process_batch(consumer, {"Records": records}, deps, now)
    failed = [str(f["itemIdentifier"]) for f in result["batchItemFailures"]]
    if not failed:
        path.unlink()
    return {"file": path.name, "consumer": name, "records": len(records), "failed": failed, "removed": not failed}


def redrive_files(deps: bootstrap.Adapters, directory: Path, now: datetime) -> dict[str, Any]:
    """Replay every dead-letter file of the directory, oldest sequence first within a consumer."""
    results = [redrive_file(deps, path, now) for path in sorted(directory.glob("*.json"))]
    removed = sum(1 for r in results if r["removed"])
    return {"mode": "files", "dir": str(directory), "files": len(results), "removed": removed,
            "kept": len(results) - removed, "results": results}  # fmt: skip


# --------------------------------------------------------------------------- cloud: SQS pointers


@dataclass(frozen=True)
class Pointer:
    """A DynamoDB-stream on-failure record (Lambda's `DDBStreamBatchInfo`), as the DLQ holds it."""

    shard_id: str
    start_sequence: str
    end_sequence: str
    first: datetime  # approximate arrival of the batch's first record
    last: datetime  # … and of its last
    batch_size: int
    stream_arn: str
    function_arn: str
    condition: str


def _instant(text: Any) -> datetime:
    value = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_pointer(body: str) -> Pointer | None:
    """The pointer of an SQS message body, or None when it is not a DynamoDB-stream failure record."""
    try:
        doc = json.loads(body)
        info = doc["DDBStreamBatchInfo"]
        first = _instant(info["approximateArrivalOfFirstRecord"])
        last = _instant(info.get("approximateArrivalOfLastRecord") or info["approximateArrivalOfFirstRecord"])
        context = doc.get("requestContext") or {}
        return Pointer(
            shard_id=str(info.get("shardId", "")),
            start_sequence=str(info.get("startSequenceNumber", "")),
            end_sequence=str(info.get("endSequenceNumber", "")),
            first=min(first, last),
            last=max(first, last),
            batch_size=int(info.get("batchSize") or 0),
            stream_arn=str(info.get("streamArn", "")),
            function_arn=str(context.get("functionArn", "")),
            condition=str(context.get("condition", "")),
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _days(lo: datetime, hi: datetime) -> list[date]:
    day, last = lo.astimezone(SHANGHAI).date(), hi.astimezone(SHANGHAI).date()
    out = []
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


def window_events(deps: bootstrap.Adapters, lo: datetime, hi: datetime) -> list[EventRecord]:
    """Every logged event with lo <= at <= hi (one `by_month` Query per Asia/Shanghai month touched)."""
    start = lo.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    end = hi.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "~"
    months = dict.fromkeys(f"{d:%Y-%m}" for d in _days(lo, hi))
    return [e for month in months for e in deps.tickets.month_events(month, start, end)]


@dataclass
class QueueRedrive:
    """One run over the queue: what was already redone in this run is not redone for the next pointer."""

    deps: bootstrap.Adapters
    now: datetime
    margin: timedelta
    days_done: set[date] = field(default_factory=set)
    events_done: set[str] = field(default_factory=set)

    def pointer(self, pointer: Pointer) -> dict[str, Any]:
        """Reconcile the pointer's days, replay its window's events; `ok` when nothing failed."""
        lo, hi = pointer.first - self.margin, pointer.last + self.margin
        out: dict[str, Any] = {"window": [lo.isoformat(), hi.isoformat()], "shard": pointer.shard_id,
                               "sequence": [pointer.start_sequence, pointer.end_sequence]}  # fmt: skip
        days = _days(lo, hi)
        out["reconcile"] = None
        reconciled_ok = True
        if not set(days) <= self.days_done:
            report = reconcile.run(self.deps, days[0], days[-1], self.now)
            out["reconcile"] = report["counts"]
            reconciled_ok = not (report["counts"]["failed"] or report["counts"]["archives_failed"])
            if reconciled_ok:
                self.days_done.update(days)
        events = [e for e in window_events(self.deps, lo, hi) if e["event_id"] not in self.events_done]
        failed: dict[str, list[str]] = {}
        for name in REPLAYED:
            ids = replay(CONSUMERS[name], events, self.deps, self.now)
            if ids:
                failed[name] = sorted(ids)
        retry = {i for ids in failed.values() for i in ids}
        self.events_done.update(e["event_id"] for e in events if e["event_id"] not in retry)
        out.update(events=len(events), failed=failed, ok=reconciled_ok and not failed)
        return out

    def message(self, body: str) -> dict[str, Any]:
        """Handle one SQS message body."""
        pointer = parse_pointer(body)
        if pointer is None:
            return {"ok": False, "error": "not a DynamoDB-stream failure record (DDBStreamBatchInfo)"}
        expected = self.deps.settings.events_stream_arn
        if expected and pointer.stream_arn and pointer.stream_arn != expected:
            return {"ok": False, "error": f"stream {pointer.stream_arn} is not the TicketEvents stream"}
        return self.pointer(pointer)


def redrive_queue(
    deps: bootstrap.Adapters,
    sqs: Any,
    queue_url: str,
    now: datetime,
    *,
    margin: timedelta = timedelta(minutes=15),
    max_messages: int = 100,
    wait_s: int = 1,
    visibility_s: int = 900,
) -> dict[str, Any]:
    """Receive the queue's pointer messages, redo each window, delete the messages that were handled."""
    run = QueueRedrive(deps, now, margin)
    results: list[dict[str, Any]] = []
    while len(results) < max_messages:
        page = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=min(10, max_messages - len(results)),
            WaitTimeSeconds=wait_s,
            VisibilityTimeout=visibility_s,
        ).get("Messages", [])
        if not page:
            break
        for message in page:
            try:
                handled = run.message(str(message.get("Body", "")))
            except Exception as exc:  # noqa: BLE001 - one bad window must not stop the others; the message stays
                handled = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]}
            outcome = {"message_id": message.get("MessageId"), **handled}
            if outcome["ok"]:  # deleted only once its window was redone
                sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
            outcome["deleted"] = outcome["ok"]
            results.append(outcome)
    deleted = sum(1 for r in results if r["deleted"])
    return {"mode": "queue", "queue_url": queue_url, "received": len(results), "deleted": deleted,
            "kept": len(results) - deleted, "results": results}  # fmt: skip


# --------------------------------------------------------------------------- command line


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line of `python -m infra.redrive`."""
    parser = argparse.ArgumentParser(prog="python -m infra.redrive", description=__doc__.split("\n")[0])
    parser.add_argument("--queue-url", help="cloud: the AuditDeadLetterQueue URL (without it: local files)")
    parser.add_argument("--dead-letter-dir", type=Path, default=ROOT / ".local-data" / "dead-letter")
    parser.add_argument("--moto-endpoint", default="http://127.0.0.1:5000", help="the local stack's moto server")
    parser.add_argument("--margin-minutes", type=float, default=15.0, help="widen each pointer's window by this")
    parser.add_argument("--max-messages", type=int, default=100)
    parser.add_argument("--wait-seconds", type=int, default=1, help="SQS long-poll wait per receive (0–19)")
    parser.add_argument("--visibility-timeout", type=int, default=900, help="seconds a received message is hidden")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one redrive and print its report; 1 when something was kept for later."""
    args = parse_args(argv)
    if args.queue_url:
        deps = adapters(args.moto_endpoint)
        report = redrive_queue(
            deps,
            deps.clients("sqs"),
            args.queue_url,
            deps.clock(),
            margin=timedelta(minutes=args.margin_minutes),
            max_messages=args.max_messages,
            wait_s=args.wait_seconds,
            visibility_s=args.visibility_timeout,
        )
    elif not any(args.dead_letter_dir.glob("*.json")):
        report = {"mode": "files", "dir": str(args.dead_letter_dir), "files": 0, "removed": 0, "kept": 0, "results": []}
    else:
        deps = adapters(args.moto_endpoint)
        report = redrive_files(deps, args.dead_letter_dir, deps.clock())
    json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 1 if report["kept"] else 0


if __name__ == "__main__":
    sys.exit(main())
