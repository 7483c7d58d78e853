"""Login and sessions in the SPA on the local stack (R-SEC-05, R-SEC-06): a user an admin created with a
temporary password chooses its own, enrols an authenticator from the QR code, signs in with its code; logout
revokes the token at the server; the login page tells a newcomer how to get a demo user's code."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import requests

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)
from tests.helpers.accounts import totp_now

TEMPORARY = "Temp#Pass20261"
OWN = "Own#Passw0rd2026"


def test_r_sec_06_a_new_user_chooses_a_password_enrols_by_qr_code_and_logout_revokes(
    ui: Any, local_stack: LocalStack
) -> None:
    admin = local_stack.login("admin")["id_token"]
    username = f"e2e{uuid.uuid4().hex[:6]}"
    body = {"username": username, "name": "新坐席", "role": "operator", "temporary_password": TEMPORARY}
    created = requests.post(
        f"{local_stack.api}/admin/users", json=body, headers={"Authorization": f"Bearer {admin}"}, timeout=30
    )
    assert created.status_code == 201, created.text

    me = ui(username)
    me.goto("/login")
    expect(me.page.get_by_test_id("login-demo-hint")).to_contain_text("make totp USER=")
    me.expected_status = {401}  # the temporary password's challenge
    me.fill(me.page, "login-username", username)
    me.fill(me.page, "login-password", TEMPORARY)
    me.page.get_by_test_id("login-submit").click()
    me.fill(me.page, "login-new-password", OWN)
    me.page.get_by_test_id("login-submit").click()
    expect(me.page.get_by_test_id("login-qr")).to_be_visible()
    me.expected_status = set()
    secret = me.page.get_by_test_id("login-secret").inner_text().strip()
    assert me.page.get_by_test_id("login-qr").get_attribute("src").startswith("data:image/svg+xml")  # type: ignore[union-attr]
    me.shot("identity-enrol")
    me.fill(me.page, "login-totp", totp_now(username, secret))
    me.page.get_by_test_id("login-totp-submit").click()
    me.page.wait_for_url("**/home")

    stored = json.loads(me.page.evaluate("sessionStorage.getItem('hotline.session')"))
    assert "refreshToken" not in stored  # R-SEC-05
    token = stored["idToken"]
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{local_stack.api}/me", headers=headers, timeout=30).status_code == 200
    me.page.get_by_test_id("logout").click()
    me.page.wait_for_url("**/login**")
    deadline = time.monotonic() + 10  # the SPA revokes in the background while it shows the login page
    while (status := requests.get(f"{local_stack.api}/me", headers=headers, timeout=30).status_code) != 401:
        assert time.monotonic() < deadline, f"the token still works after logout ({status})"
        time.sleep(0.2)
