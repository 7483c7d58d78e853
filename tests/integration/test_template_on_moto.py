"""The packaged template (`make package`: chalice's SAM output split by infra/package.py) deployed on moto
as CloudFormation would: SAM-transformed by `samtranslator`, the code zip uploaded as `aws cloudformation
package` does, the stack created on a moto server of its own. Then each function's role, assumed on moto:

- where moto enforces IAM (S3 by bucket and key, SQS by queue), the role's own action succeeds and another
  role's is refused with AccessDenied;
- where it does not (DynamoDB, KMS, Secrets Manager: moto authorises them on `*`), the deployed policies —
  read back from moto's IAM, ARNs resolved by its CloudFormation — are evaluated by moto's own policy
  engine against the actions and resources each function's code calls (docs/deploy.md, "On moto").
"""

from __future__ import annotations

import ast
import io
import json
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from infra.emulator import ACCOUNT_ID, client
from infra.package import ACCESS, API_FUNCTIONS, WILDCARD_REASONS, chalice_template, function_name, package
from infra.template import moto_template, refs
from tests.helpers.partners import PUSH, Signed, new_partner
from tests.helpers.roles import UNAUTHENTICATED, Recorder, recording, required

ROOT = Path(__file__).resolve().parents[2]
STAGE = "prod-cn"  # the production stage: aws-cn partition, no Cognito, Secrets Manager
REGION = "cn-north-1"
STACK = f"hotline-{STAGE}"
DEPLOY_BUCKET = f"hotline-deploy-{ACCOUNT_ID}"  # docs/deploy.md, runbook step 2

# What moto 5.x's CloudFormation cannot create from the transformed template, with the reason. A new
# resource type of the template must be added here or deploy (test_every_resource_is_created_or_listed_with_its_reason).
NOT_ON_MOTO = {
    "AWS::ApiGateway::RestApi": "moto does not import the swagger Body (the routes: tests/unit/test_package.py)",
    "AWS::ApiGateway::Deployment": "deploys the RestApi above",
    "AWS::ApiGateway::Stage": "stage of the RestApi above",
    "AWS::ApiGateway::Account": "not in moto's CloudFormation",
    "AWS::ApiGateway::ApiKey": "not in moto's CloudFormation",
    "AWS::ApiGateway::UsagePlan": "not in moto's CloudFormation",
    "AWS::ApiGateway::UsagePlanKey": "not in moto's CloudFormation",
    "AWS::CloudFront::CloudFrontOriginAccessIdentity": "not in moto's CloudFormation",
    "AWS::CloudFront::Distribution": "not in moto's CloudFormation",
    "AWS::CloudFront::ResponseHeadersPolicy": "not in moto's CloudFormation",
    "AWS::CloudTrail::Trail": "not in moto's CloudFormation",
    "AWS::CloudWatch::Alarm": "not in moto's CloudFormation",
    "AWS::Logs::MetricFilter": "not in moto's CloudFormation",
    "AWS::WAFv2::WebACL": "not in moto's CloudFormation",
    "AWS::WAFv2::WebACLAssociation": "not in moto's CloudFormation",
    "AWS::WAFv2::LoggingConfiguration": "not in moto's CloudFormation",
    "AWS::S3::BucketPolicy": "TLS-only denials; moto enforces them and its endpoint is plain http (infra/deploy.py)",
    "AWS::Cognito::UserPool": "conditional on UseCognito (false in prod-cn); infra/deploy.py creates it directly",
    "AWS::Cognito::UserPoolClient": "as the pool",
    "AWS::Cognito::UserPoolGroup": "as the pool",
    "AWS::SecretsManager::Secret": "not in moto's CloudFormation: created directly, its ARN put in for its Ref",
}
# Resources dropped with the API they serve: API Gateway's permission to invoke a function.
WITH_THE_API = "AWS::Lambda::Permission"


# ------------------------------------------------------------------------------------------ the stack


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """A moto server in its own process: its IAM enforcement is switched on here (`enforced`), which must
    not reach the session's stack (tests/conftest.py) or any other module's server."""
    import socket

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
        for _ in range(150):
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
def packaged() -> dict[str, Any]:
    """What `make package STAGE=prod-cn` writes to out/sam.yaml: `chalice package --merge-template` (in-process,
    as infra.package.chalice_template does for every packaging test) rewritten by `infra.package.package`."""
    return package(chalice_template(STAGE), STAGE)


def deployment_zip() -> bytes:
    """The function code as `aws cloudformation package` uploads it (app.py and chalicelib)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(ROOT / "app.py", "app.py")
        for path in sorted((ROOT / "chalicelib").rglob("*.py")):
            zf.write(path, str(path.relative_to(ROOT)))
    return buf.getvalue()


def transformed(template: dict[str, Any], code_uri: str) -> dict[str, Any]:
    """CloudFormation's `AWS::Serverless-2016-10-31` transform in REGION, offline (no managed policies are used)."""
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator
    from samtranslator.utils.py27hash_fix import to_py27_compatible_template, undo_mark_unicode_str_in_template

    template = json.loads(json.dumps(template))
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = code_uri  # what `aws cloudformation package` rewrites
    params: dict[str, Any] = {}
    to_py27_compatible_template(template, params)
    translator = Translator(None, Parser(), boto_session=boto3.session.Session(region_name=REGION))
    out = translator.translate(template, parameter_values=params, get_managed_policy_map=dict)
    return dict(undo_mark_unicode_str_in_template(out))


def _replace_refs(node: Any, values: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_replace_refs(v, values) for v in node]
    if not isinstance(node, dict):
        return node
    if set(node) == {"Ref"} and node["Ref"] in values:
        return values[node["Ref"]]
    return {k: _replace_refs(v, values) for k, v in node.items()}


def for_moto(template: dict[str, Any], direct: dict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The transformed template minus NOT_ON_MOTO (and the API's invoke permissions); `direct`: logical id →
    ARN of resources created directly, put in for their Ref. Returns (template, dropped logical id → type).
    Anything left referring to a dropped resource is an error: nothing disappears silently."""
    tpl = moto_template(template)  # what infra/deploy.py adapts for moto too (table SSE, Globals, direct types)
    resources = template["Resources"]
    dropped = {lid: r["Type"] for lid, r in resources.items() if r["Type"] in NOT_ON_MOTO}
    for lid, resource in resources.items():
        if resource["Type"] == WITH_THE_API and refs(resource) & {"RestAPI"}:
            dropped[lid] = resource["Type"]
    for lid in dropped:
        tpl["Resources"].pop(lid, None)
    tpl["Outputs"] = {k: v for k, v in tpl.get("Outputs", {}).items() if not refs(v) & set(dropped)}
    tpl = _replace_refs(tpl, direct)
    for lid, resource in tpl["Resources"].items():
        depends = resource.get("DependsOn")
        if depends:
            kept = [d for d in ([depends] if isinstance(depends, str) else depends) if d not in dropped]
            resource["DependsOn"] = kept
        left = _live_refs(resource, FALSE_IN_STAGE) & set(dropped)
        assert not left, f"{lid} refers to {sorted(left)}, which moto cannot create"
    return tpl, dropped


FALSE_IN_STAGE = {"CreateUserPool"}  # UseCognito=false in prod-cn: the Fn::If branches CloudFormation skips


def _live_refs(node: Any, false: set[str]) -> set[str]:
    """refs() of what CloudFormation evaluates: only the else-branch of an Fn::If whose condition is false."""
    if isinstance(node, list):
        return set().union(*(_live_refs(v, false) for v in node))
    if not isinstance(node, dict):
        return set()
    if set(node) == {"Fn::If"} and node["Fn::If"][0] in false:
        return _live_refs(node["Fn::If"][2], false)
    found: set[str] = set()
    for key, value in node.items():
        if key in ("Ref", "Fn::GetAtt"):
            found |= refs({key: value})
        elif key == "Fn::Sub":
            text, variables = (value, {}) if isinstance(value, str) else value
            found |= refs({key: text}) | _live_refs(variables, false)
        else:
            found |= _live_refs(value, false)
    return found


@pytest.fixture(scope="module")
def sam_stack(moto_url: str, packaged: dict[str, Any]) -> dict[str, Any]:
    """The packaged template, SAM-transformed and created as stack hotline-prod-cn on moto."""
    s3 = client("s3", moto_url, REGION)
    s3.create_bucket(Bucket=DEPLOY_BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_object(Bucket=DEPLOY_BUCKET, Key="deployment.zip", Body=deployment_zip())
    cfn_template = transformed(packaged, f"s3://{DEPLOY_BUCKET}/deployment.zip")
    secrets = client("secretsmanager", moto_url, REGION)
    direct = {}
    for lid, resource in cfn_template["Resources"].items():
        if resource["Type"] == "AWS::SecretsManager::Secret":
            name = resource["Properties"]["Name"]["Fn::Sub"].replace("${Stage}", STAGE)
            direct[lid] = secrets.create_secret(Name=name, SecretString="{}")["ARN"]
    template, dropped = for_moto(cfn_template, direct)
    cfn = client("cloudformation", moto_url, REGION)
    cfn.create_stack(
        StackName=STACK,
        TemplateBody=json.dumps(template),
        Capabilities=["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"],
    )
    deadline = time.monotonic() + 300
    while True:
        desc = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
        if not desc["StackStatus"].endswith("_IN_PROGRESS") or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert desc["StackStatus"] == "CREATE_COMPLETE", desc.get("StackStatusReason")
    summaries = cfn.list_stack_resources(StackName=STACK)["StackResourceSummaries"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries}
    return {
        "url": moto_url,
        "template": cfn_template,
        "dropped": dropped,
        "physical": physical,
        "types": {r["LogicalResourceId"]: r["ResourceType"] for r in summaries},
        "secrets": direct,
        "policies": {lid: _role_policies(moto_url, physical[f"{lid}Role"]) for lid in ACCESS},
    }


def _role_policies(moto_url: str, role_name: str) -> dict[str, dict[str, Any]]:
    """A role's inline policies as moto's CloudFormation created them. moto keeps a CloudFormation role's
    policy as the Python text of the dict (its policy engine reads JSON): each is put back as JSON, same content."""
    iam = client("iam", moto_url, REGION)
    found = {}
    for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        if isinstance(document, str):
            document = ast.literal_eval(document)  # a literal: nothing is evaluated
            iam.put_role_policy(RoleName=role_name, PolicyName=name, PolicyDocument=json.dumps(document))
        found[name] = document
    return found


def arn(sam_stack: dict[str, Any], logical_id: str, suffix: str = "") -> str:
    """The deployed ARN of a resource of the stack (as its policies name it)."""
    url, physical = sam_stack["url"], sam_stack["physical"]
    kind = sam_stack["types"].get(logical_id) or sam_stack["template"]["Resources"][logical_id]["Type"]
    if kind == "AWS::DynamoDB::Table":
        table = client("dynamodb", url, REGION).describe_table(TableName=physical[logical_id])["Table"]
        return str(table["TableArn"]) + suffix
    if kind == "AWS::S3::Bucket":
        return f"arn:aws-cn:s3:::{physical[logical_id]}{suffix}"
    if kind == "AWS::KMS::Key":
        return f"arn:aws-cn:kms:{REGION}:{ACCOUNT_ID}:key/{physical[logical_id]}"  # the key's id is its Ref
    if kind == "AWS::SQS::Queue":
        attrs = client("sqs", url, REGION).get_queue_attributes(QueueUrl=physical[logical_id], AttributeNames=["All"])
        return str(attrs["Attributes"]["QueueArn"])
    if kind == "AWS::SecretsManager::Secret":
        return sam_stack["secrets"][logical_id]
    raise ValueError(f"no ARN for {logical_id} ({kind})")


# ------------------------------------------------------------------------------------------ deployed


def test_every_resource_is_created_or_listed_with_its_reason(sam_stack: dict[str, Any]) -> None:
    resources = sam_stack["template"]["Resources"]
    for lid, kind in sam_stack["dropped"].items():
        assert kind in NOT_ON_MOTO or (kind == WITH_THE_API and "RestAPI" in refs(resources[lid])), lid
    conditions = sam_stack["template"].get("Conditions", {})
    false_here = FALSE_IN_STAGE | {"NotInChina", "HasSpaDomain", "HasSpaOrigins"}
    assert false_here <= set(conditions)
    missing = {
        lid
        for lid, resource in resources.items()
        if lid not in sam_stack["dropped"]
        and lid not in sam_stack["physical"]
        and resource.get("Condition") not in false_here
    }
    assert not missing, f"neither created on moto nor listed in NOT_ON_MOTO: {sorted(missing)}"
    created = set(sam_stack["types"].values())
    assert {
        "AWS::Lambda::Function",
        "AWS::IAM::Role",
        "AWS::Lambda::EventSourceMapping",
        "AWS::Events::Rule",
    } <= created


def test_each_function_runs_under_a_role_of_its_own(sam_stack: dict[str, Any]) -> None:
    lam = client("lambda", sam_stack["url"], REGION)
    iam = client("iam", sam_stack["url"], REGION)
    functions = {f["FunctionName"]: f for f in lam.list_functions()["Functions"]}
    assert set(functions) == {f"{STACK}-{function_name(lid)}" for lid in ACCESS}
    roles = set()
    for lid in ACCESS:
        fn = functions[f"{STACK}-{function_name(lid)}"]
        role = iam.get_role(RoleName=sam_stack["physical"][f"{lid}Role"])["Role"]
        assert fn["Role"] == role["Arn"], lid
        assert fn["Runtime"] == "python3.13"
        trust = role["AssumeRolePolicyDocument"]["Statement"]
        assert [s["Principal"]["Service"].split(".")[0] for s in trust] == ["lambda"]  # only Lambda assumes it
        roles.add(role["Arn"])
        surface = fn.get("Environment", {}).get("Variables", {}).get("API_SURFACE")
        assert surface == next((s for s, f in API_FUNCTIONS.items() if f == lid), None), lid
    assert len(roles) == len(ACCESS)


def test_each_role_holds_its_packaged_policy_on_this_stacks_arns(
    sam_stack: dict[str, Any], packaged: dict[str, Any]
) -> None:
    physical = sam_stack["physical"]
    region_account = f"{REGION}:{ACCOUNT_ID}"
    own = {
        *(arn(sam_stack, t) for t in ("TicketsTable", "TicketEventsTable", "CountersTable", "DirectoryTable")),
        *(
            arn(sam_stack, t, "/index/*")
            for t in ("TicketsTable", "TicketEventsTable", "CountersTable", "DirectoryTable")
        ),
        arn(sam_stack, "ArchiveBucket"),
        *(arn(sam_stack, "ArchiveBucket", f"/{p}*") for p in ("", "uploads/", "evidence/", "security-log/")),
        arn(sam_stack, "DataKey"),
        arn(sam_stack, "PiiKey"),
        arn(sam_stack, "AuditDeadLetterQueue"),
        *sam_stack["secrets"].values(),
        *(f"arn:aws-cn:logs:{region_account}:log-group:/aws/lambda/{STACK}-{function_name(lid)}" for lid in ACCESS),
    }
    streams = client("dynamodbstreams", sam_stack["url"], REGION).list_streams(TableName=physical["TicketEventsTable"])
    own.add(streams["Streams"][0]["StreamArn"])
    for lid in ACCESS:
        policies = sam_stack["policies"][lid]
        assert list(policies) == [f"{lid}Access"], lid
        statements = policies[f"{lid}Access"]["Statement"]
        role = packaged["Resources"][f"{lid}Role"]["Properties"]["Policies"][0]["PolicyDocument"]
        expected = [s["Sid"] for s in role["Statement"] if "Sid" in s]  # prod-cn: no conditional statement
        assert [s["Sid"] for s in statements] == expected, lid
        for statement in statements:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            for resource in resources:
                wildcard = resource == "*" and set(statement["Action"]) <= set(WILDCARD_REASONS)
                assert wildcard or resource in own, (lid, statement["Sid"], resource)


def test_the_stream_consumers_read_the_event_log_and_dead_letter(sam_stack: dict[str, Any]) -> None:
    lam = client("lambda", sam_stack["url"], REGION)
    mappings = lam.list_event_source_mappings()["EventSourceMappings"]
    by_function = {m["FunctionArn"].rsplit(":", 1)[1]: m for m in mappings}
    consumers = [lid for lid, access in ACCESS.items() if access.get("stream")]
    assert set(by_function) == {f"{STACK}-{function_name(lid)}" for lid in consumers}
    stream = arn(sam_stack, "TicketEventsTable")
    for mapping in by_function.values():
        assert mapping["EventSourceArn"].startswith(stream + "/stream/")
        assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == arn(sam_stack, "AuditDeadLetterQueue")
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


# ------------------------------------------------------------------------------------------ each role on moto


@pytest.fixture(scope="module")
def sessions(sam_stack: dict[str, Any]) -> dict[str, boto3.session.Session]:
    """Each function's role assumed on moto (STS): what the function runs with."""
    sts = client("sts", sam_stack["url"], REGION)
    iam = client("iam", sam_stack["url"], REGION)
    out = {}
    for lid in ACCESS:
        role = iam.get_role(RoleName=sam_stack["physical"][f"{lid}Role"])["Role"]
        creds = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=function_name(lid))["Credentials"]
        out[lid] = boto3.session.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=REGION,
        )
    archive = sam_stack["physical"]["ArchiveBucket"]
    s3 = client("s3", sam_stack["url"], REGION)
    # Object Lock as the template sets it (moto's CloudFormation drops it; infra/deploy.py applies it the same way)
    props = sam_stack["template"]["Resources"]["ArchiveBucket"]["Properties"]
    rule = props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]
    years = int(sam_stack["template"]["Parameters"][rule["Years"]["Ref"]]["Default"])
    s3.put_bucket_versioning(Bucket=archive, VersioningConfiguration={"Status": "Enabled"})
    lock = {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": rule["Mode"], "Years": years}}}
    s3.put_object_lock_configuration(Bucket=archive, ObjectLockConfiguration=lock)
    for key in SEEDED:
        s3.put_object(Bucket=archive, Key=key, Body=b"{}")
    return out


SEEDED = ("archive/2026/12/seed.json", "uploads/seed.png")


@pytest.fixture
def enforced(sam_stack: dict[str, Any]) -> Iterator[None]:
    """moto's IAM enforcement on (every request signed by a known principal, its policies evaluated), then off."""
    requests.post(f"{sam_stack['url']}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    try:
        yield
    finally:
        requests.post(f"{sam_stack['url']}/moto-api/reset-auth", data=b"inf", timeout=10).raise_for_status()


def _outcome(call: Any) -> str:
    try:
        call()
    except ClientError as exc:
        error = exc.response["Error"]
        # moto answers a JSON-protocol service (SQS) with its XML error body: botocore reports the status as code
        denied = error["Code"] == "AccessDenied" or "<Code>AccessDenied</Code>" in error.get("Message", "")
        return "denied" if denied else f"error {error['Code']}"
    return "allowed"


# (function, S3 call, key, outcome) — each role's own call passes, the same call by a role without it does not
S3_CASES = [
    ("OnTicketEvent", "put", "archive/2026/12/r1.json", "allowed"),  # the archive package (R-12345-17)
    ("OnTicketEvent", "retention", "archive/2026/12/seed.json", "allowed"),
    ("PublicApi", "put", "archive/2026/12/r1.json", "denied"),  # no S3 at all (R-12345-11)
    ("PublicApi", "retention", "archive/2026/12/seed.json", "denied"),
    ("PublicApi", "get", "archive/2026/12/seed.json", "denied"),
    ("PartnerApi", "get", "archive/2026/12/seed.json", "denied"),
    ("StaffApi", "get", "archive/2026/12/seed.json", "allowed"),  # archive reads
    ("StaffApi", "put", "uploads/t1.png", "allowed"),  # evidence uploads
    ("StaffApi", "delete", "uploads/seed.png", "allowed"),  # a refused upload removed
    ("StaffApi", "put", "archive/2026/12/r2.json", "denied"),  # never writes the archive's records
    ("StaffApi", "delete", "archive/2026/12/seed.json", "denied"),
    ("AdminApi", "put", "archive/2026/12/r3.json", "allowed"),  # reconciliation re-archives
    ("AdminApi", "delete", "archive/2026/12/seed.json", "denied"),
    ("DailyReconcile", "list", "", "allowed"),
    ("DailyReconcile", "put", "archive/2026/12/r4.json", "allowed"),
    ("ChaseInstructions", "put", "archive/2026/12/r5.json", "denied"),
    ("NotifyFromEvents", "put", "archive/2026/12/r6.json", "denied"),
]


@pytest.mark.parametrize(("function", "call", "key", "outcome"), S3_CASES)
def test_moto_enforces_each_roles_archive_access(
    sam_stack: dict[str, Any],
    sessions: dict[str, boto3.session.Session],
    enforced: None,
    function: str,
    call: str,
    key: str,
    outcome: str,
) -> None:
    s3 = sessions[function].client("s3", endpoint_url=sam_stack["url"])
    bucket = sam_stack["physical"]["ArchiveBucket"]
    until = "2040-01-01T00:00:00Z"  # beyond the default retention: only an extension
    calls = {
        "put": lambda: s3.put_object(Bucket=bucket, Key=key, Body=b"{}"),
        "get": lambda: s3.get_object(Bucket=bucket, Key=key),
        "delete": lambda: s3.delete_object(Bucket=bucket, Key=key),
        "list": lambda: s3.list_object_versions(Bucket=bucket, Prefix="archive/"),
        "retention": lambda: s3.put_object_retention(
            Bucket=bucket, Key=key, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until}
        ),
    }
    assert _outcome(calls[call]) == outcome


def test_moto_enforces_the_dead_letter_queue_to_the_stream_consumers(
    sam_stack: dict[str, Any], sessions: dict[str, boto3.session.Session], enforced: None
) -> None:
    queue = sam_stack["physical"]["AuditDeadLetterQueue"]
    for function, access in ACCESS.items():
        sqs = sessions[function].client("sqs", endpoint_url=sam_stack["url"])
        outcome = _outcome(lambda sqs=sqs: sqs.send_message(QueueUrl=queue, MessageBody="{}"))
        assert outcome == ("allowed" if access.get("stream") else "denied"), function


# ------------------------------------------------------------------------------------------ policy simulation


def permitted(document: dict[str, Any], action: str, resource: str) -> bool:
    """moto's own policy engine (what its enforcement runs on S3 and SQS above)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    return bool(IAMPolicy(json.dumps(document)).is_action_permitted(action, resource) == PermissionResult.PERMITTED)


def test_only_the_functions_that_send_sms_or_log_in_read_their_secret(sam_stack: dict[str, Any]) -> None:
    """Secrets Manager (authorised on `*` by moto): the SMS gateway's secret to the senders, the OIDC client's
    to the staff and admin functions (login), nothing to the public function (docs/deploy.md, "Secrets")."""
    readers = {"SmsGatewaySecret": set(), "OidcClientSecret": set()}
    for lid in ACCESS:
        document = sam_stack["policies"][lid][f"{lid}Access"]
        for secret, found in readers.items():
            if permitted(document, "secretsmanager:GetSecretValue", arn(sam_stack, secret)):
                found.add(lid)
    assert readers["SmsGatewaySecret"] == {
        "AdminApi",
        "NotifyFromEvents",
        "PartnerEvents",
        "DeadlineSweep",
        "WorkSweep",
    }
    assert readers["OidcClientSecret"] == {"StaffApi", "AdminApi"}


BODY = {
    "hotline": "12345",
    "channel": "phone",
    "category": "complaint",
    "title": "噪音扰民",
    "content": "夜间施工噪音",
    "caller": {"name": "张三", "phone": "13800001234"},
}


def _public(deps: Any, api: Any, rec: Recorder) -> None:
    from tests.helpers.streams import PARTNERS, deliver, stream_batch

    tid = api.post("/tickets", BODY, user="op1").json["id"]
    assert deliver(deps, PARTNERS, stream_batch(deps, tid)) == {"batchItemFailures": []}
    code = next(m for m in deps.sms.sent if m.params.get("number") == tid).params["code"]
    rec.on = True
    assert api.get(f"/public/v1/requests/{tid}?code={code}").status_code == 200


def _partner(deps: Any, api: Any, rec: Recorder) -> None:
    key = new_partner(api)["keys"][0]
    rec.on = True
    number = "SM" + uuid.uuid4().hex[:12].upper()
    resp = Signed(api, key["key_id"], key["secret"]).send("POST", "/partner/v1/tickets", dict(PUSH, number=number))
    assert resp.status_code == 201, resp.json


def _staff(deps: Any, api: Any, rec: Recorder) -> None:
    rec.on = True
    created = api.post("/tickets", BODY, user="op1")
    assert created.status_code == 201, created.json
    assert api.get(f"/tickets/{created.json['id']}", user="op1").status_code == 200


def _admin(deps: Any, api: Any, rec: Recorder) -> None:
    deps.envelope.forget()  # a cold start: the partner secret's sealing asks KMS for a data key
    rec.on = True
    partner = new_partner(api)["partner_id"]  # its first key's secret sealed under the data key
    assert api.get(f"/admin/partners/{partner}", user="admin1").status_code == 200
    assert api.get("/admin/duty/now", user="admin1").status_code == 200


def _on_ticket_event(deps: Any, api: Any, rec: Recorder) -> None:
    from tests.helpers.streams import AUDIT, deliver, stream_records
    from tests.helpers.tickets import closed_ticket

    tid = closed_ticket(deps)
    deps.envelope.forget()  # a cold start of the consumer
    rec.on = True
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}


def _deadline_sweep(deps: Any, api: Any, rec: Recorder) -> None:
    from datetime import UTC, datetime, timedelta

    from chalicelib.services import sweep

    tid = api.post("/tickets", BODY, user="op1").json["id"]
    dispatch = {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}}
    assert api.post(f"/tickets/{tid}/dispatch", dispatch, user="op1").status_code == 200
    deps.envelope.forget()
    rec.on = True
    sweep.run_sweep(deps, datetime.now(UTC) + timedelta(days=40))  # past the ticket's deadline: marked overdue


# One run of each app's code (a route of each API function, a stream batch, a schedule): the function whose
# deployed role must allow every request it makes, and (role, action) pairs of those requests another role
# must be refused.
WORKLOADS: dict[str, tuple[Any, set[tuple[str, str, str | None]]]] = {
    "PublicApi": (_public, set()),  # the least privileged: every role may do what it does
    "PartnerApi": (
        _partner,
        {("PublicApi", "dynamodb:PutItem", "TicketsTable"), ("PublicApi", "kms:GenerateDataKey", None)},
    ),
    "StaffApi": (
        _staff,
        {("PublicApi", "dynamodb:PutItem", "TicketsTable"), ("PublicApi", "kms:GenerateDataKey", None)},
    ),
    "AdminApi": (_admin, {("PublicApi", "kms:GenerateDataKey", None), ("PublicApi", "s3:PutObject", "ArchiveBucket")}),
    "OnTicketEvent": (
        _on_ticket_event,
        {
            ("StaffApi", "s3:PutObject", "ArchiveBucket"),  # archive records: never the desk's
            ("ChaseInstructions", "s3:PutObjectRetention", "ArchiveBucket"),
            ("PublicApi", "kms:Decrypt", None),  # no personal data (R-12345-11)
        },
    ),
    "DeadlineSweep": (
        _deadline_sweep,
        {("PublicApi", "dynamodb:PutItem", "TicketsTable"), ("PublicApi", "kms:Decrypt", None)},
    ),
}


def requested(sam_stack: dict[str, Any], deps: Any, rec: Recorder) -> list[tuple[str, str]]:
    """(IAM action, ARN on the moto-deployed stack) of every recorded request."""
    out = []
    for service, operation, params in rec.calls:
        if (service, operation) in UNAUTHENTICATED:
            continue
        for action, logical_id in required(deps, service, operation, params):
            if service == "dynamodb":
                index = params.get("IndexName") if operation in ("Query", "Scan") else None
                out.append((action, arn(sam_stack, logical_id, f"/index/{index}" if index else "")))
            elif service == "s3":
                out.append((action, arn(sam_stack, logical_id, f"/{params['Key']}" if "Key" in params else "")))
            else:
                out.append((action, arn(sam_stack, logical_id)))
    return out


@pytest.mark.parametrize("function", sorted(WORKLOADS))
def test_each_deployed_role_allows_what_its_code_calls_where_moto_does_not_enforce(
    sam_stack: dict[str, Any], deps: Any, api: Any, function: str
) -> None:
    """DynamoDB, KMS (and S3) requests recorded from one run of the function's code on the session's stack, each
    evaluated against the role deployed here, on this stack's ARN (table, index, object key, key)."""
    run, refused = WORKLOADS[function]
    with recording(deps) as rec:
        run(deps, api, rec)
    calls = requested(sam_stack, deps, rec)
    assert any(a.startswith("dynamodb:") for a, _ in calls)
    own = sam_stack["policies"][function][f"{function}Access"]
    denied = sorted({(a, r) for a, r in calls if not permitted(own, a, r)})
    assert not denied, f"{function}'s deployed role lacks {denied}"
    for other, action, logical_id in refused:
        document = sam_stack["policies"][other][f"{other}Access"]
        prefix = arn(sam_stack, logical_id) if logical_id else ""
        targets = [r for a, r in calls if a == action and (r == prefix or r.startswith(prefix + "/" if prefix else ""))]
        assert targets, f"{function}'s run made no {action} on {logical_id}"
        assert not any(permitted(document, action, r) for r in targets), (other, action)
