"""In-memory adapters for unit tests: the same ports as production, no AWS, no moto.

`FakeDirectoryTable` and `FakeTicketRepository` pass the contract tests in `tests/helpers/contracts.py`
that the DynamoDB implementations pass, so a service tested on them behaves the same on DynamoDB.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.model import Caller, Change, Ticket, is_ticket_id
from chalicelib.integrations.archive_store import ArchiveStore, ObjectHead, StoredObject
from chalicelib.integrations.crypto import Cipher
from chalicelib.integrations.sms import RecorderSender
from chalicelib.storage.blind_index import BlindIndex
from chalicelib.storage.serialize import iso, ticket_from_doc, ticket_to_doc
from chalicelib.storage.subject_keys import SubjectKeys
from chalicelib.storage.table import (
    Absent,
    AbsentOrBelow,
    AbsentOrExpired,
    Cond,
    DirectoryTable,
    Equals,
    Item,
    ItemPage,
    KeyRange,
    Present,
    Write,
    decode_token,
    dump,
    encode_token,
    page_keys,
)
from chalicelib.storage.tickets import (
    DUE_PAGE_KEYS,
    INDEX_ATTRIBUTE,
    INDEXES,
    LIST_PAGE_BUDGET,
    NUMBERS_TAKEN,
    NUMBERS_UNUSED,
    WORK_QUEUES,
    EventRecord,
    IdempotencyKey,
    Page,
    TicketStore,
    caller_aad,
    check_filters,
    conflict,
    counter_items,
    day_number,
    deadline_shard,
    event_record,
    idempotency_write,
    matches,
    not_found,
    number_day,
    ticket_page_keys,
)

# ---------------------------------------------------------------- the Directory table


class FakeDirectoryTable(DirectoryTable):
    """The Directory table in a dict, with DynamoDB's condition, ordering and paging semantics."""

    def __init__(self) -> None:
        self.items_by_key: dict[tuple[str, str], Item] = {}
        self.lock = threading.RLock()

    def holds(self, item_key: tuple[str, str], cond: Cond | None) -> bool:
        """Whether a condition holds for the stored item (caller holds the lock)."""
        stored = self.items_by_key.get(item_key)
        if cond is None:
            return True
        if isinstance(cond, Absent):
            return stored is None
        if isinstance(cond, Present):
            return stored is not None
        if isinstance(cond, AbsentOrExpired):
            return stored is None or (stored.expires_at is not None and stored.expires_at <= cond.now_ts)
        if isinstance(cond, AbsentOrBelow):
            return stored is None or stored.n is None or stored.n < cond.value
        if stored is None:
            return False
        if isinstance(cond, Equals):
            if cond.attribute == "data":
                return dump(stored.data) == dump(cond.value)
            return bool(getattr(stored, cond.attribute) == cond.value)
        raise TypeError(cond)

    def get(self, pk: str, sk: str) -> Item | None:
        with self.lock:
            item = self.items_by_key.get((pk, sk))
            return copy.deepcopy(item)

    def put(self, item: Item, cond: Cond | None = None) -> bool:
        with self.lock:
            if not self.holds((item.pk, item.sk), cond):
                return False
            self.items_by_key[(item.pk, item.sk)] = copy.deepcopy(_clean(item))
            return True

    def put_many(self, items: Sequence[Item]) -> None:
        for item in items:
            self.put(item)

    def update(
        self,
        pk: str,
        sk: str,
        *,
        data: Mapping[str, Any] | None = None,
        gsi1sk: str | None = None,
        drop_index: bool = False,
        cond: Cond | None = None,
    ) -> bool:
        with self.lock:
            if not self.holds((pk, sk), cond):
                return False
            item = self.items_by_key.get((pk, sk)) or Item(pk, sk)
            if data is not None:
                item = replace(item, data=json.loads(dump(data)))
            if gsi1sk is not None:
                item = replace(item, gsi1sk=gsi1sk)
            if drop_index:
                item = replace(item, gsi1pk=None, gsi1sk=None)
            self.items_by_key[(pk, sk)] = item
            return True

    def add(
        self, pk: str, sk: str, amount: int, *, cap: int | None = None, expires_at: int | None = None
    ) -> int | None:
        with self.lock:
            item = self.items_by_key.get((pk, sk)) or Item(pk, sk)
            if cap is not None and item.n is not None and item.n > cap - amount:
                return None
            item = replace(item, n=(item.n or 0) + amount)
            if expires_at is not None:
                item = replace(item, expires_at=expires_at)
            self.items_by_key[(pk, sk)] = item
            return item.n

    def delete(self, pk: str, sk: str) -> None:
        with self.lock:
            self.items_by_key.pop((pk, sk), None)

    def transact(self, writes: Sequence[Write]) -> bool:
        with self.lock:
            if not all(self.holds((i.pk, i.sk), c) for i, c in writes):
                return False
            for item, _ in writes:
                self.items_by_key[(item.pk, item.sk)] = copy.deepcopy(_clean(item))
            return True

    def query(
        self,
        pk: str,
        key: KeyRange | None = None,
        *,
        index: bool = False,
        newest_first: bool = False,
        limit: int | None = None,
        token: str | None = None,
    ) -> ItemPage:
        start = decode_token(token, page_keys(index), ("gsi1pk" if index else "pk", pk))
        with self.lock:
            if index:
                found = [i for i in self.items_by_key.values() if i.gsi1pk == pk and i.gsi1sk is not None]
                found.sort(key=lambda i: (i.gsi1sk or "", i.pk, i.sk), reverse=newest_first)
                sort_key = [i.gsi1sk or "" for i in found]
            else:
                found = sorted(
                    (i for i in self.items_by_key.values() if i.pk == pk), key=lambda i: i.sk, reverse=newest_first
                )
                sort_key = [i.sk for i in found]
            rows = [copy.deepcopy(i) for i, k in zip(found, sort_key, strict=True) if key is None or key.admits(k)]
        if start is not None:
            marker = (start["pk"]["S"], start["sk"]["S"])
            at = next((n for n, i in enumerate(rows) if (i.pk, i.sk) == marker), None)
            rows = rows[at + 1 :] if at is not None else []
        if limit is None or len(rows) <= limit:
            return ItemPage(rows, None)
        page = rows[:limit]
        last = page[-1]
        lek: dict[str, Any] = {"pk": {"S": last.pk}, "sk": {"S": last.sk}}
        if index:
            lek.update(gsi1pk={"S": last.gsi1pk}, gsi1sk={"S": last.gsi1sk})
        return ItemPage(page, encode_token(lek))


def _clean(item: Item) -> Item:
    """The item as DynamoDB would store it: its data through one JSON round trip."""
    return replace(item, data=json.loads(dump(item.data)))


# ---------------------------------------------------------------- tickets, events, counters


class FakeTicketRepository(TicketStore):
    """Tickets, events and counters in dicts; one lock makes every commit atomic."""

    def __init__(self, directory: FakeDirectoryTable, envelope: Cipher, blind: BlindIndex | None = None) -> None:
        self.directory = directory
        self.keys = SubjectKeys(envelope)
        self.blind = blind
        self.rows: dict[str, dict[str, Any]] = {}  # ticket id → stored attributes
        self.history_rows: dict[str, list[EventRecord]] = defaultdict(list)
        self.counters: dict[tuple[str, str], int] = defaultdict(int)
        self.lock = directory.lock  # one lock: a commit spans both tables, as a transaction does

    def _ticket(self, row: Mapping[str, Any], *, with_caller: bool) -> Ticket:
        doc = dict(json.loads(row["doc"]), version=row["version"])
        tid = doc["ticket_id"]
        caller = (
            Caller(**self.keys.open(tid, row.get("pii_key"), row["caller_enc"], caller_aad(tid)))
            if with_caller and row["caller_enc"]
            else None
        )
        return ticket_from_doc(doc, caller)

    def _wrapped(self, ticket_id: str) -> str | None:
        with self.lock:
            row = self.rows.get(ticket_id)
        return row.get("pii_key") if row else None

    def seal_personal(self, ticket_id: str, document: dict[str, Any], aad: str) -> str:
        wrapped = self._wrapped(ticket_id) or self.keys.new(ticket_id)
        return self.keys.seal(ticket_id, wrapped, document, aad)

    def open_personal(self, ticket_id: str, token: str, aad: str) -> dict[str, Any]:
        return self.keys.open(ticket_id, self._wrapped(ticket_id), token, aad)

    def shred(self, ticket_id: str, now: datetime) -> bool:
        with self.lock:
            row = self.rows.get(ticket_id)
            if row is None or (row.get("pii_key") is None and row["caller_enc"] is None and row.get("pii_shredded_at")):
                return False
            row.update(pii_key=None, caller_enc=None, caller_tag=None, caller_name_tag=None, pii_shredded_at=iso(now))
            row["version"] += 1
        self.keys.seen(ticket_id, None)
        return True

    def get(self, ticket_id: str) -> Ticket:
        with self.lock:
            row = self.rows.get(ticket_id) if is_ticket_id(ticket_id) else None
        if row is None:
            raise not_found(ticket_id)
        return self._ticket(row, with_caller=True)

    def get_many(self, ticket_ids: Sequence[str]) -> list[Ticket]:
        with self.lock:
            return [self._ticket(self.rows[i], with_caller=False) for i in dict.fromkeys(ticket_ids) if i in self.rows]

    def caller_ciphertext(self, ticket_id: str) -> str | None:
        with self.lock:
            row = self.rows.get(ticket_id)
        return row["caller_enc"] if row else None

    def list_page(
        self,
        *,
        index: str,
        key: str,
        limit: int,
        token: str | None,
        filters: Mapping[str, str] | None = None,
        oldest_first: bool = False,
    ) -> Page:
        check_filters(filters or {})
        if index not in INDEXES:
            raise KeyError(index)
        attribute = INDEX_ATTRIBUTE[index]
        start = decode_token(token, ticket_page_keys(index), (attribute, key))
        with self.lock:
            rows = [r for r in self.rows.values() if r.get(attribute) == key]
        rows.sort(key=lambda r: (r["received_at"], r["ticket_id"]), reverse=not oldest_first)
        if start is not None:
            marker = start["ticket_id"]["S"]
            at = next((n for n, r in enumerate(rows) if r["ticket_id"] == marker), None)
            rows = rows[at + 1 :] if at is not None else []
        budget = limit if not set(filters or {}) - {"received_from", "received_before"} else max(limit, 50)
        budget *= LIST_PAGE_BUDGET  # as DynamoDB: a bounded number of index rows evaluated per request
        tickets: list[Ticket] = []
        for n, row in enumerate(rows[:budget], start=1):
            ticket = self._ticket(row, with_caller=False)
            if matches(ticket, filters or {}):
                tickets.append(ticket)
            if len(tickets) == limit or (n == budget and n < len(rows)):
                if n == len(rows):
                    break
                lek = {
                    "ticket_id": {"S": row["ticket_id"]},
                    "received_at": {"S": row["received_at"]},
                    attribute: {"S": key},
                }
                return Page(tickets, encode_token(lek))
        return Page(tickets, None)

    def due_alerts(self, shard: int, until: datetime, limit: int = 200) -> list[Ticket]:
        bound = iso(until) or ""
        with self.lock:
            rows = [
                r
                for r in self.rows.values()
                if r["deadline_shard"] == f"OPEN#{shard}" and (r["next_alert_at"] or "~") <= bound
            ]
        rows.sort(key=lambda r: str(r["next_alert_at"]))
        return [self._ticket(r, with_caller=False) for r in rows[:limit]]

    def due_tickets(self, shard: int, until: datetime, limit: int = 200, token: str | None = None) -> Page:
        partition, bound = f"OPEN#{shard}", iso(until) or ""
        start = decode_token(token, DUE_PAGE_KEYS, ("deadline_shard", partition))
        after = ("", "") if start is None else (start["next_alert_at"]["S"], start["ticket_id"]["S"])
        with self.lock:
            rows = [
                r
                for r in self.rows.values()
                if r["deadline_shard"] == partition
                and (r["next_alert_at"] or "~") <= bound
                and (str(r["next_alert_at"]), r["ticket_id"]) > after
            ]
        rows.sort(key=lambda r: (str(r["next_alert_at"]), r["ticket_id"]))
        tickets = [self._ticket(r, with_caller=True) for r in rows[:limit]]
        if len(rows) <= limit:
            return Page(tickets, None)
        last = rows[limit - 1]
        lek = {
            "ticket_id": {"S": last["ticket_id"]},
            "deadline_shard": {"S": partition},
            "next_alert_at": {"S": str(last["next_alert_at"])},
        }
        return Page(tickets, encode_token(lek))

    def idempotency_table(self) -> DirectoryTable:
        return self.directory

    def history(self, ticket_id: str, upto_seq: int | None = None) -> list[EventRecord]:
        with self.lock:
            rows = list(self.history_rows.get(ticket_id, []))
        return [copy.deepcopy(e) for e in rows if upto_seq is None or e["seq"] <= upto_seq]

    def month_events(self, month: str, start: str | None = None, end: str | None = None) -> Iterator[EventRecord]:
        with self.lock:
            rows = [e for events in self.history_rows.values() for e in events if e["month"] == month]
        rows.sort(key=lambda e: f"{e['at']}#{e['ticket_id']}#{e['seq']:06d}")
        for e in rows:
            at_key = f"{e['at']}#{e['ticket_id']}#{e['seq']:06d}"
            if start is None or end is None or start <= at_key <= end:
                yield copy.deepcopy(e)

    def first_event_after(self, month: str, at_key: str) -> EventRecord | None:
        later = [e for e in self.month_events(month) if f"{e['at']}#{e['ticket_id']}#{e['seq']:06d}" > at_key]
        return later[0] if later else None

    def read_counters(self, pk: str) -> dict[str, int]:
        with self.lock:
            return {sk: n for (p, sk), n in self.counters.items() if p == pk}

    def overwrite_counters(self, values: Mapping[tuple[str, str], int]) -> int:
        with self.lock:
            self.counters.update(values)
        return len(values)

    def next_number(self, received_at: datetime) -> str:
        day = day_number(received_at)
        with self.lock:
            self.counters[(NUMBERS_TAKEN, day)] += 1
            return f"T{day}-{self.counters[(NUMBERS_TAKEN, day)]:05d}"

    def count_unused_number(self, ticket_id: str) -> None:
        with self.lock:
            self.counters[(NUMBERS_UNUSED, number_day(ticket_id))] += 1

    def commit(
        self,
        change: Change,
        alert: Alert | None,
        *,
        idempotency: IdempotencyKey | None = None,
        extra: Iterable[Write] = (),
    ) -> Ticket:
        before = change.before
        seq = (before.last_seq if before else 0) + 1
        after = change.after.with_changes(last_seq=seq)
        doc = ticket_to_doc(after)
        writes = list(extra)
        if idempotency is not None:
            writes.append(idempotency_write(idempotency, after.ticket_id))
        version = (before.version if before else 0) + 1
        with self.lock:
            stored = self.rows.get(after.ticket_id)
            ticket_ok = (
                stored is None
                if before is None
                else (
                    stored is not None
                    and stored["status"] == str(before.status)
                    and stored["version"] == before.version
                )
            )
            event_ok = not any(e["seq"] == seq for e in self.history_rows.get(after.ticket_id, []))
            extras_ok = all(self.directory.holds((i.pk, i.sk), c) for i, c in writes)
            if not (ticket_ok and event_ok and extras_ok):
                raise conflict(after.ticket_id, ["ConditionalCheckFailed"])
            caller = after.caller.as_dict()
            known, cached = self.keys.known(after.ticket_id)
            wrapped = (stored or {}).get("pii_key") or (cached if known else None) or self.keys.new(after.ticket_id)
            self.rows[after.ticket_id] = {
                "ticket_id": after.ticket_id,
                "status": str(after.status),
                "received_at": iso(after.received_at),
                "unit_id": after.unit_id,
                "owner_id": after.owner_id,
                "deadline_shard": deadline_shard(after.ticket_id) if alert else None,
                "next_alert_at": iso(alert.at) if alert else None,
                "work_queue": WORK_QUEUES.get(str(after.status)),
                "doc": json.dumps(doc, ensure_ascii=False),
                "caller_enc": self.keys.seal(after.ticket_id, wrapped, caller, caller_aad(after.ticket_id))
                if any(caller.values())
                else None,
                "pii_key": wrapped,
                "caller_tag": self.blind.phone_tag(after.caller.phone) if self.blind and after.caller.phone else None,
                "caller_name_tag": self.blind.name_tag(after.caller.name) if self.blind and after.caller.name else None,
                "version": version,
            }
            self.history_rows[after.ticket_id].append(event_record(change, seq, doc))
            for item, _ in writes:
                self.directory.items_by_key[(item.pk, item.sk)] = copy.deepcopy(_clean(item))
            for counter, n in counter_items(change.event_type, change.data, doc, change.at).items():
                self.counters[counter] += n
        return after.with_changes(version=version)


# ---------------------------------------------------------------- S3, KMS


class FakeArchiveStore(ArchiveStore):
    """A versioned bucket in a dict (write-once puts, versions, presigned-looking links)."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, list[StoredObject]] = defaultdict(list)
        self.lock = threading.Lock()

    def put_once(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> bool:
        self.count("PutObject")
        with self.lock:
            if self.objects.get(key):
                return False
            self.objects[key].append(StoredObject(key, uuid.uuid4().hex, body, content_type, dict(metadata or {})))
            return True

    def put(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> str | None:
        self.count("PutObject")
        version = uuid.uuid4().hex
        with self.lock:
            self.objects[key].append(StoredObject(key, version, body, content_type, dict(metadata or {})))
        return version

    def get(self, key: str, version_id: str | None = None) -> StoredObject | None:
        self.count("GetObject")
        with self.lock:
            versions = list(self.objects.get(key, []))
        if not versions:
            return None
        if version_id is None:
            return versions[-1]
        return next((v for v in versions if v.version_id == version_id), None)

    def keys(self, prefix: str) -> set[str]:
        self.count("ListObjectsV2")
        with self.lock:
            return {k for k, v in self.objects.items() if k.startswith(prefix) and v}

    def versions(self, prefix: str) -> list[dict[str, Any]]:
        self.count("ListObjectVersions")
        with self.lock:
            return [
                {
                    "key": k,
                    "version_id": o.version_id,
                    "is_latest": n == len(v) - 1,
                    "size": len(o.body),
                    "last_modified": "",
                }
                for k, v in sorted(self.objects.items())
                if k.startswith(prefix)
                for n, o in enumerate(v)
            ]

    def presign(
        self, key: str, version_id: str | None, filename: str, content_type: str, *, inline: bool = False
    ) -> str:
        shown = "inline" if inline else "attachment"
        return f"memory://archive/{key}?versionId={version_id or ''}&filename={filename}&disposition={shown}"

    def presign_upload(self, key: str, max_bytes: int, now: datetime) -> dict[str, Any]:
        return {"url": f"memory://upload/{key}", "fields": {"key": key, "max_bytes": str(max_bytes)}}

    def receive(self, post: dict[str, Any], body: bytes) -> None:
        """What a browser's form upload does to the bucket (tests only); the size limit as S3 enforces it."""
        if len(body) > int(post["fields"]["max_bytes"]):
            raise ValueError("EntityTooLarge")
        key = post["fields"]["key"]
        with self.lock:
            self.objects[key].append(StoredObject(key, uuid.uuid4().hex, body, "application/octet-stream", {}))

    def head(self, key: str) -> ObjectHead | None:
        self.count("HeadObject")
        with self.lock:
            versions = list(self.objects.get(key, []))
        return ObjectHead(key, versions[-1].version_id, len(versions[-1].body)) if versions else None

    def read_start(self, key: str, length: int, version_id: str | None = None) -> bytes | None:
        obj = self.get(key, version_id)
        return obj.body[:length] if obj else None

    def discard(self, key: str, version_id: str) -> None:
        self.count("DeleteObject")
        with self.lock:
            self.objects[key] = [v for v in self.objects.get(key, []) if v.version_id != version_id]


class FakeCipher(Cipher):
    """Reversible, visibly-not-plaintext encoding (the envelope's contract without KMS)."""

    PREFIX = "fake1:"

    def __init__(self, context: str = "personal-data") -> None:
        self.context = context

    def encrypt(self, document: dict[str, Any], aad: str) -> str:
        packed = json.dumps({"ctx": self.context, "aad": aad, "doc": document}, ensure_ascii=False).encode()
        return self.PREFIX + base64.urlsafe_b64encode(packed).decode()

    def decrypt(self, token: str, aad: str) -> dict[str, Any]:
        if not token.startswith(self.PREFIX):
            raise ValueError("not a ciphertext of this cipher")
        packed = json.loads(base64.urlsafe_b64decode(token[len(self.PREFIX) :]))
        if packed["ctx"] != self.context:
            raise ValueError("ciphertext of another context")
        if packed["aad"] != aad:
            raise ValueError("ciphertext moved from where it was written")
        document: dict[str, Any] = packed["doc"]
        return document


def _no_aws(service: str) -> Any:
    raise RuntimeError(f"unit tests use no AWS client (asked for {service})")


def fake_adapters(settings: Settings | None = None, clock: Any = None) -> bootstrap.Adapters:
    """Adapters on in-memory fakes (stage `test`, SMS recorder)."""
    table = FakeDirectoryTable()
    envelope = FakeCipher()
    settings = settings or Settings.from_env({"STAGE": "test", "AWS_DEFAULT_REGION": "cn-north-1"})
    blind_index = BlindIndex(table, FakeCipher("blind-index"), settings.blind_index_hash)
    return bootstrap.assemble(
        settings,
        tickets=FakeTicketRepository(table, envelope, blind_index),
        table=table,
        archive_store=FakeArchiveStore(),
        envelope=envelope,
        secret_box=FakeCipher("partner-secret"),
        blind_index=blind_index,
        sms=RecorderSender(),
        clients=_no_aws,
        **({"clock": clock} if clock else {}),
    )
