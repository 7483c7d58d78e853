"""The 12345 lifecycle, rule by rule (domain only: no IO)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import tickets as T
from chalicelib.domain.calendar import SHANGHAI, WorkCalendar
from chalicelib.domain.errors import Forbidden, InvalidTransition, NotFound, ValidationError
from chalicelib.domain.model import Actor, Status, Ticket

OP1 = Actor("op1", "operator", name="王敏")
OP2 = Actor("op2", "operator")
UH1 = Actor("uh1", "unit_handler", "U001")
UH2 = Actor("uh2", "unit_handler", "U002")
LEADER = Actor("leader1", "leader")
ANALYST = Actor("analyst1", "analyst")
CTX = T.Context(calendar=WorkCalendar(), units={"U001": {"name": "甲"}, "U002": {"name": "乙"}})
CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai

COMPLAINT_REPLY = {
    "investigation": "11月3日现场核查，情况属实",
    "result": "已责令整改",
    "basis": "《城市市容和环境卫生管理条例》第十条",
    "contact": "11月4日电话告知反映人",
}


def intake(**overrides: Any) -> Ticket:
    payload = {
        "category": "complaint",
        "title": "小区噪音扰民",
        "content": "夜间施工噪音",
        "caller": {"name": "张三丰", "phone": "13800001234", "employer": "某公司", "address": "海游街道1号"},
    }
    payload.update(overrides)
    return T.new_ticket("T20261102-00001", payload, OP1, NOW, CTX).after


def step(t: Ticket, verb: str, actor: Actor, body: dict[str, Any] | None = None, at: datetime | None = None) -> Ticket:
    change = T.apply(t, verb, body or {}, actor, at or NOW, CTX)
    return change.after.with_changes(version=t.version + 1)


def to_state(target: str, **intake_overrides: Any) -> Ticket:
    t = intake(**intake_overrides)
    path = [
        ("dispatch", OP1, {"unit_id": "U001", "call": CALL}),
        ("sign", UH1, {}),
        ("reply", UH1, {"sections": COMPLAINT_REPLY}),
        ("review", OP1, {"approve": True}),
        ("callback", OP1, {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}),
        ("submit", OP1, {}),
        ("close", OP1, {}),
    ]
    for verb, actor, body in path:
        if t.status == target:
            return t
        t = step(t, verb, actor, body)
    assert t.status == target
    return t


def test_r12345_01_dispatch_due_is_12_clock_hours_after_receipt() -> None:
    t = intake()
    assert t.dispatch_due == NOW + timedelta(hours=12)


def test_r12345_01_night_receipt_keeps_12_clock_hours() -> None:
    night = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)  # 23:00 on National Day
    entered = night + timedelta(hours=2)  # a call taken at night, entered afterwards
    t = T.new_ticket(
        "T1", {"category": "help", "title": "t", "content": "c", "received_at": night.isoformat()}, OP1, entered, CTX
    ).after
    assert t.dispatch_due == night + timedelta(hours=12)


@pytest.mark.parametrize(
    ("category", "days"), [("consult", 2), ("help", 5), ("complaint", 5), ("report", 10), ("praise", 2)]
)
def test_handling_limit_defaults_per_category_in_working_days(category: str, days: int) -> None:
    t = intake(category=category)
    assert t.handle_due == CTX.calendar.add_working_days(NOW, days).at
    assert t.handle_due.astimezone(SHANGHAI).strftime("%H:%M") == "17:30"


def test_handling_limit_city_limit_wins_over_category_default() -> None:
    t = intake(category="report", city_limit_days=3)
    assert t.handle_due == CTX.calendar.add_working_days(NOW, 3).at


def test_handling_limit_urgent_is_24_clock_hours() -> None:
    assert intake(urgent=True).handle_due == NOW + timedelta(hours=24)


def test_intake_names_every_bad_field() -> None:
    with pytest.raises(ValidationError) as err:
        T.new_ticket(
            "T1", {"category": "gossip", "title": "", "caller": {"phone": "123"}, "urgent": "yes"}, OP1, NOW, CTX
        )
    assert set(err.value.fields) >= {"category", "title", "content", "caller.phone", "urgent"}


def test_deadline_in_unknown_year_is_provisional_not_an_error() -> None:
    late = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)
    t = T.new_ticket("T1", {"category": "report", "title": "t", "content": "c"}, OP1, late, CTX).after
    assert t.handle_due_provisional is True
    assert t.handle_due.year == 2027


def test_r12345_02_dispatch_requires_a_phone_call_record() -> None:
    with pytest.raises(ValidationError) as err:
        T.apply(intake(), "dispatch", {"unit_id": "U001"}, OP1, NOW, CTX)
    assert "call" in err.value.fields


def test_r12345_07_dispatch_call_refuses_short_internal_numbers() -> None:
    with pytest.raises(ValidationError) as err:
        T.apply(intake(), "dispatch", {"unit_id": "U001", "call": {"to_name": "周", "to_phone": "6601"}}, OP1, NOW, CTX)
    assert "to_phone" in err.value.fields


def test_r12345_02_dispatch_records_the_call_and_unknown_unit_is_refused() -> None:
    change = T.apply(intake(), "dispatch", {"unit_id": "U001", "call": CALL}, OP1, NOW, CTX)
    assert change.data["call"]["to_phone"] == "13957600001"
    assert change.data["within_12h"] is True
    with pytest.raises(ValidationError):
        T.apply(intake(), "dispatch", {"unit_id": "U999", "call": CALL}, OP1, NOW, CTX)


def test_r12345_03_dispatcher_owns_the_ticket_and_others_cannot_act_for_them() -> None:
    t = to_state("replied")
    assert t.owner_id == "op1" and t.first_owner_id == "op1"
    with pytest.raises(Forbidden):
        T.apply(t, "review", {"approve": True}, OP2, NOW, CTX)


def test_r12345_05_callback_needs_the_four_checks() -> None:
    t = to_state("reviewed")
    with pytest.raises(ValidationError) as err:
        T.apply(t, "callback", {"satisfaction": "satisfied"}, OP1, NOW, CTX)
    assert set(err.value.fields) == {"informed", "truthful", "misconduct"}
    with pytest.raises(ValidationError) as err:
        T.apply(
            t,
            "callback",
            {"informed": True, "truthful": True, "misconduct": True, "satisfaction": "dissatisfied"},
            OP1,
            NOW,
            CTX,
        )
    assert "misconduct_note" in err.value.fields


def test_r12345_05_unreachable_caller_is_recorded_without_the_checks() -> None:
    t = step(to_state("reviewed"), "callback", OP1, {"satisfaction": "unreachable", "note": "三次未接通"})
    assert t.status == Status.CALLED_BACK and t.callback and t.callback["satisfaction"] == "unreachable"


def test_r12345_05_no_submit_without_callback_unless_confidential_or_no_contact_wanted() -> None:
    with pytest.raises(InvalidTransition):
        T.apply(to_state("reviewed"), "submit", {}, OP1, NOW, CTX)
    assert step(to_state("reviewed", confidential=True), "submit", OP1).status == Status.SUBMITTED
    assert step(to_state("reviewed", wants_reply=False), "submit", OP1).status == Status.SUBMITTED


def test_r12345_06_reply_missing_sections_are_named() -> None:
    t = to_state("handling")
    with pytest.raises(ValidationError) as err:
        T.apply(t, "reply", {"sections": {"investigation": "已核查", "result": "  "}}, UH1, NOW, CTX)
    assert err.value.details["missing_sections"] == ["result", "basis", "contact"]
    assert "处理结果" in err.value.message


def test_r12345_08_late_submission_is_recorded_as_late() -> None:
    t = to_state("called_back")
    assert t.handle_due is not None
    change = T.apply(t, "submit", {}, OP1, t.handle_due + timedelta(minutes=1), CTX)
    assert change.data["on_time"] is False


def test_r12345_09_reassign_returns_to_first_dispatcher_due_in_three_working_days() -> None:
    closed = to_state("closed")
    at = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
    t = T.apply(closed, "reassign", {"reason": "市平台重新交办", "call": CALL}, OP1, at, CTX).after
    assert t.status == Status.HANDLING and t.owner_id == "op1"
    assert t.handle_due == datetime(2026, 10, 10, 9, 30, tzinfo=UTC)  # 17:30 on the make-up Saturday
    assert t.reply is None and t.callback is None


def test_return_needs_a_reason_and_transfer_to_another_unit_is_counted() -> None:
    t = to_state("handling")
    with pytest.raises(ValidationError):
        T.apply(t, "return", {}, UH1, NOW, CTX)
    t = step(t, "return", UH1, {"reason": "不属于本单位职责"})
    assert t.status == Status.RETURNED and t.return_count == 1
    change = T.apply(t, "transfer", {"unit_id": "U002", "call": CALL, "good_reason": True}, OP1, NOW, CTX)
    assert change.after.status == Status.DISPATCHED and change.after.unit_id == "U002"
    assert change.after.transfer_count == 1 and change.data["other_unit"] is True


def test_extension_needs_reason_and_later_date_and_leader_decides() -> None:
    t = to_state("handling")
    with pytest.raises(ValidationError) as err:
        T.apply(t, "request-extension", {"reason": "需协调多部门"}, UH1, NOW, CTX)
    assert "new_due" in err.value.fields
    with pytest.raises(ValidationError):
        T.apply(t, "request-extension", {"reason": "x", "new_due": "2026-11-01"}, UH1, NOW, CTX)
    asked = step(t, "request-extension", UH1, {"reason": "需协调多部门", "new_due": "2026-11-20"})
    assert asked.status == Status.EXTENSION_REQUESTED
    with pytest.raises(Forbidden):
        T.apply(asked, "decide-extension", {"approve": True}, OP1, NOW, CTX)
    approved = step(asked, "decide-extension", LEADER, {"approve": True})
    assert approved.status == Status.HANDLING
    assert approved.handle_due == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    denied = step(asked, "decide-extension", LEADER, {"approve": False, "note": "不符合延期条件"})
    assert denied.handle_due == t.handle_due


def test_review_reject_sends_back_for_redo_and_counts_it() -> None:
    t = to_state("replied")
    with pytest.raises(ValidationError):
        T.apply(t, "review", {"approve": False}, OP1, NOW, CTX)
    t = step(t, "review", OP1, {"approve": False, "reason": "答复不完整"})
    assert t.status == Status.HANDLING and t.redo_count == 1


def test_city_reject_goes_back_to_reviewed() -> None:
    t = step(to_state("submitted"), "city-reject", OP1, {"reason": "答复不规范"})
    assert t.status == Status.REVIEWED and t.submitted_at is None


def test_r12345_10_difficult_flag_and_leader_decision() -> None:
    t = to_state("handling")
    with pytest.raises(InvalidTransition):
        T.apply(t, "leader-decision", {"decision": "x"}, LEADER, NOW, CTX)
    t = step(t, "flag-difficult", ANALYST, {"reason": "涉及多个单位"})
    assert "difficult" in t.flags and t.status == Status.HANDLING
    t = step(t, "leader-decision", LEADER, {"decision": "由住建局牵头办理"})
    assert t.difficult and t.difficult["decision"] == "由住建局牵头办理"


def test_r12345_10_a_ticket_awaiting_the_leaders_decision_cannot_be_flagged_again() -> None:
    t = step(to_state("handling"), "flag-difficult", ANALYST, {"reason": "涉及多个单位"})
    with pytest.raises(InvalidTransition):
        T.apply(t, "flag-difficult", {"reason": "再报一次"}, OP1, NOW, CTX)
    assert "flag-difficult" not in T.allowed_actions(t, OP1) and "leader-decision" in T.allowed_actions(t, LEADER)


def test_r12345_10_a_reflag_after_the_decision_keeps_the_earlier_flag_and_decision() -> None:
    t = step(to_state("handling"), "flag-difficult", ANALYST, {"reason": "涉及多个单位"})
    t = step(t, "leader-decision", LEADER, {"decision": "由住建局牵头办理"})
    change = T.apply(t, "flag-difficult", {"reason": "住建局未牵头"}, OP1, NOW + timedelta(days=1), CTX)
    again = change.after
    assert again.difficult is not None
    assert again.difficult["reason"] == "住建局未牵头" and again.difficult["decision"] is None
    assert change.data["reason"] == "住建局未牵头" and change.data["difficult_trigger"] == "manual"
    [first] = again.difficult["history"]
    assert first["reason"] == "涉及多个单位" and first["decision"] == "由住建局牵头办理" and "history" not in first
    decided = step(
        step(again, "leader-decision", LEADER, {"decision": "县政府协调"}), "flag-difficult", OP1, {"reason": "三"}
    )
    assert decided.difficult is not None
    assert [e["decision"] for e in decided.difficult["history"]] == ["由住建局牵头办理", "县政府协调"]


@pytest.mark.parametrize(
    ("verb", "actor", "body"), [("flag-supervised", LEADER, {"reason": "督办"}), ("mark-typical", OP1, {})]
)
def test_a_ticket_is_supervised_or_typical_once(verb: str, actor: Actor, body: dict[str, Any]) -> None:
    t = step(to_state("handling"), verb, actor, body)
    with pytest.raises(InvalidTransition):
        T.apply(t, verb, body, actor, NOW, CTX)
    assert verb not in T.allowed_actions(t, actor)


@pytest.mark.parametrize(
    ("state", "verb", "actor", "body"),
    [
        ("received", "decide-extension", LEADER, {"approve": True}),
        ("dispatched", "reply", UH1, {"sections": COMPLAINT_REPLY}),
        ("handling", "submit", OP1, {}),
        ("replied", "callback", OP1, {"satisfaction": "satisfied"}),
        ("closed", "dispatch", OP1, {"unit_id": "U001", "call": CALL}),
        ("closed", "flag-difficult", OP1, {"reason": "x"}),
        ("submitted", "reassign", OP1, {"reason": "x"}),
    ],
)
def test_illegal_transitions_are_refused_and_change_nothing(
    state: str, verb: str, actor: Actor, body: dict[str, Any]
) -> None:
    t = to_state(state)
    with pytest.raises(InvalidTransition):
        T.apply(t, verb, body, actor, NOW, CTX)
    assert t.status == state


def test_r12345_11_unit_handler_of_another_unit_cannot_see_the_ticket() -> None:
    t = to_state("dispatched")
    with pytest.raises(NotFound):
        T.apply(t, "sign", {}, UH2, NOW, CTX)


def test_allowed_actions_follow_role_state_and_ownership() -> None:
    t = to_state("replied")
    assert T.allowed_actions(t, OP1) == ["review", "flag-difficult", "flag-supervised", "mark-typical", "record-call"]
    assert "review" not in T.allowed_actions(t, OP2)
    assert T.allowed_actions(to_state("dispatched"), UH1)[:2] == ["sign", "return"]
    assert T.allowed_actions(t, UH2) == []


def test_an_instant_without_offset_is_shanghai_wall_time() -> None:
    from chalicelib.domain import inputs

    assert inputs.instant("2026-11-26T08:30:00", "due_before") == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    assert inputs.instant("2026-11-26T00:30:00Z", "due_before") == datetime(2026, 11, 26, 0, 30, tzinfo=UTC)
    with pytest.raises(ValidationError) as err:
        inputs.instant("26/11/2026", "due_before")
    assert "due_before" in err.value.fields


@pytest.mark.parametrize(
    ("co_units", "field"),
    [
        ("U002", "co_unit_ids"),
        ({"U002": True}, "co_unit_ids"),
        ([["U002"]], "co_unit_ids[0]"),
        ([{}], "co_unit_ids[0]"),
        ([None], "co_unit_ids[0]"),
        (["U002", 7], "co_unit_ids[1]"),
        (["U001"], "co_unit_ids[0]"),
        (["U002", "U002"], "co_unit_ids[1]"),
        (["U404"], "co_unit_ids[0]"),
        ([f"U{i:03d}" for i in range(11)], "co_unit_ids"),
    ],
)
def test_malformed_co_units_at_dispatch_are_refused_naming_the_item(co_units: Any, field: str) -> None:
    t = intake()
    body = {"unit_id": "U001", "co_unit_ids": co_units, "call": CALL}
    with pytest.raises(ValidationError) as caught:
        T.apply(t, "dispatch", body, OP1, NOW, CTX)
    assert set(caught.value.fields) == {field}


CO_CALL = {"unit_id": "U002", "to_name": "吴芳", "to_phone": "13957600002"}


def test_co_units_at_dispatch_are_kept_in_order() -> None:
    body = {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL, "co_calls": [CO_CALL]}
    t = step(intake(), "dispatch", OP1, body)
    assert t.co_unit_ids == ("U002",)
    assert step(intake(), "dispatch", OP1, {"unit_id": "U001", "co_unit_ids": None, "call": CALL}).co_unit_ids == ()


PARTNER = Actor("partner:hk_1", "partner")


def received(value: str, actor: Actor = OP1, **extra: Any) -> Ticket:
    payload = {"category": "help", "title": "t", "content": "c", "received_at": value, **extra}
    return T.new_ticket("T1", payload, actor, NOW, CTX).after


def refused_fields(value: str, actor: Actor = OP1, **extra: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        received(value, actor, **extra)
    return caught.value.fields


@pytest.mark.parametrize(
    "value",
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00+00:00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00"],
)
def test_a_received_at_far_outside_the_window_is_a_422_naming_it(value: str) -> None:
    assert set(refused_fields(value)) == {"received_at"}
    assert set(refused_fields(value, PARTNER)) == {"received_at"}


def test_received_at_is_within_30_days_back_and_5_minutes_ahead() -> None:
    assert received((NOW - timedelta(days=30)).isoformat()).received_at == NOW - timedelta(days=30)
    assert received((NOW + timedelta(minutes=5)).isoformat()).received_at == NOW + timedelta(minutes=5)
    assert "30 天" in refused_fields((NOW - timedelta(days=30, seconds=1)).isoformat())["received_at"]
    assert set(refused_fields((NOW + timedelta(minutes=5, seconds=1)).isoformat())) == {"received_at"}


def test_a_partner_may_give_its_own_receipt_date_up_to_a_year_back() -> None:
    a_year_ago = datetime(2025, 11, 2, 1, 0, tzinfo=UTC)
    assert received(a_year_ago.isoformat(), PARTNER).received_at == a_year_ago
    assert "一年" in refused_fields((a_year_ago - timedelta(seconds=1)).isoformat(), PARTNER)["received_at"]
    assert set(refused_fields((NOW + timedelta(minutes=6)).isoformat(), PARTNER)) == {"received_at"}
    assert set(refused_fields((NOW - timedelta(days=31)).isoformat())) == {"received_at"}  # staff: 30 days


def test_city_due_is_not_before_receipt_and_within_two_years_of_it() -> None:
    at = NOW - timedelta(days=3)
    two_years = datetime(2028, 10, 30, 1, 0, tzinfo=UTC)
    assert received(at.isoformat(), city_due=two_years.isoformat()).handle_due == two_years
    assert received(at.isoformat(), city_due=at.isoformat()).handle_due == at
    for due in ("9999-12-31T00:00:00", (at - timedelta(seconds=1)).isoformat(), "2028-10-30T01:00:01+00:00"):
        assert "两年" in refused_fields(at.isoformat(), city_due=due)["city_due"]


def test_add_years_keeps_the_wall_clock_and_moves_29_february_to_the_28th() -> None:
    from chalicelib.domain.inputs import add_years

    assert add_years(datetime(2028, 2, 29, 8, tzinfo=UTC), -1) == datetime(2027, 2, 28, 8, tzinfo=UTC)
    assert add_years(datetime(2026, 11, 2, 8, tzinfo=UTC), 2) == datetime(2028, 11, 2, 8, tzinfo=UTC)


def test_a_reassign_or_extension_due_more_than_two_years_ahead_is_refused() -> None:
    closed = to_state("closed")
    with pytest.raises(ValidationError) as caught:
        T.apply(
            closed, "reassign", {"reason": "重新交办", "city_due": "9999-12-31T00:00:00", "call": CALL}, OP1, NOW, CTX
        )
    assert set(caught.value.fields) == {"city_due"}
    with pytest.raises(ValidationError):
        T.apply(
            closed, "reassign", {"reason": "重新交办", "city_due": "2026-11-01T00:00:00", "call": CALL}, OP1, NOW, CTX
        )
    with pytest.raises(ValidationError) as caught:
        T.apply(to_state("handling"), "request-extension", {"reason": "x", "new_due": "9999-12-31"}, UH1, NOW, CTX)
    assert caught.value.fields == {"new_due": "须在两年以内"}


def test_the_state_is_checked_before_ownership_and_the_role_before_the_state() -> None:
    received = intake()
    with pytest.raises(InvalidTransition):  # nobody closes a received ticket: 409 before "not the owner"
        T.apply(received, "close", {}, OP2, NOW, CTX)
    with pytest.raises(Forbidden):  # a leader never closes: 403 whatever the state
        T.apply(received, "close", {}, LEADER, NOW, CTX)
    with pytest.raises(Forbidden):  # the state allows it, op2 does not own it
        T.apply(to_state("submitted"), "close", {}, OP2, NOW, CTX)
    with pytest.raises(NotFound):  # another unit's ticket: not even its existence
        T.apply(to_state("dispatched"), "close", {}, UH2, NOW, CTX)


@pytest.mark.parametrize(
    ("co_calls", "field"),
    [
        (None, "co_calls"),
        ([], "co_calls"),
        ("U002", "co_calls"),
        ([None], "co_calls[0]"),
        ([dict(CO_CALL, unit_id="U001")], "co_calls[0].unit_id"),
        ([CO_CALL, CO_CALL], "co_calls[1].unit_id"),
        ([dict(CO_CALL, to_phone="6001")], "co_calls[0].to_phone"),
        ([dict(CO_CALL, to_name="")], "co_calls[0].to_name"),
    ],
)
def test_r12345_02_each_co_unit_is_phoned_at_dispatch(co_calls: Any, field: str) -> None:
    body = {"unit_id": "U001", "co_unit_ids": ["U002"], "call": CALL, "co_calls": co_calls}
    with pytest.raises(ValidationError) as caught:
        T.apply(intake(), "dispatch", body, OP1, NOW, CTX)
    assert set(caught.value.fields) == {field}


def test_r12345_09_reassign_phones_the_unit_and_each_co_unit_the_city_platform_need_not() -> None:
    closed = to_state("closed").with_changes(co_unit_ids=("U002",))
    at = datetime(2026, 9, 30, 2, 0, tzinfo=UTC)
    with pytest.raises(ValidationError) as caught:
        T.apply(closed, "reassign", {"reason": "重新交办", "call": CALL}, OP1, at, CTX)
    assert set(caught.value.fields) == {"co_calls"}
    body = {"reason": "重新交办", "call": CALL, "co_calls": [CO_CALL]}
    change = T.apply(closed, "reassign", body, OP1, at, CTX)
    assert change.data["call"]["kind"] == "dispatch_notice" and change.data["unit_id"] == closed.unit_id
    assert [c["unit_id"] for c in change.data["co_calls"]] == ["U002"] and change.data["co_unit_ids"] == ["U002"]
    by_city = T.apply(closed, "reassign", {"reason": "市平台重新交办"}, PARTNER, at, CTX)
    assert "call" not in by_city.data and by_city.data["co_calls"] == [] and by_city.data["co_unit_ids"] == ["U002"]


def test_r12345_09_only_its_dispatchers_reopen_a_closed_ticket() -> None:
    from chalicelib.domain import access

    closed = to_state("closed").with_changes(owner_id="op2", first_owner_id="op1")
    op3 = Actor("op3", "operator")
    assert access.permits(OP1, "reassign", closed) and access.permits(OP2, "reassign", closed)
    assert not access.permits(op3, "reassign", closed)
    with pytest.raises(Forbidden):
        access.ensure_permitted(op3, "reassign", closed)
