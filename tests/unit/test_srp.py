"""Login by SRP (USER_SRP_AUTH, docs/security.md "Login and sessions"): the arithmetic checked against vectors
computed with an independent implementation (pycognito 2025's `aws_srp.AWSSRP.process_challenge`, run outside
the project with the same fixed a, b, salt, secret block and time) — moto accepts any signature, so these are
what proves the math. Each vector: the client's A and the pool's B (their SHA-256 over the hex), the signature."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime

import pytest

from chalicelib.integrations import srp

POOL = "cn-north-1_Hx7Zq2Lk9"
A_SMALL = int("7d" * 127 + "3", 16)
B_SMALL = int("a5" * 120 + "1", 16)
BLOCK = base64.b64encode(bytes(range(64)) * 3).decode()
VECTORS = [
    (
        "op1",
        "Hotline#2026op1",
        "0f3c5e9a1b2d4c6e8f0a1b2c3d4e5f60",
        datetime(2026, 3, 4, 9, 5, 7, tzinfo=UTC),
        "Wed Mar 4 09:05:07 UTC 2026",
        "e9794da3a3ac0e78e0399331cae49e9d6dc082a7493d8fcfb35b71e4ef39367d",
        "Efahpv+G9r0EZoYV7Q8e8e1Tnq5qLt51w9/H1ab5a5s=",
    ),
    (  # a salt with its top bit set (hashed with a leading zero byte), a non-ASCII password
        "leader1",
        "密码Hotline#2026",
        "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
        datetime(2026, 12, 16, 23, 59, 1, tzinfo=UTC),
        "Wed Dec 16 23:59:01 UTC 2026",
        "fbb00f6ac8be856e0880c36c568c9800d9e8719d6d5a00a8c17d188a630ad3c9",
        "QTuaXLQfV1pF2k1285HcPHxzcW8RXP9Ev4Lmx2JLDLA=",
    ),
]
A_SHA256 = "4eaf52dcdec8bcecba462d68e3a7ff51ab2bd6ca665b92ea0458c80cf7d4d9c5"


def _sha(hex_text: str) -> str:
    return hashlib.sha256(hex_text.encode()).hexdigest()


@pytest.mark.parametrize(("user", "password", "salt", "when", "stamp", "b_sha", "signature"), VECTORS)
def test_srp_client_signature_matches_an_independent_implementation(
    user: str, password: str, salt: str, when: datetime, stamp: str, b_sha: str, signature: str
) -> None:
    client = srp.Client(POOL, a=A_SMALL)
    assert _sha(client.srp_a) == A_SHA256
    pool = srp.Verifier(POOL, user, password, client.srp_a, salt=salt, b=B_SMALL)
    assert _sha(pool.srp_b) == b_sha
    params = {"USERNAME": user, "USER_ID_FOR_SRP": user, "SALT": salt, "SRP_B": pool.srp_b, "SECRET_BLOCK": BLOCK}
    answer = client.respond(params, password, when)
    assert answer == {
        "USERNAME": user,
        "TIMESTAMP": stamp,
        "PASSWORD_CLAIM_SECRET_BLOCK": BLOCK,
        "PASSWORD_CLAIM_SIGNATURE": signature,
    }
    assert pool.verify(BLOCK, stamp, signature)


def test_srp_the_pool_half_refuses_a_wrong_password_or_a_changed_message() -> None:
    client = srp.Client(POOL)
    pool = srp.Verifier(POOL, "op1", "Hotline#2026op1", client.srp_a)
    params = {"USER_ID_FOR_SRP": "op1", "SALT": pool.salt, "SRP_B": pool.srp_b, "SECRET_BLOCK": BLOCK}
    now = datetime(2026, 5, 1, 8, 0, 0, tzinfo=UTC)
    good = client.respond(params, "Hotline#2026op1", now)
    assert pool.verify(BLOCK, good["TIMESTAMP"], good["PASSWORD_CLAIM_SIGNATURE"])
    wrong = client.respond(params, "Hotline#2026op2", now)
    assert not pool.verify(BLOCK, wrong["TIMESTAMP"], wrong["PASSWORD_CLAIM_SIGNATURE"])
    assert not pool.verify(
        BLOCK, srp.timestamp(datetime(2026, 5, 1, 8, 0, 1, tzinfo=UTC)), good["PASSWORD_CLAIM_SIGNATURE"]
    )


def test_srp_refuses_a_b_or_an_a_that_is_zero_mod_n() -> None:
    client = srp.Client(POOL)
    params = {"USER_ID_FOR_SRP": "op1", "SALT": "00", "SRP_B": format(srp.N * 2, "x"), "SECRET_BLOCK": BLOCK}
    with pytest.raises(ValueError):
        client.respond(params, "x", datetime.now(UTC))
    with pytest.raises(ValueError):
        srp.Verifier(POOL, "op1", "x", format(srp.N, "x"))


def test_srp_timestamp_is_cognitos_format() -> None:
    assert srp.timestamp(datetime(2026, 1, 5, 3, 4, 5, tzinfo=UTC)) == "Mon Jan 5 03:04:05 UTC 2026"
    assert srp.pool_name("cn-northwest-1_AbC9") == "AbC9"


def test_srp_login_refuses_an_unusable_b_from_the_pool_as_a_failed_login() -> None:
    from chalicelib.domain.errors import Unauthenticated
    from chalicelib.integrations import userpool

    class Pool:
        def initiate_auth(self, **_: object) -> dict[str, object]:
            params = {"USER_ID_FOR_SRP": "op1", "SALT": "00", "SRP_B": format(srp.N, "x"), "SECRET_BLOCK": BLOCK}
            return {"ChallengeName": "PASSWORD_VERIFIER", "ChallengeParameters": params}

        def respond_to_auth_challenge(self, **_: object) -> dict[str, object]:
            raise AssertionError("no proof may be sent for an unusable B")

    with pytest.raises(Unauthenticated):
        userpool.password_login(Pool(), "client", "op1", "pw", pool_id=POOL)
