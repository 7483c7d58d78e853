"""R-12345-14 statistics API on a hand-computed month (docs/statistics.md, worked example)."""

from __future__ import annotations

import io
import itertools
from typing import Any

import pytest

from chalicelib.domain.model import Actor
from tests.helpers.tickets import build_month

OP1, OP2 = Actor("op1", "operator"), Actor("op2", "operator")
LEADER = Actor("leader1", "leader")
CALL = {"to_name": "周海", "to_phone": "13957600001"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_years = itertools.count(2071)


def uh(unit: str) -> Actor:
    return Actor(f"uh-{unit}", "unit_handler", unit)


@pytest.fixture(scope="module")
def june(deps: Any, seeded: Any) -> dict[str, str]:
    return build_month(deps, next(_years))


def fig(resp: Any, name: str) -> tuple[int, int]:
    f = resp.json["figures"][name]
    return f["numerator"], f["denominator"]


def test_r12345_14_monthly_county_figures_match_the_hand_count(api: Any, june: dict[str, str]) -> None:
    resp = api.get(f"/stats/monthly?month={june['month']}&scope=county", user="analyst1")
    assert resp.status_code == 200, resp.json
    assert resp.json["figures"]["assigned"]["value"] == 3
    assert fig(resp, "completion_rate") == (2, 3)  # T3 re-assigned in July still counts in June, not completed
    assert fig(resp, "on_time_rate") == (2, 3)
    assert fig(resp, "satisfaction_rate") == (2, 2) and resp.json["figures"]["unreachable"]["value"] == 1
    assert resp.json["figures"]["returns"]["value"] == 1
    assert resp.json["figures"]["returns_without_reason"]["value"] == 1
    assert resp.json["figures"]["transfers"]["value"] == 1
    assert resp.json["figures"]["overdue"]["value"] == 1
    assert resp.json["figures"]["extension_requests"]["value"] == 1
    assert fig(resp, "dispatch_12h_rate") == (2, 3)
    assert resp.json["figures"]["redo"]["value"] == 1
    assert resp.json["read"]["queries"] == 1


def test_r12345_14_unit_and_dispatcher_scopes(api: Any, june: dict[str, str]) -> None:
    m = june["month"]
    u1 = api.get(f"/stats/monthly?month={m}&scope=unit&id=U001", user="uh1")
    assert u1.status_code == 200 and u1.json["figures"]["assigned"]["value"] == 2
    assert fig(u1, "completion_rate") == (0, 1) and u1.json["figures"]["transfers"]["value"] == 1
    assert api.get(f"/stats/monthly?month={m}&scope=unit&id=U002", user="uh1").status_code == 403
    assert api.get(f"/stats/monthly?month={m}&scope=county", user="uh1").status_code == 403
    op2 = api.get(f"/stats/monthly?month={m}&scope=owner&id=op2", user="leader1")
    assert op2.json["figures"]["assigned"]["value"] == 1 and op2.json["figures"]["overdue"]["value"] == 1


@pytest.mark.parametrize("qs", ["month=2026-13", "month=", "month=2026-01&scope=city", "month=2026-01&scope=unit"])
def test_bad_parameters_are_422(api: Any, seeded: Any, qs: str) -> None:
    resp = api.get(f"/stats/monthly?{qs}", user="analyst1")
    assert resp.status_code == 422 and resp.json["code"] == "validation_error"


def test_trend_gives_twelve_months_ending_with_the_month(api: Any, june: dict[str, str]) -> None:
    resp = api.get(f"/stats/trend?month={june['month']}", user="analyst1")
    assert resp.status_code == 200
    assert len(resp.json["months"]) == 12 and resp.json["months"][-1] == june["month"]
    assert resp.json["series"]["assigned"][-1] == 3 and resp.json["series"]["assigned"][0] == 0
    assert resp.json["read"]["queries"] == 12


def test_report_has_every_unit_and_each_dispatcher(api: Any, june: dict[str, str]) -> None:
    resp = api.get(f"/stats/report?month={june['month']}", user="analyst1")
    assert {"U001", "U002", "U003"} <= {u["id"] for u in resp.json["units"]}
    assert [o["id"] for o in resp.json["owners"]] == ["op1", "op2"]
    u2 = next(u for u in resp.json["units"] if u["id"] == "U002")
    assert u2["name"] == "县住房和城乡建设局" and u2["figures"]["assigned"]["value"] == 2


def test_r12345_14_excel_export_reads_back_with_numbers_and_percentages(api: Any, june: dict[str, str]) -> None:
    from openpyxl import load_workbook

    headers = {"Authorization": f"Bearer {api.tokens['analyst1']}", "Accept": XLSX}
    resp = api.client.http.get(f"/stats/export?month={june['month']}", headers=headers)
    assert resp.status_code == 200 and resp.headers["Content-Type"] == XLSX
    wb = load_workbook(io.BytesIO(resp.body))
    assert wb.sheetnames == ["全县", "承办单位", "派单员", "指标说明"]
    county = {r[0]: r for r in wb["全县"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert county["交办总数"][3] == 3 and isinstance(county["交办总数"][3], int)
    assert county["办结率"][1:3] == (2, 3) and abs(county["办结率"][3] - 0.6667) < 1e-9
    rate_cell = next(c for c in wb["全县"]["A"] if c.value == "办结率")
    assert wb["全县"].cell(row=rate_cell.row, column=4).number_format == "0.00%"
    units = wb["承办单位"]
    header = [c.value for c in units[1]]
    assert header[:3] == ["单位编号", "单位名称", "交办总数"] and "满意率" in header
    rows = {r[0]: r for r in units.iter_rows(min_row=2, values_only=True)}
    assert rows["U002"][2] == 2
    owners = {r[0]: r for r in wb["派单员"].iter_rows(min_row=2, values_only=True)}
    assert owners["op1"][2] == 2 and owners["op2"][2] == 1


def test_admin_recount_finds_no_difference_and_is_admin_only(api: Any, june: dict[str, str]) -> None:
    resp = api.post("/admin/recount", {"month": june["month"], "dry_run": True}, user="admin1")
    assert resp.status_code == 200, resp.json
    assert resp.json["differences"] == [] and resp.json["tickets"] == 3
    assert api.post("/admin/recount", {"month": june["month"]}, user="analyst1").status_code == 403


def test_bench_hook_reads_the_same_items_whatever_the_volume(deps: Any, june: dict[str, str]) -> None:
    """`monthly()` reports its reads: one Query, at most METRICS × 4 shards items (docs/statistics.md)."""
    from chalicelib.domain.statistics import METRICS
    from chalicelib.services.stats import monthly

    out = monthly(deps, june["month"], "county")
    assert out["read"]["queries"] == 1 and 0 < out["read"]["items"] <= len(METRICS) * 4
