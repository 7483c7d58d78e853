"""3. Deadline sweep: one sweep with `sweep_due` tickets due among N closed ones, and a big one.

Due tickets are real-shaped open tickets whose dispatch warning fell due 45 minutes ago (the next
alert, dispatch overdue, is 75 minutes away, so one sweep clears them). Fresh ones are written
before every repetition. The due tickets come whole from the index's projection, so the minimum
requests are the 8 open-deadline shard queries plus one transaction per due ticket (the index's
further pages are the ≤ 5 % the target allows). Minimum wall time: the same 8 queries made bare
at this size plus, per due ticket, one TransactWriteItems floor (sequential: the sweep's pool of
workers may beat it). The sweep is `chalicelib.services.sweep.run_sweep(deps, now)`, the
deadline_sweep schedule's body; its pool size is `Settings.sweep_workers` (SWEEP_WORKERS).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from bench.counting import COUNTER
from bench.figures import Figure
from bench.harness import Bench
from bench.scenarios.floors import raw_dynamodb

SECTION = "3 deadline sweep"
SHARDS = 8


def _bare_shard_queries(bench: Bench, now: datetime) -> float:
    ddb = raw_dynamodb(bench)
    started = time.perf_counter()
    for shard in range(SHARDS):
        ddb.query(
            TableName=bench.stack.outputs["tickets_table"],
            IndexName="open_deadline",
            KeyConditionExpression="deadline_shard = :s AND next_alert_at <= :t",
            ExpressionAttributeValues={":s": {"S": f"OPEN#{shard}"}, ":t": {"S": now.isoformat()}},
            Limit=200,
        )
    return (time.perf_counter() - started) * 1000


def _processed(bench: Bench, ids: list[str]) -> int:
    """How many of the tickets a sweep has moved on (their version went past 1)."""
    tables = bench.deps.tables
    assert tables is not None
    return sum(1 for t in tables.tickets.batch_get(ids) if (t.version or 0) > 1)


def _measure(bench: Bench, due: int, reps: int, label: str, key: str) -> list[Figure]:
    from chalicelib.services.sweep import run_sweep

    walls, requests, items, bare, done = [], [], [], [], []
    ops: dict[str, int] = {}
    for _ in range(reps):
        ids = bench.bulk.load_due(due)
        now = datetime.now(UTC)
        bare.append(_bare_shard_queries(bench, now))
        started = time.perf_counter()
        with COUNTER.measure() as tally:
            run_sweep(bench.deps, now)
        walls.append(time.perf_counter() - started)
        requests.append(float(tally.total("dynamodb")))
        items.append(float(tally.items_read))
        done.append(_processed(bench, ids))
        ops = tally.ops("dynamodb")
    fl = bench.floors
    min_wall = (sorted(bare)[len(bare) // 2] + due * fl["tx"]) / 1000
    workers = bench.deps.settings.sweep_workers
    per_due = [w * 1000 / due for w in walls]
    note = f"processed {min(done)}–{max(done)} of {due} per run; {workers} workers; ops {ops}"
    return [
        Figure(
            f"sweep.wall.{key}",
            f"sweep wall, {label}",
            "s",
            walls,
            minimum=min_wall,
            minimum_basis="8 bare shard queries at this size + due × TransactWriteItems floor",
            section=SECTION,
            note=note,
        ),
        Figure(
            f"sweep.per_due.{key}",
            f"sweep wall per due ticket, {label}",
            "ms",
            per_due,
            minimum=fl["tx"],
            minimum_basis="one TransactWriteItems floor (the alert's transaction)",
            section=SECTION,
        ),
        Figure(
            f"sweep.requests.{key}",
            f"sweep DynamoDB requests, {label}",
            "requests",
            requests,
            minimum=SHARDS + due,
            minimum_basis="8 shard queries + due × 1 transaction (the index's copy, no read)",
            section=SECTION,
        ),
        Figure(
            f"sweep.items.{key}",
            f"sweep items read, {label}",
            "items",
            items,
            minimum=due,
            minimum_basis="the due tickets from the index, once each",
            section=SECTION,
        ),
    ]


def at_size(bench: Bench, size: int) -> list[Figure]:
    due = bench.cfg.sweep_due
    label = f"{due} due among {size:,} closed"
    return _measure(bench, due, 1 if bench.cfg.quick else 3, label, str(size))


def many_due(bench: Bench, due: int) -> list[Figure]:
    """One sweep with `due` tickets due among the largest size: ids `sweep.*.many` for the first size
    configured (full 3,000, quick 300: what earlier runs reported), `sweep.*.many{n}` for the others
    (10,000: `many10000`, the target)."""
    size = bench.cfg.sizes[-1]
    label = f"{due:,} due among {size:,} closed"
    key = "many" if due == bench.cfg.sweep_many_due[0] else f"many{due}"
    return _measure(bench, due, 1, label, key)


def summarise(bench: Bench, figures: list[Figure]) -> list[Figure]:
    by_id = {f.id: f for f in figures}
    lo, hi = bench.cfg.sizes[0], bench.cfg.sizes[-1]
    a, b = by_id.get(f"sweep.wall.{lo}"), by_id.get(f"sweep.wall.{hi}")
    out = list(figures)
    if a and b and a.ok and b.ok and a.minimum and b.minimum:
        out.append(
            Figure(
                "sweep.growth",
                f"sweep wall growth {lo:,} → {hi:,} closed",
                "×",
                [(b.median or 0) / (a.median or 1)],
                minimum=b.minimum / a.minimum,
                minimum_basis="growth of the bare minimum on moto (≈1.0 on DynamoDB)",
                section=SECTION,
            )
        )
    return out
