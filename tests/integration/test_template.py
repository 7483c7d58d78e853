"""infra/resources.yaml is lint-clean and deploys to moto exactly as written (infra/deploy.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from chalicelib.storage.tickets import caller_aad
from infra import deploy, emulator, state
from infra.template import TEMPLATE_PATH, load_template

ROOT = Path(__file__).resolve().parents[2]
STAGE = "it"


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server in its OWN process: moto servers in one process share their data, and these
    tests reset theirs, which must not wipe the session's test stack (tests/conftest.py)."""
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(url + "/moto-api/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def outputs(moto_url: str) -> dict[str, str]:
    emulator.reset_moto(moto_url)
    return deploy.deploy(moto_url, STAGE)


def _client(outputs: dict[str, str], service: str) -> Any:
    return emulator.client(service, outputs["endpoint_url"], outputs["region"])


def _template_tables() -> dict[str, dict[str, Any]]:
    template = load_template()
    return {lid: r["Properties"] for lid, r in template["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}


TABLE_OUTPUT = {
    "TicketsTable": "tickets_table",
    "TicketEventsTable": "events_table",
    "CountersTable": "counters_table",
    "DirectoryTable": "directory_table",
}


def test_template_passes_cfn_lint_for_the_china_and_global_partitions() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    cmd = [str(cfn_lint), "--regions", "cn-north-1", "us-east-1", "--", str(TEMPLATE_PATH)]
    result = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_contract_tables_are_in_the_template() -> None:
    tables = _template_tables()
    assert set(tables) == set(TABLE_OUTPUT)
    gsis = {lid: {g["IndexName"] for g in p.get("GlobalSecondaryIndexes", [])} for lid, p in tables.items()}
    assert gsis == {
        "TicketsTable": {
            "by_unit",
            "by_owner",
            "by_status",
            "by_queue",
            "by_caller",
            "by_caller_name",
            "open_deadline",
        },
        "TicketEventsTable": {"by_month"},
        "CountersTable": set(),
        "DirectoryTable": {"gsi1"},
    }


@pytest.mark.parametrize("logical_id", sorted(TABLE_OUTPUT))
def test_deployed_table_has_exactly_the_template_keys_and_indexes(outputs: dict[str, str], logical_id: str) -> None:
    props = _template_tables()[logical_id]
    ddb = _client(outputs, "dynamodb")
    table = ddb.describe_table(TableName=outputs[TABLE_OUTPUT[logical_id]])["Table"]
    assert table["TableName"] == f"hotline-{STAGE}-" + (
        "ticket-events" if logical_id == "TicketEventsTable" else TABLE_OUTPUT[logical_id][:-6]
    )
    assert table["KeySchema"] == props["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=lambda a: a["AttributeName"]) == sorted(
        props["AttributeDefinitions"], key=lambda a: a["AttributeName"]
    )
    deployed = {
        g["IndexName"]: (g["KeySchema"], g["Projection"]["ProjectionType"])
        for g in table.get("GlobalSecondaryIndexes", [])
    }
    expected = {
        g["IndexName"]: (g["KeySchema"], g["Projection"]["ProjectionType"])
        for g in props.get("GlobalSecondaryIndexes", [])
    }
    assert deployed == expected
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["SSEDescription"]["Status"] == "ENABLED"
    assert table["SSEDescription"]["KMSMasterKeyArn"] == outputs["kms_key_arn"]
    backups = ddb.describe_continuous_backups(TableName=table["TableName"])
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    stream = props.get("StreamSpecification")
    if stream:
        assert table["StreamSpecification"]["StreamViewType"] == stream["StreamViewType"]
    else:
        assert "StreamSpecification" not in table or not table["StreamSpecification"]["StreamEnabled"]


def test_the_event_log_streams_and_the_tickets_table_does_not(outputs: dict[str, str]) -> None:
    """Every side effect hangs off TicketEvents; nothing reads a Tickets stream, so none is kept."""
    streams = _client(outputs, "dynamodbstreams")
    desc = streams.describe_stream(StreamArn=outputs["events_stream_arn"])["StreamDescription"]
    assert desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ddb = _client(outputs, "dynamodb")
    table = ddb.describe_table(TableName=outputs["tickets_table"])["Table"]
    assert not table.get("StreamSpecification", {}).get("StreamEnabled")


def test_directory_ttl_is_enabled_on_expires_at(outputs: dict[str, str]) -> None:
    ddb = _client(outputs, "dynamodb")
    ttl = ddb.describe_time_to_live(TableName=outputs["directory_table"])["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_archive_bucket_is_versioned_locked_private_and_encrypted(outputs: dict[str, str]) -> None:
    s3 = _client(outputs, "s3")
    bucket = outputs["archive_bucket"]
    assert bucket == f"hotline-{STAGE}-archive-{emulator.ACCOUNT_ID}"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert lock["Rule"]["DefaultRetention"]["Mode"] == "COMPLIANCE"
    assert lock["Rule"]["DefaultRetention"]["Years"] == 10
    pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert pab == dict.fromkeys(
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
    )
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": outputs["kms_key_arn"],
    }


def test_archived_object_cannot_be_deleted_under_compliance_lock(outputs: dict[str, str]) -> None:
    s3 = _client(outputs, "s3")
    bucket = outputs["archive_bucket"]
    version = s3.put_object(Bucket=bucket, Key="archive/locked.json", Body=b"{}")["VersionId"]
    head = s3.head_object(Bucket=bucket, Key="archive/locked.json")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    with pytest.raises(s3.exceptions.ClientError):
        s3.delete_object(Bucket=bucket, Key="archive/locked.json", VersionId=version)


def test_data_key_rotates_encrypts_and_has_its_alias(outputs: dict[str, str]) -> None:
    kms = _client(outputs, "kms")
    assert kms.get_key_rotation_status(KeyId=outputs["kms_key_id"])["KeyRotationEnabled"] is True
    data_key = kms.generate_data_key(KeyId=f"alias/hotline-{STAGE}-data", KeySpec="AES_256")
    plain = kms.decrypt(CiphertextBlob=data_key["CiphertextBlob"])["Plaintext"]
    assert plain == data_key["Plaintext"]
    assert data_key["KeyId"] == outputs["kms_key_arn"]


def test_notifications_topic_is_encrypted_with_the_data_key(outputs: dict[str, str]) -> None:
    sns = _client(outputs, "sns")
    attrs = sns.get_topic_attributes(TopicArn=outputs["topic_arn"])["Attributes"]
    assert outputs["topic_arn"].endswith(f":hotline-{STAGE}-notifications")
    assert attrs["KmsMasterKeyId"] == outputs["kms_key_id"]


def test_user_pool_has_every_role_group_and_unit_attribute(outputs: dict[str, str]) -> None:
    idp = emulator.client("cognito-idp", outputs["endpoint_url"], outputs["cognito_region"])
    pool = idp.describe_user_pool(UserPoolId=outputs["user_pool_id"])["UserPool"]
    assert pool["Name"] == f"hotline-{STAGE}-users"
    assert any(a["Name"] == "custom:unit_id" and a["Mutable"] for a in pool["SchemaAttributes"])
    groups = {g["GroupName"] for g in idp.list_groups(UserPoolId=outputs["user_pool_id"])["Groups"]}
    assert groups == {"operator", "analyst", "leader", "unit_handler", "records", "admin", "auditor"}
    client = idp.describe_user_pool_client(UserPoolId=outputs["user_pool_id"], ClientId=outputs["user_pool_client_id"])[
        "UserPoolClient"
    ]
    assert set(client["ExplicitAuthFlows"]) == {  # SRP only: the password never goes to the pool
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }
    assert "ClientSecret" not in client


def test_deploy_twice_reuses_the_stack(outputs: dict[str, str]) -> None:
    again = deploy.deploy(outputs["endpoint_url"], STAGE)
    assert again == outputs


def test_id_token_verifies_against_moto_jwks_with_issuer_and_audience(
    outputs: dict[str, str],
) -> None:
    env = deploy.env_for(outputs, STAGE)
    deploy.create_user(outputs, "uh1", "Hotline#2026uh1", "unit_handler", unit_id="U001", name="王办理")
    tokens = deploy.login(outputs, "uh1", "Hotline#2026uh1")
    signing_key = jwt.PyJWKClient(env["OIDC_JWKS_URL"]).get_signing_key_from_jwt(tokens["IdToken"])
    claims = jwt.decode(
        tokens["IdToken"],
        signing_key.key,
        algorithms=["RS256"],
        issuer=env["OIDC_ISSUER"],
        audience=env["OIDC_AUDIENCE"],
    )
    assert claims["token_use"] == "id"
    assert claims["cognito:groups"] == ["unit_handler"]
    assert claims["custom:unit_id"] == "U001"
    assert claims["cognito:username"] == "uh1"
    assert claims["name"] == "王办理"


def test_env_for_names_every_resource(outputs: dict[str, str]) -> None:
    env = deploy.env_for(outputs, STAGE)
    assert env["TICKETS_TABLE"] == f"hotline-{STAGE}-tickets"
    assert env["EVENTS_TABLE"] == f"hotline-{STAGE}-ticket-events"
    assert env["OIDC_AUDIENCE"] == outputs["user_pool_client_id"]
    assert env["AWS_ENDPOINT_URL"] == outputs["endpoint_url"]
    assert all(env.values())


def test_dump_reset_restore_round_trips_items_and_objects(outputs: dict[str, str], tmp_path: Path) -> None:
    ddb = _client(outputs, "dynamodb")
    s3 = _client(outputs, "s3")
    ticket = {
        "ticket_id": {"S": "T20260105-00001"},
        "status": {"S": "received"},
        "received_at": {"S": "2026-01-05T01:00:00+00:00"},
        "unit_id": {"S": "U001"},
        "version": {"N": "3"},
        "blob": {"B": b"\x00\xffkms"},
        "tags": {"SS": ["a", "b"]},
        "title": {"S": "噪音扰民"},
        "doc": {
            "M": {
                "b": {"B": b"\x01"},
                "l": {"L": [{"N": "1"}, {"S": "x"}, {"B": b"\x02"}, {"M": {"n": {"NULL": True}}}]},
                "ok": {"BOOL": True},
            }
        },
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"\x03", b"\x04"]},
    }
    event = {
        "ticket_id": {"S": "T20260105-00001"},
        "seq": {"N": "1"},
        "month": {"S": "2026-01"},
        "at_key": {"S": "2026-01-05T01:00:00+00:00#T20260105-00001#1"},
    }
    ddb.put_item(TableName=outputs["tickets_table"], Item=ticket)
    ddb.put_item(TableName=outputs["events_table"], Item=event)
    many = [  # more than one page of the snapshot's reads
        {"ticket_id": {"S": "T20260105-00002"}, "seq": {"N": str(n)}, "month": {"S": "2026-02"}} for n in range(1, 1201)
    ]
    for at in range(0, len(many), 25):
        ddb.batch_write_item(
            RequestItems={outputs["events_table"]: [{"PutRequest": {"Item": i}} for i in many[at : at + 25]]}
        )
    bucket = outputs["archive_bucket"]
    s3.put_object(
        Bucket=bucket,
        Key="archive/2026/01/T1/record.json",
        Body=b'{"v": 1}',
        ContentType="application/json",
        Metadata={"sha256": "one"},
    )
    s3.put_object(
        Bucket=bucket,
        Key="archive/2026/01/T1/record.json",
        Body=b'{"v": 2}',
        ContentType="application/json",
        Metadata={"sha256": "two"},
    )

    state.dump_state(outputs, tmp_path)
    state.dump_state(outputs, tmp_path)  # a second save replaces the first atomically
    assert len(list((tmp_path / "snapshots").iterdir())) == 1

    emulator.reset_moto(outputs["endpoint_url"])
    fresh = deploy.deploy(outputs["endpoint_url"], STAGE)
    assert ddb.scan(TableName=fresh["tickets_table"])["Items"] == []
    assert state.restore_state(fresh, tmp_path) is True

    got = ddb.get_item(TableName=fresh["tickets_table"], Key={"ticket_id": ticket["ticket_id"]})["Item"]
    assert got == ticket
    assert ddb.query(
        TableName=fresh["events_table"],
        IndexName="by_month",
        KeyConditionExpression="#m = :m",
        ExpressionAttributeNames={"#m": "month"},
        ExpressionAttributeValues={":m": {"S": "2026-01"}},
    )["Items"] == [event]
    restored = ddb.query(
        TableName=fresh["events_table"],
        KeyConditionExpression="ticket_id = :t",
        ExpressionAttributeValues={":t": {"S": "T20260105-00002"}},
    )["Items"]
    assert sorted(restored, key=lambda i: int(i["seq"]["N"])) == many
    obj = s3.get_object(Bucket=bucket, Key="archive/2026/01/T1/record.json")
    assert obj["Body"].read() == b'{"v": 2}'
    assert obj["Metadata"] == {"sha256": "two"}
    assert obj["ContentType"] == "application/json"
    versions = s3.list_object_versions(Bucket=bucket, Prefix="archive/2026/01/T1/")["Versions"]
    assert len(versions) == 2
    outputs.update(fresh)  # later tests in this module use the re-deployed stack


def test_restore_from_an_empty_folder_reports_nothing_restored(outputs: dict[str, str], tmp_path: Path) -> None:
    assert state.restore_state(outputs, tmp_path) is False


def test_restored_open_tickets_get_their_work_queue_once(outputs: dict[str, str]) -> None:
    ddb = _client(outputs, "dynamodb")
    table = outputs["tickets_table"]
    saved_before = {  # as a snapshot taken before the by_queue index existed holds them
        "T20260102-00077": "handling",
        "T20260102-00078": "closed",
    }
    for ticket_id, status in saved_before.items():
        ddb.put_item(
            TableName=table,
            Item={
                "ticket_id": {"S": ticket_id},
                "status": {"S": status},
                "received_at": {"S": "2026-01-02T01:00:00+00:00"},
                "doc": {"S": "{}"},
                "version": {"N": "3"},
            },
        )
    assert state.index_work_queues(outputs) >= 1
    assert state.index_work_queues(outputs) == 0  # once: nothing left to index
    got = {
        t: ddb.get_item(TableName=table, Key={"ticket_id": {"S": t}})["Item"].get("work_queue") for t in saved_before
    }
    assert got == {"T20260102-00077": {"S": "unfinished"}, "T20260102-00078": None}


def test_r12345_11_restored_tickets_get_their_caller_tag_once_and_no_plaintext(
    outputs: dict[str, str], deps: Any
) -> None:
    ddb = _client(outputs, "dynamodb")
    table = outputs["tickets_table"]
    number = "13912340077"
    ddb.put_item(  # as a snapshot taken before the by_caller index existed holds it
        TableName=table,
        Item={
            "ticket_id": {"S": "T20260102-00079"},
            "status": {"S": "closed"},
            "received_at": {"S": "2026-01-02T01:00:00+00:00"},
            "doc": {"S": "{}"},
            "caller_enc": {
                "S": deps.envelope.encrypt({"name": "赵六", "phone": number}, caller_aad("T20260102-00079"))
            },
            "version": {"N": "3"},
        },
    )
    assert state.index_caller_tags(outputs, deps) >= 1
    assert state.index_caller_tags(outputs, deps) == 0  # once: nothing left to index
    assert state.index_caller_name_tags(outputs, deps) >= 1
    assert state.index_caller_name_tags(outputs, deps) == 0
    item = ddb.get_item(TableName=table, Key={"ticket_id": {"S": "T20260102-00079"}})["Item"]
    assert item["caller_tag"] == {"S": deps.blind_index.phone_tag(number)}
    assert item["caller_name_tag"] == {"S": deps.blind_index.name_tag("赵六")}
    assert number not in json.dumps(item) and "赵六" not in json.dumps(item, ensure_ascii=False)
    ddb.update_item(  # as tagged under the other blind-index hash (BLIND_INDEX_HASH changed): tagged again
        TableName=table,
        Key={"ticket_id": {"S": "T20260102-00079"}},
        UpdateExpression="SET caller_tag = :p, caller_name_tag = :n",
        ExpressionAttributeValues={":p": {"S": "b2:" + "0" * 64}, ":n": {"S": "b2:" + "1" * 64}},
    )
    assert state.index_caller_tags(outputs, deps) >= 1 and state.index_caller_name_tags(outputs, deps) >= 1
    assert state.index_caller_tags(outputs, deps) == 0 == state.index_caller_name_tags(outputs, deps)
    item = ddb.get_item(TableName=table, Key={"ticket_id": {"S": "T20260102-00079"}})["Item"]
    assert item["caller_tag"] == {"S": deps.blind_index.phone_tag(number)}
    assert item["caller_name_tag"] == {"S": deps.blind_index.name_tag("赵六")}
