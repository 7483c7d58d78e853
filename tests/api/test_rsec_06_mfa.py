"""R-SEC-06: a TOTP second step for every user-pool login — enrolment with a QR code, the challenge after the
password, an admin's reset of a user's authenticator (recorded)."""

from __future__ import annotations

import base64
import urllib.parse
import uuid
from typing import Any

import pytest

from infra import deploy
from tests.helpers.accounts import PASSWORD, security_log, totp_now


@pytest.fixture
def person(outputs: dict[str, str], seeded: Any) -> str:
    """A fresh operator with no authenticator yet."""
    username = f"mfa{uuid.uuid4().hex[:8]}"
    deploy.create_user(outputs, username, PASSWORD, "operator", name="双因素")
    return username


def _password(api: Any, username: str) -> Any:
    resp = api.post("/auth/login", {"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return resp.json


def test_r_sec_06_a_first_login_enrols_an_authenticator_from_a_qr_code(api: Any, deps: Any, person: str) -> None:
    setup = _password(api, person)
    assert setup["challenge"] == "TOTP_SETUP" and "id_token" not in setup
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and f"secret={setup['secret']}" in setup["otpauth_uri"]
    head, _, svg = setup["qr_svg"].partition(",")
    assert head.startswith("data:image/svg+xml")
    assert "<svg" in (base64.b64decode(svg).decode() if "base64" in head else urllib.parse.unquote(svg))
    done = api.post("/auth/mfa", {"session": setup["session"], "code": totp_now(person, setup["secret"])})
    assert done.status_code == 200 and done.json["user"]["id"] == person, done.json
    stored = deps.directory.get_item(f"AUTH#{person}", "mfa")
    assert setup["secret"] not in str(stored)  # sealed in the envelope
    again = _password(api, person)
    assert again["challenge"] == "TOTP" and "secret" not in again and "qr_svg" not in again
    demo = api.post("/auth/mfa", {"session": again["session"], "code": totp_now(person)})  # another secret's code
    assert demo.status_code == 401
    ok = api.post("/auth/mfa", {"session": again["session"], "code": totp_now(person, setup["secret"])})
    assert ok.status_code == 200 and security_log(deps, person, "login")[-1]["mfa"] == "totp"


def test_r_sec_06_a_pending_login_ends_after_five_wrong_codes(api: Any, deps: Any, person: str) -> None:
    from chalicelib.services import identity

    identity.enrol(deps, person, identity.demo_secret(person), deps.clock())
    pending = _password(api, person)
    wrong = str((int(totp_now(person)) + 500000) % 1000000).zfill(6)
    for _ in range(4):
        assert api.post("/auth/mfa", {"session": pending["session"], "code": wrong}).status_code == 401
    api.post("/auth/mfa", {"session": pending["session"], "code": wrong})  # the fifth: the user is locked now
    gone = api.post("/auth/mfa", {"session": pending["session"], "code": totp_now(person)})
    assert gone.status_code in (401, 429)
    assert len(security_log(deps, person, "login_failed")) == 5 and security_log(deps, person, "lockout")


def test_r_sec_06_an_admin_resets_a_user_s_authenticator_and_it_is_recorded(api: Any, deps: Any, person: str) -> None:
    from chalicelib.services import identity

    identity.enrol(deps, person, identity.demo_secret(person), deps.clock())
    first = _password(api, person)
    token = api.post("/auth/mfa", {"session": first["session"], "code": totp_now(person)}).json["id_token"]
    assert api.post(f"/admin/users/{person}/mfa-reset", user="op1").status_code == 403
    reset = api.post(f"/admin/users/{person}/mfa-reset", user="admin1")
    assert reset.status_code == 200 and reset.json["username"] == person
    assert api.post("/admin/users/nobody-x1/mfa-reset", user="admin1").status_code == 404
    assert api.client.http.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    entries = security_log(deps, "admin1", "mfa_reset")
    assert entries and entries[-1]["target"] == person
    assert _password(api, person)["challenge"] == "TOTP_SETUP"


def test_r_sec_06_a_token_fetched_from_the_pool_without_the_totp_step_is_refused(
    api: Any, outputs: dict[str, str], person: str
) -> None:
    direct = deploy.login(outputs, person, PASSWORD)["IdToken"]  # InitiateAuth at the pool, no second factor
    resp = api.client.http.get("/me", headers={"Authorization": f"Bearer {direct}"})
    assert resp.status_code == 401 and b'"mfa"' in resp.body
