"""The audit stream's cloud wiring: the packaged SAM template reports partial batch failures,
retries a bounded number of times, bisects, and parks what still fails in the KMS-encrypted DLQ."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import emulator
from infra.template import load_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`chalice package --stage prod-cn --merge-template infra/resources.yaml` → the SAM template."""
    out = tmp_path_factory.mktemp("pkg")
    chalice = Path(sys.executable).with_name("chalice")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT", "STAGE"))}
    env.update(
        AWS_DEFAULT_REGION="cn-north-1",
        OIDC_ISSUER="https://idp.example.cn",
        OIDC_JWKS_URL="https://idp.example.cn/jwks.json",
    )
    result = subprocess.run(
        [str(chalice), "package", "--stage", "prod-cn", "--merge-template", "infra/resources.yaml", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    path = out / "sam.yaml" if (out / "sam.yaml").exists() else out / "sam.json"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def test_stream_handler_reports_partial_failures_retries_and_dead_letters(packaged: dict[str, Any]) -> None:
    function = packaged["Resources"]["OnTicketEvent"]
    assert function["Type"] == "AWS::Serverless::Function"
    assert function["Properties"]["Handler"] == "chalicelib.handlers.audit.on_ticket_event"
    source = function["Properties"]["Events"]["OnTicketEventDynamodbEventSource"]
    assert source["Type"] == "DynamoDB"
    props = source["Properties"]
    assert props["Stream"] == {"Fn::GetAtt": ["TicketEventsTable", "StreamArn"]}
    assert props["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert props["MaximumRetryAttempts"] == 3
    assert props["BisectBatchOnFunctionError"] is True
    assert props["StartingPosition"] == "TRIM_HORIZON" and props["BatchSize"] == 100
    assert props["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": {"Fn::GetAtt": ["AuditDeadLetterQueue", "Arn"]},
    }
    queue = packaged["Resources"]["AuditDeadLetterQueue"]
    assert queue["Type"] == "AWS::SQS::Queue"
    assert queue["Properties"]["KmsMasterKeyId"] == {"Ref": "DataKey"}
    assert (
        packaged["Resources"]["DailyReconcile"]["Properties"]["Events"]["DailyReconcileEvent"]["Properties"]["Schedule"]
        == "cron(30 18 * * ? *)"
    )


def test_dead_letter_queue_deploys_encrypted_with_the_data_key(outputs: dict[str, str]) -> None:
    sqs = emulator.client("sqs", outputs["endpoint_url"], outputs["region"])
    attrs = sqs.get_queue_attributes(QueueUrl=outputs["AuditDeadLetterQueueUrl"], AttributeNames=["All"])["Attributes"]
    assert attrs["QueueArn"] == outputs["AuditDeadLetterQueueArn"]
    assert attrs.get("KmsMasterKeyId")
    assert int(attrs["MessageRetentionPeriod"]) == 14 * 24 * 3600


def test_archive_retention_defaults_to_ten_years(deps: Any) -> None:
    template = load_template()
    assert template["Parameters"]["ArchiveRetentionYears"]["Default"] == 10
    assert deps.settings.archive_retention_years == int(os.environ.get("ARCHIVE_RETENTION_YEARS", "10"))
