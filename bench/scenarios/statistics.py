"""7. Statistics: DynamoDB items read for one month's county figures, at each table size.

The bulk tickets all fall in one month (`bench_month`), and the live counters were moved for
their whole history, exactly as transactions would have. The figures are those of
`chalicelib.services.stats.monthly(deps, month, "county")`. Minimum: one Query of the month's
county counter partition, i.e. the number of counter items in it (independent of the ticket
count); wall time beside that Query made bare.
"""

from __future__ import annotations

import time
from typing import Any

from bench.counting import COUNTER
from bench.figures import Figure
from bench.harness import Bench
from bench.scenarios.floors import raw_dynamodb

SECTION = "7 statistics"


def county_figures(bench: Bench, month: str) -> dict[str, Any]:
    """The county figures of one month, as GET /stats/monthly computes them."""
    from chalicelib.services.stats import monthly

    return monthly(bench.deps, month, "county")


def _county_partition(bench: Bench, month: str) -> tuple[int, float]:
    ddb = raw_dynamodb(bench)
    started = time.perf_counter()
    resp = ddb.query(
        TableName=bench.stack.outputs["counters_table"],
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": f"{month}#county"}},
    )
    return int(resp["Count"]), (time.perf_counter() - started) * 1000


def at_size(bench: Bench, size: int) -> list[Figure]:
    month = bench.bulk.month
    n_items, _ = _county_partition(bench, month)
    label = f"county figures of {month} @ {size:,} tickets"
    items, requests, walls, bare = [], [], [], []
    for _ in range(bench.cfg.reps):
        started = time.perf_counter()
        with COUNTER.measure() as tally:
            county_figures(bench, month)
        walls.append((time.perf_counter() - started) * 1000)
        items.append(float(tally.items_read))
        requests.append(float(tally.total("dynamodb")))
        bare.append(_county_partition(bench, month)[1])
    return [
        Figure(
            f"stats.items.{size}",
            f"items read, {label}",
            "items",
            items,
            minimum=n_items,
            minimum_basis="one Query of the month's county counters",
            section=SECTION,
        ),
        Figure(
            f"stats.requests.{size}",
            f"DynamoDB requests, {label}",
            "requests",
            requests,
            minimum=1,
            minimum_basis="one Query",
            section=SECTION,
        ),
        Figure(
            f"stats.wall.{size}",
            f"wall, {label}",
            "ms",
            walls,
            minimum=sorted(bare)[len(bare) // 2],
            minimum_basis="that Query, bare",
            section=SECTION,
        ),
    ]


def summarise(bench: Bench, figures: list[Figure]) -> list[Figure]:
    return figures
