"""R-SEC-04: per-address and per-user login throttling, lockout after N failures, every attempt in the
security log (`privacy.log_access`: login, login_failed, lockout) with the client address."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
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

    username = f"thr{uuid.uuid4().hex[:8]}"
    deploy.create_user(outputs, username, PASSWORD, "operator", name="节流")
    identity.enrol(deps, username, identity.demo_secret(username), deps.clock())
    return username


def test_r_sec_04_five_failures_lock_the_user_for_15_minutes_and_are_logged(
    api: Any, deps: Any, person: str, ip: str
) -> None:
    for n in range(5):
        resp = api.post("/auth/login", {"username": person, "password": f"Wrong#Pass{n}"})
        assert resp.status_code == 401, resp.json
    locked = api.post("/auth/login", {"username": person, "password": PASSWORD})  # even the right one
    assert locked.status_code == 429 and "锁定" in locked.json["message"]
    assert 0 < locked.json["details"]["retry_after"] <= 900
    failed = security_log(deps, person, "login_failed")
    assert len(failed) == 5 and {e["ip"] for e in failed} == {ip} and failed[-1]["reason"] == "password"
    lockouts = security_log(deps, person, "lockout")
    assert len(lockouts) == 1 and lockouts[0]["ip"] == ip and lockouts[0]["lock_seconds"] == 900
    assert not security_log(deps, person, "login")


def test_r_sec_04_a_lock_ends_after_its_time(api: Any, deps: Any, person: str, ip: str) -> None:
    from chalicelib.services import identity

    deps.directory.put_item(identity.LOCK_PK, person, {"until": deps.clock().timestamp() - 1})
    resp = login(api, person)
    assert resp.status_code == 200, resp.json
    entries = security_log(deps, person, "login")
    assert len(entries) == 1 and entries[0]["ip"] == ip and entries[0]["mfa"] == "totp"
    assert entries[0]["role"] == "operator"


def test_r_sec_04_one_address_is_throttled_across_usernames(api: Any, deps: Any, ip: str, seeded: Any) -> None:
    limit = deps.settings.login_ip_max_failures
    for n in range(limit):
        resp = api.post("/auth/login", {"username": f"nobody{uuid.uuid4().hex[:6]}", "password": f"x{n}"})
        assert resp.status_code == 401
    refused = api.post("/auth/login", {"username": "op1", "password": PASSWORD})
    assert refused.status_code == 429 and refused.json["details"]["scope"] == "ip"


def test_r_sec_04_a_wrong_totp_code_counts_as_a_failure(api: Any, deps: Any, person: str, ip: str) -> None:
    first = api.post("/auth/login", {"username": person, "password": PASSWORD})
    assert first.status_code == 200 and first.json["challenge"] == "TOTP", first.json
    assert "id_token" not in first.json  # no token before the second factor
    wrong = api.post("/auth/mfa", {"session": first.json["session"], "code": "000000"})
    assert wrong.status_code == 401 and wrong.json["details"]["reason"] == "totp"
    failed = security_log(deps, person, "login_failed")
    assert [e["reason"] for e in failed] == ["totp"] and failed[0]["ip"] == ip


def test_r_sec_04_bad_login_input_is_a_clear_422(api: Any, ip: str) -> None:
    long = api.post("/auth/login", {"username": "u" * 200, "password": "x"})
    assert long.status_code == 422 and set(long.json["details"]["fields"]) == {"username"}
    code = api.post("/auth/mfa", {"session": "s" * 20, "code": "12ab56"})
    assert code.status_code == 422 and set(code.json["details"]["fields"]) == {"code"}
    gone = api.post("/auth/mfa", {"session": "s" * 20, "code": "123456"})
    assert gone.status_code == 401 and gone.json["details"]["reason"] == "mfa_session"


def test_r_sec_04_a_totp_code_logs_in_once(api: Any, deps: Any, person: str, ip: str) -> None:
    import dataclasses

    from chalicelib import bootstrap

    assert not deps.settings.totp_single_use  # the test stage repeats demo logins; deployed stages do not
    bootstrap.use(dataclasses.replace(deps, settings=dataclasses.replace(deps.settings, totp_single_use=True)))
    try:
        _replay(api, person)
    finally:
        bootstrap.use(deps)


def _replay(api: Any, person: str) -> None:
    from tests.helpers.accounts import totp_now

    code = totp_now(person)
    first = api.post("/auth/login", {"username": person, "password": PASSWORD})
    assert api.post("/auth/mfa", {"session": first.json["session"], "code": code}).status_code == 200
    second = api.post("/auth/login", {"username": person, "password": PASSWORD})
    replay = api.post("/auth/mfa", {"session": second.json["session"], "code": code})
    assert replay.status_code == 401 and replay.json["details"]["reason"] == "totp"
