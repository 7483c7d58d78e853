"""Admin pages of the built SPA (frontend/dist) in real headless Chromium against the running local stack.

As `admin`: a unit whose handler has a short internal number is refused in the form (R-12345-07),
a valid unit is saved and listed; the users page lists the demo accounts; the 2027 working calendar
is shown unconfirmed, an override is entered and the year confirmed (deadlines recomputed); a user locked
out by failed logins is shown 已锁定（至 …） and unlocked (R-SEC-04). Reuses the browser, UI and console-error
checks of tests/e2e/spa.py; screenshots 30–33 in tests/e2e/artifacts/.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import requests

# pytest fixtures are found by name in this module: browser, artifacts, ui (and local_stack from conftest)
from tests.e2e.spa import SHANGHAI, artifacts, browser, expect, ui  # noqa: F401


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


def test_r_sec_04_an_admin_sees_a_locked_user_and_unlocks_it(ui: Any, local_stack: Any) -> None:  # noqa: F811
    """Five wrong passwords lock `auditor1` (R-SEC-04); the admin's users page shows 已锁定（至 …） in Asia/Shanghai
    and 解除锁定 ends the lock: the row shows no lock and the right password logs in at once."""
    target = "auditor1"
    for n in range(5):
        wrong = requests.post(
            f"{local_stack.api}/auth/login", json={"username": target, "password": f"Wrong#Pass{n}"}, timeout=30
        )
        assert wrong.status_code == 401, wrong.text
    locked = requests.post(
        f"{local_stack.api}/auth/login", json={"username": target, "password": f"Hotline#2026{target}"}, timeout=30
    )
    assert locked.status_code == 429 and "锁定" in locked.json()["message"]
    earliest = datetime.now(SHANGHAI)

    admin = ui("admin")
    admin.login("/tickets")
    page = admin.page
    page.get_by_test_id("menu-admin-users").click()
    page.wait_for_url("**/admin/users")
    expect(page.locator(f'[data-test="user-row"][data-username="{target}"]')).to_be_visible()
    tag = page.get_by_test_id(f"user-locked-{target}")
    expect(tag).to_contain_text("已锁定（至 ")
    shown = re.search(r"已锁定（至 (\d{4}-\d{2}-\d{2} \d{2}:\d{2})）", tag.inner_text())
    assert shown, tag.inner_text()
    until = datetime.strptime(shown.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
    # 15 minutes from the lock, in Shanghai time (minute precision)
    assert earliest + timedelta(minutes=13) <= until <= earliest + timedelta(minutes=16), (earliest, until)
    expect(page.get_by_test_id("user-locked-op1")).to_have_count(0)  # an unlocked user shows no lock
    expect(page.get_by_test_id("user-unlock-op1")).to_have_count(0)
    admin.shot("33-admin-user-locked")

    page.get_by_test_id(f"user-unlock-{target}").click()
    box = page.locator(".el-message-box")
    expect(box).to_contain_text("解除锁定")
    box.locator(".el-button--primary").click()
    expect(tag).to_have_count(0)
    expect(page.get_by_test_id(f"user-unlock-{target}")).to_have_count(0)
    page.get_by_test_id("users-refresh").click()
    expect(page.locator(".el-loading-mask")).to_have_count(0)
    expect(page.locator(f'[data-test="user-row"][data-username="{target}"]')).to_be_visible()
    expect(page.get_by_test_id(f"user-locked-{target}")).to_have_count(0)
    assert local_stack.login(target)["id_token"]  # the right password works again at once
