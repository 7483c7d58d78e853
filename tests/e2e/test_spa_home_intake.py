"""Home and intake in headless Chromium against the local stack.

Home (R-12345-13): each group's items come most urgent first (overdue first), the count is the whole group, a
确认 is recorded and the item drops off, 查看全部 opens the ticket list. Intake: keyboard first from the first
focus (热线 → 渠道 → 类别 → 标题 …), the unit type-ahead takes the only match on Enter, 保存并派单 saves and
dispatches in one go (R-12345-01/02), the caller's earlier tickets are shown (R-12345-11).
Screenshots go to the test's tmp dir.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    Api,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)


@pytest.fixture
def artifacts(tmp_path: Path) -> Path:
    """Screenshots of this test, under its own tmp dir."""
    shots = tmp_path / "screenshots"
    shots.mkdir()
    return shots


def _rows(card: Any) -> list[str]:
    return [str(r.get_attribute("data-ticket-id")) for r in card.get_by_test_id("inbox-row").all()]


def test_r12345_13_home_most_urgent_first_and_an_item_confirmed(
    ui: Any, local_stack: LocalStack, artifacts: Path
) -> None:
    api = Api(local_stack)
    late = (datetime.now(UTC) - timedelta(hours=13)).isoformat()
    overdue = api.call(
        "POST", "/tickets", "op1", {"category": "help", "title": "逾期未派", "content": "内容", "received_at": late}
    )
    api.call("POST", "/tickets", "op1", {"category": "help", "title": "刚受理", "content": "内容"})
    expected = next(g for g in api.call("GET", "/me/confirmations", "op1")["groups"] if g["key"] == "new")
    assert [i["deadline"] for i in expected["items"]] == sorted(i["deadline"] for i in expected["items"])
    assert expected["items"][0]["overdue"] is True

    op = ui("op1")
    op.login("/home")
    card = op.page.get_by_test_id("confirm-card-new")
    expect(card.get_by_test_id("inbox-row").first).to_be_visible()
    assert _rows(card) == [i["id"] for i in expected["items"]]  # the server's urgency order, shown as is
    expect(card.get_by_test_id("inbox-row").first).to_have_class("row-overdue")
    assert int(card.get_by_test_id("confirm-count").get_attribute("data-count") or 0) == expected["count"]
    expect(card.get_by_test_id("confirm-overdue")).to_be_visible()
    op.shot("home-01-sorted")

    first = _rows(card)[0]
    card.get_by_test_id(f"confirm-item-{first}").click()
    expect(card.get_by_test_id(f"confirm-item-{first}")).to_have_count(0)
    expect(card.get_by_test_id("confirm-done")).to_be_visible()
    op.shot("home-02-confirmed")
    after = next(g for g in api.call("GET", "/me/confirmations", "op1")["groups"] if g["key"] == "new")
    assert first not in [i["id"] for i in after["items"]] and after["confirmed"] >= 1
    assert overdue["id"]

    card.get_by_test_id("confirm-view-all-new").click()
    op.page.wait_for_url("**/tickets?status=received")
    expect(op.page.get_by_test_id("inbox-row").first).to_be_visible()
    op.shot("home-03-view-all")


def test_intake_by_keyboard_save_and_dispatch_with_the_caller_history(
    ui: Any, local_stack: LocalStack, artifacts: Path
) -> None:
    api = Api(local_stack)
    number = "139" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data
    earlier = api.call(
        "POST",
        "/tickets",
        "op1",
        {"category": "help", "title": "上次来电", "content": "内容", "caller": {"name": "王五", "phone": number}},
    )

    op = ui("op1")
    op.login("/home")
    op.goto("/tickets/new")
    page = op.page
    expect(page.get_by_test_id("ticket-create-form")).to_be_visible()
    focused = "document.activeElement.closest('[data-test]')?.getAttribute('data-test')"
    page.wait_for_function(f"{focused} === 'field-hotline'")
    page.keyboard.press("Tab")  # 渠道
    assert page.evaluate(focused) == "field-channel"
    page.keyboard.press("Tab")  # 类别: type-ahead, Enter takes it
    assert page.evaluate(focused) == "field-category"
    page.keyboard.type("求助")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("field-category")).to_contain_text("求助")
    page.keyboard.press("Tab")
    assert page.evaluate(focused) == "field-title"
    page.keyboard.type("路灯不亮 键盘受理")
    page.keyboard.press("Tab")
    page.keyboard.type("小区门口路灯三天不亮")
    phone = op.input_of(page.get_by_test_id("field-caller-phone"))
    phone.focus()
    page.keyboard.type(number)
    page.keyboard.press("Tab")  # leaving the number looks up the caller's history
    history = page.get_by_test_id("caller-history-item")
    expect(history.first).to_have_attribute("data-ticket-id", earlier["id"])
    op.shot("intake-01-caller-history")

    unit = op.input_of(page.get_by_test_id("field-dispatch-unit"))
    unit.focus()
    page.keyboard.type("住房")
    page.wait_for_timeout(200)
    page.keyboard.press("Enter")  # the only match
    expect(op.input_of(page.get_by_test_id("field-dispatch-call-name"))).to_have_value("吴芳")
    expect(op.input_of(page.get_by_test_id("field-dispatch-call-phone"))).to_have_value("13957600002")
    op.shot("intake-02-filled")
    page.get_by_test_id("ticket-create-dispatch").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/tickets/T*")
    op.status_is("dispatched")
    op.shot("intake-03-dispatched")
    tid = page.url.rstrip("/").split("/")[-1]
    ticket = api.call("GET", f"/tickets/{tid}", "op1")
    assert ticket["unit_id"] == "U002" and ticket["category"] == "help" and ticket["status"] == "dispatched"
    assert len(list(artifacts.glob("*.png"))) == 3
