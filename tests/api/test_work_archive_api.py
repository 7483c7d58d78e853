"""R-WORK-07 on moto through the API: an action item's deliverable (an evidence file) is archived when the assigner
approves it — deterministic keys under Object Lock (COMPLIANCE, SSE-KMS), a manifest with sha256 — and the records
office lists and verifies the package (`/archive/work/…`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.domain.model import Actor
from chalicelib.services import evidence, work_archive
from tests.helpers.archive import bucket, s3, upload
from tests.helpers.evidence import PDF


def test_r_work_07_approved_deliverable_archived_locked_and_verified_by_the_records_office(
    api: Any, deps: Any, seeded: Any
) -> None:
    deadline = (datetime.now(SHANGHAI) + timedelta(days=3)).date().isoformat()
    body = {"title": "回访分析报告（归档）", "owner_id": "op1", "deadline": deadline, "deliverable": True}
    item = api.post("/work/actions", body, user="leader1").json
    owner = evidence.Owner(work_archive.ACTION_KIND, item["id"])
    op1 = Actor("op1", "operator", name="王敏")
    started = evidence.start_upload(deps, op1, owner, {"filename": "回访分析.pdf", "size": len(PDF)}, deps.clock())
    assert upload(deps.archive_store, started["upload"], PDF, "回访分析.pdf") == 204
    kept = evidence.confirm(deps, op1, owner, started["evidence_id"], deps.clock())
    assert kept["sha256"] == hashlib.sha256(PDF).hexdigest()
    ref = f"/work/actions/{item['id']}"
    assert api.post(f"{ref}/complete", {"deliverable_ref": "回访分析.pdf"}, user="op1").json["status"] == "submitted"
    assert api.post(f"{ref}/review", {"approve": True}, user="leader1").json["status"] == "done"

    path = f"/archive/work/work-action/{item['id']}"
    assert api.get(f"{path}/versions", user="op1").status_code == 403
    [entry] = api.get(f"{path}/versions", user="records1").json["items"]
    assert entry["prefix"] == f"archive/work/work-action/{item['id']}/{entry['version']}/" and entry["evidence"] == 1
    for name in ("record.json", "manifest.json"):
        head = s3(deps).head_object(Bucket=bucket(deps), Key=entry["prefix"] + name)
        assert head["ObjectLockMode"] == "COMPLIANCE" and head["ServerSideEncryption"] == "aws:kms", name
    manifest = json.loads(
        s3(deps).get_object(Bucket=bucket(deps), Key=entry["prefix"] + "manifest.json")["Body"].read()
    )
    assert [(e["evidence_id"], e["sha256"]) for e in manifest["evidence"]] == [(kept["evidence_id"], kept["sha256"])]

    checked = api.post(f"{path}/verify", {}, user="records1")
    assert checked.status_code == 200 and checked.json["ok"] is True, checked.json
    assert {r["file"] for r in checked.json["files"]} == {
        "manifest.json",
        "record.json",
        f"evidence/{kept['evidence_id']}",
    }
    assert api.post(f"{path}/verify", {}, user="op1").status_code == 403
    bad = api.post("/archive/work/nonsense/x/verify", {}, user="records1")
    assert bad.status_code == 422 and list(bad.json["details"]["fields"]) == ["kind"]
    assert api.post(f"{path}/verify", {"version": "19990101T000000000000"}, user="records1").status_code == 404
