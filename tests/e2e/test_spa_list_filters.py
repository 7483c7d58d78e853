"""The ticket lists in the built SPA (docs/api.md `GET /tickets`): every filter combines with the others (no
"pick only one"), each list opens on the filters it really applies (an operator's own open tickets, a unit's open
work), and a received-date range narrows the list; the header's search box (HeaderSearch) finds a ticket from any
page by number or a caller phone typed with separators (R-12345-11), with the filters cleared, and names bad
input in Chinese; the 12369 list has the same search box."""

from __future__ import annotations

import random
import re
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)


def _rows(u: Any) -> list[dict[str, str | None]]:
    expect(u.page.locator(".el-loading-mask")).to_have_count(0)
    return [
        {"status": r.get_attribute("data-status"), "id": r.get_attribute("data-ticket-id")}
        for r in u.page.get_by_test_id("inbox-row").all()
    ]


def test_filters_combine_and_each_list_shows_what_it_applies(ui: Any, local_stack: LocalStack) -> None:
    op = ui("op1")
    op.login("/home")
    op.goto("/tickets")
    expect(op.page.get_by_test_id("filter-owner")).to_contain_text("李娜", timeout=20000)  # by name
    expect(op.page.get_by_test_id("filter-status")).to_contain_text("全部未办结")
    assert all(r["status"] != "closed" for r in _rows(op))
    op.shot("list-operator-default")

    an = ui("analyst")
    an.login("/tickets")
    expect(an.page.get_by_test_id("filter-status")).to_contain_text("待派单")
    an.choose(an.page, "filter-status", "全部未办结")
    an.choose(an.page, "filter-unit", "海游街道办事处")
    an.page.get_by_test_id("filter-search").click()
    rows = _rows(an)
    assert rows and all(r["status"] != "closed" for r in rows)
    expect(an.page.get_by_test_id("filter-unit")).to_contain_text("海游街道办事处")  # both kept: they combine
    expect(an.page.get_by_test_id("filter-status")).to_contain_text("全部未办结")
    assert "只能选其一" not in an.page.locator("main").inner_text()
    an.shot("list-combined-filters")

    uh = ui("uh1")
    uh.login("/home")
    uh.goto("/unit-tickets")
    expect(uh.page.get_by_test_id("filter-status")).to_contain_text("全部未办结")
    assert all(r["status"] != "closed" for r in _rows(uh))
    uh.shot("list-unit-open-work")


def _header_search(u: Any, text: str) -> None:
    box = u.input_of(u.page.get_by_test_id("header-search"))
    box.fill(text)
    box.press("Enter")
    u.page.wait_for_timeout(200)


def test_r12345_11_the_header_search_finds_a_ticket_from_any_page(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    number = "137" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data
    body = {
        "category": "help",
        "title": "井盖缺失",
        "content": "路口井盖丢了",
        "caller": {"name": "赵六", "phone": number},
    }
    first = api.call("POST", "/tickets", "op1", body)["id"]

    op = ui("op1")
    op.login("/home")
    _header_search(op, f"+86 {number[:3]}-{number[3:7]} {number[7:]}")
    op.page.wait_for_url(re.compile(r"/tickets\?q="))
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(1)
    assert [r["id"] for r in _rows(op)] == [first]
    expect(op.page.get_by_test_id("filter-status")).not_to_contain_text("全部未办结")  # the scope is everything
    assert number not in op.page.locator("main").inner_text()  # no caller data in the list
    op.shot("list-header-search-phone")

    op.goto("/home")
    _header_search(op, first.lower())
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(1)
    assert [r["id"] for r in _rows(op)] == [first]

    _header_search(op, "长" * 1000)
    expect(op.page.get_by_test_id("header-search-error")).to_contain_text("关键词")
    op.shot("list-header-search-bad-input")

    an = ui("analyst")
    an.login("/tickets")
    an.goto("/env-inbox")
    expect(an.page.get_by_test_id("env-search")).to_be_visible()
    expect(an.page.get_by_test_id("env-filter-unit")).to_be_visible()
