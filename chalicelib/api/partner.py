"""City platform API (/partner/v1/…): HMAC-signed requests from partner machines (docs/partner-api.md)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint, Response

from chalicelib.api.deps import adapters, json_body, now
from chalicelib.api.errors import route
from chalicelib.lazy import on_first_use

if TYPE_CHECKING:
    from chalicelib.services import partners as svc
    from chalicelib.services.partners import PartnerRequest
else:
    svc = on_first_use("chalicelib.services.partners")

bp = Blueprint(__name__)
_PARAM = re.compile(r"\{(\w+)\}")


def signed_request(blueprint: Blueprint) -> PartnerRequest:
    """Authenticate the current request (signature over the real path, query and raw body)."""
    req = blueprint.current_request
    params = req.uri_params or {}
    path = _PARAM.sub(lambda m: str(params.get(m.group(1), "")), req.path)
    qp: Any = req.query_params or {}
    pairs = [(k, v) for k in qp for v in (qp.getlist(k) if hasattr(qp, "getlist") else [qp[k]])]
    raw = req.raw_body or b""
    body = raw.encode() if isinstance(raw, str) else raw
    return svc.authenticate(adapters(), req.method, path, pairs, dict(req.headers or {}), body, now())


@route(bp, "/partner/v1/tickets", methods=["POST"])
def push_ticket() -> Response:
    """Push a ticket: 201 new, 200 the same push again, 409 the same number with another payload."""
    caller = signed_request(bp)
    ticket, created = svc.push_ticket(adapters(), caller, json_body(bp), now())
    return Response(svc.partner_view(adapters(), ticket), status_code=201 if created else 200)


@route(bp, "/partner/v1/tickets/{number}", methods=["GET"])
def get_ticket(number: str) -> dict[str, Any]:
    """Status and result of a ticket by the partner's number."""
    caller = signed_request(bp)
    return svc.partner_view(adapters(), svc.ticket_by_number(adapters(), caller, number))


@route(bp, "/partner/v1/tickets/{number}/reassign", methods=["POST"])
def reassign(number: str) -> dict[str, Any]:
    """重新交办 (R-12345-09): `{"reason", "city_due"?}`."""
    caller = signed_request(bp)
    return svc.partner_view(adapters(), svc.reassign(adapters(), caller, number, json_body(bp), now()))


@route(bp, "/partner/v1/tickets/{number}/audit", methods=["POST"])
def audit(number: str) -> dict[str, Any]:
    """City audit result: `{"result": "accepted"|"rejected", "reason"?, "note"?}`."""
    caller = signed_request(bp)
    return svc.partner_view(adapters(), svc.audit(adapters(), caller, number, json_body(bp), now()))
