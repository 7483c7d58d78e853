"""Unit assessment (综合科 考核): the versioned weights and the month's scores per unit, ranked, as JSON, .xlsx and a
printable document (HTML / PDF: `month_document`).

Reads the month's ticket figures from the counters (`services.stats.report`, bounded Queries) and the notices to
units (`services.work`); the rules of the score: `domain/assessment.py`, docs/statistics.md "Unit assessment".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalicelib.documents import pdf
from chalicelib.domain import assessment
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Conflict, Forbidden, ValidationError
from chalicelib.domain.model import Actor, Role
from chalicelib.services import privacy, stats, work
from chalicelib.storage.table import Absent

if TYPE_CHECKING:
    from chalicelib.bootstrap import Adapters

PK = "CONFIG#ASSESSMENT"
SETTERS = (Role.ANALYST, Role.ADMIN)


def _ensure_reader(actor: Actor) -> None:
    if actor.role not in work.READ_ALL:
        raise Forbidden("只有领导、综合科和管理员可以查看单位考核", role=actor.role)


def versions(deps: Adapters) -> list[dict[str, Any]]:
    """Every version, oldest first: the built-in default (version 0), then the stored ones."""
    return [dict(assessment.DEFAULT), *(d for _, d in sorted(deps.directory.list_items(PK)))]


def get_weights(deps: Adapters, actor: Actor) -> dict[str, Any]:
    """The weights in force and their history."""
    _ensure_reader(actor)
    history = versions(deps)
    return {"current": history[-1], "history": history}


def put_weights(deps: Adapters, actor: Actor, body: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """A new version of the weights (analyst or admin); versions are written once, never changed."""
    if actor.role not in SETTERS:
        raise Forbidden("只有综合科和管理员可以设置考核权重", role=actor.role)
    current = versions(deps)[-1]
    version = assessment.new_version(current["version"], body, actor.user_id, now)
    if not deps.directory.put_if(PK, f"v{version['version']:06d}", version, Absent()):
        raise Conflict("考核权重已被他人修改，请刷新后重试", version=version["version"])
    privacy.log_change(deps, "assessment_weights_changed", actor, now, before=current, after=version)
    return version


def month_scores(deps: Adapters, actor: Actor, month: str, params: Mapping[str, str], now: datetime) -> dict[str, Any]:
    """Every unit's score for `month` with its inputs, ranked; `?version=` scores with an earlier version."""
    _ensure_reader(actor)
    month = stats.check_month(month)
    history = versions(deps)
    version = history[-1]
    if params.get("version"):
        chosen = [v for v in history if str(v["version"]) == params["version"]]
        if not chosen:
            raise ValidationError({"version": f"没有第 {params['version'][:8]} 版考核权重"})
        version = chosen[0]
    report = stats.report(deps, month)
    notices = [d for _, d in deps.directory.query_items(work.NOTICE, newest_first=True, limit=work.LIST_LIMIT)]
    answered = assessment.notice_counts(notices, month, now)
    rows = []
    for unit in report["units"]:
        counts = answered.get(unit["id"], {"due": 0, "on_time": 0})
        rows.append({"id": unit["id"], "name": unit["name"], **assessment.score(unit["figures"], counts, version)})
    return {"month": month, "version": version, "rows": assessment.rank(rows), "generated_at": now.isoformat()}


def month_workbook(deps: Adapters, actor: Actor, month: str, params: Mapping[str, str], now: datetime) -> bytes:
    """The month's assessment as .xlsx: rank, unit, score and every input (names, no codes)."""
    result = month_scores(deps, actor, month, params, now)
    from chalicelib.documents import excel  # openpyxl: loaded by its first use

    return excel.assessment_workbook(result)


def _percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def _points_text(value: float) -> str:
    return f"{value:g}"


def _input_cell(i: Mapping[str, Any]) -> str:
    """One input as printed next to the score: a rate with its cases, or a count with its deduction."""
    if "deduction" in i:
        cases = int(i["value"])
        return f"{cases} 件，扣 {_points_text(i['deduction'] * cases)} 分"
    if i["value"] is None:
        return "无数据（不计入）"
    return f"{_percent(i['value'])}（{i['numerator']}/{i['denominator']}）"


def document_context(deps: Adapters, result: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The printed assessment: a column per input (its weight or deduction in the heading), names, no codes."""
    version = result["version"]
    columns = [
        {"id": f, "label": assessment.label(f), "rule": f"权重 {_points_text(w)}"}
        for f, w in version["weights"].items()
    ]
    columns += [
        {"id": f, "label": assessment.label(f), "rule": f"每件扣 {_points_text(d)} 分"}
        for f, d in version["deductions"].items()
    ]
    rows = []
    for r in result["rows"]:
        cells = {i["id"]: _input_cell(i) for i in r["inputs"]}
        rows.append(
            {
                "rank": "—" if r["rank"] is None else str(r["rank"]),
                "name": r["name"],
                "score": "无数据" if r["score"] is None else _points_text(r["score"]),
                "base": "—" if r["base"] is None else _points_text(r["base"]),
                "deducted": _points_text(r["deducted"]),
                "cells": [cells.get(c["id"], "—") for c in columns],
            }
        )
    month = result["month"]
    if version["version"]:
        setter = deps.contexts.names().get(version["set_by"] or "", "")
        at = datetime.fromisoformat(version["set_at"]).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        version_text = f"第 {version['version']} 版（{setter + '，' if setter else ''}{at} 设置）"
    else:
        version_text = "默认权重"
    return {
        "title": f"{int(month[:4])}年{int(month[5:])}月承办单位考核",
        "month_label": f"{int(month[:4])}年{int(month[5:])}月",
        "generated_at": now.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M"),
        "version_text": version_text,
        "columns": columns,
        "rows": rows,
    }


def month_document(
    deps: Adapters, actor: Actor, month: str, params: Mapping[str, str], fmt: str, now: datetime
) -> tuple[bytes | str, str]:
    """The month's assessment as a printable document (`html` or `pdf`): ranking, score and every input next to
    it, unit names and Chinese labels only; recorded in the access log like every document (R-SEC-02)."""
    if fmt not in ("html", "pdf"):
        raise ValidationError({"format": "须为 html 或 pdf"})
    result = month_scores(deps, actor, month, params, now)
    privacy.log_access(deps, "document", actor, now, document="assessment", month=result["month"], format=fmt)
    return pdf.render("work/assessment.html", fmt, **document_context(deps, result, now))
