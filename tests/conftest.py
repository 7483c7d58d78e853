"""Test bootstrap: one moto server + the stack from infra/resources.yaml for the whole session.

The environment must be complete before anything from chalicelib is imported (PynamoDB binds
table names and the endpoint at class definition), so the stack is deployed in pytest_configure.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

STAGE = "test"
USERS: dict[str, tuple[str, str | None, str]] = {
    # username: (role, unit, display name)
    "op1": ("operator", None, "王敏"),
    "op2": ("operator", None, "李强"),
    "analyst1": ("analyst", None, "赵静"),
    "leader1": ("leader", None, "陈建国"),
    "uh1": ("unit_handler", "U001", "周海"),
    "uh2": ("unit_handler", "U002", "吴芳"),
    "records1": ("records", None, "郑洁"),
    "admin1": ("admin", None, "孙伟"),
}
PASSWORD = "Test#Pass2026"
UNITS: dict[str, dict[str, Any]] = {
    "U001": {"name": "海游街道办事处", "kind": "township", "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}]},
    "U002": {"name": "县住房和城乡建设局", "kind": "bureau", "contacts": [{"name": "吴芳", "phone": "13957600002", "role": "handler"}]},
    "U003": {"name": "县市场监督管理局", "kind": "bureau", "contacts": [{"name": "冯磊", "phone": "0576-83310003", "role": "handler"}]},
}

_state: dict[str, Any] = {}


def pytest_configure(config: pytest.Config) -> None:
    """Start moto, deploy the stack and export the app's environment (before any app import)."""
    if os.environ.get("HOTLINE_TEST_NO_STACK"):
        return
    from infra import stack

    server, endpoint = stack.start_moto(0)
    outputs = stack.deploy(endpoint, STAGE)
    os.environ.update(stack.env_for(outputs, STAGE))
    _state.update(server=server, endpoint=endpoint, outputs=outputs)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Stop the moto server."""
    server = _state.get("server")
    if server is not None:
        server.stop()


@pytest.fixture(scope="session")
def outputs() -> dict[str, str]:
    """The deployed stack's outputs."""
    return dict(_state["outputs"])


@pytest.fixture(scope="session")
def seeded(outputs: dict[str, str]) -> dict[str, Any]:
    """Units and one user per role (op1, op2, analyst1, leader1, uh1@U001, uh2@U002, records1, admin1)."""
    from chalicelib.storage import directory
    from infra import stack

    for unit_id, unit in UNITS.items():
        directory.put_unit(unit_id, unit)
    for username, (role, unit, name) in USERS.items():
        stack.create_user(outputs, username, PASSWORD, role, unit_id=unit, name=name)
    from chalicelib.services import context

    context.invalidate()
    return {"units": UNITS, "users": USERS}


@pytest.fixture(scope="session")
def tokens(seeded: dict[str, Any], outputs: dict[str, str]) -> dict[str, str]:
    """A real ID token (signed by the user pool) per demo user."""
    from infra import stack

    return {u: stack.login(outputs, u, PASSWORD)["IdToken"] for u in USERS}


@pytest.fixture(scope="session")
def app() -> Any:
    """The Chalice app."""
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


def _wrap(resp: Any) -> Any:
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


@pytest.fixture(scope="session")
def api(app: Any, tokens: dict[str, str]) -> Iterator[Api]:
    """An API client that logs in as any demo user."""
    from chalice.test import Client

    with Client(app) as client:
        yield Api(client, tokens)


def utc(*args: int) -> datetime:
    """A UTC datetime."""
    return datetime(*args, tzinfo=UTC)
