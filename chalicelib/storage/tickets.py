"""Ticket repository: tickets, their events and the statistics counters; every change ONE transaction.

`TicketStore` is the port the services use; `DynamoTicketRepository` implements it on DynamoDB
(PynamoDB, one TransactWriteItems per change) and `tests/helpers/fakes.FakeTicketRepository` in
memory. Both pass the contract tests in `tests/helpers/contracts.py`.
"""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
import uuid
import zlib
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.transactions import TransactWrite

from chalicelib.domain import statistics
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.deadlines import DISPATCH_WINDOW, Alert
from chalicelib.domain.errors import BadRequest, Conflict, NotFound
from chalicelib.domain.model import Caller, Change, Status, Ticket, is_ticket_id
from chalicelib.integrations.crypto import Cipher, aad
from chalicelib.storage.blind_index import BlindIndex
from chalicelib.storage.models import EventModel, Tables, TicketModel
from chalicelib.storage.serialize import iso, ticket_from_doc, ticket_to_doc
from chalicelib.storage.subject_keys import SubjectKeys
from chalicelib.storage.table import (
    Absent,
    AbsentOrExpired,
    DirectoryTable,
    DynamoDirectoryTable,
    Equals,
    Item,
    Write,
    decode_token,
    encode_token,
)

DEADLINE_SHARDS = 8
TRANSACTION_ATTEMPTS = 4
COUNTER_SHARDS = 4  # county-wide counters are hot: spread over 4 items per metric
NUMBERS_TAKEN = "SEQ#ticket"  # Counters pk: ticket numbers taken per receipt day (sk = yyyymmdd)
NUMBERS_UNUSED = "SEQ#unused"  # Counters pk: numbers taken that never became a ticket (docs/architecture.md)
CLAIM_TTL_S = 30  # an intake claim lapses after this (a crashed request must not block the number)
INDEXES = ("unit", "owner", "status", "queue", "caller", "caller_name")
INDEX_ATTRIBUTE = {  # partition keys; `caller` is the blind index of the caller's phone (storage/blind_index.py)
    "unit": "unit_id",
    "owner": "owner_id",
    "status": "status",
    "queue": "work_queue",
    "caller": "caller_tag",
    "caller_name": "caller_name_tag",  # the blind index of the caller's full name (R-12345-11)
}
# R-12345-13: the work queue of each open status (sparse `by_queue` index; a closed ticket has none). The five
# confirmations read one queue per Query and group its tickets in memory (services/confirmations.py).
WORK_QUEUES: dict[str, str] = {
    "received": "new",
    "dispatched": "unfinished",
    "handling": "unfinished",
    "extension_requested": "unfinished",
    "returned": "unfinished",
    "replied": "to_confirm",
    "reviewed": "to_confirm",
    "called_back": "to_submit",
    "submitted": "to_submit",
}
FILTERS = ("status", "unit_id", "owner_id", "flag", "due_before", "hotline", "received_from", "received_before", "now")
# `status=open`: every status but closed. `flag=dispatch_overdue` also finds a ticket still waiting for dispatch
# whose 12 hours have passed (`now` − 12 h) before the sweep marked it (R-12345-01). `received_from` /
# `received_before` bound the index's sort key (received_at, UTC ISO): a range read, not a filter.
OPEN = "open"
RANGE_FILTERS = ("received_from", "received_before")
LIST_PAGE_BUDGET = 8  # index pages of 50 one filtered list request evaluates at most; the token continues
DUE_PAGE_KEYS = ("ticket_id", "deadline_shard", "next_alert_at")  # the open-deadline index's LastEvaluatedKey

EventRecord = dict[str, Any]  # a history item: event fields, `data` and `snapshot` parsed


# `status=open` with no unit or owner to key on (docs/api.md `GET /tickets`): the open tickets are the sparse work
# queues (`by_queue`) and the open statuses no queue holds (`by_status`); disjoint, so `list_merged` reads them as one.
OPEN_PARTS: tuple[tuple[str, str], ...] = tuple(("queue", q) for q in dict.fromkeys(WORK_QUEUES.values())) + tuple(
    ("status", str(s)) for s in Status if s is not Status.CLOSED and str(s) not in WORK_QUEUES
)
_BAD_PAGE = "分页标记无效（page 须为上一页返回的 next_page）"


def _place(ticket: Ticket) -> tuple[str, str]:
    """A ticket's place in a newest-first list: its index sort key, then its id."""
    return (iso(ticket.received_at) or "", ticket.ticket_id)


def _token_place(part: tuple[str, str], token: str) -> tuple[str, str]:
    """Where a partition's page token continues (the place of the last row it read)."""
    key = decode_token(token, ticket_page_keys(part[0]), (INDEX_ATTRIBUTE[part[0]], part[1])) or {}
    return (key["received_at"]["S"], key["ticket_id"]["S"])


def _token_after(part: tuple[str, str], ticket: Ticket) -> str | None:
    """A partition's page token continuing after this ticket (as DynamoDB's LastEvaluatedKey would)."""
    return encode_token(
        {
            "ticket_id": {"S": ticket.ticket_id},
            INDEX_ATTRIBUTE[part[0]]: {"S": part[1]},
            "received_at": {"S": iso(ticket.received_at) or ""},
        }
    )


def _merged_state(token: str | None, parts: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str | None]:
    """Each partition still to read and its own token (None: from the newest); a token not issued for these
    partitions is a 400 (a part's own token is checked again by its Query)."""
    if not token:
        return dict.fromkeys(parts)
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise BadRequest(_BAD_PAGE, field="page") from exc
    names = {f"{index}:{key}": (index, key) for index, key in parts}
    if not isinstance(raw, dict) or not raw or not set(raw) <= set(names):
        raise BadRequest(_BAD_PAGE, field="page")
    if not all(v is None or isinstance(v, str) for v in raw.values()):
        raise BadRequest(_BAD_PAGE, field="page")
    return {names[k]: v for k, v in raw.items()}


def _merged_token(after: Mapping[tuple[str, str], str | None]) -> str | None:
    """The page token of a merged list: each unfinished partition's own token (None: none issued yet)."""
    if not after:
        return None
    text = json.dumps({f"{i}:{k}": v for (i, k), v in after.items()}, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def caller_aad(ticket_id: str) -> str:
    """Where a ticket's sealed caller lives: its Tickets item (the ciphertext is bound to it, R-12345-11)."""
    return aad("tickets", ticket_id, "caller_enc")


def deadline_shard(ticket_id: str) -> str:
    """The open-deadline index partition of a ticket."""
    return f"OPEN#{zlib.crc32(ticket_id.encode()) % DEADLINE_SHARDS}"


def counter_items(
    event_type: str, data: Mapping[str, Any], doc: Mapping[str, Any], at: datetime
) -> dict[tuple[str, str], int]:
    """Counter keys and increments for one event (see domain/statistics.py)."""
    month = statistics.stat_month(doc, at)  # the ticket's month: its first dispatch (docs/statistics.md)
    shard = zlib.crc32(str(doc["ticket_id"]).encode()) % COUNTER_SHARDS
    items: dict[tuple[str, str], int] = {}
    for scope, metrics in statistics.counter_deltas(event_type, data, doc).items():
        for metric, n in metrics.items():
            sk = f"{metric}#{shard if scope in ('county', statistics.ENV_SCOPE) else 0}"
            items[(f"{month}#{scope}", sk)] = n
    return items


def event_record(change: Change, seq: int, doc: Mapping[str, Any]) -> EventRecord:
    """The history item of a change; its snapshot keeps personal data out (stored encrypted on the ticket)."""
    at = iso(change.at) or ""
    ticket_id = change.after.ticket_id
    return {
        "event_id": f"{ticket_id}.{seq:06d}",
        "ticket_id": ticket_id,
        "seq": seq,
        "type": change.event_type,
        "actor_id": change.actor.user_id,
        "actor_role": str(change.actor.role),
        "at": at,
        "from_status": str(change.before.status) if change.before else None,
        "to_status": str(change.after.status),
        "data": json.loads(json.dumps(change.data, ensure_ascii=False, default=str)),
        "snapshot": dict(doc, last_seq=seq),
        "month": statistics.month_of(change.at),
    }


def public_event(record: Mapping[str, Any]) -> dict[str, Any]:
    """The public form of a history item (no snapshot, no index keys)."""
    return {
        k: record[k]
        for k in (
            "event_id",
            "ticket_id",
            "seq",
            "type",
            "actor_id",
            "actor_role",
            "at",
            "from_status",
            "to_status",
            "data",
        )
    }


@dataclass(frozen=True)
class StreamRecord:
    """One parsed stream record: its sequence number (the batch-failure identifier) and the event."""

    sequence: str
    event: EventRecord


def event_from_image(image: Mapping[str, Any]) -> EventRecord:
    """A history item from a stream record's NewImage (DynamoDB JSON): the one stream parser."""
    return _record_of(EventModel.from_raw_data(dict(image)))


def _record_of(item: EventModel) -> EventRecord:
    return {
        "event_id": item.event_id,
        "ticket_id": item.ticket_id,
        "seq": int(item.seq),
        "type": item.type,
        "actor_id": item.actor_id,
        "actor_role": item.actor_role,
        "at": item.at,
        "from_status": item.from_status,
        "to_status": item.to_status,
        "data": json.loads(item.data),
        "snapshot": json.loads(item.snapshot),
        "month": item.month,
    }


@dataclass(frozen=True)
class Page:
    """One page of a list and the opaque token of the next."""

    items: list[Ticket]
    next_page: str | None
    examined: int | None = None  # rows a bounded search read to make this page (keyword search)


@dataclass(frozen=True)
class IdempotencyKey:
    """(source, external id) of an intake and the hash of its payload; `claim` is the token of the
    intake claim this request holds (`TicketStore.claim_idempotent`), None when it holds none."""

    source: str
    external_id: str
    payload_hash: str
    claim: str | None = None

    @property
    def pk(self) -> str:
        """Directory partition."""
        return f"IDEM#{self.source}"

    def claim_data(self) -> dict[str, Any]:
        """The Directory data of this request's pending claim."""
        return {"payload_hash": self.payload_hash, "claim": self.claim}


@dataclass(frozen=True)
class IdempotentEntry:
    """What the idempotency key of an intake holds: the ticket, or a claim still being committed."""

    ticket_id: str | None  # None while the claiming request has not committed its ticket
    payload_hash: str


def ticket_page_keys(index: str) -> tuple[str, str, str]:
    """The attributes of a ticket index's LastEvaluatedKey: the table key and the index key."""
    return ("ticket_id", INDEX_ATTRIBUTE[index], "received_at")


def check_filters(filters: Mapping[str, str]) -> None:
    """400 for a list filter the repository does not know."""
    for name in filters:
        if name not in FILTERS:
            raise BadRequest(f"未知筛选条件 {name}", field=name)


def dispatch_late_before(now_iso: str) -> str:
    """Tickets received before this instant and still waiting for dispatch are past their 12 hours (R-12345-01)."""
    return iso(datetime.fromisoformat(now_iso) - DISPATCH_WINDOW) or ""


def _passes(ticket: Ticket, name: str, value: str, now: str | None) -> bool:
    received = iso(ticket.received_at) or ""
    if name == "flag":
        late = value == "dispatch_overdue" and now is not None and ticket.status == "received"
        return value in ticket.flags or (late and received < dispatch_late_before(str(now)))
    if name == "due_before":
        return ticket.handle_due is not None and (iso(ticket.handle_due) or "") < value
    if name == "status" and value == OPEN:
        return ticket.status != "closed"
    if name == "received_from":
        return received >= value
    if name == "received_before":
        return received < value
    return str(getattr(ticket, name)) == value


def matches(ticket: Ticket, filters: Mapping[str, str]) -> bool:
    """Whether a ticket passes list filters (the in-memory twin of the DynamoDB filter expression)."""
    now = filters.get("now")
    return all(_passes(ticket, k, v, now) for k, v in filters.items() if k != "now")


class TicketStore(ABC):
    """All storage of tickets, their history and the counters their transitions keep."""

    # ---------------------------------------------------------------- tickets

    @abstractmethod
    def get(self, ticket_id: str) -> Ticket:
        """The ticket with its caller decrypted, or NotFound."""

    @abstractmethod
    def get_many(self, ticket_ids: Sequence[str]) -> list[Ticket]:
        """Tickets by id without personal data (missing ids are left out), in no particular order."""

    @abstractmethod
    def seal_personal(self, ticket_id: str, document: dict[str, Any], aad: str) -> str:
        """Personal data of this ticket sealed under the ticket's own key (`tk1:`, storage/subject_keys.py)."""

    @abstractmethod
    def open_personal(self, ticket_id: str, token: str, aad: str) -> dict[str, Any]:
        """Personal data of this ticket back (`Shredded` once its key was destroyed)."""

    @abstractmethod
    def shred(self, ticket_id: str, now: datetime) -> bool:
        """Destroy the ticket's key and its caller (crypto-shredding, docs/privacy.md); False if no ticket or
        already done. Conditional on the ticket's version, which it moves on (a stale commit cannot restore it)."""

    @abstractmethod
    def caller_ciphertext(self, ticket_id: str) -> str | None:
        """The ticket's caller ciphertext as stored (never decrypted here), or None."""

    @abstractmethod
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
        """One page of an index (unit, owner, status, queue …), newest received first; filters narrow the page.

        `oldest_first` reads the index the other way (ScanIndexForward): the longest-waiting first, as the five
        confirmations read their work queues (R-12345-13), so a capped page holds the earliest deadlines. A
        token continues in the direction it was issued in.
        """

    def list_merged(
        self,
        *,
        parts: Sequence[tuple[str, str]],
        limit: int,
        token: str | None,
        filters: Mapping[str, str] | None = None,
    ) -> Page:
        """One page over several index partitions (`(index, key)` pairs holding disjoint tickets), newest received
        first: `status=open` without a unit or owner (OPEN_PARTS). One `list_page` Query per partition still
        unread, each of `limit` rows at most, so a page costs O(page); the token keeps each partition's place.

        A row is answered only when no partition with more to read could still hold a newer one (its page stopped,
        by `limit` or the filter's budget, at a point older than the row), so the order holds across pages."""
        state = _merged_state(token, parts)
        pages = {
            part: self.list_page(index=part[0], key=part[1], limit=limit, token=state[part], filters=filters)
            for part in parts
            if part in state
        }
        frontier = [_token_place(part, p.next_page) for part, p in pages.items() if p.next_page]
        bound = max(frontier, default=("", ""))
        rows = sorted(
            ((_place(t), part, t) for part, p in pages.items() for t in p.items),
            key=lambda row: row[0],
            reverse=True,
        )
        chosen = [row for row in rows if row[0] >= bound][:limit]
        after: dict[tuple[str, str], str | None] = {}
        for part, p in pages.items():
            taken = [t for _, of, t in chosen if of == part]
            if len(taken) == len(p.items):
                if p.next_page:
                    after[part] = p.next_page  # read further next time; a part with nothing more is done
            else:
                after[part] = _token_after(part, taken[-1]) if taken else state[part]
        return Page([t for _, _, t in chosen], _merged_token(after))

    @abstractmethod
    def due_alerts(self, shard: int, until: datetime, limit: int = 200) -> list[Ticket]:
        """Open tickets whose next alert is due by `until` (the sparse open-deadline index)."""

    @abstractmethod
    def due_tickets(self, shard: int, until: datetime, limit: int = 200, token: str | None = None) -> Page:
        """One page of the open tickets whose next alert is due by `until`, whole (caller decrypted), read
        from the open-deadline index's projection: the sweep needs no read per ticket (R-12345-12).

        The index is eventually consistent: a copy may be stale, and the commit's version condition
        rejects it (the sweep then reads the ticket once, consistently). `token` continues the shard.
        """

    def find_idempotent(self, key: IdempotencyKey) -> tuple[str, str] | None:
        """(ticket id, payload hash) of an earlier committed intake with the same (source, external id)."""
        entry = self.idempotent_entry(key)
        return None if entry is None or entry.ticket_id is None else (entry.ticket_id, entry.payload_hash)

    def idempotent_entry(self, key: IdempotencyKey) -> IdempotentEntry | None:
        """What the key holds (a committed ticket or a pending claim), or None."""
        item = self.idempotency_table().get(key.pk, key.external_id)
        if item is None:
            return None
        ticket_id = item.data.get("ticket_id")
        return IdempotentEntry(ticket_id, str(item.data.get("payload_hash", "")))

    def claim_idempotent(self, key: IdempotencyKey, now: datetime) -> IdempotencyKey | None:
        """Claim an intake's key before its number is taken: the key with this request's claim token,
        or None when another intake holds it (committed, or claimed less than CLAIM_TTL_S ago).
        The claim is turned into the ticket's entry by `commit(…, idempotency=<claimed key>)`."""
        claimed = replace(key, claim=uuid.uuid4().hex)
        now_ts = int(now.timestamp())
        item = Item(key.pk, key.external_id, claimed.claim_data(), expires_at=now_ts + CLAIM_TTL_S)
        return claimed if self.idempotency_table().put(item, AbsentOrExpired(now_ts)) else None

    def release_idempotent(self, claimed: IdempotencyKey) -> None:
        """Give a claim up at once (its commit failed), if it is still this request's."""
        item = Item(claimed.pk, claimed.external_id, claimed.claim_data(), expires_at=0)
        self.idempotency_table().put(item, Equals("data", claimed.claim_data()))

    @abstractmethod
    def idempotency_table(self) -> DirectoryTable:
        """The Directory table holding the intake idempotency keys (`IDEM#{source}` / external id)."""

    # ---------------------------------------------------------------- history

    @abstractmethod
    def history(self, ticket_id: str, upto_seq: int | None = None) -> list[EventRecord]:
        """Events 1..upto_seq (all when None) of a ticket, oldest first, snapshots included."""

    def events(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's history in its public form, oldest first."""
        return [public_event(e) for e in self.history(ticket_id)]

    @abstractmethod
    def month_events(self, month: str, start: str | None = None, end: str | None = None) -> Iterator[EventRecord]:
        """Events of one month partition (Asia/Shanghai), optionally with start <= at < end (UTC ISO)."""

    @abstractmethod
    def first_event_after(self, month: str, at_key: str) -> EventRecord | None:
        """The oldest event of a month whose `at_key` ("{at}#{ticket}#{seq}") sorts after the given one."""

    # ---------------------------------------------------------------- counters

    @abstractmethod
    def read_counters(self, pk: str) -> dict[str, int]:
        """`{sk: n}` of one counter partition (one Query, consistent)."""

    @abstractmethod
    def overwrite_counters(self, values: Mapping[tuple[str, str], int]) -> int:
        """Set counters to the given values (the recount's repair); returns the number written."""

    # ---------------------------------------------------------------- writes

    @abstractmethod
    def next_number(self, received_at: datetime) -> str:
        """The next ticket id of the receipt day: `T{yyyymmdd}-{nnnnn}` (Asia/Shanghai)."""

    @abstractmethod
    def count_unused_number(self, ticket_id: str) -> None:
        """Count a number that was taken but never became a ticket (Counters `SEQ#unused` / day)."""

    @abstractmethod
    def commit(
        self,
        change: Change,
        alert: Alert | None,
        *,
        idempotency: IdempotencyKey | None = None,
        extra: Iterable[Write] = (),
    ) -> Ticket:
        """Write the ticket, its event, its counters and `extra` Directory items atomically; 409 when
        someone was faster (a failed condition), nothing written."""

    def tag_caller(self, ticket: Ticket) -> tuple[bool, bool]:
        """Give a ticket its caller tags (phone, name) under the current key and hash where it has none or one
        of another hash (the search backfill, R-12345-11); which of the two were written."""
        return False, False


def day_number(received_at: datetime) -> str:
    """The receipt day (Asia/Shanghai) of a ticket number."""
    return received_at.astimezone(SHANGHAI).strftime("%Y%m%d")


def number_day(ticket_id: str) -> str:
    """The day part of a ticket id (`T20261126-00001` → `20261126`)."""
    return ticket_id[1:9]


def idempotency_write(key: IdempotencyKey, ticket_id: str) -> Write:
    """The idempotency entry a commit writes, and its condition: this request's claim still holds
    (or, without a claim, no entry yet)."""
    item = Item(key.pk, key.external_id, {"ticket_id": ticket_id, "payload_hash": key.payload_hash})
    return item, (Equals("data", key.claim_data()) if key.claim else Absent())


def not_found(ticket_id: str) -> NotFound:
    """The 404 of a ticket id that names no ticket (or not one this caller may see)."""
    return NotFound(f"工单 {ticket_id[:40]} 不存在", ticket_id=ticket_id[:40])


def conflict(ticket_id: str, reasons: Sequence[str] = ()) -> Conflict:
    """The 409 of a lost race."""
    return Conflict(f"工单 {ticket_id} 已被他人更新，请刷新后重试", ticket_id=ticket_id, reasons=list(reasons))


class DynamoTicketRepository(TicketStore):
    """The ticket store on DynamoDB through bound PynamoDB models."""

    def __init__(self, tables: Tables, envelope: Cipher, blind: BlindIndex | None = None) -> None:
        self._t = tables
        self._directory = DynamoDirectoryTable(tables.directory)
        self._keys = SubjectKeys(envelope)
        self._blind = blind

    # ---------------------------------------------------------------- the ticket's own key

    def _wrapped_key(self, ticket_id: str) -> str | None:
        known, wrapped = self._keys.known(ticket_id)
        if known:
            return wrapped
        try:
            item = self._t.tickets.get(ticket_id, consistent_read=True, attributes_to_get=["ticket_id", "pii_key"])
        except DoesNotExist:
            return None
        self._keys.seen(ticket_id, item.pii_key)
        return item.pii_key

    def _key_for_write(self, ticket_id: str, *, fresh: bool = False) -> str:
        wrapped = None if fresh else self._wrapped_key(ticket_id)
        return wrapped or self._keys.new(ticket_id)

    def seal_personal(self, ticket_id: str, document: dict[str, Any], aad: str) -> str:
        return self._keys.seal(ticket_id, self._key_for_write(ticket_id), document, aad)

    def open_personal(self, ticket_id: str, token: str, aad: str) -> dict[str, Any]:
        return self._keys.open(ticket_id, self._wrapped_key(ticket_id), token, aad)

    def shred(self, ticket_id: str, now: datetime) -> bool:
        m = self._t.tickets
        try:
            item = m.get(ticket_id, consistent_read=True) if is_ticket_id(ticket_id) else None
        except DoesNotExist:
            item = None
        if item is None or (item.pii_key is None and item.caller_enc is None and item.pii_shredded_at):
            return False
        actions: list[Action] = [
            m.pii_key.remove(),
            m.caller_enc.remove(),
            m.caller_tag.remove(),
            m.caller_name_tag.remove(),
            m.pii_shredded_at.set(now.isoformat()),
        ]
        try:
            item.update(actions=actions)  # VersionAttribute: conditional on the version read, and moves it on
        except UpdateError as exc:
            raise conflict(ticket_id, ["ConditionalCheckFailed"]) from exc
        self._keys.seen(ticket_id, None)
        return True

    # ---------------------------------------------------------------- reads

    def get(self, ticket_id: str) -> Ticket:
        if not is_ticket_id(ticket_id):  # "" or 3000 characters: a key DynamoDB refuses (500), no ticket
            raise not_found(ticket_id)
        try:
            item = self._t.tickets.get(ticket_id, consistent_read=True)
        except DoesNotExist as exc:
            raise not_found(ticket_id) from exc
        return self._whole(item)

    @staticmethod
    def _summary(item: TicketModel) -> Ticket:
        doc = json.loads(item.doc)
        doc["version"] = item.version
        return ticket_from_doc(doc)

    def get_many(self, ticket_ids: Sequence[str]) -> list[Ticket]:
        out: list[Ticket] = []
        ids = [i for i in dict.fromkeys(ticket_ids) if is_ticket_id(i)]
        for start in range(0, len(ids), 100):
            out.extend(self._summary(i) for i in self._t.tickets.batch_get(ids[start : start + 100]))
        return out

    def caller_ciphertext(self, ticket_id: str) -> str | None:
        try:
            item = self._t.tickets.get(
                ticket_id, consistent_read=True, attributes_to_get=["ticket_id", "caller_enc", "pii_key"]
            )
        except DoesNotExist:
            return None
        self._keys.seen(ticket_id, item.pii_key)  # the same read: opening the caller needs no second one
        return item.caller_enc

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
        model = self._t.tickets
        idx = {
            "unit": model.by_unit,
            "owner": model.by_owner,
            "status": model.by_status,
            "queue": model.by_queue,
            "caller": model.by_caller,
            "caller_name": model.by_caller_name,
        }[index]
        filters = dict(filters or {})
        since, before = filters.pop("received_from", None), filters.pop("received_before", None)
        key_range: Condition | None = None
        if since and before:
            key_range = model.received_at.between(since, before)  # inclusive: the end is re-checked below
        elif since:
            key_range = model.received_at >= since
        elif before:
            key_range = model.received_at < before
        condition = self._filter_condition(filters)
        if before and since:
            condition = model.received_at < before if condition is None else condition & (model.received_at < before)
        results = idx.query(
            key,
            range_key_condition=key_range,
            scan_index_forward=oldest_first,
            page_size=limit if condition is None else max(limit, 50),
            last_evaluated_key=decode_token(token, ticket_page_keys(index), (INDEX_ATTRIBUTE[index], key)),
            filter_condition=condition,
        )
        # Bounded: at most LIST_PAGE_BUDGET index pages are evaluated per request; a selective filter may
        # answer fewer rows than `limit` with a token that continues where the reading stopped.
        pages = results.page_iter
        items: list[Ticket] = []
        lek: dict[str, Any] | None = None
        for n, page in enumerate(pages, start=1):
            raw = page.get("Items", [])
            for i, row in enumerate(raw):
                items.append(self._summary(model.from_raw_data(row)))
                if len(items) == limit:
                    more = i < len(raw) - 1 or pages.last_evaluated_key is not None
                    lek = {k: row[k] for k in pages.key_names} if more else None
                    return Page(items, encode_token(lek))
            lek = pages.last_evaluated_key
            if lek is None or n >= LIST_PAGE_BUDGET:
                break
        return Page(items, encode_token(lek))

    def _filter_condition(self, filters: Mapping[str, str]) -> Condition | None:
        check_filters(filters)
        m = self._t.tickets
        condition: Condition | None = None
        for name, value in filters.items():
            part: Condition
            if name == "now":
                continue
            if name == "flag" and value == "dispatch_overdue" and filters.get("now"):
                late = (m.status == "received") & (m.received_at < dispatch_late_before(filters["now"]))
                part = m.flags.contains(value) | late
            elif name == "status" and value == OPEN:
                part = m.status != "closed"
            elif name == "flag":
                part = m.flags.contains(value)
            elif name == "due_before":
                part = m.handle_due < value
            else:
                part = getattr(m, name) == value
            condition = part if condition is None else condition & part
        return condition

    def due_alerts(self, shard: int, until: datetime, limit: int = 200) -> list[Ticket]:
        m = self._t.tickets
        query = m.open_deadline.query(f"OPEN#{shard}", m.next_alert_at <= iso(until), limit=limit, page_size=limit)
        return [self._summary(i) for i in query]

    def due_tickets(self, shard: int, until: datetime, limit: int = 200, token: str | None = None) -> Page:
        m = self._t.tickets
        partition = f"OPEN#{shard}"
        query = m.open_deadline.query(
            partition,
            m.next_alert_at <= iso(until),
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_token(token, DUE_PAGE_KEYS, ("deadline_shard", partition)),
        )
        items = [self._whole(i) for i in query]
        lek = query.last_evaluated_key if len(items) >= limit else None
        return Page(items, encode_token(lek))

    def _whole(self, item: TicketModel) -> Ticket:
        doc = json.loads(item.doc)
        self._keys.seen(item.ticket_id, item.pii_key)
        caller = (
            Caller(**self._keys.open(item.ticket_id, item.pii_key, item.caller_enc, caller_aad(item.ticket_id)))
            if item.caller_enc
            else Caller()
        )
        doc["version"] = item.version
        return ticket_from_doc(doc, caller)

    def idempotency_table(self) -> DirectoryTable:
        return self._directory

    def history(self, ticket_id: str, upto_seq: int | None = None) -> list[EventRecord]:
        m = self._t.events
        condition = None if upto_seq is None else m.seq <= upto_seq
        return [_record_of(e) for e in m.query(ticket_id, condition, consistent_read=True)]

    def month_events(self, month: str, start: str | None = None, end: str | None = None) -> Iterator[EventRecord]:
        m = self._t.events
        # at_key = "{at}#{ticket}#{seq}": "{end}" sorts before every key of an event at or after `end`.
        condition = None if start is None or end is None else m.at_key.between(start, end)
        for item in m.by_month.query(month, condition):
            yield _record_of(item)

    def first_event_after(self, month: str, at_key: str) -> EventRecord | None:
        m = self._t.events
        query = m.by_month.query(month, m.at_key > at_key, limit=1, page_size=1)
        return next((_record_of(item) for item in query), None)

    def read_counters(self, pk: str) -> dict[str, int]:
        return {item.sk: int(item.n or 0) for item in self._t.counters.query(pk, consistent_read=True)}

    def overwrite_counters(self, values: Mapping[tuple[str, str], int]) -> int:
        with self._t.counters.batch_write() as batch:
            for (pk, sk), n in values.items():
                batch.save(self._t.counters(pk, sk, n=n))
        return len(values)

    # ---------------------------------------------------------------- writes

    def next_number(self, received_at: datetime) -> str:
        day = day_number(received_at)
        counter = self._t.counters(NUMBERS_TAKEN, day)
        counter.update(actions=[self._t.counters.n.add(1)])
        return f"T{day}-{int(counter.n):05d}"

    def count_unused_number(self, ticket_id: str) -> None:
        self._t.counters(NUMBERS_UNUSED, number_day(ticket_id)).update(actions=[self._t.counters.n.add(1)])

    def commit(
        self,
        change: Change,
        alert: Alert | None,
        *,
        idempotency: IdempotencyKey | None = None,
        extra: Iterable[Write] = (),
    ) -> Ticket:
        """DynamoDB cancels a transaction that merely collides with another one on a shared item (the
        month's counters) with `TransactionConflict`: nothing was decided, so it is tried again (the
        conditions still guard every item). A failed condition is final: someone else was first.
        """
        before = change.before
        seq = (before.last_seq if before else 0) + 1
        after = change.after.with_changes(last_seq=seq)
        doc = ticket_to_doc(after)
        writes = list(extra)
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self._transact(change, after, doc, alert, idempotency, writes)
                break
            except TransactWriteError as exc:
                reasons = {getattr(r, "code", None) for r in (exc.cancellation_reasons or [])} - {None, "None"}
                if reasons != {"TransactionConflict"} or attempt == TRANSACTION_ATTEMPTS - 1:
                    raise conflict(after.ticket_id, sorted(str(r) for r in reasons)) from exc
                time.sleep(0.02 * (attempt + 1) + random.random() * 0.03)  # noqa: S311 - jitter only
        return after.with_changes(version=(before.version if before else 0) + 1)

    def _transact(
        self,
        change: Change,
        after: Ticket,
        doc: dict[str, Any],
        alert: Alert | None,
        idempotency: IdempotencyKey | None,
        writes: list[Write],
    ) -> None:
        t = self._t
        before = change.before
        model = self.ticket_model(after, alert, doc, fresh=before is None)
        if before is not None:
            model.version = before.version
        # The put's condition is `status = before.status AND version = before.version`: TicketModel.version
        # is a VersionAttribute, and PynamoDB adds its condition (and writes version + 1) to a save inside
        # TransactWrite as well, next to ours. tests/integration/test_storage.py races ten commits of
        # one read on DynamoDB (moto) to keep that true: exactly one wins.
        condition = t.tickets.status == before.status if before else t.tickets.ticket_id.does_not_exist()
        record = event_record(change, after.last_seq, doc)
        directory = self._directory
        with TransactWrite(connection=t.tickets._get_connection().connection) as tx:
            tx.save(model, condition=condition)
            tx.save(self.event_model(record), condition=t.events.seq.does_not_exist())
            if idempotency is not None:
                idem, cond = idempotency_write(idempotency, after.ticket_id)
                tx.save(directory.model_of(idem), condition=directory.condition(cond))
            for item, cond in writes:
                tx.save(directory.model_of(item), condition=directory.condition(cond))
            for (pk, sk), n in counter_items(change.event_type, change.data, doc, change.at).items():
                tx.update(t.counters(pk, sk), actions=[t.counters.n.add(n)])

    def event_model(self, record: EventRecord) -> EventModel:
        """The stored item of a history record (also used by bulk loaders: benchmarks, imports)."""
        seq = int(record["seq"])
        return self._t.events(
            record["ticket_id"],
            seq,
            event_id=record["event_id"],
            type=record["type"],
            actor_id=record["actor_id"],
            actor_role=record["actor_role"],
            at=record["at"],
            from_status=record["from_status"],
            to_status=record["to_status"],
            data=json.dumps(record["data"], ensure_ascii=False, default=str),
            snapshot=json.dumps(record["snapshot"], ensure_ascii=False),
            month=record["month"],
            at_key=f"{record['at']}#{record['ticket_id']}#{seq:06d}",
        )

    def ticket_model(
        self, ticket: Ticket, alert: Alert | None, doc: dict[str, Any] | None = None, *, fresh: bool = False
    ) -> TicketModel:
        """The stored item of a ticket, caller sealed under the ticket's own key (`fresh`: a new ticket, a new
        key without asking the table; also used by bulk loaders: benchmarks, imports)."""
        doc = ticket_to_doc(ticket) if doc is None else doc
        caller = ticket.caller.as_dict()
        wrapped = self._key_for_write(ticket.ticket_id, fresh=fresh)
        return self._t.tickets(
            ticket.ticket_id,
            status=str(ticket.status),
            received_at=iso(ticket.received_at),
            unit_id=ticket.unit_id,
            owner_id=ticket.owner_id,
            deadline_shard=deadline_shard(ticket.ticket_id) if alert else None,
            next_alert_at=iso(alert.at) if alert else None,
            next_alert_key=alert.key if alert else None,
            work_queue=WORK_QUEUES.get(str(ticket.status)),
            handle_due=iso(ticket.handle_due),
            category=ticket.category,
            hotline=ticket.hotline,
            flags=set(ticket.flags) or None,
            doc=json.dumps(doc, ensure_ascii=False),
            caller_enc=self._keys.seal(ticket.ticket_id, wrapped, caller, caller_aad(ticket.ticket_id))
            if any(caller.values())
            else None,
            pii_key=wrapped,
            caller_tag=self._blind.phone_tag(ticket.caller.phone) if self._blind and ticket.caller.phone else None,
            caller_name_tag=self._blind.name_tag(ticket.caller.name) if self._blind and ticket.caller.name else None,
        )

    def tag_caller(self, ticket: Ticket) -> tuple[bool, bool]:
        """Give a ticket saved before `by_caller_name` existed its name tag, and a ticket tagged under another
        blind-index hash (`BLIND_INDEX_HASH` changed) both tags again (the search backfill, R-12345-11)."""
        if self._blind is None:
            return False, False
        m = self._t.tickets
        phone = self._blind.phone_tag(ticket.caller.phone) if ticket.caller.phone else None
        name = self._blind.name_tag(ticket.caller.name) if ticket.caller.name else None
        return self._retag(ticket.ticket_id, m.caller_tag, phone), self._retag(
            ticket.ticket_id, m.caller_name_tag, name
        )

    def _retag(self, ticket_id: str, attribute: Any, tag: str | None) -> bool:
        """Set one tag unless it holds that value already (not a new version: the ticket itself is unchanged)."""
        if tag is None:
            return False
        m = self._t.tickets
        try:
            m._get_connection().update_item(
                ticket_id,
                actions=[attribute.set(tag)],
                condition=m.ticket_id.exists() & (attribute.does_not_exist() | (attribute != tag)),
            )
        except UpdateError:
            return False  # tagged already (or gone)
        return True
