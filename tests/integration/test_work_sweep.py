"""R-WORK-03/05: the office-work sweep reads only what is due — its DynamoDB requests do not grow with
the items that are done (moto)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import work
from chalicelib.domain.model import Actor
from chalicelib.services import work as svc
from chalicelib.services.sweep import count_requests
from chalicelib.storage.table import Item

LEADER = Actor("leader1", "leader", name="陈建国")
OP1 = Actor("op1", "operator", name="王敏")


def _done_items(deps: Any, count: int, now: datetime) -> None:
    cal = deps.contexts.load(now).calendar
    body = {"title": "已办结事项", "owner_id": "op1", "deadline": (now + timedelta(days=2)).isoformat()}
    items = []
    for _ in range(count):
        item = work.new_action(f"A-bulk-{uuid.uuid4().hex}", body, LEADER, now, cal)
        items.append(Item(svc.ACTION, item["id"], work.complete(item, {}, OP1, now)))
    deps.table.put_many(items)


def _measure(deps: Any, now: datetime) -> dict[str, int]:
    deps.contexts.load(now)
    deps.contexts.names()
    with count_requests(deps.dynamodb_clients()) as requests:
        svc.sweep(deps, now)
    return dict(requests.ops)


def test_r_work_03_sweep_requests_do_not_grow_with_done_items(deps: Any, seeded: Any) -> None:
    now = datetime.now(UTC) + timedelta(days=400)  # everything the session left pending is due: settle it
    svc.sweep(deps, now)
    _done_items(deps, 100, now)
    at_100 = _measure(deps, now)
    _done_items(deps, 2000, now)
    at_2100 = _measure(deps, now)
    assert at_100 == at_2100, (at_100, at_2100)
    assert at_100.get("Query") == 1 and "Scan" not in at_100, at_100
