"""R-WORK-07: the office's deliverables (evidence files of action items and weekly reports) archived through the
tickets' pipeline — deterministic keys written once, a manifest with sha256, verification — on the in-memory fakes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.model import Actor
from chalicelib.services import evidence, work_archive
from chalicelib.services import work as svc
from chalicelib.storage.table import KeyRange
from tests.helpers.archive import upload
from tests.helpers.clock import sh
from tests.helpers.evidence import PDF, docx

NOW = sh(2026, 11, 2, 9).astimezone(UTC)  # Monday
LEADER = Actor("leader1", "leader", name="陈建国")
OP1 = Actor("op1", "operator", name="王敏")
OP2 = Actor("op2", "operator", name="李强")
RECORDS = Actor("records1", "records", name="档案员")


@pytest.fixture
def office(fake: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    def account(deps: Any, field: str, user_id: str) -> dict[str, Any]:
        return {"username": user_id, "name": user_id, "groups": ["operator"], "enabled": True}

    monkeypatch.setattr(svc, "account", account)
    return fake


def _attach(
    deps: Any, actor: Actor, owner: evidence.Owner, body: bytes, name: str, at: datetime = NOW
) -> dict[str, Any]:
    """Upload and confirm a file; files started at one instant have no order among them (ids sort by start)."""
    started = evidence.start_upload(deps, actor, owner, {"filename": name, "size": len(body)}, at)
    assert upload(deps.archive_store, started["upload"], body) == 204
    return evidence.confirm(deps, actor, owner, started["evidence_id"], at + timedelta(minutes=1))


def _key_versions(deps: Any, prefix: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in deps.archive_store.versions(prefix):
        out[v["key"]] = out.get(v["key"], 0) + 1
    return out


def test_r_work_07_approved_deliverable_archived_with_its_files_once_and_verified(office: Any) -> None:
    body = {"title": "回访分析报告", "owner_id": "op1", "deadline": "2026-11-06", "deliverable": True}
    item = svc.create_action(office, LEADER, body, NOW)
    owner = evidence.Owner(work_archive.ACTION_KIND, item["id"])
    with pytest.raises(Forbidden):
        _attach(office, OP2, owner, PDF, "分析.pdf")  # not on the item
    kept = _attach(office, OP1, owner, PDF, "分析.pdf")
    with pytest.raises(Forbidden):
        evidence.listing(office, OP2, owner)
    assert [f["evidence_id"] for f in evidence.listing(office, LEADER, owner)["items"]] == [kept["evidence_id"]]

    later = NOW + timedelta(hours=2)
    svc.act_on_action(office, OP1, item["id"], "complete", {"deliverable_ref": "分析.pdf"}, later)
    assert work_archive.versions(office, RECORDS, work_archive.ACTION_KIND, item["id"]) == []  # handed in only
    done = svc.act_on_action(office, LEADER, item["id"], "review", {"approve": True}, later + timedelta(hours=1))
    assert done["status"] == "done"
    [entry] = work_archive.versions(office, RECORDS, work_archive.ACTION_KIND, item["id"])
    version = (later + timedelta(hours=1)).astimezone(SHANGHAI).strftime("%Y%m%dT%H%M%S%f")
    prefix = f"archive/work/work-action/{item['id']}/{version}/"
    assert entry["version"] == version and entry["prefix"] == prefix and entry["evidence"] == 1
    record = json.loads(office.archive_store.get(prefix + "record.json").body)
    assert record["record"]["status"] == "done" and record["evidence"][0]["sha256"] == kept["sha256"]
    manifest = json.loads(office.archive_store.get(prefix + "manifest.json").body)
    assert manifest["files"]["record.json"]["sha256"] == entry["files"]["record.json"]["sha256"]
    assert [(e["evidence_id"], e["sha256"]) for e in manifest["evidence"]] == [(kept["evidence_id"], kept["sha256"])]

    again = work_archive.archive_action(office, office.directory.get_item(svc.ACTION, item["id"]), later)
    assert again == entry  # the same state: the same keys, nothing written twice
    assert _key_versions(office, prefix) == {prefix + "record.json": 1, prefix + "manifest.json": 1}

    checked = work_archive.verify(office, RECORDS, work_archive.ACTION_KIND, item["id"])
    assert checked["ok"] and [r["file"] for r in checked["files"]] == [
        "manifest.json",
        "record.json",
        f"evidence/{kept['evidence_id']}",
    ]
    with pytest.raises(Forbidden):
        work_archive.verify(office, OP1, work_archive.ACTION_KIND, item["id"])
    office.archive_store.put(prefix + "record.json", b"{}", "application/json", later)  # a newer object over it
    tampered = work_archive.verify(office, RECORDS, work_archive.ACTION_KIND, item["id"])
    assert not tampered["ok"] and tampered["differs"] == ["record.json"]


def test_r_work_07_each_weekly_report_submission_archived_with_its_deliverables(office: Any) -> None:
    week = "2026-10-26"
    rid = work_archive.report_id(week, "op1")
    owner = evidence.Owner(work_archive.REPORT_KIND, rid)
    with pytest.raises(Forbidden):
        _attach(office, OP2, owner, PDF, "周报附件.pdf")
    kept = _attach(office, OP1, owner, docx(), "月报初稿.docx")
    body = {
        "planned": [{"text": "编写月报", "outcome": "done", "deliverable_ref": "月报初稿.docx"}],
        "plan": [{"text": "回访"}],
    }
    first = svc.submit_report(office, OP1, week, body, NOW + timedelta(minutes=5))
    second = svc.submit_report(
        office, OP1, week, dict(body, plan=[{"text": "回访"}, {"text": "培训"}]), NOW + timedelta(hours=1)
    )
    found = work_archive.versions(office, RECORDS, work_archive.REPORT_KIND, rid)
    assert [v["at"] for v in found] == [first["submitted_at"], second["submitted_at"]]
    newest = json.loads(office.archive_store.get(found[-1]["prefix"] + "record.json").body)
    assert [p["text"] for p in newest["record"]["plan"]] == ["回访", "培训"]
    assert newest["evidence"][0]["sha256"] == kept["sha256"] and found[-1]["prefix"].startswith(
        f"archive/work/work-report/{rid}/"
    )
    assert work_archive.verify(office, RECORDS, work_archive.REPORT_KIND, rid, found[0]["version"])["ok"]


def test_r_work_07_work_owner_kinds_are_known_before_their_module_is_loaded() -> None:
    """Routes load services on first use: evidence finds the work kinds even in a process that has not yet
    imported services/work_archive.py."""
    import subprocess
    import sys

    probe = (
        "import sys\n"
        "from chalicelib.services import evidence\n"
        "assert 'chalicelib.services.work_archive' not in sys.modules\n"
        "policy = evidence._policy(evidence.Owner('work-report', '2026-10-26.op1'))\n"
        "assert 'chalicelib.services.work_archive' in sys.modules and policy is evidence.OWNERS['work-report']\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr


def _fail_once(deps: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The archive store refuses its next write once (an S3 outage); the keys it was asked for."""
    real, asked = deps.archive_store.put_once, []

    def flaky(key: str, *args: Any, **kwargs: Any) -> Any:
        asked.append(key)
        if len(asked) == 1:
            raise ConnectionError("archive bucket unreachable")
        return real(key, *args, **kwargs)

    monkeypatch.setattr(deps.archive_store, "put_once", flaky)
    return asked


def test_r_work_07_a_report_whose_archive_failed_is_archived_by_the_next_sweep_once(
    office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    week, at = "2026-10-26", NOW + timedelta(minutes=5)
    rid = work_archive.report_id(week, "op1")
    _fail_once(office, monkeypatch)
    report = svc.submit_report(office, OP1, week, {"planned": [{"text": "编写月报", "outcome": "done"}]}, at)
    assert office.directory.get_item(f"WORK#WEEK#{week}", "op1") == report  # the submission stands
    assert work_archive.versions(office, RECORDS, work_archive.REPORT_KIND, rid) == []
    [mark] = office.table.items(work_archive.MARKS, KeyRange(prefix=f"{work_archive.REPORT_KIND}#{rid}#"))
    assert mark.gsi1pk == svc.DUE and mark.data["record"] == report  # the state itself, due for the sweep

    assert svc.sweep(office, at + timedelta(minutes=1))["deliverables_archived"] == 0  # not due yet
    swept = svc.sweep(office, at + work_archive.RETRY_AFTER + timedelta(seconds=1))
    assert swept["deliverables_archived"] == 1 and swept["deliverables_archive_failed"] == 0
    [entry] = work_archive.versions(office, RECORDS, work_archive.REPORT_KIND, rid)
    assert entry["at"] == report["submitted_at"] and work_archive.verify(office, RECORDS, "work-report", rid)["ok"]
    closed = office.table.get(work_archive.MARKS, mark.sk)
    assert closed.gsi1pk is None and closed.expires_at is not None and "archived_at" in closed.data
    assert svc.sweep(office, at + timedelta(hours=1))["deliverables_archived"] == 0  # closed: not read again
    assert set(_key_versions(office, entry["prefix"]).values()) == {1}


def test_r_work_07_an_archive_that_keeps_failing_stays_due_and_is_counted(
    office: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    week, at = "2026-10-19", NOW + timedelta(minutes=7)
    real = office.archive_store.put_once

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OSError("archive bucket unreachable")

    monkeypatch.setattr(office.archive_store, "put_once", down)
    svc.submit_report(office, OP2, week, {"planned": [{"text": "整理台账", "outcome": "done"}]}, at)
    later = at + work_archive.RETRY_AFTER + timedelta(seconds=1)
    assert svc.sweep(office, later)["deliverables_archive_failed"] == 1
    assert svc.sweep(office, later + timedelta(minutes=5))["deliverables_archive_failed"] == 1  # still due
    monkeypatch.setattr(office.archive_store, "put_once", real)  # the bucket is back
    assert svc.sweep(office, later + timedelta(minutes=10))["deliverables_archived"] == 1
    assert len(work_archive.versions(office, RECORDS, work_archive.REPORT_KIND, f"{week}.op2")) == 1


def test_notice_files_by_its_sender_and_a_units_files_kept_in_its_row_as_submitted(office: Any) -> None:
    office.directory.put_unit("U001", {"name": "海游街道", "contacts": []})
    office.directory.put_unit("U002", {"name": "住建局", "contacts": []})
    office.contexts.invalidate()
    body = {"title": "便民服务自查", "body": "请报送", "unit_ids": ["U001"], "deadline": "2026-11-10"}
    notice = svc.create_notice(office, LEADER, body, NOW)
    uh1, uh2 = Actor("uh1", "unit_handler", "U001"), Actor("uh2", "unit_handler", "U002")
    own = evidence.Owner(work_archive.NOTICE_KIND, notice["id"])
    with pytest.raises(Forbidden):
        _attach(office, OP1, own, docx(), "自查表.docx")  # staff, not the sender
    with pytest.raises(Forbidden):
        _attach(office, uh1, own, docx(), "自查表.docx")
    form = _attach(office, LEADER, own, docx(), "自查表.docx")
    assert [f["evidence_id"] for f in evidence.listing(office, uh1, own)["items"]] == [form["evidence_id"]]
    with pytest.raises(NotFound):
        evidence.listing(office, uh2, own)  # not sent to U002

    sub = evidence.Owner(work_archive.SUBMISSION_KIND, work_archive.submission_id(notice["id"], "U001"))
    with pytest.raises(Forbidden):
        _attach(office, LEADER, sub, PDF, "总结.pdf")
    kept = _attach(office, uh1, sub, PDF, "总结.pdf")
    evidence.start_upload(office, uh1, sub, {"filename": "未确认.pdf", "size": len(PDF)}, NOW)  # never confirmed
    done = svc.act_on_notice(office, uh1, notice["id"], "submit", {"text": "已自查"}, NOW + timedelta(hours=1))
    assert done["units"]["U001"]["files"] == [
        {k: kept[k] for k in ("evidence_id", "filename", "sha256", "size", "stored_at")}
    ]
    later = _attach(
        office, uh1, sub, docx(), "补充.docx", NOW + timedelta(hours=1, minutes=30)
    )  # the next submission's
    assert [f["filename"] for f in svc.get_notice(office, LEADER, notice["id"])["units"]["U001"]["files"]] == [
        "总结.pdf"
    ]
    again = svc.act_on_notice(office, uh1, notice["id"], "submit", {"text": "补充"}, NOW + timedelta(hours=2))
    assert [f["evidence_id"] for f in again["units"]["U001"]["files"]] == [kept["evidence_id"], later["evidence_id"]]
    assert [f["evidence_id"] for f in evidence.listing(office, LEADER, sub)["items"]] == [
        kept["evidence_id"],
        later["evidence_id"],
    ]
