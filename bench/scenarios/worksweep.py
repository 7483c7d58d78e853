"""9. Office-work sweep (R-WORK-03/05): its requests follow the due records, not the office's whole history.

`chalicelib.services.work.sweep(deps, now)` (the work_sweep schedule's body) reads only the sparse gsi1 `WORK-DUE`
index: a record is in it while something is pending (an item before its deadline, an undecided approval, a notice
before its deadline). Each repetition creates `DUE` fresh action items through the service (`create_action`: in the
index, deadline in two days) and sweeps at an instant past their deadline, so every one of them becomes delayed
(工作延误) and its owner and assigner are texted. Around them the Directory holds 100, then 10,000 completed items
(out of the index: `next_at` none). A warm-up sweep at the same instant first settles what is already due and the
week's one-off checks (the weekly-report list, the Friday report), so the measured sweeps do only the due items'
work plus the constant checks.

Figures per size: DynamoDB requests and items read of one sweep, wall time; then *growth* = requests at 10,000 /
requests at 100, minimum 1.0 (O(due): equal requests whatever the history; the moto test
tests/integration/test_work_sweep.py asserts the same at 100 vs 2,100).
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bench.counting import COUNTER
from bench.figures import Figure, percentile

if TYPE_CHECKING:
    from bench.harness import Bench
    from chalicelib.domain.model import Actor

SECTION = "9 office-work sweep (R-WORK-03/05)"
SIZES = (100, 10_000)
DUE = 20
BATCH = 500


def _people() -> tuple[Actor, Actor]:
    from chalicelib.domain.model import Actor

    return Actor("leader1", "leader", name="陈建国"), Actor("op1", "operator", name="王敏")


def _load_done(bench: Bench, count: int) -> None:
    """`count` completed action items (not in the due index), written in batches."""
    from chalicelib.domain import work
    from chalicelib.services import work as svc
    from chalicelib.storage.table import Item

    leader, owner = _people()
    cal = bench.deps.contexts.load(bench.now).calendar
    body = {"title": "已办结事项（基准）", "owner_id": "op1", "deadline": (bench.now + timedelta(days=2)).isoformat()}
    for start in range(0, count, BATCH):
        items = []
        for _ in range(min(BATCH, count - start)):
            item = work.new_action(f"A-bench-{uuid.uuid4().hex}", body, leader, bench.now, cal)
            items.append(Item(svc.ACTION, item["id"], work.complete(item, {}, owner, bench.now)))
        bench.deps.table.put_many(items)


def _due_items(bench: Bench) -> None:
    from chalicelib.services import work as svc

    leader, _ = _people()
    now = datetime.now(UTC)
    body = {"title": "到期事项（基准）", "owner_id": "op1", "deadline": (now + timedelta(days=2)).isoformat()}
    for _ in range(DUE):
        svc.create_action(bench.deps, leader, body, now)


def _sweep(bench: Bench, at: datetime) -> tuple[float, int, int, dict[str, int]]:
    from chalicelib.services import work as svc

    started = time.perf_counter()
    with COUNTER.measure() as tally:
        counts = svc.sweep(bench.deps, at)
    wall = time.perf_counter() - started
    if counts["actions_delayed"] != DUE:
        raise RuntimeError(f"expected {DUE} items delayed, the sweep did {dict(counts)}")
    return wall, tally.total("dynamodb"), tally.items_read, tally.ops("dynamodb")


def run(bench: Bench) -> list[Figure]:
    from chalicelib.services import work as svc

    at = datetime.now(UTC) + timedelta(days=5)  # past every due item's deadline, created from now on
    svc.sweep(bench.deps, at)  # warm-up: what is already due, the week's one-off checks, the context caches
    figures: list[Figure] = []
    medians: dict[int, float] = {}
    loaded = 0
    for size in SIZES:
        _load_done(bench, size - loaded)
        loaded = size
        walls, requests, items = [], [], []
        ops: dict[str, int] = {}
        for _ in range(bench.cfg.reps):
            _due_items(bench)
            wall, n, read, ops = _sweep(bench, at)
            walls.append(wall * 1000)
            requests.append(float(n))
            items.append(float(read))
        medians[size] = percentile(requests, 50)
        note = f"{DUE} due among {size:,} completed items; ops {ops}"
        figures += [
            Figure(
                f"worksweep.requests.{size}",
                f"office-work sweep DynamoDB requests, {DUE} due among {size:,} done",
                "requests",
                requests,
                minimum=1 + 6 * DUE,
                minimum_basis="one WORK-DUE Query + per due item: its read, one transaction, two texts "
                "(owner, assigner: a contact read and a send record each)",
                section=SECTION,
                note=note,
            ),
            Figure(
                f"worksweep.items.{size}",
                f"office-work sweep items read, {DUE} due among {size:,} done",
                "items",
                items,
                minimum=2 * DUE,
                minimum_basis="per due item its index entry and the item",
                section=SECTION,
            ),
            Figure(
                f"worksweep.wall.{size}",
                f"office-work sweep wall, {DUE} due among {size:,} done",
                "ms",
                walls,
                section=SECTION,
            ),
        ]
    small, large = SIZES[0], SIZES[-1]
    figures.append(
        Figure(
            "worksweep.growth",
            f"office-work sweep requests growth {small:,} → {large:,} done items",
            "×",
            [medians[large] / medians[small]],
            minimum=1.0,
            minimum_basis="O(due): the same requests whatever the number of done items",
            section=SECTION,
        )
    )
    return figures
