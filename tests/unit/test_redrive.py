"""`make redrive` on the in-memory adapters: dead-letter files replayed through their consumers, removed
only when their batch succeeded; SQS pointers turned into a reconciliation and a replay; nothing sent twice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chalicelib.handlers.streams import process_batch
from chalicelib.services import notify
from chalicelib.services import tickets as svc
from infra import local_stack, redrive
from tests.helpers.accounts import UNITS
from tests.helpers.partners import partner_ticket, record_webhook_posts
from tests.helpers.streams import AUDIT, NOTIFY, PARTNERS, history_records
from tests.helpers.tickets import CALL, OP1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai
ARN = "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/hotline-test-ticket-events/stream/2026-11-01T00:00:00.000"


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


@pytest.fixture
def posts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Webhook POSTs a partner received (all answered 200)."""
    return record_webhook_posts(monkeypatch)


def dead_letter(tmp_path: Path, consumer: str, records: list[dict[str, Any]], handler: Any) -> Path:
    """What the local stack's pump writes when `handler` keeps failing the records (3 retries)."""
    outputs = {"events_stream_arn": ARN, "region": "cn-north-1", "endpoint_url": "http://127.0.0.1:9"}
    pump = local_stack.StreamPump(outputs, tmp_path, [])
    pump._deliver(local_stack._lambda_entry(consumer, handler), records)
    [path] = (tmp_path / "dead-letter").glob(f"events-{consumer}-*.json")
    return path


def dispatched(deps: Any) -> str:
    ticket, _ = svc.create_ticket(deps, OP1, {"category": "help", "title": "断水求助", "content": "两天没水"}, NOW)
    svc.act(deps, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    return ticket.ticket_id


def texts_to(deps: Any, number: str) -> list[Any]:
    return [m for m in deps.sms.sent if m.to == number]


def test_the_redrive_knows_every_stream_handler_of_the_app() -> None:
    found = local_stack.discover_handlers(local_stack.load_app())
    assert sorted(h.__qualname__ for h in found.streams) == sorted(redrive.CONSUMERS)


def test_a_dead_letter_file_is_replayed_through_its_consumer_then_removed(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid = dispatched(world)
    records = history_records(world, tid)

    def roster_down(*_: Any) -> Any:
        raise RuntimeError("directory unavailable")

    with monkeypatch.context() as m:
        m.setattr(notify, "recipients", roster_down)
        path = dead_letter(tmp_path, "notify_from_events", records, lambda b: process_batch(NOTIFY, b, world, NOW))
    body = json.loads(path.read_text(encoding="utf-8"))
    assert body["consumer"] == "notify_from_events" and len(body["Records"]) == len(records)
    assert texts_to(world, "+8613957600001") == []

    report = redrive.redrive_files(world, path.parent, NOW + timedelta(hours=1))
    assert (report["files"], report["removed"], report["kept"]) == (1, 1, 0) and not path.exists()
    assert len(texts_to(world, "+8613957600001")) == 1  # the unit handler is texted now, once

    process_batch(NOTIFY, {"Records": records}, world, NOW)  # the same records again: nothing
    assert redrive.redrive_files(world, path.parent, NOW)["files"] == 0
    assert len(texts_to(world, "+8613957600001")) == 1


def test_an_audit_batch_from_the_dead_letter_dir_writes_the_missing_copies(
    world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tid = dispatched(world)
    records = history_records(world, tid)

    def bucket_down(*_: Any, **__: Any) -> bool:
        raise RuntimeError("S3 unavailable")

    with monkeypatch.context() as m:
        m.setattr(world.archive_store, "put_once", bucket_down)
        path = dead_letter(tmp_path, "on_ticket_event", records, lambda b: process_batch(AUDIT, b, world, NOW))
    assert not world.archive_store.keys("audit/")
    assert redrive.redrive_files(world, path.parent, NOW)["removed"] == 1
    assert len(world.archive_store.keys("audit/")) == len(records)


def test_a_batch_that_still_fails_keeps_its_file(world: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tid = dispatched(world)
    records = history_records(world, tid)

    def roster_down(*_: Any) -> Any:
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(notify, "recipients", roster_down)
    path = dead_letter(tmp_path, "notify_from_events", records, lambda b: process_batch(NOTIFY, b, world, NOW))
    (path.parent / "events-somebody_else-1.json").write_text(json.dumps({"consumer": "x", "Records": []}))
    (path.parent / "events-torn-2.json").write_text("{")
    report = redrive.redrive_files(world, path.parent, NOW)
    assert (report["files"], report["removed"], report["kept"]) == (3, 0, 3)
    by_file = {r["file"]: r for r in report["results"]}
    assert len(by_file[path.name]["failed"]) == len(records) and path.exists()
    assert by_file["events-somebody_else-1.json"]["error"] == "unknown consumer"
    assert by_file["events-torn-2.json"]["error"].startswith("unreadable")


def test_replaying_a_partner_batch_sends_no_webhook_and_no_code_twice(
    world: Any, tmp_path: Path, posts: list[dict[str, Any]]
) -> None:
    tid = partner_ticket(world, NOW)
    records = history_records(world, tid)
    assert process_batch(PARTNERS, {"Records": records}, world, NOW) == {"batchItemFailures": []}
    assert len(posts) == len(records) and len(texts_to(world, "+8613800001234")) == 1

    # parked although it was handled (e.g. a later record of the batch failed): the replay is a no-op
    path = dead_letter(tmp_path, "partner_events", records, _fail_all)
    assert redrive.redrive_files(world, path.parent, NOW)["removed"] == 1
    assert len(posts) == len(records) and len(texts_to(world, "+8613800001234")) == 1


def _fail_all(batch: dict[str, Any]) -> dict[str, Any]:
    return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in batch["Records"]]}


# --------------------------------------------------------------------------- the cloud mode's pointers


def pointer_body(first: datetime, last: datetime, stream_arn: str = ARN) -> str:
    """An on-failure record as Lambda sends it to the SQS destination of a DynamoDB event source."""
    return json.dumps(
        {
            "requestContext": {
                "requestId": "316aa6d0-8154-4a6b-9af7-85d5f4a6bc81",
                "functionArn": "arn:aws-cn:lambda:cn-north-1:123456789012:function:hotline-prod-notify_from_events",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 4,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": (last + timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "DDBStreamBatchInfo": {
                "shardId": "shardId-00000001764547200000-abcdef12",
                "startSequenceNumber": "800000000003126276362",
                "endSequenceNumber": "800000000003126276370",
                "approximateArrivalOfFirstRecord": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "approximateArrivalOfLastRecord": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "batchSize": 9,
                "streamArn": stream_arn,
            },
        }
    )


def test_a_pointer_is_read_from_the_on_failure_record() -> None:
    p = redrive.parse_pointer(pointer_body(NOW, NOW + timedelta(seconds=30)))
    assert p is not None and p.first == NOW and p.last == NOW + timedelta(seconds=30)
    assert (p.start_sequence, p.end_sequence, p.batch_size) == ("800000000003126276362", "800000000003126276370", 9)
    assert p.condition == "RetryAttemptsExhausted" and p.stream_arn == ARN
    assert redrive.parse_pointer("{}") is None and redrive.parse_pointer("not json") is None
    kinesis = json.dumps({"KinesisBatchInfo": {"shardId": "shardId-000000000000"}})
    assert redrive.parse_pointer(kinesis) is None


class FakeQueue:
    """receive_message / delete_message of one SQS queue (what the redrive uses)."""

    def __init__(self, *bodies: str) -> None:
        self.messages = {f"m{n}": body for n, body in enumerate(bodies)}
        self.hidden: set[str] = set()

    def receive_message(self, **kwargs: Any) -> dict[str, Any]:
        visible = [k for k in self.messages if k not in self.hidden][: kwargs["MaxNumberOfMessages"]]
        self.hidden.update(visible)
        return {"Messages": [{"MessageId": k, "ReceiptHandle": f"rh-{k}", "Body": self.messages[k]} for k in visible]}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:  # noqa: N803 - boto3's names
        del self.messages[ReceiptHandle.removeprefix("rh-")]


def test_a_pointer_redoes_its_window_sends_nothing_twice_and_is_deleted(world: Any) -> None:
    tid = dispatched(world)
    records = history_records(world, tid)
    process_batch(AUDIT, {"Records": records}, world, NOW)
    process_batch(NOTIFY, {"Records": records}, world, NOW)
    assert len(texts_to(world, "+8613957600001")) == 1
    lost = sorted(world.archive_store.keys("audit/"))[0]
    del world.archive_store.objects[lost]  # an audit copy the stream never wrote

    queue = FakeQueue(pointer_body(NOW, NOW + timedelta(seconds=5)), "garbage")
    report = redrive.redrive_queue(world, queue, "https://sqs.example/dlq", NOW + timedelta(hours=2))
    assert (report["received"], report["deleted"], report["kept"]) == (2, 1, 1)
    handled = next(r for r in report["results"] if r["deleted"])
    assert handled["reconcile"]["repaired"] == 1 and handled["events"] == len(records) and handled["failed"] == {}
    assert lost in world.archive_store.keys("audit/")
    assert len(texts_to(world, "+8613957600001")) == 1  # replayed through notify: nothing sent twice
    assert list(queue.messages.values()) == ["garbage"]  # not a pointer: kept for a person to look at


def test_a_pointer_whose_window_still_fails_stays_in_the_queue(world: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dispatched(world)

    def roster_down(*_: Any) -> Any:
        raise RuntimeError("directory unavailable")

    monkeypatch.setattr(notify, "recipients", roster_down)
    queue = FakeQueue(pointer_body(NOW, NOW))
    report = redrive.redrive_queue(world, queue, "https://sqs.example/dlq", NOW)
    assert report["deleted"] == 0 and list(report["results"][0]["failed"]) == ["notify_from_events"]
    assert len(queue.messages) == 1


def test_a_text_the_stream_never_sent_is_sent_by_the_redrive_once(world: Any) -> None:
    dispatched(world)  # the notify handler never got these records (its batch was parked)
    queue = FakeQueue(pointer_body(NOW, NOW), pointer_body(NOW, NOW + timedelta(seconds=1)))
    first = redrive.redrive_queue(world, queue, "https://sqs.example/dlq", NOW, max_messages=1)
    assert first["deleted"] == 1 and len(texts_to(world, "+8613957600001")) == 1
    second = redrive.redrive_queue(world, queue, "https://sqs.example/dlq", NOW)  # an overlapping window, later run
    assert second["deleted"] == 1 and second["results"][0]["events"] == 2
    assert len(texts_to(world, "+8613957600001")) == 1 and queue.messages == {}


def test_a_window_the_reconciliation_refuses_stays_and_the_run_goes_on(world: Any) -> None:
    dispatched(world)
    years = pointer_body(NOW - timedelta(days=400), NOW)  # not one batch: wider than a reconciliation may be
    queue = FakeQueue(years, pointer_body(NOW, NOW))
    report = redrive.redrive_queue(world, queue, "https://sqs.example/dlq", NOW)
    assert (report["received"], report["deleted"], report["kept"]) == (2, 1, 1)
    assert report["results"][0]["error"].startswith("ValidationError") and list(queue.messages) == ["m0"]
