"""The statistics, archive and reply-template pages of the built SPA in headless Chromium.

analyst: 统计分析 renders the county figures (numerator / denominator, rates in %) and the ECharts trend
canvas; records: 档案查询 finds a closed demo ticket, opens its record and verifies it (R-12345-17);
admin: 答复范本 shows the sections of a category with its versions. Console errors fail the test (the
`ui` fixture). Reuses the browser, login and screenshot helpers of tests/e2e/spa.py.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

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


def _closed_archive(api: Api) -> dict[str, Any]:
    """A closed demo ticket whose archive is written (the archiver runs off the stream: wait for it)."""
    deadline = time.monotonic() + 90
    while True:
        items = api.call("GET", "/archive/search?hotline=12345&limit=5", "records")["items"]
        if items:
            return dict(items[0])
        if time.monotonic() > deadline:
            pytest.fail("no archived ticket in the demo data after 90 s")
        time.sleep(2)


def test_statistics_page_as_analyst(ui: Any) -> None:
    an = ui("analyst")
    an.login("/tickets")
    an.page.get_by_test_id("menu-stats").click()
    an.page.wait_for_url("**/stats")
    page = an.page
    assigned = page.get_by_test_id("stats-figure-assigned")
    expect(assigned).to_be_visible()
    assert re.search(r"\d+ / \d+", assigned.inner_text()), assigned.inner_text()
    completion = page.get_by_test_id("stats-figure-completion_rate")
    expect(completion).to_contain_text("办结率")
    assert re.search(r"(\d+(\.\d)?%|—)", completion.inner_text()), completion.inner_text()
    assert int(re.search(r"(\d+) / \d+", assigned.inner_text()).group(1)) > 0  # type: ignore[union-attr]
    canvas = page.get_by_test_id("stats-trend-chart").locator("canvas")
    expect(canvas.first).to_be_visible()
    expect(page.get_by_test_id("stats-units-table").locator("tbody tr").first).to_be_visible()
    text = body_text(page)
    for word in (
        "统计分析",
        "全县指标",
        "承办单位",
        "派单员",
        "近 12 个月趋势",
        "导出 Excel",
        "打印月度通报",
        "典型工单汇总",
    ):
        assert word in text, word
    page.wait_for_timeout(300)  # let the chart finish its first paint
    an.shot("20-statistics")

    # the Excel export is a fetched blob with the Bearer token, saved as a download
    with page.expect_download() as dl:
        page.get_by_test_id("stats-export").click()
    assert dl.value.suggested_filename.endswith(".xlsx")


def test_archive_search_and_verify_as_records(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    archived = _closed_archive(api)
    tid = archived["ticket_id"]

    rec = ui("records")
    rec.login("/archive")
    page = rec.page
    rec.fill(page, "archive-ticket-id", tid)
    page.get_by_test_id("archive-search").click()
    link = page.get_by_test_id("archive-row-link").filter(has_text=tid)
    expect(link).to_be_visible()
    expect(page.get_by_test_id("archive-table")).to_contain_text(archived["title"])
    link.click()
    page.wait_for_url(f"**/archive/{tid}")
    expect(page.get_by_test_id("archive-files")).to_contain_text("record.html")
    expect(page.get_by_test_id("archive-versions")).to_contain_text("当前版本")
    page.get_by_test_id("archive-verify").click()
    verdict = page.get_by_test_id("archive-verify-result")
    expect(verdict).to_have_attribute("data-ok", "true")
    expect(verdict).to_contain_text("校验通过")
    rec.shot("21-archive")

    # search by the month closed alone finds it too (the month index)
    rec.goto(f"/archive?month={archived['month']}")
    expect(page.get_by_test_id("archive-row-link").filter(has_text=tid)).to_be_visible()


def test_reply_templates_as_admin(ui: Any) -> None:
    adm = ui("admin")
    adm.login("/tickets")
    adm.page.get_by_test_id("menu-templates").click()
    adm.page.wait_for_url("**/templates")
    page = adm.page
    sections = page.get_by_test_id("templates-sections")
    expect(sections.locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("templates-current")).to_contain_text("投诉")
    expect(page.get_by_test_id("templates-versions").locator("tbody tr").first).to_be_visible()
    expect(page.get_by_test_id("templates-edit")).to_be_visible()
    page.get_by_test_id("templates-category-consult").click()
    expect(page.get_by_test_id("templates-current")).to_contain_text("咨询")
    page.get_by_test_id("templates-category-complaint").click()
    expect(page.get_by_test_id("templates-current")).to_contain_text("投诉")
    adm.shot("22-templates")
