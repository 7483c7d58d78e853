"""HMAC request signing (domain/signing.py): canonical string, verification edge cases."""

from __future__ import annotations

import pytest

from chalicelib.domain import signing
from chalicelib.domain.errors import Unauthenticated

SECRET = "s3cret-城市平台"
NONCE = "abcdefghijklmnop1234"
TS = 1_790_000_000


def _headers(
    secret: str = SECRET,
    body: bytes = b'{"a":1}',
    path: str = "/partner/v1/tickets",
    query: list[tuple[str, str]] | None = None,
    ts: int = TS,
    nonce: str = NONCE,
) -> dict[str, str]:
    return signing.headers_for(secret, "hk_0123456789abcdef", "POST", path, query or [], ts, nonce, body)


def _verify(
    headers: dict[str, str],
    body: bytes = b'{"a":1}',
    path: str = "/partner/v1/tickets",
    query: list[tuple[str, str]] | None = None,
    secrets: tuple[str, ...] = (SECRET,),
) -> None:
    signed = signing.signed_headers(headers)
    signing.verify(secrets, signed, "POST", path, query or [], body)


def test_canonical_string_layout() -> None:
    text = signing.canonical_string("post", "/partner/v1/tickets/C 1", [("b", "2"), ("a", "x y")], TS, NONCE, b"")
    assert text.split("\n") == [
        "HOTLINE-HMAC-SHA256",
        "POST",
        "/partner/v1/tickets/C%201",
        "a=x%20y&b=2",
        str(TS),
        NONCE,
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ]


def test_encoded_and_decoded_path_sign_the_same() -> None:
    assert signing.canonical_path("/a/C%2D1%20x") == signing.canonical_path("/a/C-1 x")
    assert signing.canonical_query([("z", "1"), ("a", "中")]) == "a=%E4%B8%AD&z=1"


def test_valid_signature_passes() -> None:
    _verify(_headers())


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(Unauthenticated, match="签名不正确"):
        _verify(_headers(secret="other"))


def test_rotated_secret_in_grace_still_verifies() -> None:
    _verify(_headers(secret="old"), secrets=("new", "old"))


def test_body_altered_after_signing_is_rejected() -> None:
    with pytest.raises(Unauthenticated):
        _verify(_headers(body=b'{"a":1}'), body=b'{"a":2}')


def test_path_or_query_altered_is_rejected() -> None:
    with pytest.raises(Unauthenticated):
        _verify(_headers(), path="/partner/v1/tickets/X")
    with pytest.raises(Unauthenticated):
        _verify(_headers(query=[("a", "1")]), query=[("a", "2")])


@pytest.mark.parametrize("missing", ["X-Hotline-Key", "X-Hotline-Timestamp", "X-Hotline-Nonce", "X-Hotline-Signature"])
def test_missing_header_is_named(missing: str) -> None:
    headers = _headers()
    del headers[missing]
    with pytest.raises(Unauthenticated) as info:
        signing.signed_headers(headers)
    assert info.value.details["missing"] == [missing.lower()]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Hotline-Timestamp", "12:00"),
        ("X-Hotline-Nonce", "short"),
        ("X-Hotline-Signature", "zz"),
        ("X-Hotline-Key", "a b"),
    ],
)
def test_malformed_header_is_rejected(name: str, value: str) -> None:
    headers = dict(_headers(), **{name: value})
    with pytest.raises(Unauthenticated) as info:
        signing.signed_headers(headers)
    assert info.value.details["malformed"] == [name.lower()]


def test_header_names_are_case_insensitive() -> None:
    headers = {k.lower(): v for k, v in _headers().items()}
    _verify(headers)


@pytest.mark.parametrize("skew", [-301, 301, 10_000])
def test_skewed_clock_is_rejected(skew: int) -> None:
    with pytest.raises(Unauthenticated, match="时间戳"):
        signing.check_clock(TS, TS + skew)


@pytest.mark.parametrize("skew", [-300, 0, 300])
def test_clock_within_five_minutes_is_accepted(skew: int) -> None:
    signing.check_clock(TS, TS + skew)
