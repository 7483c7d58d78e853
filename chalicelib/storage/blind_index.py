"""The caller blind index (R-12345-11): an HMAC of the normalised number under a dedicated key.

A lookup by the caller's phone must find tickets without any index holding the number. The ticket
item therefore carries `caller_tag` = HMAC(key, "phone:" + E.164 number) beside the envelope
(`caller_enc`), and the sparse `by_caller` index is keyed on that tag: the server hashes the number an
operator types and Queries the index once.

The HMAC's hash is a setting (`BLIND_INDEX_HASH`): `sha256` (HMAC-SHA-256, tags `b1:`) or `sm3`
(HMAC-SM3, GB/T 32905, tags `b2:`; the `prod-cn` default). Each hash has its own key item, and the key
records its hash inside the sealed payload, so a key is never used under another hash and a tag made
under one hash never equals one made under the other (other key, other prefix). Changing the setting
therefore makes earlier tags unfindable until they are recomputed (`python -m infra.search_backfill`,
docs/operations.md "Search index").

The key is 32 random bytes that exist in clear only in a process's memory. At rest it is the
Directory item `CONFIG` / `blind-index-key` (HMAC-SHA-256; `blind-index-key#sm3` for HMAC-SM3), sealed
by its own envelope (a KMS data key under the encryption context `purpose=blind-index`, separate from
the one of personal data), so reading it takes `kms:Decrypt` with that context. The first process that
finds no key creates one with a conditional put; a process that loses that race reads the winner's.
Losing the item would make every tag unfindable (nothing else would be lost): it is kept like every
Directory item and in the `make run` snapshots.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import unicodedata

from chalicelib.domain import phones
from chalicelib.integrations.crypto import Cipher, aad
from chalicelib.storage.table import Absent, DirectoryTable, Item

KEY_PK, KEY_SK = "CONFIG", "blind-index-key"
KEY_AAD = aad("directory", f"{KEY_PK}#{KEY_SK}", "sealed")
TAG_VERSION = "b1"  # the tag scheme of HMAC-SHA-256
HASHES = ("sha256", "sm3")  # BLIND_INDEX_HASH values
TAG_PREFIX = {"sha256": TAG_VERSION, "sm3": "b2"}  # a tag names its hash: tags of two hashes never match
KEY_SKS = {"sha256": KEY_SK, "sm3": f"{KEY_SK}#sm3"}  # one key per hash (the SHA-256 one keeps its old place)


def hmac_hex(hash_name: str, key: bytes, message: bytes) -> str:
    """Hex HMAC of `message` under `key` with SHA-256 or SM3 (GB/T 32905, through `cryptography`)."""
    if hash_name == "sha256":
        return hmac.new(key, message, hashlib.sha256).hexdigest()
    if hash_name == "sm3":
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as crypto_hmac

        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(message)
        return mac.finalize().hex()
    raise ValueError(f"unknown blind-index hash {hash_name!r} (sha256 or sm3)")


class BlindIndex:
    """Tags of caller identifiers; the key of the configured hash is loaded (or created) once per process."""

    def __init__(self, table: DirectoryTable, box: Cipher, hash_name: str = "sha256") -> None:
        if hash_name not in HASHES:
            raise ValueError(f"unknown blind-index hash {hash_name!r} (sha256 or sm3)")
        self._table = table
        self._box = box
        self.hash_name = hash_name
        self._sk = KEY_SKS[hash_name]
        self._aad = aad("directory", f"{KEY_PK}#{self._sk}", "sealed")
        self._lock = threading.Lock()
        self._key: bytes | None = None

    def _load(self) -> bytes:
        with self._lock:
            if self._key is None:
                item = self._table.get(KEY_PK, self._sk)
                if item is None:
                    key = {"key": base64.b64encode(os.urandom(32)).decode(), "hash": self.hash_name}
                    sealed = self._box.encrypt(key, self._aad)
                    self._table.put(Item(KEY_PK, self._sk, {"sealed": sealed, "hash": self.hash_name}), Absent())
                    item = self._table.get(KEY_PK, self._sk)  # ours, or the one that won the race
                if item is None:
                    raise RuntimeError("blind-index key could not be stored")
                opened = self._box.decrypt(str(item.data["sealed"]), self._aad)
                if opened.get("hash", "sha256") != self.hash_name:  # a key made before the setting: SHA-256
                    raise RuntimeError(f"the stored blind-index key is not one for {self.hash_name}")
                self._key = base64.b64decode(opened["key"])
            return self._key

    def tag(self, kind: str, normalised: str) -> str:
        """`b1:` + hex HMAC-SHA-256 (or `b2:` + hex HMAC-SM3) of `{kind}:{value}` (the kind keeps a phone
        and an id apart)."""
        digest = hmac_hex(self.hash_name, self._load(), f"{kind}:{normalised}".encode())
        return f"{self.prefix}:{digest}"

    @property
    def prefix(self) -> str:
        """The scheme prefix of this index's tags (`b1` HMAC-SHA-256, `b2` HMAC-SM3)."""
        return TAG_PREFIX[self.hash_name]

    def phone_tag(self, number: str) -> str | None:
        """The tag of a phone number as typed (any spelling of one number gives one tag), or None
        when it is no mainland mobile or landline."""
        e164 = phones.normalise_e164(number)
        return self.tag("phone", e164) if e164 else None

    def name_tag(self, name: str) -> str | None:
        """The tag of a caller's full name (R-12345-11): NFKC, every whitespace removed, case-folded; None
        when nothing of it is a letter (empty, emoji or punctuation only). Exact match only: 张三 finds
        张 三 and ＺＨＡＮＧ san finds zhangsan, never 张三丰."""
        norm = normalise_name(name)
        return self.tag("name", norm) if norm else None


def normalise_name(name: str) -> str:
    """A full name as tagged: NFKC, no whitespace, case-folded; "" unless it holds a letter."""
    norm = "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()
    if any(unicodedata.category(c) == "Cs" for c in norm):
        return ""  # a lone surrogate (no text a person typed) would not even encode
    return norm if any(unicodedata.category(c).startswith("L") for c in norm) else ""
