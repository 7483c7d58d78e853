"""The work pane (components/ActionShell.vue, docked): on the ticket page the forms of reply, review, callback and the
extension (request and decision) open beside the ticket instead of over it. At 1366×768 and 1920×1080, each pane and
what its form works from — the citizen's text, the reply under review, the number to call back (revealed through the
logged reveal), the current due — are on screen together and do not overlap; the extension's picker refuses the days
up to the current due; Esc closes the pane; the first field has the focus. Screenshots: artifacts/pane-{verb}.png
(1366×768) and artifacts/pane-{verb}-1920x1080.png.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    SHANGHAI,
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the skips: Chromium present, frontend built
    ui,
)

SIZES = [(1366, 768), (1920, 1080)]
CONTENT = "海游街道某小区工地夜间22点后仍在施工，噪音很大，影响休息，请尽快处理。"
PHONE = "13800001234"


@pytest.fixture(scope="module")
def tickets(local_stack: LocalStack) -> dict[str, Any]:
    """Per screen size: a ticket in handling (reply, request an extension), one replied (review), one reviewed
    (callback), one with an extension asked (decision)."""
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    body = {
        "category": "complaint",
        "content": CONTENT,
        "address": "三门县海游街道1号",
        "caller": {"name": "张三丰", "phone": PHONE},
    }
    template = api.call("GET", "/reply-templates/complaint", "uh1")
    sections = {s["id"]: "已现场核查并责令整改，依据《噪声污染防治法》相关规定处理。" for s in template["sections"]}

    def handling(title: str) -> dict[str, Any]:
        tid = str(api.call("POST", "/tickets", "op1", {**body, "title": f"{title} 窗格 {stamp}"})["id"])
        api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
        return dict(api.call("POST", f"/tickets/{tid}/sign", "uh1", {}))

    made: dict[str, Any] = {}
    for w, _ in SIZES:
        made[f"reply-{w}"] = handling("夜间施工噪音")
        made[f"extension-{w}"] = handling("路灯损坏")
        replied = handling("违规收费")["id"]
        api.call("POST", f"/tickets/{replied}/reply", "uh1", {"sections": sections})
        made[f"review-{w}"] = replied
        reviewed = handling("垃圾清运")["id"]
        api.call("POST", f"/tickets/{reviewed}/reply", "uh1", {"sections": sections})
        api.call("POST", f"/tickets/{reviewed}/review", "op1", {"approve": True})
        made[f"callback-{w}"] = reviewed
        asked = handling("道路积水")
        new_due = datetime.fromisoformat(asked["handle_due"]).astimezone(SHANGHAI).date() + timedelta(days=20)
        extension = {"reason": "需协调住建部门联合处置", "new_due": new_due.isoformat()}
        api.call("POST", f"/tickets/{asked['id']}/request-extension", "uh1", extension)
        made[f"decide-{w}"] = asked
    return made


def _pane(u: Any, verb: str) -> Any:
    """Open the verb's work pane from the ticket's action button; it is docked, not a dialog."""
    u.page.get_by_test_id(f"action-{verb}").click()
    pane = u.page.locator(f'[data-test="action-dialog"][data-verb="{verb}"]')
    expect(pane).to_be_visible()
    expect(pane).to_have_attribute("data-pane", "docked")
    expect(u.page.locator(".el-overlay-dialog:visible")).to_have_count(0)  # nothing covers the ticket
    return pane


def _beside(u: Any, pane: Any, needed: Any, size: tuple[int, int]) -> None:
    """`needed` and the pane are both on screen, side by side: no overlap, the pane the right half from 1366 px."""
    w, h = size
    expect(needed).to_be_visible()
    expect(needed).to_be_in_viewport()
    expect(pane).to_be_in_viewport()
    a, b = needed.bounding_box(), pane.bounding_box()
    assert a and b
    overlap_x = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    overlap_y = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    assert overlap_x <= 0 or overlap_y <= 0, (a, b)
    assert a["x"] + a["width"] <= b["x"] + 1, (a, b)  # the content on the left
    assert 0 <= a["y"] < h and a["y"] + min(a["height"], 40) <= h, a  # its start is on screen
    assert abs(b["x"] - w / 2) <= 2 and abs(b["x"] + b["width"] - w) <= 2, b  # the right half


def _shot(u: Any, verb: str, size: tuple[int, int]) -> None:
    u.shot(f"pane-{verb}" if size == SIZES[0] else f"pane-{verb}-{size[0]}x{size[1]}")


def _month_days(u: Any) -> dict[int, bool]:
    """The open picker's days of the month it shows: day → disabled."""
    cells = u.page.locator(".el-picker-panel:visible .el-date-table td")
    return dict(
        cells.evaluate_all(
            """tds => tds.filter(td => !td.classList.contains('prev-month') && !td.classList.contains('next-month'))
                         .map(td => [Number(td.innerText.trim()), td.classList.contains('disabled')])"""
        )
    )


def _show_month(u: Any, day: date) -> None:
    """Page the open picker forward to `day`'s month."""
    panel = u.page.locator(".el-picker-panel:visible")
    expect(panel.locator(".el-date-table td").first).to_be_visible()
    for _ in range(24):
        labels = panel.locator(".el-date-picker__header-label").all_inner_texts()
        y, m = (int(re.sub(r"\D", "", x)) for x in labels[:2])
        if (y, m) >= (day.year, day.month):
            assert (y, m) == (day.year, day.month), (y, m, day)
            return
        panel.locator("button.arrow-right").click()
    raise AssertionError(f"picker never reached {day}")


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_work_panes_keep_what_the_form_needs_in_view(ui: Any, tickets: dict[str, Any], size: tuple[int, int]) -> None:
    w, h = size
    uh = ui("uh1")
    uh.page.set_viewport_size({"width": w, "height": h})
    uh.login("/home")

    # reply: the citizen's text beside the template's sections; the first section has the focus; Esc closes
    uh.open_ticket(tickets[f"reply-{w}"]["id"])
    pane = _pane(uh, "reply")
    sections = pane.locator('[data-test^="field-section-"]')
    expect(sections.first).to_be_visible()
    expect(uh.input_of(sections.first)).to_be_focused()
    needed = uh.page.get_by_test_id("ticket-content")
    expect(needed).to_have_text(CONTENT)
    _beside(uh, pane, needed, size)
    _shot(uh, "reply", size)
    uh.page.keyboard.press("Escape")
    expect(pane).to_be_hidden()

    # request-extension: the current due in Shanghai time; days up to it cannot be picked
    ticket = tickets[f"extension-{w}"]
    due = datetime.fromisoformat(ticket["handle_due"]).astimezone(SHANGHAI)
    uh.open_ticket(ticket["id"])
    pane = _pane(uh, "request-extension")
    current = pane.get_by_test_id("current-due")
    expect(current).to_contain_text(f"{due:%Y-%m-%d %H:%M}")
    expect(uh.input_of(pane.get_by_test_id("field-reason"))).to_be_focused()
    _beside(uh, pane, uh.page.get_by_test_id("ticket-deadlines"), size)
    uh.input_of(pane.get_by_test_id("field-new-due")).click()
    _show_month(uh, due.date())
    days = _month_days(uh)
    assert days[due.day] is True, days  # the due's own day
    assert all(days[d] for d in days if d < due.day), days
    after = due.date() + timedelta(days=1)
    if after.month != due.month:
        uh.page.locator(".el-picker-panel:visible button.arrow-right").click()
        days = _month_days(uh)
    assert days[after.day] is False, days  # the next day can be picked
    _shot(uh, "request-extension", size)
    uh.page.keyboard.press("Escape")  # the picker closes first, the pane stays
    expect(uh.page.locator(".el-picker-panel:visible")).to_have_count(0)
    expect(pane).to_be_visible()
    pane.get_by_test_id("pane-close").click()
    expect(pane).to_be_hidden()

    op = ui("op1")
    op.page.set_viewport_size({"width": w, "height": h})
    op.login("/home")

    # review: the reply under review beside the verdict
    op.open_ticket(tickets[f"review-{w}"])
    pane = _pane(op, "review")
    expect(pane.get_by_test_id("field-approve")).to_be_visible()
    reply = op.page.get_by_test_id("ticket-reply")
    expect(reply).to_contain_text("已现场核查")
    _beside(op, pane, reply, size)
    _shot(op, "review", size)
    op.page.keyboard.press("Escape")
    expect(pane).to_be_hidden()

    # callback: the number to call, revealed through the logged reveal while the pane stays open (R-12345-11)
    op.open_ticket(tickets[f"callback-{w}"])
    pane = _pane(op, "callback")
    phone = op.page.get_by_test_id("caller-phone")
    expect(phone).to_have_text("138****1234")
    op.choose(op.page, "caller-reveal-reason", "回访来电人")
    op.page.get_by_test_id("caller-reveal").click()
    expect(phone).to_have_text(PHONE)
    expect(pane).to_be_visible()
    expect(pane.get_by_test_id("field-informed")).to_be_visible()
    _beside(op, pane, phone, size)
    _shot(op, "callback", size)

    # decide-extension: the request and the current due beside the decision
    leader = ui("leader")
    leader.page.set_viewport_size({"width": w, "height": h})
    leader.login("/queue")
    ticket = tickets[f"decide-{w}"]
    leader.open_ticket(ticket["id"])
    pane = _pane(leader, "decide-extension")
    expect(pane).to_contain_text("需协调住建部门联合处置")
    due = datetime.fromisoformat(ticket["handle_due"]).astimezone(SHANGHAI)
    expect(pane.get_by_test_id("current-due")).to_contain_text(f"{due:%Y-%m-%d %H:%M}")
    _beside(leader, pane, leader.page.get_by_test_id("ticket-extension"), size)
    _shot(leader, "decide-extension", size)
