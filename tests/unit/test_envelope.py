"""The personal-data envelope (R-12345-11): bound to where it is stored, SM4-GCM or AES-256-GCM, old
ciphertexts still read, a bounded data-key cache with a time to live."""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.integrations.crypto import Envelope, aad

WHERE = aad("tickets", "T20261101-00001", "caller_enc")
DOC = {"name": "王小明", "phone": "13800005678"}


class CountingKms:
    """GenerateDataKey / Decrypt of a KMS key, counting the calls (the wrapped key is a random handle)."""

    def __init__(self) -> None:
        self.keys: dict[bytes, tuple[bytes, dict[str, str]]] = {}
        self.generated = 0
        self.decrypted = 0

    def generate_data_key(self, *, KeyId: str, EncryptionContext: dict[str, str], **spec: Any) -> dict[str, bytes]:  # noqa: N803
        size = 32 if spec.get("KeySpec") == "AES_256" else int(spec["NumberOfBytes"])
        plain, handle = os.urandom(size), os.urandom(24)
        self.keys[handle] = (plain, dict(EncryptionContext))
        self.generated += 1
        return {"Plaintext": plain, "CiphertextBlob": handle}

    def decrypt(self, *, CiphertextBlob: bytes, EncryptionContext: dict[str, str]) -> dict[str, bytes]:  # noqa: N803
        self.decrypted += 1
        plain, context = self.keys.get(CiphertextBlob, (b"", {}))
        if not plain or context != EncryptionContext:
            raise ClientError({"Error": {"Code": "InvalidCiphertextException", "Message": "no"}}, "Decrypt")
        return {"Plaintext": plain}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _fields(token: str) -> dict[str, str]:
    prefix, body = token.split(":", 1)
    assert prefix == "kms2"
    packed: dict[str, str] = json.loads(base64.urlsafe_b64decode(body))
    return packed


@pytest.mark.parametrize("algorithm", ["AES-256-GCM", "SM4-GCM"])
def test_r12345_11_round_trip_with_either_cipher_and_the_data_key_length_it_needs(algorithm: str) -> None:
    kms = CountingKms()
    box = Envelope(kms, "key-1", algorithm=algorithm)
    token = box.encrypt(DOC, WHERE)
    assert "王小明" not in token and "13800005678" not in token
    assert _fields(token)["a"] == algorithm
    assert box.decrypt(token, WHERE) == DOC
    plain, _ = next(iter(kms.keys.values()))
    assert len(plain) == (16 if algorithm == "SM4-GCM" else 32)
    # another process (cold cache, configured for the other cipher) opens it through KMS: the algorithm
    # travels with the ciphertext
    other = Envelope(kms, "key-1", algorithm="SM4-GCM" if algorithm == "AES-256-GCM" else "AES-256-GCM")
    assert other.decrypt(token, WHERE) == DOC and kms.decrypted == 1


@pytest.mark.parametrize("algorithm", ["AES-256-GCM", "SM4-GCM"])
def test_r12345_11_a_tampered_or_moved_ciphertext_fails_to_decrypt(algorithm: str) -> None:
    box = Envelope(CountingKms(), "key-1", algorithm=algorithm)
    token = box.encrypt(DOC, WHERE)
    with pytest.raises(ValueError):
        box.decrypt(token, aad("tickets", "T20261101-00002", "caller_enc"))  # copied onto another ticket
    with pytest.raises(ValueError):
        box.decrypt(token, aad("events", "T20261101-00001", "contact_enc"))  # or into a call record
    packed = _fields(token)
    sealed = bytearray(base64.urlsafe_b64decode(packed["c"]))
    sealed[0] ^= 1
    damaged = dict(packed, c=base64.urlsafe_b64encode(bytes(sealed)).decode())
    with pytest.raises(ValueError):
        box.decrypt("kms2:" + base64.urlsafe_b64encode(json.dumps(damaged).encode()).decode(), WHERE)
    downgraded = dict(packed, a="AES-256-GCM" if algorithm == "SM4-GCM" else "SM4-GCM")
    with pytest.raises(ValueError):
        box.decrypt("kms2:" + base64.urlsafe_b64encode(json.dumps(downgraded).encode()).decode(), WHERE)
    for junk in ("kms2:%%%", "kms2:" + base64.urlsafe_b64encode(b"[1]").decode(), "plain", ""):
        with pytest.raises(ValueError):
            box.decrypt(junk, WHERE)


def test_r12345_11_a_data_key_of_another_purpose_is_refused() -> None:
    kms = CountingKms()
    token = Envelope(kms, "key-1", {"purpose": "partner-secret"}).encrypt(DOC, WHERE)
    with pytest.raises(ValueError):
        Envelope(kms, "key-1", {"purpose": "personal-data"}).decrypt(token, WHERE)


def test_r12345_11_version_1_ciphertexts_without_associated_data_are_still_read() -> None:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    kms = CountingKms()
    resp = kms.generate_data_key(KeyId="key-1", EncryptionContext={"purpose": "personal-data"}, KeySpec="AES_256")
    nonce = os.urandom(12)
    sealed = AESGCM(resp["Plaintext"]).encrypt(nonce, json.dumps(DOC).encode(), None)
    b64 = base64.urlsafe_b64encode
    packed = {"k": b64(resp["CiphertextBlob"]).decode(), "n": b64(nonce).decode(), "c": b64(sealed).decode()}
    legacy = "kms1:" + b64(json.dumps(packed).encode()).decode()
    box = Envelope(kms, "key-1")
    assert box.decrypt(legacy, WHERE) == DOC
    assert box.encrypt(DOC, WHERE).startswith("kms2:")  # never written again


def test_r12345_11_data_keys_are_reused_for_their_time_to_live_then_replaced() -> None:
    kms, clock = CountingKms(), Clock()
    box = Envelope(kms, "key-1", key_ttl=300, clock=clock)
    first = [box.encrypt(DOC, WHERE) for _ in range(50)]
    assert kms.generated == 1 and len({_fields(t)["k"] for t in first}) == 1
    clock.now += 301
    later = box.encrypt(DOC, WHERE)
    assert kms.generated == 2 and _fields(later)["k"] != _fields(first[0])["k"]
    use_limited = Envelope(kms, "key-1", max_uses=3, clock=clock)
    for _ in range(7):
        use_limited.encrypt(DOC, WHERE)
    assert kms.generated == 2 + 3  # 3 + 3 + 1 encryptions


def test_r12345_11_the_decrypted_key_cache_is_bounded_and_expires() -> None:
    kms, clock = CountingKms(), Clock()
    writer = Envelope(kms, "key-1", max_uses=1)
    tokens = [writer.encrypt({"n": i}, WHERE) for i in range(10)]  # ten data keys
    reader = Envelope(kms, "key-1", cache_size=4, key_ttl=60, clock=clock)
    for t in tokens:
        reader.decrypt(t, WHERE)
    assert kms.decrypted == 10
    reader.decrypt(tokens[-1], WHERE)  # recent: cached
    assert kms.decrypted == 10
    reader.decrypt(tokens[0], WHERE)  # evicted by the bound of 4
    assert kms.decrypted == 11
    clock.now += 61
    reader.decrypt(tokens[0], WHERE)  # expired
    assert kms.decrypted == 12


def test_an_unknown_algorithm_is_refused_at_start() -> None:
    with pytest.raises(ValueError):
        Envelope(CountingKms(), "key-1", algorithm="DES")
