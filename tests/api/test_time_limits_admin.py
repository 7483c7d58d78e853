"""Handling time limits (domain-rules.md, "Handling time limits"): admins change the limits per hotline and
category in versions (who, when, effective from); a change applies to tickets received after it, never to
tickets already received; bad input is a Chinese 422 naming the field and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.helpers.limits import limits_restored

CATEGORY = "praise"  # 2 working days by default


@pytest.fixture
def restored(deps: Any, seeded: Any) -> Iterator[None]:
    with limits_restored(deps):
        yield


def _hotline(api: Any, hotline: str) -> dict[str, Any]:
    resp = api.get("/admin/limits", user="admin1")
    assert resp.status_code == 200, resp.json
    return next(h for h in resp.json["items"] if h["hotline"] == hotline)


def _ticket(api: Any, **extra: Any) -> dict[str, Any]:
    body = {"category": CATEGORY, "title": "表扬窗口服务", "content": "工作人员热情", **extra}
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return dict(resp.json)


def test_time_limits_change_applies_to_tickets_received_after_it(api: Any, restored: None) -> None:
    before = _hotline(api, "12345")
    old_days = before["in_force"]["days"][CATEGORY]
    earlier = _ticket(api)
    new_days = old_days + 5
    resp = api.put(
        "/admin/limits/12345",
        {"days": {CATEGORY: new_days}, "version": before["latest"]["version"], "note": "表扬件放宽"},
        user="admin1",
    )
    assert resp.status_code == 200, resp.json
    saved = resp.json
    assert saved["version"] == before["latest"]["version"] + 1 and saved["by"] == "admin1"
    assert saved["days"][CATEGORY] == new_days and saved["effective_from"] and saved["at"]
    assert saved["days"]["complaint"] == before["latest"]["days"]["complaint"]  # the others are kept
    later = _ticket(api)
    assert later["handle_due"] > earlier["handle_due"]  # received after the change: the new limit
    # a ticket received before the change (entered late, back-dated) keeps the limits of its receipt
    backdated = _ticket(api, received_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    assert backdated["handle_due"] <= earlier["handle_due"]
    # the ticket already received is not touched
    assert api.get(f"/tickets/{earlier['id']}", user="op1").json["handle_due"] == earlier["handle_due"]
    after = _hotline(api, "12345")
    assert after["in_force"]["version"] == saved["version"]
    assert [v["version"] for v in after["history"]][:2] == [saved["version"], saved["version"] - 1]
    assert after["history"][-1]["version"] == 0 and after["history"][-1]["days"][CATEGORY] == 2
    # stale edit: 409, nothing saved
    stale = api.put("/admin/limits/12345", {"days": {CATEGORY: 3}, "version": saved["version"] - 1}, user="admin1")
    assert stale.status_code == 409
    assert _hotline(api, "12345")["latest"]["version"] == saved["version"]


def test_time_limits_change_scheduled_later_applies_from_then(api: Any, restored: None) -> None:
    before = _hotline(api, "12345")
    start = datetime.now(UTC) + timedelta(days=3)
    resp = api.put(
        "/admin/limits/12345",
        {"days": {CATEGORY: 9}, "effective_from": start.isoformat(), "version": before["latest"]["version"]},
        user="admin1",
    )
    assert resp.status_code == 200, resp.json
    hotline = _hotline(api, "12345")
    assert hotline["latest"]["version"] == resp.json["version"]
    assert hotline["in_force"]["version"] == before["in_force"]["version"]  # not yet in force
    assert datetime.fromisoformat(hotline["latest"]["effective_from"]) == start


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"days": {CATEGORY: 0}}, f"days.{CATEGORY}", "1–365"),
        ({"days": {CATEGORY: 400}}, f"days.{CATEGORY}", "1–365"),
        ({"days": {CATEGORY: "5"}}, f"days.{CATEGORY}", "整数"),
        ({"days": {"lottery": 5}}, "days.lottery", "未知类别"),
        ({"days": {}}, "days", "类别"),
        ({"days": {CATEGORY: 3}, "effective_from": "2020-01-01T00:00:00+08:00"}, "effective_from", "不早于当前时间"),
    ],
)
def test_time_limits_bad_input_is_a_chinese_422_and_changes_nothing(
    api: Any, restored: None, body: dict[str, Any], field: str, words: str
) -> None:
    before = _hotline(api, "12345")
    resp = api.put("/admin/limits/12345", body, user="admin1")
    assert resp.status_code == 422, resp.json
    assert words in resp.json["details"]["fields"][field]
    assert field in resp.json["message"]
    assert _hotline(api, "12345")["latest"] == before["latest"]


def test_time_limits_only_admins_and_known_hotlines(api: Any, restored: None) -> None:
    assert api.put("/admin/limits/12345", {"days": {CATEGORY: 3}}, user="op1").status_code == 403
    assert api.get("/admin/limits", user="leader1").status_code == 403
    unknown = api.put("/admin/limits/110", {"days": {CATEGORY: 3}}, user="admin1")
    assert unknown.status_code == 404 and "12345" in unknown.json["message"]


def test_time_limits_12369_finish_limit_at_most_60_days_and_applied_at_acceptance(api: Any, restored: None) -> None:
    before = _hotline(api, "12369")
    assert before["unit"] == "calendar_days" and before["in_force"]["days"]["report"] == 60
    refused = api.put("/admin/limits/12369", {"days": {"report": 61}}, user="admin1")
    assert refused.status_code == 422 and "1–60" in refused.json["details"]["fields"]["days.report"]
    resp = api.put("/admin/limits/12369", {"days": {"report": 30}}, user="admin1")
    assert resp.status_code == 200, resp.json
    body = {
        "hotline": "12369",
        "title": "化工厂偷排废水",
        "content": "夜间排放废水",
        "entity": {"name": "某化工有限公司", "address": "沙柳镇工业区8号"},
        "demand": "要求查处",
    }
    tid = api.post("/tickets", body, user="op1").json["id"]
    accepted = api.post(f"/tickets/{tid}/decide", {"decision": "accept"}, user="op1")
    assert accepted.status_code == 200, accepted.json
    at = datetime.fromisoformat(accepted.json["env"]["accepted_at"])
    assert datetime.fromisoformat(accepted.json["env"]["finish_due"]) == at + timedelta(days=30)
