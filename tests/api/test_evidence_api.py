"""Evidence files on a ticket through the API on moto (R-12369-01 录音资料/书面材料, R-12345-17):
presigned upload, type decided by content, sha256, listing, recorded downloads, the archive manifest."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from chalicelib.domain import evidence as rules
from chalicelib.services import evidence as svc
from tests.helpers.archive import bucket, s3, upload
from tests.helpers.evidence import AMR, EXE, HEIC, JPEG, MP3, PDF, PNG, TEXT, attach, docx, plain_zip, wav
from tests.helpers.streams import AUDIT, deliver, stream_records
from tests.helpers.tickets import CALL, OP1, close_report


def _ticket(api: Any, dispatched: bool = True) -> str:
    body = {"category": "report", "title": "河道排污", "content": "工厂夜间向河道排放污水", "hotline": "12369"}
    body |= {"entity": {"name": "某印染厂"}, "demand": "查处排污"}  # R-12369-01
    resp = api.post("/tickets", body, user="op1")
    assert resp.status_code == 201, resp.json
    tid: str = resp.json["id"]
    if dispatched:  # a 12369 report is accepted, then forwarded to the unit (R-12369-02/04)
        for verb, step in (("decide", {"decision": "accept"}), ("forward", {"unit_id": "U001", "call": CALL})):
            out = api.post(f"/tickets/{tid}/{verb}", step, user="op1")
            assert out.status_code == 200, out.json
    return tid


def _gone(deps: Any, key: str) -> bool:
    return not s3(deps).list_object_versions(Bucket=bucket(deps), Prefix=key).get("Versions")


@pytest.mark.parametrize(
    ("body", "filename", "kind", "group"),
    [
        (wav(), "来电录音.wav", "wav", "recording"),
        (AMR, "录音.amr", "amr", "recording"),
        (MP3, "call.mp3", "mp3", "recording"),
        (JPEG, "现场.jpg", "jpeg", "photo"),
        (PNG, "现场.png", "png", "photo"),
        (HEIC, "IMG_0001.HEIC", "heic", "photo"),
        (PDF, "检测报告.pdf", "pdf", "document"),
        (docx(), "情况说明.docx", "docx", "office"),
    ],
    ids=["wav", "amr", "mp3", "jpeg", "png", "heic", "pdf", "docx"],
)
def test_r12369_01_every_accepted_type_is_stored_with_its_sha256(
    api: Any, deps: Any, seeded: Any, body: bytes, filename: str, kind: str, group: str
) -> None:
    tid = _ticket(api, dispatched=False)
    resp = attach(api, deps, tid, "op1", body, filename, note="举报人提供")
    assert resp.status_code == 200, resp.json
    item = resp.json
    assert (item["type"], item["group"], item["status"]) == (kind, group, "stored")
    assert item["sha256"] == hashlib.sha256(body).hexdigest() and item["size"] == len(body)
    assert item["filename"] == filename and item["attached_by"] == "op1"
    kept = deps.directory.get_item(f"EVID#ticket#{tid}", f"F#{item['evidence_id']}")
    head = s3(deps).head_object(Bucket=bucket(deps), Key=kept["key"])
    assert head["ObjectLockMode"] == "COMPLIANCE" and head["VersionId"] == kept["s3_version_id"]
    assert _gone(deps, svc.upload_key(item["evidence_id"]))  # the staging copy is removed
    listed = api.get(f"/tickets/{tid}/evidence", user="op1").json["items"]
    assert [(i["evidence_id"], i["sha256"]) for i in listed] == [(item["evidence_id"], item["sha256"])]


def test_the_type_is_read_from_the_content_not_the_name(api: Any, deps: Any, seeded: Any) -> None:
    tid = _ticket(api, dispatched=False)
    renamed = attach(api, deps, tid, "op1", PNG, "扫描件.pdf")
    assert renamed.status_code == 200 and renamed.json["type"] == "png"
    assert renamed.json["content_type"] == "image/png"
    for body, name in ((TEXT, "照片.jpg"), (EXE, "录音.mp3"), (plain_zip(), "文档.docx")):
        start = api.post(f"/tickets/{tid}/evidence", {"filename": name, "size": len(body)}, user="op1").json
        assert upload(deps.archive_store, start["upload"], body) in (200, 204)
        refused = api.post(f"/tickets/{tid}/evidence/{start['evidence_id']}/confirm", {}, user="op1")
        assert refused.status_code == 422, name
        assert "文件类型不允许" in refused.json["details"]["fields"]["file"]
        assert _gone(deps, svc.upload_key(start["evidence_id"]))  # removed, nothing kept
        again = api.post(f"/tickets/{tid}/evidence/{start['evidence_id']}/confirm", {}, user="op1")
        assert again.status_code == 404
    assert [i["filename"] for i in api.get(f"/tickets/{tid}/evidence", user="op1").json["items"]] == ["扫描件.pdf"]


def test_a_file_over_50_mb_is_refused_before_and_after_the_upload(
    api: Any, deps: Any, seeded: Any, monkeypatch: Any
) -> None:
    tid = _ticket(api, dispatched=False)
    too_big = api.post(f"/tickets/{tid}/evidence", {"filename": "录像.mp3", "size": 50 * 1024 * 1024 + 1}, user="op1")
    assert too_big.status_code == 422 and "50 MB" in too_big.json["details"]["fields"]["file"]
    assert rules.MAX_BYTES == 50 * 1024 * 1024
    # an upload larger than it announced (S3 enforces the signed size range; the check here is the last word)
    start = api.post(f"/tickets/{tid}/evidence", {"filename": "a.pdf", "size": 100}, user="op1").json
    assert upload(deps.archive_store, start["upload"], PDF + b"\x00" * 400) in (200, 204)
    monkeypatch.setattr(rules, "MAX_BYTES", 300)
    refused = api.post(f"/tickets/{tid}/evidence/{start['evidence_id']}/confirm", {}, user="op1")
    assert refused.status_code == 422 and "超过上限" in refused.json["details"]["fields"]["file"]
    assert _gone(deps, svc.upload_key(start["evidence_id"]))
    assert api.get(f"/tickets/{tid}/evidence", user="op1").json["items"] == []


def test_bad_requests_are_clear_4xx_and_change_nothing(api: Any, deps: Any, seeded: Any) -> None:
    tid = _ticket(api)
    url = f"/tickets/{tid}/evidence"
    assert api.post(url, {"size": 10}, user="op1").json["details"]["fields"] == {"filename": "须填写文件名"}
    assert "size" in api.post(url, {"filename": "a.pdf", "size": "10"}, user="op1").json["details"]["fields"]
    assert "size" in api.post(url, {"filename": "a.pdf", "size": 0}, user="op1").json["details"]["fields"]
    assert api.post(url, {"filename": "a.pdf", "size": 10}, user="analyst1").status_code == 403
    assert api.post(url, {"filename": "a.pdf", "size": 10}, user="uh2").status_code == 404  # another unit's
    assert api.post("/tickets/T20000101-99999/evidence", {"filename": "a", "size": 1}, user="op1").status_code == 404
    assert api.post(f"{url}/Enothing/confirm", {}, user="op1").status_code == 404
    assert api.get(f"{url}/E20260101000000abcdef12/download", user="op1").status_code == 404
    start = api.post(url, {"filename": "a.pdf", "size": 10}, user="uh1")
    assert start.status_code == 201
    early = api.post(f"{url}/{start.json['evidence_id']}/confirm", {}, user="uh1")
    assert early.status_code == 422 and "尚未上传" in early.json["details"]["fields"]["file"]
    assert api.get(f"{url}/{start.json['evidence_id']}/download", user="uh1").status_code == 404  # pending
    assert api.get(url, user="op1").json["items"] == []


def test_a_repeated_confirm_answers_the_same_file(api: Any, deps: Any, seeded: Any) -> None:
    tid = _ticket(api)
    first = attach(api, deps, tid, "uh1", PDF, "回复.pdf").json
    again = api.post(f"/tickets/{tid}/evidence/{first['evidence_id']}/confirm", {}, user="uh1")
    assert again.status_code == 200 and again.json == first
    key = svc.stored_key(svc.Owner("ticket", tid), first["evidence_id"])
    assert len(s3(deps).list_object_versions(Bucket=bucket(deps), Prefix=key)["Versions"]) == 1


def test_downloads_follow_who_may_see_the_ticket_and_are_recorded(api: Any, deps: Any, seeded: Any) -> None:
    tid = _ticket(api)
    item = attach(api, deps, tid, "op1", JPEG, "现场照片.jpg").json
    url = f"/tickets/{tid}/evidence/{item['evidence_id']}/download"
    for user in ("op1", "uh1", "analyst1", "leader1"):
        resp = api.get(url + ("?inline=1" if user == "uh1" else ""), user=user)
        assert resp.status_code == 200, (user, resp.json)
        assert resp.json["sha256"] == item["sha256"] and resp.json["expires_in"] == 900
    fetched = requests.get(api.get(url, user="op1").json["url"], timeout=10)
    assert fetched.status_code == 200 and hashlib.sha256(fetched.content).hexdigest() == item["sha256"]
    assert api.get(url, user="uh2").status_code == 404  # another unit does not see the ticket
    assert api.get(f"/tickets/{tid}/evidence", user="uh2").status_code == 404
    log = api.get(f"/tickets/{tid}/evidence-downloads", user="auditor1")
    assert log.status_code == 200
    users = [d["user_id"] for d in log.json["items"]]
    assert sorted(users) == ["analyst1", "leader1", "op1", "op1", "uh1"]
    assert all(d["evidence_id"] == item["evidence_id"] and d["sha256"] == item["sha256"] for d in log.json["items"])
    assert api.get(f"/tickets/{tid}/evidence-downloads", user="uh1").status_code == 403


def test_r12345_17_the_archive_manifest_lists_the_evidence_by_sha256(api: Any, deps: Any, seeded: Any) -> None:
    from chalicelib.services import tickets as tickets_svc

    now = datetime.now(UTC)
    payload = {"category": "complaint", "title": "废气", "content": "化工厂异味", "hotline": "12369"}
    payload |= {"entity": {"name": "某化工厂"}, "demand": "查处"}
    ticket, _ = tickets_svc.create_ticket(deps, OP1, payload, now)
    tid = ticket.ticket_id
    recording = attach(api, deps, tid, "op1", wav(), "来电录音.wav").json
    photo = attach(api, deps, tid, "op1", PNG, "现场.png").json
    close_report(deps, tid, datetime.now(UTC))
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    entry = deps.archive_index.latest(tid)
    manifest = json.loads(deps.archive_store.get(entry["prefix"] + "manifest.json").body)
    listed = {e["evidence_id"]: e["sha256"] for e in manifest["evidence"]}
    assert listed == {recording["evidence_id"]: recording["sha256"], photo["evidence_id"]: photo["sha256"]}
    record = json.loads(deps.archive_store.get(entry["prefix"] + "record.json").body)
    assert [e["sha256"] for e in record["evidence"]] == [recording["sha256"], photo["sha256"]]
    verified = api.post(f"/archive/{tid}/verify", {}, user="records1").json
    assert verified["ok"] is True
    assert f"evidence/{photo['evidence_id']}" in [f["file"] for f in verified["files"]]
