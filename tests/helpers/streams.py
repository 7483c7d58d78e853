"""Stream records as Lambda delivers them, and one way to hand them to a consumer (the one stream path)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from chalicelib.handlers import notifications, webhooks
from chalicelib.handlers.streams import Consumer, process_batch
from chalicelib.services import archive

AUDIT: Consumer = archive.handle_records
NOTIFY: Consumer = notifications.CONSUMER
PARTNERS: Consumer = webhooks.CONSUMER

_SEQUENCE = itertools.count(10**20)


def stream_records(
    deps: Any, *ticket_ids: str, types: Sequence[str] | None = None, after_seq: int = 0
) -> list[dict[str, Any]]:
    """The tickets' stored events as Lambda DynamoDB-stream records (INSERT, NewImage), in order."""
    events = deps.tables.events
    out = []
    for tid in ticket_ids:
        for item in events.query(tid, events.seq > after_seq, consistent_read=True):
            if types and item.type not in types:
                continue
            image = item.serialize()
            out.append(
                {
                    "eventID": f"{tid}.{int(item.seq)}",
                    "eventName": "INSERT",
                    "eventVersion": "1.1",
                    "eventSource": "aws:dynamodb",
                    "awsRegion": deps.settings.region,
                    "eventSourceARN": deps.settings.events_stream_arn,
                    "dynamodb": {
                        "ApproximateCreationDateTime": int(datetime.now(UTC).timestamp()),
                        "Keys": {"ticket_id": image["ticket_id"], "seq": image["seq"]},
                        "NewImage": image,
                        "SequenceNumber": f"{next(_SEQUENCE):021d}",
                        "SizeBytes": 100,
                        "StreamViewType": "NEW_AND_OLD_IMAGES",
                    },
                }
            )
    return out


def history_records(deps: Any, *ticket_ids: str) -> list[dict[str, Any]]:
    """The tickets' history as Lambda stream records, from any ticket store (the fakes included)."""
    out: list[dict[str, Any]] = []
    for tid in ticket_ids:
        for e in deps.tickets.history(tid):
            image = {k: {"S": str(v)} for k, v in e.items() if k not in ("seq", "data", "snapshot") and v is not None}
            image.update(
                seq={"N": str(e["seq"])},
                data={"S": json.dumps(e["data"], ensure_ascii=False)},
                snapshot={"S": json.dumps(e["snapshot"], ensure_ascii=False)},
                at_key={"S": f"{e['at']}#{tid}#{e['seq']:06d}"},
            )
            out.append(
                {"eventName": "INSERT", "dynamodb": {"NewImage": image, "SequenceNumber": f"{len(out) + 1:021d}"}}
            )
    return out


def stream_batch(deps: Any, *ticket_ids: str, types: Sequence[str] | None = None, after_seq: int = 0) -> dict[str, Any]:
    """`{"Records": …}` of `stream_records`."""
    return {"Records": stream_records(deps, *ticket_ids, types=types, after_seq=after_seq)}


def deliver(
    deps: Any, consumer: Consumer, batch: dict[str, Any] | list[dict[str, Any]], now: datetime | None = None
) -> dict[str, Any]:
    """Hand a batch (or a list of records) to a consumer through the one stream path."""
    lambda_batch = {"Records": batch} if isinstance(batch, list) else batch
    return process_batch(consumer, lambda_batch, deps, now or datetime.now(UTC))


def lambda_pump(
    handler: Callable[[dict[str, Any]], dict[str, Any]], records: list[dict[str, Any]], retries: int = 3
) -> list[dict[str, Any]]:
    """Lambda's semantics: an exception retries the whole batch, batchItemFailures retry those records;
    after `retries` retries what still fails goes to the dead-letter list (returned)."""
    pending = records
    for _ in range(1 + retries):
        try:
            result = handler({"Records": pending})
        except BaseException:  # noqa: BLE001, S112 - a crashed invocation: the whole batch again
            continue
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
        if not pending:
            return []
    return pending
