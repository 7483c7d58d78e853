"""Every role's pages at 1366×768 and 1920×1080, in zh-CN and en-US: no overlapping text, nothing cut off.

One stack, one browser, one signed-in context per role. On each page a JS snippet (`LAYOUT_JS`) collects the
visible text (every text node, line by line) and the form widgets (inputs, selects, buttons, radios … as one
box each), each clipped by the ancestors that hide their overflow, and reports

- two items that overlap (more than `TOLERANCE_PX` both ways) unless one is inside the other (a widget's own
  text, a button in a card header is not an overlap — its text over the header's title is);
- an item whose right edge is beyond the viewport, unless it sits in a horizontally scrolling container
  (a wide table), and a page that scrolls sideways; a button or link that only scrolling such a container
  sideways brings into view (a row's action must be in sight);
- text cut off by a box that hides its overflow (an ellipsis) without a `title` or tooltip to read it whole,
  a placeholder longer than its input, text spilling out of its own box (a label's second line over the
  row below).

The signed-in layout scrolls inside `el-main`; for the check the page is laid out at full height (the
`EXPAND_CSS` below), so everything below the fold is checked too and the screenshot shows the whole page:
`tests/e2e/artifacts/layout/{role}-{page}-{width}x{height}-{locale}.png`. Console errors fail the test (the
`ui` fixture). `test_the_check_finds_overlaps_cut_offs_and_spills` runs the snippet on a page built to fail
it, so the check is known to catch each kind of fault. Run alone:
`make frontend && .venv/bin/python -m pytest -q -p no:cacheprovider tests/e2e/test_spa_layout.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, spa_login
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    ARTIFACTS,
    CALL,
    SHANGHAI,
    Api,
    _password,
    artifacts,
    browser,
    expect,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

SIZES = [(1366, 768), (1920, 1080)]
LOCALES = ["zh-CN", "en-US"]
LOCALE_KEY = "hotline.locale"  # frontend/src/locales/index.ts
TOLERANCE_PX = 2

# The signed-in layout at full height: the document scrolls instead of el-main (same widths).
EXPAND_CSS = (
    ".layout { height: auto !important; min-height: 100vh; } .layout .el-main { overflow: visible !important; }"
)

LAYOUT_JS = r"""
(tolerance) => {
  // Widgets measured as one box (their own text inside is part of them).
  const ATOMS = [
    '.el-input', '.el-textarea', '.el-select', '.el-select-v2', '.el-date-editor', '.el-input-number',
    '.el-cascader', '.el-switch', '.el-radio', '.el-radio-button', '.el-checkbox', '.el-checkbox-button',
    '.el-button', 'button', 'input', 'textarea', 'select', '.el-tag', '.el-pagination', '.el-upload', 'a[href]',
  ].join(',');
  const ACTIONS = 'button, .el-button, a[href]';
  // Scrolling containers where content beyond the right edge is reachable on purpose.
  const SCROLLERS_OK = (el) => !['HTML', 'BODY'].includes(el.tagName) && !el.classList.contains('el-main');
  const vw = document.documentElement.clientWidth;

  // The modal on top, if any: only what is in it is visible to the user.
  const overlays = [...document.querySelectorAll('.el-overlay, .el-overlay-dialog')].filter(
    (o) => getComputedStyle(o).display !== 'none' && o.getClientRects().length > 0);
  const root = overlays.length ? overlays[overlays.length - 1] : document.body;

  const styleCache = new Map();
  const style = (el) => {
    let s = styleCache.get(el);
    if (!s) { s = getComputedStyle(el); styleCache.set(el, s); }
    return s;
  };
  const hiddenCache = new Map();
  const hidden = (el) => {
    if (!el || el === document.documentElement) return false;
    if (hiddenCache.has(el)) return hiddenCache.get(el);
    const s = style(el);
    const h = s.display === 'none' || parseFloat(s.opacity) === 0 || hidden(el.parentElement);
    hiddenCache.set(el, h);
    return h;
  };
  // The visible part of a rect: cut by every ancestor that clips (overflow other than visible). `scroller`:
  // the first horizontally scrolling one (a table header scrolls with its body); `clipper`: the first that
  // cuts the rect sideways; `clipperY`, `scrollerY` the same downwards.
  const scrolls = (a, o, size, client) =>
    ((o === 'auto' || o === 'scroll') || a.classList.contains('el-table__header-wrapper')
      || a.classList.contains('el-table__footer-wrapper')) && size > client + 1 && SCROLLERS_OK(a);
  const clip = (el, r) => {
    let [l, t, rr, b] = [r.left, r.top, r.right, r.bottom];
    let scroller = null, clipper = null, scrollerY = null, clipperY = null;
    for (let a = el; a && a !== document.documentElement; a = a.parentElement) {
      const s = style(a);
      if (a.classList.contains('el-main') || a.tagName === 'BODY') continue;
      const ox = s.overflowX, oy = s.overflowY;
      if (ox === 'visible' && oy === 'visible') continue;
      const ar = a.getBoundingClientRect();
      if (ox !== 'visible') {
        if (!scroller && scrolls(a, ox, a.scrollWidth, a.clientWidth)) scroller = a;
        if (!clipper && (rr > ar.right + 1 || l < ar.left - 1)) clipper = a;
        l = Math.max(l, ar.left); rr = Math.min(rr, ar.right);
      }
      if (oy !== 'visible') {
        if (!scrollerY && scrolls(a, oy, a.scrollHeight, a.clientHeight)) scrollerY = a;
        if (!clipperY && (b > ar.bottom + 1 || t < ar.top - 1)) clipperY = a;
        t = Math.max(t, ar.top); b = Math.min(b, ar.bottom);
      }
    }
    return { l, t, r: rr, b, scroller, clipper, scrollerY, clipperY };
  };
  const titled = (el, upto) => {
    const atom = el.closest(ATOMS);
    if (atom && atom.contains(upto)) upto = atom;
    for (let a = el; a; a = a.parentElement) {
      if (a.hasAttribute('title') || a.classList.contains('el-tooltip') || a.hasAttribute('aria-describedby')) return true;
      if (a === upto) break;
    }
    return false;
  };
  const describe = (node) => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    const text = (node.nodeType === 3 ? node.textContent : (el.innerText || el.value || el.placeholder || ''))
      .trim().replace(/\s+/g, ' ').slice(0, 40);
    let tagged = el.closest('[data-test]');
    const where = tagged ? `[data-test=${tagged.getAttribute('data-test')}]` : '';
    const cls = (el.className && typeof el.className === 'string') ? '.' + el.className.trim().split(/\s+/)[0] : '';
    return `${el.tagName.toLowerCase()}${cls}${where} "${text}"`;
  };

  const items = [];
  const problems = [];
  const atomOf = (el) => {
    let top = null;
    for (let a = el; a && a !== root.parentElement; a = a.parentElement) if (a.matches && a.matches(ATOMS)) top = a;
    return top;
  };
  // widgets
  for (const el of root.querySelectorAll(ATOMS)) {
    if (atomOf(el) !== el || hidden(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const c = clip(el, r);
    if (c.scroller && el.matches(ACTIONS)) {
      // a button or link of a table row that only scrolling sideways brings into view
      const sr = c.scroller.getBoundingClientRect();
      if (r.right > sr.right + 1 || r.left < sr.left - 1) {
        problems.push(`action reachable only by scrolling sideways: ${describe(el)}`);
      }
    }
    if (c.r - c.l < 1 || c.b - c.t < 1) continue;
    items.push({ node: el, atom: el, raw: r, ...c });
  }
  // text, line by line
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
    acceptNode: (n) => (n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT),
  });
  const range = document.createRange();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || ['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'OPTION'].includes(el.tagName) || hidden(el)) continue;
    if (style(el).visibility === 'hidden') continue;
    range.selectNodeContents(n);
    const atom = atomOf(el);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      const c = clip(el, r);
      if (c.r - c.l < 1 || c.b - c.t < 1) continue;
      items.push({ node: n, atom, raw: r, ...c });
    }
  }

  // cut off: beyond the viewport, an ellipsis nobody can read whole, text spilling out of its box
  const seen = new Set();
  const once = (node, msg) => { if (!seen.has(node)) { seen.add(node); problems.push(msg); } };
  const blockOf = (el) => {
    let a = el;
    while (a.parentElement && style(a).display.startsWith('inline')) a = a.parentElement;
    return a;
  };
  for (const it of items) {
    if (it.r > vw + 1 && !it.scroller) {
      once(it.atom || it.node, `cut off at the right edge (${Math.round(it.r)} > ${vw}px): ${describe(it.node)}`);
      continue;
    }
    if (it.node.nodeType !== 3) continue;
    const el = it.node.parentElement;
    const cutX = it.clipper && !it.scroller && (it.raw.right - it.r > tolerance || it.l - it.raw.left > tolerance);
    const cutY = it.clipperY && !it.scrollerY && it.raw.bottom - it.b > tolerance;
    if (cutX) {
      if (!titled(el, it.clipper)) {
        once(it.node, `text cut off sideways by ${describe(it.clipper).split(' ')[0]} with no title: ${describe(it.node)}`);
      }
    } else if (cutY) {
      if (!titled(el, it.clipperY)) {
        once(it.node, `text cut off at the bottom by ${describe(it.clipperY).split(' ')[0]}: ${describe(it.node)}`);
      }
    } else {
      const block = blockOf(el);
      const box = block.getBoundingClientRect();
      if (it.raw.bottom > box.bottom + tolerance + 1 || it.raw.right > box.right + tolerance + 1) {
        const at = `${Math.round(it.raw.right)},${Math.round(it.raw.bottom)} > ${Math.round(box.right)},${Math.round(box.bottom)}`;
        once(it.node, `text spills out of ${describe(block).split(' ')[0]} (${at}): ${describe(it.node)}`);
      }
    }
  }
  // placeholders (not text nodes): measured in the input's own font
  const ctx = document.createElement('canvas').getContext('2d');
  for (const input of root.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (input.value || !input.placeholder || hidden(input) || input.type === 'hidden') continue;
    const r = input.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    const s = style(input);
    ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    const need = input.tagName === 'TEXTAREA' ? 0 : ctx.measureText(input.placeholder).width;
    if (need > room + tolerance && !titled(input, input.closest(ATOMS) || input)) {
      once(input, `placeholder cut off (${Math.round(need)} > ${Math.round(room)}px) with no title: ${describe(input)}`);
    }
  }
  if (document.documentElement.scrollWidth > vw + 1) {
    problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw}px)`);
  }
  // overlaps: sweep by top edge
  items.sort((a, b) => a.t - b.t);
  const nested = (a, b) => {
    if (a.node === b.node || (a.atom && a.atom === b.atom)) return true;
    if (a.node.nodeType === 1 && a.node.contains(b.node)) return true;
    if (b.node.nodeType === 1 && b.node.contains(a.node)) return true;
    return false;
  };
  const pairs = new Set();
  for (let i = 0; i < items.length; i++) {
    const a = items[i];
    for (let j = i + 1; j < items.length && items[j].t < a.b - tolerance; j++) {
      const b = items[j];
      const w = Math.min(a.r, b.r) - Math.max(a.l, b.l);
      const h = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (w <= tolerance || h <= tolerance || nested(a, b)) continue;
      const msg = `overlap ${Math.round(w)}×${Math.round(h)}px: ${describe(a.node)} ⟷ ${describe(b.node)}`;
      if (!pairs.has(msg)) { pairs.add(msg); problems.push(msg); }
    }
  }
  return { count: items.length, problems };
}
"""


class Layout:
    """One role's signed-in context; checks pages in both locales at both sizes and keeps what it found."""

    def __init__(self, ui: Any, user: str, role: str, *, signed_in: bool = True) -> None:
        self.u = ui(user)
        self.role = role
        self.found: list[str] = []
        self.out = ARTIFACTS / "layout"
        self.out.mkdir(parents=True, exist_ok=True)
        page = self.u.page
        if signed_in:
            spa_login(page, self.u.stack.web, user, _password(user))
            page.wait_for_url(lambda url: "/login" not in url)
        else:
            self.u.goto("/login")  # the origin's storage, for the locale

    def set_locale(self, locale: str) -> None:
        self.u.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [LOCALE_KEY, locale])

    def settle(self) -> None:
        page = self.u.page
        page.wait_for_load_state("networkidle")
        expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
        page.evaluate("document.fonts.ready.then(() => true)")

    def check(self, name: str, locale: str) -> None:
        """The current page at every size: measure, screenshot."""
        page = self.u.page
        page.add_style_tag(content=EXPAND_CSS)
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.wait_for_timeout(250)  # resize observers (tables, charts) re-lay out
            expect(page.locator(".el-loading-mask:visible")).to_have_count(0)
            result = page.evaluate(LAYOUT_JS, TOLERANCE_PX)
            tag = f"{self.role}-{name}-{width}x{height}-{locale}"
            page.screenshot(path=str(self.out / f"{tag}.png"), full_page=True)
            assert result["count"] >= 5, f"{tag}: nothing measured ({result['count']} items)"
            self.found += [f"{tag}: {p}" for p in result["problems"]]

    def page(self, name: str, path: str, ready: Callable[[Any], None] | None = None) -> None:
        """`path` in both locales; `ready` opens what the page should show (a dialog, a work pane)."""
        for locale in LOCALES:
            self.set_locale(locale)
            self.u.goto(path)
            self.settle()
            if ready:
                ready(self.u.page)
            self.check(name, locale)

    def assert_clean(self) -> None:
        assert not self.found, f"{len(self.found)} layout problems:\n" + "\n".join(self.found)


# --------------------------------------------------------------------------- data the pages show


@pytest.fixture(scope="module")
def tickets(local_stack: LocalStack) -> dict[str, str]:
    """Tickets at each step the pages show (received, handling, extension asked, replied, reviewed), a 12369
    report, and the office work a leader decides (a request to approve, an action item, a notice to U001)."""
    api = Api(local_stack)
    stamp = f"{datetime.now(UTC):%H%M%S}"
    body = {
        "category": "complaint",
        "title": f"小区夜间施工噪音扰民 布局 {stamp}",
        "content": "海游街道某小区工地夜间22点后仍在施工，噪音很大，影响休息。",
        "address": "三门县海游街道1号",
        "caller": {"name": "张三丰", "phone": "13800001234"},
    }
    received = str(api.call("POST", "/tickets", "op1", body)["id"])
    handling = str(api.call("POST", "/tickets", "op1", {**body, "title": f"占道经营 布局 {stamp}"})["id"])
    api.call("POST", f"/tickets/{handling}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{handling}/sign", "uh1", {})
    extended = str(api.call("POST", "/tickets", "op1", {**body, "title": f"路灯损坏 布局 {stamp}"})["id"])
    api.call("POST", f"/tickets/{extended}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    signed = api.call("POST", f"/tickets/{extended}/sign", "uh1", {})
    new_due = datetime.fromisoformat(signed["handle_due"]).astimezone(SHANGHAI).date() + timedelta(days=20)
    extension = {"reason": "需协调住建部门联合处置", "new_due": new_due.isoformat()}
    api.call("POST", f"/tickets/{extended}/request-extension", "uh1", extension)
    replied = str(api.call("POST", "/tickets", "op1", {**body, "title": f"违规收费 布局 {stamp}"})["id"])
    api.call("POST", f"/tickets/{replied}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{replied}/sign", "uh1", {})
    template = api.call("GET", "/reply-templates/complaint", "uh1")
    sections = {s["id"]: "已现场核查并责令整改，依据《噪声污染防治法》相关规定处理。" for s in template["sections"]}
    api.call("POST", f"/tickets/{replied}/reply", "uh1", {"sections": sections})
    reviewed = str(api.call("POST", "/tickets", "op1", {**body, "title": f"垃圾清运 布局 {stamp}"})["id"])
    api.call("POST", f"/tickets/{reviewed}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    api.call("POST", f"/tickets/{reviewed}/sign", "uh1", {})
    api.call("POST", f"/tickets/{reviewed}/reply", "uh1", {"sections": sections})
    api.call("POST", f"/tickets/{reviewed}/review", "op1", {"approve": True})
    env = {
        "hotline": "12369",
        "title": f"化工厂偷排废水 布局 {stamp}",
        "content": "某化工厂夜间通过暗管排放废水",
        "entity": {"name": "某化工有限公司", "address": "沙柳镇工业区8号"},
        "demand": "要求查处",
        "caller": {"name": "李四", "phone": "13900002222"},
    }
    report = str(api.call("POST", "/tickets", "op1", env)["id"])
    # office work the leader's pages list: a request to approve, an action item, a notice to a unit
    soon = (datetime.now(SHANGHAI) + timedelta(days=7)).date().isoformat()
    api.call(
        "POST", "/work/approvals", "op1", {"kind": "leave", "title": f"事假一天 布局 {stamp}", "approver_id": "leader"}
    )
    action = {"title": f"核对本月回访录音 布局 {stamp}", "owner_id": "op1", "deadline": soon, "meeting": "周例会"}
    api.call("POST", "/work/actions", "leader", action)
    notice = {
        "title": f"报送本月噪声投诉情况 布局 {stamp}",
        "body": "请于期限前报送。",
        "unit_ids": ["U001"],
        "deadline": soon,
    }
    api.call("POST", "/work/notices", "leader", notice)
    return {
        "received": received,
        "handling": handling,
        "extended": extended,
        "replied": replied,
        "reviewed": reviewed,
        "report": report,
    }


def _opened(verb: str) -> Callable[[Any], None]:
    """Open the action's dialog or work pane (`action-{verb}`, then `[data-verb]`)."""

    def ready(page: Any) -> None:
        page.get_by_test_id(f"action-{verb}").click()
        expect(page.locator(f'[data-verb="{verb}"]').first).to_be_visible()
        page.wait_for_timeout(400)  # the opening transition

    return ready


def _friday_shown(page: Any) -> None:
    """The week's report in its frame (the archived copy, or rendered now before Friday 18:00)."""
    expect(page.frame_locator('[data-test="friday-frame"]').locator("h1")).to_be_visible()


# --------------------------------------------------------------------------- tests


def test_layout_login_page(ui: Any) -> None:
    visitor = Layout(ui, "op1", "public", signed_in=False)
    visitor.page("login", "/login")
    visitor.assert_clean()


def test_layout_operator_pages(ui: Any, tickets: dict[str, str]) -> None:
    op = Layout(ui, "op1", "operator")
    op.page("home", "/home")
    op.page("inbox", "/tickets")
    op.page("ticket", f"/tickets/{tickets['received']}")
    op.page("dispatch", f"/tickets/{tickets['received']}", ready=_opened("dispatch"))
    op.page("intake", "/tickets/new")
    op.page("review", f"/tickets/{tickets['replied']}", ready=_opened("review"))
    op.page("callback", f"/tickets/{tickets['reviewed']}", ready=_opened("callback"))
    op.page("env-inbox", "/env-inbox")
    op.page("env-ticket", f"/tickets/{tickets['report']}")
    op.page("units", "/units")
    op.page("handovers", "/handovers")
    op.assert_clean()


def test_layout_unit_handler_reply(ui: Any, tickets: dict[str, str]) -> None:
    uh = Layout(ui, "uh1", "unit")
    uh.page("home", "/home")
    uh.page("inbox", "/unit-tickets")
    uh.page("notices", "/work/notices")
    uh.page("reply", f"/tickets/{tickets['handling']}", ready=_opened("reply"))
    uh.page("extension", f"/tickets/{tickets['handling']}", ready=_opened("request-extension"))
    uh.assert_clean()


def test_layout_leader_approvals_and_office_work(ui: Any, tickets: dict[str, str]) -> None:
    leader = Layout(ui, "leader", "leader")
    leader.page("queue", "/queue")
    for name in ("week", "dept-week", "actions", "approvals", "notices", "announcements", "figures"):
        leader.page(f"work-{name}", f"/work/{name}")
    monday = datetime.now(SHANGHAI).date() - timedelta(days=datetime.now(SHANGHAI).weekday())
    leader.page("work-friday", f"/work/friday/{monday.isoformat()}", ready=_friday_shown)  # R-WORK-04
    leader.assert_clean()


def test_layout_analyst_statistics_and_archive(ui: Any) -> None:
    analyst = Layout(ui, "analyst", "analyst")
    analyst.page("stats", "/stats")
    analyst.page("archive", "/archive")
    analyst.assert_clean()


def test_layout_admin_pages(ui: Any) -> None:
    admin = Layout(ui, "admin", "admin")
    for name, path in (
        ("users", "/admin/users"),
        ("units", "/admin/units"),
        ("calendar", "/admin/calendar"),
        ("duty", "/admin/duty"),
        ("partners", "/admin/partners"),
        ("templates", "/templates"),
        ("limits", "/admin/limits"),
        ("work-settings", "/admin/work-settings"),
    ):
        admin.page(name, path)
    admin.assert_clean()


def test_layout_auditor_security_log(ui: Any) -> None:
    auditor = Layout(ui, "auditor1", "auditor")
    auditor.page("security-log", "/security-log")
    auditor.assert_clean()


# --------------------------------------------------------------------------- the check itself can fail

FAULTY_PAGE = """
<html><body style="margin:0;font:14px sans-serif">
  <div style="position:relative;height:60px">
    <label style="position:absolute;left:10px;top:10px">Unit told the caller</label>
    <label style="position:absolute;left:60px;top:14px">Satisfaction</label>
  </div>
  <div style="width:80px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap">A long English label cut</div>
  <div style="width:80px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap" title="read on hover">Long but
    titled label</div>
  <div style="height:20px;line-height:20px;width:90px">Two lines of a label that spill</div>
  <div style="margin-top:40px"><button style="margin-left:1320px;white-space:nowrap">Beyond the edge</button></div>
  <div style="overflow-x:auto;width:300px"><div style="width:2000px"><button>Wide table, scrolls</button>
    <button style="margin-left:1400px">reachable by scrolling</button></div></div>
  <div style="border:1px solid"><span>Title</span> <button>Nested button is no overlap</button></div>
</body></html>
"""


def test_the_check_finds_overlaps_cut_offs_and_spills(browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        page = context.new_page()
        page.set_content(FAULTY_PAGE)
        problems = page.evaluate(LAYOUT_JS, TOLERANCE_PX)["problems"]
    finally:
        context.close()
    text = "\n".join(problems)
    assert any(p.startswith("overlap") and "Unit told the caller" in p and "Satisfaction" in p for p in problems), text
    assert any("cut off sideways" in p and "A long English label" in p for p in problems), text
    assert any("spills out" in p and "Two lines of a label" in p for p in problems), text
    assert any("right edge" in p and "Beyond the edge" in p for p in problems), text
    assert "sideways (" in text, text  # the page itself scrolls sideways
    assert "titled label" not in text, text
    assert any("only by scrolling sideways" in p and "reachable by scrolling" in p for p in problems), text
    assert "Wide table, scrolls" not in text, text  # in the scroller's view
    assert "Nested button" not in text, text
    assert len(problems) == 6, text
