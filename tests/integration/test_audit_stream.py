"""Stream → S3 on moto: audit copies, archive packages, partial failures, retries, duplicates (R-12345-17)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from chalicelib.domain.model import Actor

OP1 = Actor("op1", "operator")
UH1 = Actor("uh1", "unit_handler", "U001")
CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
REPLY = {"investigation": "已现场核查", "result": "已责令整改", "basis": "《噪声污染防治法》", "contact": "已电话告知反映人"}
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "basically_satisfied"}
CALLER = {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "海游街道1号"}


# ----------------------------------------------------------------------------- helpers (imported by other tests)


def close_ticket(tid: str, now: datetime) -> None:
    """Walk an open (received or reassigned) ticket to closed."""
    from chalicelib.services import tickets as svc

    status = svc.repo().get(tid).status
    steps: list[tuple[str, Actor, dict[str, Any]]] = []
    if status == "received":
        steps += [("dispatch", OP1, {"unit_id": "U001", "call": CALL}), ("sign", UH1, {})]
    steps += [("reply", UH1, {"sections": REPLY}), ("review", OP1, {"approve": True}),
              ("callback", OP1, CALLBACK), ("submit", OP1, {}), ("close", OP1, {"note": "市审核组审核通过"})]
    for n, (verb, actor, body) in enumerate(steps):
        svc.act(actor, tid, verb, body, now + timedelta(seconds=n))


def closed_ticket(now: datetime | None = None, **extra: Any) -> str:
    """A new complaint with caller data, walked through every step to closed; its id."""
    from chalicelib.services import tickets as svc

    now = now or datetime.now(UTC)
    payload = {"category": "complaint", "title": "小区夜间施工噪音", "content": "22点后仍在施工", "caller": CALLER}
    payload.update(extra)
    ticket, _ = svc.create_ticket(OP1, payload, now)
    close_ticket(ticket.ticket_id, now)
    return ticket.ticket_id


def records_of(*ticket_ids: str) -> list[dict[str, Any]]:
    """Lambda-shaped stream records (INSERT, NewImage) of the tickets' events, in order."""
    from chalicelib.config import get_settings

    s = get_settings()
    ddb = boto3.client("dynamodb", endpoint_url=s.endpoint_url, region_name=s.region)
    out = []
    for tid in ticket_ids:
        items = ddb.query(TableName=s.events_table, KeyConditionExpression="ticket_id = :t",
                          ExpressionAttributeValues={":t": {"S": tid}}, ConsistentRead=True)["Items"]
        for item in items:
            out.append({
                "eventID": uuid.uuid4().hex,
                "eventName": "INSERT",
                "eventSource": "aws:dynamodb",
                "awsRegion": s.region,
                "eventSourceARN": s.events_stream_arn or "arn:aws-cn:dynamodb:cn-north-1:123456789012:table/x/stream/1",
                "dynamodb": {
                    "ApproximateCreationDateTime": 1795666673,
                    "Keys": {"ticket_id": item["ticket_id"], "seq": item["seq"]},
                    "NewImage": item,
                    "SequenceNumber": f"{uuid.uuid4().int % 10**20:021d}",
                    "SizeBytes": 1000,
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
            })
    return out


def lambda_pump(handler: Callable[[dict[str, Any]], dict[str, Any]], records: list[dict[str, Any]],
                retries: int = 3) -> list[dict[str, Any]]:
    """Lambda's semantics: an exception retries the whole batch, batchItemFailures retry those records;
    after `retries` retries what still fails goes to the dead-letter list (returned)."""
    pending = records
    for _ in range(1 + retries):
        try:
            result = handler({"Records": pending})
        except BaseException:  # noqa: BLE001, S112 - a crashed invocation: the whole batch again
            continue
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
        if not pending:
            return []
    return pending


def s3() -> Any:
    from chalicelib.config import get_settings

    s = get_settings()
    return boto3.client("s3", endpoint_url=s.endpoint_url, region_name=s.region)


def bucket() -> str:
    from chalicelib.config import get_settings

    return get_settings().archive_bucket


def versions_under(prefix: str) -> dict[str, int]:
    """Number of S3 versions per key under a prefix."""
    counts: dict[str, int] = {}
    for page in s3().get_paginator("list_object_versions").paginate(Bucket=bucket(), Prefix=prefix):
        for v in page.get("Versions", []):
            counts[v["Key"]] = counts.get(v["Key"], 0) + 1
    return counts


def audit_keys_of(tid: str) -> list[str]:
    from chalicelib.services.archive import audit_key
    from chalicelib.storage.archive_index import history

    return [audit_key(e) for e in history(tid, 10**6)]


def assert_exactly_one_audit_object_per_event(*tids: str) -> None:
    for tid in tids:
        for key in audit_keys_of(tid):
            prefix = key.rsplit("/", 1)[0] + "/"
            assert versions_under(prefix).get(key) == 1, key


def assert_one_current_package(tid: str, expected_versions: int = 1) -> None:
    from chalicelib.storage import archive_index

    entries = archive_index.versions(tid)
    assert len(entries) == expected_versions
    current = entries[-1]
    for name in ("record.json", "record.html", "manifest.json"):
        head = s3().head_object(Bucket=bucket(), Key=current["prefix"] + name)
        pinned = current["manifest"] if name == "manifest.json" else current["files"][name]
        assert head["VersionId"] == pinned["s3_version_id"], name


# ----------------------------------------------------------------------------- tests


def test_r12345_17_every_event_gets_one_audit_copy_with_its_snapshot(seeded: Any) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.services.archive import audit_key
    from chalicelib.storage.archive_index import history

    tid = closed_ticket()
    assert process_batch({"Records": records_of(tid)}) == {"batchItemFailures": []}
    events = history(tid, 100)
    assert [e["type"] for e in events][-1] == "closed"
    for event in events:
        key = audit_key(event)
        local = datetime.fromisoformat(event["at"]).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        assert key == f"audit/{local:%Y/%m/%d}/{tid}/{event['seq']:06d}.json"
        obj = s3().get_object(Bucket=bucket(), Key=key)
        body = json.loads(obj["Body"].read())
        assert body["event"]["event_id"] == event["event_id"] and body["event"]["type"] == event["type"]
        assert body["snapshot"]["last_seq"] == event["seq"] and body["snapshot"]["ticket_id"] == tid
        assert "张三丰" not in json.dumps(body, ensure_ascii=False)  # R-12345-11: no personal data in audit copies
        assert obj["ServerSideEncryption"] == "aws:kms"
        assert obj["ObjectLockMode"] == "COMPLIANCE"
        assert obj["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=365 * 10 - 2)
    assert_exactly_one_audit_object_per_event(tid)


def test_r12345_17_close_writes_record_json_html_and_manifest(seeded: Any) -> None:
    import hashlib

    from chalicelib.handlers.audit import process_batch
    from chalicelib.storage import archive_index

    tid = closed_ticket()
    process_batch({"Records": records_of(tid)})
    entry = archive_index.latest(tid)
    assert entry is not None
    received = datetime.fromisoformat(entry["received_at"]).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert entry["prefix"] == f"archive/{received:%Y/%m}/{tid}/"
    manifest = json.loads(s3().get_object(Bucket=bucket(), Key=entry["prefix"] + "manifest.json")["Body"].read())
    assert manifest["seq_range"] == [1, entry["version"]] and manifest["event_count"] == entry["version"]
    for name in ("record.json", "record.html"):
        body = s3().get_object(Bucket=bucket(), Key=entry["prefix"] + name)["Body"].read()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(body).hexdigest()
        assert manifest["files"][name]["size"] == len(body)
    record = json.loads(s3().get_object(Bucket=bucket(), Key=entry["prefix"] + "record.json")["Body"].read())
    assert [e["seq"] for e in record["events"]] == list(range(1, entry["version"] + 1))
    assert record["ticket"]["status"] == "closed"
    html = s3().get_object(Bucket=bucket(), Key=entry["prefix"] + "record.html")["Body"].read().decode()
    for text in ("工单归档记录", tid, "办理时限", "派单", "电话记录", "周海", "已责令整改", "基本满意", "办结归档"):
        assert text in html, text
    head = s3().head_object(Bucket=bucket(), Key=entry["prefix"] + "record.json")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ServerSideEncryption"] == "aws:kms"


def test_r12345_11_archive_keeps_the_caller_encrypted_and_masks_it_in_print(seeded: Any) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.integrations import aws
    from chalicelib.storage import archive_index

    tid = closed_ticket()
    process_batch({"Records": records_of(tid)})
    prefix = archive_index.latest(tid)["prefix"]
    raw = s3().get_object(Bucket=bucket(), Key=prefix + "record.json")["Body"].read().decode()
    html = s3().get_object(Bucket=bucket(), Key=prefix + "record.html")["Body"].read().decode()
    for secret in ("张三丰", "13800001234", "海游街道1号"):
        assert secret not in raw and secret not in html
    assert "张**" in html and "138****1234" in html
    record = json.loads(raw)
    assert record["caller_enc"].startswith("kms1:")
    assert aws.envelope().decrypt(record["caller_enc"])["name"] == "张三丰"


def test_the_same_batch_delivered_twice_creates_no_duplicates(seeded: Any) -> None:
    from chalicelib.handlers.audit import process_batch

    tid = closed_ticket()
    records = records_of(tid)
    assert process_batch({"Records": records}) == {"batchItemFailures": []}
    assert process_batch({"Records": records}) == {"batchItemFailures": []}
    assert_exactly_one_audit_object_per_event(tid)
    assert_one_current_package(tid)
    from chalicelib.storage import archive_index

    prefix = archive_index.latest(tid)["prefix"]
    assert versions_under(prefix) == {prefix + n: 1 for n in ("record.json", "record.html", "manifest.json")}


def test_s3_failing_for_some_records_reports_exactly_those_and_a_retry_completes(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.integrations import archive_store

    tid = closed_ticket()
    records = records_of(tid)
    failing = {f"/{tid}/000002.json", f"/{tid}/000005.json"}
    original = archive_store.ArchiveStore.put_once

    def flaky(self: Any, key: str, *args: Any, **kwargs: Any) -> bool:
        if any(key.endswith(f) for f in failing):
            raise archive_store.ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "PutObject")
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(archive_store.ArchiveStore, "put_once", flaky)
    result = process_batch({"Records": records})
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == [records[1]["dynamodb"]["SequenceNumber"], records[4]["dynamodb"]["SequenceNumber"]]
    monkeypatch.setattr(archive_store.ArchiveStore, "put_once", original)
    retry = [r for r in records if r["dynamodb"]["SequenceNumber"] in failed]
    assert process_batch({"Records": retry}) == {"batchItemFailures": []}
    assert_exactly_one_audit_object_per_event(tid)
    assert_one_current_package(tid)


def test_a_failing_archive_fails_only_the_close_record(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.integrations import archive_store

    tid = closed_ticket()
    records = records_of(tid)

    def broken(self: Any, key: str, *args: Any, **kwargs: Any) -> str:
        raise archive_store.ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "PutObject")

    monkeypatch.setattr(archive_store.ArchiveStore, "put", broken)
    result = process_batch({"Records": records})
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [records[-1]["dynamodb"]["SequenceNumber"]]
    monkeypatch.undo()
    assert lambda_pump(process_batch, records) == []
    assert_exactly_one_audit_object_per_event(tid)
    assert_one_current_package(tid)


class Crash(BaseException):
    """The Lambda runtime dying mid-batch (timeout, out of memory)."""


def test_handler_crashing_mid_batch_is_retried_whole_and_ends_exact(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.services import archive

    a, b = closed_ticket(), closed_ticket()
    records = records_of(a, b)
    original = archive.archive_ticket
    calls = {"n": 0}

    def crash_on_second_archive(*args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash()
        return original(*args, **kwargs)

    monkeypatch.setattr(archive, "archive_ticket", crash_on_second_archive)
    assert lambda_pump(process_batch, records) == []
    assert calls["n"] >= 3
    assert_exactly_one_audit_object_per_event(a, b)
    assert_one_current_package(a)
    assert_one_current_package(b)


def test_records_still_failing_after_the_retries_are_dead_lettered_not_lost(seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.integrations import archive_store
    from chalicelib.services import reconcile

    tid = closed_ticket()
    records = records_of(tid)
    original = archive_store.ArchiveStore.put_once

    def down(self: Any, key: str, *args: Any, **kwargs: Any) -> bool:
        if key.endswith("000003.json"):
            raise archive_store.ClientError({"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "PutObject")
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(archive_store.ArchiveStore, "put_once", down)
    dead = lambda_pump(process_batch, records)
    assert [r["dynamodb"]["Keys"]["seq"]["N"] for r in dead] == ["3"]
    monkeypatch.undo()
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    report = reconcile.run(day, day, datetime.now(UTC))
    # the report lists at most 100 ids; other tests' events of the same day may come first
    assert f"{tid}.000003" in report["repaired"] or report["counts"]["repaired"] > len(report["repaired"])
    assert report["counts"]["missing"] >= 1 and report["counts"]["repaired"] >= 1
    assert_exactly_one_audit_object_per_event(tid)


def test_r12345_09_a_reopened_ticket_archives_again_and_the_old_version_is_kept(seeded: Any) -> None:
    from chalicelib.domain.model import Actor as A
    from chalicelib.handlers.audit import process_batch
    from chalicelib.services import archive
    from chalicelib.services import tickets as svc
    from chalicelib.storage import archive_index

    now = datetime.now(UTC)
    tid = closed_ticket(now)
    process_batch({"Records": records_of(tid)})
    svc.act(OP1, tid, "reassign", {"reason": "市平台重新交办"}, now + timedelta(minutes=5))
    close_ticket(tid, now + timedelta(minutes=10))
    process_batch({"Records": records_of(tid)})  # the whole history again: old records are no-ops
    entries = archive_index.versions(tid)
    assert len(entries) == 2 and entries[0]["version"] < entries[1]["version"]
    assert entries[1]["seq_range"] == [1, entries[1]["version"]]
    prefix = entries[0]["prefix"]
    assert entries[1]["prefix"] == prefix
    assert versions_under(prefix) == {prefix + n: 2 for n in ("record.json", "record.html", "manifest.json")}
    assert_one_current_package(tid, expected_versions=2)
    records_actor = A("records1", "records")
    old = archive.verify(records_actor, tid, entries[0]["version"])
    assert old["ok"] and old["version"] == entries[0]["version"]
    assert archive.verify(records_actor, tid)["ok"]


def test_an_older_close_delivered_after_a_newer_archive_does_not_overwrite_it(seeded: Any) -> None:
    from chalicelib.services import archive
    from chalicelib.services import tickets as svc
    from chalicelib.storage import archive_index

    now = datetime.now(UTC)
    tid = closed_ticket(now)
    first_close = archive_index.history(tid, 100)[-1]
    svc.act(OP1, tid, "reassign", {"reason": "重新交办"}, now + timedelta(minutes=5))
    close_ticket(tid, now + timedelta(minutes=10))
    second_close = archive_index.history(tid, 100)[-1]
    assert archive.archive_ticket(second_close, now) == "written"
    assert archive.archive_ticket(first_close, now) == "superseded"
    assert archive.archive_ticket(second_close, now) == "exists"
    assert [v["version"] for v in archive_index.versions(tid)] == [second_close["seq"]]


def test_a_close_whose_history_is_not_in_the_log_fails_loudly(seeded: Any) -> None:
    from chalicelib.handlers.audit import process_batch

    tid = closed_ticket()
    record = records_of(tid)[-1]
    image = dict(record["dynamodb"]["NewImage"])
    image["ticket_id"] = {"S": "T20000101-99999"}
    image["event_id"] = {"S": "T20000101-99999.000008"}
    record["dynamodb"]["NewImage"] = image
    result = process_batch({"Records": [record]})
    assert result == {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}


def test_one_s3_put_per_event_and_none_on_redelivery_of_an_open_ticket(seeded: Any) -> None:
    from chalicelib.handlers.audit import process_batch
    from chalicelib.integrations.archive_store import (
        request_counts,
        reset_request_counts,
    )
    from chalicelib.services import tickets as svc

    ticket, _ = svc.create_ticket(OP1, {"category": "help", "title": "求助", "content": "内容"}, datetime.now(UTC))
    svc.act(OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, datetime.now(UTC))
    records = records_of(ticket.ticket_id)
    reset_request_counts()
    process_batch({"Records": records})
    assert request_counts() == {"PutObject": len(records)}
    prefix = audit_keys_of(ticket.ticket_id)[0].rsplit("/", 1)[0] + "/"
    assert versions_under(prefix) == dict.fromkeys(audit_keys_of(ticket.ticket_id), 1)
    process_batch({"Records": records})
    assert versions_under(prefix) == dict.fromkeys(audit_keys_of(ticket.ticket_id), 1)
