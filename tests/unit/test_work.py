"""Office work (R-WORK-01/02/03/05/06): the pure domain and the services on the in-memory fakes
(the account check, a Cognito call, is replaced by a directory of known staff)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import work
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import Conflict, Forbidden, InvalidTransition, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import duty
from chalicelib.services import work as svc
from tests.helpers.clock import sh

CAL = WorkCalendar()
NOW = sh(2026, 11, 2, 9).astimezone(UTC)  # Monday
LEADER = Actor("leader1", "leader", name="陈建国")
OP1 = Actor("op1", "operator", name="王敏")
OP2 = Actor("op2", "operator", name="李强")
UH1 = Actor("uh1", "unit_handler", "U001")
STAFF = {"op1", "op2", "leader1", "analyst1", "admin1"}


@pytest.fixture
def office(fake: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    def account(deps: Any, field: str, user_id: str) -> dict[str, Any]:
        if user_id not in STAFF:
            raise ValidationError({field: f"用户 {user_id} 不存在"})
        return {"username": user_id, "name": user_id, "groups": ["operator"], "enabled": True}

    monkeypatch.setattr(svc, "account", account)
    for uid, phone in (("op1", "13957601001"), ("op2", "13957601002"), ("leader1", "13957601003")):
        fake.directory.put_item(duty.STAFF, uid, {"name": uid, "phone": phone})
    return fake


def action_body(**changes: Any) -> dict[str, Any]:
    return {"title": "整理十月满意度回访数据", "owner_id": "op1", "deadline": "2026-11-06", **changes}


# ---------------------------------------------------------------- domain


def test_r_work_02_action_item_needs_owner_and_a_future_deadline() -> None:
    with pytest.raises(ValidationError) as exc:
        work.new_action("A1", action_body(deadline="2026-10-30"), LEADER, NOW, CAL)
    assert "deadline" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        work.new_action("A1", action_body(owner_id=""), LEADER, NOW, CAL)
    assert "owner_id" in exc.value.fields
    with pytest.raises(Forbidden):
        work.new_action("A1", action_body(), UH1, NOW, CAL)
    item = work.new_action("A1", action_body(), LEADER, NOW, CAL)
    assert item["status"] == "open" and item["assigner_id"] == "leader1"
    assert item["deadline"] == sh(2026, 11, 6, 17, 30).astimezone(UTC).isoformat() == item["next_at"]


def test_r_work_02_with_a_deliverable_done_means_approved_by_the_assigner() -> None:
    item = work.new_action("A1", action_body(deliverable=True), LEADER, NOW, CAL)
    with pytest.raises(ValidationError):
        work.complete(item, {}, OP1, NOW)  # the deliverable reference is required
    with pytest.raises(Forbidden):
        work.complete(item, {"deliverable_ref": "回访分析.docx"}, OP2, NOW)
    handed = work.complete(item, {"deliverable_ref": "回访分析.docx"}, OP1, NOW)
    assert handed["status"] == "submitted"
    with pytest.raises(Forbidden):
        work.review_deliverable(handed, {"approve": True}, OP1, NOW)
    back = work.review_deliverable(handed, {"approve": False, "note": "缺少附表"}, LEADER, NOW)
    assert back["status"] == "open"
    done = work.review_deliverable(handed, {"approve": True}, LEADER, NOW + timedelta(hours=1))
    assert done["status"] == "done" and done["on_time"] is True and done["next_at"] is None


def test_r_work_03_deadline_passes_without_completion_the_item_is_delayed() -> None:
    item = work.new_action("A1", action_body(), LEADER, NOW, CAL)
    item = work.progress(item, {"text": "已完成一半"}, OP1, NOW)
    deadline = datetime.fromisoformat(item["deadline"])
    assert not work.action_due(item, deadline - timedelta(seconds=1))
    assert work.action_due(item, deadline)
    late = work.mark_delayed(item, deadline)
    assert late["status"] == "delayed" and late["next_at"] is None
    done = work.complete(late, {}, OP1, deadline + timedelta(days=6))
    assert done["on_time"] is False and work.days_late(done, NOW) == pytest.approx(6.0)


def test_r_work_03_cannot_finish_needs_reason_and_new_date_approved_by_the_assigner() -> None:
    item = work.new_action("A1", action_body(), LEADER, NOW, CAL)
    with pytest.raises(ValidationError) as exc:
        work.request_extension(item, {"new_deadline": "2026-11-13"}, OP1, NOW, CAL)
    assert "reason" in exc.value.fields
    with pytest.raises(ValidationError) as exc:
        work.request_extension(item, {"reason": "数据未齐", "new_deadline": "2026-11-05"}, OP1, NOW, CAL)
    assert "new_deadline" in exc.value.fields
    asked = work.request_extension(item, {"reason": "数据未齐", "new_deadline": "2026-11-13"}, OP1, NOW, CAL)
    with pytest.raises(InvalidTransition):
        work.request_extension(asked, {"reason": "再延", "new_deadline": "2026-11-20"}, OP1, NOW, CAL)
    with pytest.raises(Forbidden):
        work.decide_extension(asked, {"approve": True}, OP1, NOW)
    late = work.mark_delayed(asked, datetime.fromisoformat(asked["deadline"]))
    approved = work.decide_extension(late, {"approve": True}, LEADER, NOW + timedelta(days=5))
    assert approved["status"] == "open" and approved["deadline"].startswith("2026-11-13")
    assert approved["next_at"] == approved["deadline"] and approved["delayed_at"] is not None


def test_r_work_06_delegating_keeps_the_owner_responsible() -> None:
    item = work.new_action("A1", action_body(), LEADER, NOW, CAL)
    handed = work.delegate(item, "op2", OP1, NOW)
    assert work.progress(handed, {"text": "开始"}, OP2, NOW)["owner_id"] == "op1"
    rows = work.monthly([work.mark_delayed(handed, NOW + timedelta(days=10))], "2026-11", NOW + timedelta(days=12))
    assert [r["owner_id"] for r in rows] == ["op1"] and rows[0]["flagged"] is True  # > 5 days late


def test_r_work_06_more_than_three_unfinished_flags_the_owner() -> None:
    items = [work.new_action(f"A{i}", action_body(), LEADER, NOW, CAL) for i in range(4)]
    done = work.complete(items[0], {}, OP1, NOW)
    row = work.monthly([done, *items[1:]], "2026-11", NOW)[0]
    assert (row["due"], row["on_time"], row["unfinished"], row["flagged"]) == (4, 1, 3, False)
    row = work.monthly([*items], "2026-11", NOW)[0]
    assert row["unfinished"] == 4 and row["flagged"] is True and row["rate"] == 0


def test_r_work_05_only_the_approver_decides_and_late_is_the_approvers() -> None:
    with pytest.raises(ValidationError) as exc:
        work.new_approval("P1", {"kind": "leave", "title": "年休假", "approver_id": "op1"}, OP1, NOW)
    assert "approver_id" in exc.value.fields
    with pytest.raises(ValidationError):
        work.new_approval("P1", {"kind": "holiday", "title": "年休假", "approver_id": "leader1"}, OP1, NOW)
    item = work.new_approval("P1", {"kind": "leave", "title": "年休假", "approver_id": "leader1"}, OP1, NOW)
    assert not work.approval_due(item, NOW + timedelta(hours=23, minutes=59))
    with pytest.raises(Forbidden):
        work.decide_approval(item, {"approve": True}, OP2, NOW)
    chased = work.chase_approval(item, NOW + timedelta(hours=24))
    assert chased["overdue"] and chased["attributed_to"] == "leader1"
    decided = work.decide_approval(chased, {"approve": True}, LEADER, NOW + timedelta(hours=30))
    assert decided["decision"]["on_time"] is False and work.held_hours(decided, NOW + timedelta(days=9)) == 30.0


def test_r_work_01_report_due_monday_10_moves_to_the_next_working_day() -> None:
    assert work.report_due(date(2026, 11, 2), "mon 10:00", CAL) == sh(2026, 11, 2, 10)
    # 2026-10-05 is in the National Day holiday: due the first working day of that week
    assert work.report_due(date(2026, 10, 5), "mon 10:00", CAL) == sh(2026, 10, 8, 10)
    assert work.report_due(date(2026, 11, 2), "fri 18:00", CAL) == sh(2026, 10, 30, 18)


def test_r_work_01_report_lists_unfinished_with_cause_measure_and_carries_them_over() -> None:
    due = sh(2026, 11, 2, 10)
    with pytest.raises(ValidationError) as exc:
        work.new_report(date(2026, 11, 9), "op1", None, {"plan": [{"text": "x"}]}, OP1, NOW, due)
    assert "week" in exc.value.fields  # a week in the future
    with pytest.raises(ValidationError) as exc:
        work.new_report(
            date(2026, 11, 2), "op1", None, {"planned": [{"text": "x", "outcome": "partly"}]}, OP1, NOW, due
        )
    assert "planned[0].cause" in exc.value.fields
    body = {
        "planned": [
            {"text": "回访数据整理", "outcome": "done", "important": True, "deliverable_ref": "回访表.xlsx"},
            {"text": "知识库更新", "outcome": "not_done", "cause": "政策未出", "measure": "下周跟进"},
        ],
        "unplanned": [{"text": "接待督查组"}],
        "plan": [{"text": "月报编写", "important": True}],
    }
    report = work.new_report(date(2026, 11, 2), "op1", None, body, OP1, NOW, due)
    assert report["late"] is False and [p["carry_over"] for p in report["planned"]] == [False, True]
    assert work.carry_over(report) == [
        {"text": "月报编写", "important": True},
        {"text": "知识库更新", "important": False},
    ]


# ---------------------------------------------------------------- services on the fakes


def test_r_work_03_sweep_marks_delayed_once_and_texts_owner_and_assigner(office: Any) -> None:
    item = svc.create_action(office, LEADER, action_body(), NOW)
    deadline = datetime.fromisoformat(item["deadline"])
    assert svc.sweep(office, deadline - timedelta(minutes=1))["actions_delayed"] == 0
    assert svc.sweep(office, deadline + timedelta(minutes=1))["actions_delayed"] == 1
    assert svc.sweep(office, deadline + timedelta(minutes=16))["actions_delayed"] == 0  # idempotent
    assert svc.get_action(office, OP1, item["id"], NOW)["status"] == "delayed"
    texts = [m.text for m in office.sms.sent]
    assert len(texts) == 2 and all("工作延误" in t for t in texts)
    assert {m.to for m in office.sms.sent} == {"+8613957601001", "+8613957601003"}


def test_r_work_03_a_completed_item_leaves_the_due_index(office: Any) -> None:
    item = svc.create_action(office, LEADER, action_body(), NOW)
    svc.act_on_action(office, OP1, item["id"], "complete", {"note": "已完成"}, NOW)
    assert office.table.items(svc.DUE, index=True) == []
    assert svc.sweep(office, NOW + timedelta(days=30))["actions_delayed"] == 0 and office.sms.sent == []


def test_r_work_03_a_stale_write_is_a_conflict_and_changes_nothing(office: Any) -> None:
    item = svc.create_action(office, LEADER, action_body(), NOW)
    stored = office.directory.get_item(svc.ACTION, item["id"])
    svc.act_on_action(office, OP1, item["id"], "progress", {"text": "第一次"}, NOW)
    with pytest.raises(Conflict):
        svc._save(office, svc.ACTION, "A", stored, work.progress(stored, {"text": "并发"}, OP1, NOW))
    assert [p["text"] for p in svc.get_action(office, OP1, item["id"], NOW)["progress"]] == ["第一次"]


def test_r_work_05_sweep_attributes_the_delay_to_the_approver_and_reminds_both(office: Any) -> None:
    item = svc.create_approval(office, OP1, {"kind": "purchase", "title": "采购耳麦", "approver_id": "leader1"}, NOW)
    assert svc.sweep(office, NOW + timedelta(hours=23))["approvals_chased"] == 0
    assert svc.sweep(office, NOW + timedelta(hours=24, minutes=5))["approvals_chased"] == 1
    assert svc.sweep(office, NOW + timedelta(hours=25))["approvals_chased"] == 0
    inbox = svc.approvals(office, LEADER, {}, NOW + timedelta(hours=25))
    assert [(a["id"], a["attributed_to"], a["held_hours"]) for a in inbox] == [(item["id"], "leader1", 25.0)]
    assert sorted(m.to for m in office.sms.sent) == ["+8613957601001", "+8613957601003"]
    assert svc.sweep(office, NOW + timedelta(hours=48, minutes=10))["approvals_chased"] == 1  # every 24 h
    svc.decide_approval(office, LEADER, item["id"], {"approve": True}, NOW + timedelta(hours=49))
    assert svc.sweep(office, NOW + timedelta(days=9))["approvals_chased"] == 0 and len(office.sms.sent) == 4


def test_r_work_01_missing_reports_are_listed_and_reminded_once(office: Any) -> None:
    office.directory.put_item(
        "CONFIG",
        "work",
        {"departments": [{"id": "biz", "name": "业务科", "members": ["op1", "op2"], "coordinator_id": "op1"}]},
    )
    body = {"plan": [{"text": "月报编写"}]}
    svc.submit_report(office, OP2, "2026-11-02", body, NOW - timedelta(hours=2))
    assert svc.sweep(office, sh(2026, 11, 2, 9, 59).astimezone(UTC))["weekly_checks"] == 0
    counts = svc.sweep(office, sh(2026, 11, 2, 10, 5).astimezone(UTC))
    assert counts["weekly_checks"] == 1 and counts["reports_missing"] == 2  # op1 and the department
    assert svc.sweep(office, sh(2026, 11, 2, 10, 20).astimezone(UTC))["weekly_checks"] == 0
    assert len(office.sms.sent) == 2 and all(m.to == "+8613957601001" for m in office.sms.sent)
    view = svc.week_reports(office, LEADER, "2026-11-04", sh(2026, 11, 2, 11).astimezone(UTC))
    assert [m["id"] for m in view["missing"]] == ["DEPT#biz", "op1"]
    late = svc.submit_report(office, OP1, "2026-11-02", body, sh(2026, 11, 2, 11).astimezone(UTC))
    assert late["late"] is True
    with pytest.raises(Forbidden):
        svc.submit_report(office, OP2, "2026-11-02", dict(body, dept_id="biz"), NOW)


def test_r_work_01_department_week_shows_members_states_and_drafts_the_combined_report(office: Any) -> None:
    dept = {"id": "biz", "name": "业务科", "members": ["op1", "op2", "leader1"], "coordinator_id": "op1"}
    office.directory.put_item("CONFIG", "work", {"departments": [dept]})
    last = {"plan": [{"text": "月报编写", "important": True}, {"text": "回访"}]}
    svc.submit_report(office, OP1, "2026-10-26", dict(last, dept_id="biz"), sh(2026, 10, 26, 9).astimezone(UTC))
    op2 = {
        "planned": [{"text": "月报编写", "outcome": "partly", "cause": "数据未齐", "measure": "周三前补齐"}],
        "unplanned": [{"text": "接待督查组", "important": True}],
        "plan": [{"text": "知识库更新"}],
    }
    svc.submit_report(office, OP2, "2026-11-02", op2, NOW)
    late = svc.submit_report(office, LEADER, "2026-11-02", {"plan": [{"text": "知识库更新"}]}, sh(2026, 11, 2, 11))
    assert late["late"] is True
    at = sh(2026, 11, 2, 12).astimezone(UTC)
    view = svc.department_weeks(office, OP2, "2026-11-04", {}, at)  # a member sees the department
    (biz,) = view["departments"]
    states = {m["id"]: (m["state"], m["submitted_at"] is not None) for m in biz["members"]}
    assert states == {"op1": ("missing", False), "op2": ("submitted", True), "leader1": ("late", True)}
    assert biz["combined"]["state"] == "missing" and biz["can_submit"] is False
    assert [r["text"] for r in biz["members"][1]["report"]["unplanned"]] == ["接待督查组"]
    before_due = svc.department_weeks(office, OP1, "2026-11-02", {"dept_id": "biz"}, NOW)
    assert before_due["departments"][0]["members"][0]["state"] == "pending"
    assert before_due["departments"][0]["can_submit"] is True
    assert svc.department_weeks(office, Actor("analyst1", "analyst"), "2026-11-02", {}, at)["departments"]
    assert svc.department_weeks(office, Actor("op9", "operator"), "2026-11-02", {}, at)["departments"] == []
    with pytest.raises(Forbidden):
        svc.department_weeks(office, Actor("op9", "operator"), "2026-11-02", {"dept_id": "biz"}, at)
    with pytest.raises(ValidationError) as exc:
        svc.department_weeks(office, LEADER, "2026-11-02", {"dept_id": "nope"}, at)
    assert "dept_id" in exc.value.fields
    with pytest.raises(Forbidden):
        svc.report_draft(office, OP2, "2026-11-02", {"dept_id": "biz"}, NOW)
    draft = svc.report_draft(office, OP1, "2026-11-02", {"dept_id": "biz"}, NOW)
    assert draft["planned"] == [
        {
            "text": "月报编写",
            "outcome": "partly",
            "cause": "数据未齐",
            "measure": "周三前补齐",
            "deliverable_ref": "",
            "important": True,
        },
        {"text": "回访", "outcome": "", "cause": "", "measure": "", "deliverable_ref": "", "important": False},
    ]
    assert draft["unplanned"] == [{"text": "接待督查组", "deliverable_ref": "", "important": True}]
    assert draft["plan"] == [{"text": "知识库更新", "important": False}] and draft["submitted"] is None
    draft["planned"][1]["outcome"] = "done"  # the coordinator states the carried-over item's outcome
    svc.submit_report(office, OP1, "2026-11-02", {"dept_id": "biz", **draft}, at)
    again = svc.department_weeks(office, LEADER, "2026-11-02", {}, at)["departments"][0]
    assert again["combined"]["state"] == "late" and again["combined"]["report"]["submitted_by"] == "op1"


def test_r_work_01_my_weeks_draft_says_when_the_report_is_due_under_the_offices_rule(office: Any) -> None:
    assert svc.report_draft(office, OP1, "2026-11-04", {}, NOW)["due_at"] == sh(2026, 11, 2, 10).isoformat()
    office.directory.put_item("CONFIG", "work", {"departments": [], "report_due": "fri 18:00"})
    assert svc.report_draft(office, OP1, "2026-11-04", {}, NOW)["due_at"] == sh(2026, 10, 30, 18).isoformat()


def test_every_office_work_code_has_a_chinese_and_an_english_name() -> None:
    from chalicelib.documents import labels

    codes = {
        "action_status": ["open", "delayed", "submitted", "done"],
        "approval_kind": list(work.APPROVAL_KINDS),
        "approval_status": ["pending", "approved", "rejected"],
        "report_outcome": list(work.OUTCOMES),
    }
    for kind, values in codes.items():
        for code in values:
            assert labels.label(kind, code) != "其他" and labels.label(kind, code, "en-US") != "Other", (kind, code)


# ---------------------------------------------------------------- tasks and notices to units

UNITS = {"U001": {"name": "海游街道", "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}]}}
UH2 = Actor("uh2", "unit_handler", "U002")


def notice_body(**changes: Any) -> dict[str, Any]:
    return {
        "title": "便民服务自查",
        "body": "请于10月25日前报送自查总结",
        "unit_ids": ["U001"],
        "deadline": "2026-11-10",
        **changes,
    }


def test_notice_needs_units_that_exist_and_a_future_deadline() -> None:
    units = {**UNITS, "U002": {"name": "住建局"}}
    for bad, field in (
        ({"unit_ids": []}, "unit_ids"),
        ({"unit_ids": ["U404"]}, "unit_ids"),
        ({"deadline": "2026-10-01"}, "deadline"),
    ):
        with pytest.raises(ValidationError) as exc:
            work.new_notice("N1", notice_body(**bad), LEADER, NOW, CAL, units)
        assert field in exc.value.fields
    notice = work.new_notice("N1", notice_body(), LEADER, NOW, CAL, units)
    # 2026-11-10 is a Tuesday: the first reminder at the opening of Monday 11-09
    assert (notice["stage"], notice["next_at"]) == ("before", sh(2026, 11, 9, 8, 30).astimezone(UTC).isoformat())


def test_notice_submitted_after_the_deadline_is_accepted_and_marked_late() -> None:
    notice = work.new_notice("N1", notice_body(), LEADER, NOW, CAL, UNITS)
    with pytest.raises(Forbidden):
        work.receive(notice, UH2, NOW)
    got = work.receive(notice, Actor("uh1", "unit_handler", "U001"), NOW)
    again = work.receive(got, Actor("uh1", "unit_handler", "U001"), NOW + timedelta(hours=1))
    assert again["units"]["U001"]["received_at"] == NOW.isoformat()
    late = work.submit(
        again, {"text": "自查总结"}, Actor("uh1", "unit_handler", "U001"), sh(2026, 11, 11).astimezone(UTC)
    )
    assert late["units"]["U001"]["late"] is True and work.pending_units(late) == []


def test_notice_sweep_reminds_the_day_before_and_on_the_day_then_lists_the_late_once(office: Any) -> None:
    office.directory.put_unit("U001", dict(UNITS["U001"]))
    office.contexts.invalidate()
    notice = svc.create_notice(office, LEADER, notice_body(), NOW)
    steps = [
        sh(2026, 11, 9, 8, 35),
        sh(2026, 11, 9, 9),
        sh(2026, 11, 10, 8, 35),
        sh(2026, 11, 10, 17, 35),
        sh(2026, 11, 12),
    ]
    counts = [svc.sweep(office, s.astimezone(UTC)) for s in steps]
    assert [c["notices_reminded"] for c in counts] == [1, 0, 1, 0, 0]
    assert [c["notices_closed_late"] for c in counts] == [0, 0, 0, 1, 0]
    texts = [m.text for m in office.sms.sent if m.to == "+8613957600001"]
    assert len(texts) == 3 and "已超过报送时限" in texts[-1]
    stored = svc.get_notice(office, LEADER, notice["id"])
    assert stored["late_units"] == ["U001"] and [r["stage"] for r in stored["reminders"]] == ["before", "on"]
    uh1 = Actor("uh1", "unit_handler", "U001")
    done = svc.act_on_notice(
        office, uh1, notice["id"], "submit", {"text": "已自查"}, sh(2026, 11, 12, 9).astimezone(UTC)
    )
    assert done["units"]["U001"]["late"] is True
    assert svc.notices(office, UH2) == [] and len(svc.notices(office, uh1)) == 1
    from io import BytesIO

    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(svc.notice_workbook(office, LEADER, notice["id"])))["报送情况"]
    assert [c.value for c in sheet[2]][:2] == ["U001", "海游街道"] and sheet[2][4].value == "逾期"


# ---------------------------------------------------------------- the Friday 18:00 report (R-WORK-04)


def test_r_work_04_friday_report_generated_archived_and_sent_to_the_head_once(office: Any) -> None:
    office.directory.put_item("CONFIG", "work", {"departments": [], "head_id": "leader1"})
    done = svc.create_action(office, LEADER, action_body(title="回访数据整理"), NOW)
    svc.act_on_action(office, OP1, done["id"], "complete", {}, NOW + timedelta(days=1))
    late = svc.create_action(office, LEADER, action_body(title="知识库更新", deadline="2026-11-04"), NOW)
    svc.act_on_action(office, OP1, late["id"], "progress", {"text": "政策待出台"}, NOW)
    svc.sweep(office, sh(2026, 11, 5, 9).astimezone(UTC))  # the item is delayed
    assert svc.sweep(office, sh(2026, 11, 6, 17, 55).astimezone(UTC))["friday_reports"] == 0
    assert svc.sweep(office, sh(2026, 11, 6, 18, 5).astimezone(UTC))["friday_reports"] == 1
    assert svc.sweep(office, sh(2026, 11, 6, 18, 20).astimezone(UTC))["friday_reports"] == 0
    html = office.archive_store.get("work/friday/2026-11-02.html").body.decode()
    assert "回访数据整理" in html and "知识库更新" in html and "政策待出台" in html and "delayed" not in html
    assert office.archive_store.get("work/friday/2026-11-02.pdf").body.startswith(b"%PDF")
    to_head = [m for m in office.sms.sent if m.to == "+8613957601003" and "工作进展和延误情况报告" in m.text]
    assert len(to_head) == 1 and "http" not in to_head[0].text  # no SPA origin configured: no link
    body, kind = svc.friday_report(office, LEADER, "2026-11-06", "html", NOW)
    assert kind.startswith("text/html") and body == html
    with pytest.raises(Forbidden):
        svc.friday_report(office, OP1, "2026-11-06", "html", NOW)
    panel = svc.due_panel(office, LEADER, sh(2026, 11, 7, 9).astimezone(UTC))
    assert panel["friday_report"]["counts"] == {"done": 1, "delayed": 1, "open": 0, "approvals": 0}
