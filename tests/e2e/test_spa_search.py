"""The ticket list's search box in headless Chromium against the local stack: a caller phone typed any
way finds that caller's tickets through the blind index (R-12345-11), a ticket number finds its ticket,
a keyword finds titles and contents through the search index the event stream keeps (R-12345-13), a
caller's full name picked as 姓名 (or typed as `姓名:` in the header) finds that caller's tickets through
its blind index, and bad input or a unit handler's phone lookup is told in Chinese.
Reuses the browser, login and screenshot helpers of tests/e2e/spa.py.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

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


def _search(user: Any, text: str) -> None:
    user.fill(user.page, "inbox-search", text)
    user.page.get_by_test_id("filter-search").click()
    user.page.wait_for_timeout(200)
    expect(user.page.locator(".el-loading-mask")).to_have_count(0)


def _search_until(user: Any, text: str, wanted: str, tries: int = 30) -> None:
    """Search until `wanted` is listed: the stream indexes a new ticket a moment after its intake."""
    for _ in range(tries):
        _search(user, text)
        if wanted in _rows(user):
            return
        user.page.wait_for_timeout(500)
    raise AssertionError(f"{wanted} not found by {text!r}")


def _rows(user: Any) -> list[str]:
    return [str(r.get_attribute("data-ticket-id")) for r in user.page.get_by_test_id("inbox-row").all()]


def test_r12345_11_the_search_box_finds_by_phone_number_and_keyword(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    number = "139" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data
    word = "灯" + uuid.uuid4().hex[:5]
    content_word = "q" + uuid.uuid4().hex[:6]
    name = "欧阳" + "".join(random.choice("明华伟芳娜静敏强磊洋") for _ in range(2))  # noqa: S311 - test data
    body = {
        "category": "help",
        "title": f"路灯{word}不亮",
        "content": "三天不亮",
        "caller": {"name": name, "phone": number},
    }
    first = api.call("POST", "/tickets", "op1", body)["id"]
    second = api.call("POST", "/tickets", "op1", dict(body, title="噪音扰民"))["id"]
    third = api.call(
        "POST",
        "/tickets",
        "op1",
        dict(body, title="反映问题", content=f"菜场冷库{content_word}彻夜轰鸣", caller={"name": name}),
    )["id"]
    call = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}
    for tid in (first, third):  # op1's own list
        api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": call})

    op = ui("op1")
    op.login("/home")
    op.goto("/tickets")
    expect(op.page.get_by_test_id("inbox-search")).to_be_visible()

    op.fill(op.page, "inbox-search", f"+86 {number[:3]}-{number[3:7]}-{number[7:]}")
    expect(op.page.get_by_test_id("inbox-search-kind")).to_contain_text("按来电号码查找")
    _search(op, f"+86 {number[:3]}-{number[3:7]}-{number[7:]}")
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(2)
    assert _rows(op) == [second, first]
    assert number not in body_text(op.page)  # the list shows no caller data, the typed number is only in the box
    op.shot("search-01-by-phone")

    _search(op, first.lower())
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(1)
    assert _rows(op) == [first]

    _search_until(op, word, first)
    expect(op.page.get_by_test_id("inbox-row").first).to_have_attribute("data-ticket-id", first)
    expect(op.page.get_by_test_id("inbox-search-examined")).to_contain_text("已检索")
    assert second not in _rows(op)
    op.shot("search-02-by-keyword")

    # a word of the content only, through the search index (R-12345-13)
    _search_until(op, f"冷库 {content_word}", third)
    assert _rows(op) == [third]
    op.shot("search-04-by-content-keyword")

    # the caller's full name, 姓名 picked beside the box (R-12345-11: exact, through the blind index, logged)
    op.page.get_by_test_id("inbox-search-by").click()
    op.page.locator(".el-select-dropdown__item:visible", has_text="姓名").click()
    op.fill(op.page, "inbox-search", " ".join(name))
    expect(op.page.get_by_test_id("inbox-search-kind")).to_contain_text("按来电人完整姓名查找")
    _search(op, " ".join(name))
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(3)
    assert _rows(op) == [third, second, first]
    assert name not in body_text(op.page)  # the list shows no caller data
    op.shot("search-05-by-caller-name")
    op.fill(op.page, "inbox-search", "😀")
    op.page.get_by_test_id("filter-search").click()
    expect(op.page.locator(".el-form-item__error")).to_contain_text("来电人姓名须为完整姓名")
    op.page.get_by_test_id("inbox-search-by").click()
    op.page.locator(".el-select-dropdown__item:visible", has_text="自动").click()

    # the header's box: the prefix 姓名: opens the list searching that name
    op.fill(op.page, "header-search", f"姓名:{name}")
    op.input_of(op.page.get_by_test_id("header-search")).press("Enter")
    expect(op.page.get_by_test_id("inbox-row")).to_have_count(3)
    op.shot("search-06-header-by-name")

    op.fill(op.page, "inbox-search", "139 1234 567")
    op.page.get_by_test_id("filter-search").click()
    expect(op.page.locator(".el-form-item__error")).to_contain_text("来电号码须为11位手机号码或带区号的固定电话")
    op.shot("search-03-bad-phone")
    op.check_clean()

    uh = ui("uh1")
    uh.login("/home")
    uh.goto("/unit-tickets")
    uh.fill(uh.page, "inbox-search", number)
    uh.page.get_by_test_id("filter-search").click()
    expect(uh.page.locator(".el-form-item__error")).to_contain_text("按来电号码查找仅限话务员和领导")
    uh.check_clean()
