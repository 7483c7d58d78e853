"""PynamoDB models: the only place that knows the DynamoDB layout (mirrors infra/resources.yaml).

The classes here are unbound (no table name, no endpoint): `bind(settings)` makes one subclass per
table with its Meta and its own index objects. PynamoDB reads `Meta.host` when a class is defined,
so binding at start-up (in `chalicelib.bootstrap`) rather than at import keeps importing this
module free of any environment, and lets a test bind a second set of tables to another endpoint.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pynamodb.attributes import (
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

if TYPE_CHECKING:
    from chalicelib.config import Settings


class _ByUnit(GlobalSecondaryIndex["TicketModel"]):
    class Meta:
        index_name = "by_unit"
        projection = AllProjection()

    unit_id = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _ByOwner(GlobalSecondaryIndex["TicketModel"]):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _ByStatus(GlobalSecondaryIndex["TicketModel"]):
    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _ByQueue(GlobalSecondaryIndex["TicketModel"]):
    """Sparse: only open tickets carry `work_queue` (the five confirmations' groups, R-12345-13)."""

    class Meta:
        index_name = "by_queue"
        projection = AllProjection()

    work_queue = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _ByCaller(GlobalSecondaryIndex["TicketModel"]):
    """Sparse: only tickets with a caller phone carry `caller_tag`, the blind index of the number
    (HMAC, never the number: storage/blind_index.py, R-12345-11)."""

    class Meta:
        index_name = "by_caller"
        projection = AllProjection()

    caller_tag = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _ByCallerName(GlobalSecondaryIndex["TicketModel"]):
    """Sparse: only tickets with a caller name carry `caller_name_tag`, the blind index of the full name
    (HMAC, never the name: storage/blind_index.py, R-12345-11)."""

    class Meta:
        index_name = "by_caller_name"
        projection = AllProjection()

    caller_name_tag = UnicodeAttribute(hash_key=True)
    received_at = UnicodeAttribute(range_key=True)


class _OpenDeadline(GlobalSecondaryIndex["TicketModel"]):
    """Sparse: only open tickets with a pending alert carry these two attributes."""

    class Meta:
        index_name = "open_deadline"
        projection = AllProjection()

    deadline_shard = UnicodeAttribute(hash_key=True)
    next_alert_at = UnicodeAttribute(range_key=True)


class TicketModel(Model):
    """One ticket; `doc` holds the full document, `caller_enc` the encrypted personal data."""

    class Meta:
        table_name = "unbound-tickets"

    ticket_id = UnicodeAttribute(hash_key=True)
    status = UnicodeAttribute()
    received_at = UnicodeAttribute()
    unit_id = UnicodeAttribute(null=True)
    owner_id = UnicodeAttribute(null=True)
    deadline_shard = UnicodeAttribute(null=True)
    next_alert_at = UnicodeAttribute(null=True)
    next_alert_key = UnicodeAttribute(null=True)
    work_queue = UnicodeAttribute(null=True)
    handle_due = UnicodeAttribute(null=True)
    category = UnicodeAttribute(null=True)
    hotline = UnicodeAttribute(null=True)
    flags = UnicodeSetAttribute(null=True)
    doc = UnicodeAttribute()
    caller_enc = UnicodeAttribute(null=True)
    caller_tag = UnicodeAttribute(null=True)  # blind index of the caller's phone (by_caller)
    caller_name_tag = UnicodeAttribute(null=True)  # blind index of the caller's full name (by_caller_name)
    pii_key = UnicodeAttribute(null=True)  # the ticket's own key, wrapped (storage/subject_keys.py); removed: shredded
    pii_shredded_at = UnicodeAttribute(null=True)  # when the key was destroyed (docs/privacy.md)
    version = VersionAttribute()

    by_unit = _ByUnit()
    by_owner = _ByOwner()
    by_status = _ByStatus()
    by_queue = _ByQueue()
    by_caller = _ByCaller()
    by_caller_name = _ByCallerName()
    open_deadline = _OpenDeadline()


class _ByMonth(GlobalSecondaryIndex["EventModel"]):
    class Meta:
        index_name = "by_month"
        projection = AllProjection()

    month = UnicodeAttribute(hash_key=True)
    at_key = UnicodeAttribute(range_key=True)


class EventModel(Model):
    """One history entry; append-only; its stream is the outbox."""

    class Meta:
        table_name = "unbound-ticket-events"

    ticket_id = UnicodeAttribute(hash_key=True)
    seq = NumberAttribute(range_key=True)
    event_id = UnicodeAttribute()
    type = UnicodeAttribute()
    actor_id = UnicodeAttribute()
    actor_role = UnicodeAttribute()
    at = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    data = UnicodeAttribute()  # JSON
    snapshot = UnicodeAttribute()  # JSON of the ticket after the event (caller encrypted)
    month = UnicodeAttribute()
    at_key = UnicodeAttribute()

    by_month = _ByMonth()


class CounterModel(Model):
    """A statistics counter: pk `{YYYY-MM}#{scope}`, sk `{metric}#{shard}`, value `n`."""

    class Meta:
        table_name = "unbound-counters"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    n = NumberAttribute(default=0)


class _Gsi1(GlobalSecondaryIndex["DirectoryModel"]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DirectoryModel(Model):
    """Units, calendar, templates, idempotency keys, alerts, partner keys…: pk/sk + JSON (+ a number)."""

    class Meta:
        table_name = "unbound-directory"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    data = UnicodeAttribute(default="{}")  # JSON
    n = NumberAttribute(null=True)  # atomic counters (rate windows, spend) and version numbers
    expires_at = NumberAttribute(null=True)  # TTL

    gsi1 = _Gsi1()


M = TypeVar("M", bound=Model)


def _bound(base: type[M], table: str, settings: Settings, indexes: dict[str, Any]) -> type[M]:
    meta = type(
        "Meta",
        (),
        {
            "table_name": table,
            "region": settings.region,
            "host": settings.endpoint_url,
            "max_retry_attempts": 3,
            # the sweep's workers share each table's connection pool (botocore's default keeps 10)
            "max_pool_connections": max(10, settings.sweep_workers + 4),
        },
    )
    return type(base.__name__, (base,), {"Meta": meta, "__module__": __name__, **indexes})


@dataclass(frozen=True)
class Tables:
    """The four tables of one stage, bound to its endpoint and names."""

    tickets: type[TicketModel]
    events: type[EventModel]
    counters: type[CounterModel]
    directory: type[DirectoryModel]

    @property
    def all(self) -> tuple[type[Model], ...]:
        """Every bound model (for request accounting and schema checks)."""
        return (self.tickets, self.events, self.counters, self.directory)


def bind(settings: Settings) -> Tables:
    """Model classes bound to the stage's table names and endpoint (fresh index objects per class)."""
    return Tables(
        tickets=_bound(
            TicketModel,
            settings.tickets_table,
            settings,
            {
                "by_unit": _ByUnit(),
                "by_owner": _ByOwner(),
                "by_status": _ByStatus(),
                "by_queue": _ByQueue(),
                "by_caller": _ByCaller(),
                "by_caller_name": _ByCallerName(),
                "open_deadline": _OpenDeadline(),
            },
        ),
        events=_bound(EventModel, settings.events_table, settings, {"by_month": _ByMonth()}),
        counters=_bound(CounterModel, settings.counters_table, settings, {}),
        directory=_bound(DirectoryModel, settings.directory_table, settings, {"gsi1": _Gsi1()}),
    )


UNBOUND: tuple[type[Model], ...] = (TicketModel, EventModel, CounterModel, DirectoryModel)


def model_schema(model: type[Model]) -> dict[str, Any]:
    """Keys and indexes of a model, in the shape a test compares with the template."""

    def keys(attributes: Any) -> tuple[str | None, str | None]:
        hash_key = next((a.attr_name for a in attributes if a.is_hash_key), None)
        range_key = next((a.attr_name for a in attributes if a.is_range_key), None)
        return hash_key, range_key

    indexes = {name: keys(idx.Meta.attributes.values()) for name, idx in model._indexes.items()}
    return {"table": model.Meta.table_name, "keys": keys(model.get_attributes().values()), "indexes": indexes}
