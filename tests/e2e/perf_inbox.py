"""Time to the inbox's first page in Chromium with 10,000 tickets in the stack (a measurement, not a test:
its file name keeps it out of `make test`; `make bench-ui` runs it).

    .venv/bin/python -m pytest -q -s tests/e2e/perf_inbox.py

10,000 handling tickets (owner op1, unit U001) are written straight into the running stack's
DynamoDB (moto) through chalicelib's storage layer: one ticket is walked through the real domain
(intake → dispatch → sign) and copied with its own id and shifted dates, serialised by
`TicketRepository._to_model` (the same items the API writes; no events, which the list does not
read). The loader runs as a subprocess with the stack's environment, so this pytest process keeps
its own. Then, three times in a fresh browser context each (cold cache, signed-in session), the
time from navigation to the first inbox row in the DOM is measured in the page
(`performance.now()` polled every animation frame) for op1's ticket list and uh1's unit inbox,
and the median printed and written to tests/e2e/artifacts/perf.json.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

if __name__ != "__main__":
    from tests.e2e.conftest import ROOT, LocalStack, spa_login

N_TICKETS = int(os.environ.get("E2E_PERF_TICKETS", "10000"))
RUNS = 3
FIRST_NO = 70000  # bulk ids T{day}-70000 … (real intake counts from 1)


# ---- loader (runs as a subprocess with the stack's environment)


def load(endpoint: str, n: int) -> dict[str, Any]:
    """Write n handling tickets into the stack at this moto endpoint; returns counts and seconds."""
    from chalicelib import bootstrap
    from chalicelib.config import Settings
    from chalicelib.domain import tickets as dom
    from chalicelib.domain.model import Actor
    from chalicelib.storage.tickets import DynamoTicketRepository
    from infra import deploy, emulator

    emulator.use_dummy_credentials()  # this subprocess runs without the stack's AWS_* environment
    outputs = deploy.deploy(endpoint, "local")  # the running stack's outputs (existing stack reused)
    deps = bootstrap.build(Settings.from_env(deploy.env_for(outputs, "local")))
    assert isinstance(deps.tickets, DynamoTicketRepository) and deps.tables is not None
    now = datetime.now(UTC)
    ctx = deps.contexts.load(now)
    op, uh = Actor("op1", "operator", None, "李娜"), Actor("uh1", "unit_handler", "U001", "张伟")
    t0 = now - timedelta(hours=2)
    payload = {
        "category": "complaint",
        "title": "小区夜间施工噪音扰民（批量）",
        "content": "工地夜间22点后仍在施工，噪音很大。" * 3,
        "caller": {"name": "张三丰", "phone": "13800001234"},
        "location": {"address": "三门县海游街道"},
        "received_at": t0.isoformat(),
    }
    ticket = dom.new_ticket("T00000000-00000", payload, op, t0, ctx).after.with_changes(last_seq=1, version=1)
    for seq, (verb, actor, body) in enumerate(
        [
            ("dispatch", op, {"unit_id": "U001", "call": {"to_name": "周海", "to_phone": "13957600001"}}),
            ("sign", uh, {}),
        ],
        start=2,
    ):
        ticket = dom.apply(ticket, verb, body, actor, t0 + timedelta(minutes=seq), ctx).after.with_changes(
            last_seq=seq, version=seq
        )
    r = deps.tickets
    dates = ("received_at", "dispatch_due", "dispatched_at", "first_dispatched_at", "created_at", "updated_at")
    started = time.perf_counter()
    with deps.tables.tickets.batch_write() as batch:
        for i in range(n):
            delta = -timedelta(seconds=30 * i)  # one every 30 s going back: newest first is the template's time
            received = ticket.received_at + delta
            tid = f"T{received.astimezone(ZoneInfo('Asia/Shanghai')):%Y%m%d}-{FIRST_NO + i:05d}"
            copy = ticket.with_changes(
                ticket_id=tid, **{d: getattr(ticket, d) + delta for d in dates if getattr(ticket, d, None) is not None}
            )
            model = r.ticket_model(copy, dom.next_alert(copy, ctx), fresh=True)
            model.version = copy.version
            batch.save(model)
    return {"tickets": n, "seconds": round(time.perf_counter() - started, 1)}


if __name__ == "__main__":  # python tests/e2e/perf_inbox.py <moto endpoint> <n>
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    print(json.dumps(load(sys.argv[1], int(sys.argv[2]))))
    sys.exit(0)


# ---- measurement


def _moto_endpoint(stack: LocalStack) -> str:
    match = re.search(r"^\s*moto\s+(http://\S+)", stack.log.read_text(errors="replace"), re.MULTILINE)
    assert match, "moto endpoint not in the stack's banner"
    return match.group(1)


def _first_row_ms(browser: Any, stack: LocalStack, user: str, path: str) -> float:
    session = stack.login(user)
    stored = {
        "idToken": session["id_token"],
        "accessToken": session["access_token"],
        "expiresAt": int(time.time() * 1000) + 3_000_000,
        "user": session["user"],
    }
    context = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        context.add_init_script(f"sessionStorage.setItem('hotline.session', {json.dumps(json.dumps(stored))})")
        page = context.new_page()
        page.goto(stack.web + path, wait_until="commit")
        handle = page.wait_for_function(
            "() => document.querySelector('[data-test=\"inbox-row\"]') ? performance.now() : null",
            polling="raf",
            timeout=60_000,
        )
        return float(handle.json_value())
    finally:
        context.close()


def test_inbox_first_page_with_10000_tickets(local_stack: LocalStack) -> None:
    from tests.e2e.spa import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, sync_api

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "TICKETS_", "EVENTS_", "COUNTERS_", "DIRECTORY_"))
    }
    out = subprocess.run(
        [sys.executable, __file__, _moto_endpoint(local_stack), str(N_TICKETS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])

    token = local_stack.login("op1")["id_token"]
    api_ms = []
    for _ in range(RUNS):
        t = time.perf_counter()
        resp = requests.get(
            f"{local_stack.api}/tickets?limit=20", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )
        api_ms.append((time.perf_counter() - t) * 1000)
        assert resp.ok and len(resp.json()["items"]) == 20
    results: dict[str, Any] = {"loaded": loaded, "api_first_page_ms": [round(x) for x in api_ms]}
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for user, path in (("op1", "/tickets"), ("uh1", "/unit-tickets")):
                runs = [_first_row_ms(browser, local_stack, user, path) for _ in range(RUNS)]
                results[f"{user} {path}"] = {
                    "runs_ms": [round(x) for x in runs],
                    "median_ms": round(statistics.median(runs)),
                }
            # paging through the opaque tokens: next shows other rows, previous the first ones again
            page = browser.new_context(viewport={"width": 1280, "height": 720}, locale="zh-CN").new_page()
            spa_login(page, local_stack.web, "op1", "Hotline#2026op1")
            page.locator('[data-test="menu-tickets"]').click()
            rows = page.locator('[data-test="inbox-row"]')
            rows.first.wait_for()
            first = rows.first.get_attribute("data-ticket-id")
            page.locator('[data-test="page-next"]').click()
            page.wait_for_function(
                f"() => document.querySelector('[data-test=\"inbox-row\"]')?.dataset.ticketId !== {json.dumps(first)}"
            )
            assert rows.count() == 20 and page.locator('[data-test="page-number"]').inner_text().strip() == "第 2 页"
            page.locator('[data-test="page-prev"]').click()
            page.wait_for_function(
                f"() => document.querySelector('[data-test=\"inbox-row\"]')?.dataset.ticketId === {json.dumps(first)}"
            )
            page.locator(".el-loading-mask").first.wait_for(state="detached")
            page.evaluate("document.querySelector('.main')?.scrollTo(0, 0)")
            page.screenshot(path=str(ARTIFACTS / "17-inbox-10000-tickets.png"))
        finally:
            browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "perf.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print("\nSPA perf:", json.dumps(results, ensure_ascii=False))
    assert results["op1 /tickets"]["median_ms"] < 10_000
