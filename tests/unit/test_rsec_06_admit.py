"""R-SEC-06: a token is admitted after its TOTP step; two logins of one user at the same moment both stay
admitted (neither write loses the other's token)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.errors import Unauthenticated
from chalicelib.services import identity

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
EXP = NOW.timestamp() + 3600


def _claims(jti: str) -> dict[str, Any]:
    return {"jti": jti, "exp": EXP, "iat": NOW.timestamp(), "cognito:username": "op1"}


def test_two_logins_at_once_are_both_admitted(fake: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    original = fake.table.put
    raced: list[bool] = []

    def put(item: Any, cond: Any = None) -> bool:
        if item.pk == "AUTH#op1" and not raced:  # the other login writes between this one's read and write
            raced.append(True)
            identity.admit(fake, "op1", _claims("second"), NOW)
        return bool(original(item, cond))

    monkeypatch.setattr(fake.table, "put", put)
    identity.admit(fake, "op1", _claims("first"), NOW)
    assert raced
    for jti in ("first", "second"):
        identity.check_session(fake, "op1", _claims(jti))  # neither is refused as "no TOTP step"
    with pytest.raises(Unauthenticated):
        identity.check_session(fake, "op1", _claims("never-admitted"))
