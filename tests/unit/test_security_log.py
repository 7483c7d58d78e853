"""R-SEC-01/02 on the in-memory fakes: log_change keeps secrets out and knows its actions; the reader
filters, pages across day partitions and refuses everyone but the auditor."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy, security_log

ADMIN = Actor(user_id="admin1", role=Role.ADMIN, unit_id=None, name="孙伟")
AUDITOR = Actor(user_id="auditor1", role=Role.AUDITOR, unit_id=None, name="钱明")
OP = Actor(user_id="op1", role=Role.OPERATOR, unit_id=None, name="王敏")
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def test_r_sec_02_a_change_is_logged_without_secrets(fake: Any) -> None:
    after = {"key_id": "hk_1", "secret": "s3cr3t", "api_key": "o311_x", "nested": {"password": "p"}}
    entry = privacy.log_change(fake, "partner_key_issued", ADMIN, NOW, target="p1", after=after)
    assert entry["kind"] == "change" and entry["after"]["key_id"] == "hk_1"
    assert "s3cr3t" not in str(entry) and "o311_x" not in str(entry) and "'p'" not in str(entry)
    with pytest.raises(ValueError):
        privacy.log_change(fake, "something_else", ADMIN, NOW)


def test_r_sec_01_the_reader_filters_and_pages_across_days(fake: Any) -> None:
    for day in range(3):
        at = NOW - timedelta(days=day)
        privacy.log_change(fake, "unit_updated", ADMIN, at, target=f"U{day}", before={}, after={})
        privacy.log_access(fake, "login", OP, at)
    params = {"from": "2026-12-03", "to": "2026-12-05"}
    changes = security_log.read(fake, AUDITOR, params | {"kind": "change"}, NOW)["items"]
    assert [e["target"] for e in changes] == ["U0", "U1", "U2"]  # newest first
    logins = security_log.read(fake, AUDITOR, params | {"actor": "op1", "action": "login"}, NOW)["items"]
    assert len(logins) == 3 and all(e["kind"] == "login" and not e["own"] for e in logins)
    for other in (ADMIN, OP):
        with pytest.raises(Forbidden):
            security_log.read(fake, other, params, NOW)
    with pytest.raises(ValidationError):
        security_log.read(fake, AUDITOR, {"from": "2026-01-01", "to": "2026-12-05"}, NOW)


def test_r_sec_01_pages_continue_where_they_stopped(fake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security_log, "PAGE_SIZE", 2)
    for n in range(5):
        privacy.log_change(fake, "unit_updated", ADMIN, NOW - timedelta(hours=n, days=n % 2), target=f"P{n}")
    seen: list[str] = []
    page: str | None = ""
    while page is not None:
        answer = security_log.read(fake, AUDITOR, {"kind": "change", "from": "2026-12-04", "page": page or ""}, NOW)
        seen += [e["target"] for e in answer["items"]]
        page = answer["next_page"]
    assert sorted(seen) == ["P0", "P1", "P2", "P3", "P4"] and len(seen) == 5
