"""Login where there is no Cognito (aws-cn): the password grant at the stage's OIDC provider, behind the
same `POST /auth/login` (docs/deploy.md, "Login"). The fake provider answers with an ID token of the
session's user pool, which the app's verifier (issuer + JWKS) accepts."""

from __future__ import annotations

import base64
import dataclasses
import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest

from chalicelib import bootstrap

PASSWORD = "Test#Pass2026"


class _Provider(http.server.BaseHTTPRequestHandler):
    id_tokens: dict[str, str] = {}
    seen: list[dict[str, Any]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        form = dict(urllib.parse.parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode()))
        auth = base64.b64decode(self.headers["Authorization"].removeprefix("Basic ")).decode()
        self.seen.append({"form": form, "client": auth})
        token = self.id_tokens.get(form.get("username", ""))
        ok = form.get("grant_type") == "password" and form.get("password") == PASSWORD and token is not None
        body = {"id_token": token, "access_token": "at", "expires_in": 300} if ok else {"error": "invalid_grant"}
        data = json.dumps(body).encode()
        self.send_response(200 if ok else 400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def oidc_stage(deps: Any, tokens: dict[str, str]) -> Iterator[None]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Provider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Provider.id_tokens = dict(tokens)
    settings = dataclasses.replace(
        deps.settings,
        oidc_token_url=f"http://127.0.0.1:{server.server_address[1]}/token",
        oidc_client_secret="client-s3cr3t",
        user_pool_client_id="",  # nothing may fall back to Cognito
    )
    bootstrap.use(dataclasses.replace(deps, settings=settings))
    try:
        yield
    finally:
        bootstrap.use(deps)
        server.shutdown()


def test_login_by_password_grant_at_the_oidc_provider(api: Any, oidc_stage: None) -> None:
    resp = api.post("/auth/login", {"username": "op1", "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    assert resp.json["user"]["id"] and resp.json["user"]["role"] == "operator"
    assert resp.json["id_token"] and resp.json["expires_in"] == 300
    last = _Provider.seen[-1]
    assert last["form"]["scope"].split() == ["openid", "profile"]
    assert last["client"].endswith(":client-s3cr3t")  # the client secret (from Secrets Manager) as HTTP Basic


def test_wrong_password_at_the_provider_is_a_401_that_names_no_part(api: Any, oidc_stage: None) -> None:
    resp = api.post("/auth/login", {"username": "op1", "password": "wrong"})
    assert resp.status_code == 401
    assert resp.json["message"] == "用户名或密码错误"


def test_user_admin_routes_say_the_provider_keeps_the_accounts(api: Any, deps: Any) -> None:
    bootstrap.use(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, user_pool_id="")))
    try:
        resp = api.get("/admin/users", user="admin1")
    finally:
        bootstrap.use(deps)
    assert resp.status_code == 409
    assert "统一身份认证" in resp.json["message"]
