"""The browser's side of R-12345-11 on the local stack: the SPA's security headers and CSP hold while it
works (an evidence upload to the archive bucket from the page), the API grants CORS to the SPA's origin and
to no other. CSP violations are console errors, which fail the `ui` fixture."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import (  # noqa: F401  (fixtures are used by name)
    CALL,
    Api,
    artifacts,
    browser,
    pytestmark,  # the same skips: Chromium present, frontend built
    ui,
)

UPLOAD = """async ([form]) => {
  const body = new FormData()
  for (const [k, v] of Object.entries(form.fields)) body.append(k, v)
  body.append('file', new Blob(['%PDF-1.4\\n%%EOF\\n'], { type: 'application/pdf' }), 'a.pdf')
  const resp = await fetch(form.url, { method: 'POST', body })
  return resp.status
}"""


def test_the_spa_sends_security_headers_and_keeps_working_under_its_csp(ui: Any, local_stack: LocalStack) -> None:
    op = ui("op1")
    api_answers: list[Any] = []
    op.page.on("response", lambda r: api_answers.append(r) if r.url.startswith(local_stack.api) else None)
    document = op.page.goto(local_stack.web + "/login")
    assert document is not None
    headers = document.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert headers["strict-transport-security"].startswith("max-age=")
    op.login("/home")
    op.page.wait_for_load_state("networkidle")
    origin = local_stack.web
    assert api_answers and all(r.headers.get("access-control-allow-origin") == origin for r in api_answers)
    assert all(r.headers.get("cache-control") == "no-store" for r in api_answers if r.request.method != "OPTIONS")

    # an evidence upload from the page straight to the archive bucket (connect-src allows it)
    api = Api(local_stack)
    tid = api.call("POST", "/tickets", "op1", {"category": "help", "title": "证据", "content": "上传"})["id"]
    api.call("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": CALL})
    started = api.call("POST", f"/tickets/{tid}/evidence", "op1", {"filename": "a.pdf", "size": 15})
    assert op.page.evaluate(UPLOAD, [started["upload"]]) in (200, 201, 204)


def test_a_page_of_another_origin_cannot_read_the_api(browser: Any, local_stack: LocalStack) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        port = urlsplit(local_stack.api).port
        page.goto(f"http://localhost:{port}/health")  # another origin than the SPA's (same host, other name)
        outcome = page.evaluate(
            "async (url) => { try { await fetch(url); return 'read' } catch (e) { return 'blocked' } }",
            f"{local_stack.api}/health",
        )
        assert outcome == "blocked"
        spa = page.evaluate("async (url) => (await fetch(url)).status", f"http://localhost:{port}/health")
        assert spa == 200  # same origin: no CORS involved (the check above is CORS, not a dead server)
    finally:
        context.close()
