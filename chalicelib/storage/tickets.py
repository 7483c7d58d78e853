"""Ticket repository: load, list (Query only) and commit each change in ONE TransactWriteItems."""

from __future__ import annotations

import base64
import binascii
import json
import random
import time
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist, TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from chalicelib.domain import statistics
from chalicelib.domain.deadlines import Alert
from chalicelib.domain.errors import BadRequest, Conflict, NotFound
from chalicelib.domain.model import Caller, Change, Ticket
from chalicelib.storage.models import CounterModel, DirectoryModel, EventModel, TicketModel
from chalicelib.storage.serialize import iso, ticket_from_doc, ticket_to_doc

DEADLINE_SHARDS = 8
TRANSACTION_ATTEMPTS = 4
COUNTER_SHARDS = 4  # county-wide counters are hot: spread over 4 items per metric


def deadline_shard(ticket_id: str) -> str:
    """The open-deadline index partition of a ticket."""
    return f"OPEN#{zlib.crc32(ticket_id.encode()) % DEADLINE_SHARDS}"


def counter_items(event_type: str, data: Mapping[str, Any], doc: Mapping[str, Any], at: datetime) -> dict[tuple[str, str], int]:
    """Counter keys and increments for one event (see domain/statistics.py)."""
    month = statistics.stat_month(doc, at)  # the ticket's month: its first dispatch (docs/statistics.md)
    shard = zlib.crc32(str(doc["ticket_id"]).encode()) % COUNTER_SHARDS
    items: dict[tuple[str, str], int] = {}
    for scope, metrics in statistics.counter_deltas(event_type, data, doc).items():
        for metric, n in metrics.items():
            sk = f"{metric}#{shard if scope == 'county' else 0}"
            items[(f"{month}#{scope}", sk)] = n
    return items


@dataclass(frozen=True)
class Page:
    """One page of a list and the opaque token of the next."""

    items: list[Ticket]
    next_page: str | None


@dataclass(frozen=True)
class IdempotencyKey:
    """(source, external id) of an intake and the hash of its payload."""

    source: str
    external_id: str
    payload_hash: str

    @property
    def pk(self) -> str:
        """Directory partition."""
        return f"IDEM#{self.source}"


class TicketRepository:
    """All DynamoDB access for tickets and their events."""

    def __init__(self, envelope: Any) -> None:
        self._envelope = envelope

    # ---------------------------------------------------------------- reads

    def get(self, ticket_id: str) -> Ticket:
        """The ticket, or NotFound."""
        try:
            item = TicketModel.get(ticket_id, consistent_read=True)
        except DoesNotExist as exc:
            raise NotFound(f"工单 {ticket_id} 不存在", ticket_id=ticket_id) from exc
        return self._from_model(item)

    def _from_model(self, item: TicketModel) -> Ticket:
        doc = json.loads(item.doc)
        caller = Caller(**self._envelope.decrypt(item.caller_enc)) if item.caller_enc else Caller()
        doc["version"] = item.version
        return ticket_from_doc(doc, caller)

    def summary(self, item: TicketModel) -> Ticket:
        """A ticket from a list item without decrypting personal data (lists never show it)."""
        doc = json.loads(item.doc)
        doc["version"] = item.version
        return ticket_from_doc(doc)

    def events(self, ticket_id: str) -> list[dict[str, Any]]:
        """The ticket's history, oldest first."""
        return [event_to_dict(e) for e in EventModel.query(ticket_id, consistent_read=True)]

    def find_idempotent(self, key: IdempotencyKey) -> tuple[str, str] | None:
        """(ticket id, payload hash) of an earlier intake with the same (source, external id)."""
        try:
            item = DirectoryModel.get(key.pk, key.external_id, consistent_read=True)
        except DoesNotExist:
            return None
        data = json.loads(item.data)
        return data["ticket_id"], data["payload_hash"]

    def list(
        self,
        *,
        index: str,
        key: str,
        limit: int,
        token: str | None,
        filters: Mapping[str, str] | None = None,
    ) -> Page:
        """One page of an index, newest received first; Query only, opaque page token.

        `filters` narrow the page: status, unit_id, owner_id (when not the index key), flag, due_before.
        """
        idx = {"unit": TicketModel.by_unit, "owner": TicketModel.by_owner, "status": TicketModel.by_status}[index]
        condition = _filter_condition(filters or {})
        results = idx.query(
            key,
            scan_index_forward=False,
            limit=limit,
            page_size=limit if condition is None else max(limit, 50),
            last_evaluated_key=decode_token(token),
            filter_condition=condition,
        )
        items = [self.summary(i) for i in results]
        lek = results.last_evaluated_key if len(items) >= limit else None
        return Page(items, encode_token(lek))

    def due_alerts(self, shard: int, until: datetime, limit: int = 200) -> list[Ticket]:
        """Open tickets whose next alert is due by `until` (the sparse open-deadline index)."""
        query = TicketModel.open_deadline.query(
            f"OPEN#{shard}", TicketModel.next_alert_at <= iso(until), limit=limit, page_size=limit
        )
        return [self.summary(i) for i in query]

    # ---------------------------------------------------------------- writes

    def next_number(self, received_at: datetime) -> str:
        """The next ticket id of the receipt day: `T{yyyymmdd}-{nnnnn}` (Asia/Shanghai)."""
        day = received_at.astimezone(statistics.SHANGHAI).strftime("%Y%m%d")
        counter = CounterModel("SEQ#ticket", day)
        counter.update(actions=[CounterModel.n.add(1)])
        return f"T{day}-{int(counter.n):05d}"

    def commit(
        self,
        change: Change,
        alert: Alert | None,
        *,
        idempotency: IdempotencyKey | None = None,
        extra: Iterable[tuple[DirectoryModel, Condition | None]] = (),
    ) -> Ticket:
        """Write the ticket, its event and its counters atomically; 409 when someone was faster.

        DynamoDB cancels a transaction that merely collides with another one on a shared item (the
        month's counters) with `TransactionConflict`: nothing was decided, so it is tried again (the
        conditions still guard every item). A failed condition is final: someone else was first.
        """
        before = change.before
        seq = (before.last_seq if before else 0) + 1
        after = change.after.with_changes(last_seq=seq)
        doc = ticket_to_doc(after)
        extra = list(extra)
        for attempt in range(TRANSACTION_ATTEMPTS):
            try:
                self._transact(change, after, doc, alert, idempotency, extra)
                break
            except TransactWriteError as exc:
                reasons = {getattr(r, "code", None) for r in (exc.cancellation_reasons or [])} - {None, "None"}
                if reasons != {"TransactionConflict"} or attempt == TRANSACTION_ATTEMPTS - 1:
                    raise _conflict(exc, after.ticket_id) from exc
                time.sleep(0.02 * (attempt + 1) + random.random() * 0.03)  # noqa: S311 - jitter only
        return after.with_changes(version=(before.version if before else 0) + 1)

    def _transact(
        self,
        change: Change,
        after: Ticket,
        doc: dict[str, Any],
        alert: Alert | None,
        idempotency: IdempotencyKey | None,
        extra: list[tuple[DirectoryModel, Condition | None]],
    ) -> None:
        before = change.before
        model = self._to_model(after, alert, doc)
        if before is not None:
            model.version = before.version
        condition = TicketModel.status == before.status if before else TicketModel.ticket_id.does_not_exist()
        with TransactWrite(connection=TicketModel._get_connection().connection) as tx:
            tx.save(model, condition=condition)
            tx.save(build_event(change, after.last_seq, doc), condition=EventModel.seq.does_not_exist())
            if idempotency is not None:
                data = json.dumps({"ticket_id": after.ticket_id, "payload_hash": idempotency.payload_hash})
                tx.save(
                    DirectoryModel(idempotency.pk, idempotency.external_id, data=data),
                    condition=DirectoryModel.sk.does_not_exist(),
                )
            for item, cond in extra:
                tx.save(item, condition=cond)
            for (pk, sk), n in counter_items(change.event_type, change.data, doc, change.at).items():
                tx.update(CounterModel(pk, sk), actions=[CounterModel.n.add(n)])

    def _to_model(self, ticket: Ticket, alert: Alert | None, doc: dict[str, Any]) -> TicketModel:
        caller = ticket.caller.as_dict()
        return TicketModel(
            ticket.ticket_id,
            status=str(ticket.status),
            received_at=iso(ticket.received_at),
            unit_id=ticket.unit_id,
            owner_id=ticket.owner_id,
            deadline_shard=deadline_shard(ticket.ticket_id) if alert else None,
            next_alert_at=iso(alert.at) if alert else None,
            next_alert_key=alert.key if alert else None,
            handle_due=iso(ticket.handle_due),
            category=ticket.category,
            hotline=ticket.hotline,
            flags=set(ticket.flags) or None,
            doc=json.dumps(doc, ensure_ascii=False),
            caller_enc=self._envelope.encrypt(caller) if any(caller.values()) else None,
        )


def _filter_condition(filters: Mapping[str, str]) -> Condition | None:
    condition: Condition | None = None
    attributes = {"status": TicketModel.status, "unit_id": TicketModel.unit_id, "owner_id": TicketModel.owner_id}
    for name, value in filters.items():
        if name in attributes:
            part = attributes[name] == value
        elif name == "flag":
            part = TicketModel.flags.contains(value)
        elif name == "due_before":
            part = TicketModel.handle_due < value
        else:
            raise BadRequest(f"未知筛选条件 {name}", field=name)
        condition = part if condition is None else condition & part
    return condition


def build_event(change: Change, seq: int, doc: Mapping[str, Any]) -> EventModel:
    """The history item of a change; its snapshot keeps personal data out (stored encrypted on the ticket)."""
    at = iso(change.at) or ""
    ticket_id = change.after.ticket_id
    return EventModel(
        ticket_id,
        seq,
        event_id=f"{ticket_id}.{seq:06d}",
        type=change.event_type,
        actor_id=change.actor.user_id,
        actor_role=str(change.actor.role),
        at=at,
        from_status=str(change.before.status) if change.before else None,
        to_status=str(change.after.status),
        data=json.dumps(change.data, ensure_ascii=False, default=str),
        snapshot=json.dumps(dict(doc, last_seq=seq), ensure_ascii=False),
        month=statistics.month_of(change.at),
        at_key=f"{at}#{ticket_id}#{seq:06d}",
    )


def event_to_dict(e: EventModel) -> dict[str, Any]:
    """The public form of a history item (no snapshot)."""
    return {
        "event_id": e.event_id,
        "ticket_id": e.ticket_id,
        "seq": int(e.seq),
        "type": e.type,
        "actor_id": e.actor_id,
        "actor_role": e.actor_role,
        "at": e.at,
        "from_status": e.from_status,
        "to_status": e.to_status,
        "data": json.loads(e.data),
    }


def _conflict(exc: TransactWriteError, ticket_id: str) -> Conflict:
    reasons = [getattr(r, "code", None) for r in (exc.cancellation_reasons or [])]
    return Conflict(
        f"工单 {ticket_id} 已被他人更新，请刷新后重试",
        ticket_id=ticket_id,
        reasons=[r for r in reasons if r],
    )


def encode_token(lek: Mapping[str, Any] | None) -> str | None:
    """Opaque page token from a LastEvaluatedKey."""
    if not lek:
        return None
    return base64.urlsafe_b64encode(json.dumps(lek, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_token(token: str | None) -> dict[str, Any] | None:
    """LastEvaluatedKey from an opaque page token; 400 when it is not one of ours."""
    if not token:
        return None
    try:
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise BadRequest("分页标记无效", field="page") from exc
    ok = isinstance(raw, dict) and 0 < len(raw) <= 4 and all(
        isinstance(v, dict) and len(v) == 1 and set(v) <= {"S", "N"} and isinstance(next(iter(v.values())), str)
        for v in raw.values()
    )
    if not ok:
        raise BadRequest("分页标记无效", field="page")
    return raw
