"""R-12345-14 综合分析 and R-12345-15 in the built SPA, headless Chromium against the local stack.

Two tickets about 路灯 are dispatched this month over HTTP; the analyst opens 统计分析, has the month analysed again
(重新分析) and sees the hot-spot section: the ECharts bars, the topics with their example tickets, the breakdown
by unit.
"""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.test_spa_e2e import (  # noqa: F401  (fixtures are used by name)
    Api,
    _text,
    artifacts,
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

    assert "R-12345" not in _text(page)
