"""R-SEC-07: tokens of an OIDC provider — audience mandatory outside local stages, a second factor shown by
`amr` / `acr`, and identity = issuer + `sub` (never `preferred_username`)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chalicelib.api.deps import actor_from_claims
from chalicelib.domain.errors import Unauthenticated
from chalicelib.integrations.oidc import JwksVerifier

ISSUER = "https://idp.example.gov.cn/realms/county"


@pytest.fixture(scope="module")
def key() -> Any:
    from cryptography.hazmat.primitives.asymmetric import rsa

    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwks(key: Any) -> dict[str, Any]:
    import jwt

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [dict(jwk, kid="k1", alg="RS256")]}


def _token(key: Any, **claims: Any) -> str:
    import jwt

    now = int(time.time())
    body = {"iss": ISSUER, "aud": "hotline", "sub": "5f0c-77", "iat": now, "exp": now + 300, "roles": ["operator"]}
    body.update(claims)
    return str(
        jwt.encode({k: v for k, v in body.items() if v is not None}, key, algorithm="RS256", headers={"kid": "k1"})
    )


def _verifier(key: Any, **options: Any) -> JwksVerifier:
    return JwksVerifier(ISSUER, "https://idp/jwks", options.pop("audience", "hotline"), lambda _: _jwks(key), **options)


def test_r_sec_07_the_audience_is_mandatory_outside_local_stages(key: Any) -> None:
    with pytest.raises(ValueError, match="OIDC_AUDIENCE"):
        _verifier(key, audience="")
    assert _verifier(key, audience="", audience_optional=True).verify(_token(key, aud=None))["sub"] == "5f0c-77"
    with pytest.raises(Unauthenticated):
        _verifier(key).verify(_token(key, aud="another-client"))


def test_r_sec_07_a_token_without_a_second_factor_is_refused(key: Any) -> None:
    verifier = _verifier(key, require_mfa=True, mfa_acr=("urn:gov:loa:high",))
    for claims in ({}, {"amr": ["pwd"]}, {"amr": "pwd"}, {"acr": "urn:gov:loa:low"}, {"amr": {"otp": 1}}):
        with pytest.raises(Unauthenticated) as caught:
            verifier.verify(_token(key, **claims))
        assert caught.value.details["reason"] == "mfa"
    assert verifier.verify(_token(key, amr=["pwd", "otp"]))["amr"] == ["pwd", "otp"]
    assert verifier.verify(_token(key, amr=["mfa"]))
    assert verifier.verify(_token(key, acr="urn:gov:loa:high"))
    assert _verifier(key).verify(_token(key))  # the user pool's tokens: the app's own TOTP step (R-SEC-06)


def test_r_sec_07_identity_is_issuer_and_sub_not_preferred_username(key: Any) -> None:
    claims = _verifier(key).verify(_token(key, preferred_username="op1", name="王敏"))
    actor = actor_from_claims(claims)
    assert actor.user_id == f"{ISSUER}|5f0c-77" and actor.name == "王敏"
    other = actor_from_claims(dict(claims, iss="https://other.example/realm"))
    assert other.user_id != actor.user_id  # the same sub at another issuer is another person
    with pytest.raises(Unauthenticated):
        actor_from_claims({k: v for k, v in claims.items() if k != "sub"})
    cognito = actor_from_claims({"cognito:username": "op1", "sub": "x", "cognito:groups": ["operator"]})
    assert cognito.user_id == "op1"  # the user pool: its username is the pool's stable key
