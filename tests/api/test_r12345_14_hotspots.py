"""R-12345-14 综合分析: the monthly hot spots of 社情民意, counted by hand on a seeded month (docs/statistics.md,
"Hot spots"), and R-12345-15: the typical-ticket summary's analysis paragraph and removable marks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.model import Actor
from chalicelib.services import tickets as svc

OP1 = Actor("op1", "operator")
CALL = {"to_name": "周海", "to_phone": "13957600001"}
CALLER = {"name": "李四", "phone": "13800005678"}
PREVIOUS, MONTH = "2013-04", "2013-05"  # months no other test touches (past: the API refuses future months)
SECRET = "氰化物"  # only in the confidential ticket


def _ticket(deps: Any, at: datetime, title: str, content: str, unit: str, category: str, **extra: Any) -> str:
    payload = {"category": category, "title": title, "content": content, "caller": CALLER, **extra}
    t, _ = svc.create_ticket(deps, OP1, payload, at)
    svc.act(deps, OP1, t.ticket_id, "dispatch", {"unit_id": unit, "call": CALL}, at + timedelta(hours=1))
    return t.ticket_id


@pytest.fixture(scope="module")
def month(deps: Any, seeded: Any) -> dict[str, str]:
    """April: 路灯 ×2 (U001, U002), 噪音 ×1 (U002). May: 路灯 ×3 (U001 ×2 — one says 街灯 —, U002),
    噪音 ×1 (U002), 拖欠工资 ×1 (欠薪, U003), and a confidential report about 氰化物 (U003)."""
    apr, may = datetime(2013, 4, 8, 2, tzinfo=UTC), datetime(2013, 5, 8, 2, tzinfo=UTC)
    _ticket(deps, apr, "路灯不亮", "小区路灯坏了", "U001", "help")
    _ticket(deps, apr, "施工噪音扰民", "工地噪声大", "U002", "complaint")
    _ticket(deps, apr + timedelta(days=1), "路灯损坏", "路灯不亮", "U002", "help")
    ids = {
        "c1": _ticket(deps, may, "路灯不亮", "晚上路灯不亮，出行不便", "U001", "help"),
        "c2": _ticket(deps, may + timedelta(hours=1), "路灯损坏", "街灯坏了好几天", "U001", "help"),
        "c3": _ticket(deps, may + timedelta(hours=2), "路灯不亮", "村口路灯不亮", "U002", "help"),
        "c4": _ticket(deps, may + timedelta(hours=3), "夜间施工噪音", "工地夜间施工，噪声扰民", "U002", "complaint"),
        "c5": _ticket(deps, may + timedelta(hours=4), "拖欠工资", "公司欠薪三个月", "U003", "complaint"),
        "secret": _ticket(
            deps,
            may + timedelta(hours=5),
            "化工厂偷排废水",
            f"废水含{SECRET}，路灯下排放",
            "U003",
            "complaint",
            confidential=True,
        ),
    }
    # a mark in May on an ordinary and on the confidential ticket (R-12345-15)
    svc.act(deps, OP1, ids["c1"], "mark-typical", {"note": "路灯长期失修"}, may + timedelta(days=2))
    svc.act(deps, OP1, ids["secret"], "mark-typical", {"note": "保密件"}, may + timedelta(days=2))
    return ids


def topic(resp: Any, name: str) -> dict[str, Any]:
    return next(t for t in resp.json["topics"] if t["topic"] == name)


def test_r12345_14_hotspots_count_and_change_against_the_previous_month(api: Any, month: dict[str, str]) -> None:
    resp = api.get(f"/stats/hotspots?month={MONTH}", user="analyst1")
    assert resp.status_code == 200, resp.json
    body = resp.json
    assert body["previous_month"] == PREVIOUS
    assert (body["tickets"], body["previous_tickets"], body["confidential_excluded"]) == (5, 3, 1)
    lamp = topic(resp, "路灯")  # 街灯 is grouped into 路灯
    assert lamp["rank"] == 1 and "街灯" in lamp["terms"]
    assert (lamp["count"], lamp["previous"], lamp["change"], lamp["change_rate"]) == (3, 2, 1, 0.5)
    assert [e["id"] for e in lamp["examples"]] == [month["c1"], month["c2"], month["c3"]]
    assert lamp["examples"][0]["title"] == "路灯不亮"
    noise = topic(resp, "噪音")  # 噪声 / 扰民 grouped
    assert (noise["count"], noise["previous"], noise["change"], noise["change_rate"]) == (1, 1, 0, 0.0)
    wages = topic(resp, "拖欠工资")  # 欠薪 grouped; none in April: no rate without a base
    assert (wages["count"], wages["previous"], wages["change"], wages["change_rate"]) == (1, 0, 1, None)
    assert [e["id"] for e in wages["examples"]] == [month["c5"]]


def test_r12345_14_hotspots_by_unit_and_category(api: Any, month: dict[str, str]) -> None:
    units = api.get(f"/stats/hotspots?month={MONTH}&by=unit", user="leader1")
    assert units.status_code == 200 and units.json["by"] == "unit"
    groups = {g["id"]: g for g in units.json["groups"]}
    u1 = {t["topic"]: t for t in groups["U001"]["topics"]}
    assert groups["U001"]["tickets"] == 2 and groups["U001"]["previous_tickets"] == 1
    assert (u1["路灯"]["count"], u1["路灯"]["previous"], u1["路灯"]["change"]) == (2, 1, 1)
    u2 = {t["topic"]: t for t in groups["U002"]["topics"]}
    assert (u2["路灯"]["count"], u2["路灯"]["previous"], u2["路灯"]["change"]) == (1, 1, 0)
    assert (u2["噪音"]["count"], u2["噪音"]["previous"]) == (1, 1)
    assert groups["U003"]["tickets"] == 1  # the confidential ticket is not counted
    assert groups["U001"]["name"] and groups["U001"]["name"] != "U001"
    cats = api.get(f"/stats/hotspots?month={MONTH}&by=category", user="analyst1")
    by_cat = {g["id"]: g for g in cats.json["groups"]}
    assert by_cat["help"]["name"] == "求助" or by_cat["help"]["name"] != "help"
    help_lamp = next(t for t in by_cat["help"]["topics"] if t["topic"] == "路灯")
    assert (help_lamp["count"], help_lamp["previous"], help_lamp["change"]) == (3, 2, 1)
    complaint = {t["topic"]: t for t in by_cat["complaint"]["topics"]}
    assert complaint["拖欠工资"]["count"] == 1 and complaint["噪音"]["change"] == 0


def test_r12345_14_a_confidential_ticket_never_appears(api: Any, month: dict[str, str]) -> None:
    for by in ("", "&by=unit", "&by=category"):
        resp = api.get(f"/stats/hotspots?month={MONTH}{by}", user="analyst1")
        text = json.dumps(resp.json, ensure_ascii=False)
        assert SECRET not in text and month["secret"] not in text and "化工厂" not in text
    lamp = topic(api.get(f"/stats/hotspots?month={MONTH}", user="analyst1"), "路灯")
    assert lamp["count"] == 3  # its 路灯 is not counted either
    auth = {"Authorization": f"Bearer {api.tokens['analyst1']}"}
    html = api.client.http.get(f"/documents/monthly-report?month={MONTH}&format=html", headers=auth).body.decode()
    assert "综合分析" in html and "路灯" in html and month["c1"] in html
    assert SECRET not in html and month["secret"] not in html


def test_r12345_14_the_month_is_cached_and_recomputed_on_demand(api: Any, month: dict[str, str]) -> None:
    api.get(f"/stats/hotspots?month={MONTH}", user="analyst1")
    again = api.get(f"/stats/hotspots?month={MONTH}", user="op1")
    assert again.status_code == 200 and again.json["read"]["cached"] is True
    fresh = api.post(f"/stats/hotspots/{MONTH}/recompute", {}, user="leader1")
    assert fresh.status_code == 200, fresh.json
    assert fresh.json["computed_by"] == "leader1" and topic(fresh, "路灯")["count"] == 3
    assert fresh.json["read"]["events"] >= 6  # read through the month index: the month's events
    assert api.post(f"/stats/hotspots/{MONTH}/recompute", {}, user="op1").status_code == 403
    assert api.get(f"/stats/hotspots?month={MONTH}", user="uh1").status_code == 403


@pytest.mark.parametrize(
    ("qs", "field", "words"),
    [
        ("month=2013-5", "month", "YYYY-MM"),
        ("month=", "month", "YYYY-MM"),
        ("month=2099-01", "month", "不能晚于本月"),
        (f"month={MONTH}&by=owner", "by", "按承办单位"),
    ],
)
def test_r12345_14_bad_hotspot_parameters_are_a_chinese_422(
    api: Any, seeded: Any, qs: str, field: str, words: str
) -> None:
    resp = api.get(f"/stats/hotspots?{qs}", user="analyst1")
    assert resp.status_code == 422 and words in resp.json["details"]["fields"][field]


# ---------------------------------------------------------------- R-12345-15 typical-ticket summary


def test_r12345_15_the_summary_withholds_confidential_tickets(api: Any, month: dict[str, str]) -> None:
    resp = api.get(f"/stats/typical-summary/{MONTH}", user="analyst1")
    assert resp.status_code == 200, resp.json
    assert [i["id"] for i in resp.json["items"]] == [month["c1"]]
    assert resp.json["confidential_withheld"] == 1
    assert SECRET not in json.dumps(resp.json, ensure_ascii=False)
    auth = {"Authorization": f"Bearer {api.tokens['analyst1']}"}
    html = api.client.http.get(f"/documents/typical?month={MONTH}&format=html", headers=auth).body.decode()
    assert month["c1"] in html and SECRET not in html and month["secret"] not in html and "保密工单" in html


def test_r12345_15_the_analysis_paragraph_is_versioned(api: Any, month: dict[str, str]) -> None:
    url = f"/stats/typical-summary/{MONTH}/analysis"
    first = api.put(url, {"text": "  本月路灯类诉求集中。 "}, user="analyst1")
    assert first.status_code == 200, first.json
    assert (first.json["version"], first.json["text"], first.json["by"]) == (1, "本月路灯类诉求集中。", "analyst1")
    again = api.put(url, {"text": "本月路灯类诉求集中。", "version": 0}, user="analyst1")  # a double click
    assert again.status_code == 200 and again.json == first.json
    stale = api.put(url, {"text": "改写", "version": 0}, user="leader1")
    assert stale.status_code == 409 and "刷新" in stale.json["message"]
    second = api.put(url, {"text": "路灯、噪音为本月热点。", "version": 1}, user="leader1")
    assert second.status_code == 200 and second.json["version"] == 2 and second.json["by"] == "leader1"
    summary = api.get(f"/stats/typical-summary/{MONTH}", user="op1").json
    assert summary["analysis"]["text"] == "路灯、噪音为本月热点。" and summary["analysis"]["by"] == "leader1"
    assert [v["version"] for v in summary["history"]] == [2, 1] and summary["history"][1]["by"] == "analyst1"
    # the writer is shown by name, never by login id
    assert summary["analysis"]["by_name"] == "陈建国" and summary["history"][1]["by_name"] == "赵静"
    assert summary["can_edit"] is False
    auth = {"Authorization": f"Bearer {api.tokens['analyst1']}"}
    html = api.client.http.get(f"/documents/typical?month={MONTH}&format=html", headers=auth).body.decode()
    assert "路灯、噪音为本月热点。" in html and "第 2 版" in html


@pytest.mark.parametrize(
    ("month_", "body", "user", "status", "words"),
    [
        (MONTH, {"text": "字" * 5001}, "analyst1", 422, "不能超过 5000 字"),
        (MONTH, {"text": 5}, "analyst1", 422, "须为文字"),
        (MONTH, {"text": "ok", "version": "1"}, "analyst1", 422, "版本号"),
        ("2099-01", {"text": "ok"}, "analyst1", 422, "不能晚于本月"),
        ("2013-13", {"text": "ok"}, "leader1", 422, "YYYY-MM"),
        (MONTH, {"text": "ok"}, "op1", 403, ""),
    ],
)
def test_r12345_15_bad_analysis_input_is_refused_and_changes_nothing(
    api: Any, month: dict[str, str], month_: str, body: dict[str, Any], user: str, status: int, words: str
) -> None:
    before = api.get(f"/stats/typical-summary/{MONTH}", user="analyst1").json["history"]
    resp = api.put(f"/stats/typical-summary/{month_}/analysis", body, user=user)
    assert resp.status_code == status and words in json.dumps(resp.json, ensure_ascii=False)
    assert api.get(f"/stats/typical-summary/{MONTH}", user="analyst1").json["history"] == before


def test_r12345_15_a_typical_mark_is_removed_and_recorded(api: Any, month: dict[str, str]) -> None:
    tid = month["c1"]
    assert api.post(f"/tickets/{tid}/unmark-typical", {"reason": "不具代表性"}, user="uh1").status_code == 403
    resp = api.post(f"/tickets/{tid}/unmark-typical", {"reason": "不具代表性"}, user="analyst1")
    assert resp.status_code == 200, resp.json
    assert resp.json["flags"]["typical"] is False and resp.json["typical"] is None
    events = api.get(f"/tickets/{tid}/events", user="analyst1").json["items"]
    removed = [e for e in events if e["type"] == "unmarked_typical"]
    assert len(removed) == 1 and removed[0]["actor_id"] == "analyst1"
    assert removed[0]["data"]["reason"] == "不具代表性" and removed[0]["data"]["mark"]["note"] == "路灯长期失修"
    assert api.get(f"/stats/typical-summary/{MONTH}", user="analyst1").json["items"] == []
    again = api.post(f"/tickets/{tid}/unmark-typical", {}, user="analyst1")
    assert again.status_code == 409
    # marked again now: it belongs to this month's summary, not May 2013's
    assert api.post(f"/tickets/{tid}/mark-typical", {"note": "再次标记"}, user="op1").status_code == 200
    assert api.get(f"/stats/typical-summary/{MONTH}", user="analyst1").json["items"] == []
