"""R-SEC-05: sessions. No refresh token reaches the browser; `POST /auth/logout` and the per-user
"revoked before" stamp (disable, role change, logout) refuse a token at its next request; an admin-set
password is always temporary."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from infra import deploy
from tests.helpers.accounts import PASSWORD, login, security_log, totp_now

OWN = "Own#Passw0rd2026"


@pytest.fixture
def person(deps: Any, outputs: dict[str, str], seeded: Any) -> str:
    from chalicelib.services import identity

    username = f"ses{uuid.uuid4().hex[:8]}"
    deploy.create_user(outputs, username, PASSWORD, "operator", name="会话")
    identity.enrol(deps, username, identity.demo_secret(username), deps.clock())
    return username


def _me(api: Any, token: str) -> Any:
    resp = api.client.http.get("/me", headers={"Authorization": f"Bearer {token}"})
    return resp.status_code


def test_r_sec_05_login_gives_no_refresh_token(api: Any, person: str) -> None:
    resp = login(api, person)
    assert resp.status_code == 200, resp.json
    assert "refresh_token" not in resp.json and resp.json["id_token"]


def test_r_sec_05_a_disabled_user_s_token_is_refused_at_once(api: Any, person: str) -> None:
    token = login(api, person).json["id_token"]
    assert _me(api, token) == 200
    assert api.post(f"/admin/users/{person}/disable", user="admin1").status_code == 200
    resp = api.client.http.get("/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401 and b"revoked" in resp.body


def test_r_sec_05_a_role_change_ends_the_old_role_s_sessions(api: Any, person: str) -> None:
    token = login(api, person).json["id_token"]
    changed = api.put(f"/admin/users/{person}", {"role": "analyst"}, user="admin1")
    assert changed.status_code == 200, changed.json
    assert _me(api, token) == 401
    time.sleep(1.1)  # token times are whole seconds: a login in the second of the change is refused too
    again = login(api, person)
    assert again.json["user"]["role"] == "analyst" and _me(api, again.json["id_token"]) == 200


def test_r_sec_05_logout_revokes_the_token_and_is_logged(api: Any, deps: Any, person: str) -> None:
    token = login(api, person).json["id_token"]
    out = api.client.http.post("/auth/logout", headers={"Authorization": f"Bearer {token}"}, body=b"")
    assert out.status_code == 200
    assert _me(api, token) == 401
    entries = security_log(deps, person, "logout")
    assert len(entries) == 1 and entries[0]["ip"] == "127.0.0.1" and entries[0]["role"] == "operator"
    assert api.client.http.post("/auth/logout", headers={}, body=b"").status_code == 401
    time.sleep(1.1)
    assert _me(api, login(api, person).json["id_token"]) == 200  # a new login works


def test_r_sec_05_admin_set_passwords_are_temporary(api: Any, deps: Any, seeded: Any) -> None:
    username = f"tmp{uuid.uuid4().hex[:8]}"
    body = {"username": username, "name": "临时", "role": "operator", "password": "Adm1n#Pass2026"}
    created = api.post("/admin/users", body, user="admin1")
    assert created.status_code == 201 and created.json["status"] == "FORCE_CHANGE_PASSWORD"
    first = api.post("/auth/login", {"username": username, "password": "Adm1n#Pass2026"})
    assert first.status_code == 401 and first.json["details"]["challenge"] == "NEW_PASSWORD_REQUIRED"
    weak = api.post("/auth/login", {"username": username, "password": "Adm1n#Pass2026", "new_password": 5})
    assert weak.status_code == 422 and set(weak.json["details"]["fields"]) == {"new_password"}
    changed = api.post("/auth/login", {"username": username, "password": "Adm1n#Pass2026", "new_password": OWN})
    assert changed.status_code == 200 and changed.json["challenge"] == "TOTP_SETUP", changed.json
    secret = changed.json["secret"]
    done = api.post("/auth/mfa", {"session": changed.json["session"], "code": totp_now(username, secret)})
    assert done.status_code == 200 and done.json["user"]["id"] == username, done.json
    again = api.post("/auth/login", {"username": username, "password": OWN})
    assert again.json["challenge"] == "TOTP"  # enrolled now
    assert api.post("/auth/login", {"username": username, "password": "Adm1n#Pass2026"}).status_code == 401
    failed = security_log(deps, username, "login_failed")
    assert len(failed) == 1  # the old temporary password; the right one with its challenge was no failure
