"""Deadline admin routes: calendar (Working days), duty roster (R-12345-12), five confirmations (R-12345-13), calls."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _put(api: Any, path: str, body: Any, user: str) -> Any:
    resp = api.client.http.put(path, headers=api._headers(user), body=json.dumps(body, ensure_ascii=False))
    resp.json = json.loads(resp.body) if resp.body else None
    return resp


def _ticket(api: Any, **overrides: Any) -> dict[str, Any]:
    body = {"category": "complaint", "title": "噪音扰民", "content": "夜间施工"}
    body.update(overrides)
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    return resp.json


@pytest.fixture
def year_2027(deps: Any, seeded: Any) -> Iterator[int]:
    """Leave no 2027 overrides or confirmation behind for other tests."""

    yield 2027
    for day, _ in deps.directory.list_items("CAL#2027"):
        deps.directory.delete("CAL#2027", day)
    deps.contexts.invalidate()


def test_calendar_deadline_in_an_unconfirmed_year_then_the_year_confirmed_later(api: Any, year_2027: int) -> None:
    ticket = _ticket(api, city_limit_days=30)  # lands in 2027, which the package does not know
    assert ticket["handle_due_provisional"] is True
    warnings = api.get("/me/confirmations", user="admin1").json["warnings"]
    assert {"code": "calendar_unconfirmed", "year": 2027, "message": "2027 年工作日历尚未确认"} in warnings
    notice = "一、元旦：1月1日（周五）至3日（周日）放假，共3天。\n二、春节：2月5日（周五）至2月11日放假调休，共7天。1月31日（周日）、2月20日（周六）上班。"
    preview = api.post("/admin/calendar/2027/import", {"text": notice, "dry_run": True}, user="admin1").json
    assert preview["stored"] == 0 and "2027-02-11" in preview["holidays"]
    assert preview["workdays"] == ["2027-01-31", "2027-02-20"]
    assert api.post("/admin/calendar/2027/import", {"text": notice}, user="admin1").json["stored"] == 12
    resp = _put(api, "/admin/calendar/2027/days", {"holidays": ["2027-04-05"], "workdays": []}, user="admin1")
    assert resp.status_code == 200 and resp.json["stored"] == 1
    confirmed = api.post("/admin/calendar/2027/confirm", {}, user="admin1")
    assert confirmed.status_code == 200 and confirmed.json["recomputed"] >= 1
    after = api.get(f"/tickets/{ticket['id']}", user="op1").json
    assert after["handle_due_provisional"] is False and after["handle_due"] != ticket["handle_due"]  # Spring Festival
    events = api.get(f"/tickets/{ticket['id']}/events", user="op1").json["items"]
    assert [e["type"] for e in events].count("deadline_recomputed") == 1
    year = api.get("/admin/calendar/2027", user="admin1").json
    assert year["confirmed"] and year["known"] and not year["package_covers"] and len(year["days"]) == 13
    assert api.get("/health").json["warnings"] == []


def test_only_admins_change_the_calendar_and_the_roster(api: Any, seeded: Any) -> None:
    assert api.post("/admin/calendar/2027/confirm", {}, user="op1").status_code == 403
    assert _put(api, "/admin/duty/roster", {"entries": []}, user="op1").status_code == 403
    bad = api.post("/admin/calendar/2027/import", {"text": "没有日期"}, user="admin1")
    assert bad.status_code == 422


def test_r12345_12_duty_roster_and_who_is_on_duty_now(deps: Any, api: Any, seeded: Any) -> None:
    from datetime import UTC, datetime

    from chalicelib.domain.duty import shift_at

    now = datetime.now(UTC)
    shift = shift_at(now, deps.contexts.load(now).calendar)
    entry = {
        "date": shift.day.isoformat(),
        "shift": shift.kind,
        "user_id": "op2",
        "name": "李强",
        "phone": "13957601002",
    }
    assert _put(api, "/admin/duty/roster", {"entries": [entry]}, user="admin1").status_code == 200
    on_duty = api.get("/admin/duty/now", user="op1").json
    assert on_duty["shift"] == shift.key and on_duty["kind"] == shift.kind and on_duty["on_duty"]["user_id"] == "op2"
    month = api.get(f"/admin/duty/roster?month={shift.day:%Y-%m}", user="admin1").json
    assert entry in month["items"]
    bad = _put(api, "/admin/duty/roster", {"entries": [dict(entry, phone="6001")]}, user="admin1")
    assert bad.status_code == 422 and "phone" in bad.json["details"]["fields"]


def test_r12345_12_a_month_roster_replaces_the_month_and_the_staff_mobiles_are_listed(api: Any, seeded: Any) -> None:
    month = "2031-03"  # a month no other test staffs
    first = {"date": "2031-03-03", "shift": "day", "user_id": "op2", "name": "李强", "phone": "13957601002"}
    second = {"date": "2031-03-04", "shift": "night", "user_id": "op1", "name": "李娜", "phone": "13957601001"}
    put = _put(api, "/admin/duty/roster", {"month": month, "entries": [first, second]}, user="admin1")
    assert put.status_code == 200 and put.json == {"stored": 2, "removed": 0}
    moved = dict(first, date="2031-03-05")
    put = _put(api, "/admin/duty/roster", {"month": month, "entries": [moved, second]}, user="admin1")
    assert put.json == {"stored": 2, "removed": 1}
    items = api.get(f"/admin/duty/roster?month={month}", user="admin1").json["items"]
    assert sorted(items, key=lambda e: e["date"]) == [second, moved]

    outside = _put(
        api, "/admin/duty/roster", {"month": month, "entries": [dict(first, date="2031-04-01")]}, user="admin1"
    )
    bad_month = _put(api, "/admin/duty/roster", {"month": "2031-13", "entries": []}, user="admin1")
    assert outside.status_code == 422 and "entries" in outside.json["details"]["fields"]
    assert bad_month.status_code == 422 and "month" in bad_month.json["details"]["fields"]
    assert api.get(f"/admin/duty/roster?month={month}", user="admin1").json["items"] == items  # nothing changed

    staff = api.get("/admin/duty/staff", user="admin1").json["items"]
    assert {"user_id": "op2", "name": "李强", "phone": "13957601002"} in staff
    assert api.get("/admin/duty/staff", user="op1").status_code == 403

    emptied = _put(api, "/admin/duty/roster", {"month": month, "entries": []}, user="admin1")
    assert emptied.json == {"stored": 0, "removed": 2}
    assert api.get(f"/admin/duty/roster?month={month}", user="admin1").json["items"] == []


def test_r12345_12_a_shift_default_is_removed_with_null_and_a_bad_kind_writes_nothing(api: Any, seeded: Any) -> None:
    person = {"user_id": "op2", "name": "李强", "phone": "13957601002"}
    month = "2026-12"
    before = api.get(f"/admin/duty/roster?month={month}", user="admin1").json["defaults"]
    assert _put(api, "/admin/duty/defaults", {"holiday": person}, user="admin1").json == {"stored": ["holiday"]}
    assert api.get(f"/admin/duty/roster?month={month}", user="admin1").json["defaults"]["holiday"] == person
    bad = _put(api, "/admin/duty/defaults", {"holiday": None, "night": "op2"}, user="admin1")
    assert bad.status_code == 422 and "night" in bad.json["details"]["fields"]
    assert api.get(f"/admin/duty/roster?month={month}", user="admin1").json["defaults"]["holiday"] == person
    assert _put(api, "/admin/duty/defaults", {"holiday": None}, user="op1").status_code == 403
    assert _put(api, "/admin/duty/defaults", {"holiday": None}, user="admin1").json == {"stored": ["holiday"]}
    assert "holiday" not in api.get(f"/admin/duty/roster?month={month}", user="admin1").json["defaults"]
    if "holiday" in before:  # leave the shared stack's defaults as they were
        assert _put(api, "/admin/duty/defaults", {"holiday": before["holiday"]}, user="admin1").status_code == 200


def test_office_hours_are_configurable(deps: Any, api: Any, seeded: Any) -> None:

    try:
        resp = _put(api, "/admin/office-hours", {"office_hours": "09:00-12:00,13:30-17:00"}, user="admin1")
        assert resp.status_code == 200 and resp.json == {"office_hours": "09:00-12:00,13:30-17:00"}
        assert api.get("/admin/calendar/2026", user="admin1").json["office_hours"] == "09:00-12:00,13:30-17:00"
        assert _put(api, "/admin/office-hours", {"office_hours": "17:00-09:00"}, user="admin1").status_code == 422
    finally:
        _put(api, "/admin/office-hours", {"office_hours": "08:30-12:00,14:00-17:30"}, user="admin1")
        deps.contexts.invalidate()


def test_r12345_13_five_confirmations_for_operators_and_unit_handlers(api: Any, seeded: Any) -> None:
    fresh = _ticket(api)
    dispatched = _ticket(api)
    api.post(f"/tickets/{dispatched['id']}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1")
    mine = api.get("/me/confirmations", user="op1").json
    assert [g["key"] for g in mine["groups"]] == [
        "new",
        "extensions_returns",
        "due_soon",
        "to_confirm",
        "to_submit_archive",
    ]
    new = mine["groups"][0]
    assert new["count"] >= 1 and len(new["items"]) <= 5 and "open_tasks" in mine
    unit = api.get("/me/confirmations", user="uh1").json
    assert [g["key"] for g in unit["groups"]] == ["to_sign", "due_soon", "redo"]
    assert unit["groups"][0]["count"] >= 1 and all(i["unit_id"] == "U001" for i in unit["groups"][0]["items"])
    assert api.get("/me/confirmations", user="records1").status_code == 403
    assert fresh["status"] == "received"


def test_calls_are_recorded_listed_and_in_the_history(api: Any, seeded: Any) -> None:
    t = _ticket(api)
    api.post(f"/tickets/{t['id']}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1")
    body = {"kind": "other", "to_name": "周海", "to_phone": "13957600001", "outcome": "no_answer", "note": "未接通"}
    assert api.post(f"/tickets/{t['id']}/calls", body, user="op1").status_code == 201
    listed = api.get(f"/tickets/{t['id']}/calls", user="uh1").json["items"]
    assert [(c["kind"], c["outcome"], c["by"]) for c in listed] == [
        ("dispatch_notice", "reached", "op1"),
        ("other", "no_answer", "op1"),
    ]
    assert api.get(f"/tickets/{t['id']}/calls", user="uh2").status_code == 404  # another unit's ticket
    assert api.post(f"/tickets/{t['id']}/calls", dict(body, to_phone="6001"), user="op1").status_code == 422
    assert api.get(f"/tickets/{t['id']}/sms", user="op1").json == {"items": []}  # the stream sends, not the request
    assert api.get(f"/tickets/{t['id']}/sms", user="uh1").status_code == 403


def test_admin_sms_log_and_sweep_in_local_mode(api: Any, seeded: Any) -> None:
    assert api.get("/admin/sms", user="admin1").status_code == 200
    assert api.get("/admin/sms", user="op1").status_code == 403
    resp = api.post("/admin/sweep", {}, user="admin1")
    assert resp.status_code == 200 and resp.json["dynamodb_requests"] >= 8
    assert api.get("/me/tasks", user="op1").status_code == 200


def _walk(api: Any, tid: str, steps: list[tuple[str, str, dict[str, Any]]]) -> None:
    for verb, user, body in steps:
        resp = api.post(f"/tickets/{tid}/{verb}", body, user=user)
        assert resp.status_code == 200, (verb, resp.json)


REPLY = {"sections": {"answer": "已逐项答复", "basis": "相关政策"}}  # the consult template (R-12345-06)


def test_r12345_08_the_dispatchers_stage_is_due_soon_swept_overdue_and_counted(api: Any, seeded: Any) -> None:
    from datetime import UTC, datetime, timedelta

    def due_soon() -> int:
        groups = api.get("/me/confirmations", user="op2").json["groups"]
        return next(g["count"] for g in groups if g["key"] == "due_soon")

    soon = (datetime.now(UTC) + timedelta(hours=20)).isoformat()
    t = _ticket(api, category="consult", city_due=soon)
    before = due_soon()
    _walk(api, t["id"], [("dispatch", "op2", {"unit_id": "U001", "call": CALL}), ("sign", "uh1", {})])
    assert due_soon() == before + 1
    _walk(api, t["id"], [("reply", "uh1", REPLY), ("review", "op2", {"approve": True})])
    assert due_soon() == before + 1  # R-12345-08: still due soon while the dispatcher holds it
    late = _ticket(api, category="consult", received_at=(datetime.now(UTC) - timedelta(days=12)).isoformat())
    _walk(
        api,
        late["id"],
        [
            ("dispatch", "op2", {"unit_id": "U001", "call": CALL}),
            ("sign", "uh1", {}),
            ("reply", "uh1", REPLY),
            ("review", "op2", {"approve": True}),
        ],
    )
    month = datetime.now(UTC).astimezone(UTC).strftime("%Y-%m")
    counted = api.get(f"/stats/monthly?month={month}&scope=owner&id=op2", user="leader1").json
    assert api.post("/admin/sweep", {}, user="admin1").status_code == 200
    ticket = api.get(f"/tickets/{late['id']}", user="op2").json
    assert ticket["status"] == "reviewed" and ticket["flags"]["overdue"] is True
    types = [e["type"] for e in api.get(f"/tickets/{late['id']}/events", user="op2").json["items"]]
    assert types[-3:-1] == ["submit_reminder_due", "marked_overdue"] and "reminder_due" not in types  # R-12345-04
    assert types[-1] == "flagged_difficult"  # R-12345-10: overdue beyond 24 hours reaches the leader
    after = api.get(f"/stats/monthly?month={month}&scope=owner&id=op2", user="leader1").json
    assert after["counts"]["overdue"] == counted["counts"]["overdue"] + 1  # 逾期 counts it


def test_r12345_12_returned_and_replied_tickets_show_their_12_hour_clock(api: Any, seeded: Any) -> None:
    from datetime import datetime, timedelta

    returned = _ticket(api, category="consult")
    _walk(
        api,
        returned["id"],
        [("dispatch", "op1", {"unit_id": "U001", "call": CALL}), ("return", "uh1", {"reason": "不属于本单位职责"})],
    )
    shown = api.get(f"/tickets/{returned['id']}", user="op1").json
    back = datetime.fromisoformat(shown["return"]["at"])
    assert datetime.fromisoformat(shown["act_due"]) == back + timedelta(hours=12)
    group = next(g for g in api.get("/me/confirmations", user="op1").json["groups"] if g["key"] == "extensions_returns")
    assert group["count"] >= 1 and all("act_due" in i for i in group["items"])
    replied = _ticket(api, category="consult")
    _walk(
        api,
        replied["id"],
        [("dispatch", "op1", {"unit_id": "U001", "call": CALL}), ("sign", "uh1", {}), ("reply", "uh1", REPLY)],
    )
    listed = api.get("/tickets?status=replied&limit=50", user="op1").json["items"]
    row = next(i for i in listed if i["id"] == replied["id"])
    assert row["act_due"] is not None
    _walk(api, replied["id"], [("review", "op1", {"approve": True})])
    assert api.get(f"/tickets/{replied['id']}", user="op1").json["act_due"] is None


def test_the_calendar_year_lists_the_statutory_days_with_their_source(api: Any, seeded: Any) -> None:
    year = api.get("/admin/calendar/2026", user="admin1").json
    days = {d["date"]: d for d in year["days"]}
    assert year["package_covers"] is True
    assert days["2026-10-01"]["workday"] is False and days["2026-10-01"]["source"] == "package"
    assert days["2026-10-01"]["festival"] == "National Day"
    assert days["2026-10-10"]["workday"] is True and days["2026-10-10"]["source"] == "package"  # make-up Saturday
    assert all(d["source"] in ("package", "override") for d in year["days"])
    unknown = api.get("/admin/calendar/2028", user="admin1").json  # the package does not know it
    assert unknown["package_covers"] is False and all(d["source"] == "override" for d in unknown["days"])
