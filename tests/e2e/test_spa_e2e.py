"""The built SPA (frontend/dist) in real headless Chromium against the running local stack.

Walks the README's ticket through the browser: op1 creates and dispatches (with the phone call to
the unit, R-12345-02), uh1 signs and replies by the template sections (R-12345-06), op1 reviews,
records the callback's four checks (R-12345-05) and submits; uh1 asks for an extension on another
ticket and the leader approves it from the leader queue; uh2 (another unit) gets the 404 page and
does not see the ticket in the unit inbox. Every page runs at 1280×720 in zh-CN; console errors and
uncaught page errors fail the test; screenshots of the key pages go to tests/e2e/artifacts/.

Chromium is Debian's (/usr/bin/chromium, `make apt`), driven by the `playwright` package without
`playwright install`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    SHANGHAI,
    VIEWPORT,
    Api,
    Page,
    artifacts,
    body_text,
    browser,
    expect,
    pytestmark,  # the skips: Chromium present, frontend built
    ui,
)

# --------------------------------------------------------------------------- tests


def test_login_page_and_five_confirmations(ui: Any) -> None:
    op = ui("op1")
    op.goto("/login")
    expect(op.page.get_by_test_id("login-submit")).to_be_visible()
    assert "12345" in body_text(op.page) and "登录" in body_text(op.page)
    op.shot("01-login")

    # a wrong password is a readable error, not a crash
    op.expected_status = {401, 403}
    op.fill(op.page, "login-username", "op1")
    op.fill(op.page, "login-password", "wrong-password")
    op.page.get_by_test_id("login-submit").click()
    expect(op.page.get_by_test_id("login-error")).to_be_visible()
    op.expected_status = set()

    op.login("/home")
    cards = op.page.locator('[data-test^="confirm-card-"]')
    unavailable = op.page.get_by_test_id("confirmations-unavailable")
    expect(cards.first.or_(unavailable)).to_be_visible()
    if unavailable.is_visible():  # /me/confirmations not deployed: the friendly empty state
        op.shot("02-home-confirmations")
        return
    keys = [c.get_attribute("data-test") for c in cards.all()]
    assert keys == [
        f"confirm-card-{k}" for k in ("new", "extensions_returns", "due_soon", "to_confirm", "to_submit_archive")
    ]
    counts = [int(c.get_by_test_id("confirm-count").get_attribute("data-count") or -1) for c in cards.all()]
    assert all(n >= 0 for n in counts) and counts[0] > 0, counts  # seeded data has new (received) tickets
    new_card = op.page.get_by_test_id("confirm-card-new")
    expect(new_card.get_by_test_id("inbox-row").first).to_be_visible()
    text = body_text(op.page)
    for word in ("五个确认", "新工单", "延期申请与退单", "待派单"):
        assert word in text, word
    op.shot("02-home-confirmations")

    uh = ui("uh1")
    uh.login("/home")
    expect(uh.page.get_by_test_id("confirm-card-to_sign")).to_be_visible()
    assert "待签收" in body_text(uh.page)


def test_ticket_lifecycle_in_the_browser(ui: Any, local_stack: LocalStack) -> None:
    title = f"夜间施工噪音扰民 E2E {datetime.now(UTC):%H%M%S}"
    op = ui("op1")
    op.login("/home")

    # ---- op1 creates the ticket
    op.page.get_by_test_id("menu-ticket-new").click()
    form = op.page.get_by_test_id("ticket-create-form")
    expect(form).to_be_visible()
    op.choose(form, "field-category", "投诉")
    op.fill(form, "field-title", title)
    op.fill(form, "field-content", "海游街道某小区工地夜间22点后仍在施工，噪音很大。")
    op.fill(form, "field-address", "三门县海游街道1号")
    op.fill(form, "field-caller-name", "张三丰")
    op.fill(form, "field-caller-phone", "13800001234")
    op.shot("03-ticket-create")
    op.page.get_by_test_id("ticket-create-submit").click()
    op.page.wait_for_url(re.compile(r"/tickets/T[\w-]+$"))
    tid = op.page.get_by_test_id("ticket-id").inner_text().strip()
    op.status_is("received")
    assert "待派单" in body_text(op.page)

    # caller data is masked until revealed; the server records the view in its access log (R-12345-11)
    expect(op.page.get_by_test_id("caller-phone")).to_have_text("138****1234")
    expect(op.page.get_by_test_id("caller-reveal")).to_be_disabled()  # a reveal names its reason
    op.choose(op.page, "caller-reveal-reason", "回访来电人")
    op.page.get_by_test_id("caller-reveal").click()
    expect(op.page.get_by_test_id("caller-phone")).to_have_text("13800001234")
    expect(op.page.get_by_test_id("caller-reveal")).to_have_count(0)

    # ---- op1 dispatches to 海游街道 with the phone call (R-12345-02)
    dlg = op.dialog("dispatch")
    op.choose(dlg, "field-unit", "海游街道办事处")
    expect(op.input_of(dlg.get_by_test_id("field-call-name"))).to_have_value("周海")
    expect(op.input_of(dlg.get_by_test_id("field-call-phone"))).to_have_value("13957600001")
    op.fill(dlg, "field-call-note", "已电话通知周海，请尽快签收")
    op.shot("04-dialog-dispatch")
    op.confirm(dlg)
    op.status_is("dispatched")
    dispatched = op.page.locator('[data-test="timeline-event"][data-event-type="dispatched"]')
    expect(dispatched).to_have_count(1)
    expect(dispatched).to_contain_text("周*")  # whom the call reached: masked, the number sealed (R-12345-11)
    expect(dispatched).not_to_contain_text("13957600001")

    # ---- uh1 finds it in the unit inbox, signs and replies by the template
    uh = ui("uh1")
    uh.login("/home")
    uh.page.get_by_test_id("menu-unit-tickets").click()
    uh.page.wait_for_url("**/unit-tickets**")  # the home page's cards carry inbox rows too
    row = uh.page.locator(f'[data-test="inbox-row"][data-ticket-id="{tid}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("待签收")
    uh.shot("05-unit-inbox")
    row.get_by_test_id("inbox-row-link").click()
    expect(uh.page.get_by_test_id("ticket-id")).to_have_text(tid)
    expect(uh.page.get_by_test_id("caller-phone")).to_have_text("138****1234")
    dlg = uh.dialog("sign")
    uh.shot("06-dialog-sign")
    uh.confirm(dlg)
    uh.status_is("handling")

    dlg = uh.dialog("reply")
    sections = dlg.locator('[data-test^="field-section-"]')
    expect(sections.first).to_be_visible()
    assert sections.count() >= 3
    # submitting with the sections empty names the missing ones (client-side, R-12345-06)
    dlg.get_by_test_id("dialog-confirm").click()
    expect(dlg.locator(".el-form-item__error").first).to_be_visible()
    for i in range(sections.count()):
        field = uh.input_of(sections.nth(i))
        field.fill(f"第{i + 1}段：已现场核查并整改，依据《噪声污染防治法》。")
        field.blur()  # element-plus re-validates on blur
    expect(dlg.locator(".el-form-item__error")).to_have_count(0)
    uh.shot("07-dialog-reply")
    uh.confirm(dlg)
    uh.status_is("replied")
    expect(uh.page.get_by_test_id("ticket-reply")).to_contain_text("已现场核查")

    # ---- op1 reviews, calls back (four checks) and submits
    op.open_ticket(tid)
    op.status_is("replied")
    dlg = op.dialog("review")
    op.radio(dlg, "field-approve", "通过")
    op.shot("08-dialog-review")
    op.confirm(dlg)
    op.status_is("reviewed")

    dlg = op.dialog("callback")
    op.radio(dlg, "field-informed", "是")
    op.radio(dlg, "field-truthful", "是")
    op.radio(dlg, "field-misconduct", "否")
    op.radio(dlg, "field-satisfaction", "基本满意")
    op.shot("09-dialog-callback")
    op.confirm(dlg)
    op.status_is("called_back")
    expect(op.page.get_by_test_id("ticket-callback")).to_contain_text("基本满意")

    dlg = op.dialog("submit")
    op.confirm(dlg)
    op.status_is("submitted")
    # the timeline reloads after the ticket: wait for the new event before reading it
    expect(op.page.locator('[data-test="timeline-event"][data-event-type="submitted"]')).to_have_count(1)
    types = [e.get_attribute("data-event-type") for e in op.page.get_by_test_id("timeline-event").all()]
    for t in ("received", "dispatched", "signed", "replied", "reviewed", "called_back", "submitted"):
        assert t in types, (t, types)
    assert "已提交市审核组" in body_text(op.page)
    op.page.get_by_test_id("ticket-timeline").scroll_into_view_if_needed()
    op.shot("10-ticket-detail-timeline")
    op.page.evaluate("window.scrollTo(0, 0)")
    op.shot("11-ticket-detail-top")

    # ---- uh2 (another unit) cannot see it: 404 page, not in their inbox
    other = ui("uh2")
    other.login("/home")
    other.page.get_by_test_id("menu-unit-tickets").click()
    other.page.wait_for_url("**/unit-tickets**")
    expect(other.page.get_by_test_id("ticket-table")).to_be_visible()
    expect(
        other.page.locator('[data-test="inbox-row"]').first.or_(other.page.get_by_test_id("table-empty"))
    ).to_be_visible()
    expect(other.page.locator(f'[data-test="inbox-row"][data-ticket-id="{tid}"]')).to_have_count(0)
    other.expected_status = {404}
    other.goto(f"/tickets/{tid}")
    expect(other.page.get_by_test_id("ticket-error")).to_be_visible()
    assert "工单不存在或无权查看" in body_text(other.page)
    other.shot("12-other-unit-404")
    assert not requests.get(f"{local_stack.api}/tickets/{tid}", timeout=30).ok  # and the API agrees (no token)


def test_extension_requested_by_unit_and_approved_in_leader_queue(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    body = {
        "category": "help",
        "title": f"路灯损坏求助 E2E {datetime.now(UTC):%H%M%S}",
        "content": "村口路灯不亮",
        "caller": {"name": "李四", "phone": "13900002222"},
    }
    tid = api.call("POST", "/tickets", "op1", body)["id"]
    api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    ticket = api.call("POST", f"/tickets/{tid}/sign", "uh1", {})
    due = datetime.fromisoformat(ticket["handle_due"]).astimezone(SHANGHAI).date()
    new_due = (due + timedelta(days=20)).isoformat()

    uh = ui("uh1")
    uh.login("/home")
    uh.open_ticket(tid)
    uh.status_is("handling")
    dlg = uh.dialog("request-extension")
    uh.fill(dlg, "field-reason", "需协调住建部门联合处置")
    date_input = uh.input_of(dlg.get_by_test_id("field-new-due"))
    date_input.click()  # focus the picker's own input first: under load a fill may race the dialog's autofocus
    date_input.fill(new_due)
    expect(date_input).to_have_value(new_due)
    date_input.press("Enter")
    expect(uh.input_of(dlg.get_by_test_id("field-reason"))).to_have_value("需协调住建部门联合处置")
    uh.input_of(dlg.get_by_test_id("field-reason")).click()  # close the picker
    uh.shot("13-dialog-request-extension")
    uh.confirm(dlg)
    uh.status_is("extension_requested")
    expect(uh.page.get_by_test_id("ticket-extension")).to_contain_text("需协调住建部门联合处置")

    api.call("POST", f"/tickets/{tid}/flag-difficult", "op1", {"reason": "需多部门协调"})

    leader = ui("leader")
    leader.login("/queue")
    ext = leader.page.get_by_test_id("queue-extensions")
    row = ext.locator(f'[data-test="inbox-row"][data-ticket-id="{tid}"]')
    expect(row).to_be_visible()
    # difficult tickets of every open status, not just the leader's default index
    expect(
        leader.page.locator(f'[data-test="queue-difficult"] [data-test="queue-difficult-row"][data-ticket-id="{tid}"]')
    ).to_be_visible()
    expect(leader.page.locator(".el-loading-mask")).to_have_count(0)
    assert "延期待审批" in body_text(leader.page)  # the status name of the label catalogue
    leader.shot("14-leader-queue")
    row.get_by_test_id("inbox-row-link").click()
    expect(leader.page.get_by_test_id("ticket-id")).to_have_text(tid)
    dlg = leader.dialog("decide-extension")
    expect(dlg).to_contain_text("需协调住建部门联合处置")
    leader.radio(dlg, "field-approve", "批准")
    leader.shot("15-dialog-decide-extension")
    leader.confirm(dlg)
    leader.status_is("handling")
    expect(leader.page.get_by_test_id("ticket-extension")).to_contain_text("审批结果批准")
    after = api.call("GET", f"/tickets/{tid}", "leader")
    assert datetime.fromisoformat(after["handle_due"]).astimezone(SHANGHAI).date().isoformat() == new_due
    # back in the queue, the decided ticket is gone
    leader.page.get_by_test_id("menu-queue").click()
    expect(leader.page.get_by_test_id("queue-extensions")).to_be_visible()
    expect(
        leader.page.locator(f'[data-test="queue-extensions"] [data-test="inbox-row"][data-ticket-id="{tid}"]')
    ).to_have_count(0)


def test_operator_inbox_pages_and_filters(ui: Any) -> None:
    an = ui("analyst")
    an.login("/tickets")
    expect(an.page.get_by_test_id("inbox-row").first).to_be_visible()
    an.choose(an.page, "filter-status", "办理中")
    an.page.get_by_test_id("filter-search").click()
    rows = an.page.get_by_test_id("inbox-row")
    expect(rows.first).to_have_attribute("data-status", "handling")
    expect(an.page.locator(".el-loading-mask")).to_have_count(0)
    an.page.mouse.move(0, 0)
    assert {r.get_attribute("data-status") for r in rows.all()} == {"handling"}
    assert "办理中" in body_text(an.page)
    an.shot("16-inbox-filtered")
    assert an.page.viewport_size == VIEWPORT
    # nothing overflows the 1280 px viewport horizontally
    assert an.page.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
