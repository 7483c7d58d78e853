"""GET /openapi.json documents every registered route (and nothing else), as OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

from chalicelib.api.fallback import CATCH_ALL_PATHS


def test_openapi_matches_registered_routes(api: Any, app: Any) -> None:
    resp = api.get("/openapi.json")
    assert resp.status_code == 200
    doc = resp.json
    assert doc["openapi"].startswith("3.1")
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    registered = {
        (path, method) for path, methods in app.routes.items() for method in methods if path not in CATCH_ALL_PATHS
    }
    assert documented == registered
    operation_ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_partner_open311_public_operations_have_real_schemas(api: Any) -> None:
    doc = api.get("/openapi.json").json
    paths = doc["paths"]
    push = paths["/partner/v1/tickets"]["post"]
    assert push["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PartnerPush"}
    assert {"200", "201", "401", "409", "422", "429"} <= set(push["responses"])
    assert {p["name"] for p in push["parameters"]} == {
        "X-Hotline-Key",
        "X-Hotline-Timestamp",
        "X-Hotline-Nonce",
        "X-Hotline-Signature",
    }
    create = paths["/open311/v2/requests.json"]["post"]
    assert "application/x-www-form-urlencoded" in create["requestBody"]["content"]
    assert {"201", "400", "403", "404"} <= set(create["responses"])
    xml = paths["/open311/v2/requests.xml"]["get"]["responses"]["200"]["content"]
    assert "text/xml" in xml
    assert paths["/public/v1/requests/{number}"]["get"]["security"] == []
    for name in ("PartnerTicket", "Webhook", "ServiceRequests", "PublicStatus", "Open311Errors"):
        assert name in doc["components"]["schemas"]


def test_openapi_is_a_valid_31_document(api: Any) -> None:
    from schemathesis.openapi import from_dict

    schema = from_dict(api.get("/openapi.json").json)
    operations = list(schema.get_all_operations())
    assert operations and all(op.ok() for op in operations)
