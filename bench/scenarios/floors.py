"""Floors: the bare cost of one HTTP round-trip and one DynamoDB request on this machine.

The minimum of every latency figure is built from these, measured in the same run, so a slower
or faster machine moves figure and minimum together and the ratio stays comparable.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from bench.figures import Figure
from bench.harness import Bench, p50

SECTION = "floors (bare requests on this machine)"
SAMPLES = 40


def raw_dynamodb(bench: Bench) -> Any:
    """A plain botocore client on the moto endpoint (no app code in between)."""
    from infra import emulator

    return emulator.client("dynamodb", bench.stack.endpoint, bench.stack.outputs["region"])


def _ms(fn: Any) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def run(bench: Bench) -> list[Figure]:
    out = bench.stack.outputs
    ddb = raw_dynamodb(bench)
    directory, counters = out["directory_table"], out["counters_table"]
    ddb.put_item(TableName=directory, Item={"pk": {"S": "BENCH#floor"}, "sk": {"S": "x"}, "data": {"S": "{}"}})
    samples = SAMPLES if not bench.cfg.quick else 25
    runs: dict[str, list[float]] = {"http": [], "get": [], "update": [], "tx": [], "query": []}
    for _ in range(bench.cfg.reps):
        http = [bench.timed_http("GET", "/health")[0] for _ in range(samples)]
        get = [
            _ms(
                lambda: ddb.get_item(
                    TableName=directory, Key={"pk": {"S": "BENCH#floor"}, "sk": {"S": "x"}}, ConsistentRead=True
                )
            )
            for _ in range(samples)
        ]
        update = [
            _ms(
                lambda: ddb.update_item(
                    TableName=counters,
                    Key={"pk": {"S": "BENCH#floor"}, "sk": {"S": "n#0"}},
                    UpdateExpression="ADD n :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )
            )
            for _ in range(samples)
        ]

        def tx() -> None:
            sk = uuid.uuid4().hex
            ddb.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": directory,
                            "Item": {"pk": {"S": "BENCH#tx"}, "sk": {"S": sk}, "data": {"S": "{}"}},
                            "ConditionExpression": "attribute_not_exists(sk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": directory,
                            "Item": {"pk": {"S": "BENCH#tx2"}, "sk": {"S": sk}, "data": {"S": "{}"}},
                            "ConditionExpression": "attribute_not_exists(sk)",
                        }
                    },
                    {
                        "Update": {
                            "TableName": counters,
                            "Key": {"pk": {"S": "BENCH#floor"}, "sk": {"S": "n#1"}},
                            "UpdateExpression": "ADD n :one",
                            "ExpressionAttributeValues": {":one": {"N": "1"}},
                        }
                    },
                ]
            )

        txs = [_ms(tx) for _ in range(samples)]
        query = [
            _ms(
                lambda: ddb.query(
                    TableName=directory,
                    KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "UNIT"}},
                    Limit=20,
                )
            )
            for _ in range(samples)
        ]
        for key, values in (("http", http), ("get", get), ("update", update), ("tx", txs), ("query", query)):
            runs[key].append(p50(values))
    labels = {
        "http": "HTTP round-trip: GET /health via chalice local (p50)",
        "get": "DynamoDB GetItem, bare (p50)",
        "update": "DynamoDB UpdateItem ADD, bare (p50)",
        "tx": "DynamoDB TransactWriteItems 2 puts + 1 update, bare (p50)",
        "query": "DynamoDB Query 3 items, small table, bare (p50)",
    }
    figures = []
    for key, label in labels.items():
        fig = Figure(f"floor.{key}", label, "ms", runs[key], section=SECTION)
        bench.floors[key] = fig.median or 0.0
        figures.append(fig)
    return figures
