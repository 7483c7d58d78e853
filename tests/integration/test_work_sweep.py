"""R-WORK-03/05/07: the office-work sweep reads only what is due — its DynamoDB requests do not grow with
the items that are done or the archive markers that are closed — and writes a deliverable's archive that failed
right after the record's change, once (moto)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import work
from chalicelib.domain.model import Actor
from chalicelib.services import work as svc
from chalicelib.services import work_archive
from chalicelib.services.sweep import count_requests
from chalicelib.storage.table import Item

LEADER = Actor("leader1", "leader", name="陈建国")
OP1 = Actor("op1", "operator", name="王敏")
RECORDS = Actor("records1", "records", name="档案员")


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


def test_r_work_07_sweep_requests_do_not_grow_with_closed_archive_markers(deps: Any, seeded: Any) -> None:
    now = datetime.now(UTC) + timedelta(days=400)  # everything the session left pending is due: settle it
    svc.sweep(deps, now)
    at_0 = _measure(deps, now)
    closed = []
    for n in range(25):  # archives written: the markers kept (TTL) without the index keys
        item = {"kind": work_archive.ACTION_KIND, "id": f"A-closed-{uuid.uuid4().hex}", "version": f"v{n}"}
        expires = int((now + work_archive.KEEP_CLOSED).timestamp())
        closed.append(Item(work_archive.MARKS, f"{item['kind']}#{item['id']}#v{n}", item, expires_at=expires))
    deps.table.put_many(closed)
    at_25 = _measure(deps, now)
    assert at_0 == at_25, (at_0, at_25)
    assert at_0.get("Query") == 1 and "Scan" not in at_0, at_0


def test_r_work_07_an_archive_that_failed_is_written_once_by_the_next_sweep(
    deps: Any, seeded: Any, monkeypatch: Any
) -> None:
    now = datetime.now(UTC)
    body = {"title": "归档重试事项", "owner_id": "op1", "deadline": (now + timedelta(days=2)).isoformat()}
    made = svc.create_action(deps, LEADER, body, now)
    real, asked = deps.archive_store.put_once, []

    def flaky(key: str, *args: Any, **kwargs: Any) -> Any:  # the bucket refuses one write (an S3 outage)
        asked.append(key)
        if len(asked) == 1:
            raise ConnectionError("archive bucket unreachable")
        return real(key, *args, **kwargs)

    monkeypatch.setattr(deps.archive_store, "put_once", flaky)
    done = svc.act_on_action(deps, OP1, made["id"], "complete", {}, now + timedelta(minutes=1))
    assert done["status"] == "done" and len(asked) == 1  # the change stands, the archive did not happen
    assert work_archive.versions(deps, RECORDS, work_archive.ACTION_KIND, made["id"]) == []
    version = work_archive.prefix(work_archive.ACTION_KIND, made["id"], "").rstrip("/")
    [mark] = [
        i
        for i in deps.table.items(work_archive.MARKS, None, limit=1000)
        if i.data["id"] == made["id"] and i.data["kind"] == work_archive.ACTION_KIND
    ]
    assert mark.gsi1pk == svc.DUE and mark.data["record"]["status"] == "done"  # written with the change

    swept = svc.sweep(deps, now + timedelta(minutes=1) + work_archive.RETRY_AFTER + timedelta(seconds=1))
    assert swept["deliverables_archived"] >= 1, swept
    [entry] = work_archive.versions(deps, RECORDS, work_archive.ACTION_KIND, made["id"])
    assert entry["at"] == done["done_at"] and entry["prefix"].startswith(version)
    assert work_archive.verify(deps, RECORDS, work_archive.ACTION_KIND, made["id"])["ok"]
    closed = deps.table.get(work_archive.MARKS, mark.sk)
    assert closed.gsi1pk is None and closed.gsi1sk is None and closed.expires_at is not None

    svc.sweep(deps, now + timedelta(minutes=30))  # closed: a later sweep writes nothing again
    assert len(work_archive.versions(deps, RECORDS, work_archive.ACTION_KIND, made["id"])) == 1
    for name in ("record.json", "manifest.json"):
        assert len(deps.archive_store.versions(entry["prefix"] + name)) == 1, name
