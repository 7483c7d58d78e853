"""6. Archive: stream-handler throughput (events/s) and S3 requests per event.

Fresh events are made in-process (tickets through a whole life), read back from the TicketEvents
stream in Lambda's record shape (`infra.local_stack.lambda_record`) and handed, in batches of 100
as Lambda would, to the archive consumer through the one stream path
(`chalicelib.handlers.streams.process_batch(chalicelib.services.archive.handle_records, …)`).

The consumer runs in a worker process of its own (`python -m bench.scenarios.archive FILE`) on the
app's adapters, as a Lambda runs beside S3 and DynamoDB: the emulator's request handling stays in
the bench process, so the consumer's parallel puts are not serialised with it on one interpreter
lock. The bare PutObject floor is measured from the same worker, one request at a time, ten before
each run and ten after the last (the median of them all: the floor in the runs' own conditions). Only the
`process_batch` calls are timed; S3 requests are the archive store's own count
(`deps.archive_store.request_counts()`), DynamoDB requests the worker's request counter. Minimum:
one S3 PutObject per event at its bare floor (a batching archive can do better than that "minimum";
the ratio then drops below 1).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.counting import COUNTER
from bench.figures import Figure
from bench.harness import Bench
from bench.stack import ROOT

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


def _put_floor_samples(s3: Any, bucket: str, n: int) -> list[float]:
    """Milliseconds of `n` bare PutObjects to the archive bucket, one at a time."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        s3.put_object(Bucket=bucket, Key=f"bench-floor/{os.getpid()}-{time.time_ns()}", Body=b"{}")
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def run(bench: Bench) -> list[Figure]:
    """Events for every repetition, then one worker process that measures the floor and the consumer."""
    tickets = 5 if bench.cfg.quick else 25
    stream = _Stream(bench)
    reps = []
    for _ in range(bench.cfg.reps + 1):  # the first warms the worker up, unmeasured
        _events(bench, tickets)
        reps.append(stream.read())
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as tmp:
        work = Path(tmp) / "records.json"
        work.write_text(json.dumps(reps), encoding="utf-8")  # Lambda's records are JSON
        proc = subprocess.run(
            [sys.executable, "-m", "bench.scenarios.archive", str(work)],
            cwd=ROOT,
            env={**os.environ, **bench.stack.env},
            capture_output=True,
            text=True,
            timeout=600,
        )
    if proc.returncode != 0:
        raise RuntimeError(f"the archive worker failed: {proc.stderr[-3000:]}")
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    runs = measured["runs"]
    events = runs[-1]["events"]
    note = (
        f"{events} events per run ({tickets} whole lives) in batches of {BATCH}, in a worker process; "
        f"bare PutObject {measured['put_ms']:.2f} ms; "
        f"S3 ops {runs[-1]['s3_ops']}; DynamoDB ops {runs[-1]['ddb_ops']}; failed records {runs[-1]['failures']}"
    )
    return [
        Figure(
            "archive.rate",
            "archive stream handler throughput",
            "events/s",
            [r["events"] / r["seconds"] for r in runs],
            better="higher",
            minimum=1000 / measured["put_ms"],
            minimum_basis="1000 ms / bare PutObject floor",
            section=SECTION,
            note=note,
        ),
        Figure(
            "archive.s3_per_event",
            "S3 requests per event",
            "requests",
            [sum(r["s3_ops"].values()) / max(r["events"], 1) for r in runs],
            minimum=1,
            minimum_basis="one PutObject per event",
            section=SECTION,
        ),
        Figure(
            "archive.ddb_per_event",
            "DynamoDB requests per event",
            "requests",
            [sum(r["ddb_ops"].values()) / max(r["events"], 1) for r in runs],
            section=SECTION,
        ),
    ]


def worker(path: Path) -> dict[str, Any]:
    """In the worker process: the floor, then each repetition's records through the consumer, timed."""
    COUNTER.install()  # before the app's clients exist
    from chalicelib import bootstrap
    from chalicelib.config import Settings
    from chalicelib.handlers.streams import process_batch
    from chalicelib.services.archive import handle_records
    from infra import emulator

    emulator.use_dummy_credentials()
    settings = Settings.from_env(dict(os.environ))
    deps = bootstrap.build(settings)
    s3 = emulator.client("s3", str(settings.endpoint_url), settings.region)
    _put_floor_samples(s3, settings.archive_bucket, 5)  # a fresh client's first requests set it up: not counted
    floor: list[float] = []
    runs = []

    def deliver(records: list[dict[str, Any]]) -> int:
        """The records through the consumer in Lambda's batches; how many failed."""
        failed = 0
        for k in range(0, len(records), BATCH):
            result = process_batch(handle_records, {"Records": records[k : k + BATCH]}, deps, datetime.now(UTC))
            failed += len(result["batchItemFailures"])
        return failed

    warm_up, *measured = json.loads(path.read_text(encoding="utf-8"))
    deliver(warm_up)  # a Lambda serves batch after batch: clients, connections and caches set up unmeasured
    for records in measured:
        floor += _put_floor_samples(s3, settings.archive_bucket, 10)  # beside each run, in its conditions
        deps.archive_store.reset_request_counts()
        started = time.perf_counter()
        with COUNTER.measure() as tally:
            failures = deliver(records)
        took = time.perf_counter() - started
        runs.append(
            {
                "events": len(records),
                "seconds": took,
                "s3_ops": deps.archive_store.request_counts(),
                "ddb_ops": tally.ops("dynamodb"),
                "failures": failures,
            }
        )
    floor += _put_floor_samples(s3, settings.archive_bucket, 10)
    return {"put_ms": sorted(floor)[len(floor) // 2], "runs": runs}


if __name__ == "__main__":
    print(json.dumps(worker(Path(sys.argv[1]))))  # noqa: T201 - the parent reads this line
