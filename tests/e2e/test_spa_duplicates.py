"""R-12345-18 in headless Chromium against the local stack: the intake form warns of a likely duplicate (with a
link), the ticket page lists candidates with their reasons, the operator merges (并单) and the duplicate shows its
main ticket; unmerge restores it. The duplicate index is kept by the stack's own stream pump.
Reuses the browser, login and screenshot helpers of tests/e2e/spa.py.
"""

from __future__ import annotations

import time
import uuid
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


def _indexed(api: Api, ticket: str, main: str) -> None:
    """Wait until the stream pump has indexed both tickets (the stack pumps the stream every second or so)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [c["ticket"]["id"] for c in api.call("GET", f"/tickets/{ticket}/duplicates", "op1")["items"]]
        if main in found:
            return
        time.sleep(1)
    raise AssertionError(f"{main} never became a candidate of {ticket}")


def test_r12345_18_an_operator_merges_a_duplicate_in_the_browser(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    place = f"{uuid.uuid4().hex[:6]}花园小区"
    main = api.call(
        "POST",
        "/tickets",
        "op1",
        {
            "category": "help",
            "title": "小区电梯故障困人",
            "content": f"{place}5幢电梯今天上午突然停在6楼和7楼之间，里面困了两个老人，物业电话打不通。",
            "caller": {"name": "王五", "phone": "13957618101"},
            "location": {"address": f"海游街道西区大道188号{place}"},
        },
    )["id"]
    dup = api.call(
        "POST",
        "/tickets",
        "op1",
        {
            "category": "help",
            "title": "电梯停运有人被关在里面",
            "content": f"我们{place}5号楼的电梯卡住不动了，有老人被关在轿厢里半个多小时，物业一直没人来。",
            "caller": {"name": "赵六", "phone": "13957618102"},
            "location": {"address": f"海游街道西区大道188号{place}"},
        },
    )["id"]
    _indexed(api, dup, main)

    op = ui("op1")
    op.login("/home")
    # the intake form warns while the operator types, with a link to the likely duplicate
    op.goto("/tickets/new")
    op.fill(op.page, "field-title", "电梯困人")
    op.fill(op.page, "field-content", f"{place}5幢的电梯坏了，有老人困在里面出不来，请赶快派人。")
    op.fill(op.page, "field-address", f"海游街道西区大道188号{place}")
    warning = op.page.get_by_test_id("intake-duplicates")
    expect(warning).to_contain_text("可能与以下")
    expect(warning.get_by_test_id("intake-duplicate-link").filter(has_text=main)).to_be_visible()
    op.shot("duplicates-01-intake-warning")

    # the ticket page: candidates with reasons, merge confirmed
    op.goto(f"/tickets/{dup}")
    card = op.page.get_by_test_id("duplicates-card")
    expect(card.get_by_test_id("duplicate-candidate").filter(has_text=main)).to_be_visible()
    expect(card).to_contain_text("同一地点或被反映对象")
    op.shot("duplicates-02-candidates")
    card.locator(f'[data-test="duplicate-merge"][data-into="{main}"]').click()
    box = op.page.locator(".el-message-box")
    expect(box).to_contain_text(f"并入主工单 {main}")
    box.locator(".el-button--primary").click()
    expect(op.page.get_by_test_id("ticket-status").first).to_have_attribute("data-status", "merged")
    expect(card.get_by_test_id("duplicates-main")).to_contain_text("本工单已并入主工单")
    expect(card.get_by_test_id("duplicates-main-link")).to_have_text(main)
    op.shot("duplicates-03-merged")
    assert api.call("GET", f"/tickets/{dup}", "op1")["merge"]["into"] == main

    # the main ticket lists its duplicate
    card.get_by_test_id("duplicates-main-link").click()
    expect(op.page.get_by_test_id("ticket-id")).to_have_text(main)
    expect(op.page.get_by_test_id("duplicates-merged")).to_contain_text(dup)

    # unmerge restores the ticket
    op.goto(f"/tickets/{dup}")
    op.page.get_by_test_id("duplicates-unmerge").click()
    op.page.locator(".el-message-box .el-button--primary").click()
    expect(op.page.get_by_test_id("ticket-status").first).to_have_attribute("data-status", "received")
    op.shot("duplicates-04-unmerged")
    op.check_clean()
