"""KMS envelope encryption for personal data (R-12345-11): AES-256-GCM under a KMS data key.

One data key per process is generated and reused; its KMS-encrypted copy travels with every
ciphertext, and decrypted keys are cached, so reading a page of tickets costs no KMS call per item.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from abc import ABC, abstractmethod
from typing import Any

_PREFIX = "kms1:"


class Cipher(ABC):
    """Encrypts small JSON documents to text and back (personal data, partner secrets)."""

    @abstractmethod
    def encrypt(self, document: dict[str, Any]) -> str:
        """Ciphertext text of a JSON-able document."""

    @abstractmethod
    def decrypt(self, token: str) -> dict[str, Any]:
        """The document back; ValueError on a foreign or damaged ciphertext."""


class Envelope(Cipher):
    """Encrypt/decrypt small JSON documents with a KMS data key."""

    def __init__(self, kms_client: Any, key_id: str, context: dict[str, str] | None = None) -> None:
        self._kms = kms_client
        self._key_id = key_id
        self._context = context or {"purpose": "personal-data"}
        self._lock = threading.Lock()
        self._current: tuple[bytes, bytes] | None = None  # (plaintext key, encrypted key)
        self._cache: dict[bytes, bytes] = {}

    def _data_key(self) -> tuple[bytes, bytes]:
        with self._lock:
            if self._current is None:
                resp = self._kms.generate_data_key(
                    KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=self._context
                )
                self._current = (resp["Plaintext"], resp["CiphertextBlob"])
                self._cache[resp["CiphertextBlob"]] = resp["Plaintext"]
            return self._current

    def _plain_key(self, encrypted: bytes) -> bytes:
        with self._lock:
            cached = self._cache.get(encrypted)
        if cached is not None:
            return cached
        resp = self._kms.decrypt(CiphertextBlob=encrypted, EncryptionContext=self._context)
        with self._lock:
            self._cache[encrypted] = resp["Plaintext"]
        return bytes(resp["Plaintext"])

    def encrypt(self, document: dict[str, Any]) -> str:
        """Ciphertext string `kms1:<b64 json>` for a JSON-able document."""
        key, encrypted_key = self._data_key()
        nonce = os.urandom(12)
        plaintext = json.dumps(document, ensure_ascii=False).encode()
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # loaded by the first use, not at import

        sealed = AESGCM(key).encrypt(nonce, plaintext, None)
        packed = {"k": _b64(encrypted_key), "n": _b64(nonce), "c": _b64(sealed)}
        return _PREFIX + _b64(json.dumps(packed).encode())

    def decrypt(self, token: str) -> dict[str, Any]:
        """The document back; raises ValueError on a foreign or damaged ciphertext."""
        if not token.startswith(_PREFIX):
            raise ValueError("not an envelope ciphertext")
        packed = json.loads(base64.urlsafe_b64decode(token[len(_PREFIX) :]))
        key = self._plain_key(base64.urlsafe_b64decode(packed["k"]))
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        plain = AESGCM(key).decrypt(base64.urlsafe_b64decode(packed["n"]), base64.urlsafe_b64decode(packed["c"]), None)
        result: dict[str, Any] = json.loads(plain)
        return result


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()
