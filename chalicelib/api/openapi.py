"""OpenAPI 3.1 of every registered route, served at GET /openapi.json.

Paths and methods come from the app's route table (`app.routes`), so the document cannot miss a
route; schemas for the partner, Open311 and public operations are written here by hand (the
staff routes get generic JSON schemas and point to docs/api.md). tests/api/test_openapi.py
compares the document with `app.routes`; tests/e2e/test_schemathesis.py checks real responses.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Blueprint

from chalicelib.api.errors import route
from chalicelib.api.fallback import CATCH_ALL_PATHS
from chalicelib.domain import open311 as o311
from chalicelib.domain.signing import HOOK_EVENTS

bp = Blueprint(__name__)

J = "application/json"
XML = "text/xml"
FORM = "application/x-www-form-urlencoded"
STR_NULL = {"type": ["string", "null"]}
DT_NULL = {"type": ["string", "null"], "format": "date-time"}


def ref(name: str) -> dict[str, str]:
    """`$ref` to a component schema."""
    return {"$ref": f"#/components/schemas/{name}"}


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["code", "message", "details"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}, "details": {"type": "object"}},
    },
    "Open311Errors": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["code", "description"],
            "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        },
    },
    "Location": {
        "type": "object",
        "properties": {
            "address": {"type": "string", "maxLength": 300},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "lng": {"type": "number", "minimum": -180, "maximum": 180},
        },
    },
    "PartnerPush": {
        "type": "object",
        "required": ["number", "category", "title", "content"],
        "additionalProperties": False,
        "properties": {
            "number": {
                "type": "string",
                "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$",
                "description": "the partner's ticket number (idempotency key)",
            },
            "hotline": {"enum": ["12345", "12369"]},
            "channel": {"enum": ["phone", "web", "app", "wechat", "letter", "city"]},
            "category": {"enum": ["consult", "help", "complaint", "report", "suggestion", "praise"]},
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "content": {"type": "string", "minLength": 1, "maxLength": 4000},
            "location": ref("Location"),
            "caller": {
                "type": "object",
                "properties": {
                    k: {"type": "string", "maxLength": 200} for k in ("name", "phone", "employer", "address")
                },
            },
            "confidential": {"type": "boolean"},
            "wants_reply": {"type": "boolean"},
            "urgent": {"type": "boolean"},
            "city_limit_days": {"type": "integer", "minimum": 1, "maximum": 365},
            "city_due": {"type": "string", "format": "date-time"},
            "received_at": {"type": "string", "format": "date-time"},
        },
    },
    "PartnerTicket": {
        "type": "object",
        "required": ["number", "ticket_id", "status", "status_text", "received_at", "handle_due", "result"],
        "properties": {
            "number": STR_NULL,
            "ticket_id": {"type": "string"},
            "status": {"type": "string"},
            "status_text": {"type": "string"},
            "hotline": {"type": "string"},
            "category": {"type": "string"},
            "title": {"type": "string"},
            "received_at": {"type": "string"},
            "dispatch_due": STR_NULL,
            "handle_due": STR_NULL,
            "submitted_at": STR_NULL,
            "closed_at": STR_NULL,
            "updated_at": STR_NULL,
            "handling_unit": {"type": ["object", "null"], "properties": {"id": {"type": "string"}, "name": STR_NULL}},
            "reassign_count": {"type": "integer"},
            "result": {
                "type": ["object", "null"],
                "properties": {
                    "sections": {"type": "object", "additionalProperties": {"type": "string"}},
                    "replied_at": STR_NULL,
                    "satisfaction": STR_NULL,
                },
            },
        },
    },
    "Reassign": {
        "type": "object",
        "required": ["reason"],
        "properties": {
            "reason": {"type": "string", "minLength": 1, "maxLength": 1000},
            "city_due": {"type": "string", "format": "date-time"},
        },
    },
    "Audit": {
        "type": "object",
        "required": ["result"],
        "properties": {
            "result": {"enum": ["accepted", "rejected"]},
            "reason": {"type": "string", "maxLength": 1000},
            "note": {"type": "string", "maxLength": 4000},
        },
    },
    "Webhook": {
        "type": "object",
        "description": "POSTed to the partner's webhook_url, signed like partner requests.",
        "required": ["event_id", "type", "at", "number", "ticket"],
        "properties": {
            "event_id": {"type": "string"},
            "type": {"enum": sorted(HOOK_EVENTS)},
            "at": {"type": "string"},
            "number": STR_NULL,
            "ticket": ref("PartnerTicket"),
        },
    },
    "PublicStatus": {
        "type": "object",
        "required": ["number", "status", "status_text", "handling_unit", "received_at", "reply"],
        "properties": {
            "number": {"type": "string"},
            "hotline": {"type": "string"},
            "category": {"type": "string"},
            "category_text": {"type": "string"},
            "status": {"enum": ["open", "closed"]},
            "status_text": {"type": "string"},
            "handling_unit": STR_NULL,
            "received_at": {"type": "string"},
            "handle_due": STR_NULL,
            "submitted_at": STR_NULL,
            "closed_at": STR_NULL,
            "updated_at": STR_NULL,
            "reply": STR_NULL,
        },
    },
    "Discovery": {
        "type": "object",
        "required": ["changeset", "contact", "endpoints"],
        "properties": {
            "changeset": {"type": "string"},
            "contact": {"type": "string"},
            "key_service": {"type": "string"},
            "endpoints": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["specification", "url"],
                    "properties": {
                        "specification": {"type": "string"},
                        "url": {"type": "string"},
                        "changeset": {"type": "string"},
                        "type": {"type": "string"},
                        "formats": {"type": "array", "items": {"type": "string"}},
                    },
                },
            },
        },
    },
    "Services": {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
            "properties": {
                "service_code": {"type": "string"},
                "service_name": {"type": "string"},
                "description": {"type": "string"},
                "metadata": {"type": "boolean"},
                "type": {"enum": ["realtime", "batch", "blackbox"]},
                "keywords": {"type": "string"},
                "group": {"type": "string"},
                "groups": {"type": "array", "items": {"type": "string"}, "description": "FixMyStreet extension"},
            },
        },
    },
    "ServiceRequestUpdates": {
        "type": "array",
        "maxItems": o311.MAX_RESULTS,
        "description": "FixMyStreet's servicerequestupdates: status changes of Open311 requests, oldest first",
        "items": {
            "type": "object",
            "required": list(o311.UPDATE_FIELDS),
            "properties": {
                **dict.fromkeys(o311.UPDATE_FIELDS, STR_NULL),
                "status": {"enum": sorted(set(o311.UPDATE_STATUS.values()))},
            },
        },
    },
    "ServiceDefinition": {
        "type": "object",
        "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [
                        "variable",
                        "code",
                        "datatype",
                        "required",
                        "datatype_description",
                        "order",
                        "description",
                    ],
                    "properties": {
                        "variable": {"type": "boolean"},
                        "code": {"type": "string"},
                        "datatype": {
                            "enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
                        },
                        "required": {"type": "boolean"},
                        "datatype_description": {"type": "string"},
                        "order": {"type": "integer"},
                        "description": {"type": "string"},
                        "values": {"type": "array", "items": {"type": "object", "required": ["key", "name"]}},
                    },
                },
            },
        },
    },
    "ServiceRequests": {
        "type": "array",
        "maxItems": o311.MAX_RESULTS,
        "items": {
            "type": "object",
            "required": list(o311.REQUEST_FIELDS),
            "properties": {
                **dict.fromkeys(o311.REQUEST_FIELDS, STR_NULL),
                "status": {"enum": ["open", "closed"]},
                "lat": {"type": ["number", "null"]},
                "long": {"type": ["number", "null"]},
                "extended_attributes": {
                    "type": "object",
                    "description": "only with extensions=true",
                    "properties": {f: {} for f in o311.EXTENSION_FIELDS},
                },
            },
        },
    },
    "CreatedRequests": {
        "type": "array",
        "minItems": 1,
        "items": {
            "type": "object",
            "required": ["service_request_id", "service_notice", "account_id"],
            "properties": {
                "service_request_id": {"type": "string"},
                "service_notice": {"type": "string"},
                "account_id": STR_NULL,
            },
        },
    },
    "Open311Create": {
        "type": "object",
        "required": ["api_key", "service_code"],
        "properties": {
            "api_key": {"type": "string"},
            "service_code": {"enum": [s.code for s in o311.SERVICES]},
            "lat": {"type": "number", "minimum": -90, "maximum": 90},
            "long": {"type": "number", "minimum": -180, "maximum": 180},
            "address_string": {"type": "string", "maxLength": 300},
            "address_id": {"type": "string", "maxLength": 64},
            "email": {"type": "string"},
            "device_id": {"type": "string"},
            "account_id": {"type": "string"},
            "first_name": {"type": "string", "maxLength": 50},
            "last_name": {"type": "string", "maxLength": 50},
            "phone": {"type": "string", "maxLength": 32},
            "description": {"type": "string", "maxLength": 4000},
            "media_url": {"type": "string", "maxLength": 500},
            "attribute[confidential]": {"enum": ["true", "false"]},
            "attribute[wants_reply]": {"enum": ["true", "false"]},
        },
    },
}


def _json(schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"description": description or "OK", "content": {J: {"schema": schema}}}


ERR = {
    code: _json(ref("Error"), text)
    for code, text in (
        ("400", "bad request"),
        ("401", "unauthenticated"),
        ("403", "forbidden"),
        ("404", "not found"),
        ("409", "conflict / invalid transition"),
        ("422", "validation error"),
        ("429", "rate limited"),
        ("500", "internal error"),
    )
}
ERR["415"] = _json(ref("Error"), "unsupported media type")

SIGNED_HEADERS = [
    {"name": h, "in": "header", "required": True, "schema": {"type": "string"}, "description": d}
    for h, d in (
        ("X-Hotline-Key", "key id"),
        ("X-Hotline-Timestamp", "Unix seconds, ±5 min"),
        ("X-Hotline-Nonce", "16–64 of [A-Za-z0-9_-], never reused"),
        ("X-Hotline-Signature", "hex HMAC-SHA256 of the canonical string"),
    )
]


def _o311_out(schema_name: str, fmt: str, codes: tuple[str, ...]) -> dict[str, Any]:
    media = J if fmt == "json" else XML
    out: dict[str, Any] = {}
    for code in codes:
        name = schema_name if code in ("200", "201") else "Open311Errors"
        out[code] = {
            "description": "OK" if code in ("200", "201") else "error (spec format)",
            "content": {media: {"schema": ref(name)} if fmt == "json" else {"schema": {"type": "string"}}},
        }
    return out


def _path_param(name: str, pattern: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": 64}
    if pattern:
        schema["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _q(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def specific(path: str, method: str) -> dict[str, Any] | None:
    """Hand-written operation objects for partner, Open311 and public routes."""
    number = _path_param("number", r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
    partner_errors = {k: ERR[k] for k in ("400", "401", "404", "409", "415", "422", "429")}

    def body(name: str) -> dict[str, Any]:
        return {"required": True, "content": {J: {"schema": ref(name)}}}

    ops: dict[tuple[str, str], dict[str, Any]] = {
        ("/partner/v1/tickets", "POST"): {
            "tags": ["partner"],
            "summary": "Push a ticket (idempotent on number)",
            "security": [{"partnerHmac": []}],
            "parameters": SIGNED_HEADERS,
            "requestBody": body("PartnerPush"),
            "responses": {
                "201": _json(ref("PartnerTicket"), "created"),
                "200": _json(ref("PartnerTicket"), "same push again"),
                **partner_errors,
            },
        },
        ("/partner/v1/tickets/{number}", "GET"): {
            "tags": ["partner"],
            "summary": "Status and result by the partner's number",
            "security": [{"partnerHmac": []}],
            "parameters": [number, *SIGNED_HEADERS],
            "responses": {"200": _json(ref("PartnerTicket")), **partner_errors},
        },
        ("/partner/v1/tickets/{number}/reassign", "POST"): {
            "tags": ["partner"],
            "summary": "重新交办 (R-12345-09)",
            "security": [{"partnerHmac": []}],
            "parameters": [number, *SIGNED_HEADERS],
            "requestBody": body("Reassign"),
            "responses": {"200": _json(ref("PartnerTicket")), **partner_errors},
        },
        ("/partner/v1/tickets/{number}/audit", "POST"): {
            "tags": ["partner"],
            "summary": "City audit result (accepted → closed, rejected → review)",
            "security": [{"partnerHmac": []}],
            "parameters": [number, *SIGNED_HEADERS],
            "requestBody": body("Audit"),
            "responses": {"200": _json(ref("PartnerTicket")), **partner_errors},
        },
        ("/public/v1/requests/{number}", "GET"): {
            "tags": ["public"],
            "summary": "Citizen status lookup (number + SMS code)",
            "security": [],
            "parameters": [
                _path_param("number"),
                _q("code", {"type": "string", "pattern": r"^\d{6}$"}, "6-digit code"),
            ],
            "responses": {"200": _json(ref("PublicStatus")), **{k: ERR[k] for k in ("403", "422", "429")}},
        },
    }
    for fmt in o311.FORMATS:
        base = "/open311/v2"
        ops[(f"{base}/discovery.{fmt}", "GET")] = {
            "tags": ["open311"],
            "summary": "GeoReport v2 discovery",
            "security": [],
            "responses": _o311_out("Discovery", fmt, ("200",)),
        }
        ops[(f"{base}/services.{fmt}", "GET")] = {
            "tags": ["open311"],
            "summary": "GeoReport v2 service list",
            "security": [],
            "responses": _o311_out("Services", fmt, ("200",)),
        }
        ops[(f"{base}/requests.{fmt}", "GET")] = {
            "tags": ["open311"],
            "summary": "GeoReport v2 service requests (≤ 1000, window ≤ 90 days)",
            "security": [],
            "parameters": [
                _q("service_request_id", {"type": "string"}, "comma-separated ids; overrides the other filters"),
                _q("service_code", {"type": "string"}, "repeated or comma-separated"),
                _q("start_date", {"type": "string", "format": "date-time"}),
                _q("end_date", {"type": "string", "format": "date-time"}),
                _q("status", {"enum": ["open", "closed", "open,closed"]}, "repeated or comma-separated"),
                _q("max_requests", {"type": "integer", "minimum": 1, "maximum": o311.MAX_RESULTS}),
                _q("extensions", {"enum": ["true", "false"]}, "add extended_attributes"),
                _q("api_key", {"type": "string"}, "required when the stage says so (OPEN311_GET_REQUIRES_KEY)"),
            ],
            "responses": _o311_out("ServiceRequests", fmt, ("200", "400", "403")),
        }
        ops[(f"{base}/servicerequestupdates.{fmt}", "GET")] = {
            "tags": ["open311"],
            "summary": "FixMyStreet servicerequestupdates: status changes since start_date (≤ 1000, oldest first)",
            "security": [],
            "parameters": [
                _q("start_date", {"type": "string", "format": "date-time"}),
                _q("end_date", {"type": "string", "format": "date-time"}),
                _q("max_requests", {"type": "integer", "minimum": 1, "maximum": o311.MAX_RESULTS}),
                _q("api_key", {"type": "string"}, "required when the stage says so (OPEN311_GET_REQUIRES_KEY)"),
            ],
            "responses": _o311_out("ServiceRequestUpdates", fmt, ("200", "400", "403")),
        }
        ops[(f"{base}/requests.{fmt}", "POST")] = {
            "tags": ["open311"],
            "summary": "GeoReport v2 create a service request",
            "security": [],
            "requestBody": {"required": True, "content": {FORM: {"schema": ref("Open311Create")}}},
            "responses": {**_o311_out("CreatedRequests", fmt, ("201", "400", "403", "404", "429")), "415": ERR["415"]},
        }
    ops[("/open311/v2/services/{service_file}", "GET")] = {
        "tags": ["open311"],
        "summary": "GeoReport v2 service definition: {service_code}.json|.xml",
        "security": [],
        "parameters": [_path_param("service_file", r"^[a-z0-9-]+\.(json|xml)$")],
        "responses": {
            "200": {
                "description": "OK",
                "content": {J: {"schema": ref("ServiceDefinition")}, XML: {"schema": {"type": "string"}}},
            },
            "404": {
                "description": "unknown service",
                "content": {J: {"schema": ref("Open311Errors")}, XML: {"schema": {"type": "string"}}},
            },
        },
    }
    ops[("/open311/v2/requests/{request_file}", "GET")] = {
        "tags": ["open311"],
        "summary": "GeoReport v2 one service request: {service_request_id}.json|.xml",
        "security": [],
        "parameters": [
            _path_param("request_file", r"^T\d{8}-\d{5}\.(json|xml)$"),
            _q("extensions", {"enum": ["true", "false"]}),
        ],
        "responses": {
            "200": {
                "description": "OK",
                "content": {J: {"schema": ref("ServiceRequests")}, XML: {"schema": {"type": "string"}}},
            },
            "404": {
                "description": "not found",
                "content": {J: {"schema": ref("Open311Errors")}, XML: {"schema": {"type": "string"}}},
            },
        },
    }
    catch_all = {
        "/open311/v2/{resource}": ["resource"],
        "/open311/v2/{folder}/{resource}": ["folder", "resource"],
        "/open311/v2/{folder}/{sub}/{resource}": ["folder", "sub", "resource"],
    }
    for catch_path, names in catch_all.items():
        for verb in ("GET", "POST"):
            ops[(catch_path, verb)] = {
                "tags": ["open311"],
                "summary": "Any other resource or format below the GeoReport v2 base: the spec's error body",
                "security": [],
                "parameters": [_path_param(n) for n in names],
                "responses": {
                    "404": {
                        "description": "unknown resource or format",
                        "content": {J: {"schema": ref("Open311Errors")}, XML: {"schema": {"type": "string"}}},
                    },
                },
            }
    return ops.get((path, method))


def generic(path: str, method: str, view_name: str) -> dict[str, Any]:
    """A staff route: bearer token, JSON in/out (shapes in docs/api.md)."""
    params = [_path_param(p) for p in re.findall(r"\{(\w+)\}", path)]
    op: dict[str, Any] = {
        "tags": [path.strip("/").split("/")[0] or "root"],
        "summary": view_name.replace("_", " "),
        "description": "See docs/api.md.",
        "parameters": params,
        "responses": {
            "200": _json({"type": "object"}),
            **{k: ERR[k] for k in ("400", "401", "403", "404", "409", "422")},
        },
    }
    if method in ("POST", "PUT", "PATCH"):
        op["requestBody"] = {"required": False, "content": {J: {"schema": {"type": "object"}}}}
        op["responses"]["201"] = _json({"type": "object"}, "created")
    if path in ("/health", "/auth/login", "/auth/mfa", "/openapi.json"):
        op["security"] = []
    return op


def document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of a Chalice route table."""
    paths: dict[str, dict[str, Any]] = {}
    used: set[str] = set()
    for path in sorted(routes):
        if path in CATCH_ALL_PATHS:  # not operations: every unknown route answers 404 (api/fallback.py)
            continue
        for method, entry in sorted(routes[path].items()):
            op = specific(path, method) or generic(path, method, entry.view_name)
            op_id = f"{method.lower()}_{entry.view_name}"
            if op_id in used:  # two blueprints with the same view name
                op_id = f"{method.lower()}_" + re.sub(r"[^A-Za-z0-9]+", "_", path).strip("_")
            used.add(op_id)
            op = dict(op, operationId=op_id)
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "12345 热线工单平台 API",
            "version": "1.0.0",
            "description": "Staff API (docs/api.md), city platform API and Open311 GeoReport v2 "
            "(docs/partner-api.md), public status lookup.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "partnerHmac": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-Hotline-Signature",
                    "description": "HMAC-SHA256 request signing, see docs/partner-api.md",
                },
            },
        },
    }


@route(bp, "/openapi.json", methods=["GET"])
def openapi() -> dict[str, Any]:
    """This API's OpenAPI 3.1 document."""
    return document(bp.current_app.routes)
