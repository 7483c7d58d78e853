"""Deploy infra/resources.yaml to a moto endpoint and apply what moto's CloudFormation ignores.

The template stays the single definition: resource types moto's CloudFormation cannot create
(Cognito pool, client, groups; the bucket policy) are created here directly from the
template's own properties, and settings moto accepts but drops (PITR, TTL, S3 versioning,
Object Lock, public-access block, table SSE, a JSON key policy) are applied through the API.
Also: start/reset a moto server, create users, dump/restore all data.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import shutil
import socket
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import boto3.session
import requests
import yaml
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

TEMPLATE_PATH = Path(__file__).with_name("resources.yaml")
ACCOUNT_ID = "123456789012"  # moto's default account
ACCESS_KEY = "testing"

# Resource types moto 5.x CloudFormation cannot create: deploy() creates them directly.
DIRECT_TYPES = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::S3::BucketPolicy",
}

# Stack output -> key of the dict deploy() returns.
OUTPUT_KEYS = {
    "TicketsTableName": "tickets_table",
    "EventsTableName": "events_table",
    "CountersTableName": "counters_table",
    "DirectoryTableName": "directory_table",
    "EventsStreamArn": "events_stream_arn",
    "TicketsStreamArn": "tickets_stream_arn",
    "ArchiveBucketName": "archive_bucket",
    "NotificationsTopicArn": "topic_arn",
    "DataKeyId": "kms_key_id",
    "DataKeyArn": "kms_key_arn",
    "DataKeyAliasName": "kms_key_alias",
    "UserPoolId": "user_pool_id",
    "UserPoolClientId": "user_pool_client_id",
}

# Fragments that only mean something once `chalice package --merge-template` has merged them
# into Chalice's SAM output (e.g. overrides of a generated function's event source): not deployed
# to moto; the local stack pumps the streams itself.
MERGE_ONLY_TYPES = {"AWS::Serverless::Function"}

# Cognito is not offered in the China partition (moto has no cn-* backend for it either):
# locally the pool lives in the nearest region that has it. Tokens are verified by issuer + JWKS,
# so the app does not care where the IdP sits.
COGNITO_FALLBACK_REGION = "ap-east-1"

# Output key -> file name stem in a state snapshot (stage independent).
TABLE_KEYS = ("tickets_table", "events_table", "counters_table", "directory_table")


# --------------------------------------------------------------------------- template


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !Sub …) into long form."""


def _cfn_tag(tag: str) -> Any:
    name = "Ref" if tag == "Ref" else f"Fn::{tag}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _tag in (
    "Ref",
    "Sub",
    "GetAtt",
    "Join",
    "If",
    "Equals",
    "Not",
    "And",
    "Or",
    "Select",
    "Split",
    "FindInMap",
    "ImportValue",
    "GetAZs",
    "Base64",
    "Condition",
):
    _CfnLoader.add_constructor(f"!{_tag}", _cfn_tag(_tag))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse resources.yaml into plain dicts (intrinsics in long form)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_CfnLoader)


def _refs(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, GetAtt, ${X} / ${X.Attr} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                for part in text.split("${")[1:]:
                    found.add(part.split("}", 1)[0].split(".", 1)[0])
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _moto_template(template: dict[str, Any]) -> dict[str, Any]:
    """The part of the template moto's CloudFormation can create, adapted to its quirks."""
    tpl = json.loads(json.dumps(template))
    tpl.pop("Globals", None)  # SAM-only: the merged template's function environment
    direct = {
        lid for lid, r in tpl["Resources"].items() if r["Type"] in DIRECT_TYPES | MERGE_ONLY_TYPES
    }
    for lid in direct:
        del tpl["Resources"][lid]
    tpl["Outputs"] = {k: v for k, v in tpl.get("Outputs", {}).items() if not _refs(v) & direct}
    for res in tpl["Resources"].values():
        sse = res.get("Properties", {}).get("SSESpecification")
        if res["Type"] == "AWS::DynamoDB::Table" and sse:
            # moto reads the API's "Enabled", CloudFormation says "SSEEnabled".
            sse["Enabled"] = sse.get("SSEEnabled", False)
    return tpl


class _Resolver:
    """Resolves the intrinsics used by the directly created resources."""

    def __init__(self, params: dict[str, str], physical: dict[str, str], region: str) -> None:
        partition = "aws-cn" if region.startswith("cn-") else "aws"
        self.values = {
            **params,
            **physical,
            "AWS::AccountId": ACCOUNT_ID,
            "AWS::Region": region,
            "AWS::Partition": partition,
            "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
            "AWS::StackName": "",
        }
        self.attrs: dict[str, str] = {}

    def __call__(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self(v) for v in node]
        if not isinstance(node, dict):
            return node
        if set(node) == {"Ref"}:
            return self.values[node["Ref"]]
        if set(node) == {"Fn::GetAtt"}:
            return self.attrs[".".join(node["Fn::GetAtt"])]
        if set(node) == {"Fn::Sub"}:
            text = node["Fn::Sub"]
            extra: dict[str, Any] = {}
            if isinstance(text, list):
                text, extra = text[0], {k: self(v) for k, v in text[1].items()}
            for name in [p.split("}", 1)[0] for p in text.split("${")[1:]]:
                value = extra.get(name, self.attrs.get(name, self.values.get(name)))
                text = text.replace("${" + name + "}", str(value))
            return text
        if set(node) == {"Fn::Join"}:
            sep, parts = node["Fn::Join"]
            return sep.join(str(self(p)) for p in parts)
        return {k: self(v) for k, v in node.items()}


# --------------------------------------------------------------------------- moto server


_WRITE_LOCK = threading.RLock()


def serialize_dynamodb_writes() -> None:
    """Make moto's DynamoDB writes atomic with respect to each other, as DynamoDB's are.

    moto runs each request in its own thread and checks a transaction's conditions before it
    writes, without a lock: two concurrent transactions on one item can then both succeed, and
    its rollback copy of the tables can fail while another thread writes. One process-wide lock
    around every write operation restores DynamoDB's guarantee (one winner, the rest cancelled).
    """
    import moto.dynamodb.models as mm

    backend = mm.DynamoDBBackend
    if getattr(backend, "_hotline_serialized", False):
        return
    for name in ("transact_write_items", "put_item", "update_item", "delete_item", "batch_write_item"):
        original = getattr(backend, name, None)
        if original is None:
            continue

        def locked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            with _WRITE_LOCK:
                return _original(self, *args, **kwargs)

        setattr(backend, name, locked)
    backend._hotline_serialized = True  # type: ignore[attr-defined]


def start_moto(port: int = 0) -> tuple[Any, str]:
    """Start a ThreadedMotoServer on 127.0.0.1 (port 0 = a free port); return (server, url)."""
    from moto.server import ThreadedMotoServer

    serialize_dynamodb_writes()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    if port:
        # ThreadedMotoServer.start() blocks forever if its thread cannot bind: check first.
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise OSError(f"moto port 127.0.0.1:{port} is in use ({exc})") from exc
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()  # returns once the socket is bound
    host, bound = server.get_host_and_port()
    return server, f"http://{host}:{bound}"


def reset_moto(endpoint_url: str) -> None:
    """Forget everything moto holds (POST /moto-api/reset)."""
    requests.post(f"{endpoint_url}/moto-api/reset", timeout=30).raise_for_status()


def client(service: str, endpoint_url: str, region: str) -> BaseClient:
    """A boto3 client for the moto endpoint with the dummy credentials."""
    return boto3.client(
        service,
        endpoint_url=endpoint_url,
        region_name=region,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=ACCESS_KEY,
        config=Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def cognito_region(region: str) -> str:
    """The region the user pool lives in for a stack in `region`."""
    available = boto3.session.Session().get_available_regions("cognito-idp")
    return region if region in available else COGNITO_FALLBACK_REGION


def _c(outputs: dict[str, str], service: str) -> BaseClient:
    if service == "cognito-idp":
        region = outputs.get("cognito_region") or cognito_region(outputs["region"])
        return client(service, outputs["endpoint_url"], region)
    return client(service, outputs["endpoint_url"], outputs["region"])


# --------------------------------------------------------------------------- deploy


def deploy(endpoint_url: str, stage: str, region: str = "cn-north-1") -> dict[str, str]:
    """Create (or reuse) stack hotline-{stage} on moto and return its outputs."""
    template = load_template()
    params = {name: str(p.get("Default", "")) for name, p in template.get("Parameters", {}).items()}
    params["Stage"] = stage
    cfn = client("cloudformation", endpoint_url, region)
    stack_name = f"hotline-{stage}"
    stack = _existing_stack(cfn, stack_name)
    if stack is None:
        cfn.create_stack(
            StackName=stack_name,
            TemplateBody=json.dumps(_moto_template(template)),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
        )
        stack = _wait_for_stack(cfn, stack_name)
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    outputs = {
        OUTPUT_KEYS.get(o["OutputKey"], o["OutputKey"]): o["OutputValue"]
        for o in stack.get("Outputs", [])
    }
    outputs.update(
        region=region,
        endpoint_url=endpoint_url,
        stage=stage,
        cognito_region=cognito_region(region),
        archive_retention_years=params["ArchiveRetentionYears"],
    )
    resolver = _Resolver(params, physical, region)
    resolver.attrs["DataKey.Arn"] = outputs["kms_key_arn"]
    resolver.attrs["ArchiveBucket.Arn"] = (
        f"arn:{resolver.values['AWS::Partition']}:s3:::{physical['ArchiveBucket']}"
    )
    _apply_ignored(template, outputs, physical, resolver)
    if params.get("UseCognito", "true") == "true":
        pool_id, client_id = _ensure_cognito(template, outputs, resolver)
        outputs.update(user_pool_id=pool_id, user_pool_client_id=client_id)
    return outputs


def _existing_stack(cfn: BaseClient, name: str) -> dict[str, Any] | None:
    try:
        stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except ClientError:
        return None
    live = [s for s in stacks if s["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")]
    return live[0] if live else None


def _wait_for_stack(cfn: BaseClient, name: str, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
        status = stack["StackStatus"]
        if status.endswith("_COMPLETE") and "ROLLBACK" not in status:
            return stack
        if status.endswith("FAILED") or "ROLLBACK" in status or time.monotonic() > deadline:
            raise RuntimeError(f"stack {name}: {status} {stack.get('StackStatusReason', '')}")
        time.sleep(0.1)


def _apply_ignored(
    template: dict[str, Any], outputs: dict[str, str], physical: dict[str, str], resolve: _Resolver
) -> None:
    """Apply properties moto's CloudFormation accepts but does not act on (idempotent)."""
    ddb = _c(outputs, "dynamodb")
    s3 = _c(outputs, "s3")
    kms = _c(outputs, "kms")
    # AWS::S3::BucketPolicy is deliberately not applied: its only statement denies non-TLS
    # access, moto enforces bucket policies, and the moto endpoint is plain http.
    handled = {"AWS::DynamoDB::Table", "AWS::S3::Bucket", "AWS::KMS::Key"}
    for lid, res in template["Resources"].items():
        kind = res["Type"]
        if kind not in handled:
            continue
        props = resolve(res.get("Properties", {}))
        if kind == "AWS::DynamoDB::Table":
            _apply_table(ddb, physical[lid], props)
        elif kind == "AWS::S3::Bucket":
            _apply_bucket(s3, physical[lid], props)
        elif kind == "AWS::KMS::Key":
            # moto stores the CloudFormation policy as a dict, which breaks every later KMS call.
            kms.put_key_policy(
                KeyId=physical[lid], PolicyName="default", Policy=json.dumps(props["KeyPolicy"])
            )
            if props.get("EnableKeyRotation"):
                kms.enable_key_rotation(KeyId=physical[lid])


def _apply_table(ddb: BaseClient, name: str, props: dict[str, Any]) -> None:
    pitr = props.get("PointInTimeRecoverySpecification", {}).get("PointInTimeRecoveryEnabled")
    if pitr:
        ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
        )
    ttl = props.get("TimeToLiveSpecification")
    if ttl and ttl.get("Enabled"):
        current = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        if current.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING"):
            ddb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"AttributeName": ttl["AttributeName"], "Enabled": True},
            )


def _apply_bucket(s3: BaseClient, name: str, props: dict[str, Any]) -> None:
    versioning = props.get("VersioningConfiguration", {}).get("Status")
    lock = props.get("ObjectLockConfiguration")
    if versioning or props.get("ObjectLockEnabled"):
        s3.put_bucket_versioning(
            Bucket=name, VersioningConfiguration={"Status": versioning or "Enabled"}
        )
    if lock and not _has_object_lock(s3, name):
        config: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
        retention = lock.get("Rule", {}).get("DefaultRetention")
        if retention:
            config["Rule"] = {
                "DefaultRetention": {
                    k: (int(v) if k in ("Years", "Days") else v) for k, v in retention.items()
                }
            }
        s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration=config)
    pab = props.get("PublicAccessBlockConfiguration")
    if pab:
        s3.put_public_access_block(Bucket=name, PublicAccessBlockConfiguration=pab)
    enc = props.get("BucketEncryption")
    if enc:
        rules = [
            {
                "ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"],
                **(
                    {"BucketKeyEnabled": rule["BucketKeyEnabled"]}
                    if "BucketKeyEnabled" in rule
                    else {}
                ),
            }
            for rule in enc["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})


def _has_object_lock(s3: BaseClient, bucket: str) -> bool:
    try:
        config = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    except ClientError:
        return False
    return config.get("ObjectLockEnabled") == "Enabled" and "Rule" in config


def _ensure_cognito(
    template: dict[str, Any], outputs: dict[str, str], resolve: _Resolver
) -> tuple[str, str]:
    """Create the user pool, its client and groups from the template (reused if present)."""
    idp = _c(outputs, "cognito-idp")
    resources = template["Resources"]
    pool_lid, pool_props = next(
        (lid, resolve(r["Properties"]))
        for lid, r in resources.items()
        if r["Type"] == "AWS::Cognito::UserPool"
    )
    pool_name = pool_props.pop("UserPoolName")
    existing = [
        p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name
    ]
    if existing:
        pool_id = existing[0]["Id"]
    else:
        pool_id = idp.create_user_pool(PoolName=pool_name, **pool_props)["UserPool"]["Id"]
    resolve.values[pool_lid] = pool_id

    client_id = ""
    for lid, res in resources.items():
        if res["Type"] == "AWS::Cognito::UserPoolClient":
            props = resolve(res["Properties"])
            clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)[
                "UserPoolClients"
            ]
            found = [c for c in clients if c["ClientName"] == props["ClientName"]]
            client_id = (
                found[0]["ClientId"]
                if found
                else idp.create_user_pool_client(**props)["UserPoolClient"]["ClientId"]
            )
            resolve.values[lid] = client_id
        elif res["Type"] == "AWS::Cognito::UserPoolGroup":
            props = resolve(res["Properties"])
            try:
                idp.get_group(GroupName=props["GroupName"], UserPoolId=pool_id)
            except idp.exceptions.ResourceNotFoundException:
                idp.create_group(**props)
    return pool_id, client_id


# --------------------------------------------------------------------------- app environment


def oidc_issuer(outputs: dict[str, str]) -> str:
    """The `iss` of moto's Cognito tokens: https://cognito-idp.{region}.amazonaws.com/{pool}."""
    region = outputs.get("cognito_region") or cognito_region(outputs["region"])
    return f"https://cognito-idp.{region}.amazonaws.com/{outputs['user_pool_id']}"


def jwks_url(outputs: dict[str, str]) -> str:
    """Where moto server serves the pool's JWKS."""
    return f"{outputs['endpoint_url']}/{outputs['user_pool_id']}/.well-known/jwks.json"


def env_for(outputs: dict[str, str], stage: str) -> dict[str, str]:
    """Environment variables the app (chalicelib/config.py) reads for this deployment."""
    return {
        "STAGE": stage,
        "AWS_REGION": outputs["region"],
        "AWS_DEFAULT_REGION": outputs["region"],
        "AWS_ENDPOINT_URL": outputs["endpoint_url"],
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": ACCESS_KEY,
        "TICKETS_TABLE": outputs["tickets_table"],
        "EVENTS_TABLE": outputs["events_table"],
        "COUNTERS_TABLE": outputs["counters_table"],
        "DIRECTORY_TABLE": outputs["directory_table"],
        "EVENTS_STREAM_ARN": outputs["events_stream_arn"],
        "TICKETS_STREAM_ARN": outputs["tickets_stream_arn"],
        "ARCHIVE_BUCKET": outputs["archive_bucket"],
        "ARCHIVE_RETENTION_YEARS": outputs.get("archive_retention_years", "10"),
        "TOPIC_ARN": outputs["topic_arn"],
        "KMS_KEY_ID": outputs["kms_key_id"],
        "COGNITO_REGION": outputs.get("cognito_region") or cognito_region(outputs["region"]),
        "USER_POOL_ID": outputs["user_pool_id"],
        "USER_POOL_CLIENT_ID": outputs["user_pool_client_id"],
        "OIDC_ISSUER": oidc_issuer(outputs),
        "OIDC_JWKS_URL": jwks_url(outputs),
        "OIDC_AUDIENCE": outputs["user_pool_client_id"],
    }


# --------------------------------------------------------------------------- users


def create_user(
    outputs: dict[str, str],
    username: str,
    password: str,
    role: str,
    unit_id: str | None = None,
    name: str | None = None,
) -> None:
    """Create a confirmed user with a permanent password in the role's group (idempotent)."""
    idp = _c(outputs, "cognito-idp")
    pool = outputs["user_pool_id"]
    attrs = [
        {"Name": "email", "Value": f"{username}@hotline.example.cn"},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": name or username},
    ]
    if unit_id:
        attrs.append({"Name": "custom:unit_id", "Value": unit_id})
    try:
        idp.admin_create_user(
            UserPoolId=pool, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS"
        )
    except idp.exceptions.UsernameExistsException:
        idp.admin_update_user_attributes(UserPoolId=pool, Username=username, UserAttributes=attrs)
    idp.admin_set_user_password(
        UserPoolId=pool, Username=username, Password=password, Permanent=True
    )
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=role)


def login(outputs: dict[str, str], username: str, password: str) -> dict[str, Any]:
    """USER_PASSWORD_AUTH through the pool client; returns AuthenticationResult (IdToken …)."""
    idp = _c(outputs, "cognito-idp")
    result = idp.initiate_auth(
        ClientId=outputs["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return result["AuthenticationResult"]


# --------------------------------------------------------------------------- state


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"__b64__": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, set):
        return sorted(value)
    raise TypeError(type(value))


def _json_hook(obj: dict[str, Any]) -> Any:
    if set(obj) == {"__b64__"}:
        return base64.b64decode(obj["__b64__"])
    return obj


def dump_state(outputs: dict[str, str], directory: Path) -> Path:
    """Save every table's items and every archive object version under directory (atomically).

    Layout: blobs/<sha256> (content addressed, shared), snapshots/<ts>/{tables,objects}.json,
    and CURRENT naming the complete snapshot; CURRENT is switched by rename only after the new
    snapshot is fully written, so a crash never loses the previous one.
    """
    directory = Path(directory)
    ddb = _c(outputs, "dynamodb")
    tables: dict[str, list[dict[str, Any]]] = {}
    for key in TABLE_KEYS:
        items: list[dict[str, Any]] = []
        for page in ddb.get_paginator("scan").paginate(TableName=outputs[key], ConsistentRead=True):
            items.extend(page["Items"])
        tables[key] = items
    objects = _dump_objects(outputs, directory)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    snap = directory / "snapshots" / stamp
    _write_atomic(
        snap / "tables.json", json.dumps(tables, default=_json_default, ensure_ascii=False).encode()
    )
    _write_atomic(
        snap / "objects.json",
        json.dumps(objects, default=_json_default, ensure_ascii=False, indent=1).encode(),
    )
    _write_atomic(directory / "CURRENT", stamp.encode())
    _prune(directory, stamp, objects)
    return snap


def _previous_objects(directory: Path) -> dict[tuple[str, str], dict[str, Any]]:
    snap = _current_snapshot(directory)
    if snap is None or not (snap / "objects.json").exists():
        return {}
    entries = json.loads((snap / "objects.json").read_text(encoding="utf-8"))
    return {(e["key"], e["version_id"]): e for e in entries if e.get("version_id")}


def _dump_objects(outputs: dict[str, str], directory: Path) -> list[dict[str, Any]]:
    s3 = _c(outputs, "s3")
    bucket = outputs["archive_bucket"]
    known = _previous_objects(directory)  # a version id never changes: skip re-downloading it
    entries: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        for v in page.get("Versions", []):
            ident = (v["Key"], v["VersionId"])
            if ident in known and (directory / "blobs" / known[ident]["sha256"]).exists():
                entries.append({**known[ident], "is_latest": v["IsLatest"]})
                continue
            obj = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])
            body = obj["Body"].read()
            sha = hashlib.sha256(body).hexdigest()
            blob = directory / "blobs" / sha
            if not blob.exists():
                _write_atomic(blob, body)
            entries.append(
                {
                    "kind": "version",
                    "key": v["Key"],
                    "version_id": v["VersionId"],
                    "is_latest": v["IsLatest"],
                    "last_modified": v["LastModified"].isoformat(),
                    "sha256": sha,
                    "content_type": obj.get("ContentType"),
                    "metadata": obj.get("Metadata", {}),
                    "lock_mode": obj.get("ObjectLockMode"),
                    "retain_until": (
                        obj["ObjectLockRetainUntilDate"].isoformat()
                        if obj.get("ObjectLockRetainUntilDate")
                        else None
                    ),
                    "legal_hold": obj.get("ObjectLockLegalHoldStatus"),
                }
            )
        for m in page.get("DeleteMarkers", []):
            entries.append(
                {
                    "kind": "delete_marker",
                    "key": m["Key"],
                    "version_id": m["VersionId"],
                    "is_latest": m["IsLatest"],
                    "last_modified": m["LastModified"].isoformat(),
                }
            )
    # Oldest first per key. S3 lists newest first but LastModified has 1 s resolution, so ties
    # fall back to the listing position (reversed) and the latest version goes last.
    order = {id(e): n for n, e in enumerate(entries)}
    entries.sort(key=lambda e: (e["key"], e["last_modified"], e["is_latest"], -order[id(e)]))
    return entries


def _prune(directory: Path, keep: str, objects: list[dict[str, Any]]) -> None:
    for old in (directory / "snapshots").iterdir():
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    used = {e["sha256"] for e in objects if e.get("sha256")}
    blobs = directory / "blobs"
    if blobs.is_dir():
        for blob in blobs.iterdir():
            if blob.name not in used and not blob.name.startswith("."):
                blob.unlink(missing_ok=True)


def _current_snapshot(directory: Path) -> Path | None:
    pointer = Path(directory) / "CURRENT"
    if not pointer.exists():
        return None
    snap = Path(directory) / "snapshots" / pointer.read_text().strip()
    return snap if (snap / "tables.json").exists() else None


def has_state(directory: Path) -> bool:
    """True if directory holds a complete snapshot."""
    return _current_snapshot(Path(directory)) is not None


def restore_state(outputs: dict[str, str], directory: Path) -> bool:
    """Put a snapshot written by dump_state back; False if there is none."""
    directory = Path(directory)
    snap = _current_snapshot(directory)
    if snap is None:
        return False
    tables = json.loads((snap / "tables.json").read_text(encoding="utf-8"), object_hook=_json_hook)
    ddb = _c(outputs, "dynamodb")
    for key, items in tables.items():
        for start in range(0, len(items), 25):
            _batch_put(ddb, outputs[key], items[start : start + 25])
    objects_file = snap / "objects.json"
    if objects_file.exists():
        _restore_objects(outputs, directory, json.loads(objects_file.read_text(encoding="utf-8")))
    return True


def _batch_put(ddb: BaseClient, table: str, items: list[dict[str, Any]]) -> None:
    request = {table: [{"PutRequest": {"Item": item}} for item in items]}
    for _ in range(10):
        request = ddb.batch_write_item(RequestItems=request).get("UnprocessedItems") or {}
        if not request:
            return
        time.sleep(0.05)
    raise RuntimeError(f"restore: unprocessed items remain for {table}")


def _restore_objects(
    outputs: dict[str, str], directory: Path, entries: list[dict[str, Any]]
) -> None:
    s3 = _c(outputs, "s3")
    bucket = outputs["archive_bucket"]
    for e in entries:  # sorted by key, then age: versions come back in their original order
        if e["kind"] == "delete_marker":
            s3.delete_object(Bucket=bucket, Key=e["key"])
            continue
        kwargs: dict[str, Any] = {
            "Bucket": bucket,
            "Key": e["key"],
            "Body": (directory / "blobs" / e["sha256"]).read_bytes(),
            "Metadata": e.get("metadata") or {},
        }
        if e.get("content_type"):
            kwargs["ContentType"] = e["content_type"]
        if e.get("lock_mode") and e.get("retain_until"):
            kwargs["ObjectLockMode"] = e["lock_mode"]
            kwargs["ObjectLockRetainUntilDate"] = datetime.fromisoformat(e["retain_until"])
        if e.get("legal_hold"):
            kwargs["ObjectLockLegalHoldStatus"] = e["legal_hold"]
        s3.put_object(**kwargs)
