"""Excel workbooks (openpyxl): the monthly report (county sheet, one row per unit, one per dispatcher),
a task to units (one row per unit) and the unit assessment (one row per unit, ranked).

Numbers are numbers (counts as integers, rates as fractions with a percentage format), headers in
Chinese, and a 指标说明 sheet with the definitions (docs/statistics.md).

Every row goes through `_append`: a text that starts like a formula (`=`, `+`, `-`, `@`, or a tab / carriage
return before one) — a unit name, a report typed by a unit, a notice's title — is written as text (a string
cell with Excel's quote prefix), never as a formula a spreadsheet would run (CSV/formula injection).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from chalicelib.domain.calendar import SHANGHAI

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERCENT = "0.00%"
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _append(ws: Any, values: list[Any]) -> None:
    """`ws.append(values)`, every formula-like text kept as text."""
    ws.append(values)
    for column, value in enumerate(values, start=1):
        if isinstance(value, str) and value.startswith(FORMULA_START):
            cell = ws.cell(row=ws.max_row, column=column)
            cell.value = value
            cell.data_type = "s"  # openpyxl made it a formula ("f"); a string cell is shown, never evaluated
            cell.quotePrefix = True  # and Excel keeps it text when the cell is edited


def _header(ws: Any, titles: list[str]) -> None:
    _append(ws, titles)
    for i, _ in enumerate(titles, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(i)].width = 14 if i > 2 else 22
    ws.freeze_panes = "C2"


def _row(ws: Any, head: list[Any], figures: dict[str, dict[str, Any]], ids: list[str]) -> None:
    values: list[Any] = list(head)
    for fid in ids:
        f = figures[fid]
        values.append(f["value"])
    _append(ws, values)
    r = ws.max_row
    for j, fid in enumerate(ids, start=len(head) + 1):
        if figures[fid]["kind"] == "rate":
            ws.cell(row=r, column=j).number_format = PERCENT


def monthly_workbook(report: dict[str, Any], generated_at: str) -> bytes:
    """The .xlsx bytes of `services.stats.report(month)`."""
    ids = [d["id"] for d in report["definitions"]]
    labels = [d["label"] for d in report["definitions"]]
    wb = Workbook()
    ws = wb.active
    ws.title = "全县"
    _header(ws, ["指标", "分子", "分母", "数值"])
    ws.freeze_panes = "B2"
    for fid in ids:
        f = report["county"]["figures"][fid]
        _append(ws, [f["label"], f["numerator"], f["denominator"], f["value"]])
        if f["kind"] == "rate":
            ws.cell(row=ws.max_row, column=4).number_format = PERCENT
    _append(ws, [])
    _append(ws, ["统计月份", report["month"]])
    _append(ws, ["统计截至", generated_at])

    for title, key, first in (("承办单位", "units", ["单位编号", "单位名称"]), ("派单员", "owners", ["工号", "姓名"])):
        sheet = wb.create_sheet(title)
        _header(sheet, first + labels)
        for row in report[key]:
            _row(sheet, [row["id"], row["name"]], row["figures"], ids)

    notes = wb.create_sheet("指标说明")
    _header(notes, ["指标", "类型"])
    for d in report["definitions"]:
        _append(notes, [d["label"], "比率" if d["kind"] == "rate" else "件数"])
    _append(notes, [])
    _append(notes, ["工单归属月份：首次派单（交办）所在月份（北京时间）；各指标的计算口径见《月度统计口径说明》"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def notice_workbook(notice: dict[str, Any]) -> bytes:
    """A task or notice to units (自查通知): one row per unit — receipt, report, when, late or not."""

    def local(iso: str | None) -> str:
        return datetime.fromisoformat(iso).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if iso else ""

    wb = Workbook()
    ws = wb.active
    ws.title = "报送情况"
    _header(ws, ["单位编号", "单位名称", "签收时间", "报送时间", "是否逾期", "报送内容", "附件", "报送材料"])
    ws.freeze_panes = "C2"
    for unit_id, row in notice["units"].items():
        _append(
            ws,
            [
                unit_id,
                row.get("name", unit_id),
                local(row.get("received_at")),
                local(row.get("submitted_at")),
                "逾期" if row.get("late") or (not row.get("submitted_at") and unit_id in notice["late_units"]) else "",
                row.get("report", ""),
                "；".join(row.get("attachments", [])),
                "\n".join(
                    f"{f['filename']}（上传于 {local(f['stored_at'])}，SHA-256 {f['sha256']}）"
                    for f in row.get("files", [])
                ),
            ],
        )
    info = wb.create_sheet("通知")
    for label, value in (
        ("标题", notice["title"]),
        ("报送时限", local(notice["deadline"])),
        ("发文时间", local(notice["created_at"])),
        ("状态", "已关闭" if notice["status"] == "closed" else "进行中"),
        (
            "未报送单位",
            "、".join(
                notice["units"][u].get("name", u) for u in notice["units"] if not notice["units"][u].get("submitted_at")
            ),
        ),
        ("正文", notice["body"]),
    ):
        _append(info, [label, value])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def assessment_workbook(result: dict[str, Any]) -> bytes:
    """`services.assessment.month_scores` as .xlsx: rank, unit, score, then each input (rates as percentages)."""
    version = result["version"]
    ids = [*version["weights"], *version["deductions"]]
    labels = {i["id"]: i["label"] for row in result["rows"] for i in row["inputs"]}
    wb = Workbook()
    ws = wb.active
    ws.title = "单位考核"
    _header(ws, ["名次", "单位名称", "得分", "加权得分", "扣分", *(labels.get(i, i) for i in ids)])
    for row in result["rows"]:
        values = {i["id"]: i["value"] for i in row["inputs"]}
        head = [row["rank"] or "—", row["name"], "无数据" if row["score"] is None else row["score"], row["base"]]
        ws.append([*head, row["deducted"], *(values.get(i) for i in ids)])
        for j, fid in enumerate(ids, start=6):
            if fid in version["weights"]:
                ws.cell(row=ws.max_row, column=j).number_format = PERCENT
    rules = wb.create_sheet("考核权重")
    _header(rules, ["指标", "权重（分）", "每件扣分"])
    for fid in ids:
        rules.append([labels.get(fid, fid), version["weights"].get(fid), version["deductions"].get(fid)])
    rules.append([])
    rules.append(["考核月份", result["month"]])
    rules.append(["权重版本", f"第 {version['version']} 版" if version["version"] else "默认权重"])
    rules.append(["得分口径", "100 × Σ(权重 × 比率) ÷ Σ(有数据指标的权重) − Σ(每件扣分 × 件数)，最低 0 分"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def work_figures_workbook(result: dict[str, Any]) -> bytes:
    """`services.work.month_figures` as .xlsx (R-WORK-06): one row per person, names only, the rate as a
    percentage, the accountability flag in words."""
    wb = Workbook()
    ws = wb.active
    ws.title = "月度完成率"
    _header(ws, ["姓名", "应完成事项", "按期完成", "曾延误", "未完成", "最长延误（天）", "按期完成率", "问责提示"])
    for row in result["rows"]:
        rate = "无数据" if row["rate"] is None else row["rate"]
        flag = "是（未完成超过3项或延误超过5天）" if row["flagged"] else "否"
        ws.append(
            [
                row["name"],
                row["due"],
                row["on_time"],
                row["delayed"],
                row["unfinished"],
                row["max_days_late"],
                rate,
                flag,
            ]
        )
        if row["rate"] is not None:
            ws.cell(row=ws.max_row, column=7).number_format = PERCENT
    notes = wb.create_sheet("口径")
    notes.append(["统计月份", result["month"]])
    notes.append(["应完成事项", "首个完成时限在本月（北京时间）的交办事项，委托他人办理的仍计入责任人"])
    notes.append(["按期完成率", "按期完成 ÷ 应完成事项"])
    notes.append(["问责提示", "当月未完成超过3项，或任一事项延误超过5天"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
