"""R-12345-16 domain and routing on the fakes: the analyst records and chases, other units never read the text,
forwarding/chasing texts the owner and the addressed unit, the answer texts the leader."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import instructions
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import Forbidden, InvalidTransition
from chalicelib.domain.model import Actor, Ticket
from chalicelib.services import notify

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
ANALYST = Actor("analyst1", "analyst")
LEADERS = {"leader1": "陈建国"}
TICKET = Ticket(
    ticket_id="T20261102-00001",
    hotline="12345",
    source="phone",
    channel="phone",
    category="help",
    title="低保",
    content="内容",
    received_at=NOW,
    owner_id="op1",
    unit_id="U001",
    status="handling",
)


def _instr(to: str = "unit") -> dict[str, Any]:
    body = {"text": "请三日内办结", "to": to, "leader_id": "leader1"}
    return instructions.new_instruction("I1", TICKET, body, ANALYST, NOW, WorkCalendar(), LEADERS)


def test_r12345_16_the_analyst_records_for_a_registered_leader() -> None:
    instr = _instr()
    assert instr["leader_id"] == "leader1" and instr["recorded_by"] == "analyst1"
    assert instr["to"] == {"kind": "unit", "id": "U001"}
    with pytest.raises(Forbidden):
        instructions.new_instruction(
            "I2", TICKET, {"text": "x"}, Actor("uh1", "unit_handler", "U001"), NOW, WorkCalendar()
        )


def test_r12345_16_the_analyst_or_leader_chases_an_open_instruction_only() -> None:
    instr = _instr()
    chased = instructions.chase_by(instr, ANALYST, NOW + timedelta(hours=1))
    assert chased["chases"] == [(NOW + timedelta(hours=1)).isoformat()]
    assert chased["next_chase_at"] == instr["due"]  # the hourly chase still starts at the due
    late = instructions.chase_by(instr, Actor("leader1", "leader"), datetime.fromisoformat(instr["due"]) + timedelta(1))
    assert datetime.fromisoformat(late["next_chase_at"]) > datetime.fromisoformat(instr["due"])
    for who in (Actor("op1", "operator"), Actor("uh1", "unit_handler", "U001")):
        with pytest.raises(Forbidden):
            instructions.chase_by(instr, who, NOW)
    done = instructions.answer(instr, {"text": "已办"}, Actor("uh1", "unit_handler", "U001"), NOW)
    with pytest.raises(InvalidTransition):
        instructions.chase_by(done, ANALYST, NOW)


def test_r12345_16_a_unit_handler_reads_only_the_instructions_addressed_to_their_unit() -> None:
    event = {
        "type": "instruction_recorded",
        "data": {"to": {"kind": "owner", "id": "op1"}, "text": "内部", "leader": "陈"},
    }
    other = instructions.redact_event(Actor("uh1", "unit_handler", "U001"), event)
    assert "text" not in other["data"] and "leader" not in other["data"] and other["data"]["to"]["kind"] == "owner"
    assert instructions.redact_event(Actor("op2", "operator"), event) == event
    mine = {"type": "instruction_answered", "data": {"to": {"kind": "unit", "id": "U001"}, "answer": "已办"}}
    assert instructions.redact_event(Actor("uh1", "unit_handler", "U001"), mine) == mine
    assert "answer" not in instructions.redact_event(Actor("uh2", "unit_handler", "U002"), mine)["data"]


def test_r12345_16_forwarding_texts_owner_and_unit_and_the_answer_texts_the_leader(fake: Any) -> None:
    from chalicelib.services import duty

    admin = Actor("admin1", "admin")
    duty.put_staff(fake, admin, "op1", {"name": "王敏", "phone": "13957601001"})
    duty.put_staff(fake, admin, "leader1", {"name": "陈建国", "phone": "13957601009"})
    fake.directory.put_unit(
        "U001", {"name": "街道", "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}]}
    )
    snapshot = {"ticket_id": "T1", "title": "低保", "hotline": "12345", "owner_id": "op1", "unit_id": "U001"}
    base = {"ticket_id": "T1", "event_id": "T1.000003", "at": NOW.isoformat(), "snapshot": snapshot}
    to_unit = {"to": {"kind": "unit", "id": "U001"}, "due": NOW.isoformat(), "leader_id": "leader1"}
    forwarded = notify.recipients(fake, dict(base, type="instruction_recorded", data=to_unit))
    assert [(r.role, r.phone) for r in forwarded] == [("owner", "13957601001"), ("unit", "13957600001")]
    to_owner = dict(to_unit, to={"kind": "owner", "id": "op1"})
    assert [r.role for r in notify.recipients(fake, dict(base, type="instruction_chased", data=to_owner))] == ["owner"]
    [leader] = notify.recipients(fake, dict(base, type="instruction_answered", data=to_unit))
    assert leader.role == "leader" and leader.phone == "13957601009" and leader.template == "instruction_answered"
