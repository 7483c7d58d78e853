"""The packaged template (infra/package.py): one function per surface, each role only what its code
calls, on this stack's ARNs; logs kept; partner routes behind API keys; China stages stay in China."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from chalicelib.api.surface import ADMIN, PARTNER, PUBLIC, STAFF, surface_of
from infra.package import ACCESS, API_FUNCTIONS, STAGES, WILDCARD_REASONS, chalice_template, package

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def packaged() -> dict[str, dict[str, Any]]:
    return {stage: package(chalice_template(stage), stage) for stage in STAGES}


def _statements(template: dict[str, Any], function: str) -> list[dict[str, Any]]:
    role = template["Resources"][template["Resources"][function]["Properties"]["Role"]["Fn::GetAtt"][0]]
    found: list[dict[str, Any]] = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            if "Fn::If" in statement:  # [condition, statement, AWS::NoValue]
                statement = statement["Fn::If"][1]
            found.append(statement)
    return found


def _actions(template: dict[str, Any], function: str) -> set[str]:
    return {a for s in _statements(template, function) for a in s["Action"]}


def _resources_of(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def test_every_route_is_served_by_the_function_of_its_surface(packaged: dict[str, dict[str, Any]]) -> None:
    template = packaged["prod-cn"]
    body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
    seen: set[str] = set()
    for path, operations in body["paths"].items():
        for method, operation in operations.items():
            uri = operation["x-amazon-apigateway-integration"].get("uri")
            if method == "options":
                continue  # CORS preflight: a mock integration
            target = re.search(r"\$\{(\w+)\.Arn\}", uri["Fn::Sub"]).group(1)  # type: ignore[union-attr]
            assert target == API_FUNCTIONS[surface_of(path, method)], (path, method)
            seen.add(target)
            requires_key = operation.get("security") == [{"api_key": []}]
            assert requires_key == (target == "PartnerApi"), (path, method)
    assert seen == set(API_FUNCTIONS.values())
    assert "APIHandler" not in template["Resources"]
    for surface, function in API_FUNCTIONS.items():
        assert template["Resources"][function]["Properties"]["Environment"]["Variables"]["API_SURFACE"] == surface


def test_surfaces_of_known_routes() -> None:
    assert surface_of("/public/v1/requests/{number}", "get") == PUBLIC
    assert surface_of("/open311/v2/requests.json", "get") == PUBLIC
    assert surface_of("/open311/v2/requests.json", "post") == PARTNER
    assert surface_of("/partner/v1/tickets", "post") == PARTNER
    assert surface_of("/health", "get") == PUBLIC
    assert surface_of("/{p1}/{p2}", "delete") == PUBLIC  # unknown paths: a 404 that needs no access
    assert surface_of("/admin/users", "get") == ADMIN
    assert surface_of("/tickets/{ticket_id}", "get") == STAFF
    assert surface_of("/auth/login", "post") == STAFF


def test_each_function_has_its_own_role_and_log_group(packaged: dict[str, dict[str, Any]]) -> None:
    for stage, template in packaged.items():
        resources = template["Resources"]
        functions = [lid for lid, r in resources.items() if r["Type"] == "AWS::Serverless::Function"]
        assert sorted(functions) == sorted(ACCESS)
        roles = [resources[f]["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions]
        assert len(set(roles)) == len(functions), stage
        for function in functions:
            group = resources[f"{function}LogGroup"]
            assert group["Type"] == "AWS::Logs::LogGroup"
            assert group["Properties"]["KmsKeyId"] == {"Fn::GetAtt": ["LogKey", "Arn"]}
            name = resources[function]["Properties"]["FunctionName"]["Fn::Sub"]
            assert group["Properties"]["LogGroupName"]["Fn::Sub"] == f"/aws/lambda/{name}"
            logs = [s for s in _statements(template, function) if s["Sid"] == "OwnLogGroup"]
            assert logs[0]["Resource"] == [{"Fn::GetAtt": [f"{function}LogGroup", "Arn"]}]
            assert not any(a == "logs:CreateLogGroup" for a in _actions(template, function))
    retention = packaged["prod-cn"]["Parameters"]["LogRetentionDays"]
    assert retention["Default"] >= 180 and min(retention["AllowedValues"]) >= 180  # MLPS level 3: six months


def test_the_public_function_can_neither_delete_nor_decrypt(packaged: dict[str, dict[str, Any]]) -> None:
    for template in packaged.values():
        public = _actions(template, "PublicApi")
        assert "dynamodb:DeleteItem" not in public
        assert not {a for a in public if a.startswith(("kms:", "s3:", "cognito-idp:", "secretsmanager:", "sns:"))}
        tables = {
            r["Fn::GetAtt"][0]
            for s in _statements(template, "PublicApi")
            if s["Sid"].endswith("Items")
            for r in _resources_of(s)
            if "Fn::GetAtt" in r
        }
        assert tables == {"TicketsTable", "DirectoryTable"}
        writes = {s["Sid"] for s in _statements(template, "PublicApi") if "dynamodb:PutItem" in s["Action"]}
        assert writes == {"DirectoryTableItems"}  # its rate counters only


def test_only_the_admin_function_manages_users_and_few_delete(packaged: dict[str, dict[str, Any]]) -> None:
    dev = packaged["dev"]
    for function in ACCESS:
        actions = _actions(dev, function)
        assert ("cognito-idp:AdminCreateUser" in actions) == (function == "AdminApi"), function
        # Directory items: admins (calendar days, entries), staff (a refused evidence upload's pending record)
        assert ("dynamodb:DeleteItem" in actions) == (function in ("AdminApi", "StaffApi")), function
    assert not {
        a for a in _actions(packaged["prod-cn"], "AdminApi") if a.startswith("cognito-idp:")
    }  # no Cognito in cn
    assert not {a for a in _actions(dev, "StaffApi") if a.startswith("cognito-idp:")}


def test_roles_hold_only_the_actions_of_their_access_entry(packaged: dict[str, dict[str, Any]]) -> None:
    for stage, template in packaged.items():
        for function, access in ACCESS.items():
            actions = _actions(template, function)
            assert bool({a for a in actions if a.startswith("s3:")}) == bool(access.get("archive")), function
            assert ("s3:PutObjectRetention" in actions) == (access.get("archive") == "write" or "evidence" in access)
            deleting = [s for s in _statements(template, function) if "s3:DeleteObjectVersion" in s["Action"]]
            # only evidence uploads may be removed (R-12345-17: archived records never)
            assert [s["Resource"] for s in deleting] == (
                [[{"Fn::Sub": "${ArchiveBucket.Arn}/uploads/*"}]] if access.get("evidence") else []
            ), function
            assert ("dynamodb:GetRecords" in actions) == bool(access.get("stream")), function
            # the security log's write-once copies (R-SEC-02): the staff function writes them, the admin's archive
            # write covers its own
            logs = [s for s in _statements(template, function) if s.get("Sid") == "SecurityLogCopies"]
            assert bool(logs) == bool(access.get("security_log")), function
            sms = {"sns:Publish"} if STAGES[stage]["sms"] == "sns" else set()
            assert bool(sms and sms <= actions) == bool(access.get("sms") and sms), function


def test_no_literal_partition_and_no_wildcard_resource_without_a_reason(packaged: dict[str, dict[str, Any]]) -> None:
    deploy_doc = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for stage, template in packaged.items():
        text = json.dumps(template)
        assert "arn:aws:" not in text and "arn:*:" not in text, stage
        for function in ACCESS:
            for statement in _statements(template, function):
                if "*" in _resources_of(statement) or any("*" == str(r) for r in _resources_of(statement)):
                    for action in statement["Action"]:
                        assert action in WILDCARD_REASONS, (stage, function, action)
                for action in statement["Action"]:
                    assert "*" not in action, (stage, function, action)
                    if action.startswith("kms:"):
                        assert _resources_of(statement) in (
                            [{"Fn::GetAtt": ["DataKey", "Arn"]}],
                            [{"Fn::GetAtt": ["PiiKey", "Arn"]}],
                        )
    for action in WILDCARD_REASONS:
        assert f"`{action}`" in deploy_doc  # every exception is documented with its reason


def test_partner_usage_plan_applies_to_the_api_stage(packaged: dict[str, dict[str, Any]]) -> None:
    resources = packaged["prod-cn"]["Resources"]
    plan = resources["PartnerUsagePlan"]
    assert "Condition" not in plan
    assert plan["Properties"]["ApiStages"] == [{"ApiId": {"Ref": "RestAPI"}, "Stage": "api"}]
    assert resources["CityPartnerUsagePlanKey"]["Properties"]["UsagePlanId"] == {"Ref": "PartnerUsagePlan"}
    settings = resources["RestAPI"]["Properties"]["MethodSettings"][0]
    assert settings["ThrottlingRateLimit"] == {"Ref": "ApiRateLimit"} and settings["HttpMethod"] == "*"
    assert resources["RestAPI"]["Properties"]["AccessLogSetting"]["DestinationArn"] == {
        "Fn::GetAtt": ["ApiAccessLogGroup", "Arn"]
    }
    assert resources["ApiWebAclAssociation"]["Properties"]["WebACLArn"] == {"Fn::GetAtt": ["ApiWebAcl", "Arn"]}
    rules = {r["Name"] for r in resources["ApiWebAcl"]["Properties"]["Rules"]}
    assert {"login-rate", "public-lookup-rate", "open311-rate"} <= rules


def test_china_stage_is_regional_uses_oidc_and_the_mainland_gateway(packaged: dict[str, dict[str, Any]]) -> None:
    cn, dev = packaged["prod-cn"], packaged["dev"]
    assert cn["Parameters"]["DataJurisdiction"]["Default"] == "cn"
    assert cn["Parameters"]["UseCognito"]["Default"] == "false"
    assert cn["Parameters"]["Stage"]["Default"] == "prod-cn"
    rule = cn["Rules"]["ChinaJurisdictionStaysInChina"]
    assert rule["Assertions"][0]["Assert"]["Fn::Contains"][0] == ["cn-north-1", "cn-northwest-1"]
    env = cn["Globals"]["Function"]["Environment"]["Variables"]
    assert env["SMS_BACKEND"] == "aliyun" and env["SMS_SECRET_ARN"] == {"Ref": "SmsGatewaySecret"}
    assert "ALIYUN_ACCESS_KEY_SECRET" not in json.dumps(cn)
    assert cn["Resources"]["RestAPI"]["Properties"]["EndpointConfiguration"] == "REGIONAL"
    assert dev["Parameters"]["DataJurisdiction"]["Default"] == "none"
    assert dev["Globals"]["Function"]["Environment"]["Variables"]["SMS_BACKEND"] == "sns"
    assert "SmsGatewaySecret" not in dev["Resources"] and "OidcClientSecret" not in dev["Resources"]


def test_trail_validates_files_and_logs_data_events(packaged: dict[str, dict[str, Any]]) -> None:
    resources = packaged["prod-cn"]["Resources"]
    trail = resources["Trail"]["Properties"]
    assert trail["EnableLogFileValidation"] is True and trail["IsMultiRegionTrail"] is True
    types = {d["Type"] for d in trail["EventSelectors"][0]["DataResources"]}
    assert types == {"AWS::S3::Object", "AWS::DynamoDB::Table"}
    assert resources["TrailBucket"]["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Mode"] == (
        "COMPLIANCE"
    )
    for bucket in ("ArchiveBucket", "TrailBucket", "SpaBucket"):
        logging = resources[bucket]["Properties"]["LoggingConfiguration"]
        assert logging["DestinationBucketName"] == {"Ref": "AccessLogsBucket"}, bucket


def test_preflights_and_functions_grant_cors_to_the_spa_origins_only(packaged: dict[str, dict[str, Any]]) -> None:
    for template in packaged.values():
        assert template["Globals"]["Function"]["Environment"]["Variables"]["CORS_ORIGINS"] == {"Ref": "SpaOrigins"}
        body = template["Resources"]["RestAPI"]["Properties"]["DefinitionBody"]
        preflights = [ops["options"] for ops in body["paths"].values() if "options" in ops]
        assert preflights
        for operation in preflights:
            params = operation["x-amazon-apigateway-integration"]["responses"]["default"]["responseParameters"]
            origin = params["method.response.header.Access-Control-Allow-Origin"]
            assert "*" not in json.dumps(origin) and "SpaOrigins" in json.dumps(origin)


def test_r12345_11_personal_data_has_its_own_key_granted_only_to_functions_that_read_tickets(
    packaged: dict[str, dict[str, Any]],
) -> None:
    for stage, template in packaged.items():
        env = template["Globals"]["Function"]["Environment"]["Variables"]
        assert env["PII_KMS_KEY_ID"] == {"Ref": "PiiKey"} and env["KMS_KEY_ID"] == {"Ref": "DataKey"}
        algorithm = template["Parameters"]["EnvelopeAlgorithm"]["Default"]
        assert algorithm == ("SM4-GCM" if stage == "prod-cn" else "AES-256-GCM"), stage
        assert env["BLIND_INDEX_HASH"] == {"Ref": "BlindIndexHash"}  # the caller blind index's HMAC
        assert template["Parameters"]["BlindIndexHash"]["Default"] == ("sm3" if stage == "prod-cn" else "sha256")
        key_policy = template["Resources"]["PiiKey"]["Properties"]["KeyPolicy"]["Statement"]
        assert [s["Principal"] for s in key_policy] == [
            {"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}}
        ]  # no service acts with it on anyone's behalf
        for function in ACCESS:
            granted = any(
                _resources_of(s) == [{"Fn::GetAtt": ["PiiKey", "Arn"]}] for s in _statements(template, function)
            )
            assert granted == bool(ACCESS[function].get("kms")), (stage, function)
        assert not ACCESS["PublicApi"].get("kms")


SCHEDULED = {
    "version": "0",
    "id": "e2f1c9a4-0000-4000-8000-000000000000",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-12-04T01:00:00Z",
    "region": "cn-north-1",
    "resources": [],
    "detail": {},
}


@pytest.mark.parametrize("failed", [0, 2])
def test_r_work_07_a_failed_deliverables_archive_raises_an_alarm_from_the_work_sweeps_line(
    packaged: dict[str, dict[str, Any]], fake: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any, failed: int
) -> None:
    """The work sweep logs `deliverables_archive_failed N` each run (an error line while N > 0); the metric filter on
    its log group reads N from that line as Lambda writes it, and the alarm on the metric goes to the alarm topic."""
    import logging

    from chalicelib import bootstrap
    from chalicelib.handlers import work as handler
    from chalicelib.services import work

    monkeypatch.setattr(work, "sweep", lambda deps, now: {"deliverables_archived": 1, handler.ARCHIVE_FAILED: failed})
    logger = logging.getLogger("hotline.work")  # the app's loggers may not propagate to the root: listen on it
    logger.addHandler(caplog.handler)
    bootstrap.use(fake)
    try:
        with caplog.at_level(logging.INFO, logger="hotline.work"):
            handler.work_sweep(SCHEDULED, None)  # as Lambda calls it
    finally:
        bootstrap.use(None)
        logger.removeHandler(caplog.handler)
    (line,) = [r for r in caplog.records if r.getMessage().startswith(handler.ARCHIVE_FAILED)]
    assert line.levelno == (logging.ERROR if failed else logging.INFO)
    # the Lambda runtime writes "[LEVEL]\ttime\trequest id\tmessage"; a space-delimited pattern splits on whitespace
    written = f"[{line.levelname}]\t2026-12-04T01:00:00.000Z\t8f5c2b1e-0000-4000-8000-000000000000\t{line.getMessage()}"
    for stage, template in packaged.items():
        resources = template["Resources"]
        rule = resources["WorkArchiveFailedMetricFilter"]["Properties"]
        assert rule["LogGroupName"] == {"Ref": "WorkSweepLogGroup"} and "WorkSweepLogGroup" in resources, stage
        names = re.fullmatch(r"\[(.*)\]", rule["FilterPattern"]).group(1).split(", ")  # type: ignore[union-attr]
        values = dict(zip(names, written.split(), strict=True))
        assert values[f"marker={handler.ARCHIVE_FAILED}"] == handler.ARCHIVE_FAILED
        metric = rule["MetricTransformations"][0]
        assert metric["MetricValue"] == "$count" and int(values["count"]) == failed
        alarm = resources["WorkArchiveFailedAlarm"]["Properties"]
        assert (alarm["Namespace"], alarm["MetricName"]) == (metric["MetricNamespace"], metric["MetricName"])
        assert alarm["Threshold"] == 0 and alarm["ComparisonOperator"] == "GreaterThanThreshold"
        assert alarm["AlarmName"] == {"Fn::Sub": "hotline-${Stage}-work-archive-failing"}
        assert alarm["AlarmActions"] == resources["SmsFailuresAlarm"]["Properties"]["AlarmActions"]  # the same topic
