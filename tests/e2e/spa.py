"""What every SPA e2e module shares: Chromium (Debian's /usr/bin/chromium, driven by the `playwright` package
without `playwright install`), the skips, the `browser` / `artifacts` / `ui` fixtures (a signed-in user per browser
context, console errors fail the test) and `Api` for setting tickets up over HTTP. Test modules import the fixtures
by name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.conftest import ROOT, LocalStack, spa_login

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -r requirements-dev.txt")
Browser = sync_api.Browser
Page = sync_api.Page
expect = sync_api.expect

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORT = {"width": 1280, "height": 720}
SHANGHAI = ZoneInfo("Asia/Shanghai")
CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
TIMEOUT_MS = 20_000

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (make apt)"),
    pytest.mark.skipif(
        not (ROOT / "frontend" / "dist" / "index.html").exists(), reason="frontend not built (make frontend)"
    ),
]

# Console noise that is not the SPA's fault (none expected on 127.0.0.1, kept narrow on purpose).
EXTERNAL_NOISE = (re.compile(r"favicon\.ico"), re.compile(r"DevTools"))


def _password(user: str) -> str:
    return f"Hotline#2026{user}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_api.sync_playwright() as pw:
        pw.selectors.set_test_id_attribute("data-test")
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


class UI:
    """One signed-in user in their own browser context (sessionStorage is per context)."""

    def __init__(self, browser: Browser, stack: LocalStack, artifacts: Path, user: str) -> None:
        self.stack, self.artifacts, self.user = stack, artifacts, user
        self.context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.errors: list[str] = []
        # HTTP statuses the current step expects from the API (Chromium logs those as console errors)
        self.expected_status: set[int] = set()
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _on_console(self, msg: Any) -> None:
        if msg.type != "error":
            return
        text = msg.text
        url = (msg.location or {}).get("url", "")
        if any(p.search(text) or p.search(url) for p in EXTERNAL_NOISE):
            return
        status = re.search(r"status of (\d{3})", text)
        if status and int(status.group(1)) in self.expected_status and url.startswith(self.stack.api):
            return
        self.errors.append(f"console.error: {text} ({url})")

    # ------------------------------------------------------------------ navigation

    def goto(self, path: str) -> None:
        self.page.goto(self.stack.web + path)

    def login(self, landing: str) -> None:
        spa_login(self.page, self.stack.web, self.user, _password(self.user))  # password, then the TOTP code
        self.page.wait_for_url(f"**{landing}")

    def shot(self, name: str) -> Path:
        path = self.artifacts / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def open_ticket(self, tid: str) -> None:
        self.goto(f"/tickets/{tid}")
        expect(self.page.get_by_test_id("ticket-id")).to_have_text(tid)

    def status_is(self, status: str) -> None:
        expect(self.page.locator(".page-header").get_by_test_id("ticket-status")).to_have_attribute(
            "data-status", status
        )

    # ------------------------------------------------------------------ element-plus widgets

    def dialog(self, verb: str) -> Any:
        """Open the verb's form: a dialog, or on the ticket page the work pane docked beside the ticket (reply,
        review, callback, extension); both carry `data-test="action-dialog"` and `data-verb`."""
        self.page.get_by_test_id(f"action-{verb}").click()
        dlg = self.page.locator(f'[data-test="action-dialog"][data-verb="{verb}"]')
        expect(dlg).to_be_visible()
        return dlg

    def confirm(self, dlg: Any) -> None:
        dlg.get_by_test_id("dialog-confirm").click()
        expect(dlg).to_be_hidden()

    def choose(self, scope: Any, test_id: str, option: str) -> None:
        """Open an el-select and click the option with this text (options are teleported to body)."""
        scope.get_by_test_id(test_id).click()
        self.page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()

    @staticmethod
    def input_of(loc: Any) -> Any:
        """The <input>/<textarea> an element-plus widget's data-test landed on (the field itself or a wrapper)."""
        return (
            loc if loc.evaluate("el => el.tagName") in ("INPUT", "TEXTAREA") else loc.locator("input, textarea").first
        )

    def fill(self, scope: Any, test_id: str, text: str) -> None:
        self.input_of(scope.get_by_test_id(test_id)).fill(text)

    def radio(self, scope: Any, test_id: str, label: str) -> None:
        scope.get_by_test_id(test_id).locator(".el-radio", has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).click()

    def check_clean(self) -> None:
        assert not self.errors, "\n".join(self.errors)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def ui(browser: Browser, local_stack: LocalStack, artifacts: Path) -> Iterator[Any]:
    """`ui("op1")` → a UI; every UI made is checked for console errors and closed at the end."""
    made: list[UI] = []

    def make(user: str) -> UI:
        u = UI(browser, local_stack, artifacts, user)
        made.append(u)
        return u

    yield make
    try:
        for u in made:
            u.check_clean()
    finally:
        for u in made:
            u.close()


class Api:
    """Setting up side tickets over HTTP (the browser walk is what is under test)."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, user: str, body: dict[str, Any] | None = None) -> Any:
        if user not in self.tokens:
            self.tokens[user] = self.stack.login(user)["id_token"]
        resp = requests.request(
            method,
            self.stack.api + path,
            json=body,
            timeout=30,
            headers={"Authorization": f"Bearer {self.tokens[user]}"},
        )
        assert resp.ok, (method, path, resp.status_code, resp.text)
        return resp.json()


def body_text(page: Page) -> str:
    """What the page shows, as text."""
    return page.locator("body").inner_text()
