"""The 12369 environmental complaint line in the built SPA, headless Chromium against the local stack.

A report from intake to a signed result (R-12369-01…06): op1 enters it on the 12369 form (reported
entity, demand), finds it in the 12369 inbox under 待受理, accepts it and forwards it to 海游街道 with
the phone call; uh1 signs and reports the result in its four parts; leader signs it off and the
reporter's notices (branded 【12369环保举报热线】) show on the record. A report not accepted shows its
notice; a second extension is refused with the server's Chinese message (R-12369-05).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    Api,
    artifacts,
    body_text,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

BRAND = "【12369环保举报热线】"
RESULT = {
    "matter": "举报某化工厂夜间偷排废水",
    "investigation": "现场核查发现暗管排放",
    "decision": "依据《水污染防治法》责令停产整改并立案处罚",
    "reply": "经查属实，已责令整改并立案处罚",
}


def _report(api: Api, title: str) -> str:
    body = {
        "hotline": "12369",
        "title": title,
        "content": "某化工厂夜间通过暗管排放废水",
        "entity": {"name": "某化工有限公司", "address": "沙柳镇工业区8号"},
        "demand": "要求查处",
        "caller": {"name": "李四", "phone": "13900002222"},
    }
    return str(api.call("POST", "/tickets", "op1", body)["id"])


def test_12369_report_from_intake_to_signed_result(ui: Any) -> None:
    title = f"化工厂偷排废水 E2E {datetime.now(UTC):%H%M%S}"
    op = ui("op1")
    op.login("/home")
    op.page.get_by_test_id("menu-ticket-new").click()
    form = op.page.get_by_test_id("ticket-create-form")
    op.radio(form, "field-hotline", "12369")
    expect(form.get_by_test_id("env-intake")).to_be_visible()
    op.fill(form, "field-title", title)
    op.fill(form, "field-content", "某化工厂夜间通过暗管向河道排放废水，气味刺鼻。")
    op.fill(form, "field-entity-name", "某化工有限公司")
    op.fill(form, "field-entity-address", "沙柳镇工业区8号")
    op.fill(form, "field-demand", "要求查处并停止排污")
    op.fill(form, "field-caller-name", "李四")
    op.fill(form, "field-caller-phone", "13900002222")
    op.shot("env-01-create")
    op.page.get_by_test_id("ticket-create-submit").click()
    op.page.wait_for_url(re.compile(r"/tickets/T[\w-]+$"))
    tid = op.page.get_by_test_id("ticket-id").inner_text().strip()
    op.status_is("received")
    expect(op.page.locator(".page-header").get_by_test_id("ticket-status")).to_have_text("待受理")
    expect(op.page.get_by_test_id("env-entity")).to_have_text("某化工有限公司")

    # the 12369 inbox lists it under 待受理
    op.page.get_by_test_id("menu-env-inbox").click()
    op.page.wait_for_url("**/env-inbox")
    expect(op.page.locator(f'[data-test="inbox-row"][data-ticket-id="{tid}"]')).to_be_visible()
    op.shot("env-02-inbox")

    # accept (R-12369-02), then forward with the phone call (R-12369-04)
    op.open_ticket(tid)
    dlg = op.dialog("decide")
    op.radio(dlg, "field-env-decision", "受理")
    op.shot("env-03-decide")
    op.confirm(dlg)
    op.status_is("accepted")
    expect(op.page.get_by_test_id("env-notice").first).to_contain_text(BRAND)
    dlg = op.dialog("forward")
    op.choose(dlg, "field-unit", "海游街道办事处")
    expect(op.input_of(dlg.get_by_test_id("field-call-name"))).to_have_value("周海")
    op.confirm(dlg)
    op.status_is("dispatched")

    # the unit signs and reports the result in four parts (R-12369-06)
    uh = ui("uh1")
    uh.login("/home")
    uh.open_ticket(tid)
    uh.confirm(uh.dialog("sign"))
    uh.status_is("handling")
    dlg = uh.dialog("report")
    for part, text in RESULT.items():
        uh.fill(dlg, f"field-section-{part}", text)
    uh.shot("env-04-report")
    uh.confirm(dlg)
    uh.status_is("awaiting_signoff")
    expect(uh.page.locator(".page-header").get_by_test_id("ticket-status")).to_have_text("待签发")

    # the leader signs it off: closed, the reporter's result notice on the record
    leader = ui("leader")
    leader.login("/queue")
    leader.open_ticket(tid)
    expect(leader.page.get_by_test_id("env-result")).to_contain_text(RESULT["investigation"])
    leader.confirm(leader.dialog("sign-off"))
    leader.status_is("closed")
    expect(leader.page.get_by_test_id("env-signoff")).to_contain_text("陈建国")  # the leader by name
    notices = leader.page.get_by_test_id("env-notice")
    expect(notices).to_have_count(2)
    expect(notices.nth(1)).to_contain_text(RESULT["reply"])
    # the timeline reloads after the verb's answer: wait for the last event before reading them all
    expect(leader.page.locator('[data-test="timeline-event"][data-event-type="signed_off"]')).to_have_count(1)
    types = [e.get_attribute("data-event-type") for e in leader.page.get_by_test_id("timeline-event").all()]
    for t in ("received", "decided", "forwarded", "signed", "result_reported", "signed_off"):
        assert t in types, (t, types)
    leader.shot("env-05-signed")


def test_12369_not_accepted_report_shows_its_notice(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    tid = _report(api, f"噪声扰民 E2E {datetime.now(UTC):%H%M%S}")
    op = ui("op1")
    op.login("/home")
    op.open_ticket(tid)
    dlg = op.dialog("decide")
    op.radio(dlg, "field-env-decision", "不予受理")
    op.radio(dlg, "field-reason-code", "不属于环保职责")
    op.fill(dlg, "field-authority", "县市场监管局")
    op.shot("env-06-not-accepted")
    op.confirm(dlg)
    op.status_is("closed")
    expect(op.page.get_by_test_id("env-decision")).to_contain_text("不属于环保职责")
    notice = op.page.get_by_test_id("env-notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text(BRAND)
    expect(notice).to_contain_text("不予受理")
    expect(notice).to_contain_text("请向县市场监管局反映")


def test_12369_second_extension_is_refused(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    tid = _report(api, f"扬尘污染 E2E {datetime.now(UTC):%H%M%S}")
    api.call("POST", f"/tickets/{tid}/decide", "op1", {"decision": "accept"})
    api.call("POST", f"/tickets/{tid}/forward", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{tid}/sign", "uh1", {})

    uh = ui("uh1")
    uh.login("/home")
    uh.open_ticket(tid)
    dlg = uh.dialog("request-extension")
    uh.fill(dlg, "field-days", "20")
    uh.fill(dlg, "field-reason", "需委托第三方监测")
    uh.shot("env-07-extension")
    uh.confirm(dlg)
    uh.status_is("extension_requested")
    api.call("POST", f"/tickets/{tid}/decide-extension", "leader", {"approve": True})

    uh.open_ticket(tid)
    uh.status_is("handling")
    expect(uh.page.get_by_test_id("env-extension")).to_contain_text("延期 20 日")
    uh.expected_status = {409}
    dlg = uh.dialog("request-extension")
    uh.fill(dlg, "field-days", "5")
    uh.fill(dlg, "field-reason", "还需时间")
    dlg.get_by_test_id("dialog-confirm").click()
    expect(uh.page.locator(".el-message--error")).to_contain_text("只能延期一次")
    uh.shot("env-08-second-extension-refused")
    assert "只能延期一次" in body_text(uh.page)


def test_r12369_02_emergency_banner_until_the_leader_acknowledges(ui: Any, local_stack: LocalStack) -> None:
    """A report whose text names an explosion is flagged by the keyword rule at intake; every staff page
    shows the red banner; the leader acknowledges it there and the banner goes, the ticket records it."""
    api = Api(local_stack)
    tid = _report(api, f"化工厂爆炸 E2E {datetime.now(UTC):%H%M%S}")
    op = ui("op1")
    op.login("/home")
    item = op.page.locator(f'[data-test="emergency-item"][data-ticket="{tid}"]')
    expect(item).to_be_visible()
    expect(item.get_by_test_id("emergency-ack")).to_have_count(0)  # operators see it, leaders acknowledge
    op.shot("env-09-emergency-banner")

    leader = ui("leader")
    leader.login("/queue")
    row = leader.page.locator(f'[data-test="emergency-item"][data-ticket="{tid}"]')
    expect(row).to_contain_text("爆炸")
    row.get_by_test_id("emergency-ack").click()
    expect(row).to_have_count(0)
    leader.shot("env-10-emergency-acknowledged")
    leader.open_ticket(tid)
    expect(leader.page.get_by_test_id("ticket-emergency")).to_be_visible()
    types = [e["type"] for e in api.call("GET", f"/tickets/{tid}/events", "op1")["items"]]
    assert types[0] == "received" and types[-1] == "emergency_acknowledged", types  # flagged at intake
