"""R-12345-14 综合分析 and R-12345-15 in the built SPA, headless Chromium against the local stack.

Two tickets about 路灯 are dispatched this month over HTTP; the analyst opens 统计分析, has the month analysed again
(重新分析) and sees the hot-spot section: the ECharts bars, the topics with their example tickets, the breakdown
by unit.

R-12345-15: the analyst picks last month (the summary is compiled once the month is over), writes the typical-ticket
summary's analysis paragraph in the typical-ticket dialog and saves it with an impatient double click; after a
reload of the page the same month is shown and its dialog has the saved version (text, the writer's name, version 1).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    Api,
    artifacts,
    body_text,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

CALL = {"to_name": "周海", "to_phone": "13957600001"}


def test_r12345_14_statistics_page_shows_the_hot_spots(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    for content in ("夜间路灯不亮，出行不便", "街灯坏了好几天"):
        body = {
            "category": "help",
            "title": "路灯不亮",
            "content": content,
            "caller": {"name": "李四", "phone": "13800005678"},
        }
        tid = api.call("POST", "/tickets", "op1", body)["id"]
        api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})

    an = ui("analyst")
    an.login("/tickets")
    an.page.get_by_test_id("menu-stats").click()
    an.page.wait_for_url("**/stats")
    page = an.page
    card = page.get_by_test_id("stats-hotspots")
    expect(card).to_be_visible()
    expect(card).to_contain_text("综合分析")
    page.get_by_test_id("hotspots-recompute").click()  # the month may have been cached before these tickets
    table = page.get_by_test_id("hotspots-table")
    expect(table.locator("tbody tr").first).to_be_visible()  # the demo month has hotter topics than ours
    expect(table.locator("a[href^='/tickets/T']").first).to_be_visible()  # example tickets link to the ticket
    expect(page.get_by_test_id("hotspots-chart").locator("canvas").first).to_be_visible()
    expect(page.get_by_test_id("hotspots-meta")).to_contain_text("不含保密件")

    page.get_by_test_id("hotspots-by").get_by_text("按承办单位").click()
    expect(page.get_by_test_id("hotspots-groups")).to_contain_text("海游街道办事处")  # unit names, not codes
    page.wait_for_timeout(300)  # let the chart finish its first paint
    an.shot("hotspots")

    assert "R-12345" not in body_text(page)


def _previous_month() -> str:
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    return f"{now.year - 1}-12" if now.month == 1 else f"{now.year}-{now.month - 1:02d}"


def test_r12345_15_the_analysis_paragraph_is_saved_and_still_there_after_a_reload(
    ui: Any, local_stack: LocalStack
) -> None:
    month = _previous_month()
    paragraph = f"上月夜间施工噪音诉求集中，建议住建部门加强夜间施工审批（{uuid.uuid4().hex[:6]}）"
    an = ui("analyst")
    an.login("/tickets")
    an.goto("/stats")
    page = an.page
    picker = page.get_by_test_id("stats-month").locator("input")
    picker.fill(month)
    picker.press("Enter")
    expect(page.get_by_test_id("stats-typical")).to_be_enabled()

    def open_dialog() -> Any:
        page.get_by_test_id("stats-typical").click()
        dlg = page.get_by_test_id("stats-typical-dialog")
        expect(dlg).to_contain_text(month)
        expect(dlg.get_by_test_id("typical-analysis")).to_be_visible()
        return dlg

    dlg = open_dialog()
    box = an.input_of(dlg.get_by_test_id("typical-analysis-text"))
    box.click()
    box.press_sequentially(paragraph)
    dlg.get_by_test_id("typical-analysis-save").dblclick()  # the second click must not save (or fail) again
    expect(page.locator(".el-message--success")).to_contain_text("分析已保存")
    expect(dlg.get_by_test_id("typical-analysis")).to_contain_text("赵敏 撰写 · 第 1 版")  # a name, not a login id
    page.wait_for_timeout(500)  # a second save, if one was sent, has answered by now
    expect(page.locator(".el-message--error")).to_have_count(0)

    page.reload()
    expect(page.get_by_test_id("stats-month").locator("input")).to_have_value(month)
    dlg = open_dialog()
    expect(an.input_of(dlg.get_by_test_id("typical-analysis-text"))).to_have_value(paragraph)
    expect(dlg.get_by_test_id("typical-analysis")).to_contain_text("第 1 版")
    page.wait_for_timeout(300)  # the dialog's fade-in, for the screenshot
    an.shot("typical-analysis")
    assert "R-12345" not in body_text(page)
