"""R-SEC-04: an admin sees when a locked-out user is unlocked (`locked_until`) and may end the lock early
(`POST /admin/users/{username}/unlock`, recorded with before/after); only admins; 404 for no such user,
409 when the user is not locked."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from infra import deploy
from tests.helpers.accounts import PASSWORD, login, security_log


@pytest.fixture
def ip(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A client address of this test alone (the test client's requests come from it)."""
    from chalice.local import LambdaEventConverter

    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)
    yield address


@pytest.fixture
def person(deps: Any, outputs: dict[str, str], seeded: Any) -> str:
    """A fresh operator enrolled with the demo TOTP secret."""
    from chalicelib.services import identity

    username = f"unl{uuid.uuid4().hex[:8]}"
    deploy.create_user(outputs, username, PASSWORD, "operator", name="解锁")
    identity.enrol(deps, username, identity.demo_secret(username), deps.clock())
    return username


def _lock(api: Any, person: str) -> None:
    for n in range(5):
        assert api.post("/auth/login", {"username": person, "password": f"Wrong#Pass{n}"}).status_code == 401
    assert api.post("/auth/login", {"username": person, "password": PASSWORD}).status_code == 429


def test_r_sec_04_an_admin_sees_the_lock_and_unlocks_the_user_who_then_logs_in(
    api: Any, deps: Any, person: str, ip: str
) -> None:
    assert api.get(f"/admin/users/{person}", user="admin1").json["locked_until"] is None
    _lock(api, person)
    shown = api.get(f"/admin/users/{person}", user="admin1").json["locked_until"]
    until = datetime.fromisoformat(shown)
    assert until.utcoffset() is not None and 0 < (until - deps.clock()).total_seconds() <= 900
    page, found = None, None
    while found is None:  # the pool lists users in its own order: page until the person appears
        resp = api.get("/admin/users" + (f"?page={page}" if page else ""), user="admin1")
        assert resp.status_code == 200, resp.json
        found = next((u for u in resp.json["items"] if u["username"] == person), None)
        page = resp.json["next_page"]
        if found is None:
            assert page, "the locked user is not listed"
    assert found["locked_until"] == shown

    unlocked = api.post(f"/admin/users/{person}/unlock", user="admin1")
    assert unlocked.status_code == 200, unlocked.json
    assert unlocked.json["username"] == person and unlocked.json["locked_until"] is None
    assert api.get(f"/admin/users/{person}", user="admin1").json["locked_until"] is None
    [entry] = [e for e in security_log(deps, "admin1", "account_unlocked") if e["target"] == person]
    assert entry["before"] == {"locked_until": shown} and entry["after"] == {"locked_until": None}
    assert login(api, person).status_code == 200  # the right password works at once

    again = api.post(f"/admin/users/{person}/unlock", user="admin1")  # not locked now: 409, nothing logged
    assert again.status_code == 409 and "未被锁定" in again.json["message"]
    assert len([e for e in security_log(deps, "admin1", "account_unlocked") if e["target"] == person]) == 1


def test_r_sec_04_after_an_unlock_five_new_failures_lock_again(api: Any, deps: Any, person: str, ip: str) -> None:
    _lock(api, person)
    assert api.post(f"/admin/users/{person}/unlock", user="admin1").status_code == 200
    _lock(api, person)  # the window's failures were forgotten: the limit applies afresh
    assert api.get(f"/admin/users/{person}", user="admin1").json["locked_until"] is not None


def test_r_sec_04_only_an_admin_unlocks(api: Any, deps: Any, person: str) -> None:
    from chalicelib.services import identity

    deps.directory.put_item(identity.LOCK_PK, person, {"until": deps.clock().timestamp() + 600})
    for other in ("op1", "leader1", "analyst1", "records1", "uh1"):
        assert api.post(f"/admin/users/{person}/unlock", user=other).status_code == 403, other
        assert api.get(f"/admin/users/{person}", user=other).status_code == 403, other
    assert api.get(f"/admin/users/{person}", user="admin1").json["locked_until"] is not None  # still locked
    assert not [e for e in security_log(deps, "admin1", "account_unlocked") if e["target"] == person]


def test_r_sec_04_unlocking_no_such_user_is_404(api: Any, seeded: Any) -> None:
    for name in ("nobody-x1", "a b"):
        resp = api.post(f"/admin/users/{name}/unlock", user="admin1")
        assert resp.status_code == 404 and "不存在" in resp.json["message"]
