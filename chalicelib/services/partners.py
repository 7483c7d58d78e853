"""Partner machines: credentials (admin), request authentication, rate limits, and the city
platform's use cases (push a ticket, read it, re-assign it, record the city audit).

A partner acts as `Actor(user_id="partner:{key_id}", role="partner")`; its tickets carry
source = partner id and external_id = the partner's number (R-12345 chapter 2).
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from chalicelib.domain import access, signing
from chalicelib.domain.errors import (
    BadRequest,
    Forbidden,
    InvalidTransition,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationError,
)
from chalicelib.domain.model import Actor, Role, Status, Ticket
from chalicelib.domain.open311 import STATUS_TEXT
from chalicelib.domain.signing import HOOK_EVENTS
from chalicelib.domain.windows import window
from chalicelib.integrations import webhook_client
from chalicelib.services import privacy
from chalicelib.services import tickets as ticket_service
from chalicelib.storage.serialize import iso
from chalicelib.storage.tickets import IdempotencyKey

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

MAX_BODY = 64 * 1024
PARTNER_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,31}")
NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
PUSH_FIELDS = frozenset(
    {
        "number",
        "hotline",
        "channel",
        "category",
        "title",
        "content",
        "location",
        "caller",
        "confidential",
        "wants_reply",
        "urgent",
        "city_limit_days",
        "city_due",
        "received_at",
        "entity",  # 12369 reports (R-12369-01)
        "demand",
        "anonymous",
    }
)
DEFAULT_HOOK_EVENTS = ("submitted",)
MAX_GRACE_HOURS = 168


@dataclass(frozen=True)
class PartnerRequest:
    """An authenticated partner request: who, and for which partner."""

    actor: Actor
    partner: dict[str, Any]

    @property
    def partner_id(self) -> str:
        """The partner (ticket source)."""
        return str(self.partner["partner_id"])


# ---------------------------------------------------------------- admin: partners and keys


def _check_name(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, str) and 1 <= len(value.strip()) <= 100
    return (value.strip() if ok else None), (None if ok else "必填，1–100 个字符")


def _check_url(value: Any, *, local: bool) -> tuple[Any, str | None]:
    if value in (None, ""):
        return None, None
    if not isinstance(value, str):
        return None, "须为 URL"
    return value, webhook_url_problem(value, local=local)


def _check_events(value: Any) -> tuple[Any, str | None]:
    ok = (
        isinstance(value, list)
        and all(isinstance(e, str) for e in value)
        and (value == ["*"] or set(value) <= HOOK_EVENTS)
    )
    problem = '须为事件类型列表（或 ["*"]）：' + ", ".join(sorted(HOOK_EVENTS))
    return (sorted(set(value)) if ok else None), (None if ok else problem)


def _check_rate(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 10000
    return value, (None if ok else "须为 1–10000 的整数")


def _check_partner_id(value: Any) -> tuple[Any, str | None]:
    ok = isinstance(value, str) and bool(PARTNER_ID.fullmatch(value))
    return value, (None if ok else "须为 2–32 位小写字母、数字或连字符")


CHECKS: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
    "partner_id": _check_partner_id,
    "name": _check_name,
    "webhook_events": _check_events,
    "rate_per_minute": _check_rate,
}


def _validate_settings(body: Mapping[str, Any], *, creating: bool, local: bool) -> dict[str, Any]:
    checks: dict[str, Callable[[Any], tuple[Any, str | None]]] = {
        **CHECKS,
        "webhook_url": functools.partial(_check_url, local=local),
    }
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    allowed = set(checks) if creating else set(checks) - {"partner_id"}
    for extra in sorted(set(body) - allowed):
        errors[extra] = "未知字段"
    required = {"partner_id", "name"} if creating else set()
    for name in sorted(allowed & (set(body) | required)):
        value, problem = checks[name](body.get(name))
        if problem:
            errors[name] = problem
        else:
            out[name] = value
    if errors:
        raise ValidationError(errors)
    return out


def webhook_url_problem(url: str, *, local: bool) -> str | None:
    """Why a webhook URL is not acceptable: https only (plain http to localhost on local stages), and never
    a host resolving to a loopback, private or link-local address (SSRF; local stages may use loopback)."""
    if len(url) > 500:
        return "不能超过 500 个字符"
    parts = urlsplit(url)
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "端口无效"
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost") and local:
        return None
    if parts.scheme != "https" or not parts.hostname:
        return "须为 https:// 地址"
    return webhook_client.host_problem(parts.hostname, port, allow_loopback=local)


def _new_key(deps: Adapters, partner_id: str, now: datetime) -> dict[str, Any]:
    key_id = "hk_" + secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    api_key = "o311_" + secrets.token_urlsafe(24)
    key = {
        "key_id": key_id,
        "partner_id": partner_id,
        "status": "active",
        "created_at": iso(now),
        "expires_at": None,
        "revoked_at": None,
    }
    deps.partners.put_key(key, secret, api_key_hash(api_key))
    return dict(key, secret=secret, api_key=api_key)


def api_key_hash(api_key: str) -> str:
    """SHA-256 of an Open311 api_key (only the hash is stored)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def create_partner(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Register a partner and issue its first key; the secret and api_key are shown only here."""
    access.ensure_role(actor, Role.ADMIN)
    settings = _validate_settings(body, creating=True, local=deps.settings.is_local)
    partner = {
        "webhook_url": None,
        "webhook_events": list(DEFAULT_HOOK_EVENTS),
        "rate_per_minute": None,
        **settings,
        "created_at": iso(now),
        "updated_at": iso(now),
        "created_by": actor.user_id,
    }
    deps.partners.create_partner(partner)
    deps.contexts.invalidate()  # the stream consumers of this process see the new partner at once
    key = _new_key(deps, partner["partner_id"], now)
    privacy.log_change(deps, "partner_created", actor, now, target=partner["partner_id"], after=partner)
    privacy.log_change(deps, "partner_key_issued", actor, now, target=partner["partner_id"], after=key)
    return dict(partner, keys=[key])


def update_partner(
    deps: Adapters, actor: Actor, partner_id: str, body: Mapping[str, Any], now: datetime
) -> dict[str, Any]:
    """Change name, webhook or rate limit."""
    access.ensure_role(actor, Role.ADMIN)
    partner = _partner(deps, partner_id)
    before = dict(partner)
    partner.update(_validate_settings(body, creating=False, local=deps.settings.is_local), updated_at=iso(now))
    deps.partners.save_partner(partner)
    deps.contexts.invalidate()
    privacy.log_change(deps, "partner_updated", actor, now, target=partner_id, before=before, after=partner)
    return dict(partner, keys=deps.partners.partner_keys(partner_id))


def _partner(deps: Adapters, partner_id: str) -> dict[str, Any]:
    partner = deps.partners.get_partner(partner_id) if PARTNER_ID.fullmatch(partner_id) else None
    if partner is None:
        raise NotFound(f"合作方 {partner_id} 不存在", partner_id=partner_id)
    return partner


def get_partner(deps: Adapters, actor: Actor, partner_id: str) -> dict[str, Any]:
    """A partner with its keys (never secrets)."""
    access.ensure_role(actor, Role.ADMIN)
    return dict(_partner(deps, partner_id), keys=deps.partners.partner_keys(partner_id))


def list_partners(deps: Adapters, actor: Actor) -> list[dict[str, Any]]:
    """Every partner."""
    access.ensure_role(actor, Role.ADMIN)
    return deps.partners.list_partners()


def rotate_key(deps: Adapters, actor: Actor, partner_id: str, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """Issue a new key; the partner's other active keys keep working for `grace_hours` (default 24)."""
    access.ensure_role(actor, Role.ADMIN)
    _partner(deps, partner_id)
    grace = body.get("grace_hours", 24)
    if not isinstance(grace, int) or isinstance(grace, bool) or not 0 <= grace <= MAX_GRACE_HOURS:
        raise ValidationError({"grace_hours": f"须为 0–{MAX_GRACE_HOURS} 的整数"})
    until = iso(now + timedelta(hours=grace))
    for key in deps.partners.partner_keys(partner_id):
        if key["status"] == "active" and (key.get("expires_at") is None or key["expires_at"] > (until or "")):
            deps.partners.save_key(dict(key, expires_at=until))
    issued = _new_key(deps, partner_id, now)
    privacy.log_change(deps, "partner_key_issued", actor, now, target=partner_id, after=dict(issued, grace_hours=grace))
    return issued


def revoke_key(deps: Adapters, actor: Actor, partner_id: str, key_id: str, now: datetime) -> dict[str, Any]:
    """Revoke a key at once."""
    access.ensure_role(actor, Role.ADMIN)
    key = deps.partners.get_key(key_id) if signing._KEY_ID.fullmatch(key_id) else None
    if key is None or key["partner_id"] != partner_id:
        raise NotFound(f"密钥 {key_id} 不存在", key_id=key_id)
    before = dict(key)
    key.update(status="revoked", revoked_at=iso(now))
    deps.partners.save_key(key)
    privacy.log_change(deps, "partner_key_revoked", actor, now, target=partner_id, before=before, after=key)
    return key


def key_usable(key: Mapping[str, Any], now: datetime) -> bool:
    """Active and not past its rotation grace period."""
    return key.get("status") == "active" and (not key.get("expires_at") or key["expires_at"] > (iso(now) or ""))


# ---------------------------------------------------------------- authentication and limits


def authenticate(
    deps: Adapters,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
) -> PartnerRequest:
    """Verify a signed partner request (signature, ±5 min clock, unused nonce), then count it."""
    if len(body) > MAX_BODY:
        raise BadRequest(f"请求体不能超过 {MAX_BODY} 字节")
    signed = signing.signed_headers(headers)
    now_ts = int(now.timestamp())
    signing.check_clock(signed.timestamp, now_ts)
    key = deps.partners.get_key(signed.key_id)
    if key is None or not key_usable(key, now):
        raise Unauthenticated("密钥无效或已停用")
    secret = deps.partners.key_secret(signed.key_id) or ""
    signing.verify([secret], signed, method, path, query, body)
    if not deps.partners.use_nonce(signed.key_id, signed.nonce, now_ts, signing.NONCE_TTL_S):
        raise Unauthenticated("nonce 已使用（疑似重放请求）")
    return _caller(deps, key, now)


def authenticate_api_key(deps: Adapters, api_key: str, now: datetime) -> PartnerRequest:
    """Open311 api_key → partner; Forbidden when unknown or no longer usable."""
    key_id = deps.partners.key_for_api_key(api_key_hash(api_key)) if 0 < len(api_key) <= 200 else None
    key = deps.partners.get_key(key_id) if key_id else None
    if key is None or not key_usable(key, now):
        raise Forbidden("api_key 无效")
    return _caller(deps, key, now)


def _caller(deps: Adapters, key: Mapping[str, Any], now: datetime) -> PartnerRequest:
    partner = deps.partners.get_partner(str(key["partner_id"]))
    if partner is None:
        raise Unauthenticated("密钥无效或已停用")
    limit = partner.get("rate_per_minute") or deps.settings.partner_rate_per_minute
    throttle(deps, f"partner:{partner['partner_id']}", int(limit), now)
    actor = Actor(user_id=f"partner:{key['key_id']}", role=Role.PARTNER, name=str(partner.get("name") or ""))
    return PartnerRequest(actor, partner)


def throttle(deps: Adapters, scope: str, limit: int, now: datetime, window_s: int = 60) -> None:
    """Fixed-window limit: 429 with `retry_after` once `limit` requests were made in this window."""
    start, ts = window(now, window_s)
    n = deps.partners.hit(scope, f"{window_s}#{start}", start + window_s + 60)
    if n > limit:
        raise RateLimited(
            "请求过于频繁，请稍后重试", limit=limit, window_seconds=window_s, retry_after=start + window_s - ts
        )


# ---------------------------------------------------------------- city platform use cases


def _number(number: str) -> str:
    if not NUMBER.fullmatch(number):
        raise NotFound(f"工单 {number} 不存在", number=number)
    return number


def push_ticket(deps: Adapters, caller: PartnerRequest, body: Mapping[str, Any], now: datetime) -> tuple[Ticket, bool]:
    """Create from a partner push; idempotent on (partner, number): same payload → same ticket."""
    unknown = sorted(set(body) - PUSH_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "未知字段"))
    number = body.get("number")
    if not isinstance(number, str) or not NUMBER.fullmatch(number):
        raise ValidationError({"number": "必填：合作方工单编号，1–64 位字母、数字或 _.:-"})
    payload = {k: v for k, v in body.items() if k != "number"}
    payload.update(external_id=number, source=caller.partner_id)
    payload.setdefault("channel", "city")
    return ticket_service.create_ticket(deps, caller.actor, payload, now)


def ticket_by_number(deps: Adapters, caller: PartnerRequest, number: str) -> Ticket:
    """The partner's own ticket by its number (another partner's number is 404)."""
    found = deps.tickets.find_idempotent(IdempotencyKey(caller.partner_id, _number(number), ""))
    if found is None:
        raise NotFound(f"工单 {number} 不存在", number=number)
    return deps.tickets.get(found[0])


def reassign(deps: Adapters, caller: PartnerRequest, number: str, body: Mapping[str, Any], now: datetime) -> Ticket:
    """重新交办 (R-12345-09): back to handling, first dispatcher, 3 working days (or the city's due)."""
    ticket = ticket_by_number(deps, caller, number)
    args = {k: body[k] for k in ("reason", "city_due") if k in body}
    return ticket_service.act(deps, caller.actor, ticket.ticket_id, "reassign", args, now)


def audit(deps: Adapters, caller: PartnerRequest, number: str, body: Mapping[str, Any], now: datetime) -> Ticket:
    """City audit result: accepted → closed; rejected → back to review (reviewed). Retry-safe for accepted."""
    ticket = ticket_by_number(deps, caller, number)
    result = body.get("result")
    if result not in ("accepted", "rejected"):
        raise ValidationError({"result": "须为 accepted 或 rejected"})
    if result == "accepted":
        if ticket.status == Status.CLOSED:
            return ticket
        return ticket_service.act(deps, caller.actor, ticket.ticket_id, "close", {"note": body.get("note")}, now)
    if ticket.status != Status.SUBMITTED:
        raise InvalidTransition("工单未处于“已提交市平台审核”状态", status=str(ticket.status))
    return ticket_service.act(deps, caller.actor, ticket.ticket_id, "city-reject", {"reason": body.get("reason")}, now)


# ---------------------------------------------------------------- views


def unit_names(deps: Adapters) -> dict[str, str]:
    """Unit id → name (one small Query)."""
    return {uid: str(u.get("name") or uid) for uid, u in deps.directory.units().items()}


def result_of(ticket: Ticket) -> dict[str, Any] | None:
    """The handling result the city audits: the reviewed reply, once submitted.

    A 12369 report's result is its signed four-part report (R-12369-06), once signed off.
    """
    env = ticket.env or {}
    if ticket.hotline == "12369":
        if not env.get("signoff"):
            return None
        result = env.get("result") or {}
        return {
            "sections": dict(result.get("sections") or {}),
            "replied_at": result.get("at"),
            "signed_at": env["signoff"].get("at"),
            "satisfaction": None,
        }
    if ticket.status not in (Status.SUBMITTED, Status.CLOSED) or not ticket.reply:
        return None
    return {
        "sections": dict(ticket.reply.get("sections") or {}),
        "replied_at": ticket.reply.get("at"),
        "satisfaction": (ticket.callback or {}).get("satisfaction"),
    }


def partner_view(deps: Adapters, ticket: Ticket, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """What a partner sees of its ticket: status, deadlines, unit and result; no caller data."""
    names = unit_names(deps) if names is None else names
    unit = {"id": ticket.unit_id, "name": names.get(ticket.unit_id, ticket.unit_id)} if ticket.unit_id else None
    return {
        "number": ticket.external_id,
        "ticket_id": ticket.ticket_id,
        "status": str(ticket.status),
        "status_text": STATUS_TEXT.get(ticket.status, str(ticket.status)),
        "hotline": ticket.hotline,
        "category": ticket.category,
        "title": ticket.title,
        "received_at": iso(ticket.received_at),
        "dispatch_due": iso(ticket.dispatch_due),
        "handle_due": iso(ticket.handle_due),
        "handling_unit": unit,
        "submitted_at": iso(ticket.submitted_at),
        "closed_at": iso(ticket.closed_at),
        "reassign_count": ticket.reassign_count,
        "result": result_of(ticket),
        "updated_at": iso(ticket.updated_at),
    }
