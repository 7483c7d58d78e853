"""Partner storage in the Directory table (Query/Get only): partners, keys, nonces, rate windows,
webhook outbox, citizen lookup codes and the Open311 request index.

Items (pk / sk):
  PARTNER#ID / {partner_id}                    partner settings (name, webhook, rate limit)
  PARTNER#KEY / {key_id}                        a key: partner, KMS-encrypted secret, api_key hash, status
                                                 (gsi1 PARTNER#KEYS#{partner_id} / {created_at}#{key_id})
  PARTNER#APIKEY / sha256(api_key)              Open311 api_key → key id
  NONCE#{key_id} / {nonce}                      a used nonce (TTL)
  RATE#{scope} / {window}                       fixed-window request counter `n` (TTL)
  HOOK#{partner_id} / {event_at}#{event_id}     one webhook delivery and its attempt log
                                                 (gsi1 HOOK#DUE / {next_at}#… while it still has to be sent)
  LOOKUP#{ticket_id} / CODE                     hash of the citizen's verification code
  PARTNER#O311#{yyyy-mm} / {received_at}#{id}   Open311 request index (month partitions, newest last)
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import DoesNotExist, PutError, UpdateError

from chalicelib.config import get_settings
from chalicelib.domain.errors import Conflict
from chalicelib.integrations import aws
from chalicelib.storage.models import DirectoryModel

PARTNER = "PARTNER#ID"
KEY = "PARTNER#KEY"
APIKEY = "PARTNER#APIKEY"
HOOK_DUE = "HOOK#DUE"
O311 = "PARTNER#O311#"


def _lost_condition(exc: Exception) -> bool:
    """True when a write failed on its condition (anything else is a real error and propagates)."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


def _data(item: DirectoryModel) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(item.data)
    return data


def _get(pk: str, sk: str) -> DirectoryModel | None:
    try:
        return DirectoryModel.get(pk, sk, consistent_read=True)
    except DoesNotExist:
        return None


def _dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


@lru_cache(maxsize=1)
def secret_box() -> Any:
    """KMS envelope for partner secrets (its own encryption context, not the personal-data one)."""
    from chalicelib.integrations.crypto import Envelope

    return Envelope(aws.client("kms"), get_settings().kms_key_id, {"purpose": "partner-secret"})


# ---------------------------------------------------------------- partners and keys


def get_partner(partner_id: str) -> dict[str, Any] | None:
    """Partner settings, or None."""
    item = _get(PARTNER, partner_id)
    return _data(item) if item else None


def create_partner(partner: dict[str, Any]) -> None:
    """A new partner; 409 when the id is taken."""
    try:
        DirectoryModel(PARTNER, partner["partner_id"], data=_dump(partner)).save(
            condition=DirectoryModel.sk.does_not_exist()
        )
    except PutError as exc:
        if not _lost_condition(exc):
            raise
        raise Conflict(f"合作方 {partner['partner_id']} 已存在", partner_id=partner["partner_id"]) from exc


def save_partner(partner: dict[str, Any]) -> None:
    """Replace a partner's settings."""
    DirectoryModel(PARTNER, partner["partner_id"], data=_dump(partner)).save()


def list_partners() -> list[dict[str, Any]]:
    """All partners (a handful of machines: one small partition)."""
    return [_data(i) for i in DirectoryModel.query(PARTNER)]


def put_key(key: dict[str, Any], secret: str, api_key_hash: str) -> None:
    """Store a key (secret encrypted under KMS) and its Open311 api_key hash."""
    record = dict(key, secret_enc=secret_box().encrypt({"secret": secret}), api_key_hash=api_key_hash)
    DirectoryModel(
        KEY, key["key_id"], data=_dump(record),
        gsi1pk=f"PARTNER#KEYS#{key['partner_id']}", gsi1sk=f"{key['created_at']}#{key['key_id']}",
    ).save(condition=DirectoryModel.sk.does_not_exist())
    DirectoryModel(APIKEY, api_key_hash, data=_dump({"key_id": key["key_id"]})).save()


def get_key(key_id: str) -> dict[str, Any] | None:
    """A key record without its secret, or None."""
    item = _get(KEY, key_id)
    if item is None:
        return None
    return {k: v for k, v in _data(item).items() if k != "secret_enc"}


def key_secret(key_id: str) -> str | None:
    """The decrypted secret of a key (cached in-process by the envelope's data-key cache)."""
    item = _get(KEY, key_id)
    if item is None:
        return None
    return str(secret_box().decrypt(_data(item)["secret_enc"])["secret"])


def save_key(key: dict[str, Any]) -> None:
    """Update a key's status fields (the secret and hashes are kept)."""
    item = _get(KEY, key["key_id"])
    if item is None:
        return
    record = dict(_data(item), **{k: v for k, v in key.items() if k not in ("secret_enc", "api_key_hash")})
    item.data = _dump(record)
    item.save()


def partner_keys(partner_id: str) -> list[dict[str, Any]]:
    """A partner's keys, oldest first, without secrets."""
    items = DirectoryModel.gsi1.query(f"PARTNER#KEYS#{partner_id}")
    keys = []
    for i in items:
        fresh = get_key(i.sk)  # the index is eventually consistent: read the item itself
        if fresh is not None:
            keys.append(fresh)
    return keys


def key_for_api_key(api_key_hash: str) -> str | None:
    """The key id an Open311 api_key (by hash) belongs to."""
    item = _get(APIKEY, api_key_hash)
    return str(_data(item)["key_id"]) if item else None


# ---------------------------------------------------------------- nonces and rate windows


def use_nonce(key_id: str, nonce: str, now_ts: int, ttl_s: int) -> bool:
    """Record a nonce; False when it was seen before (a replay) and has not expired."""
    existing = _get(f"NONCE#{key_id}", nonce)
    if existing is not None and (existing.expires_at or 0) > now_ts:
        return False
    try:
        condition = DirectoryModel.sk.does_not_exist() | (DirectoryModel.expires_at <= now_ts)
        DirectoryModel(f"NONCE#{key_id}", nonce, data="{}", expires_at=now_ts + ttl_s).save(condition=condition)
    except PutError as exc:
        if not _lost_condition(exc):
            raise
        return False
    return True


def hit(scope: str, window: str, expires_at: int) -> int:
    """Count one request in a fixed window; returns the count including this one (atomic ADD)."""
    resp = aws.client("dynamodb").update_item(
        TableName=get_settings().directory_table,
        Key={"pk": {"S": f"RATE#{scope}"}, "sk": {"S": window}},
        UpdateExpression="ADD n :one SET expires_at = :exp",
        ExpressionAttributeValues={":one": {"N": "1"}, ":exp": {"N": str(expires_at)}},
        ReturnValues="UPDATED_NEW",
    )
    return int(resp["Attributes"]["n"]["N"])


def count(scope: str, window: str) -> int:
    """The count of a fixed window (0 when none)."""
    resp = aws.client("dynamodb").get_item(
        TableName=get_settings().directory_table,
        Key={"pk": {"S": f"RATE#{scope}"}, "sk": {"S": window}},
        ConsistentRead=True,
    )
    return int(resp.get("Item", {}).get("n", {}).get("N", "0"))


# ---------------------------------------------------------------- webhook outbox


def hook_key(event_at: str, event_id: str) -> str:
    """Sort key of a delivery: event time then id (log reads newest first)."""
    return f"{event_at}#{event_id}"


def add_delivery(partner_id: str, delivery: dict[str, Any], next_at: str) -> bool:
    """Put a new pending delivery; False when this event was already queued (stream redelivery)."""
    sk = hook_key(delivery["event_at"], delivery["event_id"])
    try:
        DirectoryModel(
            f"HOOK#{partner_id}", sk, data=_dump(delivery),
            gsi1pk=HOOK_DUE, gsi1sk=f"{next_at}#{partner_id}#{sk}",
        ).save(condition=DirectoryModel.sk.does_not_exist())
    except PutError as exc:
        if not _lost_condition(exc):
            raise
        return False
    return True


def get_delivery(partner_id: str, sk: str) -> tuple[dict[str, Any], str | None] | None:
    """(delivery, its due marker or None when finished)."""
    item = _get(f"HOOK#{partner_id}", sk)
    return (_data(item), item.gsi1sk) if item else None


def claim_delivery(partner_id: str, sk: str, seen_marker: str, lease_until: str) -> bool:
    """Take a due delivery for one attempt (moves its due marker to the lease end); False if taken."""
    item = DirectoryModel(f"HOOK#{partner_id}", sk)
    try:
        item.update(
            actions=[DirectoryModel.gsi1sk.set(f"{lease_until}#{partner_id}#{sk}")],
            condition=DirectoryModel.gsi1sk == seen_marker,
        )
    except UpdateError as exc:
        if not _lost_condition(exc):
            raise
        return False
    return True


def finish_attempt(partner_id: str, delivery: dict[str, Any], next_at: str | None) -> None:
    """Store the delivery with its new attempt; due again at next_at, or out of the due index."""
    sk = hook_key(delivery["event_at"], delivery["event_id"])
    item = DirectoryModel(f"HOOK#{partner_id}", sk, data=_dump(delivery))
    if next_at is not None:
        item.gsi1pk, item.gsi1sk = HOOK_DUE, f"{next_at}#{partner_id}#{sk}"
    item.save()


def due_deliveries(until: str, limit: int = 100) -> list[tuple[str, str, str]]:
    """(partner_id, sk, marker) of deliveries due by `until`, oldest first."""
    out = []
    for i in DirectoryModel.gsi1.query(HOOK_DUE, DirectoryModel.gsi1sk <= until + "~", limit=limit):
        partner_id = i.pk.split("#", 1)[1]
        out.append((partner_id, i.sk, str(i.gsi1sk)))
    return out


def deliveries(partner_id: str, limit: int, before: str | None = None) -> list[dict[str, Any]]:
    """A partner's delivery log, newest first."""
    condition = DirectoryModel.sk < before if before else None
    items = DirectoryModel.query(f"HOOK#{partner_id}", condition, scan_index_forward=False, limit=limit)
    return [dict(_data(i), id=i.sk, pending=i.gsi1sk is not None) for i in items]


# ---------------------------------------------------------------- citizen lookup codes


def put_code(ticket_id: str, record: dict[str, Any]) -> None:
    """Store (replace) the hash of a ticket's verification code."""
    DirectoryModel(f"LOOKUP#{ticket_id}", "CODE", data=_dump(record)).save()


def get_code(ticket_id: str) -> dict[str, Any] | None:
    """The code record of a ticket, or None."""
    item = _get(f"LOOKUP#{ticket_id}", "CODE")
    return _data(item) if item else None


def put_notice(ticket_id: str, notice: dict[str, Any]) -> None:
    """Record how the code was (or is to be) delivered to the caller."""
    DirectoryModel(f"LOOKUP#{ticket_id}", "NOTICE", data=_dump(notice)).save()


def get_notice(ticket_id: str) -> dict[str, Any] | None:
    """The delivery record of a ticket's code."""
    item = _get(f"LOOKUP#{ticket_id}", "NOTICE")
    return _data(item) if item else None


# ---------------------------------------------------------------- Open311 request index


def index_open311(ticket_id: str, received_at: str, service_code: str, partner_id: str) -> None:
    """Index a request created through Open311 under its receipt month."""
    DirectoryModel(
        O311 + received_at[:7], f"{received_at}#{ticket_id}",
        data=_dump({"ticket_id": ticket_id, "service_code": service_code, "partner_id": partner_id}),
    ).save()


def open311_entry(ticket_id: str, received_at: str) -> dict[str, Any] | None:
    """The index entry of one request (None: the ticket did not come through Open311)."""
    item = _get(O311 + received_at[:7], f"{received_at}#{ticket_id}")
    return _data(item) if item else None


def open311_range(month: str, start: str, end: str, limit: int) -> list[dict[str, Any]]:
    """Index entries of one month with start <= received_at <= end, newest first."""
    condition = DirectoryModel.sk.between(start, end + "~")
    items = DirectoryModel.query(O311 + month, condition, scan_index_forward=False, limit=limit, page_size=limit)
    return [_data(i) for i in items]

