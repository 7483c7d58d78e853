"""Escalation to the leader's 疑难 queue in the built SPA (R-12345-10), headless Chromium against the local stack.

The operator rejects a reply as false (虚假反馈) in the review dialog; a ticket long overdue is escalated by the
sweep. Both reach the leader's queue with why and by when, each row linking the printable difficult-ticket sheet;
the leader opens one and records the decision, which the ticket page shows beside the sheet link.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)


def _replied(api: Api, title: str) -> str:
    body = {"category": "complaint", "title": title, "content": "商户长期占道经营", "caller": {"name": "李四"}}
    tid = str(api.call("POST", "/tickets", "op1", body)["id"])
    api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{tid}/sign", "uh1", {})
    template = api.call("GET", "/reply-templates/complaint", "uh1")
    sections = {s["id"]: "已现场核查并责令整改。" for s in template["sections"]}
    api.call("POST", f"/tickets/{tid}/reply", "uh1", {"sections": sections})
    return tid


def _queue_row(page: Any, tid: str) -> Any:
    return page.locator(
        f'[data-test="queue-difficult"] tr:has([data-test="queue-difficult-row"][data-ticket-id="{tid}"])'
    )


def test_r12345_10_false_reply_and_overdue_reach_the_leader_who_decides(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    tid = _replied(api, f"占道经营 E2E {stamp}")
    received = (datetime.now(UTC) - timedelta(days=20)).isoformat()
    late = api.call(
        "POST",
        "/tickets",
        "op1",
        {"category": "consult", "title": f"政策咨询 E2E {stamp}", "content": "咨询", "received_at": received},
    )["id"]
    api.call("POST", f"/tickets/{late}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", "/admin/sweep", "admin", {})  # overdue beyond 24 hours: escalated by the sweep

    # the operator marks the reply false in the review dialog
    op = ui("op1")
    op.login("/home")
    op.open_ticket(tid)
    dlg = op.dialog("review")
    op.radio(dlg, "field-approve", "退回重办")
    op.fill(dlg, "field-reason", "经现场核实仍有占道，答复不属实")
    op.radio(dlg, "field-false-reply", "是")
    op.shot("esc-01-review-false-reply")
    op.confirm(dlg)
    op.status_is("handling")
    card = op.page.get_by_test_id("ticket-difficult")
    expect(card.get_by_test_id("ticket-difficult-trigger")).to_have_text("虚假反馈")
    expect(card.get_by_test_id("difficult-sheet")).to_be_visible()

    # the leader's queue: both tickets, why, by when, and the sheet
    leader = ui("leader")
    leader.login("/queue")
    row = _queue_row(leader.page, tid)
    expect(row).to_be_visible()
    expect(row.get_by_test_id("queue-trigger")).to_have_text("虚假反馈")
    expect(row.get_by_test_id("queue-decision-due")).not_to_have_text("—")
    expect(row.get_by_test_id("difficult-sheet")).to_be_visible()
    overdue = _queue_row(leader.page, late)
    expect(overdue).to_be_visible()
    expect(overdue.get_by_test_id("queue-trigger")).to_have_text("超期未办结")
    expect(leader.page.locator(".el-loading-mask:visible")).to_have_count(0)
    leader.shot("esc-02-leader-queue")

    # the leader opens it and decides; the page keeps the sheet link
    row.get_by_test_id("queue-difficult-row").click()
    expect(leader.page.get_by_test_id("ticket-id")).to_have_text(tid)
    dlg = leader.dialog("leader-decision")
    leader.fill(dlg, "field-decision", "约谈街道负责人，三日内整改到位")
    leader.confirm(dlg)
    decided = leader.page.get_by_test_id("ticket-difficult")
    expect(decided.get_by_test_id("ticket-difficult-decision")).to_have_text("约谈街道负责人，三日内整改到位")
    expect(decided.get_by_test_id("difficult-sheet")).to_be_visible()
    leader.shot("esc-03-decided")
    after = api.call("GET", f"/tickets/{tid}", "leader")
    assert after["escalation"]["pending"] is False and after["difficult"]["decision_on_time"] is True
