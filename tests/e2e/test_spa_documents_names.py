"""Staff by name, never by login id, on every page that names people (docs/api.md, "persons as printed"): the ticket
list's owner filter, the working calendar (who overrode, who confirmed), templates (who edited), time limits (who
changed), hand-overs, leader instructions (to whom, who answered), work items, approvals, notices and the 12369
sign-off — each page as the role that uses it, in headless Chromium against the local stack; screenshots in
tests/e2e/artifacts/.

The local stack's people: op1 李娜, op2 王芳, leader 陈建国, admin 周强, analyst 赵敏, uh1 张伟 (海游街道办事处)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
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

CALL = {"to_name": "周海", "to_phone": "13957600001"}
LOGIN_IDS = re.compile(r"(?<![A-Za-z0-9_])(op1|op2|uh1|uh2|leader|admin|analyst|records)(?![A-Za-z0-9_])")


def _main(u: Any) -> str:
    expect(u.page.locator(".el-loading-mask")).to_have_count(0)
    return str(u.page.locator("main").inner_text())


def _no_login_ids(u: Any) -> None:
    found = LOGIN_IDS.findall(_main(u))
    assert not found, f"login ids on {u.page.url}: {found}"


def _dispatched(api: Api, user: str, title: str) -> str:
    tid = str(api.call("POST", "/tickets", user, {"category": "complaint", "title": title, "content": "内容"})["id"])
    api.call("POST", f"/tickets/{tid}/dispatch", user, {"unit_id": "U001", "call": CALL})
    return tid


def test_the_ticket_list_filters_owners_by_name_and_open_with_a_flag(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    hard = _dispatched(api, "op2", f"疑难路灯 {stamp}")
    api.call("POST", f"/tickets/{hard}/flag-difficult", "op2", {"reason": "涉及多个部门"})
    plain = _dispatched(api, "op1", f"普通路灯 {stamp}")

    op = ui("op1")
    op.login("/home")
    op.goto("/tickets")
    expect(op.page.get_by_test_id("filter-owner")).to_contain_text("李娜", timeout=20000)  # the opening scope
    _no_login_ids(op)
    op.choose(op.page, "filter-owner", "王芳")  # another operator, chosen by name
    op.page.get_by_test_id("filter-search").click()
    expect(op.page.locator(f'[data-test="inbox-row"][data-ticket-id="{hard}"]')).to_be_visible()
    expect(op.page.locator(f'[data-test="inbox-row"][data-ticket-id="{plain}"]')).to_have_count(0)
    op.shot("names-01-owner-filter")

    # 全部未办结 + 疑难 without an owner: every open difficult ticket, whoever owns it
    op.page.get_by_test_id("filter-owner").hover()
    op.page.get_by_test_id("filter-owner").locator(".el-select__clear").click()
    op.choose(op.page, "filter-flag", "疑难")
    op.page.get_by_test_id("filter-search").click()
    expect(op.page.locator(f'[data-test="inbox-row"][data-ticket-id="{hard}"]')).to_be_visible()
    expect(op.page.locator(f'[data-test="inbox-row"][data-ticket-id="{plain}"]')).to_have_count(0)
    expect(op.page.get_by_test_id("filter-status")).to_contain_text("全部未办结")
    op.shot("names-02-open-difficult")

    # a refused search clears the rows it would otherwise leave behind, and says why in Chinese
    box = op.input_of(op.page.get_by_test_id("inbox-search"))
    box.fill("长" * 60)
    box.press("Enter")
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(0)
    expect(op.page.get_by_test_id("inbox-filters")).to_contain_text("关键词")
    op.shot("names-03-refused-search")


def test_admin_pages_name_who_changed_what(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    year = datetime.now(SHANGHAI).year
    api.call("PUT", f"/admin/calendar/{year}/days", "admin", {"days": [{"date": f"{year}-01-03", "workday": True}]})
    api.call("POST", f"/admin/calendar/{year}/confirm", "admin")
    current = api.call("GET", "/reply-templates/complaint", "admin")
    api.call(
        "PUT",
        "/reply-templates/complaint",
        "admin",
        {"sections": current["sections"], "version": current["version"], "note": "名称显示"},
    )
    limits = next(h for h in api.call("GET", "/admin/limits", "admin")["items"] if h["hotline"] == "12345")
    consult = int(limits["latest"]["days"]["consult"])
    later = (datetime.now(UTC) + timedelta(days=300)).isoformat()
    api.call(
        "PUT",
        "/admin/limits/12345",
        "admin",
        {
            "days": {"consult": consult - 1 if consult > 1 else 2},
            "effective_from": later,
            "version": limits["latest"]["version"],
        },
    )

    admin = ui("admin")
    admin.login("/tickets")
    admin.goto("/admin/calendar")
    expect(admin.page.get_by_test_id("override-by").first).to_contain_text("周强")
    expect(admin.page.locator("main")).to_contain_text(re.compile(r"周强 于 .* 确认"))
    _no_login_ids(admin)
    admin.shot("names-04-calendar")

    admin.goto("/templates")
    expect(admin.page.locator("main")).to_contain_text("周强")
    _no_login_ids(admin)
    admin.shot("names-05-templates")

    admin.goto("/admin/limits")
    expect(admin.page.locator("main")).to_contain_text("周强")
    _no_login_ids(admin)
    admin.shot("names-06-limits")


def test_handovers_instructions_and_the_12369_sign_off_name_people(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    end = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    handover = api.call("POST", "/handovers", "op1", {"to_id": "op2", "end": end, "reason": f"请假 {stamp}"})
    tid = _dispatched(api, "op1", f"批示路灯 {stamp}")
    given = api.call("POST", f"/tickets/{tid}/instructions", "leader", {"text": "请尽快处理", "to": "owner"})
    other = _dispatched(api, "op1", f"批示答复 {stamp}")
    done = api.call("POST", f"/tickets/{other}/instructions", "leader", {"text": "请回复进展", "to": "owner"})
    api.call("POST", f"/tickets/{other}/instructions/{done['id']}/answer", "op1", {"text": "已处理完毕"})
    assert given["id"]

    leader = ui("leader")
    leader.login("/queue")
    leader.goto("/handovers")
    expect(leader.page.locator('[data-test="handover-row"]', has_text="李娜 → 王芳").first).to_be_visible()
    _no_login_ids(leader)
    leader.shot("names-07-handovers")
    # refused again, so op1 may ask for another hand-over in later tests on this stack (one pending at a time)
    api.call("POST", f"/handovers/{handover['id']}/decide", "leader", {"approve": False, "note": "仅用于核对姓名显示"})

    leader.goto("/instructions")
    expect(leader.page.get_by_test_id("instructions-table")).to_contain_text("李娜")
    _no_login_ids(leader)
    leader.shot("names-08-instructions")

    leader.goto("/home")
    expect(leader.page.get_by_test_id("leader-instruction-answered-by").first).to_contain_text("李娜")
    _no_login_ids(leader)
    leader.shot("names-09-leader-home")

    env = api.call(
        "POST",
        "/tickets",
        "op1",
        {
            "hotline": "12369",
            "title": f"偷排废水 {stamp}",
            "content": "某化工厂夜间通过暗管排放废水",
            "entity": {"name": "某化工有限公司", "address": "沙柳镇工业区8号"},
            "demand": "要求查处",
            "caller": {"name": "李四", "phone": "13900002222"},
        },
    )["id"]
    api.call("POST", f"/tickets/{env}/decide", "op1", {"decision": "accept"})
    api.call("POST", f"/tickets/{env}/forward", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{env}/sign", "uh1", {})
    sections = {
        "matter": "举报某化工厂夜间偷排废水",
        "investigation": "现场核查发现暗管排放",
        "decision": "责令停产整改并立案处罚",
        "reply": "经查属实，已责令整改并立案处罚",
    }
    api.call("POST", f"/tickets/{env}/report", "uh1", {"sections": sections})
    api.call("POST", f"/tickets/{env}/sign-off", "leader", {})
    leader.open_ticket(env)
    expect(leader.page.get_by_test_id("env-signoff")).to_contain_text("陈建国")
    expect(leader.page.get_by_test_id("env-signoff")).not_to_contain_text("leader")
    leader.shot("names-10-env-signoff")


def test_work_items_approvals_and_notices_name_people(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=3)).date().isoformat()
    api.call("POST", "/work/actions", "leader", {"title": f"核对录音 {stamp}", "owner_id": "op1", "deadline": tomorrow})
    api.call("POST", "/work/approvals", "op1", {"kind": "leave", "title": f"请假 {stamp}", "approver_id": "leader"})
    api.call(
        "POST",
        "/work/notices",
        "analyst",
        {"title": f"报送材料 {stamp}", "body": "请报送本月材料", "unit_ids": ["U001"], "deadline": tomorrow},
    )

    op = ui("op1")
    op.login("/home")
    op.goto("/work/actions")
    expect(op.page.locator("main")).to_contain_text(f"核对录音 {stamp}")
    _no_login_ids(op)
    op.shot("names-11-work-actions")

    op.goto("/work/approvals")
    op.page.get_by_test_id("box-sent").click()
    row = op.page.get_by_test_id("approvals-table").locator("tr.el-table__row", has_text=f"请假 {stamp}")
    expect(row.get_by_test_id("approval-holder")).to_have_text("陈建国")
    _no_login_ids(op)
    op.page.get_by_test_id("approval-new").click()
    op.page.get_by_test_id("approval-approver").click()
    expect(op.page.locator(".el-select-dropdown__item:visible", has_text="陈建国").first).to_be_visible()
    op.shot("names-12-approver-by-name")
    op.page.keyboard.press("Escape")

    uh = ui("uh1")
    uh.login("/home")
    uh.goto("/work/notices")
    card = uh.page.locator(".notice", has_text=f"报送材料 {stamp}").first
    expect(card.get_by_test_id("notice-sender")).to_contain_text("赵敏")
    _no_login_ids(uh)
    uh.shot("names-13-notices")
