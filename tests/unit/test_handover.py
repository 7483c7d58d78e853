"""R-12345-03 hand-over (代办): the request's checks (domain/handover.py) and the start/end on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import access, handover
from chalicelib.domain.errors import Forbidden, InvalidTransition, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import handover as svc
from chalicelib.services import tickets as tickets_svc
from tests.helpers.accounts import UNITS
from tests.helpers.tickets import CALL

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
OP3, OP4 = Actor("op3", "operator"), Actor("op4", "operator")
LEADER = Actor("leader1", "leader")
OPERATORS = {"op3": "刘洋", "op4": "黄磊", "op1": "王敏"}


def _body(**extra: Any) -> dict[str, Any]:
    return {"to_id": "op4", "end": (NOW + timedelta(days=2)).isoformat(), "reason": "请假", **extra}


def test_r12345_03_handover_request_checks_each_field() -> None:
    h = handover.request(_body(), OP3, NOW, OPERATORS, [])
    assert (h["from_id"], h["to_id"], h["status"]) == ("op3", "op4", "requested")
    cases = [
        (_body(to_id="uh1"), "to_id"),
        (_body(to_id="op3"), "to_id"),
        (_body(end=NOW.isoformat(), start=(NOW + timedelta(hours=1)).isoformat()), "end"),
        (_body(end=(NOW + timedelta(days=120)).isoformat()), "end"),
        (_body(reason=""), "reason"),
    ]
    for body, field in cases:
        with pytest.raises(ValidationError) as err:
            handover.request(body, OP3, NOW, OPERATORS, [])
        assert field in err.value.fields, body
    with pytest.raises(Forbidden):
        handover.request(_body(from_id="op1"), OP3, NOW, OPERATORS, [])
    with pytest.raises(Forbidden):
        handover.request(_body(), Actor("uh1", "unit_handler", "U001"), NOW, OPERATORS, [])
    by_leader = handover.request(_body(from_id="op1"), LEADER, NOW, OPERATORS, [])
    assert by_leader["from_id"] == "op1" and by_leader["requested_by"] == "leader1"


def test_r12345_03_handover_overlaps_refused_rejected_ones_do_not_count() -> None:
    h = handover.request(_body(), OP3, NOW, OPERATORS, [])
    with pytest.raises(ValidationError) as err:
        handover.request(
            _body(start=(NOW + timedelta(days=1)).isoformat(), end=(NOW + timedelta(days=3)).isoformat()),
            OP3,
            NOW,
            OPERATORS,
            [h],
        )
    assert "start" in err.value.fields
    later = _body(start=(NOW + timedelta(days=2)).isoformat(), end=(NOW + timedelta(days=3)).isoformat())
    assert handover.request(later, OP3, NOW, OPERATORS, [h])["status"] == "requested"  # [start, end): adjacent
    rejected = dict(h, status="rejected")
    assert handover.request(_body(), OP3, NOW, OPERATORS, [rejected])["status"] == "requested"


def test_r12345_03_handover_only_a_leader_decides_once() -> None:
    h = handover.request(_body(), OP3, NOW, OPERATORS, [])
    with pytest.raises(Forbidden):
        handover.decide(h, {"approve": True}, OP3, NOW)
    with pytest.raises(ValidationError):
        handover.decide(h, {"approve": "yes"}, LEADER, NOW)
    approved = handover.decide(h, {"approve": True}, LEADER, NOW)
    assert approved["status"] == "approved" and handover.next_at(approved) == h["start"]
    with pytest.raises(InvalidTransition):
        handover.decide(approved, {"approve": True}, LEADER, NOW)


def test_r12345_03_handover_on_fakes_delegate_acts_until_the_sweep_ends_it(fake: Any) -> None:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    ticket, _ = tickets_svc.create_ticket(fake, OP3, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    tid = ticket.ticket_id
    tickets_svc.act(fake, OP3, tid, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    assert not access.permits(OP4, "review", fake.tickets.get(tid))
    h = svc.create(fake, OP3, _body(), NOW)
    active = svc.decide(fake, LEADER, h["id"], {"approve": True}, NOW)
    assert active["status"] == "active" and active["tickets"] == [tid]
    t = fake.tickets.get(tid)
    assert t.owner_id == "op3" and access.permits(OP4, "review", t) and access.can_reveal(OP4, t)
    assert [t.ticket_id for t in svc.delegated_to(fake, "op4")] == [tid] and svc.delegated_to(fake, "op3") == []
    # a start repeated (as after a failure before the hand-over was marked active): nothing doubled
    retry = dict(active, status="approved", tickets=[])
    fake.table.put(svc._item(retry))
    assert svc.start(fake, retry, NOW)["tickets"] == [tid]
    assert [e["type"] for e in fake.tickets.events(tid)].count("handover_started") == 1
    end = NOW + timedelta(days=2, minutes=1)
    assert svc.sweep(fake, NOW + timedelta(days=1)) == {"handovers_started": 0, "handovers_ended": 0}
    assert svc.sweep(fake, end)["handovers_ended"] == 1
    assert svc.sweep(fake, end)["handovers_ended"] == 0
    t = fake.tickets.get(tid)
    assert t.delegate is None and not access.permits(OP4, "review", t)
    assert svc.delegated_to(fake, "op4") == []
    assert [e["type"] for e in fake.tickets.events(tid)].count("handover_ended") == 1


def test_r12345_03_handover_scheduled_later_is_started_by_the_sweep(fake: Any) -> None:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    ticket, _ = tickets_svc.create_ticket(fake, OP3, {"category": "help", "title": "求助", "content": "内容"}, NOW)
    tickets_svc.act(fake, OP3, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    h = svc.create(
        fake, OP3, _body(start=(NOW + timedelta(days=1)).isoformat(), end=(NOW + timedelta(days=3)).isoformat()), NOW
    )
    assert svc.decide(fake, LEADER, h["id"], {"approve": True}, NOW)["status"] == "approved"
    assert fake.tickets.get(ticket.ticket_id).delegate is None
    assert svc.sweep(fake, NOW + timedelta(days=1, minutes=1))["handovers_started"] == 1
    assert fake.tickets.get(ticket.ticket_id).delegate["user_id"] == "op4"
