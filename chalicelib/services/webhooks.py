"""Results back to partners: a webhook per subscribed ticket event, from the events stream, through
a Directory outbox (`HOOK#…`) with retries and exponential backoff; every attempt is logged.

Flow: the stream handler calls `on_event` for each new TicketEvents item → a pending delivery is
queued once per event (idempotent on the event id) and tried at once → failures are due again
after 30 s, 1, 2, 5, 10, 20, 30 min, then hourly, for up to 48 attempts (≈ 2 days): a partner down
for an hour loses nothing. The schedule handler calls `retry_due` every minute.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from chalicelib.domain import access, signing
from chalicelib.domain.errors import NotFound, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.integrations import webhook_client
from chalicelib.services import partners
from chalicelib.storage.partners import hook_key
from chalicelib.storage.serialize import iso, ticket_from_doc

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

BACKOFF_S = (30, 60, 120, 300, 600, 1200, 1800, 3600)
MAX_ATTEMPTS = 48
LEASE_S = 120
KEEP_ATTEMPTS = 50


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures."""
    return timedelta(seconds=BACKOFF_S[min(attempts, len(BACKOFF_S)) - 1] if attempts else 0)


def subscribed(partner: Mapping[str, Any], event_type: str) -> bool:
    """Whether the partner wants this event (default: submitted only)."""
    events = partner.get("webhook_events") or list(partners.DEFAULT_HOOK_EVENTS)
    return "*" in events or event_type in events


def on_event(deps: Adapters, event: Mapping[str, Any], now: datetime) -> bool:
    """Queue (and try at once) a delivery for a new ticket event, if its source partner subscribed."""
    raw = event.get("snapshot") or {}
    snapshot = json.loads(raw) if isinstance(raw, str) else dict(raw)
    partner_id = str(snapshot.get("source") or "")
    if not partners.PARTNER_ID.fullmatch(partner_id):
        return False
    partner = deps.contexts.partners(deps.partners.list_partners).get(partner_id)
    if partner is None or not partner.get("webhook_url") or not subscribed(partner, str(event.get("type"))):
        return False
    ticket = ticket_from_doc(snapshot)
    payload = {
        "event_id": event["event_id"],
        "type": event["type"],
        "at": event["at"],
        "number": ticket.external_id,
        "ticket": partners.partner_view(deps, ticket),
    }
    delivery = {
        "event_id": event["event_id"],
        "event_at": event["at"],
        "type": event["type"],
        "partner_id": partner_id,
        "number": ticket.external_id,
        "ticket_id": ticket.ticket_id,
        "payload": json.dumps(payload, ensure_ascii=False, sort_keys=True),
        "status": "pending",
        "attempts": [],
        "attempt_count": 0,
        "created_at": iso(now),
        "next_attempt_at": iso(now),
    }
    if not deps.partners.add_delivery(partner_id, delivery, iso(now) or ""):
        return False  # already queued by an earlier delivery of this stream record
    sk = hook_key(delivery["event_at"], delivery["event_id"])
    attempt(deps, partner_id, sk, f"{iso(now)}#{partner_id}#{sk}", now)
    return True


def _signing_key(deps: Adapters, partner_id: str, now: datetime) -> tuple[str, str] | None:
    usable = [k for k in deps.partners.partner_keys(partner_id) if partners.key_usable(k, now)]
    if not usable:
        return None
    key_id = str(usable[-1]["key_id"])  # the newest key: after a rotation partners verify with the new secret
    secret = deps.partners.key_secret(key_id)
    return (key_id, secret) if secret else None


def attempt(deps: Adapters, partner_id: str, sk: str, marker: str, now: datetime) -> str | None:
    """One delivery attempt (after claiming it); returns the delivery status, None if someone else had it."""
    if not deps.partners.claim_delivery(partner_id, sk, marker, iso(now + timedelta(seconds=LEASE_S)) or ""):
        return None
    found = deps.partners.get_delivery(partner_id, sk)
    if found is None:
        return None
    delivery = found[0]
    partner = deps.partners.get_partner(partner_id) or {}
    url = partner.get("webhook_url")
    key = _signing_key(deps, partner_id, now)
    body = str(delivery["payload"]).encode()
    n = int(delivery.get("attempt_count", 0)) + 1
    if not url or key is None:
        outcome = webhook_client.Outcome(False, None, "合作方未配置 webhook_url 或无可用密钥", 0, "")
    else:
        parts = urlsplit(url)
        headers = signing.headers_for(
            key[1],
            key[0],
            "POST",
            parts.path or "/",
            parse_qsl(parts.query),
            int(now.timestamp()),
            secrets.token_hex(16),
            body,
        )
        headers.update(
            {
                "X-Hotline-Event-Id": delivery["event_id"],
                "X-Hotline-Event-Type": delivery["type"],
                "X-Hotline-Delivery-Attempt": str(n),
            }
        )
        outcome = webhook_client.post(url, body, headers, allow_loopback=deps.settings.is_local)  # SSRF guard
    log = {
        "n": n,
        "at": iso(now),
        "url": url,
        "status_code": outcome.status,
        "ok": outcome.ok,
        "error": outcome.error,
        "duration_ms": outcome.duration_ms,
        "response": outcome.response[:200],
    }
    delivery["attempts"] = (list(delivery.get("attempts") or []) + [log])[-KEEP_ATTEMPTS:]
    delivery["attempt_count"] = n
    delivery["last_attempt_at"] = iso(now)
    next_at: str | None = None
    if outcome.ok:
        delivery.update(status="delivered", delivered_at=iso(now), next_attempt_at=None)
    elif n >= MAX_ATTEMPTS:
        delivery.update(status="failed", next_attempt_at=None)
    else:
        next_at = iso(now + backoff(n))
        delivery.update(status="retrying", next_attempt_at=next_at)
    deps.partners.finish_attempt(partner_id, delivery, next_at)
    return str(delivery["status"])


def retry_due(deps: Adapters, now: datetime, limit: int = 100) -> dict[str, int]:
    """Try every delivery that is due (schedule handler); counts per resulting status."""
    counts: dict[str, int] = {}
    for partner_id, sk, marker in deps.partners.due_deliveries(iso(now) or "", limit):
        status = attempt(deps, partner_id, sk, marker, now) or "skipped"
        counts[status] = counts.get(status, 0) + 1
    return counts


def delivery_log(deps: Adapters, actor: Actor, partner_id: str, params: Mapping[str, str]) -> dict[str, Any]:
    """A partner's deliveries, newest first, with every attempt (admins only)."""
    access.ensure_role(actor, Role.ADMIN)
    if not partners.PARTNER_ID.fullmatch(partner_id) or deps.partners.get_partner(partner_id) is None:
        raise NotFound(f"合作方 {partner_id} 不存在", partner_id=partner_id)
    try:
        limit = int(params.get("limit") or 50)
    except ValueError as exc:
        raise ValidationError({"limit": "须为 1–200 的整数"}) from exc
    if not 1 <= limit <= 200:
        raise ValidationError({"limit": "须为 1–200 的整数"})
    before = params.get("before") or None
    items = deps.partners.deliveries(partner_id, limit, before[:200] if before else None)
    for item in items:
        item["payload"] = json.loads(item["payload"])
    return {"items": items, "next_before": items[-1]["id"] if len(items) == limit else None}
