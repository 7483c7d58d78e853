"""S3 archive writer/reader: audit copies and archive packages (R-12345-17, R-12369, R-WORK-07).

Every object is written SSE-KMS with the data key and an Object Lock COMPLIANCE retention of
`archive_retention_years` (the bucket also has both as defaults; writing them explicitly keeps a
misconfigured bucket from silently storing records unprotected).

Request accounting: every S3 API call the store makes is counted per operation
(`request_counts()` / `reset_request_counts()`), for the benchmark's "S3 requests per event".
"""

from __future__ import annotations

import hashlib
import threading
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from botocore.exceptions import ClientError

PRESIGN_SECONDS = 15 * 60  # download and upload links are valid 15 minutes
STAGING_HOLD = timedelta(days=1)  # an uploaded, unchecked object is held (GOVERNANCE) this long


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """`attachment` (or `inline`) with an ASCII fallback name and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@dataclass(frozen=True)
class ObjectHead:
    """Size and version of the latest version of an object (no body read)."""

    key: str
    version_id: str | None
    size: int


def retain_until(start: datetime, years: int) -> datetime:
    """`start` plus whole years (29 February → 28 February)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True)
class StoredObject:
    """One object version read back."""

    key: str
    version_id: str | None
    body: bytes
    content_type: str | None
    metadata: dict[str, str]

    @property
    def sha256(self) -> str:
        """Hex digest of the body."""
        return hashlib.sha256(self.body).hexdigest()


class ArchiveStore(ABC):
    """The archive bucket: write-once audit copies, versioned packages, reads and presigned links."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._counts_lock = threading.Lock()

    def count(self, operation: str) -> None:
        """Count one request to the store."""
        with self._counts_lock:
            self._counts[operation] += 1

    def request_counts(self) -> dict[str, int]:
        """Requests per operation since the last reset (e.g. {"PutObject": 120})."""
        with self._counts_lock:
            return dict(self._counts)

    def reset_request_counts(self) -> None:
        """Start counting requests from zero."""
        with self._counts_lock:
            self._counts.clear()

    @abstractmethod
    def put_once(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> bool:
        """Create the object unless the key exists: True when written, False when it was already there."""

    @abstractmethod
    def put(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> str | None:
        """Write a new version of the object; its version id."""

    @abstractmethod
    def get(self, key: str, version_id: str | None = None) -> StoredObject | None:
        """The object (latest, or one version), or None when it does not exist."""

    @abstractmethod
    def keys(self, prefix: str) -> set[str]:
        """Keys (latest versions) under a prefix."""

    @abstractmethod
    def versions(self, prefix: str) -> list[dict[str, Any]]:
        """Every version under a prefix: key, version_id, is_latest, size, last_modified."""

    @abstractmethod
    def presign(
        self, key: str, version_id: str | None, filename: str, content_type: str, *, inline: bool = False
    ) -> str:
        """A GET link valid 15 minutes (no request is sent); `inline` lets a browser show it in place."""

    @abstractmethod
    def presign_upload(self, key: str, max_bytes: int, now: datetime) -> dict[str, Any]:
        """A browser form upload (POST) of one object at `key`, at most `max_bytes`, valid 15 minutes:
        `{"url", "fields"}`. The object is held under a short GOVERNANCE retention (`STAGING_HOLD`)
        instead of the bucket's COMPLIANCE default, so an upload refused after its check can be removed.
        """

    @abstractmethod
    def head(self, key: str) -> ObjectHead | None:
        """Size and version of the object, or None when it does not exist."""

    @abstractmethod
    def read_start(self, key: str, length: int, version_id: str | None = None) -> bytes | None:
        """The first `length` bytes of the object (one ranged GET), or None when it does not exist."""

    @abstractmethod
    def discard(self, key: str, version_id: str) -> None:
        """Remove one version of an uploaded object for good (its GOVERNANCE hold bypassed)."""


class S3ArchiveStore(ArchiveStore):
    """The archive bucket on S3 (Object Lock COMPLIANCE, SSE-KMS)."""

    def __init__(self, s3: Any, bucket: str, kms_key_id: str, retention_years: int) -> None:
        super().__init__()
        self._s3 = s3
        self.bucket = bucket
        self._kms_key_id = kms_key_id
        self._years = retention_years

    def _put_args(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None
    ) -> dict[str, Any]:
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": body,
            "ContentType": content_type,
            "Metadata": metadata or {},
            "ObjectLockMode": "COMPLIANCE",
            "ObjectLockRetainUntilDate": retain_until(now, self._years),
            "ServerSideEncryption": "aws:kms",
        }
        if self._kms_key_id:
            args["SSEKMSKeyId"] = self._kms_key_id
        return args

    def put_once(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> bool:
        """Create the object unless the key exists (If-None-Match: *): ONE request either way.

        True when written, False when it was already there (a retried batch: no second version).
        """
        args = self._put_args(key, body, content_type, now, metadata)
        self.count("PutObject")
        try:
            self._s3.put_object(IfNoneMatch="*", **args)
        except ClientError as exc:
            if _code(exc) in ("PreconditionFailed", "412", "ConditionalRequestConflict"):
                return False
            raise
        return True

    def put(
        self, key: str, body: bytes, content_type: str, now: datetime, metadata: dict[str, str] | None = None
    ) -> str | None:
        """Write a new version of the object; its version id."""
        self.count("PutObject")
        resp = self._s3.put_object(**self._put_args(key, body, content_type, now, metadata))
        version: str | None = resp.get("VersionId")
        return version

    def get(self, key: str, version_id: str | None = None) -> StoredObject | None:
        """The object (latest, or one version), or None when it does not exist."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key}
        if version_id:
            args["VersionId"] = version_id
        self.count("GetObject")
        try:
            resp = self._s3.get_object(**args)
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "NoSuchVersion", "404", "InvalidArgument"):
                return None
            raise
        return StoredObject(
            key, resp.get("VersionId"), resp["Body"].read(), resp.get("ContentType"), dict(resp.get("Metadata") or {})
        )

    def keys(self, prefix: str) -> set[str]:
        """Keys (latest versions) under a prefix."""
        found: set[str] = set()
        for page in self._s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            self.count("ListObjectsV2")
            found.update(o["Key"] for o in page.get("Contents", []))
        return found

    def versions(self, prefix: str) -> list[dict[str, Any]]:
        """Every version under a prefix: key, version_id, is_latest, size, last_modified."""
        out: list[dict[str, Any]] = []
        for page in self._s3.get_paginator("list_object_versions").paginate(Bucket=self.bucket, Prefix=prefix):
            self.count("ListObjectVersions")
            for v in page.get("Versions", []):
                out.append(
                    {
                        "key": v["Key"],
                        "version_id": v["VersionId"],
                        "is_latest": v["IsLatest"],
                        "size": v["Size"],
                        "last_modified": v["LastModified"].isoformat(),
                    }
                )
        return out

    def presign(
        self, key: str, version_id: str | None, filename: str, content_type: str, *, inline: bool = False
    ) -> str:
        """A GET link valid 15 minutes (no request is sent); `inline` lets a browser show it in place."""
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "ResponseContentDisposition": content_disposition(filename, inline=inline),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "no-store",  # an archived record or evidence file never rests in a cache
        }
        if version_id:
            params["VersionId"] = version_id
        url: str = self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=PRESIGN_SECONDS)
        return url

    def presign_upload(self, key: str, max_bytes: int, now: datetime) -> dict[str, Any]:
        """A presigned POST (no request is sent): size range and the short GOVERNANCE hold are signed
        conditions, so S3 itself refuses a larger body or a form without the hold."""
        hold = (now + STAGING_HOLD).strftime("%Y-%m-%dT%H:%M:%SZ")
        fields = {"x-amz-object-lock-mode": "GOVERNANCE", "x-amz-object-lock-retain-until-date": hold}
        conditions: list[Any] = [
            {"x-amz-object-lock-mode": "GOVERNANCE"},
            {"x-amz-object-lock-retain-until-date": hold},
            ["content-length-range", 1, max_bytes],
            ["starts-with", "$Content-Type", ""],
        ]
        post: dict[str, Any] = self._s3.generate_presigned_post(
            self.bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=PRESIGN_SECONDS
        )
        return {"url": post["url"], "fields": post["fields"]}

    def head(self, key: str) -> ObjectHead | None:
        """Size and version of the object, or None when it does not exist."""
        self.count("HeadObject")
        try:
            resp = self._s3.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "NotFound", "404"):
                return None
            raise
        return ObjectHead(key, resp.get("VersionId"), int(resp["ContentLength"]))

    def read_start(self, key: str, length: int, version_id: str | None = None) -> bytes | None:
        """The first `length` bytes of the object (one ranged GET), or None when it does not exist."""
        args: dict[str, Any] = {"Bucket": self.bucket, "Key": key, "Range": f"bytes=0-{max(length, 1) - 1}"}
        if version_id:
            args["VersionId"] = version_id
        self.count("GetObject")
        try:
            resp = self._s3.get_object(**args)
        except ClientError as exc:
            if _code(exc) in ("NoSuchKey", "NoSuchVersion", "404", "InvalidArgument", "InvalidRange", "416"):
                return None
            raise
        body: bytes = resp["Body"].read()
        return body[:length]

    def discard(self, key: str, version_id: str) -> None:
        """Remove one version of an uploaded object for good (its GOVERNANCE hold bypassed)."""
        self.count("DeleteObject")
        self._s3.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id, BypassGovernanceRetention=True)


def _code(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return str(error.get("Code") or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", ""))
