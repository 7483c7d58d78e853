"""R-12345-07: unit contacts (handlers and leaders) carry long numbers; pure validation, no IO."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain import tickets as T
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor
from chalicelib.domain.units import unit_id_problem, validate_unit

NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai


def unit(*contacts: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "县交通运输局", "kind": "bureau", "contacts": list(contacts)}
    body.update(overrides)
    return body


def handler(phone: str, **overrides: Any) -> dict[str, Any]:
    return dict({"name": "周海", "phone": phone, "role": "handler"}, **overrides)


def problems(body: dict[str, Any], unit_id: str = "U006") -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        validate_unit(body, unit_id)
    return caught.value.fields


@pytest.mark.parametrize(
    "phone", ["13957600001", "+86 139 5760 0001", "008613957600001", "0576-83310003", "057683310003", "(0576)83310003"]
)
def test_r12345_07_mobile_landline_with_area_code_and_86_prefix_are_accepted(phone: str) -> None:
    out = validate_unit(unit(handler(phone)), "U006")
    assert out["contacts"][0]["phone"] == phone.strip() and out["active"] is True and out["id"] == "U006"


@pytest.mark.parametrize("phone", ["6601", "83310003", "1395760000", "139576000012", "", "0576-123"])
def test_r12345_07_short_or_incomplete_numbers_are_refused_naming_the_contact(phone: str) -> None:
    fields = problems(unit(handler("13957600001"), handler(phone, name="吴芳")))
    assert set(fields) == {"contacts[1].phone"}


def test_r12345_07_leader_needs_a_long_number_but_other_contacts_may_have_a_short_one() -> None:
    fields = problems(unit(handler("13957600001"), {"name": "陈局", "phone": "8001", "role": "leader"}))
    assert set(fields) == {"contacts[1].phone"}
    ok = validate_unit(unit(handler("13957600001"), {"name": "值班室", "phone": "8001", "role": "other"}), "U006")
    assert ok["contacts"][1] == {"name": "值班室", "phone": "8001", "role": "other"}


def test_a_unit_needs_a_name_a_known_kind_and_at_least_one_handler() -> None:
    fields = problems(unit({"name": "陈局", "phone": "13957600009", "role": "leader"}, name=" ", kind="ministry"))
    assert set(fields) == {"name", "kind", "contacts"}
    assert set(problems(unit(handler("13957600001"), active="no"))) == {"active"}
    assert set(problems({"name": "x", "contacts": "none"})) == {"contacts"}
    assert set(problems(unit(handler("13957600001", name=""), {"phone": "1", "role": "boss"}))) == {
        "contacts[0].name",
        "contacts[1].name",
        "contacts[1].role",
    }


@pytest.mark.parametrize("unit_id", ["U006", "town_01", "A-1"])
def test_unit_ids_are_url_safe(unit_id: str) -> None:
    assert unit_id_problem(unit_id) is None


@pytest.mark.parametrize("unit_id", ["", "U 6", "U/6", "单位", "x" * 33, None, 6])
def test_other_unit_ids_are_refused(unit_id: Any) -> None:
    assert unit_id_problem(unit_id) is not None
    assert "id" in problems(unit(handler("13957600001")), unit_id)


def test_an_inactive_unit_cannot_be_dispatched_to_nor_be_a_co_unit() -> None:
    ctx = T.Context(calendar=WorkCalendar(), units={"U001": {"name": "甲"}, "U009": {"name": "旧", "active": False}})
    op1 = Actor("op1", "operator")
    ticket = T.new_ticket("T20261102-00009", {"category": "help", "title": "t", "content": "c"}, op1, NOW, ctx).after
    call = {"to_name": "周海", "to_phone": "13957600001"}
    with pytest.raises(ValidationError) as caught:
        T.apply(ticket, "dispatch", {"unit_id": "U009", "call": call}, op1, NOW, ctx)
    assert set(caught.value.fields) == {"unit_id"}
    with pytest.raises(ValidationError):
        T.apply(ticket, "dispatch", {"unit_id": "U001", "co_unit_ids": ["U009"], "call": call}, op1, NOW, ctx)
    assert T.apply(ticket, "dispatch", {"unit_id": "U001", "call": call}, op1, NOW, ctx)
