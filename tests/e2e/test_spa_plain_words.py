"""Users read names, never codes: each role's main pages in zh-CN show no raw enum code and no rule id, a
422 of the action dialog is shown under the field it names, the working calendar shows the statutory days
(休 / 班) apart from the admin's overrides, and the printed archive record shows names and local times.

One local stack; signed in as the operator (op1), a unit handler (uh1), the leader, the admin and records.
Visible text is read with `body_text`; screenshots go to tests/e2e/artifacts/plain-words-*.png. Console errors
fail the test (the `ui` fixture).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    SHANGHAI,
    Api,
    artifacts,
    body_text,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

RULE_ID = re.compile(r"\bR-\d{5}-\d+\b|R-12369|R-WORK|R-SEC")
# codes a user could meet when a name is missing (roles, statuses, calls, reply sections, decisions …)
CODES = (
    "handler",
    "unit_handler",
    "operator",
    "leader",
    "analyst",
    "records",
    "submitted",
    "dispatched",
    "handling",
    "replied",
    "reviewed",
    "called_back",
    "extension_requested",
    "dispatch_notice",
    "reached",
    "no_answer",
    "investigation",
    "basis",
    "satisfied",
    "basically_satisfied",
    "approved",
    "denied",
    "complaint",
    "validation_error",
    "new_due",
)
CODE = re.compile(r"(?<![A-Za-z0-9_])(" + "|".join(CODES) + r")(?![A-Za-z0-9_])")
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _leaks(text: str) -> list[str]:
    """Rule ids and codes in a page's visible text, each with a little of its context."""
    found = [m for pattern in (RULE_ID, CODE) for m in pattern.finditer(text)]
    return [repr(text[max(0, m.start() - 30) : m.end() + 30]) for m in found]


def _closed(api: Api) -> str:
    """A closed demo ticket whose archive is written (the archiver runs off the stream)."""
    deadline = time.monotonic() + 90
    while True:
        items = api.call("GET", "/archive/search?hotline=12345&limit=5", "records")["items"]
        if items:
            return str(items[0]["ticket_id"])
        if time.monotonic() > deadline:
            pytest.fail("no archived ticket in the demo data after 90 s")
        time.sleep(2)


def _handling(api: Api, title: str) -> dict[str, Any]:
    body = {
        "category": "complaint",
        "title": title,
        "content": "夜间施工噪音",
        "caller": {"name": "王五", "phone": "13900003333"},
    }
    tid = api.call("POST", "/tickets", "op1", body)["id"]
    api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    return dict(api.call("POST", f"/tickets/{tid}/sign", "uh1", {}))


@pytest.fixture(scope="module")
def tickets(local_stack: LocalStack) -> dict[str, str]:
    """A closed demo ticket (calls, reply, callback), one being handled, one with an extension requested."""
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    handling = _handling(api, f"夜间施工 用语 {stamp}")
    extended = _handling(api, f"道路破损 用语 {stamp}")
    due = datetime.fromisoformat(extended["handle_due"]).astimezone(SHANGHAI).date()
    body = {"reason": "需联合调查", "new_due": (due + timedelta(days=20)).isoformat()}
    api.call("POST", f"/tickets/{extended['id']}/request-extension", "uh1", body)
    decided = _handling(api, f"井盖缺失 用语 {stamp}")
    due = datetime.fromisoformat(decided["handle_due"]).astimezone(SHANGHAI).date()
    body = {"reason": "需联合调查", "new_due": (due + timedelta(days=20)).isoformat()}
    api.call("POST", f"/tickets/{decided['id']}/request-extension", "uh1", body)
    api.call("POST", f"/tickets/{decided['id']}/decide-extension", "leader", {"approve": True})
    return {
        "closed": _closed(api),
        "handling": str(handling["id"]),
        "extended": str(extended["id"]),
        "decided": str(decided["id"]),
    }


def _visit(u: Any, name: str, path: str) -> list[str]:
    u.goto(path)
    page = u.page
    page.wait_for_load_state("networkidle")
    expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
    page.wait_for_timeout(300)
    u.shot(f"plain-words-{u.user}-{name}")
    # the users page lists each account by its login name (what the person types to log in): a name, not a code
    accounts = {a.strip() for a in page.locator('[data-test="user-row"]').all_inner_texts()}
    text = "\n".join(line for line in body_text(page).splitlines() if line.strip() not in accounts)
    return [f"{u.user} {name} ({path}): {leak}" for leak in _leaks(text)]


def test_no_code_or_rule_id_on_any_role_main_page(ui: Any, tickets: dict[str, str]) -> None:
    ticket = f"/tickets/{tickets['closed']}"
    pages = {
        ("op1", "/home"): [
            ("home", "/home"),
            ("tickets", "/tickets"),
            ("ticket-closed", ticket),
            ("ticket-extension", f"/tickets/{tickets['extended']}"),
            ("units", "/units"),
            ("calendar", "/admin/calendar"),
        ],
        ("uh1", "/home"): [
            ("home", "/home"),
            ("tickets", "/unit-tickets"),
            ("ticket", f"/tickets/{tickets['handling']}"),
        ],
        ("leader", "/queue"): [
            ("queue", "/queue"),
            ("tickets", "/tickets"),
            ("ticket-extension", f"/tickets/{tickets['extended']}"),
            ("ticket-extension-decided", f"/tickets/{tickets['decided']}"),
            ("ticket-closed", ticket),
            ("calendar", "/admin/calendar"),
        ],
        ("admin", "/tickets"): [
            ("tickets", "/tickets"),
            ("users", "/admin/users"),
            ("units", "/admin/units"),
            ("calendar", "/admin/calendar"),
            ("duty", "/admin/duty"),
            ("partners", "/admin/partners"),
            ("templates", "/templates"),
            ("limits", "/admin/limits"),
        ],
        ("records", "/archive"): [
            ("archive", "/archive"),
            ("archive-record", f"/archive/{tickets['closed']}"),
        ],
    }
    found: list[str] = []
    for (user, landing), visits in pages.items():
        u = ui(user)
        u.login(landing)
        for name, path in visits:
            found += _visit(u, name, path)
    assert not found, "\n".join(found)


def test_a_server_refusal_is_shown_under_the_field_it_names(
    ui: Any, tickets: dict[str, str], local_stack: LocalStack
) -> None:
    api = Api(local_stack)
    ticket = _handling(api, f"占道经营 校验 {datetime.now(UTC):%H%M%S}")
    tid = str(ticket["id"])
    due = datetime.fromisoformat(ticket["handle_due"]).astimezone(SHANGHAI).date()
    too_late = (due + timedelta(days=3 * 366)).isoformat()  # the picker allows it; the server: within two years
    uh = ui("uh1")
    uh.login("/home")
    uh.open_ticket(tid)
    dlg = uh.dialog("request-extension")
    uh.fill(dlg, "field-reason", "需协调住建部门联合处置")
    date_input = uh.input_of(dlg.get_by_test_id("field-new-due"))
    date_input.click()
    date_input.fill(too_late)
    expect(date_input).to_have_value(too_late)
    date_input.press("Enter")
    uh.input_of(dlg.get_by_test_id("field-reason")).click()  # close the picker
    uh.expected_status = {422}
    dlg.get_by_test_id("dialog-confirm").click()

    item = dlg.locator('.el-form-item[data-field="new_due"]')
    expect(item).to_have_class(re.compile(r"\bis-error\b"))
    expect(item.locator(".el-form-item__error")).to_contain_text("须在两年以内")
    expect(item).to_contain_text("延期至")
    expect(dlg.get_by_test_id("dialog-error")).to_have_count(0)  # no banner of codes
    assert not _leaks(dlg.inner_text()), _leaks(dlg.inner_text())
    uh.shot("plain-words-extension-field-error")
    uh.status_is("handling")


def test_calendar_shows_the_statutory_days_and_the_overrides_apart(ui: Any) -> None:
    admin = ui("admin")
    admin.login("/tickets")
    admin.goto("/admin/calendar?year=2026")
    page = admin.page
    october = page.get_by_test_id("calendar-month-10")
    expect(october).to_contain_text("休 7")  # National Day 1–7 October (chinesecalendar)
    national_day = october.locator('button[data-date="2026-10-01"]')
    expect(national_day).to_have_attribute("data-kind", "holiday")
    expect(national_day).to_have_attribute("data-source", "package")
    expect(national_day).to_have_attribute("title", re.compile("国庆节"))
    make_up = october.locator('button[data-date="2026-10-10"]')
    expect(make_up).to_have_attribute("data-kind", "makeup")
    expect(page.get_by_test_id("calendar-month-2")).not_to_contain_text("休 0")
    expect(page.get_by_test_id("calendar-legend")).to_contain_text("管理员调整")
    expect(page.get_by_test_id("calendar-package-note")).to_have_count(0)
    admin.shot("plain-words-calendar-2026")

    admin.goto("/admin/calendar?year=2027")
    expect(page.get_by_test_id("calendar-package-note")).to_contain_text("2027")
    expect(page.locator('[data-source="package"]')).to_have_count(0)  # overrides only (other tests may set some)
    admin.shot("plain-words-calendar-2027")


def test_the_printed_archive_record_shows_names_and_local_times(
    tickets: dict[str, str], local_stack: LocalStack
) -> None:
    api = Api(local_stack)
    link = api.call("GET", f"/archive/{tickets['closed']}/download?file=record.html", "records")
    html = requests.get(link["url"], timeout=30).content.decode()
    text = re.sub(r"<[^>]+>", " ", html.split("<body>", 1)[1])
    assert "工单归档记录" in text
    assert not ISO_INSTANT.search(text), ISO_INSTANT.search(text)
    for code in ("phone", "dispatch_notice", "reached", "investigation", "basis", "satisfied", "approved"):
        assert not re.search(rf"(?<![A-Za-z_]){code}(?![A-Za-z_])", text), code
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
