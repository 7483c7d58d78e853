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
  LOOKUP#{ticket_id} / NOTICE                   how the code was delivered (sending → sent / no_mobile / failed)
  PARTNER#O311#{yyyy-mm} / {received_at}#{id}   Open311 request index (month partitions, newest last), copied
                                                 to …#S:{open|closed}, …#C:{service_code} and …#C:{code}#S:{status}
                                                 so that every filter of GET requests is one Query per partition
  PARTNER#O311U#{yyyy-mm} / {at}#{update_id}    Open311 request updates (servicerequestupdates), oldest first
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.errors import Conflict
from chalicelib.integrations.crypto import Cipher, aad
from chalicelib.storage.table import Absent, AbsentOrExpired, DirectoryTable, Equals, Item, KeyRange, Write

PARTNER = "PARTNER#ID"
KEY = "PARTNER#KEY"
APIKEY = "PARTNER#APIKEY"
HOOK_DUE = "HOOK#DUE"
O311 = "PARTNER#O311#"
O311_UPDATES = "PARTNER#O311U#"
O311_STATUSES = ("open", "closed")


def hook_key(event_at: str, event_id: str) -> str:
    """Sort key of a delivery: event time then id (log reads newest first)."""
    return f"{event_at}#{event_id}"


class PartnerStore:
    """Partners, keys, nonces, rate windows, the webhook outbox, lookup codes, the Open311 index."""

    def __init__(self, table: DirectoryTable, secret_box: Cipher) -> None:
        self.table = table
        self._box = secret_box

    def _data(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.table.get(pk, sk)
        return item.data if item else None

    # ------------------------------------------------------------ partners and keys

    def get_partner(self, partner_id: str) -> dict[str, Any] | None:
        """Partner settings, or None."""
        return self._data(PARTNER, partner_id)

    def create_partner(self, partner: dict[str, Any]) -> None:
        """A new partner; 409 when the id is taken."""
        if not self.table.put(Item(PARTNER, partner["partner_id"], partner), Absent()):
            raise Conflict(f"合作方 {partner['partner_id']} 已存在", partner_id=partner["partner_id"])

    def save_partner(self, partner: dict[str, Any]) -> None:
        """Replace a partner's settings."""
        self.table.put(Item(PARTNER, partner["partner_id"], partner))

    def list_partners(self) -> list[dict[str, Any]]:
        """All partners (a handful of machines: one small partition)."""
        return [i.data for i in self.table.items(PARTNER)]

    def put_key(self, key: dict[str, Any], secret: str, api_key_hash: str) -> None:
        """Store a key (secret encrypted under KMS) and its Open311 api_key hash."""
        record = dict(
            key, secret_enc=self._box.encrypt({"secret": secret}, _secret_aad(key["key_id"])), api_key_hash=api_key_hash
        )
        index_sk = f"{key['created_at']}#{key['key_id']}"
        self.table.put(Item(KEY, key["key_id"], record, f"PARTNER#KEYS#{key['partner_id']}", index_sk), Absent())
        self.table.put(Item(APIKEY, api_key_hash, {"key_id": key["key_id"]}))

    def get_key(self, key_id: str) -> dict[str, Any] | None:
        """A key record without its secret, or None."""
        data = self._data(KEY, key_id)
        return None if data is None else {k: v for k, v in data.items() if k != "secret_enc"}

    def key_secret(self, key_id: str) -> str | None:
        """The decrypted secret of a key (cached in-process by the envelope's data-key cache)."""
        data = self._data(KEY, key_id)
        return None if data is None else str(self._box.decrypt(data["secret_enc"], _secret_aad(key_id))["secret"])

    def save_key(self, key: dict[str, Any]) -> None:
        """Update a key's status fields (the secret and hashes are kept)."""
        item = self.table.get(KEY, key["key_id"])
        if item is None:
            return
        record = dict(item.data, **{k: v for k, v in key.items() if k not in ("secret_enc", "api_key_hash")})
        self.table.put(Item(KEY, item.sk, record, item.gsi1pk, item.gsi1sk))

    def partner_keys(self, partner_id: str) -> list[dict[str, Any]]:
        """A partner's keys, oldest first, without secrets."""
        keys = []
        for i in self.table.items(f"PARTNER#KEYS#{partner_id}", index=True):
            fresh = self.get_key(i.sk)  # the index is eventually consistent: read the item itself
            if fresh is not None:
                keys.append(fresh)
        return keys

    def key_for_api_key(self, api_key_hash: str) -> str | None:
        """The key id an Open311 api_key (by hash) belongs to."""
        data = self._data(APIKEY, api_key_hash)
        return str(data["key_id"]) if data else None

    # ------------------------------------------------------------ nonces and rate windows

    def use_nonce(self, key_id: str, nonce: str, now_ts: int, ttl_s: int) -> bool:
        """Record a nonce; False when it was seen before (a replay) and has not expired."""
        item = Item(f"NONCE#{key_id}", nonce, expires_at=now_ts + ttl_s)
        return self.table.put(item, AbsentOrExpired(now_ts))

    def hit(self, scope: str, window: str, expires_at: int) -> int:
        """Count one request in a fixed window; returns the count including this one (atomic ADD)."""
        return self.table.add(f"RATE#{scope}", window, 1, expires_at=expires_at) or 0

    def count(self, scope: str, window: str) -> int:
        """The count of a fixed window (0 when none)."""
        item = self.table.get(f"RATE#{scope}", window)
        return int(item.n or 0) if item else 0

    # ------------------------------------------------------------ webhook outbox

    def add_delivery(self, partner_id: str, delivery: dict[str, Any], next_at: str) -> bool:
        """Put a new pending delivery; False when this event was already queued (stream redelivery)."""
        sk = hook_key(delivery["event_at"], delivery["event_id"])
        item = Item(f"HOOK#{partner_id}", sk, delivery, HOOK_DUE, f"{next_at}#{partner_id}#{sk}")
        return self.table.put(item, Absent())

    def get_delivery(self, partner_id: str, sk: str) -> tuple[dict[str, Any], str | None] | None:
        """(delivery, its due marker or None when finished)."""
        item = self.table.get(f"HOOK#{partner_id}", sk)
        return (item.data, item.gsi1sk) if item else None

    def claim_delivery(self, partner_id: str, sk: str, seen_marker: str, lease_until: str) -> bool:
        """Take a due delivery for one attempt (moves its due marker to the lease end); False if taken."""
        return self.table.update(
            f"HOOK#{partner_id}", sk, gsi1sk=f"{lease_until}#{partner_id}#{sk}", cond=Equals("gsi1sk", seen_marker)
        )

    def finish_attempt(self, partner_id: str, delivery: dict[str, Any], next_at: str | None) -> None:
        """Store the delivery with its new attempt; due again at next_at, or out of the due index."""
        sk = hook_key(delivery["event_at"], delivery["event_id"])
        due = (HOOK_DUE, f"{next_at}#{partner_id}#{sk}") if next_at is not None else (None, None)
        self.table.put(Item(f"HOOK#{partner_id}", sk, delivery, *due))

    def due_deliveries(self, until: str, limit: int = 100) -> list[tuple[str, str, str]]:
        """(partner_id, sk, marker) of deliveries due by `until`, oldest first."""
        out = []
        for i in self.table.items(HOOK_DUE, KeyRange(high=until + "~"), index=True, limit=limit):
            out.append((i.pk.split("#", 1)[1], i.sk, str(i.gsi1sk)))
        return out

    def deliveries(self, partner_id: str, limit: int, before: str | None = None) -> list[dict[str, Any]]:
        """A partner's delivery log, newest first."""
        key = KeyRange(below=before) if before else None
        items = self.table.items(f"HOOK#{partner_id}", key, newest_first=True, limit=limit)
        return [dict(i.data, id=i.sk, pending=i.gsi1sk is not None) for i in items]

    # ------------------------------------------------------------ citizen lookup codes

    def put_code(self, ticket_id: str, record: dict[str, Any]) -> None:
        """Store (replace) the hash of a ticket's verification code."""
        self.table.put(Item(f"LOOKUP#{ticket_id}", "CODE", record))

    def get_code(self, ticket_id: str) -> dict[str, Any] | None:
        """The code record of a ticket, or None."""
        return self._data(f"LOOKUP#{ticket_id}", "CODE")

    def put_notice(self, ticket_id: str, notice: dict[str, Any]) -> None:
        """Record how the code was (or is to be) delivered to the caller."""
        self.table.put(Item(f"LOOKUP#{ticket_id}", "NOTICE", notice))

    def claim_notice(self, ticket_id: str, notice: dict[str, Any], previous: dict[str, Any] | None) -> bool:
        """Replace the code's delivery record only if it is still `previous` (None: absent); False if not."""
        cond = Absent() if previous is None else Equals("data", previous)
        return self.table.put(Item(f"LOOKUP#{ticket_id}", "NOTICE", notice), cond)

    def get_notice(self, ticket_id: str) -> dict[str, Any] | None:
        """The delivery record of a ticket's code."""
        return self._data(f"LOOKUP#{ticket_id}", "NOTICE")

    # ------------------------------------------------------------ Open311 request index

    def index_open311(self, entry: dict[str, Any]) -> None:
        """Index a request created through Open311 (`ticket_id`, `received_at`, `service_code`, `status` …)
        in the partitions of its month: all, by status, by service, by service and status — one transaction."""
        self.table.transact([(Item(pk, o311_sort_key(entry), entry), None) for pk in o311_partitions(entry)])

    def open311_entry(self, ticket_id: str, received_at: str) -> dict[str, Any] | None:
        """The index entry of one request (None: the ticket did not come through Open311)."""
        return self._data(O311 + received_at[:7], f"{received_at}#{ticket_id}")

    def update_open311(self, before: dict[str, Any], after: dict[str, Any]) -> None:
        """Rewrite an index entry: its copies in the partitions of its (new) status in one transaction,
        conditional on the stored entry still being `before` (a concurrent change is a Conflict), then the
        copies under the other status are deleted (a closed request leaves the `open` partitions). Run
        again with the same `after`, it deletes what an interrupted run left."""
        key = o311_sort_key(after)
        if before != after:
            new = o311_partitions(after)
            writes: list[Write] = [
                (Item(pk, key, after), Equals("data", before) if pk == new[0] else None) for pk in new
            ]
            if not self.table.transact(writes):
                raise Conflict("Open311 索引已被并发修改，请重试", ticket_id=str(before.get("ticket_id")))
        for status in O311_STATUSES:
            if status != after["status"]:
                for pk in o311_partitions({**after, "status": status})[1::2]:  # by status, by service and status
                    self.table.delete(pk, key)

    def open311_range(
        self, month: str, start: str, end: str, limit: int, *, service_code: str = "", status: str = ""
    ) -> list[dict[str, Any]]:
        """Index entries of one month's partition (all, or one service and/or status) with
        start <= received_at <= end, newest first, at most `limit`."""
        key = KeyRange(low=start, high=end + "~")
        pk = o311_partition(month, service_code, status)
        return [i.data for i in self.table.items(pk, key, newest_first=True, limit=limit)]

    # ------------------------------------------------------------ Open311 request updates (FixMyStreet)

    def add_open311_update(self, update: dict[str, Any]) -> bool:
        """Record one update of an Open311 request (`update_id`, `updated_datetime` …) once; False if known."""
        at = str(update["updated_datetime_utc"])
        item = Item(O311_UPDATES + at[:7], f"{at}#{update['update_id']}", update)
        return self.table.put(item, Absent())

    def open311_updates(self, month: str, start: str, end: str, limit: int) -> list[dict[str, Any]]:
        """Updates of one month with start <= time <= end, oldest first, at most `limit`."""
        key = KeyRange(low=start, high=end + "~")
        return [i.data for i in self.table.items(O311_UPDATES + month, key, limit=limit)]


def o311_partition(month: str, service_code: str = "", status: str = "") -> str:
    """`PARTNER#O311#{yyyy-mm}` [`#C:{service_code}`] [`#S:{open|closed}`]."""
    return O311 + month + (f"#C:{service_code}" if service_code else "") + (f"#S:{status}" if status else "")


def o311_partitions(entry: dict[str, Any]) -> list[str]:
    """The four partitions an index entry is copied to (the unfiltered one first)."""
    month, code, status = str(entry["received_at"])[:7], str(entry["service_code"]), str(entry["status"])
    return [
        o311_partition(month),
        o311_partition(month, status=status),
        o311_partition(month, code),
        o311_partition(month, code, status),
    ]


def o311_sort_key(entry: dict[str, Any]) -> str:
    """`{received_at}#{ticket_id}`: newest first when read backwards."""
    return f"{entry['received_at']}#{entry['ticket_id']}"


def _secret_aad(key_id: str) -> str:
    """Where a partner key's sealed secret lives: its Directory item (the ciphertext is bound to it)."""
    return aad("directory", f"{KEY}#{key_id}", "secret_enc")
