"""The caller blind index (R-12345-11): HMAC-SHA-256 of the normalised number under a dedicated key.

A lookup by the caller's phone must find tickets without any index holding the number. The ticket
item therefore carries `caller_tag` = HMAC-SHA-256(key, "phone:" + E.164 number) beside the
envelope (`caller_enc`), and the sparse `by_caller` index is keyed on that tag: the server hashes the
number an operator types and Queries the index once.

The key is 32 random bytes that exist in clear only in a process's memory. At rest it is the
Directory item `CONFIG` / `blind-index-key`, sealed by its own envelope (a KMS data key under the
encryption context `purpose=blind-index`, separate from the one of personal data), so reading it
takes `kms:Decrypt` with that context. The first process that finds no key creates one with a
conditional put; a process that loses that race reads the winner's. Losing the item would make
every tag unfindable (nothing else would be lost): it is kept like every Directory item and in the
`make run` snapshots.
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
TAG_VERSION = "b1"  # the tag's scheme; a new key or hash would be b2 and need the tags recomputed


class BlindIndex:
    """Tags of caller identifiers; the key is loaded (or created) once per process."""

    def __init__(self, table: DirectoryTable, box: Cipher) -> None:
        self._table = table
        self._box = box
        self._lock = threading.Lock()
        self._key: bytes | None = None

    def _load(self) -> bytes:
        with self._lock:
            if self._key is None:
                item = self._table.get(KEY_PK, KEY_SK)
                if item is None:
                    sealed = self._box.encrypt({"key": base64.b64encode(os.urandom(32)).decode()}, KEY_AAD)
                    self._table.put(Item(KEY_PK, KEY_SK, {"sealed": sealed}), Absent())
                    item = self._table.get(KEY_PK, KEY_SK)  # ours, or the one that won the race
                if item is None:
                    raise RuntimeError("blind-index key could not be stored")
                self._key = base64.b64decode(self._box.decrypt(str(item.data["sealed"]), KEY_AAD)["key"])
            return self._key

    def tag(self, kind: str, normalised: str) -> str:
        """`b1:` + hex HMAC-SHA-256 of `{kind}:{value}` (the kind keeps a phone and an id apart)."""
        digest = hmac.new(self._load(), f"{kind}:{normalised}".encode(), hashlib.sha256).hexdigest()
        return f"{TAG_VERSION}:{digest}"

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
