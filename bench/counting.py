"""Count AWS requests with botocore event hooks (`before-call` / `after-call` on every client).

Installed before the app's adapters are built (`chalicelib.bootstrap.build`): every botocore client
created afterwards (the bound PynamoDB tables' connections, the boto3 clients of
`chalicelib.integrations.aws.AwsClients`) gets the two hooks, so DynamoDB, S3, KMS, SNS … requests
made in this process are all seen.

Consumed capacity: moto answers `ReturnConsumedCapacity` with constants (0.5 / 1.0 per call),
which says nothing. The counter therefore *estimates* what DynamoDB would charge from the item
sizes on the wire (4 KB read units, 1 KB write units, ×2 in transactions, ×0.5 eventually
consistent; an UpdateItem is counted as 1 WCU because its item size is not on the wire).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import botocore.session

_installed = False


@dataclass
class Tally:
    """Requests and what they touched, for one measured stretch."""

    requests: Counter[str] = field(default_factory=Counter)  # "dynamodb.GetItem" -> n
    items_read: int = 0
    items_written: int = 0
    rcu: float = 0.0
    wcu: float = 0.0
    reported_capacity: float = 0.0  # what the endpoint said (moto: meaningless constants)

    def total(self, service: str | None = None) -> int:
        """Requests to one service (or all)."""
        return sum(n for k, n in self.requests.items() if service is None or k.split(".", 1)[0] == service)

    def ops(self, service: str) -> dict[str, int]:
        """Requests per operation of one service."""
        return {k.split(".", 1)[1]: n for k, n in sorted(self.requests.items()) if k.startswith(service + ".")}

    def add(self, other: Tally) -> None:
        self.requests.update(other.requests)
        self.items_read += other.items_read
        self.items_written += other.items_written
        self.rcu += other.rcu
        self.wcu += other.wcu
        self.reported_capacity += other.reported_capacity


class RequestCounter:
    """Process-wide counter; `measure()` gives the tally of one stretch of code."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: list[Tally] = []

    # ------------------------------------------------------------------ install

    def install(self) -> None:
        """Hook every botocore client created from now on (idempotent)."""
        global _installed
        if _installed:
            return
        _installed = True
        original = botocore.session.Session.create_client
        counter = self

        def create_client(session: Any, *args: Any, **kwargs: Any) -> Any:
            client = original(session, *args, **kwargs)
            counter.hook(client)
            return client

        botocore.session.Session.create_client = create_client  # type: ignore[method-assign]

    def hook(self, client: Any) -> None:
        """Register the two hooks on one client."""
        client.meta.events.register("before-call", self._before)
        client.meta.events.register("after-call", self._after)

    # ------------------------------------------------------------------ measure

    @contextmanager
    def measure(self) -> Iterator[Tally]:
        """Everything requested (by any thread of this process) inside the block."""
        tally = Tally()
        with self._lock:
            self._active.append(tally)
        try:
            yield tally
        finally:
            with self._lock:
                self._active.remove(tally)

    # ------------------------------------------------------------------ hooks

    def _before(self, model: Any = None, params: Any = None, context: Any = None, **_: Any) -> None:
        if model is None or context is None:
            return
        service = model.service_model.endpoint_prefix
        context["_bench_key"] = f"{service}.{model.name}"
        if service == "dynamodb" and isinstance(params, dict) and params.get("body"):
            try:
                body = params["body"]
                context["_bench_body"] = json.loads(body if isinstance(body, (str, bytes)) else bytes(body))
            except (TypeError, ValueError):
                context["_bench_body"] = {}

    def _after(self, model: Any = None, parsed: Any = None, context: Any = None, **_: Any) -> None:
        if context is None or "_bench_key" not in context:
            return
        key = context["_bench_key"]
        with self._lock:
            if not self._active:
                return
            active = list(self._active)
        delta = Tally()
        delta.requests[key] += 1
        if key.startswith("dynamodb."):
            _dynamodb_costs(key.split(".", 1)[1], context.get("_bench_body") or {}, parsed or {}, delta)
        with self._lock:
            for tally in active:
                tally.add(delta)


# ---------------------------------------------------------------------- DynamoDB sizing rules


def item_size(item: dict[str, Any] | None) -> int:
    """Bytes DynamoDB counts for an item in wire format (names + values)."""
    if not item:
        return 0
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: dict[str, Any]) -> int:
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = v.lstrip("-").replace(".", "").strip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(v) * 3 // 4
    if kind in ("BOOL", "NULL"):
        return 1
    if kind in ("SS", "NS", "BS"):
        return sum(_value_size({kind[0]: x}) for x in v)
    if kind == "L":
        return 3 + sum(1 + _value_size(x) for x in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + 1 + _value_size(x) for k, x in v.items())
    return 0


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


def _write_units(size: int) -> float:
    return float(max(1, math.ceil(size / 1024)))


def _dynamodb_costs(op: str, body: dict[str, Any], parsed: dict[str, Any], t: Tally) -> None:
    reported = parsed.get("ConsumedCapacity")
    for cap in reported if isinstance(reported, list) else [reported] if reported else []:
        t.reported_capacity += float(cap.get("CapacityUnits") or 0)
    consistent = bool(body.get("ConsistentRead"))
    if op == "GetItem":
        item = parsed.get("Item")
        t.items_read += 1 if item else 0
        t.rcu += _read_units(item_size(item), consistent)
    elif op in ("Query", "Scan"):
        items = parsed.get("Items") or []
        scanned = int(parsed.get("ScannedCount") or len(items))
        size = sum(item_size(i) for i in items)
        if scanned > len(items):  # filtered away: charged too; assume the same average size
            size += (scanned - len(items)) * (size / len(items) if items else 1024)
        t.items_read += scanned
        t.rcu += _read_units(int(size), consistent)
    elif op == "BatchGetItem":
        for items in (parsed.get("Responses") or {}).values():
            t.items_read += len(items)
            t.rcu += sum(_read_units(item_size(i), False) for i in items)
    elif op == "TransactGetItems":
        for r in parsed.get("Responses") or []:
            t.items_read += 1
            t.rcu += 2 * _read_units(item_size(r.get("Item")), True)
    elif op == "PutItem":
        t.items_written += 1
        t.wcu += _write_units(item_size(body.get("Item")))
    elif op in ("UpdateItem", "DeleteItem"):
        t.items_written += 1
        t.wcu += 1.0
    elif op == "BatchWriteItem":
        for requests in (body.get("RequestItems") or {}).values():
            for r in requests:
                t.items_written += 1
                t.wcu += _write_units(item_size((r.get("PutRequest") or {}).get("Item")))
    elif op == "TransactWriteItems":
        for entry in body.get("TransactItems") or []:
            ((kind, spec),) = entry.items()
            if kind == "ConditionCheck":
                t.items_read += 1
                t.rcu += 2.0
            else:
                t.items_written += 1
                t.wcu += 2 * _write_units(item_size(spec.get("Item")) if kind == "Put" else 0)


COUNTER = RequestCounter()
