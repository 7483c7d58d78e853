"""6. Archive: stream-handler throughput (events/s) and S3 requests per event.

Fresh events are made in-process (tickets through a whole life), read back from the TicketEvents
stream in Lambda's record shape (`infra.local_stack.lambda_record`) and handed, in batches of 100
as Lambda would, to the archive consumer through the one stream path
(`chalicelib.handlers.streams.process_batch(chalicelib.services.archive.handle_records, …)`).
Only that call's time is measured; S3 requests are the archive store's own count
(`deps.archive_store.request_counts()`). Minimum: one S3 PutObject per event at its bare floor (a
batching archive can do better than that "minimum"; the ratio then drops below 1).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bench.counting import COUNTER
from bench.figures import Figure
from bench.harness import Bench

SECTION = "6 archive"
BATCH = 100


def _events(bench: Bench, tickets: int) -> None:
    from bench.data import CALL, CALLBACK, PAYLOAD, REPLY
    from chalicelib.domain.model import Actor
    from chalicelib.services import tickets as svc

    deps = bench.deps
    op, uh = Actor("op1", "operator", None, "王敏"), Actor("uh1", "unit_handler", "U001", "周海")
    steps = [
        ("dispatch", op, {"unit_id": "U001", "call": CALL}),
        ("sign", uh, {}),
        ("reply", uh, {"sections": REPLY}),
        ("review", op, {"approve": True}),
        ("callback", op, CALLBACK),
        ("submit", op, {}),
        ("close", op, {}),
    ]
    for _ in range(tickets):  # a whole life each: 8 events, one of them `closed` (which archives a package)
        now = datetime.now(UTC)
        t, _ = svc.create_ticket(deps, op, dict(PAYLOAD), now)
        for verb, actor, body in steps:
            svc.act(deps, actor, t.ticket_id, verb, body, now)


class _Stream:
    """The TicketEvents stream from now on, read as Lambda receives it."""

    def __init__(self, bench: Bench) -> None:
        from infra import emulator

        out = bench.stack.outputs
        self.arn, self.region = out["events_stream_arn"], out["region"]
        self.client = emulator.client("dynamodbstreams", out["endpoint_url"], out["region"])
        shards = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        self.iterators = [
            self.client.get_shard_iterator(StreamArn=self.arn, ShardId=s["ShardId"], ShardIteratorType="LATEST")[
                "ShardIterator"
            ]
            for s in shards
        ]

    def read(self) -> list[dict[str, Any]]:
        from infra.local_stack import lambda_record

        records = []
        for i, it in enumerate(self.iterators):
            while True:
                page = self.client.get_records(ShardIterator=it, Limit=1000)
                it = page["NextShardIterator"]
                if not page["Records"]:
                    break
                records += [lambda_record(r, self.arn, self.region) for r in page["Records"]]
            self.iterators[i] = it
        return records


def _put_floor_ms(bench: Bench) -> float:
    """p50 of a bare PutObject to the archive bucket."""
    from infra import emulator

    s3 = emulator.client("s3", bench.stack.endpoint, bench.stack.outputs["region"])
    bucket = bench.stack.outputs["archive_bucket"]
    floor = []
    for i in range(20):
        started = time.perf_counter()
        s3.put_object(Bucket=bucket, Key=f"bench-floor/{i}", Body=b"{}")
        floor.append((time.perf_counter() - started) * 1000)
    return sorted(floor)[len(floor) // 2]


def run(bench: Bench) -> list[Figure]:
    from chalicelib.handlers.streams import process_batch
    from chalicelib.services.archive import handle_records

    deps = bench.deps
    put_ms = _put_floor_ms(bench)
    stream = _Stream(bench)
    tickets = 5 if bench.cfg.quick else 25
    rates, s3_per, ddb_per = [], [], []
    s3_ops: dict[str, int] = {}
    records: list[dict[str, Any]] = []
    failures = 0
    for _ in range(bench.cfg.reps):
        _events(bench, tickets)
        records = stream.read()
        failures = 0
        deps.archive_store.reset_request_counts()
        started = time.perf_counter()
        with COUNTER.measure() as tally:
            for k in range(0, len(records), BATCH):
                result = process_batch(handle_records, {"Records": records[k : k + BATCH]}, deps, datetime.now(UTC))
                failures += len(result["batchItemFailures"])
        took = time.perf_counter() - started
        s3_ops = deps.archive_store.request_counts()
        rates.append(len(records) / took)
        s3_per.append(sum(s3_ops.values()) / max(len(records), 1))
        ddb_per.append(tally.total("dynamodb") / max(len(records), 1))
    note = (
        f"{len(records)} events per run ({tickets} whole lives) in batches of {BATCH}; "
        f"S3 ops {s3_ops}; failed records {failures}"
    )
    return [
        Figure(
            "archive.rate",
            "archive stream handler throughput",
            "events/s",
            rates,
            better="higher",
            minimum=1000 / put_ms,
            minimum_basis="1000 ms / bare PutObject floor",
            section=SECTION,
            note=note,
        ),
        Figure(
            "archive.s3_per_event",
            "S3 requests per event",
            "requests",
            s3_per,
            minimum=1,
            minimum_basis="one PutObject per event",
            section=SECTION,
        ),
        Figure("archive.ddb_per_event", "DynamoDB requests per event", "requests", ddb_per, section=SECTION),
    ]
