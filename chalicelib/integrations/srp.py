"""Cognito's Secure Remote Password login (USER_SRP_AUTH, SRP-6a): the password never goes to the pool.

The API receives the password over TLS (`POST /auth/login`) and proves to the user pool that it knows it:

1. `InitiateAuth(USER_SRP_AUTH, {USERNAME, SRP_A})` with A = g^a mod N (a: 128 random bytes);
2. the pool answers the challenge `PASSWORD_VERIFIER` with `SALT`, `SRP_B`, `SECRET_BLOCK` and `USER_ID_FOR_SRP`;
3. `RespondToAuthChallenge(PASSWORD_VERIFIER, {USERNAME, TIMESTAMP, PASSWORD_CLAIM_SECRET_BLOCK,
   PASSWORD_CLAIM_SIGNATURE})`, the signature an HMAC-SHA-256 under the key both sides derive from S.

The arithmetic is Cognito's (amazon-cognito-identity-js `AuthenticationHelper`): N the 3072-bit MODP prime of
RFC 3526, g = 2, k = H(N ‖ g), u = H(A ‖ B), x = H(salt ‖ H(pool ‖ user ‖ ":" ‖ password)),
S = (B − k·g^x)^(a + u·x) mod N, key = HKDF-SHA-256(ikm = S, salt = u, info = "Caldera Derived Key")[:16],
signature = HMAC(key, pool ‖ user ‖ secret block ‖ timestamp) — every number hashed as its big-endian bytes
with a leading zero byte when the top bit is set (`_pad`). `pool` is the part of the user pool id after "_".

`Verifier` is the pool's half, for the local emulator only (moto accepts any signature: `infra/moto_srp.py`).
`tests/unit/test_srp.py` checks both halves against a vector computed with an independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

N_HEX = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N = int(N_HEX, 16)
G = 2
INFO = b"Caldera Derived Key"
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _pad_hex(text: str) -> bytes:
    """A hex number as Cognito hashes it: whole bytes, a leading 00 when the top bit is set."""
    if len(text) % 2:
        text = "0" + text
    elif text[:1] in tuple("89abcdefABCDEF"):
        text = "00" + text
    return bytes.fromhex(text)


def _pad(n: int) -> bytes:
    return _pad_hex(format(n, "x"))


def _hash(data: bytes) -> int:
    return int.from_bytes(hashlib.sha256(data).digest(), "big")


K = _hash(_pad(N) + _pad(G))


def pool_name(pool_id: str) -> str:
    """The part of a user pool id after the region (`cn-north-1_AbC` → `AbC`)."""
    return pool_id.split("_", 1)[1]


def _x(pool: str, user_id: str, password: str, salt_hex: str) -> int:
    inner = hashlib.sha256(f"{pool}{user_id}:{password}".encode()).digest()
    return _hash(_pad_hex(salt_hex) + inner)


def _u(big_a: int, big_b: int) -> int:
    return _hash(_pad(big_a) + _pad(big_b))


def _key(s: int, u: int) -> bytes:
    """HKDF-SHA-256 (one block) of S with u as salt: the 16-byte key of the signature."""
    prk = hmac.new(_pad(u), _pad(s), hashlib.sha256).digest()
    return hmac.new(prk, INFO + b"\x01", hashlib.sha256).digest()[:16]


def _signature(key: bytes, pool: str, user_id: str, secret_block: str, timestamp: str) -> str:
    message = pool.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


def timestamp(now: datetime) -> str:
    """Cognito's TIMESTAMP: `Tue Mar 4 09:05:07 UTC 2026` (English names, the day without a leading zero)."""
    t = now.astimezone(UTC)
    return f"{DAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day} {t:%H:%M:%S} UTC {t.year}"


@dataclass
class Client:
    """One login's client half: `a` secret, `srp_a` sent with InitiateAuth, `respond` answers PASSWORD_VERIFIER."""

    pool_id: str
    a: int = field(default_factory=lambda: int.from_bytes(secrets.token_bytes(128), "big") % N)

    def __post_init__(self) -> None:
        self.big_a = pow(G, self.a, N)
        if self.big_a % N == 0:  # pragma: no cover - a one in 2^3072 chance
            raise ValueError("SRP: A is 0 mod N")

    @property
    def srp_a(self) -> str:
        return format(self.big_a, "x")

    def respond(self, params: dict[str, str], password: str, now: datetime) -> dict[str, str]:
        """The ChallengeResponses of PASSWORD_VERIFIER for the pool's `ChallengeParameters`."""
        big_b = int(params["SRP_B"], 16)
        if big_b % N == 0:
            raise ValueError("SRP: the pool's B is 0 mod N")
        u = _u(self.big_a, big_b)
        if u == 0:
            raise ValueError("SRP: u is 0")
        pool, user_id = pool_name(self.pool_id), params["USER_ID_FOR_SRP"]
        x = _x(pool, user_id, password, params["SALT"])
        s = pow(big_b - K * pow(G, x, N), self.a + u * x, N)
        stamp = timestamp(now)
        return {
            "USERNAME": params.get("USERNAME") or user_id,
            "TIMESTAMP": stamp,
            "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": _signature(_key(s, u), pool, user_id, params["SECRET_BLOCK"], stamp),
        }


@dataclass
class Verifier:
    """The pool's half (local emulator only): B from the password's verifier, then the signature checked."""

    pool_id: str
    user_id: str
    password: str
    srp_a: str
    salt: str = field(default_factory=lambda: secrets.token_hex(16))
    b: int = field(default_factory=lambda: int.from_bytes(secrets.token_bytes(128), "big") % N)

    def __post_init__(self) -> None:
        self.big_a = int(self.srp_a, 16)
        if self.big_a % N == 0:
            raise ValueError("SRP: A is 0 mod N")
        self.v = pow(G, _x(pool_name(self.pool_id), self.user_id, self.password, self.salt), N)
        self.big_b = (K * self.v + pow(G, self.b, N)) % N

    @property
    def srp_b(self) -> str:
        return format(self.big_b, "x")

    def verify(self, secret_block: str, stamp: str, signature: str) -> bool:
        """True when the client's signature proves the same password (constant-time comparison)."""
        u = _u(self.big_a, self.big_b)
        s = pow(self.big_a * pow(self.v, u, N), self.b, N)
        expected = _signature(_key(s, u), pool_name(self.pool_id), self.user_id, secret_block, stamp)
        return hmac.compare_digest(expected, signature)
