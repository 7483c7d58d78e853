"""R-SEC-04: an address's failed logins count over a sliding window — a window boundary gives no fresh allowance."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import RateLimited
from chalicelib.services import identity

IP = "10.9.8.7"


def _fail(fake: Any, n: int, at: datetime) -> None:
    for i in range(n):
        identity.record_failure(fake, f"nobody{i}", IP, at, "password")


def test_failures_just_before_a_boundary_still_count_just_after_it(fake: Any) -> None:
    size, limit = fake.settings.login_failure_window_s, fake.settings.login_ip_max_failures
    boundary = datetime.fromtimestamp((int(time.time()) // size + 1) * size, UTC)  # items expire by the real clock
    _fail(fake, limit - 1, boundary - timedelta(seconds=2))
    _fail(fake, 2, boundary + timedelta(seconds=1))  # 29 × (1 − 2/900) + 2 ≥ 30
    with pytest.raises(RateLimited) as refused:
        identity.check_allowed(fake, "op1", IP, boundary + timedelta(seconds=2))
    assert refused.value.details["scope"] == "ip"


def test_the_previous_windows_failures_fade_as_it_slides_away(fake: Any) -> None:
    size, limit = fake.settings.login_failure_window_s, fake.settings.login_ip_max_failures
    boundary = datetime.fromtimestamp((int(time.time()) // size + 1) * size, UTC)  # items expire by the real clock
    _fail(fake, limit + 2, boundary - timedelta(seconds=size // 2))
    with pytest.raises(RateLimited):
        identity.check_allowed(fake, "op1", IP, boundary + timedelta(seconds=1))
    identity.check_allowed(fake, "op1", IP, boundary + timedelta(seconds=size // 2))  # 32 × ½ = 16 left: allowed
