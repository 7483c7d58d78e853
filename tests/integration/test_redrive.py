"""`python -m infra.redrive --queue-url …` on moto: an SQS on-failure pointer becomes a reconciliation of
its window (a lost audit copy rewritten) and a replay that sends nothing twice; the message is deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.helpers.archive import bucket, s3
from tests.helpers.streams import AUDIT, NOTIFY, PARTNERS, deliver, stream_records
from tests.helpers.tickets import closed_ticket

AT = datetime(2024, 4, 9, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai; no other test writes events on this day


def pointer_body(first: datetime, last: datetime, stream_arn: str, batch_size: int) -> str:
    """Lambda's on-failure record for a DynamoDB-stream batch (what the AuditDeadLetterQueue receives)."""
    return json.dumps(
        {
            "requestContext": {
                "requestId": "c9b8fa9f-5a7f-4d1a-af9c-0c604cde93a5",
                "functionArn": "arn:aws-cn:lambda:cn-north-1:123456789012:function:hotline-test-on_ticket_event",
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": 4,
            },
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "version": "1.0",
            "timestamp": (last + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "DDBStreamBatchInfo": {
                "shardId": "shardId-00000001712628000000-1a2b3c4d",
                "startSequenceNumber": "100000000000000000001",
                "endSequenceNumber": "100000000000000000013",
                "approximateArrivalOfFirstRecord": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "approximateArrivalOfLastRecord": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "batchSize": batch_size,
                "streamArn": stream_arn,
            },
        }
    )


def _queue_depth(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"])


def test_r12345_17_the_cloud_redrive_repairs_the_window_and_deletes_the_pointer(
    deps: Any, seeded: Any, ns: str
) -> None:
    from chalicelib.services.archive import audit_key
    from infra import redrive

    tid = closed_ticket(deps, AT, received_at=AT.isoformat())
    records = stream_records(deps, tid)
    assert deliver(deps, AUDIT, records, AT) == {"batchItemFailures": []}
    assert deliver(deps, NOTIFY, records, AT) == {"batchItemFailures": []}
    assert deliver(deps, PARTNERS, records, AT) == {"batchItemFailures": []}
    texts = [m.ref for m in deps.sms.sent if m.ref.startswith(tid)]
    assert sorted(texts) == [f"{tid}#lookup", f"{tid}.000002#unit"]  # the caller's code, the unit handler

    lost = audit_key(deps.tickets.history(tid)[2])
    s3(deps).delete_object(Bucket=bucket(deps), Key=lost)  # a delete marker: the copy is gone from listings
    assert lost not in deps.archive_store.keys(lost.rsplit("/", 1)[0] + "/")

    sqs = deps.clients("sqs")
    url = sqs.create_queue(QueueName=f"hotline-test-redrive-{ns}")["QueueUrl"]
    body = pointer_body(AT, AT + timedelta(seconds=10), deps.settings.events_stream_arn, len(records))
    sqs.send_message(QueueUrl=url, MessageBody=body)

    report = redrive.redrive_queue(deps, sqs, url, datetime.now(UTC), wait_s=0)
    assert (report["received"], report["deleted"], report["kept"]) == (1, 1, 0), report
    [result] = report["results"]
    assert result["reconcile"]["missing"] == 1 and result["reconcile"]["repaired"] == 1, result
    assert result["events"] == len(records) and result["failed"] == {}
    assert lost in deps.archive_store.keys(lost.rsplit("/", 1)[0] + "/")
    assert [m.ref for m in deps.sms.sent if m.ref.startswith(tid)] == texts  # nothing texted twice
    assert _queue_depth(sqs, url) == 0  # the message is gone

    assert redrive.redrive_queue(deps, sqs, url, datetime.now(UTC), wait_s=0)["received"] == 0


def test_a_message_that_is_not_a_pointer_stays_in_the_queue(deps: Any, seeded: Any, ns: str) -> None:
    from infra import redrive

    sqs = deps.clients("sqs")
    url = sqs.create_queue(QueueName=f"hotline-test-redrive-other-{ns}")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"KinesisBatchInfo": {"shardId": "shardId-0"}}))
    report = redrive.redrive_queue(deps, sqs, url, datetime.now(UTC), wait_s=0, visibility_s=1)
    assert (report["received"], report["deleted"], report["kept"]) == (1, 0, 1)
    assert _queue_depth(sqs, url) == 1
