"""The Friday 18:00 report from the head's SMS link to the page in the built SPA (R-WORK-04), headless Chromium
against the local stack.

The admin names the leader head of the centre with a mobile; the office-work sweep at next Friday 18:05 (the
local-mode route `POST /admin/work-sweep {"at"}`, the same `services.work.sweep` the timer calls; next week, so
the stack's own timer has not generated it yet) writes the report and texts the head a link to the SPA's page
`/work/friday/{monday}`. The head opens that link signed out, logs in on the page the router sends them to, comes
back to the report, sees it in the frame and downloads the archived PDF. The home page's line about this week's
report opens the same page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    SHANGHAI,
    Api,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)
from tests.helpers.accounts import totp_now

HEAD_MOBILE = "13957609901"


def _friday_sms(api: Api, day: str, week: str) -> dict[str, Any]:
    items = api.call("GET", f"/admin/sms?day={day}", "admin")["items"]
    found = [
        m for m in items if m["template"] == "work_friday_report" and m["ticket_id"] == f"W{week.replace('-', '')}"
    ]
    assert len(found) == 1, found
    return found[0]


def test_r_work_04_head_opens_the_sms_link_logs_in_and_gets_the_report_and_its_pdf(
    ui: Any, local_stack: LocalStack
) -> None:
    api = Api(local_stack)
    today = datetime.now(SHANGHAI).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week: no timer has reached it
    friday = datetime.combine(monday + timedelta(days=4), time(18, 5), tzinfo=SHANGHAI)
    title = f"整理周五报告材料 E2E {datetime.now(UTC):%H%M%S}"
    deadline = datetime.combine(monday + timedelta(days=9), time(17), tzinfo=SHANGHAI)  # still in progress then
    api.call("POST", "/work/actions", "leader", {"title": title, "owner_id": "op1", "deadline": deadline.isoformat()})
    office = api.call("GET", "/work/settings", "admin")
    api.call("PUT", "/work/settings", "admin", dict(office, head_id="leader"))
    api.call("PUT", "/admin/duty/staff/leader", "admin", {"name": "陈主任", "phone": HEAD_MOBILE})

    swept = api.call("POST", "/admin/work-sweep", "admin", {"at": friday.astimezone(UTC).isoformat()})
    assert swept["friday_reports"] == 1, swept

    sms = _friday_sms(api, friday.date().isoformat(), monday.isoformat())
    assert sms["e164"] == f"+86{HEAD_MOBILE}", sms
    link = re.search(r"https?://[^\s（）]+", sms["text"])
    assert link and link.group(0) == f"{local_stack.web}/work/friday/{monday.isoformat()}", sms["text"]

    head = ui("leader")
    head.page.goto(link.group(0))  # signed out: the router asks for a login first
    head.page.wait_for_url(re.compile(r"/login\?redirect="))
    head.page.get_by_test_id("login-username").fill("leader")
    head.page.get_by_test_id("login-password").fill("Hotline#2026leader")
    head.page.get_by_test_id("login-submit").click()
    head.page.get_by_test_id("login-totp").fill(totp_now("leader"))
    head.page.get_by_test_id("login-totp-submit").click()
    head.page.wait_for_url(f"**/work/friday/{monday.isoformat()}")  # and back to the report

    frame = head.page.frame_locator('[data-test="friday-frame"]')
    expect(frame.locator("h1")).to_contain_text("工作进展和延误情况报告")
    expect(frame.locator("body")).to_contain_text(title)
    assert head.page.get_by_test_id("friday-frame").get_attribute("sandbox") == "allow-same-origin allow-modals"
    expect(head.page.get_by_test_id("friday-print")).to_be_enabled()
    head.shot("work-friday-report")

    with head.page.expect_download() as download:
        head.page.get_by_test_id("friday-pdf").click()
    assert download.value.suggested_filename == f"工作进展和延误情况报告（{monday.isoformat()}）.pdf"
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_r_work_04_the_home_pages_report_line_opens_the_same_page(ui: Any, local_stack: LocalStack) -> None:
    api = Api(local_stack)
    now = datetime.now(SHANGHAI)
    monday = now.date() - timedelta(days=now.weekday())
    friday = datetime.combine(monday + timedelta(days=4), time(18, 5), tzinfo=SHANGHAI)
    at = max(friday, now)  # this week's report: at Friday 18:05, or now if that has passed (idempotent)
    api.call("POST", "/admin/work-sweep", "admin", {"at": at.astimezone(UTC).isoformat()})

    leader = ui("leader")
    leader.login("/queue")
    leader.goto("/home")
    line = leader.page.get_by_test_id("due-friday")
    expect(line).to_contain_text("本周工作进展报告已生成")
    line.get_by_test_id("due-friday-open").click()
    leader.page.wait_for_url(f"**/work/friday/{monday.isoformat()}")
    expect(leader.page.frame_locator('[data-test="friday-frame"]').locator("h1")).to_contain_text(
        "工作进展和延误情况报告"
    )
