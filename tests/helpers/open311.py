"""GeoReport v2 as its specification states it (the fields of a service request, in order)."""

from __future__ import annotations

SPEC_REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]

# JSON schemas written from the GeoReport v2 text (http://wiki.open311.org/GeoReport_v2) and FixMyStreet's
# servicerequestupdates extension; jsonschema checks every JSON answer of the API against them.
W3C = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$"
TEXT = {"type": "string"}
TEXT_OR_NULL = {"type": ["string", "null"]}
W3C_OR_NULL = {"anyOf": [{"type": "string", "pattern": W3C}, {"type": "null"}]}

DISCOVERY_SCHEMA = {
    "type": "object",
    "required": ["changeset", "contact", "key_service", "endpoints"],
    "properties": {
        "changeset": {"type": "string", "pattern": W3C},
        "contact": TEXT,
        "key_service": TEXT,
        "endpoints": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string", "pattern": "^https?://"},
                    "url": {"type": "string", "pattern": r"^https?://[^/\s]+(/\S*)?$"},  # absolute
                    "changeset": {"type": "string", "pattern": W3C},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"enum": ["application/json", "text/xml"]}},
                },
            },
        },
    },
}
SERVICES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
        "properties": {
            "service_code": {"type": "string", "minLength": 1},
            "service_name": TEXT,
            "description": TEXT,
            "metadata": {"type": "boolean"},
            "type": {"enum": ["realtime", "batch", "blackbox"]},
            "keywords": TEXT,
            "group": TEXT,
            "groups": {"type": "array", "items": TEXT},
        },
    },
}
DEFINITION_SCHEMA = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {
        "service_code": TEXT,
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
                    "code": TEXT,
                    "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
                    "required": {"type": "boolean"},
                    "datatype_description": TEXT_OR_NULL,
                    "order": {"type": "integer", "minimum": 1},
                    "description": TEXT,
                    "values": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["key", "name"],
                            "properties": {"key": TEXT, "name": TEXT},
                            "additionalProperties": False,
                        },
                    },
                },
            },
        },
    },
}
REQUESTS_SCHEMA = {
    "type": "array",
    "maxItems": 1000,
    "items": {
        "type": "object",
        "required": SPEC_REQUEST_FIELDS,
        "properties": {
            "service_request_id": {"type": "string", "minLength": 1},
            "status": {"enum": ["open", "closed"]},
            "status_notes": TEXT_OR_NULL,
            "service_name": TEXT,
            "service_code": TEXT,
            "description": {"type": ["string", "null"], "maxLength": 4000},
            "agency_responsible": TEXT_OR_NULL,
            "service_notice": TEXT_OR_NULL,
            "requested_datetime": {"type": "string", "pattern": W3C},
            "updated_datetime": W3C_OR_NULL,
            "expected_datetime": W3C_OR_NULL,
            "address": TEXT_OR_NULL,
            "address_id": TEXT_OR_NULL,
            "zipcode": TEXT_OR_NULL,
            "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
            "long": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
            "media_url": {"anyOf": [{"type": "string", "pattern": "^https?://"}, {"type": "null"}]},
            "extended_attributes": {"type": "object"},
        },
        "additionalProperties": False,
    },
}
CREATED_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "anyOf": [{"required": ["service_request_id"]}, {"required": ["token"]}],
        "properties": {"service_request_id": TEXT, "token": TEXT, "service_notice": TEXT_OR_NULL, "account_id": {}},
    },
}
ERRORS_SCHEMA = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": TEXT},
        "additionalProperties": False,
    },
}
UPDATES_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["update_id", "service_request_id", "status", "updated_datetime", "description", "media_url"],
        "properties": {
            "update_id": {"type": "string", "minLength": 1},
            "service_request_id": {"type": "string", "minLength": 1},
            "status": {
                "enum": [
                    "open",
                    "investigating",
                    "in_progress",
                    "action_scheduled",
                    "closed",
                    "fixed",
                    "duplicate",
                    "not_councils_responsibility",
                    "no_further_action",
                    "internal_referral",
                ]
            },
            "updated_datetime": {"type": "string", "pattern": W3C},
            "description": TEXT_OR_NULL,
            "media_url": TEXT_OR_NULL,
            "external_status_code": TEXT_OR_NULL,
        },
        "additionalProperties": False,
    },
}
