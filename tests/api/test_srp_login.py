"""Login by SRP (docs/security.md, "Login and sessions"): `POST /auth/login` proves the password to the user
pool with USER_SRP_AUTH and never sends it there; the emulated pool checks the proof (infra/moto_srp.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chalicelib.domain.errors import Unauthenticated
from chalicelib.integrations import srp, userpool
from tests.helpers.accounts import PASSWORD


class Spy:
    """A Cognito client that records every call's parameters."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.calls = inner, []

    def __getattr__(self, name: str) -> Any:
        def call(**params: Any) -> Any:
            self.calls.append((name, params))
            return getattr(self.inner, name)(**params)

        return call


def test_login_proves_the_password_by_srp_and_never_sends_it(deps: Any, outputs: dict[str, str], seeded: Any) -> None:
    spy = Spy(deps.clients("cognito-idp"))
    pool, client = outputs["user_pool_id"], outputs["user_pool_client_id"]
    tokens = userpool.password_login(spy, client, "op1", PASSWORD, pool_id=pool)
    assert tokens["id_token"] and "refresh_token" not in tokens
    assert [(name, p.get("AuthFlow") or p.get("ChallengeName")) for name, p in spy.calls] == [
        ("initiate_auth", "USER_SRP_AUTH"),
        ("respond_to_auth_challenge", "PASSWORD_VERIFIER"),
    ]
    assert PASSWORD not in repr(spy.calls)
    with pytest.raises(Unauthenticated):
        userpool.password_login(spy, client, "op1", PASSWORD + "x", pool_id=pool)


def test_the_pool_refuses_a_forged_proof(deps: Any, outputs: dict[str, str], seeded: Any) -> None:
    idp = deps.clients("cognito-idp")
    client = outputs["user_pool_client_id"]
    first = idp.initiate_auth(
        ClientId=client, AuthFlow="USER_SRP_AUTH", AuthParameters={"USERNAME": "op1", "SRP_A": srp.Client("x_y").srp_a}
    )
    params = first["ChallengeParameters"]
    forged = {
        "USERNAME": params["USERNAME"],
        "TIMESTAMP": "Mon Jan 5 03:04:05 UTC 2026",
        "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
        "PASSWORD_CLAIM_SIGNATURE": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    }
    with pytest.raises(ClientError) as refused:
        idp.respond_to_auth_challenge(ClientId=client, ChallengeName="PASSWORD_VERIFIER", ChallengeResponses=forged)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_a_temporary_password_still_asks_for_a_new_one_through_srp(
    api: Any, deps: Any, outputs: dict[str, str]
) -> None:
    name = f"srp{uuid.uuid4().hex[:6]}"
    user = {"username": name, "name": "SRP测试", "role": "operator", "password": "Temp#Pass2026x"}
    assert api.post("/admin/users", user, user="admin1").status_code == 201
    pool, client = outputs["user_pool_id"], outputs["user_pool_client_id"]
    cognito = deps.clients("cognito-idp")
    with pytest.raises(Unauthenticated) as challenged:
        userpool.password_login(cognito, client, name, "Temp#Pass2026x", pool_id=pool)
    assert challenged.value.details["challenge"] == "NEW_PASSWORD_REQUIRED"
    tokens = userpool.password_login(cognito, client, name, "Temp#Pass2026x", "Own#Pass2026yz", pool_id=pool)
    assert tokens["id_token"]
    assert userpool.password_login(cognito, client, name, "Own#Pass2026yz", pool_id=pool)["id_token"]
    with pytest.raises(Unauthenticated):
        userpool.password_login(cognito, client, name, "Temp#Pass2026x", pool_id=pool)
