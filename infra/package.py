"""The deployable template: Chalice's SAM output split by blast radius, each function least-privileged.

`make package STAGE=prod-cn` runs `chalice package --merge-template infra/resources.yaml`, then
`python -m infra.package out/sam.yaml --stage prod-cn`, which rewrites that template:

- Chalice serves every REST route from one function (`APIHandler`) with one role. Here the function
  is cloned into four — `PublicApi` (lookup, Open311 reads, health), `PartnerApi` (city platform,
  Open311 writes), `StaffApi` (the work-order desk), `AdminApi` (users, units, partners, calendar) —
  each told its surface (`API_SURFACE`, refused routes of other surfaces: chalicelib/api/surface.py),
  and every path/method of the API's swagger is pointed at the function of its surface.
- Every function (the four above, the stream consumers, the schedules) gets its own role holding only
  what its code calls (`ACCESS`), on ARNs of this stack's resources (GetAtt / `${AWS::Partition}`…),
  and its own log group (retention, KMS) instead of `logs:CreateLogGroup` on `*`.
- Partner routes require an API key and the partner usage plan is attached to the API's stage.
- `infra/operations.yaml` is merged in (logs, trail, WAF, alarms, dashboard, secrets, SPA hosting)
  and the stage's residency rule added (a China-jurisdiction stage deploys only to `cn-*`).

`chalice_template(stage)` builds the same SAM output in-process without the deployment zip (tests).
The resources that remain on `*` are listed with their reason in `WILDCARD_REASONS` and docs/deploy.md.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from chalicelib.api.surface import ADMIN, PARTNER, PUBLIC, STAFF, surface_of
from infra.template import TEMPLATE_PATH, load_template

ROOT = Path(__file__).resolve().parents[1]
OPERATIONS_PATH = Path(__file__).with_name("operations.yaml")

# Stages `make package` builds (.chalice/config.json has the same names).
STAGES: dict[str, dict[str, Any]] = {
    "dev": {"china": False, "sms": "sns", "login": "cognito"},
    "prod-cn": {"china": True, "sms": "aliyun", "login": "oidc"},
}
CHINA_REGIONS = ("cn-north-1", "cn-northwest-1")
PACKAGE_RUNTIME = "python3.13"  # Makefile PACKAGE_PYTHON; chalice_template() stands in for that venv

API_FUNCTIONS = {PUBLIC: "PublicApi", PARTNER: "PartnerApi", STAFF: "StaffApi", ADMIN: "AdminApi"}
CHALICE_API_FUNCTION = "APIHandler"

TABLES = ("TicketsTable", "TicketEventsTable", "CountersTable", "DirectoryTable")
READ = ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:DescribeTable")
# TransactWriteItems is authorised item by item as these actions (no IAM action of its own)
WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem")
DELETE = ("dynamodb:DeleteItem",)
STREAM = ("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams")
ARCHIVE_READ = ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectRetention", "s3:ListBucketVersions")
ARCHIVE_WRITE = ARCHIVE_READ + ("s3:PutObject", "s3:PutObjectRetention")
EVIDENCE_UPLOADS = (
    "s3:PutObject",
    "s3:PutObjectRetention",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:BypassGovernanceRetention",
)
KMS_USE = ("kms:GenerateDataKey", "kms:Decrypt")
COGNITO_ADMIN = (
    "cognito-idp:ListUsers",
    "cognito-idp:AdminGetUser",
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminDeleteUserAttributes",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminSetUserPassword",
    "cognito-idp:AdminUserGlobalSignOut",
    "cognito-idp:AdminListGroupsForUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminRemoveUserFromGroup",
)

# What each function's code calls. `read`/`write`/`delete`: tables; `archive`: "read" | "write";
# `kms`: the data key (envelopes: caller data R-12345-11, partner secrets); `sms`: sends SMS (SNS in
# dev, the mainland gateway's secret in prod-cn); `stream`: consumes TicketEvents and dead-letters.
ACCESS: dict[str, dict[str, Any]] = {
    # lookup (R-12369-02: no personal data, so no key), Open311 reads, health; rate counters in Directory
    "PublicApi": {"read": ("TicketsTable", "DirectoryTable"), "write": ("DirectoryTable",)},
    "PartnerApi": {"read": TABLES, "write": TABLES, "kms": True},
    # evidence files: presigned uploads under uploads/ (discarded when refused), confirmed copies under evidence/
    # (a refused upload's pending record is deleted from Directory)
    "StaffApi": {
        "read": TABLES,
        "write": TABLES,
        "delete": ("DirectoryTable",),
        "kms": True,
        "archive": "read",
        "evidence": True,
        "security_log": True,  # reveals, exports, documents, log reads: write-once copies (R-12345-11, R-SEC-01)
    },
    "AdminApi": {
        "read": TABLES,
        "write": TABLES,
        "delete": ("DirectoryTable",),
        "kms": True,
        "archive": "write",  # reconciliation of a range re-archives (R-12345-17)
        "sms": True,  # a manual sweep settles unfinished sends
        "users": True,
    },
    "OnTicketEvent": {"read": TABLES, "write": TABLES, "kms": True, "archive": "write", "stream": True},
    "NotifyFromEvents": {"read": TABLES, "write": TABLES, "kms": True, "sms": True, "stream": True},
    "PartnerEvents": {"read": TABLES, "write": TABLES, "kms": True, "sms": True, "stream": True},
    "PartnerWebhookRetry": {"read": TABLES, "write": TABLES, "kms": True},
    # the retention sweep records each destruction of personal data (write-once copy, docs/privacy.md)
    "DeadlineSweep": {"read": TABLES, "write": TABLES, "kms": True, "sms": True, "archive": "write"},
    "ChaseInstructions": {"read": TABLES, "write": TABLES, "kms": True},
    # office work (R-WORK-01/03/05): reminders by SMS, the Friday report archived (R-WORK-04)
    "WorkSweep": {"read": TABLES, "write": TABLES, "kms": True, "sms": True, "archive": "write"},
    "DailyReconcile": {"read": TABLES, "write": TABLES, "kms": True, "archive": "write"},
}

# The only statements allowed on Resource "*" (tests/unit/test_package.py; docs/deploy.md).
WILDCARD_REASONS = {
    "sns:Publish": "SMS to a phone number (SNS, dev stage only) has no resource ARN",
}


# Reserved concurrency per function in prod: a flood on one surface cannot starve the others
# (the account keeps at least 100 unreserved of its default 1000).
RESERVED_CONCURRENCY = {
    "PublicApi": 100,
    "PartnerApi": 50,
    "StaffApi": 200,
    "AdminApi": 20,
    "OnTicketEvent": 10,
    "NotifyFromEvents": 10,
    "PartnerEvents": 10,
    "PartnerWebhookRetry": 2,
    "DeadlineSweep": 2,
    "ChaseInstructions": 2,
    "WorkSweep": 2,
    "DailyReconcile": 2,
}

# checkov findings that do not apply to these functions, with the reason (docs/deploy.md, "checkov").
FUNCTION_SKIPS = {
    "CKV_AWS_116": (
        "No async invocations to dead-letter: the API functions are synchronous, the stream consumers park "
        "failed batches through the event source mapping's OnFailure queue, the schedules rerun idempotently."
    ),
    "CKV_AWS_117": (
        "Reaches only regional endpoints under IAM (DynamoDB, S3, KMS, Secrets Manager) and the SMS gateway and "
        "partner webhooks on the internet; a VPC would add NAT gateways and no private resource to protect."
    ),
    "CKV_AWS_173": (
        "The environment holds resource names and ARNs only; secrets are in Secrets Manager, read at cold start."
    ),
}


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def getatt(logical_id: str, attribute: str = "Arn") -> dict[str, list[str]]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def function_name(logical_id: str) -> str:
    """`PublicApi` → `public-api` (deployed as `hotline-{stage}-public-api`)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "-", logical_id).lower()


# ------------------------------------------------------------------------------------------ policies


def _table_arns(tables: Iterable[str]) -> list[Any]:
    arns: list[Any] = []
    for table in tables:
        arns += [getatt(table), sub(f"${{{table}.Arn}}/index/*")]
    return arns


def _s3_statements(access: dict[str, Any]) -> list[dict[str, Any]]:
    """The archive bucket: records (read or write) and evidence files."""
    out: list[dict[str, Any]] = []
    if access.get("archive"):
        actions = ARCHIVE_WRITE if access["archive"] == "write" else ARCHIVE_READ
        out.append(
            {
                "Sid": "ArchiveObjects",
                "Effect": "Allow",
                "Action": [a for a in actions if a != "s3:ListBucketVersions"],
                "Resource": [sub("${ArchiveBucket.Arn}/*")],
            }
        )
        out.append(
            {
                "Sid": "ArchiveVersions",  # ListObjectsV2 (the reconciliation's listing) is s3:ListBucket
                "Effect": "Allow",
                "Action": ["s3:ListBucketVersions", "s3:ListBucket"],
                "Resource": [getatt("ArchiveBucket")],
            }
        )
    if access.get("evidence"):
        out.append(
            {
                "Sid": "EvidenceUploads",  # a refused upload is removed at once (its 1-day GOVERNANCE hold bypassed)
                "Effect": "Allow",
                "Action": list(EVIDENCE_UPLOADS),
                "Resource": [sub("${ArchiveBucket.Arn}/uploads/*")],
            }
        )
        out.append(
            {
                "Sid": "EvidenceFiles",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectRetention"],
                "Resource": [sub("${ArchiveBucket.Arn}/evidence/*")],
            }
        )
    if access.get("security_log"):
        out.append(
            {
                "Sid": "SecurityLogCopies",  # put once under COMPLIANCE retention; never deleted (R-SEC-02)
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:PutObjectRetention"],
                "Resource": [sub("${ArchiveBucket.Arn}/security-log/*")],
            }
        )
    return out


def statements(logical_id: str, stage: str) -> list[dict[str, Any]]:
    """The least-privilege statements of one function."""
    access = ACCESS[logical_id]
    out: list[dict[str, Any]] = [
        {
            "Sid": "OwnLogGroup",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [getatt(f"{logical_id}LogGroup")],
        }
    ]
    read, write, delete = (tuple(access.get(k, ())) for k in ("read", "write", "delete"))
    for table in TABLES:
        actions = [*(READ if table in read else ()), *(WRITE if table in write else ())]
        actions += DELETE if table in delete else ()
        if actions:
            out.append({"Sid": f"{table}Items", "Effect": "Allow", "Action": actions, "Resource": _table_arns([table])})
    if access.get("stream"):
        out.append(
            {
                "Sid": "EventsStream",
                "Effect": "Allow",
                "Action": list(STREAM),
                "Resource": [getatt("TicketEventsTable", "StreamArn")],
            }
        )
        out.append(
            {
                "Sid": "DeadLetters",
                "Effect": "Allow",
                "Action": ["sqs:SendMessage"],
                "Resource": [getatt("AuditDeadLetterQueue")],
            }
        )
    out += _s3_statements(access)
    if access.get("kms") or access.get("archive") or access.get("stream"):
        # envelopes (GenerateDataKey/Decrypt), SSE-KMS objects, the encrypted dead-letter queue
        out.append({"Sid": "DataKey", "Effect": "Allow", "Action": list(KMS_USE), "Resource": [getatt("DataKey")]})
    if access.get("kms"):
        # personal-data envelopes (R-12345-11): every ticket read opens the caller's envelope
        out.append({"Sid": "PiiKey", "Effect": "Allow", "Action": list(KMS_USE), "Resource": [getatt("PiiKey")]})
    if access.get("sms"):
        if STAGES[stage]["sms"] == "sns":
            out.append({"Sid": "SmsViaSns", "Effect": "Allow", "Action": ["sns:Publish"], "Resource": "*"})
        else:
            out.append(
                {
                    "Sid": "SmsGatewaySecret",
                    "Effect": "Allow",
                    "Action": ["secretsmanager:GetSecretValue"],
                    "Resource": [{"Ref": "SmsGatewaySecret"}],
                }
            )
    if access.get("users") and STAGES[stage]["login"] == "cognito":
        admin = {
            "Sid": "UserPoolAdmin",
            "Effect": "Allow",
            "Action": list(COGNITO_ADMIN),
            "Resource": [getatt("UserPool")],
        }
        out.append({"Fn::If": ["CreateUserPool", admin, {"Ref": "AWS::NoValue"}]})
    if STAGES[stage]["login"] == "oidc" and logical_id in ("StaffApi", "AdminApi"):
        out.append(
            {
                "Sid": "OidcClientSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue"],
                "Resource": [{"Ref": "OidcClientSecret"}],
            }
        )
    return out


def role(logical_id: str, stage: str) -> dict[str, Any]:
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": sub("lambda.${AWS::URLSuffix}")},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": f"{logical_id}Access",
                    "PolicyDocument": {"Version": "2012-10-17", "Statement": statements(logical_id, stage)},
                }
            ],
        },
    }


# ------------------------------------------------------------------------------------------ the API


def _integration_target(operation: dict[str, Any]) -> Any:
    return operation.get("x-amazon-apigateway-integration", {}).get("uri")


def split_api(template: dict[str, Any]) -> None:
    """One function per surface; every route's integration points at its surface's function."""
    resources = template["Resources"]
    chalice_fn = resources.pop(CHALICE_API_FUNCTION)
    resources.pop(f"{CHALICE_API_FUNCTION}InvokePermission", None)
    resources.pop("ApiHandlerRole", None)
    for surface, logical_id in API_FUNCTIONS.items():
        fn = copy.deepcopy(chalice_fn)
        fn["Properties"].setdefault("Environment", {}).setdefault("Variables", {})["API_SURFACE"] = surface
        resources[logical_id] = fn
        resources[f"{logical_id}InvokePermission"] = {
            "Type": "AWS::Lambda::Permission",
            "Properties": {
                "Action": "lambda:InvokeFunction",
                "FunctionName": {"Ref": logical_id},
                "Principal": sub("apigateway.${AWS::URLSuffix}"),
                "SourceArn": sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${RestAPI}/*"),
            },
        }
    body = resources["RestAPI"]["Properties"]["DefinitionBody"]
    needle = f"${{{CHALICE_API_FUNCTION}.Arn}}"
    for path, operations in body["paths"].items():
        for method, operation in operations.items():
            uri = _integration_target(operation)
            if not (isinstance(uri, dict) and needle in str(uri.get("Fn::Sub", ""))):
                continue  # CORS preflight (mock integration)
            surface = surface_of(path, method)
            operation["x-amazon-apigateway-integration"]["uri"] = sub(
                uri["Fn::Sub"].replace(needle, f"${{{API_FUNCTIONS[surface]}.Arn}}")
            )
            if surface == PARTNER:
                operation["security"] = [{"api_key": []}]
    body.setdefault("securityDefinitions", {})["api_key"] = {"type": "apiKey", "name": "x-api-key", "in": "header"}
    outputs = template["Outputs"]
    outputs.pop(f"{CHALICE_API_FUNCTION}Arn", None)
    outputs.pop(f"{CHALICE_API_FUNCTION}Name", None)
    for logical_id in API_FUNCTIONS.values():
        outputs[f"{logical_id}Name"] = {"Value": {"Ref": logical_id}}
    left = json.dumps(template)
    if f'"{CHALICE_API_FUNCTION}"' in left or f"${{{CHALICE_API_FUNCTION}." in left:
        raise ValueError(f"{CHALICE_API_FUNCTION} is still referenced after the split")


def attach_usage_plan(template: dict[str, Any]) -> None:
    """The partner usage plan on the API's stage (the key is required on partner routes)."""
    resources = template["Resources"]
    for lid in ("PartnerUsagePlan", "CityPartnerApiKey", "CityPartnerUsagePlanKey"):
        resources[lid].pop("Condition", None)
    resources["PartnerUsagePlan"]["Properties"]["ApiStages"] = [{"ApiId": {"Ref": "RestAPI"}, "Stage": "api"}]
    resources["PartnerUsagePlan"]["DependsOn"] = "RestAPIapiStage"  # SAM's stage resource of RestAPI
    template["Parameters"].pop("PartnerApiId", None)
    template["Conditions"].pop("HasPartnerApi", None)
    template["Outputs"]["PartnerUsagePlanId"].pop("Condition", None)


# ------------------------------------------------------------------------------------------ functions


def harden_functions(template: dict[str, Any], stage: str) -> None:
    """Names, log groups, roles and stage settings of every function."""
    resources = template["Resources"]
    for logical_id in ACCESS:
        fn = resources[logical_id]
        props = fn["Properties"]
        chalice_role = props.get("Role", {}).get("Fn::GetAtt", [None])[0]
        if chalice_role and chalice_role != f"{logical_id}Role":
            resources.pop(chalice_role, None)
        props["FunctionName"] = sub(f"hotline-${{Stage}}-{function_name(logical_id)}")
        props["Role"] = getatt(f"{logical_id}Role")
        props["Tracing"] = "Active"
        resources[f"{logical_id}Role"] = role(logical_id, stage)
        if ACCESS[logical_id].get("sms") and STAGES[stage]["sms"] == "sns":
            reason = "sns:Publish to a phone number (SMS, dev stage) has no resource ARN to name"
            resources[f"{logical_id}Role"]["Metadata"] = {
                "checkov": {"skip": [{"id": "CKV_AWS_111", "comment": reason}]}
            }
        if STAGES[stage]["china"]:
            props["ReservedConcurrentExecutions"] = RESERVED_CONCURRENCY[logical_id]
        else:
            props.pop("ReservedConcurrentExecutions", None)
        resources[f"{logical_id}LogGroup"] = {
            "Type": "AWS::Logs::LogGroup",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "LogGroupName": sub(f"/aws/lambda/hotline-${{Stage}}-{function_name(logical_id)}"),
                "RetentionInDays": {"Ref": "LogRetentionDays"},
                "KmsKeyId": getatt("LogKey"),
            },
        }
        fn["DependsOn"] = sorted({*_as_list(fn.get("DependsOn")), f"{logical_id}LogGroup"})
        skips = dict(FUNCTION_SKIPS)
        if not STAGES[stage]["china"]:
            skips["CKV_AWS_115"] = "dev accounts start with a concurrency quota too small for reservations"
        fn.setdefault("Metadata", {})["checkov"] = {"skip": [{"id": k, "comment": v} for k, v in skips.items()]}
    left = [lid for lid, r in resources.items() if r["Type"] == "AWS::Serverless::Function" and lid not in ACCESS]
    if left:
        raise ValueError(f"functions without an access entry in infra/package.py ACCESS: {left}")
    x_ray = {"Sid": "Traces", "Effect": "Allow", "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]}
    for logical_id in ACCESS:
        policy = resources[f"{logical_id}Role"]["Properties"]["Policies"][0]["PolicyDocument"]
        policy["Statement"].append(dict(x_ray, Resource="*"))


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


WILDCARD_REASONS["xray:PutTraceSegments"] = "X-Ray trace segments have no resource ARN"
WILDCARD_REASONS["xray:PutTelemetryRecords"] = "X-Ray telemetry has no resource ARN"


def configure_stage(template: dict[str, Any], stage: str) -> None:
    """Stage parameter defaults, the residency rule, the stage's SMS and login backends."""
    settings = STAGES[stage]
    template["Parameters"]["Stage"]["Default"] = stage
    template["Parameters"]["UseCognito"]["Default"] = "true" if settings["login"] == "cognito" else "false"
    template.setdefault("Rules", {})["ChinaJurisdictionStaysInChina"] = {
        # PIPL art. 36: a state organ's personal data is kept in China (docs/deploy.md, "Residency")
        "RuleCondition": {"Fn::Equals": [{"Ref": "DataJurisdiction"}, "cn"]},
        "Assertions": [
            {
                "Assert": {"Fn::Contains": [list(CHINA_REGIONS), {"Ref": "AWS::Region"}]},
                "AssertDescription": "A China-jurisdiction stage deploys only to cn-north-1 or cn-northwest-1",
            }
        ],
    }
    template["Parameters"]["DataJurisdiction"] = {
        "Type": "String",
        "Default": "cn" if settings["china"] else "none",
        "AllowedValues": ["cn", "none"],
        "Description": "cn: personal data must stay in the AWS China regions (the deploy and the app refuse others)",
    }
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    env["DATA_JURISDICTION"] = {"Ref": "DataJurisdiction"}
    pin_cors(template)
    env["SMS_BACKEND"] = settings["sms"]
    template["Parameters"]["EnvelopeAlgorithm"]["Default"] = "SM4-GCM" if settings["china"] else "AES-256-GCM"
    template["Parameters"]["BlindIndexHash"]["Default"] = "sm3" if settings["china"] else "sha256"
    if settings["sms"] == "aliyun":
        env["SMS_SECRET_ARN"] = {"Ref": "SmsGatewaySecret"}
    else:
        template["Resources"].pop("SmsGatewaySecret")
        template["Outputs"].pop("SmsGatewaySecretArn")
    if settings["login"] == "oidc":
        env["OIDC_CLIENT_SECRET_ARN"] = {"Ref": "OidcClientSecret"}
        env["OIDC_TOKEN_URL"] = {"Ref": "OidcTokenUrl"}
    else:
        template["Resources"].pop("OidcClientSecret")
        template["Outputs"].pop("OidcClientSecretArn")
        template["Parameters"].pop("OidcTokenUrl")
    for logical_id in ACCESS:
        variables = template["Resources"][logical_id]["Properties"].get("Environment", {}).get("Variables", {})
        variables.pop("SMS_BACKEND", None)  # the stage's backend (Globals), not chalice's copy
        variables.pop("STAGE", None)
    api = template["Resources"]["RestAPI"]["Properties"]
    api["EndpointConfiguration"] = "REGIONAL"  # no edge-optimised endpoints in aws-cn; CloudFront fronts the SPA


def pin_cors(template: dict[str, Any]) -> None:
    """CORS only for the SPA (chalicelib/api/browser.py): the `SpaOrigins` parameter (comma-separated
    https origins, e.g. the ICP-filed SpaDomainName) is the functions' `CORS_ORIGINS`, and every preflight
    (a mock integration API Gateway answers itself) grants its first origin instead of chalice's `*`."""
    template["Parameters"]["SpaOrigins"] = {
        "Type": "String",
        "Default": "",
        "Description": "Origins of the SPA the API grants CORS to (https://…, comma-separated); empty: none",
    }
    template["Conditions"]["HasSpaOrigins"] = {"Fn::Not": [{"Fn::Equals": [{"Ref": "SpaOrigins"}, ""]}]}
    template["Globals"]["Function"]["Environment"]["Variables"]["CORS_ORIGINS"] = {"Ref": "SpaOrigins"}
    first = {"Fn::If": ["HasSpaOrigins", {"Fn::Select": [0, {"Fn::Split": [",", {"Ref": "SpaOrigins"}]}]}, "null"]}
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    for operations in body["paths"].values():
        preflight = operations.get("options", {}).get("x-amazon-apigateway-integration", {})
        for response in preflight.get("responses", {}).values():
            params = response.get("responseParameters", {})
            if "method.response.header.Access-Control-Allow-Origin" in params:
                params["method.response.header.Access-Control-Allow-Origin"] = {"Fn::Join": ["", ["'", first, "'"]]}


def merge_operations(template: dict[str, Any], stage: str) -> None:
    """infra/operations.yaml: logs, trail, WAF, throttling, alarms, dashboard, secrets, SPA hosting."""
    from chalice.package import TemplateDeepMerger

    ops = load_template(OPERATIONS_PATH)
    ops.pop("AWSTemplateFormatVersion", None)
    ops.pop("Description", None)
    ops.pop("Metadata", None)
    merged = TemplateDeepMerger().merge(ops, template)
    template.clear()
    template.update(merged)


def package(template: dict[str, Any], stage: str) -> dict[str, Any]:
    """The deployable template of `stage` from Chalice's merged SAM output."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}: one of {sorted(STAGES)}")
    out = copy.deepcopy(template)
    merge_operations(out, stage)
    split_api(out)
    attach_usage_plan(out)
    harden_functions(out, stage)
    configure_stage(out, stage)
    return out


# ------------------------------------------------------------------------------------------ building


def chalice_template(stage: str, project_dir: Path = ROOT) -> dict[str, Any]:
    """`chalice package --merge-template infra/resources.yaml` of `stage`, in-process, without the zip."""
    import botocore.session
    from chalice.awsclient import TypedAWSClient
    from chalice.cli.factory import CLIFactory
    from chalice.deploy.deployer import BaseDeployStep, DeploymentPackager
    from chalice.package import PackageOptions, TemplateDeepMerger, create_app_packager

    class NoZip(BaseDeployStep):
        def handle_deploymentpackage(self, config: Any, resource: Any) -> None:
            resource.filename = "./deployment.zip"

    config = CLIFactory(str(project_dir)).create_config_obj(chalice_stage_name=stage)
    session = botocore.session.get_session()
    if not session.get_config_variable("region"):
        session.set_config_variable("region", CHINA_REGIONS[0])
    packager = create_app_packager(config, PackageOptions(TypedAWSClient(session)))
    steps = packager._resource_builder._build_stage._steps  # noqa: SLF001 - chalice offers no other seam
    steps[:] = [NoZip() if isinstance(step, DeploymentPackager) else step for step in steps]
    resources = packager._resource_builder.construct_resources(config, stage)  # noqa: SLF001
    generated = packager._templater.generate(resources)  # noqa: SLF001
    for resource in generated["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["Runtime"] = PACKAGE_RUNTIME  # what `make package`'s venv builds for
    return TemplateDeepMerger().merge(load_template(TEMPLATE_PATH), generated)


def dump(template: dict[str, Any], path: Path) -> None:
    path.write_text(yaml.safe_dump(template, allow_unicode=True, sort_keys=False, width=120), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path, help="chalice package's sam.yaml (rewritten in place)")
    parser.add_argument("--stage", required=True, choices=sorted(STAGES))
    args = parser.parse_args(argv)
    dump(package(load_template(args.template), args.stage), args.template)
    sys.stdout.write(f"{args.template}: {args.stage} split into {len(ACCESS)} least-privilege functions\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
