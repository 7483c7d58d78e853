"""Spreadsheets never run what a user typed: a formula-like text (a unit name, a unit's report) is text."""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from chalicelib.documents.excel import monthly_workbook, notice_workbook

TYPED = ['=HYPERLINK("http://x.example","点此")', "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "正常名称"]


def _report(names: list[str]) -> dict[str, Any]:
    figure = {"label": "受理量", "numerator": 3, "denominator": 3, "value": 3, "kind": "count"}
    rows = [{"id": f"U{n}", "name": name, "figures": {"received": dict(figure)}} for n, name in enumerate(names)]
    return {
        "month": "2026-10",
        "definitions": [{"id": "received", "label": "受理量", "kind": "count"}],
        "county": {"figures": {"received": dict(figure)}},
        "units": rows,
        "owners": [],
    }


@pytest.mark.parametrize("name", TYPED)
def test_a_formula_in_a_unit_name_is_written_as_text(name: str) -> None:
    sheet = load_workbook(BytesIO(monthly_workbook(_report([name]), "2026-11-01 08:00")))["承办单位"]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == name and cell.data_type == "s"
    assert cell.quotePrefix is (name != "正常名称")  # Excel keeps it text even when the cell is edited
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_a_formula_in_a_units_report_or_a_notice_title_is_written_as_text() -> None:
    notice = {
        "title": "=cmd|' /C calc'!A0",
        "deadline": "2026-11-10T09:00:00+00:00",
        "created_at": "2026-11-01T09:00:00+00:00",
        "status": "open",
        "body": "-正文",
        "late_units": [],
        "units": {"U001": {"name": "@单位", "report": "+报送内容", "attachments": ["=a.pdf"]}},
    }
    book = load_workbook(BytesIO(notice_workbook(notice)))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert all(c.quotePrefix for c in cells if isinstance(c.value, str) and c.value[:1] in "=+-@")
    texts = {c.value for c in cells}
    assert {"=cmd|' /C calc'!A0", "-正文", "@单位", "+报送内容", "=a.pdf"} <= texts
