"""The office's own work in the built SPA, headless Chromium against the local stack (R-WORK-01/02/03/05, notices).

op1 writes the week's report on 我的周报 with last week's plan and unfinished item prefilled (R-WORK-01); the
leader assigns op1 an action item on the board, op1 updates its progress, the work sweep after the deadline marks
it 工作延误 in red and op1 asks for a new date that the leader approves (R-WORK-02/03); op1's leave request to the
leader is chased after 24 hours, the delay attributed to the leader, who then decides it (R-WORK-05); a notice sent
to 海游街道 is signed for by uh1, the unit is listed late at the deadline and its report is accepted as 逾期报送.

The sweep runs on the stack's timer at the wall clock; the instants after a deadline are reached through the
local-mode route `POST /admin/work-sweep {"at"}` (the same `services.work.sweep` the timer calls).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

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

CODES = re.compile(r"(?<![A-Za-z0-9_])(open|delayed|pending|not_done|partly|leave|U00\d|R-WORK-\d+)(?![A-Za-z0-9_])")


def _today() -> date:
    return datetime.now(SHANGHAI).date()


def _sweep_at(api: Api, at: datetime) -> dict[str, Any]:
    """The office-work sweep at `at` (local mode), as the timer would run it then."""
    result: dict[str, Any] = api.call("POST", "/admin/work-sweep", "admin", {"at": at.isoformat()})
    return result


def _no_codes(page: Any) -> None:
    text = page.locator("main, .el-main, body").first.inner_text()
    assert not CODES.search(text), CODES.search(text)


def _menu(u: Any, name: str, path: str) -> None:
    u.page.get_by_test_id(f"menu-{name}").click()
    u.page.wait_for_url(f"**{path}")


def test_r_work_01_week_report_written_with_last_weeks_plan_prefilled(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    monday = _today() - timedelta(days=_today().weekday())
    last = {  # last week's report: its plan and its unfinished item come back as this week's planned items
        "planned": [
            {"text": "完成回访抽查", "outcome": "done"},
            {"text": "修订值班表", "outcome": "not_done", "cause": "人员调整", "measure": "周一定稿"},
        ],
        "plan": [{"text": "完成十月热线回访抽查", "important": True}, {"text": "整理工单分类目录"}],
    }
    api.call("PUT", f"/work/weekly/{(monday - timedelta(days=7)).isoformat()}", "op1", last)

    op = ui("op1")
    op.login("/home")
    _menu(op, "work-week", "/work/week")
    rows = [op.input_of(op.page.get_by_test_id(f"planned-text-{i}")) for i in range(3)]
    expect(rows[0]).to_have_value("完成十月热线回访抽查")
    expect(rows[1]).to_have_value("整理工单分类目录")
    expect(rows[2]).to_have_value("修订值班表")
    op.shot("work-01-week-prefilled")
    op.choose(op.page, "planned-outcome-1", "未完成")
    op.fill(op.page, "planned-cause-1", "分类标准待省平台下发")
    op.fill(op.page, "planned-measure-1", "标准下发后三日内完成")
    op.page.get_by_test_id("unplanned-add").click()
    op.fill(op.page, "unplanned-text-0", "配合市局核查投诉数据")
    op.fill(op.page, "plan-text-0", "整理工单分类目录（续）")
    op.page.get_by_test_id("week-submit").click()
    expect(op.page.locator(".el-message--success")).to_contain_text("周报已提交")
    expect(op.page.get_by_test_id("week-submitted")).to_contain_text("已于")
    _no_codes(op.page)
    op.shot("work-02-week-submitted")

    mine = api.call("GET", f"/work/weekly/{monday.isoformat()}", "op1")["reports"]
    report = next(r for r in mine if r["owner_id"] == "op1")
    assert [(r["text"], r["outcome"], r["carry_over"]) for r in report["planned"]] == [
        ("完成十月热线回访抽查", "done", False),
        ("整理工单分类目录", "not_done", True),
        ("修订值班表", "done", False),
    ]
    assert report["planned"][1]["cause"] == "分类标准待省平台下发"
    assert [r["text"] for r in report["unplanned"]] == ["配合市局核查投诉数据"]
    assert [r["text"] for r in report["plan"]] == ["整理工单分类目录（续）"]

    op.page.reload()  # the submitted report comes back, not the draft
    expect(op.input_of(op.page.get_by_test_id("planned-text-1"))).to_have_value("整理工单分类目录")
    expect(op.input_of(op.page.get_by_test_id("planned-cause-1"))).to_have_value("分类标准待省平台下发")


def _action_row(u: Any, title: str) -> Any:
    return u.page.get_by_test_id("actions-table").locator("tr.el-table__row", has_text=title)


def test_r_work_03_action_item_goes_delayed_after_its_deadline(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    title = f"核对本月回访录音 E2E {datetime.now(UTC):%H%M%S}"
    leader = ui("leader")
    leader.login("/queue")
    _menu(leader, "work-actions", "/work/actions")
    leader.page.get_by_test_id("action-new").click()
    leader.fill(leader.page, "action-title", title)
    leader.choose(leader.page, "action-owner", "李娜")  # chosen by name
    leader.fill(leader.page, "action-deadline", (_today() + timedelta(days=1)).isoformat())
    leader.shot("work-03-action-new")
    leader.page.get_by_test_id("action-create").click()
    expect(leader.page.locator(".el-message--success")).to_contain_text("已创建")
    expect(_action_row(leader, title)).to_contain_text("李娜")
    expect(_action_row(leader, title).get_by_test_id("action-status")).to_have_text("进行中")
    item = next(i for i in api.call("GET", "/work/actions?mine=1", "leader")["items"] if i["title"] == title)

    op = ui("op1")
    op.login("/home")
    _menu(op, "work-actions", "/work/actions")
    _action_row(op, title).get_by_test_id("action-progress").click()
    op.fill(op.page, "act-text", "已核对一半")
    op.page.get_by_test_id("act-submit").click()
    expect(_action_row(op, title)).to_contain_text("已核对一半")

    before = _sweep_at(api, datetime.fromisoformat(item["deadline"]) - timedelta(minutes=1))
    assert before.get("actions_delayed", 0) == 0, before
    assert _sweep_at(api, datetime.fromisoformat(item["deadline"]) + timedelta(minutes=1))["actions_delayed"] >= 1
    op.page.reload()
    status = _action_row(op, title).get_by_test_id("action-status")
    expect(status).to_have_attribute("data-status", "delayed")
    expect(status).to_have_text("工作延误")
    expect(_action_row(op, title)).to_have_class(re.compile(r"row-late"))
    _no_codes(op.page)
    op.shot("work-04-action-delayed")

    # cannot finish: a reason and a new date, approved by whoever assigned it (R-WORK-03)
    _action_row(op, title).get_by_test_id("action-request-extension").click()
    op.fill(op.page, "act-reason", "录音系统升级停机两天")
    op.fill(op.page, "act-new-deadline", (_today() + timedelta(days=5)).isoformat())
    op.page.get_by_test_id("act-submit").click()
    expect(op.page.locator(".el-message--success")).to_be_visible()

    leader.page.reload()
    _action_row(leader, title).get_by_test_id("action-decide-extension").click()
    leader.page.get_by_test_id("act-submit").click()
    expect(_action_row(leader, title).get_by_test_id("action-status")).to_have_text("进行中")
    after = api.call("GET", f"/work/actions/{item['id']}", "op1")
    assert after["delayed_at"] and after["deadline"] > item["deadline"] and after["status"] == "open"
    leader.shot("work-05-action-new-date")


def test_r_work_05_approval_chased_after_24_hours(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    title = f"事假一天 E2E {datetime.now(UTC):%H%M%S}"
    op = ui("op1")
    op.login("/home")
    _menu(op, "work-approvals", "/work/approvals")
    op.page.get_by_test_id("approval-new").click()
    op.choose(op.page, "approval-kind", "请假")
    op.fill(op.page, "approval-title", title)
    op.choose(op.page, "approval-approver", "陈建国")  # chosen by name
    op.page.get_by_test_id("approval-create").click()
    expect(op.page.locator(".el-message--success")).to_contain_text("已创建")
    op.page.get_by_test_id("box-sent").click()
    row = op.page.get_by_test_id("approvals-table").locator("tr.el-table__row", has_text=title)
    expect(row.get_by_test_id("approval-holder")).to_have_text("陈建国")
    expect(row.get_by_test_id("approval-status")).to_have_text("待审批")
    expect(row.get_by_test_id("approval-chase")).to_have_count(0)
    made = next(a for a in api.call("GET", "/work/approvals?box=sent", "op1")["items"] if a["title"] == title)

    swept = _sweep_at(api, datetime.fromisoformat(made["due_at"]) + timedelta(minutes=1))
    assert swept.get("approvals_chased", 0) >= 1, swept
    op.page.reload()
    op.page.get_by_test_id("box-sent").click()
    row = op.page.get_by_test_id("approvals-table").locator("tr.el-table__row", has_text=title)
    chase = row.get_by_test_id("approval-chase")
    expect(chase).to_contain_text("延误归属陈建国")
    expect(chase).to_have_attribute("data-reminders", "1")
    expect(row.get_by_test_id("approval-held")).to_have_attribute("data-overdue", "true")
    _no_codes(op.page)
    op.shot("work-06-approval-chased")

    leader = ui("leader")
    leader.login("/queue")
    _menu(leader, "work-approvals", "/work/approvals")
    row = leader.page.get_by_test_id("approvals-table").locator("tr.el-table__row", has_text=title)
    expect(row.get_by_test_id("approval-chase")).to_contain_text("已催办 1 次")
    leader.shot("work-07-approval-inbox")
    row.get_by_test_id("approval-approve").click()
    expect(leader.page.locator(".el-message--success")).to_be_visible()
    expect(row).to_have_count(0)
    decided = api.call("GET", "/work/approvals?box=sent", "op1")["items"]
    done = next(a for a in decided if a["title"] == title)
    assert done["status"] == "approved" and done["decision"]["by"] == "leader" and done["attributed_to"] == "leader"


def test_notice_reported_late_by_a_unit(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    title = f"便民服务自查 E2E {datetime.now(UTC):%H%M%S}"
    op = ui("op1")
    op.login("/home")
    _menu(op, "work-notices", "/work/notices")
    op.page.get_by_test_id("notice-new").click()
    op.fill(op.page, "notice-title-input", title)
    op.fill(op.page, "notice-body", "请各单位开展便民服务自查，10月25日前报县政府纠风办。")
    op.page.get_by_test_id("notice-unit-U001").click()
    op.fill(op.page, "notice-deadline", (_today() + timedelta(days=2)).isoformat())
    op.shot("work-08-notice-new")
    op.page.get_by_test_id("notice-create").click()
    expect(op.page.locator(".el-message--success")).to_contain_text("通知已下发")
    notice = next(n for n in api.call("GET", "/work/notices", "op1")["items"] if n["title"] == title)
    assert list(notice["units"]) == ["U001"]

    uh = ui("uh1")
    uh.login("/home")
    _menu(uh, "work-notices", "/work/notices")
    card = uh.page.get_by_test_id(f"notice-{notice['id']}")
    expect(card.get_by_test_id("notice-unit-state")).to_have_text("未签收")
    card.get_by_test_id("notice-receive").click()
    expect(card.get_by_test_id("notice-unit-state")).to_have_text("已签收")

    swept = _sweep_at(api, datetime.fromisoformat(notice["deadline"]) + timedelta(minutes=1))
    assert swept["notices_closed_late"] >= 1, swept
    uh.page.reload()
    card = uh.page.get_by_test_id(f"notice-{notice['id']}")
    expect(card.get_by_test_id("notice-unit-state")).to_have_text("逾期未报")
    card.get_by_test_id("notice-report").click()
    uh.fill(uh.page, "notice-report-text", "自查总结：已整改窗口引导和回访不及时两项。")
    uh.shot("work-09-notice-report")
    uh.page.get_by_test_id("notice-report-submit").click()
    expect(card.get_by_test_id("notice-unit-state")).to_have_text("逾期报送")
    _no_codes(uh.page)

    op.page.reload()
    state = op.page.get_by_test_id(f"notice-{notice['id']}").get_by_test_id("notice-unit-state")
    expect(state).to_have_text("逾期报送")
    expect(state).to_have_attribute("data-unit", "U001")
    _no_codes(op.page)
    op.shot("work-10-notice-tracked")
    row = api.call("GET", f"/work/notices/{notice['id']}", "op1")["units"]["U001"]
    assert row["late"] is True and row["submitted_by"] == "uh1"


def test_r_work_06_monthly_figures_and_unit_assessment(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    deadline = datetime.now(UTC) + timedelta(hours=1)
    body = {"title": f"汇总投诉热点 E2E {deadline:%H%M%S}", "owner_id": "op2", "deadline": deadline.isoformat()}
    item = api.call("POST", "/work/actions", "leader", body)
    _sweep_at(api, datetime.fromisoformat(item["deadline"]) + timedelta(minutes=1))

    leader = ui("leader")
    leader.login("/queue")
    _menu(leader, "work-figures", "/work/figures")
    person = leader.page.get_by_test_id("person-figures").locator("tr.el-table__row", has_text="王芳")
    expect(person).to_be_visible()
    cells = [c.strip() for c in person.locator("td").all_inner_texts()]
    assert cells[1:4] == ["1", "0", "0%"] and cells[4:6] == ["1", "1"], cells
    table = leader.page.get_by_test_id("assessment-table")
    expect(table.locator("tr.el-table__row", has_text="海游街道办事处")).to_be_visible()
    expect(leader.page.get_by_test_id("assessment-version")).to_have_text("默认考核权重")
    inputs = table.locator("tr.el-table__row", has_text="海游街道办事处").get_by_test_id("assessment-input")
    expect(inputs.first).to_contain_text("权重")
    expect(table).to_contain_text("通知按时报送率")
    _no_codes(leader.page)
    leader.shot("work-11-figures-assessment")
    with leader.page.expect_download() as download:
        leader.page.get_by_test_id("assessment-export").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with leader.page.expect_popup() as popup:  # 打印/PDF: the printable assessment in a new tab
        leader.page.get_by_test_id("assessment-print").click()
    popup.value.wait_for_url(
        lambda url: url.startswith("blob:"), wait_until="commit"
    )  # the PDF, fetched with the session's token
