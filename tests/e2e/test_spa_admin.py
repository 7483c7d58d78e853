"""Admin pages of the built SPA (frontend/dist) in real headless Chromium against the running local stack.

As `admin`: a unit whose handler has a short internal number is refused in the form (R-12345-07),
a valid unit is saved and listed; the users page lists the demo accounts; the 2027 working calendar
is shown unconfirmed, an override is entered and the year confirmed (deadlines recomputed). Reuses
the browser, UI and console-error checks of tests/e2e/spa.py; screenshots 30–32 in tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
from typing import Any

# pytest fixtures are found by name in this module: browser, artifacts, ui (and local_stack from conftest)
from tests.e2e.spa import artifacts, browser, expect, ui  # noqa: F401


def test_admin_units_users_and_calendar(ui: Any) -> None:  # noqa: F811  (the imported fixture)
    admin = ui("admin")
    admin.login("/tickets")
    page = admin.page

    # ---------------------------------------------------------------- units: R-12345-07 in the form
    page.get_by_test_id("menu-admin-units").click()
    page.wait_for_url("**/admin/units")
    expect(page.locator('[data-test="unit-row"][data-unit-id="U001"]')).to_be_visible()
    page.get_by_test_id("unit-new").click()
    dlg = page.locator('.el-dialog[data-test="unit-dialog"]')
    expect(dlg).to_be_visible()
    admin.fill(dlg, "field-unit-id", "U900")
    admin.fill(dlg, "field-unit-name", "三门县测试服务中心")
    admin.fill(dlg, "contact-name-0", "林晓")
    admin.fill(dlg, "contact-phone-0", "6123")
    dlg.get_by_test_id("unit-save").click()
    phone_item = dlg.locator(".el-form-item", has=page.get_by_test_id("contact-phone-0"))
    expect(phone_item.locator(".el-form-item__error")).to_contain_text("不得使用内部短号")
    expect(dlg).to_be_visible()

    admin.fill(dlg, "contact-phone-0", "0576-83310099")
    dlg.get_by_test_id("contact-add").click()
    admin.fill(dlg, "contact-name-1", "陈主任")
    admin.fill(dlg, "contact-phone-1", "13957600099")
    admin.choose(dlg, "contact-role-1", "分管领导")
    dlg.get_by_test_id("unit-save").click()
    expect(dlg).to_be_hidden()
    row = page.locator('[data-test="unit-row"][data-unit-id="U900"]')
    expect(row).to_have_text("三门县测试服务中心")
    expect(page.get_by_test_id("units-table")).to_contain_text("0576-83310099")
    expect(page.locator(".el-loading-mask")).to_have_count(0)
    admin.shot("30-admin-units")

    # ---------------------------------------------------------------- users and roles
    page.get_by_test_id("menu-admin-users").click()
    page.wait_for_url("**/admin/users")
    for username in ("admin", "op1", "uh1", "leader"):
        expect(page.locator(f'[data-test="user-row"][data-username="{username}"]')).to_be_visible()
    expect(page.get_by_test_id("users-table")).to_contain_text("承办单位经办人")
    expect(page.get_by_test_id("user-status-op1")).to_have_text("正常")
    expect(page.locator(".el-loading-mask")).to_have_count(0)
    admin.shot("31-admin-users")

    # ---------------------------------------------------------------- working calendar 2027
    admin.goto("/admin/calendar?year=2027")
    status = page.get_by_test_id("calendar-status")
    expect(status).to_have_attribute("data-confirmed", "false")
    expect(page.get_by_test_id("calendar-warning").first).to_contain_text("2027 年工作日历尚未确认")
    expect(page.locator('[data-test="calendar-month-2"] button[data-date="2027-02-01"]')).to_be_visible()

    date_input = admin.input_of(page.get_by_test_id("field-override-date"))
    date_input.fill("2027-10-08")
    date_input.press("Enter")
    admin.radio(page, "field-override-kind", "休息日（放假）")
    page.get_by_test_id("override-save").click()
    expect(page.locator('[data-test="override-row"][data-date="2027-10-08"]')).to_have_attribute(
        "data-workday", "false"
    )
    expect(page.locator('button[data-date="2027-10-08"]')).to_have_attribute("data-kind", "holiday")

    page.get_by_test_id("calendar-confirm").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("确认 2027 年工作日历")
    box.locator(".el-button--primary").click()
    result = page.get_by_test_id("calendar-confirm-result")
    expect(result).to_contain_text(re.compile(r"重算 \d+ 件"))
    expect(status).to_have_attribute("data-confirmed", "true")
    page.locator(".page-header").scroll_into_view_if_needed()
    admin.shot("32-calendar")

    # ---------------------------------------------------------------- duty roster and partners load cleanly
    page.get_by_test_id("menu-admin-duty").click()
    expect(page.get_by_test_id("duty-table")).to_be_visible()
    expect(page.get_by_test_id("duty-now")).to_be_visible()
    page.get_by_test_id("menu-admin-partners").click()
    expect(page.get_by_test_id("partners-table")).to_be_visible()
    expect(page.locator(".el-loading-mask")).to_have_count(0)
