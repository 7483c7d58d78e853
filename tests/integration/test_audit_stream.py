"""Stream → S3 on moto: audit copies, archive packages, partial failures, retries, duplicates (R-12345-17)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.storage.tickets import caller_aad
from tests.helpers.archive import (
    assert_exactly_one_audit_object_per_event,
    assert_one_current_package,
    audit_keys_of,
    bucket,
    s3,
    versions_under,
)
from tests.helpers.streams import AUDIT, deliver, lambda_pump, stream_records
from tests.helpers.tickets import CALL, OP1, close_ticket, closed_ticket, reopen_ticket


def test_r12345_17_every_event_gets_one_audit_copy_with_its_snapshot(deps: Any, seeded: Any) -> None:
    from chalicelib.services.archive import audit_key

    tid = closed_ticket(deps)
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    events = deps.tickets.history(tid)
    assert [e["type"] for e in events][-1] == "closed"
    for event in events:
        key = audit_key(event)
        local = datetime.fromisoformat(event["at"]).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
        assert key == f"audit/{local:%Y/%m/%d}/{tid}/{event['seq']:06d}.json"
        obj = s3(deps).get_object(Bucket=bucket(deps), Key=key)
        body = json.loads(obj["Body"].read())
        assert body["event"]["event_id"] == event["event_id"] and body["event"]["type"] == event["type"]
        assert body["snapshot"]["last_seq"] == event["seq"] and body["snapshot"]["ticket_id"] == tid
        assert "张三丰" not in json.dumps(body, ensure_ascii=False)  # R-12345-11: no personal data in audit copies
        assert obj["ServerSideEncryption"] == "aws:kms"
        assert obj["ObjectLockMode"] == "COMPLIANCE"
        assert obj["ObjectLockRetainUntilDate"] > datetime.now(UTC) + timedelta(days=365 * 10 - 2)
    assert_exactly_one_audit_object_per_event(deps, tid)


def test_r12345_17_close_writes_record_json_html_and_manifest(deps: Any, seeded: Any) -> None:
    import hashlib

    tid = closed_ticket(deps)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    entry = deps.archive_index.latest(tid)
    assert entry is not None
    received = datetime.fromisoformat(entry["received_at"]).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    assert entry["prefix"] == f"archive/{received:%Y/%m}/{tid}/"
    manifest = json.loads(
        s3(deps).get_object(Bucket=bucket(deps), Key=entry["prefix"] + "manifest.json")["Body"].read()
    )
    assert manifest["seq_range"] == [1, entry["version"]] and manifest["event_count"] == entry["version"]
    for name in ("record.json", "record.html"):
        body = s3(deps).get_object(Bucket=bucket(deps), Key=entry["prefix"] + name)["Body"].read()
        assert manifest["files"][name]["sha256"] == hashlib.sha256(body).hexdigest()
        assert manifest["files"][name]["size"] == len(body)
    record = json.loads(s3(deps).get_object(Bucket=bucket(deps), Key=entry["prefix"] + "record.json")["Body"].read())
    assert [e["seq"] for e in record["events"]] == list(range(1, entry["version"] + 1))
    assert record["ticket"]["status"] == "closed"
    html = s3(deps).get_object(Bucket=bucket(deps), Key=entry["prefix"] + "record.html")["Body"].read().decode()
    for text in ("工单归档记录", tid, "办理时限", "派单", "电话记录", "周*", "已责令整改", "基本满意", "办结归档"):
        assert text in html, text
    raw_record = json.dumps(record, ensure_ascii=False)
    # the handler uh1 who signed is also called 周海: a member of staff, printed by name with the unit
    unsealed = html.replace("周海（海游街道办事处", "")
    for secret in ("13957600001", "周海"):  # R-12345-11: whom a call reached is sealed in the envelope
        assert secret not in unsealed and secret not in raw_record, secret
    head = s3(deps).head_object(Bucket=bucket(deps), Key=entry["prefix"] + "record.json")
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["ServerSideEncryption"] == "aws:kms"


def test_r12345_11_archive_keeps_the_caller_encrypted_and_masks_it_in_print(deps: Any, seeded: Any) -> None:

    tid = closed_ticket(deps)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    prefix = deps.archive_index.latest(tid)["prefix"]
    raw = s3(deps).get_object(Bucket=bucket(deps), Key=prefix + "record.json")["Body"].read().decode()
    html = s3(deps).get_object(Bucket=bucket(deps), Key=prefix + "record.html")["Body"].read().decode()
    for secret in ("张三丰", "13800001234", "海游街道1号"):
        assert secret not in raw and secret not in html
    assert "张**" in html and "138****1234" in html
    record = json.loads(raw)
    assert record["caller_enc"].startswith("tk1:")  # under the ticket's own key (docs/privacy.md)
    assert deps.tickets.open_personal(tid, record["caller_enc"], caller_aad(tid))["name"] == "张三丰"


def test_the_same_batch_delivered_twice_creates_no_duplicates(deps: Any, seeded: Any) -> None:

    tid = closed_ticket(deps)
    records = stream_records(deps, tid)
    assert deliver(deps, AUDIT, {"Records": records}) == {"batchItemFailures": []}
    assert deliver(deps, AUDIT, {"Records": records}) == {"batchItemFailures": []}
    assert_exactly_one_audit_object_per_event(deps, tid)
    assert_one_current_package(deps, tid)

    prefix = deps.archive_index.latest(tid)["prefix"]
    assert versions_under(deps, prefix) == {prefix + n: 1 for n in ("record.json", "record.html", "manifest.json")}


def test_s3_failing_for_some_records_reports_exactly_those_and_a_retry_completes(
    deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.integrations import archive_store

    tid = closed_ticket(deps)
    records = stream_records(deps, tid)
    failing = {f"/{tid}/000002.json", f"/{tid}/000005.json"}
    original = archive_store.S3ArchiveStore.put_once

    def flaky(self: Any, key: str, *args: Any, **kwargs: Any) -> bool:
        if any(key.endswith(f) for f in failing):
            raise archive_store.ClientError({"Error": {"Code": "SlowDown", "Message": "injected"}}, "PutObject")
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(archive_store.S3ArchiveStore, "put_once", flaky)
    result = deliver(deps, AUDIT, {"Records": records})
    failed = [f["itemIdentifier"] for f in result["batchItemFailures"]]
    assert failed == [records[1]["dynamodb"]["SequenceNumber"], records[4]["dynamodb"]["SequenceNumber"]]
    monkeypatch.setattr(archive_store.S3ArchiveStore, "put_once", original)
    retry = [r for r in records if r["dynamodb"]["SequenceNumber"] in failed]
    assert deliver(deps, AUDIT, {"Records": retry}) == {"batchItemFailures": []}
    assert_exactly_one_audit_object_per_event(deps, tid)
    assert_one_current_package(deps, tid)


def test_a_failing_archive_fails_only_the_close_record(deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chalicelib.integrations import archive_store

    tid = closed_ticket(deps)
    records = stream_records(deps, tid)

    def broken(self: Any, key: str, *args: Any, **kwargs: Any) -> str:
        raise archive_store.ClientError({"Error": {"Code": "InternalError", "Message": "injected"}}, "PutObject")

    monkeypatch.setattr(archive_store.S3ArchiveStore, "put", broken)
    result = deliver(deps, AUDIT, {"Records": records})
    assert [f["itemIdentifier"] for f in result["batchItemFailures"]] == [records[-1]["dynamodb"]["SequenceNumber"]]
    monkeypatch.undo()
    assert lambda_pump(lambda b: deliver(deps, AUDIT, b), records) == []
    assert_exactly_one_audit_object_per_event(deps, tid)
    assert_one_current_package(deps, tid)


class Crash(BaseException):
    """The Lambda runtime dying mid-batch (timeout, out of memory)."""


def test_handler_crashing_mid_batch_is_retried_whole_and_ends_exact(
    deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.services import archive

    a, b = closed_ticket(deps), closed_ticket(deps)
    records = stream_records(deps, a, b)
    original = archive.archive_ticket
    calls = {"n": 0}

    def crash_on_second_archive(*args: Any, **kwargs: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 2:
            raise Crash()
        return original(*args, **kwargs)

    monkeypatch.setattr(archive, "archive_ticket", crash_on_second_archive)
    assert lambda_pump(lambda b: deliver(deps, AUDIT, b), records) == []
    assert calls["n"] >= 3
    assert_exactly_one_audit_object_per_event(deps, a, b)
    assert_one_current_package(deps, a)
    assert_one_current_package(deps, b)


def test_records_still_failing_after_the_retries_are_dead_lettered_not_lost(
    deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.integrations import archive_store
    from chalicelib.services import reconcile

    tid = closed_ticket(deps)
    records = stream_records(deps, tid)
    original = archive_store.S3ArchiveStore.put_once

    def down(self: Any, key: str, *args: Any, **kwargs: Any) -> bool:
        if key.endswith("000003.json"):
            raise archive_store.ClientError(
                {"Error": {"Code": "ServiceUnavailable", "Message": "injected"}}, "PutObject"
            )
        return original(self, key, *args, **kwargs)

    monkeypatch.setattr(archive_store.S3ArchiveStore, "put_once", down)
    dead = lambda_pump(lambda b: deliver(deps, AUDIT, b), records)
    assert [r["dynamodb"]["Keys"]["seq"]["N"] for r in dead] == ["3"]
    monkeypatch.undo()
    day = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date()
    report = reconcile.run(deps, day, day, datetime.now(UTC))
    # the report lists at most 100 ids; other tests' events of the same day may come first
    assert f"{tid}.000003" in report["repaired"] or report["counts"]["repaired"] > len(report["repaired"])
    assert report["counts"]["missing"] >= 1 and report["counts"]["repaired"] >= 1
    assert_exactly_one_audit_object_per_event(deps, tid)


def test_r12345_09_a_reopened_ticket_archives_again_and_the_old_version_is_kept(deps: Any, seeded: Any) -> None:
    from chalicelib.domain.model import Actor as A
    from chalicelib.services import records

    now = datetime.now(UTC)
    tid = closed_ticket(deps, now)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    reopen_ticket(deps, tid, now + timedelta(minutes=5))
    close_ticket(deps, tid, now + timedelta(minutes=10))
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})  # the whole history again: old records are no-ops
    entries = deps.archive_index.versions(tid)
    assert len(entries) == 2 and entries[0]["version"] < entries[1]["version"]
    assert entries[1]["seq_range"] == [1, entries[1]["version"]]
    prefix = entries[0]["prefix"]
    assert entries[1]["prefix"] == prefix
    assert versions_under(deps, prefix) == {prefix + n: 2 for n in ("record.json", "record.html", "manifest.json")}
    assert_one_current_package(deps, tid, expected_versions=2)
    records_actor = A("records1", "records")
    old = records.verify(deps, records_actor, tid, entries[0]["version"])
    assert old["ok"] and old["version"] == entries[0]["version"]
    assert records.verify(deps, records_actor, tid)["ok"]


def test_an_older_close_delivered_after_a_newer_archive_does_not_overwrite_it(deps: Any, seeded: Any) -> None:
    from chalicelib.services import archive

    now = datetime.now(UTC)
    tid = closed_ticket(deps, now)
    first_close = deps.tickets.history(tid, 100)[-1]
    reopen_ticket(deps, tid, now + timedelta(minutes=5), "重新交办")
    close_ticket(deps, tid, now + timedelta(minutes=10))
    second_close = deps.tickets.history(tid, 100)[-1]
    assert archive.archive_ticket(deps, second_close, now) == "written"
    assert archive.archive_ticket(deps, first_close, now) == "superseded"
    assert archive.archive_ticket(deps, second_close, now) == "exists"
    assert [v["version"] for v in deps.archive_index.versions(tid)] == [second_close["seq"]]


def test_a_close_whose_history_is_not_in_the_log_fails_loudly(deps: Any, seeded: Any) -> None:

    tid = closed_ticket(deps)
    record = stream_records(deps, tid)[-1]
    image = dict(record["dynamodb"]["NewImage"])
    image["ticket_id"] = {"S": "T20000101-99999"}
    image["event_id"] = {"S": "T20000101-99999.000008"}
    record["dynamodb"]["NewImage"] = image
    result = deliver(deps, AUDIT, {"Records": [record]})
    assert result == {"batchItemFailures": [{"itemIdentifier": record["dynamodb"]["SequenceNumber"]}]}


def test_one_s3_put_per_event_and_none_on_redelivery_of_an_open_ticket(deps: Any, seeded: Any) -> None:
    from chalicelib.services import tickets as svc

    ticket, _ = svc.create_ticket(
        deps, OP1, {"category": "help", "title": "求助", "content": "内容"}, datetime.now(UTC)
    )
    svc.act(deps, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, datetime.now(UTC))
    records = stream_records(deps, ticket.ticket_id)
    deps.archive_store.reset_request_counts()
    deliver(deps, AUDIT, {"Records": records})
    assert deps.archive_store.request_counts() == {"PutObject": len(records)}
    prefix = audit_keys_of(deps, ticket.ticket_id)[0].rsplit("/", 1)[0] + "/"
    assert versions_under(deps, prefix) == dict.fromkeys(audit_keys_of(deps, ticket.ticket_id), 1)
    deliver(deps, AUDIT, {"Records": records})
    assert versions_under(deps, prefix) == dict.fromkeys(audit_keys_of(deps, ticket.ticket_id), 1)
