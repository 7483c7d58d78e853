"""Test fixtures. Nothing here starts moto at import: `stack` (and everything built on it) is a lazy
session fixture, so `pytest tests/unit` — domain and services on in-memory fakes — never starts it.

- `fake` (function scope): in-memory adapters (`tests/helpers/fakes.py`), the unit tests' world.
- `outputs` / `deps` (session): moto server + `infra/resources.yaml` deployed, and the real adapters
  built on it by the composition root (installed as the process root, so the Chalice app uses them).
- `seeded`, `tokens`, `app`, `api`: demo units and users, real ID tokens, the app, a test client.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.helpers.accounts import PASSWORD, UNITS, USERS

STAGE = "test"


@pytest.fixture
def ns() -> str:
    """A namespace unique to the test (partition keys, owners), so shared tables need no cleaning."""
    return uuid.uuid4().hex[:10]


@pytest.fixture
def fake() -> Any:
    """In-memory adapters: tickets, directory, archive store, envelope, SMS recorder."""
    from tests.helpers.fakes import fake_adapters

    return fake_adapters()


@pytest.fixture(scope="session")
def stack() -> Iterator[dict[str, Any]]:
    """One moto server and the deployed stack for the session (started on first use only)."""
    import os

    from chalicelib import bootstrap
    from chalicelib.config import Settings
    from infra import deploy, emulator

    server, endpoint = emulator.start_moto(0, in_process_calls=True)
    outputs = deploy.deploy(endpoint, STAGE)
    env = deploy.env_for(outputs, STAGE)
    os.environ.update(env)  # boto3 credentials and region for clients the tests make themselves
    deps = bootstrap.build(Settings.from_env(env))
    bootstrap.use(deps)
    try:
        yield {"outputs": outputs, "deps": deps, "endpoint": endpoint}
    finally:
        bootstrap.use(None)
        server.stop()


@pytest.fixture(scope="session")
def outputs(stack: dict[str, Any]) -> dict[str, str]:
    """The deployed stack's outputs."""
    return dict(stack["outputs"])


@pytest.fixture(scope="session")
def deps(stack: dict[str, Any]) -> Any:
    """The real adapters on moto (the same the app uses in this test session)."""
    return stack["deps"]


@pytest.fixture(scope="session")
def seeded(deps: Any, outputs: dict[str, str]) -> dict[str, Any]:
    """Units and one user per role (op1, op2, analyst1, leader1, uh1@U001, uh2@U002, records1, admin1, auditor1)."""
    from chalicelib.services import admin_directory, identity
    from infra import deploy

    for unit_id, unit in UNITS.items():
        deps.directory.put_unit(unit_id, unit)
    for username, (role, unit, name) in USERS.items():
        deploy.create_user(outputs, username, PASSWORD, role, unit_id=unit, name=name)
        identity.enrol(deps, username, identity.demo_secret(username), deps.clock())  # R-SEC-06: TOTP
        admin_directory.record_staff(deps, {"username": username, "name": name, "role": role, "unit_id": unit})
    deps.contexts.invalidate()
    return {"units": UNITS, "users": USERS}


@pytest.fixture(scope="session")
def tokens(seeded: dict[str, Any], outputs: dict[str, str], deps: Any) -> dict[str, str]:
    """A real ID token (signed by the user pool) per demo user, admitted as after its TOTP step (the app's login
    and that step are tested in tests/api/test_rsec_0*.py)."""
    from infra import deploy

    return {u: deploy.login(outputs, u, PASSWORD, admit_into=deps)["IdToken"] for u in USERS}


@pytest.fixture(scope="session")
def app(deps: Any) -> Any:
    """The Chalice app (its routes use the session's adapters)."""
    from app import app as chalice_app

    return chalice_app


class Api:
    """chalice.test.Client with JSON helpers and a login per user."""

    def __init__(self, client: Any, tokens: dict[str, str]) -> None:
        self.client = client
        self.tokens = tokens

    def _headers(self, user: str | None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if user:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        return headers

    def get(self, path: str, user: str | None = None) -> Any:
        """GET → response with `.json`."""
        return _wrap(self.client.http.get(path, headers=self._headers(user)))

    def post(self, path: str, body: Any = None, user: str | None = None, raw: str | None = None) -> Any:
        """POST a JSON body → response with `.json`."""
        payload = raw if raw is not None else json.dumps(body or {}, ensure_ascii=False)
        return _wrap(self.client.http.post(path, headers=self._headers(user), body=payload))

    def put(self, path: str, body: Any = None, user: str | None = None) -> Any:
        """PUT a JSON body → response with `.json`."""
        payload = json.dumps(body or {}, ensure_ascii=False)
        return _wrap(self.client.http.put(path, headers=self._headers(user), body=payload))

    def patch(self, path: str, body: Any = None, user: str | None = None) -> Any:
        """PATCH a JSON body → response with `.json`."""
        payload = json.dumps(body or {}, ensure_ascii=False)
        return _wrap(self.client.http.request("PATCH", path, headers=self._headers(user), body=payload))


def _wrap(resp: Any) -> Any:
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


@pytest.fixture(scope="session")
def api(app: Any, tokens: dict[str, str]) -> Iterator[Api]:
    """An API client that logs in as any demo user."""
    from chalice.test import Client

    with Client(app) as client:
        yield Api(client, tokens)
