"""Open311 GeoReport v2: our services, ticket ↔ request fields, XML/JSON rendering. Pure.

Spec: http://wiki.open311.org/GeoReport_v2 . Extensions are only emitted under
`extended_attributes` when a client asks with `extensions=true` (docs/partner-api.md).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.documents.labels import table
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import BadRequest, NotFound
from chalicelib.domain.model import Status, Ticket
from chalicelib.domain.model import is_ticket_id as _is_ticket_id
from chalicelib.domain.pii import redact

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
MAX_RESULTS = 1000
MAX_RANGE = timedelta(days=90)
MAX_IDS = 100
MAX_DESCRIPTION = 4000  # characters of any script (the spec's limit)
FORMATS = ("json", "xml")

STATUS_TEXT: dict[str, str] = {
    Status.RECEIVED: "已受理，待派单",
    Status.DISPATCHED: "已派单，待承办单位签收",
    Status.HANDLING: "办理中",
    Status.RETURNED: "退单，重新派单中",
    Status.EXTENSION_REQUESTED: "办理中（申请延期）",
    Status.REPLIED: "已答复，审核中",
    Status.REVIEWED: "已审核，待回访",
    Status.CALLED_BACK: "已回访，待提交",
    Status.SUBMITTED: "已提交市平台审核",
    Status.CLOSED: "已办结",
    Status.ACCEPTED: "已受理，待转送",  # 12369 (R-12369-02/04)
    Status.AWAITING_SIGNOFF: "办理结果待领导签发",  # 12369 (R-12369-06)
    Status.MERGED: "同一事项已合并办理，办结后一并答复",  # R-12345-18 (never names the main ticket)
}
CATEGORY_TEXT = table("category")


@dataclass(frozen=True)
class Service:
    """One Open311 service: a hotline × category of ours."""

    code: str
    name: str
    description: str
    group: str
    keywords: str
    hotline: str
    category: str


SERVICES: tuple[Service, ...] = (
    Service("consult", "咨询", "政策、办事流程等咨询", "12345", "咨询,政策,办事", "12345", "consult"),
    Service("help", "求助", "生活中遇到困难需要帮助", "12345", "求助,帮助", "12345", "help"),
    Service("complaint", "投诉", "对单位、企业或个人的投诉", "12345", "投诉,噪音,物业,市场", "12345", "complaint"),
    Service("report", "举报", "违法违规行为举报", "12345", "举报,违法,违规", "12345", "report"),
    Service("suggestion", "建议", "对政府工作的意见和建议", "12345", "建议,意见", "12345", "suggestion"),
    Service("praise", "表扬", "对单位或工作人员的表扬", "12345", "表扬,感谢", "12345", "praise"),
    Service(
        "env-report",
        "环保举报",
        "环境污染举报（12369 环保热线）",
        "12369",
        "环保,污染,排污,噪声,12369",
        "12369",
        "report",
    ),
)
BY_CODE = {s.code: s for s in SERVICES}
SERVICE_OF = {(s.hotline, s.category): s for s in SERVICES}

BOOL_VALUES = [{"key": "true", "name": "是"}, {"key": "false", "name": "否"}]
ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {
        "variable": True,
        "code": "confidential",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true 或 false",
        "order": 1,
        "description": "是否保密件（不宜公开）",
        "values": BOOL_VALUES,
    },
    {
        "variable": True,
        "code": "wants_reply",
        "datatype": "singlevaluelist",
        "required": False,
        "datatype_description": "true 或 false",
        "order": 2,
        "description": "是否需要答复",
        "values": BOOL_VALUES,
    },
)

# R-12369-01: a report to the 12369 group (service `env-report`) names the reported entity and the demand.
ENV_ATTRIBUTES: tuple[dict[str, Any], ...] = (
    {
        "variable": True,
        "code": "entity_name",
        "datatype": "string",
        "required": True,
        "datatype_description": "200字以内",
        "order": 3,
        "description": "被举报单位或个人名称",
    },
    {
        "variable": True,
        "code": "entity_address",
        "datatype": "string",
        "required": False,
        "datatype_description": "300字以内",
        "order": 4,
        "description": "被举报对象地址",
    },
    {
        "variable": True,
        "code": "demand",
        "datatype": "text",
        "required": True,
        "datatype_description": "1000字以内",
        "order": 5,
        "description": "诉求目的（希望如何处理）",
    },
)


def attributes_of(svc: Service) -> tuple[dict[str, Any], ...]:
    """The attributes of one service: the common ones, plus the 12369 group's (R-12369-01)."""
    return ATTRIBUTES + (ENV_ATTRIBUTES if svc.hotline == "12369" else ())


REQUEST_FIELDS = (
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
)
EXTENSION_FIELDS = (
    "detailed_status",
    "detailed_status_text",
    "external_status_code",
    "hotline",
    "handling_unit_id",
    "handling_unit",
    "handle_due",
    "dispatch_due",
    "overdue",
)

_INVALID_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


EARLIEST_DATE = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_DATE = datetime(2100, 1, 1, tzinfo=UTC)


class Open311Error(BadRequest):
    """An error in the shape of the spec (400)."""


def service(code: str) -> Service:
    """The service of a code; 404 when unknown."""
    if code not in BY_CODE:
        raise NotFound(f"service_code {code} not found", service_code=code)
    return BY_CODE[code]


def services_list() -> list[dict[str, Any]]:
    """GET services: every service in spec field order."""
    return [
        {
            "service_code": s.code,
            "service_name": s.name,
            "description": s.description,
            "metadata": True,
            "type": "realtime",
            "keywords": s.keywords,
            "group": s.group,
            "groups": [s.group],  # FixMyStreet's extension: a service may sit in several groups
        }
        for s in SERVICES
    ]


def service_definition(code: str) -> dict[str, Any]:
    """GET services/{code}: the attributes a request of this service may carry."""
    svc = service(code)
    return {"service_code": svc.code, "attributes": [dict(a) for a in attributes_of(svc)]}


def split_format(name: str) -> tuple[str, str]:
    """`T20261126-00001.json` → (`T20261126-00001`, `json`); 404 for another extension."""
    stem, dot, fmt = name.rpartition(".")
    if not dot or fmt not in FORMATS or not stem:
        raise NotFound("unknown resource or format (use .json or .xml)")
    return stem, fmt


# ---------------------------------------------------------------- POST requests


def _one(form: Mapping[str, Sequence[str]], name: str, limit: int = 4000) -> str:
    values = form.get(name) or []
    if len(values) > 1:
        raise Open311Error(f"{name} given more than once")
    value = values[0].strip() if values else ""
    if len(value) > limit:
        raise Open311Error(f"{name} longer than {limit} characters")
    return value


def _coordinate(form: Mapping[str, Sequence[str]], name: str, bound: float) -> float | None:
    raw = _one(form, name, 32)
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError as exc:
        raise Open311Error(f"{name} must be a number") from exc
    if not math.isfinite(value) or not -bound <= value <= bound:
        raise Open311Error(f"{name} must be between -{bound:g} and {bound:g}")
    return value


def _attribute_flag(form: Mapping[str, Sequence[str]], name: str, default: bool) -> bool:
    raw = _one(form, f"attribute[{name}]", 8).lower()
    if not raw:
        return default
    if raw not in ("true", "false"):
        raise Open311Error(f"attribute[{name}] must be true or false")
    return raw == "true"


def request_payload(form: Mapping[str, Sequence[str]]) -> tuple[Service, dict[str, Any], dict[str, str]]:
    """Form fields of POST requests → (service, intake payload, what the index keeps: `media_url`,
    `address_id`). 400/404 as the spec shows; `description` is optional (up to 4,000 characters)."""
    code = _one(form, "service_code", 64)
    if not code:
        raise Open311Error("service_code missing")
    svc = service(code)
    lat, lng = _coordinate(form, "lat", 90), _coordinate(form, "long", 180)
    address = _one(form, "address_string", 300)
    address_id = _one(form, "address_id", 64)
    if (lat is None) != (lng is None):
        raise Open311Error("lat and long must be given together")
    if lat is None and not address and not address_id:
        raise Open311Error("a location is required: lat & long, address_string or address_id")
    description = _one(form, "description", MAX_DESCRIPTION)
    media_url = _one(form, "media_url", 500)
    if media_url and not re.fullmatch(r"https?://[^\s]+", media_url):
        raise Open311Error("media_url must be an http(s) URL")
    name = " ".join(p for p in (_one(form, "last_name", 50), _one(form, "first_name", 50)) if p)
    location: dict[str, Any] = {"address": address or (f"address_id:{address_id}" if address_id else "")}
    if lat is not None:
        location.update(lat=lat, lng=lng)
    text = description or f"（未填写描述，服务类型：{svc.name}）"
    attachment = f"\n附件：{media_url}" if media_url else ""
    content = text + attachment if len(text + attachment) <= MAX_DESCRIPTION else text  # the index keeps it too
    payload: dict[str, Any] = {
        "hotline": svc.hotline,
        "channel": "app",
        "category": svc.category,
        "title": (svc.name + "：" + " ".join(text.split()))[:60],
        "content": content,
        "location": location,
        "caller": {"name": name, "phone": _one(form, "phone", 32)},
        "confidential": _attribute_flag(form, "confidential", False),
        "wants_reply": _attribute_flag(form, "wants_reply", True),
    }
    if svc.hotline == "12369":  # R-12369-01: the entity and the demand are required
        entity_name, demand = _one(form, "attribute[entity_name]", 200), _one(form, "attribute[demand]", 1000)
        if not entity_name:
            raise Open311Error("attribute[entity_name] missing (被举报单位或个人名称)")
        if not demand:
            raise Open311Error("attribute[demand] missing (诉求目的)")
        entity = {"name": entity_name, "address": _one(form, "attribute[entity_address]", 300)}
        payload.update(entity=entity, demand=demand)
    return svc, payload, {"media_url": media_url, "address_id": address_id}


# ---------------------------------------------------------------- GET requests


@dataclass(frozen=True)
class RequestQuery:
    """Validated filters of GET requests."""

    ids: tuple[str, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()
    extensions: bool = False
    limit: int = MAX_RESULTS


def _w3c(raw: str, name: str) -> datetime:
    try:
        value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(f"{name} must be a W3C date-time, e.g. 2026-11-26T00:00:00+08:00") from exc
    if value.tzinfo is None:
        value = value.replace(tzinfo=SHANGHAI)
    if not EARLIEST_DATE <= value <= LATEST_DATE:  # year 1 or 9999: no request, and no window arithmetic
        raise Open311Error(f"{name} must be between 2000 and 2100")
    return value.astimezone(UTC)


Params = Mapping[str, "str | Sequence[str]"]


def values(params: Params, name: str) -> tuple[str, ...]:
    """Every value of a query parameter, repeated (`status=open&status=closed`) or comma-separated."""
    raw = params.get(name)
    given = [raw] if isinstance(raw, str) else list(raw or [])
    return tuple(dict.fromkeys(p.strip() for v in given for p in str(v).split(",") if p.strip()))


def value(params: Params, name: str) -> str:
    """The last value of a query parameter ("" when absent)."""
    found = params.get(name)
    if isinstance(found, str):
        return found
    return str(found[-1]) if found else ""


def request_query(params: Params, now: datetime) -> RequestQuery:
    """Filters of GET requests per spec; the default window is the last 90 days; 400 on bad input.

    A `start_date` in the future without `end_date` is a window with nothing in it yet (not an error)."""
    ids = values(params, "service_request_id")
    extensions = value(params, "extensions").lower() == "true"
    if ids:
        if len(ids) > MAX_IDS:
            raise Open311Error(f"at most {MAX_IDS} service_request_id values")
        return RequestQuery(ids=ids, extensions=extensions)
    statuses = tuple(s.lower() for s in values(params, "status"))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error("status must be open, closed or open,closed")
    limit = MAX_RESULTS
    if value(params, "max_requests"):
        if not value(params, "max_requests").isdigit() or not 1 <= int(value(params, "max_requests")) <= MAX_RESULTS:
            raise Open311Error(f"max_requests must be a whole number from 1 to {MAX_RESULTS}")
        limit = int(value(params, "max_requests"))
    end = _w3c(value(params, "end_date"), "end_date") if value(params, "end_date") else None
    start = _w3c(value(params, "start_date"), "start_date") if value(params, "start_date") else None
    if end is None:
        end = start + MAX_RANGE if start and start > now else min(now, start + MAX_RANGE) if start else now
    if start is None:
        start = end - MAX_RANGE
    if start > end:
        raise Open311Error("start_date must not be after end_date")
    if end - start > MAX_RANGE:
        raise Open311Error("start_date and end_date must be within 90 days of each other")
    return RequestQuery(
        service_codes=values(params, "service_code"),
        start=start,
        end=end,
        statuses=statuses or ("open", "closed"),
        extensions=extensions,
        limit=limit,
    )


def months_between(start: datetime, end: datetime) -> list[str]:
    """`YYYY-MM` partitions from end back to start (newest first)."""
    out: list[str] = []
    year, month = end.year, end.month
    while (year, month) >= (start.year, start.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


def is_ticket_id(value: str) -> bool:
    """Shape of our ticket numbers."""
    return _is_ticket_id(value)


def open_or_closed(ticket: Ticket) -> str:
    """Spec status: closed once the city accepted the result, open otherwise."""
    return "closed" if ticket.status == Status.CLOSED else "open"


def _w3c_out(value: datetime | None) -> str | None:
    return value.astimezone(SHANGHAI).isoformat() if value else None


@dataclass(frozen=True)
class Publication:
    """What GETs publish (R-12345-11): locations on a grid of `grid_m` metres (0: exact); descriptions
    only as a text staff approved for publication (`approved`), or `never`."""

    grid_m: int = 500
    descriptions: str = "approved"


METRES_PER_DEGREE = 111_320.0


def coarsen(lat: float, lng: float, grid_m: int) -> tuple[float, float]:
    """The centre of the `grid_m` × `grid_m` metre cell (on the WGS-84 sphere, east-west cells as wide
    as at the cell's latitude) that holds (lat, lng); unchanged when `grid_m` is 0."""
    if grid_m <= 0:
        return lat, lng
    step_lat = grid_m / METRES_PER_DEGREE
    centre_lat = (math.floor(lat / step_lat) + 0.5) * step_lat
    step_lng = grid_m / (METRES_PER_DEGREE * max(math.cos(math.radians(centre_lat)), 0.01))
    centre_lng = (math.floor(lng / step_lng) + 0.5) * step_lng
    return round(min(max(centre_lat, -90.0), 90.0), 6), round(min(max(centre_lng, -180.0), 180.0), 6)


def public_text(entry: Mapping[str, Any] | None, publication: Publication) -> str | None:
    """The description a GET shows: the approved public text (masked once more), or nothing."""
    if publication.descriptions == "never" or not entry or not entry.get("public_text"):
        return None
    return redact(str(entry["public_text"]))


def request_record(
    ticket: Ticket,
    unit_name: str | None,
    *,
    entry: Mapping[str, Any] | None = None,
    publication: Publication = Publication(),
    extensions: bool = False,
) -> dict[str, Any]:
    """A ticket as a GeoReport v2 service request, with nothing personal (R-12345-11): the caller fields
    are never read; the description only as staff approved it for publication; no address; the
    location coarsened to the publication grid; `address_id` and `media_url` only once staff approved
    the request for publication. Confidential tickets show neither description nor location."""
    svc = SERVICE_OF.get((ticket.hotline, ticket.category)) or BY_CODE.get(ticket.category) or SERVICES[0]
    loc = {} if ticket.confidential else ticket.location or {}
    approved = bool(entry and entry.get("public_text")) and not ticket.confidential
    lat, lng = loc.get("lat"), loc.get("lng")
    if isinstance(lat, int | float) and isinstance(lng, int | float):
        lat, lng = coarsen(float(lat), float(lng), publication.grid_m)
    else:
        lat = lng = None
    record: dict[str, Any] = {
        "service_request_id": ticket.ticket_id,
        "status": open_or_closed(ticket),
        "status_notes": STATUS_TEXT.get(ticket.status, ticket.status),
        "service_name": svc.name,
        "service_code": svc.code,
        "description": public_text(entry, publication) if approved else None,
        "agency_responsible": unit_name,
        "service_notice": "可凭工单编号和短信查询码在公众查询页面查看办理进度",
        "requested_datetime": _w3c_out(ticket.received_at),
        "updated_datetime": _w3c_out(ticket.updated_at or ticket.received_at),
        "expected_datetime": _w3c_out(ticket.handle_due),
        "address": None,
        "address_id": (entry or {}).get("address_id") or None if approved else None,
        "zipcode": None,
        "lat": lat,
        "long": lng,
        "media_url": (entry or {}).get("media_url") or None if approved and (entry or {}).get("public_media") else None,
    }
    if extensions:
        record["extended_attributes"] = {
            "detailed_status": str(ticket.status),
            "detailed_status_text": STATUS_TEXT.get(ticket.status, ticket.status),
            "external_status_code": str(ticket.status),
            "hotline": ticket.hotline,
            "handling_unit_id": ticket.unit_id,
            "handling_unit": unit_name,
            "handle_due": _w3c_out(ticket.handle_due),
            "dispatch_due": _w3c_out(ticket.dispatch_due),
            "overdue": "overdue" in ticket.flags,
        }
    return record


# ---------------------------------------------------------------- the updates feed (FixMyStreet)

UPDATE_STATUS: dict[str, str] = {  # FixMyStreet's update states (lower case, as its Open311 client reads them)
    Status.RECEIVED: "open",
    Status.DISPATCHED: "investigating",
    Status.RETURNED: "investigating",
    Status.HANDLING: "in_progress",
    Status.EXTENSION_REQUESTED: "in_progress",
    Status.REPLIED: "in_progress",
    Status.REVIEWED: "in_progress",
    Status.CALLED_BACK: "in_progress",
    Status.SUBMITTED: "in_progress",
    Status.CLOSED: "closed",
}
UPDATE_FIELDS = (
    "update_id",
    "service_request_id",
    "status",
    "updated_datetime",
    "description",
    "media_url",
    "external_status_code",
)


def update_record(event: Mapping[str, Any], ticket: Ticket) -> dict[str, Any]:
    """A status change of an Open311 request as the updates feed stores it: the status text we publish
    anyway, never a note (notes may name people)."""
    at = datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")).astimezone(UTC)
    status = str(event.get("to_status") or ticket.status)
    return {
        "update_id": str(event["event_id"]),
        "service_request_id": ticket.ticket_id,
        "status": UPDATE_STATUS.get(status, "open"),
        "updated_datetime": _w3c_out(at),
        "updated_datetime_utc": at.isoformat(),
        "description": STATUS_TEXT.get(status, ""),
        "media_url": None,
        "external_status_code": status,
    }


def public_update(stored: Mapping[str, Any]) -> dict[str, Any]:
    """One `request_update` in the spec's field order."""
    return {name: stored.get(name) for name in UPDATE_FIELDS}


def created_record(ticket: Ticket) -> dict[str, Any]:
    """The answer to POST requests."""
    return {
        "service_request_id": ticket.ticket_id,
        "service_notice": f"已受理，工单编号 {ticket.ticket_id}；查询码将以短信发送至您的手机",
        "account_id": None,
    }


def discovery(base_url: str, changeset: str) -> dict[str, Any]:
    """The discovery document."""
    return {
        "changeset": changeset,
        "contact": "三门县12345便民服务热线办公室，电话 12345",
        "key_service": "api_key 由热线办公室系统管理员发放（合作方登记）",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base_url,
                "changeset": changeset,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            },
        ],
    }


# ---------------------------------------------------------------- rendering


LIST_ITEM = {
    "service_requests": "request",
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "groups": "group",
    "service_request_updates": "request_update",
    "errors": "error",
}


def xml_text(value: Any) -> str:
    """Text for an XML element: booleans lowercase, None empty, invalid XML characters removed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _INVALID_XML.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, Mapping):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        for child in value:
            _fill(ET.SubElement(element, LIST_ITEM.get(element.tag, "item")), child)
    else:
        element.text = xml_text(value)


def to_xml(root: str, value: Any) -> str:
    """`<?xml …encoding="utf-8"?>` + the document; lists become repeated singular elements."""
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def error_list(status: int, message: str) -> list[dict[str, Any]]:
    """Spec error body: a list of {code, description}."""
    return [{"code": status, "description": xml_text(message)}]
