"""Documents (R-12345-10, R-12345-14, R-12345-15): HTML print views and PDFs with the Chinese text readable back."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.domain.model import Actor

ANALYST = Actor("analyst1", "analyst")
LEADER = Actor("leader1", "leader")
NOW = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
_years = itertools.count(2081)


@pytest.fixture(scope="module")
def june(deps: Any, seeded: Any) -> dict[str, str]:
    from tests.helpers.tickets import build_month

    return build_month(deps, next(_years))


def pdf_text(data: bytes) -> tuple[str, set[str]]:
    """(all text, embedded font names) of a PDF."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    fonts: set[str] = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            desc = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if desc is not None and any(k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                fonts.add(str(font["/BaseFont"]))
    return text, fonts


def test_r12345_10_difficult_sheet_pdf_carries_the_chinese_text_and_an_embedded_cjk_font(
    deps: Any, june: dict[str, str]
) -> None:
    from chalicelib.services import reports

    body, ctype = reports.difficult_sheet(deps, LEADER, june["t3"], "pdf", NOW)
    assert ctype == "application/pdf" and isinstance(body, bytes) and body.startswith(b"%PDF")
    text, fonts = pdf_text(body)
    for needle in ("疑难工单", "分管领导意见", "涉及多个部门", "逾期未办理完成", "井盖缺失", "海游街道办事处"):
        assert needle in text, needle
    assert any("CJK" in f or "WenQuanYi" in f or "Zen" in f for f in fonts), fonts
    assert "13800001234" not in text and "张三丰" not in text  # R-12345-11: masked on paper


def test_difficult_sheet_html_escapes_citizen_text_and_shows_return_without_reason(
    deps: Any, june: dict[str, str]
) -> None:
    from chalicelib.services import reports

    html, ctype = reports.difficult_sheet(deps, ANALYST, june["t1"], "html", NOW)
    assert ctype.startswith("text/html")
    assert "&lt;script&gt;" in html and "<script>x" not in html
    assert "无故退单" in html and "签字" in html


def test_r12345_14_monthly_report_pdf_has_figures_units_and_charts(deps: Any, june: dict[str, str]) -> None:
    from chalicelib.services import reports

    html, _ = reports.monthly_report(deps, ANALYST, june["month"], "html", NOW)
    assert "<svg" in html and "polyline" in html
    body, _ = reports.monthly_report(deps, ANALYST, june["month"], "pdf", NOW)
    text, fonts = pdf_text(body)
    for needle in ("工作通报", "交办总数", "办结率", "满意率", "县住房和城乡建设局", "66.67%"):
        assert needle in text, needle
    assert fonts


def test_r12345_15_typical_summary_lists_the_tickets_marked_in_the_month(deps: Any, june: dict[str, str]) -> None:
    from chalicelib.services import reports

    items = reports.typical_json(deps, ANALYST, june["month"])
    assert [i["id"] for i in items] == [june["t1"]]
    assert items[0]["note"] == "部门职责交叉的典型" and items[0]["satisfaction"] == "满意"
    body, _ = reports.typical_summary(deps, ANALYST, june["month"], "pdf", NOW)
    text, _ = pdf_text(body)
    assert "典型工单" in text and "路灯不亮" in text and "部门职责交叉的典型" in text


def test_unit_handlers_get_no_documents(deps: Any, june: dict[str, str]) -> None:
    from chalicelib.domain.errors import Forbidden
    from chalicelib.services import reports

    with pytest.raises(Forbidden):
        reports.monthly_report(deps, Actor("uh1", "unit_handler", "U001"), june["month"], "pdf", NOW)


def test_documents_api_serves_pdf_bytes(api: Any, june: dict[str, str]) -> None:
    headers = {"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": "application/pdf"}
    resp = api.client.http.get(f"/documents/difficult-sheet/{june['t3']}?format=pdf", headers=headers)
    assert resp.status_code == 200 and resp.body.startswith(b"%PDF")
    auth = {"Authorization": f"Bearer {api.tokens['analyst1']}"}
    html = api.client.http.get(f"/documents/typical?month={june['month']}&format=html", headers=auth)
    assert html.status_code == 200 and "典型工单" in html.body.decode()
    assert html.headers["Content-Type"].startswith("text/html")
    bad = api.get(f"/documents/monthly-report?month={june['month']}&format=doc", user="analyst1")
    assert bad.status_code == 422
