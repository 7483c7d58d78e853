"""R-12345-10 escalation domain (domain/escalation.py) and its SMS routing on the fakes: pure, clock injected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain import escalation, sweep
from chalicelib.domain import tickets as T
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.model import Actor, Ticket
from chalicelib.domain.tickets import Context
from chalicelib.services import notify

CAL = WorkCalendar()
CTX = Context(calendar=CAL, units={"U001": {"name": "街道"}, "U002": {"name": "住建局"}})
OP1 = Actor("op1", "operator")
LEADER = Actor("leader1", "leader")


def sh(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


def ticket(**changes: object) -> Ticket:
    base = Ticket(
        ticket_id="T20261102-00001",
        hotline="12345",
        source="phone",
        channel="phone",
        category="complaint",
        title="占道经营",
        content="多部门",
        received_at=sh(2026, 11, 2, 9).astimezone(UTC),
        created_by="op1",
        owner_id="op1",
        unit_id="U001",
        status="handling",
    )
    return base.with_changes(**changes)


def test_r12345_10_the_policy_falls_back_to_its_defaults_for_anything_out_of_range() -> None:
    assert escalation.Policy.from_config(None) == escalation.Policy(24, 2)
    assert escalation.Policy.from_config({"overdue_hours": 0, "decision_days": 5}) == escalation.Policy(0, 5)
    bad = {"overdue_hours": -1, "decision_days": True}
    assert escalation.Policy.from_config(bad) == escalation.Policy(24, 2)


def test_r12345_10_the_decision_is_due_two_working_days_later_and_is_reminded_then_marked() -> None:
    now = sh(2026, 11, 6, 16)  # a Friday
    t = ticket()
    changes, data = escalation.escalate(t, "false_reply", "op1", now, CAL, escalation.Policy())
    after = t.with_changes(**changes)
    due = sh(2026, 11, 10, 17, 30).astimezone(UTC)  # Monday and Tuesday are the two working days
    assert datetime.fromisoformat(data["decision_due"]) == due and data["joined"] is False
    assert after.difficult is not None and after.difficult["triggers"] == ["false_reply"]
    kinds = [(a.kind, a.at) for a in escalation.schedule(after, CAL, escalation.Policy())]
    assert kinds == [("decision_reminder", sh(2026, 11, 9, 8, 30).astimezone(UTC)), ("decision_overdue", due)]
    alert = T.next_alert(after, CTX)
    assert alert is not None and alert.kind == "decision_reminder"
    reminded = sweep.apply_alert(after, alert, alert.at, CTX)
    assert reminded.event_type == "decision_reminder_due" and reminded.data["decision_due"] == due.isoformat()
    overdue = sweep.apply_alert(reminded.after, T.next_alert(reminded.after, CTX), due, CTX)  # type: ignore[arg-type]
    assert overdue.event_type == "marked_decision_overdue"
    decided = T.apply(overdue.after, "leader-decision", {"decision": "约谈"}, LEADER, due + timedelta(hours=1), CTX)
    assert decided.after.difficult is not None and decided.after.difficult["decision_on_time"] is False
    assert escalation.schedule(decided.after, CAL, escalation.Policy()) == []  # decided: nothing to chase


def test_r12345_10_a_trigger_joins_a_pending_episode_and_a_decided_one_moves_to_history() -> None:
    now = sh(2026, 11, 2, 10)
    t = ticket().with_changes(**escalation.escalate(ticket(), "co_units", "op1", now, CAL, escalation.Policy())[0])
    first_due = t.difficult["decision_due"]  # type: ignore[index]
    joined, data = escalation.escalate(t, "false_reply", "op1", now + timedelta(days=1), CAL, escalation.Policy())
    assert data["joined"] is True and joined["difficult"]["triggers"] == ["co_units", "false_reply"]
    assert joined["difficult"]["decision_due"] == first_due  # no new deadline, no new text
    decided = T.apply(t.with_changes(**joined), "leader-decision", {"decision": "住建局牵头"}, LEADER, now, CTX).after
    again, data = escalation.escalate(decided, "overdue", "system", now + timedelta(days=9), CAL, escalation.Policy())
    assert data["joined"] is False and again["difficult"]["trigger"] == "overdue"
    [earlier] = again["difficult"]["history"]
    assert earlier["decision"] == "住建局牵头" and earlier["triggers"] == ["co_units", "false_reply"]


def test_r12345_10_overdue_beyond_n_hours_is_one_alert_per_due() -> None:
    due = sh(2026, 11, 4, 17, 30).astimezone(UTC)
    t = ticket(handle_due=due, alerts_done=frozenset())
    policy = escalation.Policy(overdue_hours=6)
    ctx = Context(calendar=CAL, escalation=policy)
    kinds = {a.kind: a.at for a in escalation.schedule(t, CAL, policy)}
    assert kinds == {"overdue_escalation": due + timedelta(hours=6)}
    change = sweep.apply_alert(t, escalation.next_alert(t, CAL, policy), due + timedelta(hours=7), ctx)  # type: ignore[arg-type]
    assert change.event_type == "flagged_difficult" and change.data["escalated"]["difficult_trigger"] == "overdue"
    assert change.after.difficult is not None and change.after.difficult["by"] == "system"
    following = escalation.next_alert(change.after, CAL, policy)
    assert following is not None and following.kind == "decision_reminder"  # the overdue escalation is done


def test_r12345_10_transitions_escalate_in_their_own_event() -> None:
    now = sh(2026, 11, 2, 10)
    body = {"unit_id": "U001", "co_unit_ids": ["U002"], "call": {"to_name": "周海", "to_phone": "13957600001"}}
    body["co_calls"] = [{"unit_id": "U002", "to_name": "吴芳", "to_phone": "13957600002"}]
    dispatched = T.apply(ticket(status="received", owner_id=None, unit_id=None), "dispatch", body, OP1, now, CTX)
    assert dispatched.data["escalated"]["difficult_trigger"] == "co_units" and "difficult" in dispatched.after.flags
    plain = dict(body, co_unit_ids=[], co_calls=[])
    alone = T.apply(ticket(status="received", owner_id=None, unit_id=None), "dispatch", plain, OP1, now, CTX)
    assert "escalated" not in alone.data and alone.after.difficult is None
    returned = ticket(status="returned", return_info={"reason": "非本单位", "at": now.isoformat()})
    move = {"unit_id": "U001", "call": body["call"], "good_reason": False}
    assert (
        T.apply(returned, "transfer", move, OP1, now, CTX).data["escalated"]["difficult_trigger"]
        == "unjustified_return"
    )
    replied = ticket(status="replied")
    review = {"approve": False, "reason": "不属实", "false_reply": True}
    assert T.apply(replied, "review", review, OP1, now, CTX).data["escalated"]["difficult_trigger"] == "false_reply"


def test_r12345_10_the_leader_on_duty_is_texted_once_per_episode(fake: Any) -> None:
    from chalicelib.services import duty

    person = {"user_id": "leader1", "name": "王局长", "phone": "13957609999"}
    duty.put_default(
        fake, Actor("admin1", "admin"), {"post": "leader", "day": person, "night": person, "holiday": person}
    )
    at = datetime.now(UTC).isoformat()
    snapshot = {"ticket_id": "T1", "title": "占道", "hotline": "12345", "owner_id": "op1"}
    new = {"difficult_trigger": "false_reply", "joined": False, "decision_due": at}
    event = {"ticket_id": "T1", "event_id": "T1.000002", "type": "review_rejected", "at": at, "snapshot": snapshot}
    [r] = [r for r in notify.recipients(fake, dict(event, data={"escalated": new})) if r.role == "duty_leader"]
    assert r.phone == "13957609999" and r.template == "difficult_escalated"
    text, _ = notify.render(r.template, dict(event, data={"escalated": new}), r.name)
    assert "虚假反馈" in text and "王局长" in text
    joined = dict(new, joined=True)
    assert not [r for r in notify.recipients(fake, dict(event, data={"escalated": joined})) if r.role == "duty_leader"]
    for etype in ("decision_reminder_due", "marked_decision_overdue"):
        roles = [r.role for r in notify.recipients(fake, dict(event, type=etype, data={"decision_due": at}))]
        assert roles == ["duty_leader"]
