"""In the cloud, API Gateway itself answers unknown routes: its MISSING_AUTHENTICATION_TOKEN gateway
response (infra/resources.yaml) is 404 with the app's error body and lands in the deployed swagger."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalicelib.api.errors import error_body
from chalicelib.api.fallback import UNKNOWN_ROUTE_MESSAGE
from infra.template import load_template, moto_template

NOT_FOUND = error_body("not_found", UNKNOWN_ROUTE_MESSAGE)


def test_the_gateway_response_is_a_404_with_the_apps_unknown_route_body() -> None:
    api = load_template()["Resources"]["RestAPI"]
    assert api["Type"] == "AWS::Serverless::Api"  # a fragment of the RestAPI `chalice package` generates
    response = api["Properties"]["GatewayResponses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["StatusCode"] == 404
    assert json.loads(response["ResponseTemplates"]["application/json"]) == NOT_FOUND
    assert "RestAPI" not in moto_template(load_template())["Resources"]  # nothing to attach it to on moto


def test_merged_and_transformed_the_gateway_response_is_part_of_the_apis_swagger(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What `chalice package --merge-template` and CloudFormation's SAM transform make of it, offline:
    chalice's swagger of this app, chalice's deep merge, then samtranslator."""
    from chalice.deploy.swagger import CFNSwaggerGenerator
    from chalice.package import TemplateDeepMerger
    from samtranslator.translator.transform import transform

    from app import app

    monkeypatch.setenv("AWS_DEFAULT_REGION", "cn-north-1")
    generated = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "RestAPI": {
                "Type": "AWS::Serverless::Api",
                "Properties": {
                    "EndpointConfiguration": "EDGE",
                    "StageName": "api",
                    "DefinitionBody": CFNSwaggerGenerator().generate_swagger(app),
                },
            }
        },
    }
    merged = TemplateDeepMerger().merge({"Resources": {"RestAPI": load_template()["Resources"]["RestAPI"]}}, generated)

    class NoManagedPolicies:
        def load(self) -> dict[str, Any]:
            return {}

    out = transform(merged, {}, NoManagedPolicies())
    body = out["Resources"]["RestAPI"]["Properties"]["Body"]
    response = body["x-amazon-apigateway-gateway-responses"]["MISSING_AUTHENTICATION_TOKEN"]
    assert response["statusCode"] == "404"
    assert json.loads(response["responseTemplates"]["application/json"]) == NOT_FOUND
    assert response["responseParameters"] == {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}
    # the swagger (with it) is what the generated deployment is named after: a change redeploys the stage
    assert [k for k, r in out["Resources"].items() if r["Type"] == "AWS::ApiGateway::Deployment"]
