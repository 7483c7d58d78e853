"""R-WORK-01/02/03/05/06 through the API: action items, approvals, weekly reports, the due sweep."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from chalicelib import bootstrap
from chalicelib.domain import work
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.services import notify
from chalicelib.services import work as svc
from tests.helpers import work as work_helpers


def _day(days: int) -> str:
    return (datetime.now(SHANGHAI) + timedelta(days=days)).date().isoformat()


def _action(api: Any, **changes: Any) -> Any:
    body = {"title": "整理回访数据", "owner_id": "op1", "deadline": _day(3), "meeting": "周一例会", **changes}
    return api.post("/work/actions", body, user="leader1")


@pytest.fixture
def work_settings(api: Any, deps: Any) -> Iterator[None]:
    with work_helpers.departments(
        api, deps, {"id": "biz", "name": "业务科", "members": ["op1", "op2"], "coordinator_id": "op1"}
    ):
        yield


def test_r_work_02_action_item_owner_must_be_an_existing_staff_member(api: Any, seeded: Any) -> None:
    for owner in ("nobody-here", "uh1", "x y", ""):
        resp = _action(api, owner_id=owner)
        assert resp.status_code == 422 and "owner_id" in resp.json["details"]["fields"], resp.json
        assert resp.json["details"]["fields"]["owner_id"].startswith(("用户", "须为"))
    past = _action(api, deadline=_day(-1))
    assert past.status_code == 422 and past.json["details"]["fields"] == {"deadline": "须晚于当前时间"}
    assert _action(api).status_code == 201
    assert (
        api.post("/work/actions", {"title": "x", "owner_id": "op1", "deadline": _day(2)}, user="uh1").status_code == 403
    )


def test_r_work_03_item_goes_delayed_at_its_deadline_and_a_new_date_is_approved_by_the_assigner(
    api: Any, deps: Any, seeded: Any
) -> None:
    item = _action(api).json
    assert item["status"] == "open" and item["names"]["owner_id"]
    ref = f"/work/actions/{item['id']}"
    assert api.post(f"{ref}/progress", {"text": "已收集一半"}, user="op2").status_code == 403
    assert api.post(f"{ref}/progress", {"text": "已收集一半"}, user="op1").status_code == 200
    deadline = datetime.fromisoformat(item["deadline"])
    svc.sweep(deps, deadline - timedelta(minutes=1))
    assert api.get(ref, user="op1").json["status"] == "open"
    svc.sweep(deps, deadline + timedelta(minutes=1))
    late = api.get(ref, user="op1").json
    assert late["status"] == "delayed" and late["delayed_at"]
    svc.sweep(deps, deadline + timedelta(minutes=20))
    assert [e["what"] for e in api.get(ref, user="op1").json["log"]].count("delayed") == 1
    board = api.get("/work/actions?status=delayed", user="leader1").json["items"]
    assert item["id"] in [i["id"] for i in board]
    ask = api.post(f"{ref}/request-extension", {"reason": "数据未齐", "new_deadline": _day(9)}, user="op1")
    assert ask.status_code == 200, ask.json
    assert api.post(f"{ref}/decide-extension", {"approve": True}, user="op1").status_code == 403
    ok = api.post(f"{ref}/decide-extension", {"approve": True}, user="leader1")
    assert ok.status_code == 200 and ok.json["status"] == "open" and ok.json["deadline"] > item["deadline"]
    done = api.post(f"{ref}/complete", {"note": "已完成"}, user="op1")
    assert done.status_code == 200 and done.json["status"] == "done" and done.json["on_time"] is False
    assert api.post(f"{ref}/complete", {}, user="op1").status_code == 409
    assert api.post(f"{ref}/nonsense", {}, user="op1").status_code == 404


def test_r_work_02_delegated_deliverable_is_done_when_the_assigner_approves_it(api: Any, seeded: Any) -> None:
    item = _action(api, deliverable=True).json
    ref = f"/work/actions/{item['id']}"
    bad = api.post(f"{ref}/delegate", {"delegate_id": "ghost-user"}, user="op1")
    assert bad.status_code == 422 and "delegate_id" in bad.json["details"]["fields"]
    assert api.post(f"{ref}/delegate", {"delegate_id": "op2"}, user="op1").json["delegate_id"] == "op2"
    handed = api.post(f"{ref}/complete", {"deliverable_ref": "回访分析报告.docx"}, user="op2")
    assert handed.status_code == 200 and handed.json["status"] == "submitted"
    assert api.post(f"{ref}/review", {"approve": True}, user="op2").status_code == 403
    back = api.post(f"{ref}/review", {"approve": False}, user="leader1")
    assert back.status_code == 422 and "note" in back.json["details"]["fields"]
    done = api.post(f"{ref}/review", {"approve": True}, user="leader1").json
    assert done["status"] == "done" and done["owner_id"] == "op1" and done["on_time"] is True


def test_r_work_05_approval_within_24_hours_chased_and_attributed_to_the_approver(
    api: Any, deps: Any, seeded: Any
) -> None:
    bad = api.post("/work/approvals", {"kind": "leave", "title": "年休假", "approver_id": "nobody-here"}, user="op1")
    assert bad.status_code == 422 and "approver_id" in bad.json["details"]["fields"]
    resp = api.post("/work/approvals", {"kind": "leave", "title": "年休假两天", "approver_id": "leader1"}, user="op1")
    assert resp.status_code == 201, resp.json
    item = resp.json
    ref = f"/work/approvals/{item['id']}/decide"
    refused = api.post(ref, {"approve": True}, user="op2")
    assert refused.status_code == 403 and refused.json["message"] == "只有指定的审批人可以审批"
    assert api.get("/work/approvals?box=sent", user="op1").json["items"][0]["status"] == "pending"
    due = datetime.fromisoformat(item["due_at"])
    svc.sweep(deps, due + timedelta(minutes=1))
    inbox = {a["id"]: a for a in api.get("/work/approvals", user="leader1").json["items"]}
    chased = inbox[item["id"]]
    assert chased["overdue"] is True and chased["attributed_to"] == "leader1" and len(chased["reminders"]) == 1
    assert chased["names"]["approver_id"] == "陈建国"
    pending = {a["id"] for a in api.get("/work/approvals?box=pending", user="leader1").json["items"]}
    assert item["id"] in pending
    assert api.get("/work/approvals?box=pending", user="op1").status_code == 403
    decided = api.post(ref, {"approve": True, "note": "同意"}, user="leader1")
    assert decided.status_code == 200 and decided.json["status"] == "approved"
    assert api.post(ref, {"approve": False, "note": "再议"}, user="leader1").status_code == 409
    svc.sweep(deps, due + timedelta(days=3))
    again = {a["id"]: a for a in api.get("/work/approvals?box=sent", user="op1").json["items"]}[item["id"]]
    assert len(again["reminders"]) == 1 and again["status"] == "approved"


def test_r_work_01_weekly_report_carry_over_and_missing_list(api: Any, deps: Any, work_settings: None) -> None:
    week = datetime.now(SHANGHAI).date()
    future = (week + timedelta(days=7)).isoformat()
    bad = api.put(f"/work/weekly/{future}", {"plan": [{"text": "x"}]}, user="op2")
    assert bad.status_code == 422 and bad.json["details"]["fields"] == {"week": "不能提交未来一周的周报"}
    last = (week - timedelta(days=7)).isoformat()
    body = {
        "planned": [{"text": "知识库更新", "outcome": "not_done", "cause": "政策未出", "measure": "下周跟进"}],
        "plan": [{"text": "编写月报", "important": True}],
    }
    assert api.put(f"/work/weekly/{last}", body, user="op2").status_code == 200
    draft = api.get(f"/work/weekly/{week.isoformat()}/draft", user="op2").json
    assert [p["text"] for p in draft["planned"]] == ["编写月报", "知识库更新"]
    mine = api.put(f"/work/weekly/{week.isoformat()}", {"plan": [{"text": "回访"}]}, user="op2")
    assert mine.status_code == 200
    dept = api.put(f"/work/weekly/{week.isoformat()}", {"dept_id": "biz", "plan": [{"text": "x"}]}, user="op2")
    assert dept.status_code == 403
    view = api.get(f"/work/weekly/{week.isoformat()}", user="leader1").json
    assert "op2" in [r["owner_id"] for r in view["reports"]]
    if datetime.now(SHANGHAI) > datetime.fromisoformat(view["due_at"]):
        assert {m["id"] for m in view["missing"]} >= {"op1", "DEPT#biz"}
    panel = api.get("/work/due", user="op2").json
    assert panel["weekly_report"]["submitted"] is True


def test_r_work_01_department_week_in_one_call_and_the_coordinators_draft(
    api: Any, deps: Any, work_settings: None
) -> None:
    week = (datetime.now(SHANGHAI).date() - timedelta(days=7)).isoformat()  # past its due whatever the day
    body = {
        "planned": [{"text": "热线知识库", "outcome": "not_done", "cause": "政策未出", "measure": "下周跟进"}],
        "unplanned": [{"text": "接待督查组", "important": True}],
        "plan": [{"text": "编写月报"}],
    }
    assert api.put(f"/work/weekly/{week}", body, user="op2").status_code == 200
    view = api.get(f"/work/weekly/{week}/departments", user="op2").json  # a member
    (biz,) = [d for d in view["departments"] if d["id"] == "biz"]
    states = {m["id"]: m["state"] for m in biz["members"]}
    assert states["op1"] == "missing" and states["op2"] in ("submitted", "late")
    assert biz["combined"]["state"] == "missing" and biz["can_submit"] is False and biz["coordinator"]
    assert [m["report"]["plan"] for m in biz["members"] if m["id"] == "op2"] == [
        [{"text": "编写月报", "important": False}]
    ]
    assert api.get(f"/work/weekly/{week}/departments?dept_id=biz", user="leader1").status_code == 200
    assert api.get(f"/work/weekly/{week}/draft", user="op2").json["due_at"] == view["due_at"]
    assert api.get(f"/work/weekly/{week}/departments?dept_id=biz", user="records1").status_code == 403
    assert api.get(f"/work/weekly/{week}/departments", user="records1").json["departments"] == []
    unknown = api.get(f"/work/weekly/{week}/departments?dept_id=zz", user="leader1")
    assert unknown.status_code == 422 and "dept_id" in unknown.json["details"]["fields"]
    assert api.get(f"/work/weekly/{week}/departments", user="uh1").status_code == 403
    assert api.get(f"/work/weekly/{week}/draft?dept_id=biz", user="op2").status_code == 403
    draft = api.get(f"/work/weekly/{week}/draft?dept_id=biz", user="op1").json
    assert [r["text"] for r in draft["planned"]] == ["热线知识库"] and draft["planned"][0]["cause"] == "政策未出"
    assert draft["unplanned"] == [{"text": "接待督查组", "deliverable_ref": "", "important": True}]
    assert draft["submitted"] is None
    combined = {k: draft[k] for k in ("planned", "unplanned", "plan")}
    assert api.put(f"/work/weekly/{week}", {"dept_id": "biz", **combined}, user="op1").status_code == 200
    after = api.get(f"/work/weekly/{week}/departments?dept_id=biz", user="leader1").json["departments"][0]
    assert after["combined"]["state"] == "late" and after["combined"]["report"]["unplanned"] == draft["unplanned"]


def test_r_work_06_monthly_figures_for_leaders_only(api: Any, seeded: Any) -> None:
    _action(api)
    month = datetime.now(SHANGHAI).strftime("%Y-%m")
    assert api.get(f"/work/figures/{month}", user="op1").status_code == 403
    assert api.get("/work/figures/2026-13", user="leader1").status_code == 422
    rows = api.get(f"/work/figures/{(datetime.now(SHANGHAI) + timedelta(days=3)):%Y-%m}", user="leader1").json["rows"]
    assert any(r["owner_id"] == "op1" and r["due"] >= 1 and r["name"] == "王敏" for r in rows), rows


def test_notice_to_units_received_submitted_late_and_exported(api: Any, deps: Any, seeded: Any) -> None:
    none = api.post(
        "/work/notices", {"title": "自查", "body": "请报送", "unit_ids": [], "deadline": _day(5)}, user="leader1"
    )
    assert none.status_code == 422 and none.json["details"]["fields"] == {"unit_ids": "须至少选择一个单位"}
    body = {
        "title": "便民服务自查",
        "body": "请于期限前报送自查总结",
        "unit_ids": ["U001", "U002"],
        "deadline": _day(5),
    }
    assert api.post("/work/notices", body, user="uh1").status_code == 403
    notice = api.post("/work/notices", body, user="leader1").json
    ref = f"/work/notices/{notice['id']}"
    assert api.post(f"{ref}/receive", {}, user="uh1").json["units"]["U001"]["received_at"]
    mine = api.get(ref, user="uh1").json
    assert list(mine["units"]) == ["U001"]  # a unit sees its own row only
    assert mine["sender"] == "陈建国"  # the sender by name, not login id
    svc.sweep(deps, datetime.fromisoformat(notice["deadline"]) + timedelta(minutes=1))  # the reminders are late now
    assert api.get(ref, user="leader1").json["reminders"] == []
    assert sorted(api.get(ref, user="leader1").json["late_units"]) == ["U001", "U002"]
    late = api.post(f"{ref}/submit", {"text": "自查总结：已整改三项"}, user="uh2")
    assert late.status_code == 200 and late.json["units"]["U002"]["late"] is True
    assert api.post(f"{ref}/submit", {"text": ""}, user="uh1").status_code == 422
    assert api.post(f"{ref}/close", {}, user="op1").status_code == 403
    closed = api.post(f"{ref}/close", {}, user="leader1").json
    assert closed["status"] == "closed" and closed["pending_units"] == ["U001"]
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": xlsx}
    export = api.client.http.get(f"{ref}/export", headers=headers)
    assert export.status_code == 200 and export.headers["Content-Type"] == xlsx
    sheet = load_workbook(BytesIO(export.body))["报送情况"]
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}
    assert rows["U002"][4] == "逾期" and rows["U002"][5] == "自查总结：已整改三项" and rows["U001"][3] in ("", None)
    assert api.get(f"{ref}/export", user="uh1").status_code == 403


def test_admin_work_sweep_runs_the_r_work_05_chase_at_a_given_instant_in_local_mode(api: Any, seeded: Any) -> None:
    made = api.post(
        "/work/approvals", {"kind": "leave", "title": "事假一天", "approver_id": "leader1"}, user="op1"
    ).json
    due = datetime.fromisoformat(made["due_at"])
    assert api.post("/admin/work-sweep", {"at": due.isoformat()}, user="op1").status_code == 403
    for bad in ("明天", (due + timedelta(days=40)).isoformat(), (due - timedelta(days=3)).isoformat()):
        resp = api.post("/admin/work-sweep", {"at": bad}, user="admin1")
        assert resp.status_code == 422 and list(resp.json["details"]["fields"]) == ["at"], resp.json
    early = api.post("/admin/work-sweep", {"at": (due - timedelta(minutes=1)).isoformat()}, user="admin1")
    assert early.status_code == 200
    assert _sent(api, made["id"])["reminders"] == [] and _sent(api, made["id"])["overdue"] is False
    for _ in range(2):  # a second run at the same instant chases nothing more
        late = api.post("/admin/work-sweep", {"at": (due + timedelta(hours=1)).isoformat()}, user="admin1")
        assert late.status_code == 200
    chased = _sent(api, made["id"])
    assert chased["overdue"] is True and chased["attributed_to"] == "leader1" and len(chased["reminders"]) == 1
    assert api.post("/admin/work-sweep", {}, user="admin1").status_code == 200


def _sent(api: Any, approval_id: str) -> dict[str, Any]:
    return dict(
        next(a for a in api.get("/work/approvals?box=sent", user="op1").json["items"] if a["id"] == approval_id)
    )


def test_r_work_06_monthly_figures_exported_per_person_with_names(api: Any, seeded: Any) -> None:
    import io

    from openpyxl import load_workbook

    _action(api)
    month = f"{(datetime.now(SHANGHAI) + timedelta(days=3)):%Y-%m}"
    assert api.get(f"/work/figures/{month}/export", user="op1").status_code == 403
    assert api.get("/work/figures/2026-13/export", user="leader1").status_code == 422
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": xlsx}
    got = api.client.http.get(f"/work/figures/{month}/export", headers=headers)
    assert got.status_code == 200 and got.headers["Content-Type"] == xlsx
    sheet = load_workbook(io.BytesIO(got.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("姓名", "应完成事项")
    assert any(r[0] == "王敏" and r[1] >= 1 for r in rows[1:]), rows
    assert not any("op1" in str(v) for r in rows for v in r)  # names, never login ids


@pytest.fixture
def head_mobile(api: Any, deps: Any) -> Iterator[str]:
    """The head of the centre (leader1) with a mobile entered by the admin."""
    assert (
        api.put("/admin/duty/staff/leader1", {"name": "陈建国", "phone": "13957601003"}, user="admin1").status_code
        == 200
    )
    yield "+8613957601003"
    deps.directory.delete("DUTY#STAFF", "leader1")


def test_r_work_04_friday_report_archived_texted_to_the_head_with_its_link_and_on_the_home_page(
    api: Any, deps: Any, work_settings: None, head_mobile: str
) -> None:
    week = work.week_of((datetime.now(SHANGHAI) + timedelta(days=49)).date())  # a week no other test sweeps
    late = _action(api, title="知识库更新（周五报告）", deadline=(week + timedelta(days=2)).isoformat()).json
    assert api.post(f"/work/actions/{late['id']}/progress", {"text": "政策待出台"}, user="op1").status_code == 200
    assert (
        _action(api, title="回访数据整理（周五报告）", deadline=(week + timedelta(days=8)).isoformat()).status_code
        == 201
    )
    friday = work.friday_at(week)
    spa = "https://12345.county.example.gov.cn"  # the SPA's origin (the first of CORS_ORIGINS)
    at = {"clock": friday + timedelta(minutes=5)}
    shifted = dataclasses.replace(
        deps,
        clock=lambda: at["clock"].astimezone(UTC),
        settings=dataclasses.replace(
            deps.settings, cors_origins=(spa, "http://127.0.0.1:5173"), public_base_url="https://api.example.gov.cn"
        ),
    )

    def scheduled(when: datetime) -> dict[str, Any]:  # the EventBridge schedule, through the app's handler
        event = {
            "version": "0",
            "id": f"friday-{when:%H%M}",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "cn-north-1",
            "resources": ["arn:aws-cn:events:cn-north-1:123456789012:rule/hotline-test-work_sweep"],
            "detail": {},
        }
        payload: dict[str, Any] = api.client.lambda_.invoke("work_sweep", event).payload
        return payload

    bootstrap.use(shifted)
    try:
        assert scheduled(friday - timedelta(minutes=5)).get("friday_reports", 0) == 0
        assert scheduled(friday + timedelta(minutes=5))["friday_reports"] == 1
        assert scheduled(friday + timedelta(minutes=20)).get("friday_reports", 0) == 0  # once a week
        at["clock"] = friday + timedelta(hours=15)  # Saturday morning: the home page
        panel = api.get("/work/due", user="leader1").json
        assert panel["friday_report"]["week"] == week.isoformat()
        assert panel["friday_report"]["counts"]["delayed"] >= 1 and "head_id" not in panel["friday_report"]
        assert api.get("/work/due", user="op1").json["friday_report"] is None
        html = api.client.http.get(
            f"/work/friday/{week.isoformat()}?format=html", headers={"Authorization": f"Bearer {api.tokens['leader1']}"}
        ).body.decode()
        pdf_headers = {"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": "application/pdf"}
        pdf = api.client.http.get(f"/work/friday/{week.isoformat()}?format=pdf", headers=pdf_headers)
        assert api.get(f"/work/friday/{week.isoformat()}?format=html", user="op1").status_code == 403
    finally:
        bootstrap.use(deps)

    # archived once under deterministic keys, COMPLIANCE-locked; the API serves the archived copies
    keys = {ext: f"work/friday/{week.isoformat()}.{ext}" for ext in ("html", "pdf")}
    archived = {ext: deps.archive_store.get(key) for ext, key in keys.items()}
    assert archived["pdf"].body.startswith(b"%PDF") and pdf.status_code == 200 and pdf.body == archived["pdf"].body
    assert html == archived["html"].body.decode()
    assert "知识库更新（周五报告）" in html and "政策待出台" in html and "回访数据整理（周五报告）" in html
    for code in ("op1", "leader1", "delayed", "open"):
        assert f">{code}<" not in html, code
    s3 = deps.clients("s3")
    for key in keys.values():
        assert len(deps.archive_store.versions(key)) == 1, key
        head = s3.head_object(Bucket=deps.archive_store.bucket, Key=key)
        assert head["ObjectLockMode"] == "COMPLIANCE" and head["ServerSideEncryption"] == "aws:kms", key

    # texted to the head of the centre once, with the link to the report's page in the SPA (not the API route,
    # which needs a bearer token a phone's browser does not have)
    sent = [m for m in notify.ticket_messages(deps, f"W{week:%Y%m%d}") if m["template"] == "work_friday_report"]
    assert len(sent) == 1, sent
    sms = sent[0]
    assert sms["e164"] == head_mobile and sms["to_name"] == "陈建国" and sms["status"] == "sent"
    assert "工作进展和延误情况报告" in sms["text"] and f"（{spa}/work/friday/{week.isoformat()}）" in sms["text"]
    assert "api.example.gov.cn" not in sms["text"] and "format=" not in sms["text"]
