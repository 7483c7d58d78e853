"""Each ticket's own key for its personal data (crypto-shredding, docs/privacy.md).

The key is random, wrapped by the personal-data envelope (KMS, bound to `tickets/{id}/pii_key`) and stored on the
ticket's item only (the Tickets table has no stream: the key never reaches an event, an audit copy or an archive).
Everything personal of the ticket — its caller, whom its calls reached, the texts to its reporter — is sealed under
it (`tk1:`); removing the wrapped key from the item makes all of it unreadable everywhere at once. Ciphertexts
written before (`kms2:` / `kms1:`, straight under the envelope) are still read.

A process remembers the wrapped key of each ticket it read (a bounded map, refreshed by every read), so a commit
right after a read, and sealing a call before it, cost no extra request; unwrapping costs no KMS call while the
envelope's data key is cached (its time to live), and nothing unwrapped is kept here.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from typing import Any

from chalicelib.integrations import crypto
from chalicelib.integrations.crypto import Cipher

KEY_FIELD = "pii_key"


class Shredded(ValueError):
    """The ticket's key was destroyed: its personal data cannot be read any more."""


def key_aad(ticket_id: str) -> str:
    """Where a ticket's wrapped key lives: its Tickets item."""
    return crypto.aad("tickets", ticket_id, KEY_FIELD)


class SubjectKeys:
    """Wraps, unwraps and remembers tickets' keys; seals and opens their personal data."""

    def __init__(
        self,
        envelope: Cipher,
        *,
        size: int = 4096,
    ) -> None:
        self._envelope = envelope
        self._algorithm = str(getattr(envelope, "algorithm", crypto.DEFAULT_ALGORITHM))
        self._size = size
        self._lock = threading.Lock()
        self._wrapped: OrderedDict[str, str | None] = OrderedDict()  # ticket id → wrapped key (None: none)

    # ---------------------------------------------------------------- what this process knows

    def seen(self, ticket_id: str, wrapped: str | None) -> None:
        """The wrapped key as the ticket's item holds it now (every read of an item reports it)."""
        with self._lock:
            self._wrapped[ticket_id] = wrapped
            self._wrapped.move_to_end(ticket_id)
            while len(self._wrapped) > self._size:
                self._wrapped.popitem(last=False)

    def known(self, ticket_id: str) -> tuple[bool, str | None]:
        """(whether this process knows the ticket's wrapped key, the wrapped key or None)."""
        with self._lock:
            if ticket_id in self._wrapped:
                return True, self._wrapped[ticket_id]
            return False, None

    # ---------------------------------------------------------------- keys

    def new(self, ticket_id: str) -> str:
        """A fresh key for a ticket, wrapped (to be stored on its item)."""
        key = crypto.new_subject_key(self._algorithm)
        wrapped = self._envelope.encrypt(
            {"k": base64.b64encode(key).decode(), "a": self._algorithm}, key_aad(ticket_id)
        )
        self.seen(ticket_id, wrapped)
        return wrapped

    def _unwrap(self, ticket_id: str, wrapped: str) -> tuple[bytes, str]:
        doc = self._envelope.decrypt(wrapped, key_aad(ticket_id))
        return base64.b64decode(doc["k"]), str(doc.get("a") or crypto.DEFAULT_ALGORITHM)

    # ---------------------------------------------------------------- personal data

    def seal(self, ticket_id: str, wrapped: str, document: dict[str, Any], aad: str) -> str:
        """`tk1:` ciphertext of a document under the ticket's key."""
        key, algorithm = self._unwrap(ticket_id, wrapped)
        return crypto.subject_seal(key, algorithm, document, aad)

    def open(self, ticket_id: str, wrapped: str | None, token: str, aad: str) -> dict[str, Any]:
        """The document back: under the ticket's key (Shredded when it is gone), or an older envelope one."""
        if not crypto.is_subject_token(token):
            return self._envelope.decrypt(token, aad)
        if not wrapped:
            raise Shredded(f"the personal data of {ticket_id} was destroyed")
        key, _ = self._unwrap(ticket_id, wrapped)
        return crypto.subject_open(key, token, aad)
