"""The Directory table as a small key-value port: items, conditions, queries, atomic counters.

Every store kept in the Directory table (units, calendar, templates, alerts, SMS records, partner
keys, the archive index …) is written against `DirectoryTable`, so one in-memory fake
(`tests/helpers/fakes.py`) serves them all; `DynamoDirectoryTable` is the PynamoDB implementation.
Both pass the same contract tests (`tests/helpers/contracts.py`).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.domain.errors import BadRequest
from chalicelib.storage.models import DirectoryModel

MAX_KEY_TEXT = 1024  # DynamoDB's limit for a sort key value (bytes; characters are at least that)
_SURROGATE = re.compile("[\ud800-\udfff]")


def dump(data: Mapping[str, Any]) -> str:
    """The stored JSON text of an item's data (one serialisation: conditions compare this text)."""
    return json.dumps(data, ensure_ascii=False, default=str)


@dataclass(frozen=True)
class Item:
    """One Directory item: keys, JSON data, the optional gsi1 keys, a number and a TTL."""

    pk: str
    sk: str
    data: dict[str, Any] = field(default_factory=dict)
    gsi1pk: str | None = None
    gsi1sk: str | None = None
    n: int | None = None
    expires_at: int | None = None


@dataclass(frozen=True)
class Absent:
    """Write only if the item does not exist."""


@dataclass(frozen=True)
class Present:
    """Write only if the item exists."""


@dataclass(frozen=True)
class AbsentOrExpired:
    """Write if the item does not exist or its `expires_at` is at or before `now_ts`."""

    now_ts: int


@dataclass(frozen=True)
class AbsentOrBelow:
    """Write if the item does not exist, has no number `n`, or its `n` is below `value` (an order kept
    by a number, e.g. a schedule that only moves on)."""

    value: int


@dataclass(frozen=True)
class Equals:
    """Write only if the stored attribute equals `value` (`data` compares the stored JSON text)."""

    attribute: Literal["data", "gsi1pk", "gsi1sk", "n"]
    value: Any


Cond = Absent | Present | AbsentOrExpired | AbsentOrBelow | Equals
Write = tuple[Item, Cond | None]


@dataclass(frozen=True)
class ItemPage:
    """One page of items and the opaque token of the next (None: no more)."""

    items: list[Item]
    next_page: str | None


@dataclass(frozen=True)
class KeyRange:
    """A sort-key condition: begins_with `prefix`, or `low <= key <= high`, or `key < below`."""

    prefix: str | None = None
    low: str | None = None
    high: str | None = None
    below: str | None = None

    def admits(self, key: str) -> bool:
        """Whether a sort key satisfies the condition."""
        if self.prefix is not None and not key.startswith(self.prefix):
            return False
        if self.low is not None and key < self.low:
            return False
        if self.high is not None and key > self.high:
            return False
        return not (self.below is not None and key >= self.below)


class DirectoryTable(ABC):
    """The operations every Directory store is written with."""

    @abstractmethod
    def get(self, pk: str, sk: str) -> Item | None:
        """One item (strongly consistent), or None."""

    @abstractmethod
    def put(self, item: Item, cond: Cond | None = None) -> bool:
        """Create or replace an item; False when `cond` did not hold (nothing written)."""

    @abstractmethod
    def put_many(self, items: Sequence[Item]) -> None:
        """Create or replace several items (no condition, not atomic as a group)."""

    @abstractmethod
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
        """Change some attributes of an item (creating it if absent); False when `cond` did not hold."""

    @abstractmethod
    def add(
        self, pk: str, sk: str, amount: int, *, cap: int | None = None, expires_at: int | None = None
    ) -> int | None:
        """Atomically add to the item's number; the new value, or None when it would pass `cap`."""

    @abstractmethod
    def delete(self, pk: str, sk: str) -> None:
        """Remove an item (no error when absent)."""

    @abstractmethod
    def transact(self, writes: Sequence[Write]) -> bool:
        """Put all items or none; False when any condition did not hold."""

    @abstractmethod
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
        """Items of one partition (`index`: of gsi1) in sort-key order; `limit` caps the page."""

    def items(self, pk: str, key: KeyRange | None = None, **options: Any) -> list[Item]:
        """The items of a query's first page (callers bound it with `limit` or use small partitions)."""
        return self.query(pk, key, **options).items


# ---------------------------------------------------------------- page tokens


def storable_key(pk: str, sk: str) -> bool:
    """Whether DynamoDB takes these as key values (non-empty; ≤ 2048 / 1024 UTF-8 bytes). A lookup by a
    key it would refuse with ValidationException finds nothing instead (the ids come from URLs)."""
    try:
        return 0 < len(pk.encode()) <= 2048 and 0 < len(sk.encode()) <= MAX_KEY_TEXT
    except UnicodeEncodeError:
        return False


def page_keys(index: bool) -> tuple[str, ...]:
    """The attributes of a Directory query's LastEvaluatedKey (table key, plus gsi1's on the index)."""
    return ("pk", "sk", "gsi1pk", "gsi1sk") if index else ("pk", "sk")


def encode_token(lek: Mapping[str, Any] | None) -> str | None:
    """Opaque page token from a LastEvaluatedKey."""
    if not lek:
        return None
    return base64.urlsafe_b64encode(json.dumps(lek, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str | None, keys: Collection[str], partition: tuple[str, str]) -> dict[str, Any] | None:
    """LastEvaluatedKey from an opaque page token; 400 unless it is a key this very query could have issued.

    `keys` are the attribute names of the query's LastEvaluatedKey (table key + index key) and
    `partition` the (attribute, value) it queries: a token of another query, a forged one or one
    DynamoDB would refuse as ExclusiveStartKey (wrong names, types, empty or oversized values, text
    that is not Unicode) is a 400, never a Query that fails (500) or silently starts elsewhere.
    """
    if not token:
        return None
    bad = BadRequest("分页标记无效（page 须为上一页返回的 next_page）", field="page")
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise bad from exc
    if not isinstance(raw, dict) or set(raw) != set(keys):
        raise bad
    key: dict[str, Any] = {}
    for name, value in raw.items():
        text = value.get("S") if isinstance(value, dict) and len(value) == 1 else None
        if not isinstance(text, str) or not 0 < len(text) <= MAX_KEY_TEXT or _SURROGATE.search(text):
            raise bad
        key[name] = {"S": text}
    if key[partition[0]]["S"] != partition[1]:
        raise bad
    return key


# ---------------------------------------------------------------- DynamoDB


def _lost(exc: Exception) -> bool:
    """True when a write failed on its condition (anything else is a real error)."""
    return getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException"


class DynamoDirectoryTable(DirectoryTable):
    """The Directory table through a bound `DirectoryModel` class."""

    def __init__(self, model: type[DirectoryModel]) -> None:
        self.model = model

    def _model(self, item: Item) -> DirectoryModel:
        return self.model(
            item.pk,
            item.sk,
            data=dump(item.data),
            gsi1pk=item.gsi1pk,
            gsi1sk=item.gsi1sk,
            n=item.n,
            expires_at=item.expires_at,
        )

    def condition(self, cond: Cond | None) -> Condition | None:
        """The PynamoDB condition of a `Cond`."""
        m = self.model
        if cond is None:
            return None
        if isinstance(cond, Absent):
            return m.sk.does_not_exist()
        if isinstance(cond, Present):
            return m.sk.exists()
        if isinstance(cond, AbsentOrExpired):
            expired: Condition = m.sk.does_not_exist() | (m.expires_at <= cond.now_ts)
            return expired
        if isinstance(cond, AbsentOrBelow):
            below: Condition = m.sk.does_not_exist() | m.n.does_not_exist() | (m.n < cond.value)
            return below
        attribute = getattr(m, cond.attribute)
        value = dump(cond.value) if cond.attribute == "data" else cond.value
        return attribute == value  # type: ignore[no-any-return]

    def model_of(self, item: Item) -> DirectoryModel:
        """The bound model instance of an item (for transactions spanning tables)."""
        return self._model(item)

    @staticmethod
    def item_of(m: DirectoryModel) -> Item:
        """An `Item` from a model instance."""
        return Item(
            m.pk,
            m.sk,
            json.loads(m.data or "{}"),
            m.gsi1pk,
            m.gsi1sk,
            None if m.n is None else int(m.n),
            None if m.expires_at is None else int(m.expires_at),
        )

    def get(self, pk: str, sk: str) -> Item | None:
        if not storable_key(pk, sk):  # an id from a URL: "" or 3000 characters names no item
            return None
        try:
            return self.item_of(self.model.get(pk, sk, consistent_read=True))
        except DoesNotExist:
            return None

    def put(self, item: Item, cond: Cond | None = None) -> bool:
        try:
            self._model(item).save(condition=self.condition(cond))
        except PutError as exc:
            if _lost(exc):
                return False
            raise
        return True

    def put_many(self, items: Sequence[Item]) -> None:
        with self.model.batch_write() as batch:
            for item in items:
                batch.save(self._model(item))

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
        m = self.model
        actions: list[Any] = []
        if data is not None:
            actions.append(m.data.set(dump(data)))
        if gsi1sk is not None:
            actions.append(m.gsi1sk.set(gsi1sk))
        if drop_index:
            actions += [m.gsi1pk.remove(), m.gsi1sk.remove()]
        try:
            m(pk, sk).update(actions=actions, condition=self.condition(cond))
        except UpdateError as exc:
            if _lost(exc):
                return False
            raise
        return True

    def add(
        self, pk: str, sk: str, amount: int, *, cap: int | None = None, expires_at: int | None = None
    ) -> int | None:
        m = self.model
        actions: list[Any] = [m.n.add(amount)]
        if expires_at is not None:
            actions.append(m.expires_at.set(expires_at))
        condition = None if cap is None else (m.n.does_not_exist() | (m.n <= cap - amount))
        item = m(pk, sk)
        try:
            item.update(actions=actions, condition=condition)
        except UpdateError as exc:
            if _lost(exc):
                return None
            raise
        return int(item.n or 0)

    def delete(self, pk: str, sk: str) -> None:
        try:
            self.model(pk, sk).delete()
        except DeleteError as exc:  # pragma: no cover - DynamoDB deletes absent items silently
            if not _lost(exc):
                raise

    def transact(self, writes: Sequence[Write]) -> bool:
        try:
            with TransactWrite(connection=self.model._get_connection().connection) as tx:
                for item, cond in writes:
                    tx.save(self._model(item), condition=self.condition(cond))
        except TransactWriteError as exc:
            codes = {getattr(r, "code", None) for r in (exc.cancellation_reasons or [])}
            if "ConditionalCheckFailed" in codes:
                return False
            raise
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
        if not storable_key(pk, "-"):
            return ItemPage([], None)
        m = self.model
        sort = m.gsi1sk if index else m.sk
        condition: Condition | None = None
        if key is not None:
            parts: list[Condition] = []
            if key.prefix is not None:
                parts.append(sort.startswith(key.prefix))
            if key.low is not None and key.high is not None:
                parts.append(sort.between(key.low, key.high))
            elif key.low is not None:
                parts.append(sort >= key.low)
            elif key.high is not None:
                parts.append(sort <= key.high)
            if key.below is not None:
                parts.append(sort < key.below)
            if len(parts) > 1:  # DynamoDB allows one key condition on the sort key
                raise ValueError("one sort-key condition per query")
            condition = parts[0] if parts else None
        source = m.gsi1 if index else m
        results = source.query(
            pk,
            condition,
            scan_index_forward=not newest_first,
            limit=limit,
            page_size=limit,
            last_evaluated_key=decode_token(token, page_keys(index), ("gsi1pk" if index else "pk", pk)),
            consistent_read=not index,
        )
        items = [self.item_of(i) for i in results]
        more = limit is not None and len(items) >= limit
        return ItemPage(items, encode_token(results.last_evaluated_key) if more else None)
