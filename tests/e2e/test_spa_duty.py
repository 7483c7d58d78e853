"""An empty duty roster (R-12345-12) in the built SPA (frontend/dist), real headless Chromium, the running local stack.

The admin staffs the current shift through the admin API (the shift kind's default person, `PUT /admin/duty/defaults`)
and sets the office's main number (`PUT /admin/duty/fallback`), then empties the shift (`null` for that kind).
While nobody is on duty: a new ticket's duty SMS goes to the main number, the sweep counts the shift as
`duty_fallback`, and the leader and the admin see a red banner on the home page in Chinese naming the main number
(no code on screen, screenshot `duty-01-empty-banner`); an operator sees none. With the shift staffed again the
banner is gone for both (`duty-02-restored`). The defaults are put back exactly as they were at the end, also on
failure: other e2e modules share the stack. The main number stays set (no route removes it; it only
matters while a shift is empty).

The roster page: the admin adds a shift, picks its person by typing part of the name in the person picker (the user
id and name are filled, the mobile from the one last entered for that person, else typed), saves, and the roster
read back through the API names that person; the month's roster is then put back exactly as it was (`"month"`: the
added shift removed). Reuses tests/e2e/spa.py (browser, UI, console-error checks).
"""

from __future__ import annotations

import re
import time
from datetime import datetime
from typing import Any

from tests.e2e.conftest import LocalStack

# pytest fixtures are found by name in this module: browser, artifacts, ui (and local_stack from conftest)
from tests.e2e.spa import SHANGHAI, Api, artifacts, body_text, browser, expect, ui  # noqa: F401

MAIN_NUMBER = {"name": "中心值班总机", "phone": "13957600088"}
STAND_IN = {"user_id": "op2", "name": "王芳", "phone": "13957601002"}
BANNER = '[data-test="confirmations-warning"][data-code="duty_empty"]'


SHIFT_WORDS = {"day": "白班", "night": "夜班", "holiday": "节假日班"}


def _duty_empty(api: Api, user: str) -> bool:
    return any(w.get("code") == "duty_empty" for w in api.call("GET", "/me/confirmations", user).get("warnings", []))


def _duty_sms(api: Api, ticket_id: str) -> dict[str, Any]:
    """The ticket's SMS to the operator on duty, once the stream has sent it (the notify consumer is asynchronous)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [m for m in api.call("GET", f"/tickets/{ticket_id}/sms", "op1")["items"] if m["role"] == "duty"]
        if found and found[0]["status"] != "pending":
            return dict(found[0])
        time.sleep(1)
    raise AssertionError(f"no duty SMS for {ticket_id} within 60 s")


def _home(u: Any, landing: str) -> None:
    """Sign in, open the home page (五个确认) and wait until its groups are loaded."""
    u.login(landing)
    u.goto("/home")
    expect(u.page.locator('[data-test^="confirm-card-"]').first).to_be_visible()
    expect(u.page.get_by_test_id("confirmations-refresh")).not_to_have_class("is-loading")


def _refresh(u: Any) -> None:
    u.page.get_by_test_id("confirmations-refresh").click()
    expect(u.page.get_by_test_id("confirmations-refresh")).not_to_have_class("is-loading")


def test_r12345_12_empty_roster_banner_for_leader_and_admin_and_duty_sms_to_the_main_number(
    ui: Any,  # noqa: F811  (the imported fixture)
    local_stack: LocalStack,
) -> None:
    api = Api(local_stack)
    now = api.call("GET", "/admin/duty/now", "admin")
    day, kind = now["shift"].split("#")
    roster = api.call("GET", f"/admin/duty/roster?month={day[:7]}", "admin")
    dated = [e for e in roster["items"] if e["date"] == day and e["shift"] == kind]
    assert not dated, f"the current shift {now['shift']} has a dated roster entry; this test empties the default"
    original = roster["defaults"].get(kind)  # None on a fresh stack (the demo seed has no roster)
    person = original or STAND_IN
    try:
        # ------------------------------------------------------------ staffed: nobody is warned
        api.call("PUT", "/admin/duty/defaults", "admin", {kind: person})
        assert api.call("GET", "/admin/duty/now", "op1")["on_duty"]["user_id"] == person["user_id"]
        assert not _duty_empty(api, "leader") and not _duty_empty(api, "admin")
        assert api.call("PUT", "/admin/duty/fallback", "admin", MAIN_NUMBER) == MAIN_NUMBER

        # ------------------------------------------------------------ emptied as an admin would
        assert api.call("PUT", "/admin/duty/defaults", "admin", {kind: None}) == {"stored": [kind]}
        assert api.call("GET", "/admin/duty/now", "op1")["on_duty"] is None
        ticket = api.call(
            "POST", "/tickets", "op1", {"category": "help", "title": "值班表为空时来电", "content": "内容"}
        )
        sms = _duty_sms(api, ticket["id"])
        assert sms["to"] == MAIN_NUMBER["phone"] and sms["to_name"] == MAIN_NUMBER["name"], sms
        assert sms["status"] == "sent", sms
        assert api.call("POST", "/admin/sweep", "admin")["duty_fallback"] == 1

        leader, admin, op = ui("leader"), ui("admin"), ui("op1")
        for u, landing in ((leader, "/queue"), (admin, "/tickets")):
            _home(u, landing)
            banner = u.page.locator(BANNER)
            expect(banner).to_have_count(1)
            expect(banner).to_have_class(re.compile(r"el-alert--error"))  # red; a calendar warning is amber
            expect(banner).to_contain_text("当前班次值班表为空")
            expect(banner).to_contain_text(f"中心总机 {MAIN_NUMBER['phone']}")
            shown = body_text(u.page)
            assert "duty_empty" not in shown and "fallback" not in shown and STAND_IN["user_id"] not in shown
        leader.shot("duty-01-empty-banner")
        _home(op, "/home")  # the banner is for admins and leaders
        expect(op.page.locator(BANNER)).to_have_count(0)
        assert "值班表为空" not in body_text(op.page)

        # ------------------------------------------------------------ staffed again: the banner is gone
        api.call("PUT", "/admin/duty/defaults", "admin", {kind: person})
        assert api.call("GET", "/admin/duty/now", "op1")["on_duty"]["user_id"] == person["user_id"]
        for u in (leader, admin):
            _refresh(u)
            expect(u.page.locator(BANNER)).to_have_count(0)
            assert "值班表为空" not in body_text(u.page)
        leader.shot("duty-02-restored")
        admin.goto("/admin/duty")  # the page names the current shift by its kind, in words
        expect(admin.page.get_by_text(f"当前班次 {SHIFT_WORDS[kind]}：{person['name']}")).to_be_visible()
    finally:
        # exactly as before: the original default back, or none (`null` removes the stand-in)
        api.call("PUT", "/admin/duty/defaults", "admin", {kind: original})
        after = api.call("GET", f"/admin/duty/roster?month={day[:7]}", "admin")["defaults"]
        assert after.get(kind) == original and after == roster["defaults"]


def test_r12345_12_the_admin_picks_a_shifts_person_by_name_and_saves_the_roster(
    ui: Any,  # noqa: F811  (the imported fixture)
    local_stack: LocalStack,
) -> None:
    api = Api(local_stack)
    month = datetime.now(SHANGHAI).strftime("%Y-%m")  # the month the page opens on
    original = api.call("GET", f"/admin/duty/roster?month={month}", "admin")["items"]
    key = (f"{month}-01", "day")  # where the page's 添加班次 puts a new row
    assert all((e["date"], e["shift"]) != key for e in original), f"{key} is already staffed this month"
    known = {p["user_id"]: p["phone"] for p in api.call("GET", "/admin/duty/staff", "admin")["items"]}
    admin = ui("admin")
    try:
        admin.login("/tickets")
        admin.goto("/admin/duty")
        table = admin.page.get_by_test_id("duty-table")
        expect(table.locator("tr.el-table__row")).to_have_count(len(original))
        row = len(original)
        admin.page.get_by_test_id("duty-add").click()
        picker = admin.page.get_by_test_id(f"duty-person-{row}")
        picker.click()
        picker.locator("input").fill("王")  # part of the name
        admin.page.locator(".el-select-dropdown__item:visible", has_text="王芳").first.click()
        phone = admin.input_of(admin.page.get_by_test_id(f"duty-phone-{row}"))
        expect(phone).to_have_value(known.get(STAND_IN["user_id"], ""))  # the mobile last entered for 王芳, if any
        phone.fill(STAND_IN["phone"])  # still editable: the duty SMS goes to it
        admin.shot("duty-03-picked-by-name")
        admin.page.get_by_test_id("duty-save").click()
        expect(admin.page.get_by_text(f"已保存 {len(original) + 1} 条排班")).to_be_visible()
        shown = body_text(admin.page)
        assert STAND_IN["user_id"] not in shown, "the picker shows names, never a login id"

        saved = api.call("GET", f"/admin/duty/roster?month={month}", "admin")["items"]
        added = [e for e in saved if (e["date"], e["shift"]) == key]
        assert added == [{"date": key[0], "shift": key[1], **STAND_IN}], added
    finally:
        # the month's roster exactly as before (the added shift removed), whatever happened above
        restored = api.call("PUT", "/admin/duty/roster", "admin", {"month": month, "entries": original})
        assert restored["stored"] == len(original)
        after = api.call("GET", f"/admin/duty/roster?month={month}", "admin")["items"]
        assert sorted(after, key=lambda e: (e["date"], e["shift"])) == sorted(
            original, key=lambda e: (e["date"], e["shift"])
        )
