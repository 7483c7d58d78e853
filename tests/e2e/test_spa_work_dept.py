"""The department's week (科室周报, R-WORK-01) in the built SPA, headless Chromium against the local stack.

The admin sets up a department of op1 (its coordinator), op2 and records (through the API); op2 submits the report of
a week three weeks back (no other test on the shared stack reports for it); op1 opens 科室周报 for that week and sees op2's report (late, readable: the unfinished item with its cause and
measure, the important one marked) and the two missing; op1's combined report is prefilled from the combined report
of the week before and op2's report, op1 adds a plan row from the keyboard and submits with Ctrl+Enter; the leader
reads the combined report there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    SHANGHAI,
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)
from tests.helpers.evidence import PDF

CODES = re.compile(
    r"(?<![A-Za-z0-9_])(pending|missing|submitted|late|not_done|partly|done|e2edept|DEPT#\w+)(?![A-Za-z0-9_])"
)
DEPT = {"id": "e2edept", "name": "综合业务科", "members": ["op1", "op2", "records"], "coordinator_id": "op1"}


def _monday(weeks_ago: int) -> date:
    today = datetime.now(SHANGHAI).date()
    return today - timedelta(days=today.weekday() + 7 * weeks_ago)


def _no_codes(page: Any) -> None:
    text = page.locator("main, .el-main, body").first.inner_text()
    assert not CODES.search(text), CODES.search(text)


@pytest.fixture
def department(local_stack: LocalStack) -> Iterator[Api]:
    api = Api(local_stack)
    saved = api.call("GET", "/work/settings", "admin")
    api.call("PUT", "/work/settings", "admin", {"departments": [DEPT], "head_id": "leader", "report_due": "mon 10:00"})
    yield api
    api.call("PUT", "/work/settings", "admin", saved)


def _open_week(u: Any, week: date) -> None:
    u.page.get_by_test_id("menu-work-dept-week").click()
    u.page.wait_for_url("**/work/dept-week")
    u.input_of(u.page.get_by_test_id("dept-week-date")).fill(week.isoformat())
    expect(u.page.get_by_test_id("dept-info")).to_contain_text("综合业务科")


def test_r_work_01_department_week_members_reports_and_the_combined_report(ui: Any, department: Api) -> None:
    api, last = department, _monday(3)  # test_spa_work.py reports for this week and the last one
    before = {"dept_id": "e2edept", "plan": [{"text": "推进热线知识库建设", "important": True}]}
    api.call("PUT", f"/work/weekly/{_monday(4).isoformat()}", "op1", before)  # carried over into the draft
    op2_report = {
        "planned": [
            {"text": "十月回访抽查", "outcome": "done"},
            {"text": "修订值班表", "outcome": "not_done", "cause": "人员调整", "measure": "周三前定稿"},
        ],
        "unplanned": [{"text": "接待市督查组", "important": True}],
        "plan": [{"text": "整理工单分类目录"}],
    }
    api.call("PUT", f"/work/weekly/{last.isoformat()}", "op2", op2_report)

    op = ui("op1")
    op.login("/home")
    _open_week(op, last)
    expect(op.page.get_by_test_id("dept-info")).to_contain_text("李娜")  # the coordinator by name
    expect(op.page.get_by_test_id("dept-state-op2")).to_have_text("逾期提交")  # submitted after that week's due
    expect(op.page.get_by_test_id("dept-state-op1")).to_have_text("未提交")
    expect(op.page.get_by_test_id("dept-state-records")).to_have_text("未提交")
    row = op.page.get_by_test_id("dept-members").locator("tr.el-table__row", has_text="王芳")
    expect(row).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}"))  # the submitted time, Shanghai
    row.locator(".el-table__expand-icon").click()
    content = op.page.get_by_test_id("dept-members").get_by_test_id("report-content")
    expect(content).to_contain_text("修订值班表")
    expect(content).to_contain_text("未完成原因：人员调整；措施：周三前定稿")
    expect(content.get_by_test_id("report-unplanned")).to_contain_text("重要")
    expect(op.page.get_by_test_id("dept-combined-state")).to_contain_text("未提交")

    form = op.page.get_by_test_id("dept-form")
    texts = [op.input_of(form.get_by_test_id(f"planned-text-{i}")) for i in range(3)]
    expect(texts[0]).to_have_value("推进热线知识库建设")  # last combined plan first
    expect(texts[1]).to_have_value("十月回访抽查")
    expect(texts[2]).to_have_value("修订值班表")
    expect(op.input_of(form.get_by_test_id("planned-cause-2"))).to_have_value("人员调整")
    expect(op.input_of(form.get_by_test_id("unplanned-text-0"))).to_have_value("接待市督查组")
    op.shot("work-dept-01-coordinator")
    files = form.get_by_test_id("dept-evidence")  # the combined report's deliverable (R-WORK-01/07)
    files.get_by_test_id("evidence-input").set_input_files(
        {"name": "科室工作总结.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(files.get_by_test_id("evidence-name")).to_have_text("科室工作总结.pdf")
    op.choose(form, "planned-outcome-0", "部分完成")
    op.fill(form, "planned-cause-0", "省平台接口未开放")
    op.fill(form, "planned-measure-0", "下周与省平台对接")
    plan = op.input_of(form.get_by_test_id("plan-text-0"))
    expect(plan).to_have_value("整理工单分类目录")
    plan.press("Enter")  # keyboard first: the next row, the cursor in it
    expect(op.input_of(form.get_by_test_id("plan-text-1"))).to_be_focused()
    op.page.keyboard.type("编制十一月科室工作计划")
    op.page.keyboard.press("Control+Enter")
    expect(op.page.locator(".el-message--success", has_text="科室周报已提交")).to_be_visible()
    expect(op.page.get_by_test_id("dept-combined-state")).to_contain_text("逾期提交")
    _no_codes(op.page)
    op.shot("work-dept-02-submitted")

    view = api.call("GET", f"/work/weekly/{last.isoformat()}/departments?dept_id=e2edept", "leader")
    combined = view["departments"][0]["combined"]["report"]
    assert [(r["text"], r["outcome"]) for r in combined["planned"]] == [
        ("推进热线知识库建设", "partly"),
        ("十月回访抽查", "done"),
        ("修订值班表", "not_done"),
    ]
    assert [r["text"] for r in combined["plan"]] == ["整理工单分类目录", "编制十一月科室工作计划"]
    assert combined["submitted_by"] == "op1" and combined["unplanned"][0]["important"] is True

    leader = ui("leader")
    leader.login("/queue")
    _open_week(leader, last)
    expect(leader.page.get_by_test_id("dept-combined-state")).to_contain_text("逾期提交")
    expect(leader.page.get_by_test_id("dept-form")).to_have_count(0)  # a reader, not the coordinator
    combined_view = leader.page.get_by_test_id("report-content").last
    expect(combined_view).to_contain_text("编制十一月科室工作计划")
    expect(combined_view).to_contain_text("未完成原因：省平台接口未开放；措施：下周与省平台对接")
    expect(leader.page.get_by_test_id("dept-state-records")).to_have_text("未提交")
    _no_codes(leader.page)
    expect(leader.page.get_by_test_id("dept-evidence").get_by_test_id("evidence-name")).to_have_text("科室工作总结.pdf")
    leader.shot("work-dept-03-leader-reads")


def test_r_work_01_admin_sets_departments_and_the_friday_due_rule_shown_on_my_week(
    ui: Any, local_stack: LocalStack
) -> None:
    api = Api(local_stack)
    saved = api.call("GET", "/work/settings", "admin")
    n = len(saved["departments"])
    try:
        admin = ui("admin")
        admin.login("/tickets")
        admin.page.get_by_test_id("menu-admin-work-settings").click()
        admin.page.wait_for_url("**/admin/work-settings")
        admin.page.get_by_test_id("dept-add").click()
        admin.fill(admin.page, f"dept-{n}-name", "督查科")
        admin.expected_status = {422}
        admin.page.get_by_test_id("work-settings-save").click()  # no members: the server names the field
        error = admin.page.get_by_test_id(f"dept-{n}-members-item").locator(".el-form-item__error")
        expect(error).to_contain_text("须为 1–50 个账号")
        admin.expected_status = set()
        members = admin.page.get_by_test_id(f"dept-{n}-members")
        members.click()
        for name in ("王芳", "赵敏"):  # people chosen by name
            admin.page.keyboard.type(name)
            admin.page.locator(".el-select-dropdown__item:visible", has_text=name).first.click()
            expect(members.locator(".el-tag", has_text=name)).to_have_count(1)
        admin.page.locator(".page-header h1").click()  # closes the list
        expect(admin.page.locator(".el-select-dropdown__item:visible")).to_have_count(0)
        admin.choose(admin.page, f"dept-{n}-coordinator", "赵敏")
        admin.radio(admin.page, "work-due-rule", "每周五 18:00（上周最后一个工作日）")
        admin.page.get_by_test_id("work-settings-save").click()
        expect(admin.page.locator(".el-message--success")).to_contain_text("工作设置已保存")
        expect(error).to_have_count(0)
        _no_codes(admin.page)
        admin.shot("work-dept-04-settings")
        stored = api.call("GET", "/work/settings", "admin")
        assert stored["report_due"] == "fri 18:00"
        assert stored["departments"][n] | {"id": ""} == {
            "id": "",
            "name": "督查科",
            "members": ["op2", "analyst"],
            "coordinator_id": "analyst",
        }

        today = datetime.now(SHANGHAI).date().isoformat()
        due = datetime.fromisoformat(api.call("GET", f"/work/weekly/{today}/draft", "op1")["due_at"])
        assert due.astimezone(SHANGHAI).hour == 18
        op = ui("op1")
        op.login("/home")
        op.page.get_by_test_id("menu-work-week").click()
        op.page.wait_for_url("**/work/week")
        expect(op.page.get_by_test_id("week-due")).to_contain_text(
            f"报送时限：{due.astimezone(SHANGHAI):%Y-%m-%d} 18:00（周{'一二三四五六日'[due.weekday()]}）"
        )
    finally:
        api.call("PUT", "/work/settings", "admin", saved)
