"""Emergency escalation (R-12369-02) on the in-memory fakes: the flag, the alert it arms in the
index, one escalation per sweep until acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import emergency
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import duty, sweep
from chalicelib.services import emergency as svc
from chalicelib.services import tickets as tickets_svc
from tests.helpers.tickets import OP1

NOW = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
LEADER = Actor("leader1", "leader")
ADMIN = Actor("admin1", "admin")


def test_keywords_match_in_title_or_content() -> None:
    assert emergency.matches(("标题", "储罐爆炸并泄漏"), emergency.DEFAULT_KEYWORDS) == ["爆炸", "泄漏"]
    assert emergency.matches(("噪音", "夜间施工"), emergency.DEFAULT_KEYWORDS) == []
    assert emergency.clean_keywords([" 偷排 ", "偷排", "泄漏"]) == ["偷排", "泄漏"]
    for bad in ([], "泄漏", [""], ["x" * 21], list(map(str, range(51)))):
        with pytest.raises(ValidationError):
            emergency.clean_keywords(bad)


def test_r12369_02_escalations_repeat_each_sweep_until_a_leader_acknowledges(fake: Any) -> None:
    person = {"user_id": "leader1", "name": "王局长", "phone": "13957609999"}
    duty.put_default(fake, ADMIN, {"post": "leader", "day": person, "night": person, "holiday": person})
    payload = {"category": "help", "title": "化工厂", "content": "罐区爆炸"}
    ticket, _ = tickets_svc.create_ticket(fake, OP1, payload, NOW)
    assert ticket.emergency and ticket.emergency["keywords"] == ["爆炸"]
    alert = emergency.next_escalation(ticket)
    assert alert is not None and alert.at == NOW
    times = [NOW + timedelta(minutes=m) for m in (0, 5, 15, 30)]
    for at in times:
        sweep.run_sweep(fake, at)
    events = [e for e in fake.tickets.history(ticket.ticket_id) if e["type"] == "emergency_escalated"]
    assert [e["data"]["escalation"] for e in events] == [1, 2, 3]  # 0, 15, 30 min; not at 5
    assert events[0]["data"]["call"]["to_phone"] == "13957609999"
    with pytest.raises(Conflict):
        svc.flag(fake, OP1, ticket.ticket_id, {}, NOW)
    acked = svc.acknowledge(fake, LEADER, ticket.ticket_id, {"note": "已处置"}, NOW + timedelta(minutes=31))
    assert emergency.next_escalation(acked) is None and svc.open_emergencies(fake, OP1)["items"] == []
    sweep.run_sweep(fake, NOW + timedelta(hours=2))
    assert [e["type"] for e in fake.tickets.history(ticket.ticket_id)].count("emergency_escalated") == 3


def test_without_a_leader_on_duty_the_call_is_recorded_unreachable(fake: Any) -> None:
    ticket, _ = tickets_svc.create_ticket(
        fake, OP1, {"category": "help", "title": "t", "content": "c", "emergency": True}, NOW
    )
    assert [i["ticket_id"] for i in svc.open_emergencies(fake, OP1)["items"]] == [ticket.ticket_id]
    sweep.run_sweep(fake, NOW)
    [event] = [e for e in fake.tickets.history(ticket.ticket_id) if e["type"] == "emergency_escalated"]
    assert event["data"]["duty_leader"] is None and event["data"]["call"]["outcome"] == "unreachable"
