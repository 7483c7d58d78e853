"""R-SEC-01/02 in the browser on the local stack: the auditor opens 安全审计, filters the security log by
kind, action and account, and sees an administrator's change (with before and after) and an operator's
reveal by their Chinese names; the administrator cannot read the log."""

from __future__ import annotations

import uuid
from typing import Any

import requests
from playwright.sync_api import expect

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    Api,
    artifacts,
    browser,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)


def test_r_sec_01_the_auditor_filters_the_security_log(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    unit_id = f"U-{uuid.uuid4().hex[:8]}"
    contacts = [{"name": "钱进", "phone": "13957600066", "role": "handler"}]
    unit = {"id": unit_id, "name": "县审计演示局", "kind": "bureau", "active": True, "contacts": contacts}
    api.call("POST", "/admin/units", "admin", unit)
    api.call("PUT", f"/admin/units/{unit_id}", "admin", dict(unit, name="县审计演示二局"))
    body = {
        "category": "help",
        "title": "审计演示",
        "content": "内容",
        "caller": {"name": "韩梅", "phone": "13800007777"},
    }
    tid = api.call("POST", "/tickets", "op1", body)["id"]
    api.call("GET", f"/tickets/{tid}?reveal=1&reason=callback", "op1")
    admin_token = local_stack.login("admin")["id_token"]
    refused = requests.get(
        f"{local_stack.api}/security-log", headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
    )
    assert refused.status_code == 403

    auditor = ui("auditor1")
    auditor.login("/security-log")
    page = auditor.page
    expect(page.get_by_test_id("security-log-table")).to_be_visible()
    auditor.choose(page, "security-log-kind", "管理与配置变更")
    auditor.choose(page, "security-log-action", "修改单位")
    auditor.fill(page, "security-log-actor", "admin")
    with page.expect_response(lambda r: "/security-log?" in r.url and "actor=admin" in r.url):
        page.get_by_test_id("security-log-search").click()
    table = page.get_by_test_id("security-log-table")
    row = table.locator("tr", has_text=unit_id).first
    expect(row).to_contain_text("修改单位")
    expect(row).to_contain_text("县审计演示局")  # before
    expect(row).to_contain_text("县审计演示二局")  # after
    expect(row).to_contain_text("系统管理员")
    expect(table).not_to_contain_text("新增单位")  # the filter holds: only this action
    assert set(table.get_by_test_id("security-log-action-cell").all_inner_texts()) == {"修改单位"}

    auditor.choose(page, "security-log-kind", "个人信息与文件访问")
    auditor.choose(page, "security-log-action", "查看来电人信息")
    auditor.fill(page, "security-log-actor", "op1")
    with page.expect_response(lambda r: "/security-log?" in r.url and "actor=op1" in r.url):
        page.get_by_test_id("security-log-search").click()
    reveal = table.locator("tr", has_text=tid).first
    expect(reveal).to_contain_text("查看来电人信息")
    expect(reveal).to_contain_text("回访来电人")
    expect(table).not_to_contain_text("韩梅")
    expect(table).not_to_contain_text("13800007777")
    auditor.shot("security-log")
    auditor.check_clean()
