"""Storage on moto: one transaction per change, conditions, idempotency, concurrency."""

from __future__ import annotations

import json
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, InvalidTransition
from chalicelib.domain.model import Actor
from chalicelib.storage.tickets import NUMBERS_TAKEN, NUMBERS_UNUSED
from tests.helpers.raw import dynamodb, raw_events, raw_ticket

ROOT = Path(__file__).resolve().parents[2]
OP1 = Actor("op1", "operator")
UH1 = Actor("uh1", "unit_handler", "U001")
CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _now() -> datetime:
    return datetime.now(UTC)


def _create(deps: Any, **extra: Any) -> str:
    from chalicelib.services import tickets as svc

    payload = {"category": "help", "title": "求助", "content": "内容"}
    payload.update(extra)
    ticket, _ = svc.create_ticket(deps, OP1, payload, _now())
    return ticket.ticket_id


def test_ten_threads_one_transition_exactly_one_wins(deps: Any, seeded: Any) -> None:
    from chalicelib.services import tickets as svc

    tid = _create(deps)
    barrier = threading.Barrier(10)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            svc.act(deps, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, _now())
            return "ok"
        except (Conflict, InvalidTransition):  # both answer 409: lost the race, or read after the winner
            return "409"

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(attempt, range(10)))
    assert results.count("ok") == 1 and results.count("409") == 9
    events = deps.tickets.events(tid)
    assert [e["type"] for e in events] == ["received", "dispatched"]


def test_ten_commits_of_one_read_exactly_one_wins_the_version_condition_holds_in_the_transaction(
    deps: Any, seeded: Any
) -> None:
    """A repeatable verb keeps the status, so the status condition cannot decide; and each commit here
    gets an event number of its own, so the event's not-exists condition cannot either. What is left
    is PynamoDB's VersionAttribute condition, which must be part of the TransactWrite put."""
    from chalicelib.domain import tickets as T

    tid = _create(deps)
    before = deps.tickets.get(tid)
    ctx = deps.contexts.load(_now())
    call = {"kind": "other", "to_name": "周海", "to_phone": "13957600001", "outcome": "已接通"}
    changes = [
        T.apply(before.with_changes(last_seq=before.last_seq + n), "record-call", call, OP1, _now(), ctx)
        for n in range(10)
    ]
    barrier = threading.Barrier(10)

    def commit(n: int) -> str:
        barrier.wait()
        try:
            deps.tickets.commit(changes[n], None)
            return "ok"
        except Conflict:
            return "409"

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(commit, range(10)))
    assert results.count("ok") == 1, results
    assert [e["type"] for e in deps.tickets.events(tid)] == ["received", "call_recorded"]
    assert deps.tickets.get(tid).version == before.version + 1


@pytest.mark.parametrize("run", range(3))
def test_r12345_10_ten_threads_flag_a_ticket_difficult_exactly_one_flag(deps: Any, seeded: Any, run: int) -> None:
    from chalicelib.services import tickets as svc

    tid = _create(deps)
    barrier = threading.Barrier(10)

    def attempt(n: int) -> str:
        barrier.wait()
        try:
            svc.act(deps, OP1, tid, "flag-difficult", {"reason": f"理由{n}"}, _now())
            return "ok"
        except (Conflict, InvalidTransition):  # read before the winner committed, or after it
            return "409"

    with ThreadPoolExecutor(10) as pool:
        results = list(pool.map(attempt, range(10)))
    assert results.count("ok") == 1, results
    assert [e["type"] for e in deps.tickets.events(tid)] == ["received", "flagged_difficult"]


def test_ten_parallel_pushes_of_one_number_make_one_ticket_and_take_one_number(deps: Any, seeded: Any) -> None:
    from chalicelib.services import tickets as svc

    ext = "TZ" + uuid.uuid4().hex[:12]
    payload = {"category": "help", "title": "求助", "content": "内容", "external_id": ext, "source": "city"}
    barrier = threading.Barrier(10)

    def push(_: int) -> str:
        barrier.wait()
        ticket, _created = svc.create_ticket(deps, OP1, dict(payload), _now())
        return ticket.ticket_id

    taken = dict(deps.tickets.read_counters(NUMBERS_TAKEN))
    unused = dict(deps.tickets.read_counters(NUMBERS_UNUSED))
    with ThreadPoolExecutor(10) as pool:
        ids = set(pool.map(push, range(10)))
    assert len(ids) == 1
    day = next(iter(ids))[1:9]
    assert deps.tickets.read_counters(NUMBERS_TAKEN)[day] == taken.get(day, 0) + 1  # one number, not ten
    assert deps.tickets.read_counters(NUMBERS_UNUSED).get(day, 0) == unused.get(day, 0)


def test_a_failed_transaction_leaves_ticket_event_and_counters_untouched(
    deps: Any, seeded: Any, outputs: dict[str, str]
) -> None:
    from chalicelib.services import tickets as svc
    from chalicelib.storage.tickets import counter_items

    tid = _create(deps)
    ticket = deps.tickets.get(tid)
    ddb = dynamodb(outputs)

    def counters() -> dict[str, int]:
        month = _now().strftime("%Y-%m")
        out = {}
        for pk in (f"{month}#county", f"{month}#unit#U001"):
            for item in ddb.query(
                TableName=outputs["counters_table"],
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": pk}},
            )["Items"]:
                out[pk + "/" + item["sk"]["S"]] = int(item["n"]["N"])
        return out

    # someone else changes the ticket between our read and our write
    svc.act(deps, OP1, tid, "flag-supervised", {"reason": "督办"}, _now())
    before = counters()
    from chalicelib.domain import tickets as T

    ctx = deps.contexts.load(_now())
    change = T.apply(ticket, "dispatch", {"unit_id": "U001", "call": CALL}, OP1, _now(), ctx)
    assert counter_items(
        change.event_type, change.data, {"ticket_id": tid, "unit_id": "U001", "owner_id": "op1"}, _now()
    )
    with pytest.raises(Conflict):
        deps.tickets.commit(change, None)
    assert deps.tickets.get(tid).status == "received"
    assert [e["type"] for e in deps.tickets.events(tid)] == ["received", "flagged_supervised"]
    assert counters() == before


def test_committed_transition_moves_counters_in_the_same_write(deps: Any, seeded: Any, outputs: dict[str, str]) -> None:
    from chalicelib.services import tickets as svc

    unit_handler_unit = "U003"
    tid = _create(deps)
    month = _now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    ddb = dynamodb(outputs)

    def assigned() -> int:
        item = ddb.get_item(
            TableName=outputs["counters_table"],
            Key={"pk": {"S": f"{month}#unit#{unit_handler_unit}"}, "sk": {"S": "assigned#0"}},
        ).get("Item")
        return int(item["n"]["N"]) if item else 0

    before = assigned()
    svc.act(deps, OP1, tid, "dispatch", {"unit_id": unit_handler_unit, "call": CALL}, _now())
    assert assigned() == before + 1


def test_open_ticket_sits_in_the_sparse_deadline_index_until_closed(
    deps: Any, seeded: Any, outputs: dict[str, str]
) -> None:
    tid = _create(deps)
    item = raw_ticket(outputs, tid)
    assert item["deadline_shard"]["S"].startswith("OPEN#")
    assert item["next_alert_key"]["S"].startswith("dispatch_warning#")


def test_events_carry_a_snapshot_without_personal_data(deps: Any, seeded: Any, outputs: dict[str, str]) -> None:
    tid = _create(deps, caller={"name": "张三丰", "phone": "13800001234"})
    items = raw_events(outputs, tid)
    snapshot = json.loads(items[0]["snapshot"]["S"])
    assert snapshot["ticket_id"] == tid and "caller" not in snapshot
    assert "张三丰" not in json.dumps(items, ensure_ascii=False)


def test_no_scan_anywhere_in_chalicelib() -> None:
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "chalicelib").rglob("*.py")
        if re.search(r"\.scan\(|\bScan\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_models_match_the_template_keys_and_indexes(deps: Any) -> None:
    from chalicelib.storage.models import model_schema
    from infra.template import load_template

    resources = load_template()["Resources"]
    tables = {}
    for res in resources.values():
        if res["Type"] != "AWS::DynamoDB::Table":
            continue
        props = res["Properties"]

        def keys(schema: list[dict[str, str]]) -> tuple[str | None, str | None]:
            h = next(k["AttributeName"] for k in schema if k["KeyType"] == "HASH")
            r = next((k["AttributeName"] for k in schema if k["KeyType"] == "RANGE"), None)
            return h, r

        name = props["TableName"]
        name = name.get("Fn::Sub", name) if isinstance(name, dict) else name
        tables[name.replace("${Stage}", "test")] = {
            "keys": keys(props["KeySchema"]),
            "indexes": {g["IndexName"]: keys(g["KeySchema"]) for g in props.get("GlobalSecondaryIndexes", [])},
        }
    for model in deps.tables.all:
        schema = model_schema(model)
        assert schema["table"] in tables, schema["table"]
        assert tables[schema["table"]]["keys"] == schema["keys"], model.__name__
        assert tables[schema["table"]]["indexes"] == schema["indexes"], model.__name__


def _cancelled(*codes: str) -> Exception:
    """A TransactWriteError as DynamoDB reports it, with chosen cancellation reasons."""
    from pynamodb.exceptions import CancellationReason, TransactWriteError

    class Error(TransactWriteError):
        @property
        def cancellation_reasons(self) -> list[CancellationReason | None]:
            return [CancellationReason(code=c) if c else None for c in codes]

    return Error("TransactionCanceledException")


@pytest.mark.parametrize(
    ("codes", "calls", "wins"),
    [
        (("None", "TransactionConflict"), 2, True),  # collided on a shared counter: tried again
        (("ConditionalCheckFailed", "None"), 1, False),  # someone else was first: final 409
    ],
)
def test_a_transaction_conflict_is_retried_but_a_failed_condition_is_final(
    deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch, codes: tuple[str, ...], calls: int, wins: bool
) -> None:
    from chalicelib.services import tickets as svc
    from chalicelib.storage.tickets import DynamoTicketRepository

    tid = _create(deps)
    original = DynamoTicketRepository._transact
    seen: list[int] = []

    def flaky(self: Any, *args: Any) -> None:
        seen.append(1)
        if len(seen) == 1:
            raise _cancelled(*codes)
        original(self, *args)

    monkeypatch.setattr(DynamoTicketRepository, "_transact", flaky)
    if wins:
        assert svc.act(deps, OP1, tid, "flag-supervised", {"reason": "督办"}, _now()).flags >= {"supervised"}
    else:
        with pytest.raises(Conflict):
            svc.act(deps, OP1, tid, "flag-supervised", {"reason": "督办"}, _now())
    assert len(seen) == calls
    assert len(deps.tickets.events(tid)) == (2 if wins else 1)
