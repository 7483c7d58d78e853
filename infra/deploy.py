"""Deploy infra/resources.yaml to a moto endpoint and apply what moto's CloudFormation ignores.

The template stays the single definition: resource types moto's CloudFormation cannot create
(Cognito pool, client, groups; the bucket policy) are created here directly from the
template's own properties, and settings moto accepts but drops (PITR, TTL, S3 versioning,
Object Lock, public-access block, table SSE, a JSON key policy) are applied through the API.
Also: the app's environment for a deployment (`env_for`), demo users and their login.
"""

from __future__ import annotations

import json
import time
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import ClientError

from infra.emulator import ACCESS_KEY, ACCOUNT_ID, client, cognito_region, stack_client
from infra.template import load_template, moto_template

# Stack output -> key of the dict deploy() returns.
OUTPUT_KEYS = {
    "TicketsTableName": "tickets_table",
    "EventsTableName": "events_table",
    "CountersTableName": "counters_table",
    "DirectoryTableName": "directory_table",
    "EventsStreamArn": "events_stream_arn",
    "ArchiveBucketName": "archive_bucket",
    "NotificationsTopicArn": "topic_arn",
    "DataKeyId": "kms_key_id",
    "DataKeyArn": "kms_key_arn",
    "DataKeyAliasName": "kms_key_alias",
    "PiiKeyId": "pii_kms_key_id",
    "UserPoolId": "user_pool_id",
    "UserPoolClientId": "user_pool_client_id",
}


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
            TemplateBody=json.dumps(moto_template(template)),
            Parameters=[{"ParameterKey": "Stage", "ParameterValue": stage}],
        )
        stack = _wait_for_stack(cfn, stack_name)
    physical = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    }
    outputs = {OUTPUT_KEYS.get(o["OutputKey"], o["OutputKey"]): o["OutputValue"] for o in stack.get("Outputs", [])}
    outputs.update(
        region=region,
        endpoint_url=endpoint_url,
        stage=stage,
        cognito_region=cognito_region(region),
        archive_retention_years=params["ArchiveRetentionYears"],
    )
    resolver = _Resolver(params, physical, region)
    resolver.attrs["DataKey.Arn"] = outputs["kms_key_arn"]
    resolver.attrs["ArchiveBucket.Arn"] = f"arn:{resolver.values['AWS::Partition']}:s3:::{physical['ArchiveBucket']}"
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
    ddb = stack_client(outputs, "dynamodb")
    s3 = stack_client(outputs, "s3")
    kms = stack_client(outputs, "kms")
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
            kms.put_key_policy(KeyId=physical[lid], PolicyName="default", Policy=json.dumps(props["KeyPolicy"]))
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
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning or "Enabled"})
    if lock and not _has_object_lock(s3, name):
        config: dict[str, Any] = {"ObjectLockEnabled": "Enabled"}
        retention = lock.get("Rule", {}).get("DefaultRetention")
        if retention:
            config["Rule"] = {
                "DefaultRetention": {k: (int(v) if k in ("Years", "Days") else v) for k, v in retention.items()}
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
                **({"BucketKeyEnabled": rule["BucketKeyEnabled"]} if "BucketKeyEnabled" in rule else {}),
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


def _ensure_cognito(template: dict[str, Any], outputs: dict[str, str], resolve: _Resolver) -> tuple[str, str]:
    """Create the user pool, its client and groups from the template (reused if present)."""
    idp = stack_client(outputs, "cognito-idp")
    resources = template["Resources"]
    pool_lid, pool_props = next(
        (lid, resolve(r["Properties"])) for lid, r in resources.items() if r["Type"] == "AWS::Cognito::UserPool"
    )
    pool_name = pool_props.pop("UserPoolName")
    existing = [p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == pool_name]
    if existing:
        pool_id = existing[0]["Id"]
    else:
        pool_id = idp.create_user_pool(PoolName=pool_name, **pool_props)["UserPool"]["Id"]
    resolve.values[pool_lid] = pool_id

    client_id = ""
    for lid, res in resources.items():
        if res["Type"] == "AWS::Cognito::UserPoolClient":
            props = resolve(res["Properties"])
            clients = idp.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
            found = [c for c in clients if c["ClientName"] == props["ClientName"]]
            client_id = (
                found[0]["ClientId"] if found else idp.create_user_pool_client(**props)["UserPoolClient"]["ClientId"]
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
        "ARCHIVE_BUCKET": outputs["archive_bucket"],
        "ARCHIVE_RETENTION_YEARS": outputs.get("archive_retention_years", "10"),
        "TOPIC_ARN": outputs["topic_arn"],
        "KMS_KEY_ID": outputs["kms_key_id"],
        "PII_KMS_KEY_ID": outputs.get("pii_kms_key_id", ""),  # a stack saved before the key existed: the data key
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
    idp = stack_client(outputs, "cognito-idp")
    pool = outputs["user_pool_id"]
    attrs = [
        {"Name": "email", "Value": f"{username}@hotline.example.cn"},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": name or username},
    ]
    if unit_id:
        attrs.append({"Name": "custom:unit_id", "Value": unit_id})
    try:
        idp.admin_create_user(UserPoolId=pool, Username=username, UserAttributes=attrs, MessageAction="SUPPRESS")
    except idp.exceptions.UsernameExistsException:
        idp.admin_update_user_attributes(UserPoolId=pool, Username=username, UserAttributes=attrs)
    idp.admin_set_user_password(UserPoolId=pool, Username=username, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username=username, GroupName=role)


def login(outputs: dict[str, str], username: str, password: str, admit_into: Any = None) -> dict[str, Any]:
    """USER_SRP_AUTH through the pool client (`userpool.srp_login`); returns AuthenticationResult (IdToken …).

    Such a token skips the app's TOTP step, so the API refuses it (R-SEC-06) unless `admit_into` (the stage's
    adapters: test fixtures and benchmarks only) records it as if that step had been passed.
    """
    idp = stack_client(outputs, "cognito-idp")
    from chalicelib.integrations import userpool

    result = userpool.srp_login(idp, outputs["user_pool_id"], outputs["user_pool_client_id"], username, password)
    tokens: dict[str, Any] = result["AuthenticationResult"]
    if admit_into is not None:
        import jwt

        from chalicelib.services import identity

        claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
        identity.admit(admit_into, str(claims["cognito:username"]), claims, admit_into.clock())
    return tokens
