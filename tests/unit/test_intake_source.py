"""Staff intake names a channel as its source, never a partner id (the key of a partner's pushes)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import tickets as T
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor

OP1 = Actor("op1", "operator")
PARTNER = Actor("city-platform", "partner")
CTX = T.Context(calendar=WorkCalendar())
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
BODY = {"category": "help", "title": "求助", "content": "内容"}


@pytest.mark.parametrize("source", ["city-platform", "app-x", "", None])
def test_staff_may_not_name_a_partner_as_the_source(source: object) -> None:
    body = dict(BODY, source=source, external_id="SM-1")
    if not source:
        assert T.new_ticket("T1", body, OP1, NOW, CTX).after.source == "city"  # a city number, no source given
        return
    with pytest.raises(ValidationError) as refused:
        T.new_ticket("T1", body, OP1, NOW, CTX)
    assert set(refused.value.fields) == {"source"}


@pytest.mark.parametrize("source", ["phone", "web", "letter", "city"])
def test_staff_name_a_channel(source: str) -> None:
    assert T.new_ticket("T1", dict(BODY, source=source), OP1, NOW, CTX).after.source == source


def test_a_list_as_source_is_refused_and_a_partner_keeps_its_own_id() -> None:
    with pytest.raises(ValidationError):
        T.new_ticket("T1", dict(BODY, source=["phone"]), OP1, NOW, CTX)
    pushed = T.new_ticket("T1", dict(BODY, source="city-platform", external_id="SM-1"), PARTNER, NOW, CTX)
    assert pushed.after.source == "city-platform"
