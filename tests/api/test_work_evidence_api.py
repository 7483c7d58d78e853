"""Evidence files on the office's work records through the API on moto: an action item (R-WORK-02), a weekly report
(R-WORK-01), a notice to units and each unit's submission — upload form → S3 → confirm (by content, sha256) → list →
recorded download, the same five routes as a ticket's; who may attach and see; the submission keeps its files and
the notice's spreadsheet lists them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime, timedelta
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.work import week_of
from tests.helpers import work as work_helpers
from tests.helpers.archive import bucket, s3, upload
from tests.helpers.evidence import PDF, PNG, attach_at, docx


def _day(days: int) -> str:
    return (datetime.now(SHANGHAI) + timedelta(days=days)).date().isoformat()


def _walk(api: Any, deps: Any, base: str, user: str, body: bytes, filename: str) -> dict[str, Any]:
    """Attach, then find it listed and download it (the presigned link serves the same bytes); the stored file."""
    kept = attach_at(api, deps, base, user, body, filename)
    assert kept.status_code == 200, kept.json
    assert kept.json["sha256"] == hashlib.sha256(body).hexdigest() and kept.json["filename"] == filename
    path, _, params = base.partition("?")
    qs = f"?{params}" if params else ""
    listed = api.get(f"{path}/evidence{qs}", user=user)
    assert listed.status_code == 200
    assert kept.json["evidence_id"] in [i["evidence_id"] for i in listed.json["items"]]
    got = api.get(f"{path}/evidence/{kept.json['evidence_id']}/download{qs}", user=user)
    assert got.status_code == 200 and got.json["sha256"] == kept.json["sha256"]
    return dict(kept.json)


def _refused_untouched(api: Any, deps: Any, base: str, user: str, status: int) -> None:
    """`user` may not attach: the Chinese refusal, and no pending record is left."""
    path, _, params = base.partition("?")
    qs = f"?{params}" if params else ""
    resp = api.post(f"{path}/evidence{qs}", {"filename": "x.pdf", "size": len(PDF)}, user=user)
    assert resp.status_code == status, resp.json
    assert set(resp.json) == {"code", "message", "details"}
    assert any("\u4e00" <= ch <= "\u9fff" for ch in resp.json["message"]), resp.json


def _stored_rows(deps: Any, kind: str, owner_id: str) -> list[dict[str, Any]]:
    return [d for _, d in deps.directory.query_items(f"EVID#{kind}#{owner_id}", prefix="F#")]


def test_r_work_02_action_owner_attaches_a_deliverable_others_refused(api: Any, deps: Any, seeded: Any) -> None:
    body = {"title": "回访数据分析（附件）", "owner_id": "op1", "deadline": _day(3), "deliverable": True}
    item = api.post("/work/actions", body, user="leader1").json
    base = f"/work/actions/{item['id']}"
    kept = _walk(api, deps, base, "op1", PDF, "回访分析.pdf")
    assert kept["owner_kind"] == "work-action" and kept["owner_id"] == item["id"]
    head = s3(deps).head_object(Bucket=bucket(deps), Key=f"evidence/work-action/{item['id']}/{kept['evidence_id']}")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    # the assigner sees it; a staff member not on the item may neither see nor attach
    assert [i["evidence_id"] for i in api.get(f"{base}/evidence", user="leader1").json["items"]] == [
        kept["evidence_id"]
    ]
    _refused_untouched(api, deps, base, "op2", 403)
    assert api.get(f"{base}/evidence", user="op2").status_code == 403
    assert api.get(f"{base}/evidence/{kept['evidence_id']}/download", user="op2").status_code == 403
    _refused_untouched(api, deps, base, "uh1", 403)
    assert len(_stored_rows(deps, "work-action", item["id"])) == 1  # nothing stored for the refused
    assert api.get("/work/actions/A-none/evidence", user="op1").status_code == 404
    downloads = api.get(f"{base}/evidence-downloads", user="op1").json["items"]
    assert [(d["evidence_id"], d["user_id"]) for d in downloads] == [(kept["evidence_id"], "op1")]


@pytest.fixture
def department(api: Any, deps: Any, seeded: Any) -> Iterator[None]:
    with work_helpers.departments(
        api, deps, {"id": "evd", "name": "材料科", "members": ["op1", "op2"], "coordinator_id": "op1"}
    ):
        yield


def test_r_work_01_weekly_report_files_mine_my_departments_and_who_may_read_them(
    api: Any, deps: Any, department: None
) -> None:
    week = (datetime.now(SHANGHAI).date() - timedelta(days=7)).isoformat()  # last week: a past, closed week
    monday = week_of(datetime.fromisoformat(week).date()).isoformat()
    mine = _walk(api, deps, f"/work/weekly/{week}", "op2", docx(), "周报附件.docx")
    assert mine["owner_kind"] == "work-report" and mine["owner_id"] == f"{monday}.op2"
    dept = _walk(api, deps, f"/work/weekly/{week}?dept_id=evd", "op1", PNG, "科室汇总.png")
    assert dept["owner_id"] == f"{monday}.DEPT#evd"
    # op2 is no coordinator: the department's report is not theirs to attach to
    _refused_untouched(api, deps, f"/work/weekly/{week}?dept_id=evd", "op2", 403)
    # readers: the leader and op2's coordinator read op2's files; op2 may not read op1's
    for reader in ("leader1", "op1"):
        seen = api.get(f"/work/weekly/{week}/evidence?owner_id=op2", user=reader)
        assert seen.status_code == 200 and [i["evidence_id"] for i in seen.json["items"]] == [mine["evidence_id"]]
    assert api.get(f"/work/weekly/{week}/evidence?owner_id=op1", user="op2").status_code == 403
    assert api.get(f"/work/weekly/{week}/evidence?owner_id=op2", user="uh1").status_code == 403
    _refused_untouched(api, deps, f"/work/weekly/{week}", "uh1", 403)  # a unit handler writes no weekly report
    # the week: any day of it names its Monday; a bad week or owner is a 422 naming the field
    other_day = (week_of(datetime.fromisoformat(week).date()) + timedelta(days=3)).isoformat()
    same = api.get(f"/work/weekly/{other_day}/evidence", user="op2").json["items"]
    assert [i["evidence_id"] for i in same] == [mine["evidence_id"]]
    bad = api.get("/work/weekly/2026-13-01/evidence", user="op2")
    assert bad.status_code == 422 and list(bad.json["details"]["fields"]) == ["week"]
    both = api.get(f"/work/weekly/{week}/evidence?owner_id=op2&dept_id=evd", user="leader1")
    assert both.status_code == 422 and list(both.json["details"]["fields"]) == ["owner_id"]


def test_notice_files_by_the_sender_submission_files_by_the_unit_copied_and_exported(
    api: Any, deps: Any, seeded: Any
) -> None:
    body = {"title": "便民服务自查（材料）", "body": "请附自查表", "unit_ids": ["U001"], "deadline": _day(5)}
    notice = api.post("/work/notices", body, user="leader1").json
    ref = f"/work/notices/{notice['id']}"
    # the notice's own files: its sender attaches, the unit it went to reads and downloads them
    form = _walk(api, deps, ref, "leader1", docx(), "自查表.docx")
    assert form["owner_kind"] == "work-notice"
    unit_sees = api.get(f"{ref}/evidence", user="uh1").json["items"]
    assert [i["evidence_id"] for i in unit_sees] == [form["evidence_id"]]
    assert api.get(f"{ref}/evidence/{form['evidence_id']}/download", user="uh1").status_code == 200
    _refused_untouched(api, deps, ref, "uh1", 403)  # a unit does not attach to the notice itself
    _refused_untouched(api, deps, ref, "op1", 403)  # nor another staff member
    # a unit the notice was not sent to sees nothing of it
    assert api.get(f"{ref}/evidence", user="uh2").status_code == 404
    assert len(_stored_rows(deps, "work-notice", notice["id"])) == 1

    # the unit's submission: its handler attaches, another unit and the staff may not attach
    sub = f"{ref}/units/U001"
    report = _walk(api, deps, sub, "uh1", PDF, "自查总结.pdf")
    assert report["owner_kind"] == "work-notice-submission" and report["owner_id"] == f"{notice['id']}.U001"
    _refused_untouched(api, deps, sub, "uh2", 404)  # not addressed: the notice is hidden from it
    _refused_untouched(api, deps, sub, "leader1", 403)
    assert api.get(f"{sub}/evidence", user="uh2").status_code == 404
    assert api.get(f"{ref}/units/U002/evidence", user="uh1").status_code == 404  # not a unit of this notice
    assert len(_stored_rows(deps, "work-notice-submission", f"{notice['id']}.U001")) == 1
    # the sender side reads the submission's files
    seen = api.get(f"{sub}/evidence", user="leader1").json["items"]
    assert [i["sha256"] for i in seen] == [hashlib.sha256(PDF).hexdigest()]

    # a pending upload (never confirmed) is not part of the submission
    start = api.post(f"{sub}/evidence", {"filename": "草稿.pdf", "size": len(PDF)}, user="uh1")
    assert start.status_code == 201
    submitted = api.post(f"{ref}/submit", {"text": "自查总结见附件"}, user="uh1")
    assert submitted.status_code == 200, submitted.json
    files = submitted.json["units"]["U001"]["files"]
    assert [(f["filename"], f["sha256"], f["stored_at"]) for f in files] == [
        ("自查总结.pdf", hashlib.sha256(PDF).hexdigest(), report["stored_at"])
    ]
    assert api.get(ref, user="leader1").json["units"]["U001"]["files"] == files

    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    export = api.client.http.get(
        f"{ref}/export", headers={"Authorization": f"Bearer {api.tokens['leader1']}", "Accept": xlsx}
    )
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.body))["报送情况"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[-1] == "报送材料"
    row = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=2)}["U001"]
    stored = datetime.fromisoformat(report["stored_at"]).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    assert row[-1] == f"自查总结.pdf（上传于 {stored}，SHA-256 {hashlib.sha256(PDF).hexdigest()}）"
    assert not any("work-notice" in str(c) or "E20" in str(c) for c in row)  # no code or id on the sheet


def test_a_refused_type_on_a_work_record_is_removed_like_a_tickets(api: Any, deps: Any, seeded: Any) -> None:
    body = {"title": "材料类型检查", "owner_id": "op1", "deadline": _day(2)}
    item = api.post("/work/actions", body, user="leader1").json
    base = f"/work/actions/{item['id']}"
    text = "不是文档".encode()
    start = api.post(f"{base}/evidence", {"filename": "报告.pdf", "size": len(text)}, user="op1").json
    assert upload(deps.archive_store, start["upload"], text) in (200, 204)
    refused = api.post(f"{base}/evidence/{start['evidence_id']}/confirm", {}, user="op1")
    assert refused.status_code == 422 and list(refused.json["details"]["fields"]) == ["file"]
    assert _stored_rows(deps, "work-action", item["id"]) == []
    assert api.get(f"{base}/evidence", user="op1").json["items"] == []
