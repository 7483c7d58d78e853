"""Partner request signing (HMAC-SHA256): the canonical string, signing and verification. Pure.

The same scheme signs partner requests to us and our webhook calls to partners
(docs/partner-api.md, "Signing"):

    HOTLINE-HMAC-SHA256\\n{METHOD}\\n{path}\\n{query}\\n{timestamp}\\n{nonce}\\n{sha256(body) hex}

`path` is the path below the API base (`/partner/v1/tickets/C-1`), each segment percent-encoded
(RFC 3986 unreserved characters kept); `query` is every (name, value) pair percent-encoded the
same way, sorted, joined with `&`; `timestamp` is Unix seconds; `nonce` is 16–64 characters of
`[A-Za-z0-9_-]`. The signature is the lowercase hex HMAC-SHA256 of the canonical string under the
partner's secret.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote

from chalicelib.domain.errors import Unauthenticated

ALGORITHM = "HOTLINE-HMAC-SHA256"
MAX_SKEW_S = 300  # ±5 minutes
NONCE_TTL_S = 2 * MAX_SKEW_S + 60  # a nonce outlives the window in which its timestamp is valid

# the ticket events a partner's webhook may subscribe to (signed like partner requests, docs/partner-api.md)
HOOK_EVENTS = frozenset(
    {
        "received",
        "dispatched",
        "signed",
        "returned",
        "transferred",
        "extension_requested",
        "extension_decided",
        "replied",
        "review_rejected",
        "reviewed",
        "called_back",
        "submitted",
        "city_rejected",
        "closed",
        "reassigned",
        "decided",  # 12369 (R-12369-02…06): a case from above reports its result back up
        "forwarded",
        "signed_off",
    }
)

H_KEY = "x-hotline-key"
H_TIMESTAMP = "x-hotline-timestamp"
H_NONCE = "x-hotline-nonce"
H_SIGNATURE = "x-hotline-signature"
REQUIRED_HEADERS = (H_KEY, H_TIMESTAMP, H_NONCE, H_SIGNATURE)

_NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
_KEY_ID = re.compile(r"[A-Za-z0-9_-]{4,64}")
_SIGNATURE = re.compile(r"[0-9a-f]{64}")
_TIMESTAMP = re.compile(r"\d{1,12}")


@dataclass(frozen=True)
class SignedHeaders:
    """The four signing headers of a request, checked for shape only."""

    key_id: str
    timestamp: int
    nonce: str
    signature: str


def _enc(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_path(path: str) -> str:
    """Each segment decoded once then percent-encoded (so `/a%20b` and `/a b` sign the same)."""
    return "/".join(_enc(unquote(segment)) for segment in path.split("/")) or "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """`a=1&b=2`: pairs percent-encoded, sorted by name then value."""
    return "&".join(f"{k}={v}" for k, v in sorted((_enc(k), _enc(v)) for k, v in pairs))


def body_hash(body: bytes) -> str:
    """Lowercase hex SHA-256 of the raw body (b"" when there is none)."""
    return hashlib.sha256(body).hexdigest()


def canonical_string(
    method: str, path: str, query: Iterable[tuple[str, str]], timestamp: int, nonce: str, body: bytes
) -> str:
    """The text that is signed."""
    return "\n".join(
        (
            ALGORITHM,
            method.upper(),
            canonical_path(path),
            canonical_query(query),
            str(timestamp),
            nonce,
            body_hash(body),
        )
    )


def sign(
    secret: str, method: str, path: str, query: Iterable[tuple[str, str]], timestamp: int, nonce: str, body: bytes
) -> str:
    """Hex HMAC-SHA256 of the canonical string."""
    text = canonical_string(method, path, query, timestamp, nonce, body)
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def signed_headers(headers: Mapping[str, str]) -> SignedHeaders:
    """The signing headers (case-insensitive names), or 401 naming what is missing or malformed."""
    lower = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in REQUIRED_HEADERS if not lower.get(h)]
    if missing:
        raise Unauthenticated("缺少签名请求头", missing=missing)
    values = {h: lower[h].strip() for h in REQUIRED_HEADERS}
    checks = ((H_KEY, _KEY_ID), (H_TIMESTAMP, _TIMESTAMP), (H_NONCE, _NONCE), (H_SIGNATURE, _SIGNATURE))
    bad = [h for h, pattern in checks if not pattern.fullmatch(values[h])]
    if bad:
        raise Unauthenticated("签名请求头格式不正确", malformed=bad)
    return SignedHeaders(values[H_KEY], int(values[H_TIMESTAMP]), values[H_NONCE], values[H_SIGNATURE])


def check_clock(timestamp: int, now_ts: float, max_skew: int = MAX_SKEW_S) -> None:
    """401 when the request time is more than ±max_skew seconds from ours."""
    if abs(now_ts - timestamp) > max_skew:
        raise Unauthenticated("请求时间戳超出允许范围（±5 分钟），请校准时钟", server_time=int(now_ts))


def verify(
    secrets: Iterable[str],
    signed: SignedHeaders,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    body: bytes,
) -> None:
    """401 unless the signature matches under one of the secrets (current, or a rotated one in grace)."""
    query = list(query)
    for secret in secrets:
        expected = sign(secret, method, path, query, signed.timestamp, signed.nonce, body)
        if hmac.compare_digest(expected, signed.signature):
            return
    raise Unauthenticated("签名不正确")


def headers_for(
    secret: str,
    key_id: str,
    method: str,
    path: str,
    query: Iterable[tuple[str, str]],
    timestamp: int,
    nonce: str,
    body: bytes,
) -> dict[str, str]:
    """The four headers that sign a request (used by our webhook client and by partners' examples)."""
    return {
        "X-Hotline-Key": key_id,
        "X-Hotline-Timestamp": str(timestamp),
        "X-Hotline-Nonce": nonce,
        "X-Hotline-Signature": sign(secret, method, path, query, timestamp, nonce, body),
    }
