"""What the archive bucket holds: plain S3 reads for the audit and archive assertions."""

from __future__ import annotations

from typing import Any

import boto3


def s3(deps: Any) -> Any:
    """A plain S3 client on the stack's endpoint."""
    s = deps.settings
    return boto3.client("s3", endpoint_url=s.endpoint_url, region_name=s.region)


def bucket(deps: Any) -> str:
    return deps.settings.archive_bucket


def versions_under(deps: Any, prefix: str) -> dict[str, int]:
    """Number of S3 versions per key under a prefix."""
    counts: dict[str, int] = {}
    for page in s3(deps).get_paginator("list_object_versions").paginate(Bucket=bucket(deps), Prefix=prefix):
        for v in page.get("Versions", []):
            counts[v["Key"]] = counts.get(v["Key"], 0) + 1
    return counts


def audit_keys_of(deps: Any, tid: str) -> list[str]:
    from chalicelib.services.archive import audit_key

    return [audit_key(e) for e in deps.tickets.history(tid)]


def assert_exactly_one_audit_object_per_event(deps: Any, *tids: str) -> None:
    for tid in tids:
        for key in audit_keys_of(deps, tid):
            prefix = key.rsplit("/", 1)[0] + "/"
            assert versions_under(deps, prefix).get(key) == 1, key


def assert_one_current_package(deps: Any, tid: str, expected_versions: int = 1) -> None:

    entries = deps.archive_index.versions(tid)
    assert len(entries) == expected_versions
    current = entries[-1]
    for name in ("record.json", "record.html", "manifest.json"):
        head = s3(deps).head_object(Bucket=bucket(deps), Key=current["prefix"] + name)
        pinned = current["manifest"] if name == "manifest.json" else current["files"][name]
        assert head["VersionId"] == pinned["s3_version_id"], name


def upload(store: Any, post: dict[str, Any], body: bytes, filename: str = "file.bin") -> int:
    """Do what the browser does with a presigned upload form; the HTTP status (204 on success)."""
    if post["url"].startswith("memory://"):
        try:
            store.receive(post, body)
        except ValueError:
            return 400
        return 204
    import requests

    resp = requests.post(
        post["url"], data=post["fields"], files={"file": (filename, body, "application/octet-stream")}, timeout=30
    )
    return resp.status_code
