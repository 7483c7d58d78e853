"""The archive consumer's request budget per close (docs/operations.md "Throughput and request budget"): with
the batch holding the ticket's whole history, a package costs 1 Query for the newest version, 1 GetItem for
the caller's ciphertext and the ticket's key together, 1 Query for the evidence, 1 TransactWriteItems for the
search entries and the version, and 1 conditional PutItem for the retention schedule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from chalicelib import bootstrap
from tests.helpers.streams import AUDIT, deliver, stream_records
from tests.helpers.tickets import closed_ticket


def test_a_close_is_archived_within_its_request_budget(deps: Any, seeded: Any) -> None:
    consumer = bootstrap.build(deps.settings)  # a consumer's own adapters, as a Lambda's: no ticket's key known
    now = datetime.now(UTC)
    warm = closed_ticket(deps, now)  # its context and names caches filled first, as in a running consumer
    assert deliver(consumer, AUDIT, stream_records(deps, warm))["batchItemFailures"] == []
    tid = closed_ticket(deps, now)
    records = stream_records(deps, tid)
    ops: Counter[str] = Counter()

    def count(model: Any = None, **_: Any) -> None:  # every thread of the consumer's pools
        ops[model.name] += 1

    clients = consumer.dynamodb_clients()
    for client in clients:
        client.meta.events.register("before-call.dynamodb", count, unique_id="archive-budget")
    try:
        result = deliver(consumer, AUDIT, records)
    finally:
        for client in clients:
            client.meta.events.unregister("before-call.dynamodb", unique_id="archive-budget")
    assert result["batchItemFailures"] == []
    assert deps.archive_index.latest(tid) is not None
    assert dict(ops) == {"Query": 2, "GetItem": 1, "TransactWriteItems": 1, "PutItem": 1}
