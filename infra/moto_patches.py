"""Patches to moto 5.x DynamoDB / DynamoDB Streams for the local stack and the tests.

Call `apply()` once before moto serves its first request (idempotent). It fixes, at the source:

1. Memory that never comes back. `BaseModel.__new__` (moto/core/common_models.py) appends
   every model instance to a class-level `instances_tracked` list that nothing prunes. DynamoDB
   creates such instances all the time: an `Item` per write, per update (its "old image" copy),
   per Query/Scan result copy; a `StreamRecord` per change; a `ShardIterator` per GetRecords;
   and, worst, `transact_write_items` deep-copies the WHOLE table once per transaction item
   (items, stream records and all) as its rollback backup, and every one of those copies is
   tracked too. So each transaction pins k copies of the tables it touches: growth per
   transaction grows with the data (quadratic in total). DynamoDB models are no longer tracked
   (the only reader is the /moto-api/data.json dashboard).
2. The stall of long-lived stream iterators. A failed transaction "rolls back" by putting the
   backup copies in place of the live tables, so each table gets a new `StreamShard` object;
   a `ShardIterator` holds the shard object itself and hands the same object to its
   NextShardIterator, so a reader that started before the failure reads a detached shard
   forever (and sees the cancelled transaction's records). Transactions now keep the live
   tables: a journal of the touched items (one copy per item, not per table) is restored on
   failure, and stream records are published only on commit, so a cancelled transaction leaves
   no item and no record, and no reader ever sees one.
3. Unbounded streams. Records are kept 24 h (as DynamoDB Streams) with sequence numbers and
   iterators kept consistent across the trim (TrimmedDataAccessException for a trimmed position,
   TRIM_HORIZON = oldest kept record); shard iterators expire after 15 minutes as on AWS
   (ExpiredIteratorException) instead of being stored forever.
4. Concurrency. moto serves each request on its own thread without locking. One re-entrant
   lock covers every DynamoDB write, the item reads (no reader sees a transaction half applied
   or rolled back) and the stream reads (records are appended and trimmed under it). This
   is the only lock the emulator needs (`infra/emulator.py` applies these patches in `start_moto`).
   Waiting threads of the stack's own stream and schedule consumers (`deferred`) take it before
   waiting API requests: in the cloud each consumer is its own function with its own capacity,
   so the API's load must not hold the stream's side effects (audit, archive, SMS) behind it.
5. Change capture for the embedded stack's write-ahead journal (`set_sink`; infra/journal.py).
   Where: inside the backends, under LOCK, for DynamoDB. Every write operation (PutItem,
   UpdateItem, DeleteItem, each item of BatchWriteItem, TransactWriteItems, the PartiQL
   statements) notes the keys it wrote; when the outermost operation ends — still under LOCK, so
   journal order is commit order, a cancelled transaction notes nothing — the full current image
   (or the deletion) of each key is appended. moto's own models are the only place that knows a
   write committed and what the item became (an UpdateExpression, an ADD on a counter, a PartiQL
   UPDATE): the server layer sees requests, not results, and would have to re-read items it
   cannot name for batch and PartiQL requests. S3 (a new version, a delete marker, a deleted
   version, a changed retention or legal hold) is captured in the backend too but appended when
   its request ends, because moto sets the version's metadata after `put_object` returns; the
   version's own last-modified time orders versions of one key on replay. Cognito user changes
   and new KMS keys are re-read from the backend after a request that may have changed them.
   When: appending is cheap (os.write); the fdatasync runs once per request, after the
   backend released LOCK and before the response is sent (group commit: one sync covers every
   thread's appends), at moto's server layer (`call_action` / S3 `key_response`,
   `bucket_response`). A DynamoDB read (GetItem, Query, Scan, GetRecords …) that may have seen
   a change whose sync is still running waits for that sync before it answers, so no table
   change is visible — not to the API, not to the stream pump that sends SMS and webhooks —
   before it is on disk (an S3 GET may see a version while its put is still syncing).
6. Request routing. moto's server lists its own package directory from disk on every request to
   find the service; the list is read once.
7. Queries proportional to the partition. moto answers a Query by walking (and sorting) every item
   of the table (`Table.query` over `all_items()`), on the table's own key too (a ticket's events:
   each archive package and history read grew with the whole event table). A Query on the table's
   key now hands moto only `items[hash_key]`. On a global secondary index, the inbox's page, the
   sweep's shard page and the five confirmations' queue grow with the archive (≈0.4 s per Query at
   50,000 tickets) although DynamoDB reads only the partition. Each table keeps, once its first index
   Query asks for it, the items of every GSI partition (hash value → items), maintained by the same
   write hooks as 5. (PutItem, UpdateItem, DeleteItem and everything built on them, a cancelled
   transaction's restore, the local stack's restore); a Query then hands moto's own code only the
   partition's items, so its conditions, order, paging, projection and filters are moto's.
   Within the partition moto still sorted every item and sized each one it walked past (for the
   1 MB page limit) before the sort-key condition, so "the first event after a position" in a month
   of 4,300 events took 0.35 s under the lock (the `/health` lag check). moto now gets only the
   items that can be on the page (`_candidates`): those meeting the sort-key condition, after the
   exclusive start key, and of those the `Limit` + 1 first in moto's own order (heap selection).
   A GSI partition that a Query has read is then kept in moto's order (`_Order`: sorted pairs of
   order key and item key, updated by the same hooks as every change), so a page is found by binary
   search — the sort-key condition's span, the exclusive start key — and costs the page, not the
   partition: a filtered list's later pages at 50,000 tickets had taken ≈1.3 s each. Order keys are
   plain values (what moto's DynamoType comparisons compare: a number as Decimal, a string or
   binary as its text). The same holds for a partition of a table's own key (a search word's
   entries, a month's duplicate tokens). Partitions under `ORDER_FROM` items, multi-attribute
   keys and legacy QueryFilters keep the selection above.
8. Version listings in one pass. moto's `list_object_versions` deep-copies every version of every
   key of the bucket for each page it answers (quadratic in the archive: a snapshot of 40,000 audit
   copies made 1.6 million copies, held the interpreter for minutes and stalled the API); it reads
   them and never changes them, so the listing takes a plain list of the versions instead.
"""

from __future__ import annotations

import bisect
import contextlib
import copy
import functools
import heapq
import inspect
import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

STREAM_RETENTION = timedelta(hours=24)  # DynamoDB Streams: records are trimmed after 24 h
ITERATOR_TTL_S = 15 * 60.0  # DynamoDB Streams: a shard iterator expires after 15 minutes
RELEASED_RETENTION = timedelta(seconds=60)  # records a sole reader released (`release`) are kept this long


class ConsumersFirstLock:
    """A re-entrant lock; when it is freed, a waiting consumer thread (one inside `deferred`) is
    woken before any waiting request thread (4.)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._consumers = threading.Condition(self._mutex)
        self._requests = threading.Condition(self._mutex)
        self._owner: int | None = None
        self._depth = 0
        self._consumers_waiting = 0
        self._requests_waiting = 0

    def acquire(self) -> bool:
        me = threading.get_ident()
        with self._mutex:
            if self._owner == me:
                self._depth += 1
                return True
            if getattr(_cap, "defer", False):
                self._consumers_waiting += 1
                try:
                    while self._owner is not None:
                        self._consumers.wait()
                finally:
                    self._consumers_waiting -= 1
            else:
                self._requests_waiting += 1
                try:
                    while self._owner is not None or self._consumers_waiting:
                        self._requests.wait()
                finally:
                    self._requests_waiting -= 1
            self._owner, self._depth = me, 1
            return True

    def release(self) -> None:
        with self._mutex:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a lock this thread does not hold")
            self._depth -= 1
            if self._depth:
                return
            self._owner = None
            if self._consumers_waiting:
                self._consumers.notify()
            elif self._requests_waiting:
                self._requests.notify()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


LOCK = ConsumersFirstLock()  # all DynamoDB / Streams state changes and consistent reads

_BACKEND_LOCKED = (
    "put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item",
    "execute_statement", "execute_transaction", "batch_execute_statement",
    "create_table", "update_table", "delete_table", "get_item", "query", "scan",
)  # fmt: skip
_STREAMS_LOCKED = ("describe_stream", "get_shard_iterator", "get_records")
_BACKEND_CAPTURED = (
    "put_item", "update_item", "delete_item", "transact_write_items",
    "execute_statement", "execute_transaction", "batch_execute_statement", "get_item", "query", "scan",
)  # fmt: skip  # writes (journalled) and reads (wait for the sync of what they saw)
_ALL_OR_NOTHING = ("transact_write_items",)  # a cancelled transaction changed nothing (see 2.)

_tx = threading.local()  # .pending: stream changes of the running transaction, else None
_MARK = "_hotline_moto_patches"

Journal = list[tuple[Any, Any, Any, Any]]  # (table, hash key, range key, item before or None)


def apply() -> None:
    """Install all patches (idempotent)."""
    import moto.dynamodb.models as ddb
    import moto.dynamodbstreams.models as streams

    with LOCK:
        if getattr(ddb.DynamoDBBackend, _MARK, False):
            return
        _untrack_models()
        _patch_transactions(ddb)
        _patch_streams(streams)
        _note_item_writes(ddb)
        _lock_methods(ddb.DynamoDBBackend, _BACKEND_LOCKED)
        _lock_methods(streams.DynamoDBStreamsBackend, _STREAMS_LOCKED)
        _capture_items(ddb.DynamoDBBackend, _BACKEND_CAPTURED)
        _capture_items(streams.DynamoDBStreamsBackend, ("get_records",))
        _capture_objects()
        _request_scopes()
        _cache_module_list()
        _patch_index_queries(ddb)
        _patch_version_listing()
        setattr(ddb.DynamoDBBackend, _MARK, True)


def _cache_module_list() -> None:
    """The server routes every request by host through `list_of_moto_modules()`, which lists moto's
    package directory from disk (≈90 stat calls per request); the list never changes at run time."""
    from moto import backends

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules  # type: ignore[assignment]


_listing = threading.local()


class _S3Copy:
    """`copy` as moto's S3 models see it: inside `list_object_versions` (this thread only) the deep copy
    of every version of every key, made again for each page, is a list copy (see 8.)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(x: Any, memo: Any = None) -> Any:
        if getattr(_listing, "on", False) and isinstance(x, list):
            return list(x)
        return copy.deepcopy(x, memo)


def _patch_version_listing() -> None:
    import moto.s3.models as s3

    original: Callable[..., Any] = s3.S3Backend.list_object_versions

    @functools.wraps(original)
    def list_object_versions(self: Any, *args: Any, **kwargs: Any) -> Any:
        _listing.on = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _listing.on = False

    s3.copy = _S3Copy()  # type: ignore[assignment]
    s3.S3Backend.list_object_versions = list_object_versions  # type: ignore[method-assign]


# --------------------------------------------------------------------------- 1. tracking


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _untrack_models() -> None:
    """DynamoDB / Streams model instances live only as long as moto's state refers to them."""
    from moto.core.common_models import BaseModel

    todo: list[Any] = list(BaseModel.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith(("moto.dynamodb.", "moto.dynamodbstreams.")):
            cls.__new__ = staticmethod(_untracked_new)
            cls.instances_tracked = []


# --------------------------------------------------------------------------- 2. transactions


def _table_deepcopy(self: Any, memo: dict[int, Any]) -> Any:
    # Inside a transaction this is moto's whole-table rollback backup: hand back the live table
    # (its "restore" becomes a no-op that keeps the table and its stream shard); the journal in
    # transact_write_items undoes the writes. Anywhere else (backups): a real deep copy.
    if getattr(_tx, "pending", None) is not None:
        return self
    clone = object.__new__(type(self))
    memo[id(self)] = clone
    clone.__dict__.update(copy.deepcopy(self.__dict__, memo))
    return clone


def _journal(backend: Any, transact_items: list[dict[str, Any]]) -> Journal:
    """A copy of every item the transaction may write, as it is before the transaction."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    journal: Journal = []
    for entry in transact_items:
        try:
            op_type, op = next(iter(entry.items()))
            if op_type == "ConditionCheck":
                continue
            table = backend.get_table(op["TableName"])
            key = op.get("Key") or op["Item"]
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            before = table.get_item(hash_key, range_key)
        except Exception:  # noqa: BLE001 - malformed entry: moto rejects it before writing
            continue
        journal.append((table, hash_key, range_key, copy.deepcopy(before)))
    return journal


def _restore(journal: Journal) -> None:
    """Put every journalled item back as it was (without stream records: nothing happened)."""
    for table, hash_key, range_key, before in reversed(journal):
        _restore_item(table, hash_key, range_key, before)
        reindex(table, hash_key, range_key)


def _restore_item(table: Any, hash_key: Any, range_key: Any, before: Any) -> None:
    if range_key is None:
        if before is None:
            table.items.pop(hash_key, None)
        else:
            table.items[hash_key] = before
    elif before is None:
        table.items.get(hash_key, {}).pop(range_key, None)
    else:
        table.items[hash_key][range_key] = before


def _patch_transactions(ddb: Any) -> None:
    original: Callable[..., None] = ddb.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with LOCK:
            journal = _journal(self, transact_items)
            pending: list[tuple[Any, Any, Any]] = []
            _tx.pending = pending
            try:
                original(self, transact_items)  # moto's checks, writes and cancellation reasons
            except BaseException:
                _restore(journal)
                raise
            finally:
                _tx.pending = None
            for shard, old, new in pending:  # committed: publish in write order
                shard.add(old, new)

    ddb.Table.__deepcopy__ = _table_deepcopy
    ddb.DynamoDBBackend.transact_write_items = transact_write_items


# --------------------------------------------------------------------------- 3. streams


def _stream_error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _trimmed_error() -> Exception:
    return _stream_error(
        "TrimmedDataAccessException",
        "The operation attempted to read past the oldest stream record in a shard.",
    )


def _first_seq(shard: Any) -> int:
    """Sequence number of the oldest record still kept (moto numbers from its first record)."""
    return int(shard.starting_sequence_number) + getattr(shard, "trimmed", 0)


def _trim(shard: Any) -> None:
    """Drop the records older than STREAM_RETENTION, and those a consumer released (`release`) once
    they are older than RELEASED_RETENTION (records are in time and sequence order)."""
    from moto.core.utils import utcnow

    now = utcnow()
    cutoff, released_cutoff = now - STREAM_RETENTION, now - RELEASED_RETENTION
    released = getattr(shard, "released", -1)
    first = _first_seq(shard)
    n = 0
    for record in shard.items:
        created = record.record["dynamodb"]["ApproximateCreationDateTime"]
        if created >= cutoff and not (first + n <= released and created < released_cutoff):
            break
        n += 1
    if n:
        del shard.items[:n]
        shard.trimmed = getattr(shard, "trimmed", 0) + n


def release(stream_arn: str, shard_id: str, sequence_number: str) -> None:
    """The only reader of a stream has handled it up to `sequence_number`: those records may go after
    RELEASED_RETENTION instead of 24 h (the embedded stack's pump, so memory follows what is unread)."""
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    _, _, _, region, account, _ = stream_arn.split(":", 5)
    with LOCK:
        table = dynamodbstreams_backends[account][region]._get_table_from_arn(stream_arn)  # moto's own lookup
        shard = table.stream_shard
        if shard is not None and shard.id == shard_id:
            shard.released = max(getattr(shard, "released", -1), int(sequence_number))


def _shard_add(self: Any, old: Any, new: Any) -> None:
    """StreamShard.add: deferred inside a transaction; numbered past the trimmed records."""
    from moto.awslambda.utils import get_backend
    from moto.dynamodb.models.table import StreamRecord

    pending = getattr(_tx, "pending", None)
    if pending is not None:
        pending.append((self, old, new))
        return
    _trim(self)
    event = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    view = self.table.stream_specification["StreamViewType"]
    self.items.append(StreamRecord(self.table, view, event, old, new, _first_seq(self) + len(self.items)))
    result = None  # moto's own Lambda event-source mappings, as moto forwards them
    for arn, esm in self.table.lambda_event_source_mappings.items():
        lambda_backend = get_backend(self.account_id, arn.split(":")[3])
        result = lambda_backend.send_dynamodb_items(arn, self.items, esm.event_source_arn)
    if result:
        self.trimmed = getattr(self, "trimmed", 0) + len(self.items)
        self.items = []


def _shard_get(self: Any, start: int, quantity: int) -> list[dict[str, Any]]:
    """StreamShard.get: records from sequence number `start`, which must not be trimmed."""
    _trim(self)
    if start < _first_seq(self):
        raise _trimmed_error()
    offset = start - _first_seq(self)
    return [record.to_json() for record in self.items[offset : offset + quantity]]


def _forget_expired(backend: Any) -> None:
    """Drop iterators older than ITERATOR_TTL_S (dict order is creation order)."""
    deadline = time.monotonic() - ITERATOR_TTL_S
    stored = backend.shard_iterators
    while stored:
        oldest = next(iter(stored))
        if getattr(stored[oldest], "created", 0.0) > deadline:
            return
        del stored[oldest]


def _get_records(self: Any, iterator_arn: str, limit: int) -> dict[str, Any]:
    """DynamoDBStreamsBackend.get_records with AWS's 15-minute iterator lifetime."""
    _forget_expired(self)
    iterator = self.shard_iterators.get(iterator_arn)
    if iterator is None:
        raise _stream_error(
            "ExpiredIteratorException",
            "The shard iterator has expired and can no longer be used to retrieve stream records.",
        )
    result: dict[str, Any] = iterator.get(limit)
    return result


def _patch_streams(streams: Any) -> None:
    shard_cls: Any = streams.StreamShard  # moto.dynamodb.models.table.StreamShard

    init: Callable[..., None] = streams.ShardIterator.__init__

    @functools.wraps(init)
    def iterator_init(self: Any, backend: Any, shard: Any, kind: str, seq: int | None = None) -> None:
        _trim(shard)  # TRIM_HORIZON = the oldest record kept now
        init(self, backend, shard, kind, seq)
        self.created = time.monotonic()
        if kind in ("TRIM_HORIZON", "LATEST"):  # moto counts from the first record ever written
            self.sequence_number += getattr(shard, "trimmed", 0)
        elif self.sequence_number < _first_seq(shard):
            raise _trimmed_error()

    get_shard_iterator: Callable[..., Any] = streams.DynamoDBStreamsBackend.get_shard_iterator

    @functools.wraps(get_shard_iterator)
    def get_shard_iterator_(self: Any, *args: Any, **kwargs: Any) -> Any:
        _forget_expired(self)
        return get_shard_iterator(self, *args, **kwargs)

    shard_cls.add = _shard_add
    shard_cls.get = _shard_get
    streams.ShardIterator.__init__ = iterator_init
    streams.DynamoDBStreamsBackend.get_shard_iterator = get_shard_iterator_
    streams.DynamoDBStreamsBackend.get_records = _get_records


# --------------------------------------------------------------------------- 4. locking


def _lock_methods(cls: type, names: tuple[str, ...]) -> None:
    for name in names:
        original = getattr(cls, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def locked(self: Any, *args: Any, _original: Callable[..., Any] = original, **kwargs: Any) -> Any:
            with LOCK:
                return _original(self, *args, **kwargs)

        setattr(cls, name, locked)


# --------------------------------------------------------------------------- 5. change capture


class ChangeSink(Protocol):
    """Where captured changes go (infra/journal.py's Journal)."""

    def append(self, entries: list[dict[str, Any]]) -> int:
        """Append changes; the position after them (0: nothing appended)."""

    def position(self) -> int:
        """The position after everything appended so far."""

    def sync(self, position: int) -> None:
        """Return once everything up to `position` is durable."""

    def changed(self, service: str) -> int:
        """Re-read a service's records ("cognito-idp", "kms"); append what changed; the position."""

    def blob(self, body: bytes) -> Path | None:
        """The file that holds an appended object body (None: the sink keeps no such file)."""


@dataclass
class _Scope:
    """What one request changed outside DynamoDB, and the journal position it must wait for."""

    position: int = 0
    objects: list[tuple[str, str, Any]] = field(default_factory=list)  # (kind, bucket, FakeKey | marker | key)
    services: set[str] = field(default_factory=set)


_sink: ChangeSink | None = None
_cap = threading.local()  # .touched: keys written by the running DynamoDB operation; .scope: the request;
# .defer: the thread's requests are the process's own consumers (`deferred`)
_public = 0  # journal position after the newest DynamoDB change of a request that was not deferred


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Requests this thread makes inside are the embedded stack's own stream and schedule consumers.

    Their changes are journalled as any other, but not synced one request at a time: they become
    durable at the next `flush` (the stream pump flushes before it moves its watermark, the timers
    after each schedule run), or with any other request's sync. Nothing is acknowledged to a client
    before that flush, and after a crash the pump redelivers every event after its watermark, so a
    consumer's lost changes are made again. What such a request reads still waits for the changes
    of the requests that were not deferred (the API's) where it is a stream read: no side effect is
    built on a stream record that is not yet on disk.
    """
    previous = getattr(_cap, "defer", False)
    _cap.defer = True
    try:
        yield
    finally:
        _cap.defer = previous


def flush() -> None:
    """Make every change journalled so far durable (one sync for all the deferred requests)."""
    sink = _sink
    if sink is not None:
        sink.sync(sink.position())


def set_sink(sink: ChangeSink | None) -> None:
    """Send every change of this process's moto backends to `sink` from now on (None: stop)."""
    global _sink
    with LOCK:
        _sink = sink


def _touch(table: Any, hash_key: Any, range_key: Any) -> None:
    touched = getattr(_cap, "touched", None)
    if touched is not None:
        touched.append((table, hash_key, range_key))


def _note_item_writes(ddb: Any) -> None:
    """Table.put_item / delete_item and UpdateItem note the key they wrote."""
    put: Callable[..., Any] = ddb.Table.put_item
    delete: Callable[..., Any] = ddb.Table.delete_item
    update: Callable[..., Any] = ddb.DynamoDBBackend.update_item

    @functools.wraps(put)
    def put_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        item = put(self, *args, **kwargs)
        _touch(self, item.hash_key, item.range_key)
        reindex(self, item.hash_key, item.range_key)
        return item

    @functools.wraps(delete)
    def delete_item(self: Any, hash_key: Any, range_key: Any = None) -> Any:
        item = delete(self, hash_key, range_key)
        if item is not None:
            _touch(self, hash_key, range_key)
            reindex(self, hash_key, range_key)
        return item

    @functools.wraps(update)
    def update_item(self: Any, table_name: str, *args: Any, **kwargs: Any) -> Any:
        item = update(self, table_name, *args, **kwargs)  # updates in place: no Table.put_item
        table = self.get_table(table_name)
        _touch(table, item.hash_key, item.range_key)
        reindex(table, item.hash_key, item.range_key)
        return item

    ddb.Table.put_item = put_item
    ddb.Table.delete_item = delete_item
    ddb.DynamoDBBackend.update_item = update_item


def _item_entries(touched: list[tuple[Any, Any, Any]]) -> list[dict[str, Any]]:
    """The current image (None: deleted) of every key written, once per key, in write order."""
    last: dict[tuple[int, Any, Any], tuple[Any, Any, Any]] = {}
    for table, hash_key, range_key in touched:
        ident = (id(table), hash_key, range_key)
        last.pop(ident, None)
        last[ident] = (table, hash_key, range_key)
    entries = []
    for table, hash_key, range_key in last.values():
        key = {table.hash_key_attr: hash_key.to_json()}
        if range_key is not None:
            key[table.range_key_attr] = range_key.to_json()
        item = table.get_item(hash_key, range_key)
        image = item.to_json()["Attributes"] if item is not None else None
        entries.append({"t": "item", "table": table.name, "key": key, "image": image})
    return entries


def _appended(sink: ChangeSink, stream_read: bool) -> int:
    """Journal what the outermost operation wrote (under LOCK); the position it must wait for."""
    global _public
    touched, _cap.touched = _cap.touched, None
    position = sink.append(_item_entries(touched)) if touched else sink.position()
    if getattr(_cap, "defer", False):
        # A consumer's own changes wait for flush(); of the API's, only what a stream read hands
        # out: the records a consumer acts on (texts, webhooks, copies) are on disk first.
        return min(position, _public) if stream_read else 0
    if touched:
        _public = max(_public, position)
    return position


def _durable(sink: ChangeSink, position: int) -> None:
    """Sync now, or when the running request ends (before its response)."""
    scope: _Scope | None = getattr(_cap, "scope", None)
    if scope is not None:
        scope.position = max(scope.position, position)
    elif position:
        sink.sync(position)


def _capture_items(cls: type, names: tuple[str, ...]) -> None:
    """Outermost wrapper of the DynamoDB operations: journal what the operation wrote (under LOCK,
    in commit order), then make sure nothing it wrote or read is answered before it is durable."""
    for name in names:
        original = getattr(cls, name, None)
        if original is None:
            continue

        @functools.wraps(original)
        def captured(
            self: Any, *args: Any, _original: Callable[..., Any] = original, _atomic: bool = name in _ALL_OR_NOTHING,
            _stream_read: bool = name == "get_records", **kwargs: Any,
        ) -> Any:  # fmt: skip
            sink = _sink
            if sink is None:
                return _original(self, *args, **kwargs)
            position = 0
            try:
                with LOCK:
                    outer = getattr(_cap, "touched", None) is None
                    if outer:
                        _cap.touched = []
                    mark = len(_cap.touched)
                    try:
                        return _original(self, *args, **kwargs)
                    except BaseException:
                        if _atomic:
                            del _cap.touched[mark:]  # cancelled: nothing of it happened
                        raise
                    finally:
                        if outer:
                            position = _appended(sink, _stream_read)
            finally:
                if position:
                    _durable(sink, position)

        setattr(cls, name, captured)


# S3: versions and delete markers are noted in the backend, journalled when the request ends.


def _note_object(kind: str, bucket: str, obj: Any) -> None:
    sink = _sink
    if sink is None:
        return
    scope: _Scope | None = getattr(_cap, "scope", None)
    if scope is not None:
        scope.objects.append((kind, bucket, obj))
    else:  # called outside a request (in-process use of the backend): journal it now
        sink.sync(_append_objects(sink, [(kind, bucket, obj)]))


def _append_objects(sink: ChangeSink, changes: list[tuple[str, str, Any]]) -> int:
    """Journal S3 changes; a new version's body then lives in its journal blob, not in memory."""
    position = sink.append([_object_entry(*change) for change in changes])
    for kind, _bucket, obj in changes:
        if kind == "object":
            with obj.lock:
                buffer = obj._value_buffer
                if isinstance(buffer, BlobBody):
                    continue
                buffer.seek(0)
                path = sink.blob(buffer.read())
                if path is not None:
                    obj._value_buffer = BlobBody(path)
                    buffer.close()
    return position


class BlobBody:
    """A moto FakeKey's body read from the journal's content-addressed blob file on demand.

    moto keeps every object body in memory (a SpooledTemporaryFile of up to 16 MB each): the audit
    copies and archive packages of `make run` would grow its memory with every event. The journal
    has already written each body to `blobs/<sha256>` (immutable, kept while any version or journal
    entry refers to it), so the key reads it from there. Rewriting a body (moto never does for a
    stored version) moves it back to memory.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self.memory: io.BytesIO | None = None

    def seek(self, offset: int, whence: int = 0) -> int:
        if self.memory is not None:
            return self.memory.seek(offset, whence)
        size = self.path.stat().st_size
        self.offset = {0: offset, 1: self.offset + offset, 2: size + offset}[whence]
        return self.offset

    def tell(self) -> int:
        return self.memory.tell() if self.memory is not None else self.offset

    def read(self, size: int = -1) -> bytes:
        if self.memory is not None:
            return self.memory.read(size)
        with self.path.open("rb") as fh:
            fh.seek(self.offset)
            data = fh.read() if size is None or size < 0 else fh.read(size)
        self.offset += len(data)
        return data

    def truncate(self, size: int | None = None) -> int:
        if self.memory is None:
            self.seek(0)
            self.memory = io.BytesIO(self.read())
        return self.memory.truncate(size)

    def write(self, data: bytes) -> int:
        if self.memory is None:
            self.truncate()
        assert self.memory is not None
        return self.memory.write(data)

    def close(self) -> None:
        if self.memory is not None:
            self.memory.close()


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _object_entry(kind: str, bucket: str, obj: Any) -> dict[str, Any]:
    """A journal entry of an S3 version (its state now), a delete marker or a deleted version."""
    if kind == "version_deleted":
        key, version_id = obj
        return {"t": kind, "bucket": bucket, "key": key, "version_id": version_id}
    if kind == "delete_marker":
        return {"t": kind, "bucket": bucket, "key": obj.name, "version_id": obj.version_id,
                "last_modified": _iso(obj.last_modified)}  # fmt: skip
    meta = dict(obj.metadata)
    return {
        "t": "object",
        "bucket": bucket,
        "key": obj.name,
        "version_id": obj.version_id,
        "body": obj.value,
        "last_modified": _iso(obj.last_modified),
        "content_type": meta.pop("Content-Type", None),
        "metadata": {k[len("x-amz-meta-") :]: v for k, v in meta.items() if k.lower().startswith("x-amz-meta-")},
        "headers": {k: v for k, v in meta.items() if not k.lower().startswith("x-amz-meta-")},
        "storage": obj.storage_class,
        "encryption": obj.encryption,
        "kms_key_id": obj.kms_key_id,
        "bucket_key_enabled": obj.bucket_key_enabled,
        "lock_mode": obj.lock_mode,
        "retain_until": obj.lock_until,
        "legal_hold": obj.lock_legal_status,
        "checksum_algorithm": obj.checksum_algorithm,
        "checksum_value": obj.checksum_value,
    }


def _capture_objects() -> None:
    """S3Backend: new versions (put, copy, multipart), delete markers, deleted versions, lock changes."""
    from moto.s3.models import S3Backend

    put: Callable[..., Any] = S3Backend.put_object
    marker: Callable[..., Any] = S3Backend._set_delete_marker
    delete: Callable[..., Any] = S3Backend.delete_object

    @functools.wraps(put)
    def put_object(self: Any, bucket_name: str, key_name: str, *args: Any, **kwargs: Any) -> Any:
        key = put(self, bucket_name, key_name, *args, **kwargs)
        _note_object("object", bucket_name, key)
        return key

    @functools.wraps(marker)
    def set_delete_marker(self: Any, bucket_name: str, key_name: str) -> Any:
        found = marker(self, bucket_name, key_name)
        _note_object("delete_marker", bucket_name, found)
        return found

    @functools.wraps(delete)
    def delete_object(self: Any, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False) -> Any:  # fmt: skip
        versioned = self.get_bucket(bucket_name).is_versioned
        done, meta = delete(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        if done and (version_id is not None or not versioned):
            _note_object("version_deleted", bucket_name, (key_name, version_id or "null"))
        return done, meta

    S3Backend.put_object = put_object  # type: ignore[method-assign]
    S3Backend._set_delete_marker = set_delete_marker  # type: ignore[method-assign]
    S3Backend.delete_object = delete_object  # type: ignore[method-assign]
    for name in ("put_object_retention", "put_object_legal_hold"):
        _capture_lock_change(S3Backend, name)


def _capture_lock_change(cls: Any, name: str) -> None:
    original: Callable[..., Any] = getattr(cls, name)

    @functools.wraps(original)
    def changed(self: Any, bucket_name: str, key_name: str, version_id: str | None, *args: Any) -> None:
        original(self, bucket_name, key_name, version_id, *args)
        _note_object("object", bucket_name, self.get_object(bucket_name, key_name, version_id=version_id))

    setattr(cls, name, changed)


# Requests: one scope per request; its captured S3 and service changes are journalled and synced at
# its end, before the response is sent.

_READ_ONLY_IDP = ("Get", "List", "Describe", "AdminGet", "AdminList", "InitiateAuth", "AdminInitiateAuth")
_KMS_KEY_ACTIONS = ("CreateKey", "ReplicateKey", "ImportKeyMaterial")


def _end_scope(sink: ChangeSink, scope: _Scope) -> None:
    position = scope.position
    if getattr(_cap, "defer", False):
        if scope.objects:  # journalled now, durable at the next flush()
            _append_objects(sink, scope.objects)
        for service in sorted(scope.services):
            sink.changed(service)
        if position:
            sink.sync(position)
        return
    if scope.objects:
        position = max(position, _append_objects(sink, scope.objects))
    for service in sorted(scope.services):
        position = max(position, sink.changed(service))
    if position:
        sink.sync(position)


def _scoped(original: Callable[..., Any], service: str | None = None) -> Callable[..., Any]:
    @functools.wraps(original)
    def in_scope(self: Any, *args: Any, **kwargs: Any) -> Any:
        sink = _sink
        if sink is None or getattr(_cap, "scope", None) is not None:
            return original(self, *args, **kwargs)
        scope = _Scope()
        _cap.scope = scope
        try:
            result = original(self, *args, **kwargs)
            if service is not None and _may_change(service, self._get_action() or ""):
                scope.services.add(service)
            return result
        finally:
            _cap.scope = None
            _end_scope(sink, scope)

    return in_scope


def _may_change(service: str, action: str) -> bool:
    if service == "kms":
        return action in _KMS_KEY_ACTIONS
    return not action.startswith(_READ_ONLY_IDP)


def _request_scopes() -> None:
    from moto.cognitoidp.responses import CognitoIdpResponse
    from moto.dynamodb.responses import DynamoHandler
    from moto.kms.responses import KmsResponse
    from moto.s3.responses import S3Response

    DynamoHandler.call_action = _scoped(DynamoHandler.call_action)  # type: ignore[method-assign]
    S3Response.key_response = _scoped(S3Response.key_response)  # type: ignore[method-assign]
    S3Response.bucket_response = _scoped(S3Response.bucket_response)  # type: ignore[method-assign]
    CognitoIdpResponse.call_action = _scoped(CognitoIdpResponse.call_action, "cognito-idp")  # type: ignore[method-assign]
    KmsResponse.call_action = _scoped(KmsResponse.call_action, "kms")  # type: ignore[method-assign]


# --------------------------------------------------------------------------- 7. index queries


class _Partitions:
    """A table's GSI partitions: index → hash value → {item key: item}, and item key → {index: hash value}."""

    def __init__(self, table: Any) -> None:
        self.hash_attr: dict[str, str] = {}
        for index in table.global_indexes:
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            if len(hashes) == 1:
                self.hash_attr[index.name] = hashes[0]
        self.parts: dict[str, dict[Any, dict[Any, Any]]] = {name: {} for name in self.hash_attr}
        self.where: dict[Any, dict[str, Any]] = {}
        self.orders: dict[tuple[str, Any], _Order] = {}  # the partitions a Query has read, kept in order
        self.sort_keys = {name: _SortKeys.of(table, name) for name in self.hash_attr}
        self.table = table
        self.own_keys = _SortKeys.of(table, None)
        for item in table.all_items() if self.hash_attr else ():  # a table without GSIs: nothing to walk
            self.place((item.hash_key, item.range_key), item)

    def place(self, ident: Any, item: Any) -> None:
        """Index `item` under key `ident` (None: the item is gone)."""
        own = self.orders.get((TABLE_KEY, ident[0]))  # the table's own partition, when kept in order
        if own is not None:
            own.remove(ident)
            if item is not None:
                own.add(ident, item)
        self._leave(ident)
        if item is None:
            return
        placed = {}
        for name, attr in self.hash_attr.items():
            value = item.attrs.get(attr)
            if value is not None:
                self.parts[name].setdefault(value, {})[ident] = item
                placed[name] = value
                order = self.orders.get((name, value))
                if order is not None:
                    order.add(ident, item)
        if placed:
            self.where[ident] = placed

    def _leave(self, ident: Any) -> None:
        """Take the item under `ident` out of every GSI partition (and its kept order)."""
        for name, value in self.where.pop(ident, {}).items():
            part = self.parts[name].get(value)
            if part is None:
                continue
            part.pop(ident, None)
            order = self.orders.get((name, value))
            if order is not None:
                order.remove(ident)
            if not part:
                del self.parts[name][value]
                self.orders.pop((name, value), None)

    def order(self, name: str, value: Any) -> _Order | None:
        """The partition's items in moto's order, built when a Query first needs it (None: an index
        with multi-attribute keys, no such partition, or one too small to be worth keeping)."""
        found = self.orders.get((name, value))
        if found is None:
            keys, part = self.sort_keys.get(name), self.parts[name].get(value)
            if keys is None or part is None or len(part) < ORDER_FROM:
                return None
            found = self.orders[(name, value)] = _Order(keys, part)
        return found

    def own_order(self, hash_key: Any) -> _Order | None:
        """The table's own partition under `hash_key` in its sort key's order (None: no such partition,
        or one too small to be worth keeping). An emptied partition keeps an empty order."""
        found = self.orders.get((TABLE_KEY, hash_key))
        if found is None:
            bucket = self.table.items.get(hash_key)
            if bucket is None or len(bucket) < ORDER_FROM:
                return None
            part = {(item.hash_key, item.range_key): item for item in bucket.values()}
            found = self.orders[(TABLE_KEY, hash_key)] = _Order(self.own_keys, part)
        return found


class _Order:
    """One partition (of a GSI, or of the table's own key) in moto's order: (order key, item key) pairs,
    sorted, kept so as items change (an item without the index's sort key is not in the index)."""

    def __init__(self, keys: _SortKeys, part: dict[Any, Any]) -> None:
        self.keys = keys
        self.of: dict[Any, Any] = {}
        # where the sort key's value sits in an order key (None: the order key is that value itself)
        self.range_at = keys.order.index(keys.range_attr) if keys.range_attr in keys.order else None
        for ident, item in part.items():
            key = self._key(item)
            if key is not None:
                self.of[ident] = key
        self.pairs = sorted(((key, ident) for ident, key in self.of.items()), key=_first)

    def _key(self, item: Any) -> Any:
        if self.keys.range_attr is not None and item.attrs.get(self.keys.range_attr) is None:
            return None
        return self.keys.key(item)

    def add(self, ident: Any, item: Any) -> None:
        key = self._key(item)
        if key is not None:
            self.of[ident] = key
            bisect.insort(self.pairs, (key, ident), key=_first)

    def remove(self, ident: Any) -> None:
        key = self.of.pop(ident, None)
        if key is not None:
            at = bisect.bisect_left(self.pairs, key, key=_first)
            del self.pairs[at]  # order keys are unique: this is the item's own pair

    def span(self, comparison: str, objs: list[Any]) -> tuple[int, int] | None:
        """[lo, hi) of the pairs meeting a sort-key condition (None: one this order does not answer)."""
        if self.keys.on_index and self.range_at is None:
            return None
        at, pairs = self.range_at, self.pairs
        values = [_plain(o) for o in objs]
        value_of: Callable[[tuple[Any, Any]], Any] = _first if at is None else (lambda p: p[0][at])

        def left(v: Any) -> int:
            return bisect.bisect_left(pairs, v, key=value_of)

        def right(v: Any) -> int:
            return bisect.bisect_right(pairs, v, key=value_of)

        if comparison == "BEGINS_WITH":
            prefix = values[0]  # strings with the prefix lie between it and the prefix's successor
            if not isinstance(prefix, str) or not prefix or prefix[-1] == chr(0x10FFFF):
                return None
            values = [prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)]
        spans = _SPANS.get(comparison)
        try:
            return None if spans is None else spans(left, right, len(pairs), values)
        except TypeError:  # a value of another type than the sort key's: moto answers it
            return None


ORDER_FROM = 64  # a partition is kept in order from this many items on (smaller: a selection costs less)
TABLE_KEY = ""  # the kept orders' name for the table's own key (index names are never empty)
Bisect = Callable[[Any], int]
_SPANS: dict[str, Callable[[Bisect, Bisect, int, list[Any]], tuple[int, int]]] = {
    "EQ": lambda left, right, n, v: (left(v[0]), right(v[0])),
    "LT": lambda left, right, n, v: (0, left(v[0])),
    "LE": lambda left, right, n, v: (0, right(v[0])),
    "GT": lambda left, right, n, v: (right(v[0]), n),
    "GE": lambda left, right, n, v: (left(v[0]), n),
    "BETWEEN": lambda left, right, n, v: (left(v[0]), right(v[1])),
    "BEGINS_WITH": lambda left, right, n, v: (left(v[0]), left(v[1])),  # v: the prefix and its successor
}
_SPANS.update({"=": _SPANS["EQ"], "<": _SPANS["LT"], "<=": _SPANS["LE"], ">": _SPANS["GT"], ">=": _SPANS["GE"]})


def _partitions(table: Any) -> _Partitions:
    """The table's partitions, made by the first Query that needs them."""
    partitions: _Partitions | None = table.__dict__.get("_hotline_partitions")
    if partitions is None:
        partitions = table._hotline_partitions = _Partitions(table)
    return partitions


def _gsi_value(partitions: _Partitions, call: dict[str, Any]) -> Any:
    """The hash value a GSI Query names (None: not one hash condition on the index's one hash key)."""
    conditions = call.get("hash_key_conditions") or []
    attr = partitions.hash_attr.get(call["index_name"])
    if attr is None or len(conditions) != 1 or conditions[0][0] != attr:
        return None
    return conditions[0][1]


def _partition(table: Any, call: dict[str, Any]) -> list[Any] | None:
    """The items of the queried partition (None: a query this patch leaves to moto's whole walk)."""
    if call.get("index_name") is None:  # the table's own key: the partition is moto's `items[hash_key]`
        hash_key = call.get("hash_key")
        if hash_key is None:
            return None
        bucket = table.items.get(hash_key)
        return [] if bucket is None else list(bucket.values()) if table.range_key_attr else [bucket]
    partitions = _partitions(table)
    value = _gsi_value(partitions, call)
    return None if value is None else list(partitions.parts[call["index_name"]].get(value, {}).values())


def _kept_order(table: Any, call: dict[str, Any]) -> tuple[_Order, Callable[[Any], Any]] | None:
    """The queried partition's kept order (built by the first Query that needs it) and how an item key
    finds its item. None: a query `_candidates` answers (a small or missing partition among them)."""
    if call.get("filter_kwargs") or len(call.get("range_key_conditions") or []) > 1:
        return None
    partitions = _partitions(table)
    index_name = call.get("index_name")
    if index_name is None:  # the table's own key
        hash_key = call.get("hash_key")
        if hash_key is None or table.range_key_attr is None:
            return None
        own = partitions.own_order(hash_key)
        bucket = table.items.get(hash_key, {})  # moto's items of the partition, by sort key
        return None if own is None else (own, lambda ident: bucket[ident[1]])
    value = _gsi_value(partitions, call)
    order = None if value is None else partitions.order(index_name, value)
    return None if order is None else (order, partitions.parts[index_name][value].__getitem__)


def _ordered(table: Any, call: dict[str, Any]) -> list[Any] | None:
    """The items that can be on a Query's page, read from the partition's kept order (binary search
    for the sort-key condition and the start key, then `Limit` + 1 items): a page costs the page,
    whatever the partition's size. None: a query this leaves to `_candidates`."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    found = _kept_order(table, call)
    if found is None:
        return None
    order, item_of = found
    pairs, keys = order.pairs, order.keys
    span = (0, len(pairs))
    if call.get("range_comparison"):
        span = order.span(call["range_comparison"], call.get("range_objs") or [])
        if span is None:
            return None
    lo, hi = span
    forward = call.get("scan_index_forward") is not False
    start = call.get("exclusive_start_key")
    if start:
        if any(start.get(name) is None for name in keys.order):
            return None
        bound = keys.bound({name: DynamoType(start[name]) for name in keys.order})
        if lo < hi and forward:
            lo = max(lo, bisect.bisect_right(pairs, bound, lo, hi, key=_first))
        elif lo < hi:
            hi = min(hi, bisect.bisect_left(pairs, bound, lo, hi, key=_first))
    limit = call.get("limit")
    if isinstance(limit, int) and limit > 0 and hi - lo > limit + 1:
        lo, hi = (lo, lo + limit + 1) if forward else (hi - limit - 1, hi)
    return [item_of(ident) for _, ident in pairs[lo:hi]] if lo < hi else []


def _candidates(table: Any, call: dict[str, Any], part: list[Any]) -> list[Any]:
    """The partition's items that can be on the page, in any order: those meeting the sort-key
    condition, after the exclusive start key, and of those the first `Limit` + 1 in moto's order
    (the one more tells moto there is a next page). moto then answers over these exactly as over the
    partition: each step keeps every item moto's walk would reach before the page ends."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    index_name = call.get("index_name")
    if call.get("filter_kwargs") or len(call.get("range_key_conditions") or []) > 1 or len(part) <= 1:
        return part
    keys = _SortKeys.of(table, index_name)
    if keys is None:
        return part
    if keys.range_attr is not None:  # as moto: an item without the index's sort key is not in the index
        part = [item for item in part if item.attrs.get(keys.range_attr) is not None]
    comparison = call.get("range_comparison")
    if comparison:
        if index_name is not None and keys.range_attr is None:
            return part  # moto answers this one (an error: no sort key to compare)
        objs = call.get("range_objs") or []
        part = [item for item in part if keys.range_value(item).compare(comparison, objs)]
    forward = call.get("scan_index_forward") is not False
    start = call.get("exclusive_start_key")
    limit = call.get("limit")
    if start and any(start.get(name) is None for name in keys.order):
        return part
    if not start and not (isinstance(limit, int) and 0 < limit < len(part)):
        return part
    # each item's order key once, as plain values (moto compares DynamoTypes by these)
    keyed = [(keys.key(item), item) for item in part]
    if start:
        bound = keys.bound({name: DynamoType(start[name]) for name in keys.order})
        keyed = [pair for pair in keyed if (pair[0] > bound if forward else pair[0] < bound)]
    if isinstance(limit, int) and 0 < limit < len(keyed):
        pick = heapq.nsmallest if forward else heapq.nlargest
        keyed = pick(limit + 1, keyed, key=_first)  # order keys are unique: items are never compared
    return [item for _, item in keyed]


def _first(pair: tuple[Any, Any]) -> Any:
    return pair[0]


def _plain(value: Any) -> Any:
    """A key attribute's value as moto orders it (`DynamoType.cast_value` of a scalar: a number as
    Decimal, a string or binary as its text), computed without building DynamoTypes."""
    if value is None:  # a table without a sort key: one item per partition
        return None
    return Decimal(value.value) if value.type == "N" else value.value


@dataclass(frozen=True)
class _SortKeys:
    """How moto orders a query's items: by the table's sort key, or on an index by the attributes
    `Table._generate_attr_to_sort_by` names (index keys, then the table's keys)."""

    order: list[str]
    range_attr: str | None  # the index's sort key (None on the table's own key or an index without one)
    on_index: bool

    @staticmethod
    def of(table: Any, index_name: str | None) -> _SortKeys | None:
        if index_name is None:
            return _SortKeys([table.hash_key_attr, table.range_key_attr], None, False)
        index = table.get_index(index_name)
        hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
        ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
        if len(hashes) != 1 or len(ranges) > 1:
            return None  # multi-attribute keys: moto's own walk
        sort_attrs = [ranges[0] if ranges else table.range_key_attr or table.hash_key_attr, table.range_key_attr]
        order = table._generate_attr_to_sort_by([*hashes, table.hash_key_attr], sort_attrs)
        return _SortKeys(order, ranges[0] if ranges else None, True)

    def key(self, item: Any) -> Any:
        """The item's place in moto's order, as plain values (`_plain`)."""
        if not self.on_index:
            return _plain(item.range_key)
        attrs = item.attrs
        return tuple([_plain(attrs[name]) for name in self.order])

    def range_value(self, item: Any) -> Any:
        return item.attrs[self.range_attr] if self.on_index else item.range_key

    def bound(self, start: dict[str, Any]) -> Any:
        """The start key's place in the same order."""
        if not self.on_index:
            return _plain(start[self.order[-1]])
        return tuple([_plain(start[name]) for name in self.order])


def reindex(table: Any, hash_key: Any, range_key: Any) -> None:
    """The item under this key changed (or went): move it between the table's GSI partitions and kept
    orders. Also
    called by `infra.emulator.InProcess`, which sets items without moto's write methods."""
    partitions: _Partitions | None = table.__dict__.get("_hotline_partitions")
    if partitions is not None:
        with LOCK:
            item = table.items.get(hash_key)
            if range_key is not None and item is not None:
                item = item.get(range_key)
            partitions.place((hash_key, range_key), item)


def _patch_index_queries(ddb: Any) -> None:
    original: Callable[..., Any] = ddb.Table.query
    signature = inspect.signature(original)

    @functools.wraps(original)
    def query(self: Any, *args: Any, **kwargs: Any) -> Any:
        call = signature.bind(self, *args, **kwargs).arguments
        with LOCK:
            page = _ordered(self, call)
            if page is None:
                part = _partition(self, call)
                if part is None:
                    return original(self, *args, **kwargs)
                page = _candidates(self, call, part)
            self.all_items = lambda: page  # moto's own query, over these items only
            try:
                return original(self, *args, **kwargs)
            finally:
                del self.all_items

    ddb.Table.query = query
