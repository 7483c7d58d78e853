"""The ticket lists in the built SPA (docs/api.md `GET /tickets`): every filter combines with the others (no
"pick only one"), each list opens on the filters it really applies (an operator's own open tickets, a unit's open
work), and a received-date range narrows the list."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.test_spa_e2e import (  # noqa: F401  (fixtures are used by name)
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
    expect(op.input_of(op.page.get_by_test_id("filter-owner"))).to_have_value("op1")  # the scope is visible
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
