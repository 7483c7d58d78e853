"""R-SEC-04: an admin's unlock ends a lockout and forgets the window's failures (so the limit applies afresh);
a user who is not locked, or whose lock has run out, is 409; the unlock is a logged change."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Conflict, RateLimited
from chalicelib.domain.model import Actor
from chalicelib.services import identity

ADMIN = Actor("admin1", "admin")
IP = "10.1.2.3"


def _now() -> datetime:
    return datetime.fromtimestamp(int(time.time()), UTC)  # items expire by the real clock


def _lock(fake: Any, username: str, now: datetime) -> None:
    for _ in range(fake.settings.login_max_failures):
        identity.record_failure(fake, username, IP, now, "password")
    with pytest.raises(RateLimited):
        identity.check_allowed(fake, username, IP, now)


def test_r_sec_04_locked_until_shows_only_running_locks_in_utc(fake: Any) -> None:
    now = _now()
    _lock(fake, "Alice", now)
    fake.directory.put_item(identity.LOCK_PK, "bob", {"until": now.timestamp() - 1})  # run out
    found = identity.locked_until(fake, ["alice", "bob", "carol"], now)
    assert set(found) == {"alice"}
    until = datetime.fromisoformat(found["alice"])
    assert until.utcoffset() == timedelta(0) and until == now + timedelta(seconds=fake.settings.login_lock_s)


def test_r_sec_04_an_unlock_ends_the_lock_and_the_limit_applies_afresh(fake: Any) -> None:
    now = _now()
    _lock(fake, "alice", now)
    identity.unlock(fake, ADMIN, "alice", now + timedelta(seconds=5))
    identity.check_allowed(fake, "alice", IP, now + timedelta(seconds=6))  # no longer locked
    assert identity.locked_until(fake, ["alice"], now) == {}
    later = now + timedelta(seconds=10)
    _lock(fake, "alice", later)  # five new failures in the same window lock again
    with pytest.raises(Conflict, match="未被锁定"):
        identity.unlock(fake, ADMIN, "bob", later)


def test_r_sec_04_a_lock_that_ran_out_is_not_unlocked_again(fake: Any) -> None:
    now = _now()
    _lock(fake, "alice", now)
    after = now + timedelta(seconds=fake.settings.login_lock_s + 1)
    with pytest.raises(Conflict):
        identity.unlock(fake, ADMIN, "alice", after)


def test_r_sec_04_on_an_oidc_stage_an_admin_unlocks_the_name_typed_at_login(fake: Any) -> None:
    from chalicelib.domain.errors import Forbidden, NotFound
    from chalicelib.services import admin_directory

    assert not fake.settings.user_pool_id  # the provider keeps the accounts; the lock is ours
    _lock(fake, "zhang.san", _now())
    with pytest.raises(Forbidden):
        admin_directory.unlock(fake, Actor("op1", "operator"), "zhang.san")
    with pytest.raises(NotFound):
        admin_directory.unlock(fake, ADMIN, "a b")
    assert admin_directory.unlock(fake, ADMIN, "zhang.san") == {"username": "zhang.san", "locked_until": None}
    identity.check_allowed(fake, "zhang.san", IP, _now())
    entries = [i.data for i in fake.table.items(f"ACCESS#{_now().strftime('%Y-%m-%d')}")]
    [entry] = [e for e in entries if e["action"] == "account_unlocked"]
    assert entry["target"] == "zhang.san" and entry["after"] == {"locked_until": None}
