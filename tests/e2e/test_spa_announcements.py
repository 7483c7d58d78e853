"""Announcements everyone must read (通知公告, 已读回执) in the built SPA, headless Chromium against the local stack.

The analyst (赵敏) publishes an announcement to every role; op1 finds it on the home page's banner, opens 通知公告 and
confirms having read it; uh1 (海游街道) does too; the analyst's receipts list both readers and names the units that
have not read it yet. Nothing on screen is a raw code.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

CODES = re.compile(r"(?<![A-Za-z0-9_])(operator|unit_handler|analyst|records|U00\d)(?![A-Za-z0-9_])")


def test_an_announcement_is_read_by_staff_and_units_and_the_receipts_show_it(ui: Any, local_stack: LocalStack) -> None:
    title = f"关于元旦假期值班安排的通知 {uuid.uuid4().hex[:4]}"
    analyst = ui("analyst")
    analyst.login("/tickets")
    analyst.page.get_by_test_id("menu-work-announcements").click()
    analyst.page.wait_for_url("**/work/announcements")
    analyst.page.get_by_test_id("announce-new").click()
    analyst.fill(analyst.page, "announce-title", title)
    analyst.fill(analyst.page, "announce-body", "元旦期间热线 24 小时值守，请按排班表到岗。")
    analyst.page.get_by_test_id("announce-create").click()
    expect(analyst.page.locator(".el-message--success")).to_contain_text("公告已发布")

    for user in ("op1", "uh1"):
        reader = ui(user)
        reader.login("/home")
        banner = reader.page.get_by_test_id("unread-announcements")
        expect(banner).to_contain_text(title)
        banner.get_by_role("link").click()
        reader.page.wait_for_url("**/work/announcements")
        card = reader.page.locator("[data-test^='announcement-']", has_text=title).first
        expect(card.get_by_test_id("announcement-unread")).to_be_visible()
        card.get_by_test_id("announcement-confirm").click()
        expect(card.get_by_test_id("announcement-read")).to_be_visible()
        reader.shot(f"announcement-read-{user}")
        assert not CODES.search(reader.page.locator("main").inner_text())

    analyst.page.reload()
    card = analyst.page.locator("[data-test^='announcement-']", has_text=title).first
    card.get_by_test_id("announcement-receipts").click()
    receipts = card.get_by_test_id("announcement-receipt-list")
    expect(receipts).to_contain_text("已读回执（2 人）")
    expect(receipts).to_contain_text("李娜")
    expect(receipts).to_contain_text("张伟（海游街道办事处）")
    expect(card.get_by_test_id("announcement-units-unread")).to_contain_text("未读单位")
    expect(card.get_by_test_id("announcement-units-unread")).not_to_contain_text("海游街道")
    analyst.shot("announcement-receipts")
    assert not CODES.search(analyst.page.locator("main").inner_text())
