"""R-12345-11: the caller blind index's HMAC is HMAC-SHA-256 or HMAC-SM3 (GB/T 32905), chosen by
`BLIND_INDEX_HASH`; the key records its hash, and tags of the two hashes never match."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives import hashes

from chalicelib.config import Settings
from chalicelib.storage.blind_index import KEY_PK, KEY_SK, BlindIndex, hmac_hex
from chalicelib.storage.table import Item
from tests.helpers.fakes import FakeCipher, FakeDirectoryTable

NUMBER = "13912345678"


def _sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


@pytest.mark.parametrize(
    ("message", "expected"),
    [  # GB/T 32905-2016, appendix A
        (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
        (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
    ],
)
def test_r12345_11_sm3_gives_the_standards_test_vectors(message: bytes, expected: str) -> None:
    assert _sm3(message).hex() == expected


def _rfc2104_sm3(key: bytes, message: bytes) -> str:
    """HMAC (RFC 2104) written out over the SM3 hash: block 64 bytes."""
    key = _sm3(key) if len(key) > 64 else key
    key = key.ljust(64, b"\0")
    inner = _sm3(bytes(b ^ 0x36 for b in key) + message)
    return _sm3(bytes(b ^ 0x5C for b in key) + inner).hex()


@pytest.mark.parametrize(
    ("key", "message", "expected"),
    [
        (
            bytes(range(32)),
            b"phone:+8613912345678",
            "7ea11ac9b43da3e4470591ce9f84c99a6c689cee90bd7d9a62dcddf8736de80e",
        ),
        (
            b"key",
            b"The quick brown fox jumps over the lazy dog",
            "bd4a34077888162b210645b8ebf74b9af357303789357a27c7fc457244ebd398",
        ),
    ],
)
def test_r12345_11_hmac_sm3_gives_known_answers_and_is_rfc_2104_over_sm3(
    key: bytes, message: bytes, expected: str
) -> None:
    assert hmac_hex("sm3", key, message) == expected == _rfc2104_sm3(key, message)
    assert hmac_hex("sm3", b"k" * 100, message) == _rfc2104_sm3(b"k" * 100, message)  # a key longer than a block
    assert hmac_hex("sha256", key, message) == hmac.new(key, message, hashlib.sha256).hexdigest()
    with pytest.raises(ValueError, match="sha256 or sm3"):
        hmac_hex("md5", key, message)


def test_r12345_11_the_setting_chooses_the_hash_sha256_by_default() -> None:
    assert Settings.from_env({}).blind_index_hash == "sha256"
    assert Settings.from_env({"BLIND_INDEX_HASH": "SM3"}).blind_index_hash == "sm3"
    assert Settings.from_env({"BLIND_INDEX_HASH": "sha256"}).blind_index_hash == "sha256"
    with pytest.raises(ValueError, match="BLIND_INDEX_HASH must be sha256 or sm3"):
        Settings.from_env({"BLIND_INDEX_HASH": "md5"})
    with pytest.raises(ValueError, match="sha256 or sm3"):
        BlindIndex(FakeDirectoryTable(), FakeCipher("blind-index"), "sha1")


def test_r12345_11_an_sm3_tag_is_an_hmac_sm3_under_its_own_recorded_key() -> None:
    table = FakeDirectoryTable()
    index = BlindIndex(table, FakeCipher("blind-index"), "sm3")
    tag = index.phone_tag("+86 139 1234 5678")
    assert tag is not None and tag.startswith("b2:") and len(tag) == 3 + 64 and NUMBER not in tag
    assert index.phone_tag(NUMBER) == tag  # every spelling, one tag
    stored = table.get(KEY_PK, f"{KEY_SK}#sm3")
    assert stored is not None and stored.data["hash"] == "sm3" and table.get(KEY_PK, KEY_SK) is None
    opened = FakeCipher("blind-index").decrypt(stored.data["sealed"], f"directory/{KEY_PK}#{KEY_SK}#sm3/sealed")
    assert opened["hash"] == "sm3"  # the hash travels sealed with the key
    assert tag == "b2:" + hmac_hex("sm3", base64.b64decode(opened["key"]), b"phone:+8613912345678")
    assert BlindIndex(table, FakeCipher("blind-index"), "sm3").phone_tag(NUMBER) == tag  # a second process


def test_r12345_11_tags_of_the_two_hashes_never_match_so_a_switch_needs_reindexing() -> None:
    table = FakeDirectoryTable()
    sha = BlindIndex(table, FakeCipher("blind-index"), "sha256")
    sm3 = BlindIndex(table, FakeCipher("blind-index"), "sm3")
    for kind, value in (("phone", "+8613912345678"), ("name", "张三"), ("place", "人民路1号")):
        one, other = sha.tag(kind, value), sm3.tag(kind, value)
        assert one.startswith("b1:") and other.startswith("b2:") and one[3:] != other[3:]
    assert sha.name_tag("张三") != sm3.name_tag("张三")


def test_r12345_11_a_key_whose_sealed_hash_differs_from_its_place_is_refused() -> None:
    table = FakeDirectoryTable()
    box = FakeCipher("blind-index")
    # an SM3 key item whose sealed payload says SHA-256 (copied from elsewhere): never used under SM3
    forged = box.encrypt({"key": "AAAA", "hash": "sha256"}, f"directory/{KEY_PK}#{KEY_SK}#sm3/sealed")
    table.put(Item(KEY_PK, f"{KEY_SK}#sm3", {"sealed": forged, "hash": "sm3"}))
    with pytest.raises(RuntimeError, match="not one for sm3"):
        BlindIndex(table, box, "sm3").phone_tag(NUMBER)
    # a key stored before the setting existed (no hash recorded) is the SHA-256 key
    old = box.encrypt({"key": "AAAA"}, f"directory/{KEY_PK}#{KEY_SK}/sealed")
    table.put(Item(KEY_PK, KEY_SK, {"sealed": old}))
    assert str(BlindIndex(table, box, "sha256").phone_tag(NUMBER)).startswith("b1:")


def test_r12345_11_an_sm3_stage_tags_tickets_with_hmac_sm3_and_finds_them_by_number() -> None:
    from datetime import UTC, datetime

    from chalicelib.domain.model import Actor
    from chalicelib.services import tickets as svc
    from tests.helpers.accounts import UNITS
    from tests.helpers.fakes import fake_adapters
    from tests.helpers.tickets import OP1

    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    deps = fake_adapters(Settings.from_env({"STAGE": "test", "BLIND_INDEX_HASH": "sm3"}))
    for unit_id, unit in UNITS.items():
        deps.directory.put_unit(unit_id, unit)
    body = {
        "category": "complaint",
        "title": "噪音",
        "content": "夜间施工",
        "caller": {"name": "张三", "phone": NUMBER},
    }
    ticket, _ = svc.create_ticket(deps, OP1, body, now)
    tag = deps.blind_index.phone_tag(NUMBER)
    assert deps.blind_index.hash_name == "sm3" and tag is not None and tag.startswith("b2:")
    found = svc.list_tickets(deps, Actor("op2", "operator"), {"phone": "+86 139-1234-5678"}, now)
    assert [t.ticket_id for t in found.items] == [ticket.ticket_id]
