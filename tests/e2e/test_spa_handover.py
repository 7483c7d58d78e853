"""R-12345-03 hand-over (代办) in the built SPA, headless Chromium against the local stack.

op1 is going on leave: on 代办安排 op1 asks for op2 to act for them; the leader approves it on the same page, which
hands op1's open tickets to op2 at once; op2 finds them on the home page, opens one — the page says "代办：王芳，至 …" (op2 by name) — and reviews the
unit's reply as the owner would. The owner stays op1 and the timeline shows the hand-over.
"""

from __future__ import annotations

from datetime import datetime, timedelta
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


def _replied_ticket(api: Api) -> str:
    body = {"category": "complaint", "title": "小区路灯不亮（代办）", "content": "小区门口路灯坏了一周"}
    tid = str(api.call("POST", "/tickets", "op1", body)["id"])
    api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{tid}/sign", "uh1", {})
    templates = {t["category"]: t for t in api.call("GET", "/reply-templates", "uh1")["items"]}
    sections = {s["id"]: "已现场核查并修复路灯。" for s in templates["complaint"]["sections"]}
    api.call("POST", f"/tickets/{tid}/reply", "uh1", {"sections": sections})
    return tid


def _pick(u: Any, test_id: str, value: str) -> None:
    box = u.input_of(u.page.get_by_test_id(test_id))
    box.click()
    box.fill(value)
    expect(box).to_have_value(value)
    box.press("Enter")
    u.input_of(u.page.get_by_test_id("handover-reason")).click()  # close the picker


def test_r12345_03_handover_requested_approved_and_delegate_reviews(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    tid = _replied_ticket(api)
    end = (datetime.now(SHANGHAI) + timedelta(days=3)).replace(hour=17, minute=30)
    end_text = end.strftime("%Y-%m-%d %H:%M")

    # ---- op1 asks for op2 to act for them while on leave
    op = ui("op1")
    op.login("/home")
    op.page.get_by_test_id("menu-handovers").click()
    op.page.wait_for_url("**/handovers")
    op.choose(op.page, "handover-to", "王芳")  # chosen by name, never typed as a login id
    _pick(op, "handover-end", end_text)
    op.fill(op.page, "handover-reason", "请假三天")
    op.shot("handover-01-request")
    op.page.get_by_test_id("handover-submit").click()
    expect(op.page.locator(".el-message--success")).to_contain_text("待分管领导审批")
    row = (  # its own request: earlier ones of op1 (refused) may be listed too
        op.page.locator("tr", has_text="请假三天").locator('[data-test="handover-row"]', has_text="李娜 → 王芳").first
    )
    expect(row).to_be_visible()
    hid = row.get_attribute("data-id")
    expect(op.page.get_by_test_id(f"handover-status-{hid}")).to_have_text("待领导审批")

    # ---- the leader approves it: op1's open tickets are handed over at once
    leader = ui("leader")
    leader.login("/queue")
    leader.page.get_by_test_id("menu-handovers").click()
    leader.page.wait_for_url("**/handovers")
    leader.page.get_by_test_id(f"handover-approve-{hid}").click()
    expect(leader.page.get_by_test_id(f"handover-status-{hid}")).to_have_text("代办中")
    leader.shot("handover-02-approved")

    # ---- op2 opens the ticket, sees whom they act for, and reviews the reply as the owner
    op2 = ui("op2")
    op2.login("/home")
    expect(op2.page.get_by_test_id("confirm-delegated")).to_contain_text(tid)  # beside the five confirmations
    op2.open_ticket(tid)
    expect(op2.page.get_by_test_id("ticket-delegate")).to_have_text(
        f"代办：王芳，至 {end_text}"
    )  # names, not login ids
    op2.status_is("replied")
    dlg = op2.dialog("review")
    op2.radio(dlg, "field-approve", "通过")
    op2.confirm(dlg)
    op2.status_is("reviewed")
    expect(op2.page.locator('[data-test="timeline-event"][data-event-type="handover_started"]')).to_have_count(1)
    signed = op2.page.locator('[data-test="timeline-event"][data-event-type="signed"]')
    expect(signed).to_contain_text(
        "张伟（海游街道办事处，"
    )  # names with the unit and the role in one pair of brackets, not `uh1`
    op2.shot("handover-03-delegate-reviewed")
    ticket = api.call("GET", f"/tickets/{tid}", "op1")
    assert ticket["owner_id"] == "op1" and ticket["delegate"]["user_id"] == "op2"
    reviewed = [e for e in api.call("GET", f"/tickets/{tid}/events", "op1")["items"] if e["type"] == "reviewed"]
    assert [e["actor_id"] for e in reviewed] == ["op2"]
