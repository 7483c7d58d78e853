"""Records office API: search, metadata, versions, presigned downloads, verification, reconciliation."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import boto3
import pytest
import requests

from tests.helpers.streams import stream_records
from tests.helpers.tickets import closed_ticket

EVENTS = Path(__file__).resolve().parents[1] / "events"


@pytest.fixture(scope="module")
def archived(deps: Any, seeded: Any) -> dict[str, str]:
    """A closed, archived complaint with a city number."""
    from tests.helpers.streams import AUDIT, deliver

    ext = "TZ" + uuid.uuid4().hex[:10]
    tid = closed_ticket(deps, external_id=ext, source="city", channel="city")
    assert deliver(deps, AUDIT, {"Records": stream_records(deps, tid)}) == {"batchItemFailures": []}
    month = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    return {"tid": tid, "ext": ext, "month": month}


def test_records_office_finds_a_record_by_every_key(api: Any, archived: dict[str, str]) -> None:
    tid, month = archived["tid"], archived["month"]
    for query in (
        f"ticket_id={tid}",
        f"external_id={archived['ext']}",
        f"unit_id=U001&month={month}",
        "category=complaint",
        "hotline=12345",
        f"month={month}",
    ):
        resp = api.get(f"/archive/search?{query}&limit=100", user="records1")
        assert resp.status_code == 200, resp.json
        assert tid in [i["ticket_id"] for i in resp.json["items"]], query
    resp = api.get("/archive/search?unit_id=U001&month=1999-01", user="records1")
    assert resp.json["items"] == []


def test_search_is_paginated(deps: Any, api: Any, archived: dict[str, str]) -> None:
    closed = closed_ticket(deps)
    from tests.helpers.streams import AUDIT, deliver

    deliver(deps, AUDIT, {"Records": stream_records(deps, closed)})
    first = api.get(f"/archive/search?month={archived['month']}&limit=1", user="analyst1").json
    assert len(first["items"]) == 1 and first["next_page"]
    second = api.get(
        f"/archive/search?month={archived['month']}&limit=1&page={first['next_page']}", user="analyst1"
    ).json
    assert second["items"] and second["items"][0]["ticket_id"] != first["items"][0]["ticket_id"]


def test_search_validates_its_parameters(api: Any, archived: dict[str, str]) -> None:
    assert api.get("/archive/search", user="records1").status_code == 422
    assert api.get("/archive/search?month=2026-13", user="records1").status_code == 422
    assert api.get("/archive/search?month=2026-11&limit=0", user="records1").status_code == 422
    assert api.get("/archive/search?month=2026-11&page=garbage!", user="records1").status_code == 400


@pytest.mark.parametrize("user", ["op1", "uh1", "leader1"])
def test_only_records_admin_and_analysts_use_the_archive(api: Any, archived: dict[str, str], user: str) -> None:
    tid = archived["tid"]
    assert api.get(f"/archive/search?ticket_id={tid}", user=user).status_code == 403
    assert api.get(f"/archive/{tid}", user=user).status_code == 403
    assert api.get(f"/archive/{tid}/download?file=record.html", user=user).status_code == 403
    assert api.post(f"/archive/{tid}/verify", {}, user=user).status_code == 403


def test_analysts_read_but_do_not_verify_or_reveal(api: Any, archived: dict[str, str]) -> None:
    tid = archived["tid"]
    assert api.get(f"/archive/{tid}", user="analyst1").status_code == 200
    assert api.get(f"/archive/{tid}/versions", user="analyst1").status_code == 200
    assert api.post(f"/archive/{tid}/verify", {}, user="analyst1").status_code == 403
    assert api.get(f"/archive/{tid}?reveal=1", user="analyst1").status_code == 403


def test_archive_needs_a_login(api: Any, archived: dict[str, str]) -> None:
    assert api.get(f"/archive/{archived['tid']}").status_code == 401


def test_r12345_11_record_metadata_masks_the_caller_and_records_each_reveal(
    deps: Any, api: Any, archived: dict[str, str]
) -> None:

    tid = archived["tid"]
    meta = api.get(f"/archive/{tid}", user="records1").json
    assert meta["caller"]["name"] == "张**" and meta["caller_masked"] is True
    assert meta["version_count"] == 1 and set(meta["files"]) == {"record.json", "record.html", "manifest.json"}
    assert "caller_enc" not in meta
    before = len(deps.directory.pii_views(tid)[0])
    assert api.get(f"/archive/{tid}?reveal=1", user="records1").status_code == 422  # no reason code
    assert api.get(f"/archive/{tid}?reveal=1&reason=verify", user="admin1").status_code == 403  # admins never
    revealed = api.get(f"/archive/{tid}?reveal=1&reason=verify", user="records1").json
    assert revealed["caller"]["name"] == "张三丰" and revealed["caller_masked"] is False
    views = deps.directory.pii_views(tid)[0]
    assert len(views) == before + 1 and views[0]["user_id"] == "records1" and views[0]["reason"] == "verify"


def test_download_gives_a_15_minute_link_to_the_archived_bytes_and_is_recorded(
    deps: Any, api: Any, archived: dict[str, str]
) -> None:

    tid = archived["tid"]
    for name in ("record.html", "record.json", "manifest.json"):
        resp = api.get(f"/archive/{tid}/download?file={name}", user="records1")
        assert resp.status_code == 200, resp.json
        body = resp.json
        assert body["expires_in"] == 900 and "X-Amz-Expires=900" in body["url"]
        fetched = requests.get(body["url"], timeout=10)
        assert fetched.status_code == 200
        assert hashlib.sha256(fetched.content).hexdigest() == body["sha256"] and len(fetched.content) == body["size"]
    logged = deps.archive_index.downloads(tid)
    assert {d["file"] for d in logged} >= {"record.html", "record.json", "manifest.json"}
    assert all(d["user_id"] == "records1" for d in logged)


def test_download_rejects_unknown_files_versions_and_tickets(api: Any, archived: dict[str, str]) -> None:
    tid = archived["tid"]
    assert api.get(f"/archive/{tid}/download?file=../etc/passwd", user="records1").status_code == 422
    assert api.get(f"/archive/{tid}/download?file=record.json&version=x", user="records1").status_code == 422
    assert api.get(f"/archive/{tid}/download?file=record.json&version=999", user="records1").status_code == 404
    assert api.get("/archive/T19990101-00001", user="records1").status_code == 404


def test_verify_recomputes_the_checksums(api: Any, archived: dict[str, str]) -> None:
    resp = api.post(f"/archive/{archived['tid']}/verify", {}, user="records1")
    assert resp.status_code == 200, resp.json
    assert resp.json["ok"] is True and resp.json["differs"] == []
    assert {f["file"] for f in resp.json["files"]} == {"record.json", "record.html", "manifest.json"}


def test_verify_names_the_file_that_differs(deps: Any, api: Any, seeded: Any) -> None:
    from tests.helpers.streams import AUDIT, deliver

    tid = closed_ticket(deps)
    deliver(deps, AUDIT, {"Records": stream_records(deps, tid)})
    s = deps.settings
    prefix = deps.archive_index.latest(tid)["prefix"]
    s3 = boto3.client("s3", endpoint_url=s.endpoint_url, region_name=s.region)
    s3.put_object(Bucket=s.archive_bucket, Key=prefix + "record.html", Body=b"<html>forged</html>")
    result = api.post(f"/archive/{tid}/verify", {}, user="admin1").json
    assert result["ok"] is False and result["differs"] == ["record.html"]


def test_versions_lists_every_archived_version(api: Any, archived: dict[str, str]) -> None:
    items = api.get(f"/archive/{archived['tid']}/versions", user="records1").json["items"]
    assert len(items) == 1 and items[0]["current"] is True and items[0]["seq_range"][0] == 1


def test_admin_reconciles_a_date_range(api: Any, archived: dict[str, str]) -> None:
    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    resp = api.post("/admin/reconcile", {"from": day, "to": day}, user="admin1")
    assert resp.status_code == 200, resp.json
    counts = resp.json["counts"]
    assert counts["checked"] >= 8 and counts["archives_checked"] >= 1
    assert set(counts) >= {"checked", "missing", "repaired"}
    again = api.post("/admin/reconcile", {"from": day, "to": day}, user="admin1").json["counts"]
    assert again["missing"] == 0 and again["archives_missing"] == 0
    assert api.post("/admin/reconcile", {"from": day, "to": day}, user="records1").status_code == 403
    assert api.post("/admin/reconcile", {"from": "2026-02-30", "to": day}, user="admin1").status_code == 422
    assert api.post("/admin/reconcile", {"from": "2026-01-01", "to": "2026-12-31"}, user="admin1").status_code == 422


def test_recorded_stream_batch_through_the_chalice_handler(deps: Any, app: Any, api: Any, seeded: Any) -> None:
    """tests/events/stream-events-archive.json: a ticket's whole life as Lambda receives it."""
    from chalice.test import Client

    event = json.loads((EVENTS / "stream-events-archive.json").read_text(encoding="utf-8"))
    s = deps.settings
    ddb = boto3.client("dynamodb", endpoint_url=s.endpoint_url, region_name=s.region)
    for record in event["Records"]:  # the log the stream came from
        ddb.put_item(TableName=s.events_table, Item=record["dynamodb"]["NewImage"])
    with Client(app) as client:
        result = client.lambda_.invoke("on_ticket_event", event)
    assert result.payload == {"batchItemFailures": []}
    found = api.get("/archive/search?external_id=TZ2025011500042", user="records1").json["items"]
    assert [i["ticket_id"] for i in found] == ["T20250115-90001"]
    assert found[0]["month"] == "2025-01"
    assert api.post("/archive/T20250115-90001/verify", {}, user="records1").json["ok"] is True
    link = api.get("/archive/T20250115-90001/download?file=record.html", user="records1").json
    html = requests.get(link["url"], timeout=10).content.decode()
    assert "T20250115-90001" in html and "TZ2025011500042" in html
