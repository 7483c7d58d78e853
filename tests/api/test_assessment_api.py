"""Unit assessment (综合科 考核) through the API: versioned weights, the month's scores with their inputs, ranking,
Excel; the notices answered on time count per unit (docs/statistics.md "Unit assessment")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.model import Actor
from chalicelib.services import assessment
from chalicelib.services import work as svc

MONTH = "2025-03"  # a month without tickets: only the notices carry figures
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def clean_weights(deps: Any) -> Iterator[None]:
    yield
    for sk, _ in deps.directory.list_items(assessment.PK):
        deps.directory.delete(assessment.PK, sk)


@pytest.fixture
def march_notice(deps: Any, seeded: Any) -> dict[str, Any]:
    """A notice due 2025-03-20 to 海游街道 (reports on time) and 县住建局 (reports late)."""
    sender = Actor("leader1", "leader", name="陈建国")
    body = {"title": "便民服务自查", "body": "请报送自查总结", "unit_ids": ["U001", "U002"], "deadline": "2025-03-20"}
    notice = svc.create_notice(deps, sender, body, datetime(2025, 3, 10, 9, tzinfo=SHANGHAI))
    svc.act_on_notice(
        deps,
        Actor("uh1", "unit_handler", "U001"),
        notice["id"],
        "submit",
        {"text": "已自查"},
        datetime(2025, 3, 18, tzinfo=SHANGHAI),
    )
    svc.act_on_notice(
        deps,
        Actor("uh2", "unit_handler", "U002"),
        notice["id"],
        "submit",
        {"text": "迟报"},
        datetime(2025, 3, 25, tzinfo=SHANGHAI),
    )
    return notice


def test_assessment_weights_are_versioned_and_validated(api: Any, seeded: Any, clean_weights: None) -> None:
    first = api.get("/work/assessment/weights", user="leader1").json
    assert first["current"]["version"] == 0 and [v["version"] for v in first["history"]] == [0]
    for who in ("op1", "uh1"):
        assert api.get("/work/assessment/weights", user=who).status_code == 403
    good = {"weights": {"completion_rate": 50, "notices_on_time": 50}, "deductions": {"overdue": 1}}
    assert api.put("/work/assessment/weights", good, user="leader1").status_code == 403
    for bad, field in (
        ({"weights": {"nonsense": 10}}, "weights.nonsense"),
        ({"weights": {"completion_rate": 150}}, "weights.completion_rate"),
        ({"weights": {"completion_rate": True}}, "weights.completion_rate"),
        ({"weights": {}}, "weights"),
        ({"weights": {"completion_rate": 0}}, "weights"),
        ({"weights": {"completion_rate": 10}, "deductions": {"completion_rate": 1}}, "deductions.completion_rate"),
        ({"weights": [1, 2]}, "weights"),
    ):
        resp = api.put("/work/assessment/weights", bad, user="analyst1")
        assert resp.status_code == 422 and list(resp.json["details"]["fields"]) == [field], (bad, resp.json)
    assert api.get("/work/assessment/weights", user="leader1").json["current"]["version"] == 0  # nothing changed
    made = api.put("/work/assessment/weights", good, user="analyst1")
    assert made.status_code == 200 and made.json["version"] == 1 and made.json["set_by"] == "analyst1"
    again = api.put("/work/assessment/weights", dict(good, weights={"on_time_rate": 100}), user="admin1").json
    assert again["version"] == 2
    now = api.get("/work/assessment/weights", user="analyst1").json
    assert [v["version"] for v in now["history"]] == [0, 1, 2] and now["current"]["weights"] == {"on_time_rate": 100}


def test_assessment_scores_units_from_their_inputs_ranked_with_excel(
    api: Any, deps: Any, march_notice: dict[str, Any], clean_weights: None
) -> None:
    assert api.get(f"/work/assessment/{MONTH}", user="op1").status_code == 403
    bad = api.get("/work/assessment/2025-13", user="leader1")
    assert bad.status_code == 422 and list(bad.json["details"]["fields"]) == ["month"]
    result = api.get(f"/work/assessment/{MONTH}", user="leader1").json
    assert result["version"]["version"] == 0
    rows = {r["name"]: r for r in result["rows"]}
    on_time, late, none = rows["海游街道办事处"], rows["县住房和城乡建设局"], rows["县市场监督管理局"]
    # no tickets in the month: only the notices-on-time rate has cases (1/1, 0/1), the ticket rates are left out
    assert (on_time["score"], on_time["rank"]) == (100.0, 1) and (late["score"], late["rank"]) == (0.0, 2)
    assert none["score"] is None and none["rank"] is None
    ranks = [r["rank"] for r in result["rows"]]  # the unscored (other units of the session too) come last
    assert ranks[:2] == [1, 2] and all(r is None for r in ranks[2:])
    notices = next(i for i in on_time["inputs"] if i["id"] == "notices_on_time")
    assert (notices["label"], notices["numerator"], notices["denominator"], notices["weight"]) == (
        "通知按时报送率",
        1,
        1,
        20,
    )
    assert next(i for i in late["inputs"] if i["id"] == "completion_rate")["value"] is None

    api.put("/work/assessment/weights", {"weights": {"completion_rate": 10}}, user="analyst1")
    unscored = api.get(f"/work/assessment/{MONTH}", user="leader1").json
    assert unscored["version"]["version"] == 1 and all(r["score"] is None for r in unscored["rows"])
    older = api.get(f"/work/assessment/{MONTH}?version=0", user="leader1").json  # scored again with version 0
    assert {r["name"]: r["score"] for r in older["rows"]}["海游街道办事处"] == 100.0
    missing = api.get(f"/work/assessment/{MONTH}?version=9", user="leader1")
    assert missing.status_code == 422 and list(missing.json["details"]["fields"]) == ["version"]

    headers = {"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": XLSX}
    export = api.client.http.get(f"/work/assessment/{MONTH}/export?version=0", headers=headers)
    assert export.status_code == 200 and export.headers["Content-Type"] == XLSX
    book = load_workbook(BytesIO(export.body))
    sheet = [[c.value for c in r] for r in book["单位考核"].iter_rows()]
    assert sheet[0][:3] == ["名次", "单位名称", "得分"] and "通知按时报送率" in sheet[0]
    assert sheet[1][:3] == [1, "海游街道办事处", 100] and sheet[2][:3] == [2, "县住房和城乡建设局", 0]
    assert ["—", "县市场监督管理局", "无数据"] in [r[:3] for r in sheet[3:]]
    mine = [sheet[0], sheet[1], sheet[2], next(r for r in sheet if r[1] == "县市场监督管理局")]
    text = " ".join(str(v) for r in mine for v in r if v is not None)
    assert "U00" not in text and "notices_on_time" not in text and "rate" not in text
    assert api.get(f"/work/assessment/{MONTH}/export", user="uh1").status_code == 403


def test_assessment_document_prints_ranking_scores_and_inputs_as_html_and_pdf(
    api: Any, deps: Any, march_notice: dict[str, Any], clean_weights: None
) -> None:
    auth = {"Authorization": f"Bearer {api.tokens['leader1']}"}
    page = api.client.http.get(f"/documents/assessment?month={MONTH}&format=html", headers=auth)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.body.decode()
    assert "2025年3月承办单位考核" in html and "默认权重" in html
    for shown in ("名次", "得分", "通知按时报送率", "权重 20", "无数据（不计入）", "每件扣 2 分"):
        assert shown in html, shown
    # the inputs next to the score (the session may hold earlier March notices to the same units: n of n, 0 of n)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<td>([^<]+)</td>.*?</tr>", html, re.S)}
    assert re.search(r"<b>100</b>.*100\.00%（(\d+)/\1）", rows["海游街道办事处"], re.S)
    assert re.search(r"<b>0</b>.*0\.00%（0/\d+）", rows["县住房和城乡建设局"], re.S)
    first, second = html.index("海游街道办事处"), html.index("县住房和城乡建设局")
    assert first < second < html.index("县市场监督管理局")  # ranked: 100, 0, then the unscored
    for code in ("U001", "U002", "notices_on_time", "completion_rate", "leader1"):
        assert code not in html, code

    api.put("/work/assessment/weights", {"weights": {"notices_on_time": 100}}, user="analyst1")
    versioned = api.client.http.get(f"/documents/assessment?month={MONTH}", headers=auth).body.decode()
    assert "第 1 版" in versioned and "analyst1" not in versioned

    as_pdf = dict(auth, Accept="application/pdf")
    pdf = api.client.http.get(f"/documents/assessment?month={MONTH}&format=pdf&version=0", headers=as_pdf)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF") and "assessment-2025-03.pdf" in pdf.headers["Content-Disposition"]

    for path, field in (("month=2025-13", "month"), (f"month={MONTH}&format=doc", "format")):
        bad = api.get(f"/documents/assessment?{path}", user="leader1")
        assert bad.status_code == 422 and list(bad.json["details"]["fields"]) == [field], bad.json
    assert api.get(f"/documents/assessment?month={MONTH}", user="op1").status_code == 403
    assert api.get(f"/documents/assessment?month={MONTH}", user="uh1").status_code == 403
