"""The composition root: one frozen set of adapters built from Settings.

Nothing else in `chalicelib` reads the environment or builds a client: services take the
`Adapters` they use as their first argument, and only `api/deps.py` and `handlers/*` ask this
module for the process's root (`root()`). Tests build their own (`build(settings)` against moto,
or `tests/helpers/fakes.fake_adapters()` in memory) and install it with `use()`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chalicelib.config import Settings
from chalicelib.integrations.archive_store import ArchiveStore, S3ArchiveStore
from chalicelib.integrations.aws import AwsClients
from chalicelib.integrations.crypto import Cipher, Envelope
from chalicelib.integrations.oidc import JwksVerifier
from chalicelib.integrations.secrets import with_secrets
from chalicelib.integrations.sms import SmsSender, build_sender
from chalicelib.services.context import ContextCache
from chalicelib.storage.archive_index import ArchiveIndex
from chalicelib.storage.blind_index import BlindIndex
from chalicelib.storage.directory import Directory
from chalicelib.storage.models import Tables, bind
from chalicelib.storage.partners import PartnerStore
from chalicelib.storage.sms import SmsStore
from chalicelib.storage.table import DirectoryTable, DynamoDirectoryTable
from chalicelib.storage.tickets import DynamoTicketRepository, TicketStore


class ResidencyError(RuntimeError):
    """A stage that must keep its data in China was started elsewhere (docs/deploy.md, "Residency")."""


def utc_now() -> datetime:
    """The wall clock, UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Adapters:
    """Everything with I/O that a service may use; built once per process (or per test)."""

    settings: Settings
    tickets: TicketStore
    table: DirectoryTable
    directory: Directory
    archive_index: ArchiveIndex
    partners: PartnerStore
    sms_records: SmsStore
    archive_store: ArchiveStore
    envelope: Cipher
    blind_index: BlindIndex  # caller lookups by number (R-12345-11): storage/blind_index.py
    sms: SmsSender
    contexts: ContextCache
    clients: Callable[[str], Any]
    verifier: JwksVerifier | None = None
    tables: Tables | None = None
    clock: Callable[[], datetime] = utc_now
    stream_status: Callable[[], dict[str, Any] | None] | None = None  # embedded mode: the local pump's report

    def dynamodb_clients(self) -> list[Any]:
        """The DynamoDB clients the tables use (request accounting); none for in-memory adapters."""
        if self.tables is None:
            return []
        clients = {id(c): c for c in (m._get_connection().connection.client for m in self.tables.all)}
        return list(clients.values())


def assemble(
    settings: Settings,
    *,
    tickets: TicketStore,
    table: DirectoryTable,
    archive_store: ArchiveStore,
    envelope: Cipher,
    secret_box: Cipher,
    blind_index: BlindIndex,
    sms: SmsSender,
    clients: Callable[[str], Any],
    verifier: JwksVerifier | None = None,
    tables: Tables | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Adapters:
    """Adapters from the ports (the stores on the Directory table are built here, the same for all)."""
    directory = Directory(table, settings.office_hours)
    return Adapters(
        settings=settings,
        tickets=tickets,
        table=table,
        directory=directory,
        archive_index=ArchiveIndex(table),
        partners=PartnerStore(table, secret_box),
        sms_records=SmsStore(table),
        archive_store=archive_store,
        envelope=envelope,
        blind_index=blind_index,
        sms=sms,
        contexts=ContextCache(directory),
        clients=clients,
        verifier=verifier,
        tables=tables,
        clock=clock,
    )


def status_file_reader(path: str) -> Callable[[], dict[str, Any] | None]:
    """Reads the local stream pump's progress report (None while there is none or it is being replaced)."""

    def read() -> dict[str, Any] | None:
        try:
            report: dict[str, Any] = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return report

    return read


def build(settings: Settings) -> Adapters:
    """The real adapters of a stage: DynamoDB, S3, KMS, the SMS backend, the token verifier.

    Refuses (ResidencyError) to build a China-jurisdiction stage outside the China regions, before any client.
    """
    violation = settings.residency_violation()
    if violation:
        raise ResidencyError(violation)
    clients = AwsClients(settings)
    settings = with_secrets(settings, clients)  # cold start: the stage's secrets, from Secrets Manager
    tables = bind(settings)

    def sealed(key_id: str, purpose: str) -> Envelope:
        return Envelope(
            clients("kms"),
            key_id,
            {"purpose": purpose},
            algorithm=settings.envelope_algorithm,
            key_ttl=float(settings.envelope_key_ttl_s),
        )

    envelope = sealed(settings.personal_data_key, "personal-data")
    table = DynamoDirectoryTable(tables.directory)
    # the blind-index key is sealed under its own encryption context, apart from personal data
    blind_index = BlindIndex(table, sealed(settings.personal_data_key, "blind-index"), settings.blind_index_hash)
    verifier = (
        JwksVerifier(
            settings.oidc_issuer,
            settings.oidc_jwks_url,
            settings.oidc_audience,
            audience_optional=settings.is_local,
            require_mfa=bool(settings.oidc_token_url) or not settings.user_pool_id,  # OIDC provider (R-SEC-07)
            mfa_acr=settings.oidc_mfa_acr,
        )
        if settings.oidc_issuer and settings.oidc_jwks_url
        else None
    )
    adapters = assemble(
        settings,
        tickets=DynamoTicketRepository(tables, envelope, blind_index),
        table=table,
        archive_store=S3ArchiveStore(
            clients("s3"), settings.archive_bucket, settings.kms_key_id, settings.archive_retention_years
        ),
        envelope=envelope,
        secret_box=sealed(settings.kms_key_id, "partner-secret"),
        blind_index=blind_index,
        sms=build_sender(settings, clients),
        clients=clients,
        verifier=verifier,
        tables=tables,
    )
    if settings.stream_status_file:
        adapters = dataclasses.replace(adapters, stream_status=status_file_reader(settings.stream_status_file))
    return adapters


_lock = threading.Lock()
_root: Adapters | None = None


def root() -> Adapters:
    """The process's adapters, built from `os.environ` on first use (entry points only)."""
    global _root
    with _lock:
        if _root is None:
            _root = build(Settings.from_env(os.environ))
        return _root


def settings() -> Settings:
    """The installed root's settings; before one is built, the environment's (without building one:
    `build` reads secrets, this reads nothing but the environment — CORS preflights, packaging)."""
    with _lock:
        if _root is not None:
            return _root.settings
    return Settings.from_env(os.environ)


def use(adapters: Adapters | None) -> None:
    """Install the adapters `root()` returns (tests, local tools); None forgets them."""
    global _root
    with _lock:
        _root = adapters
