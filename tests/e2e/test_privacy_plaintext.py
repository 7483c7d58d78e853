"""R-12345-11 / docs/security.md: a caller's personal data never leaves the envelope.

A caller with a name, mobile number, employer and address found nowhere else is taken through the whole 12345
lifecycle over HTTP against `make run`'s stack (intake, dispatch, every call recorded — the callback to the caller
himself included —, reply, review, callback, submit, close, archive) and a 12369 reporter through acceptance; the
operator reveals once (the one response allowed to show them). Then every place the data could have leaked to is
read raw and searched: every item of every DynamoDB table, every version of every S3 object (spreadsheets and
archives unzipped), the stack's whole log, the exports and documents, and every read of those tickets by every role.
Zero hits.
"""

from __future__ import annotations

import io
import json
import random
import time
import zipfile
from typing import Any

import boto3
import requests

from tests.e2e.conftest import LocalStack
from tests.e2e.spa import SHANGHAI, pytestmark  # noqa: F401  (the same skips)

ROLES = ("op1", "op2", "analyst", "leader", "uh1", "uh2", "records", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _secrets() -> dict[str, str]:
    rng = random.Random(time.time_ns())
    given = "".join(rng.choice("琼瑶璐珂瑾瑜璇琰珏琬") for _ in range(2))
    number = "139" + "".join(rng.choice("0123456789") for _ in range(8))
    tag = "".join(rng.choice("甲乙丙丁戊己庚辛壬癸") for _ in range(3))
    return {
        "name": f"欧阳{given}",
        "given": given,
        "phone": number,
        "spaced": f"{number[:3]} {number[3:7]} {number[7:]}",
        "tail": number[3:],  # the number without its operator prefix: any partial reveal beyond the mask
        "employer": f"{tag}精密机械厂",
        "address": f"海游街道{tag}巷{rng.randint(100, 999)}号",
    }


class Session:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tokens: dict[str, str] = {}
        self.seen: list[tuple[str, str]] = []  # (what, text) of every response read

    def call(self, method: str, path: str, user: str, body: Any = None, *, keep: bool = True, **headers: str) -> Any:
        if user not in self.tokens:
            self.tokens[user] = self.stack.login(user)["id_token"]
        resp = requests.request(
            method,
            self.stack.api + path,
            json=body,
            timeout=60,
            headers={"Authorization": f"Bearer {self.tokens[user]}", **headers},
        )
        if keep:
            self.seen.append((f"{user} {method} {path} → {resp.status_code}", _text(resp.content)))
        return resp

    def ok(self, method: str, path: str, user: str, body: Any = None) -> Any:
        resp = self.call(method, path, user, body)
        assert resp.ok, (method, path, resp.status_code, resp.text[:500])
        return resp.json()


def _text(blob: bytes) -> str:
    """Bytes as searchable text: an Office/zip file's members unzipped, the rest decoded."""
    if blob[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
        except zipfile.BadZipFile:
            pass
    return blob.decode("utf-8", "replace")


def _hits(text: str, secrets: dict[str, str]) -> list[str]:
    probes = {k: secrets[k] for k in ("name", "phone", "spaced", "tail", "employer", "address")}
    escaped = {f"{k} (JSON-escaped)": json.dumps(v)[1:-1] for k, v in probes.items() if json.dumps(v)[1:-1] != v}
    return [k for k, v in {**probes, **escaped}.items() if v in text]


def _walk_12345(s: Session, secrets: dict[str, str]) -> str:
    caller = {k: secrets[k] for k in ("name", "phone", "employer", "address")}
    body = {
        "hotline": "12345",
        "channel": "phone",
        "category": "complaint",
        "title": "厂区夜间噪音扰民",
        "content": "工厂夜间生产噪音很大，影响周边居民休息。",
        "caller": caller,
    }
    tid = str(s.ok("POST", "/tickets", "op1", body)["id"])
    call = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话通知"}
    s.ok("POST", f"/tickets/{tid}/dispatch", "op1", {"unit_id": "U001", "call": call})
    s.ok("POST", f"/tickets/{tid}/sign", "uh1", {})
    templates = {t["category"]: t for t in s.ok("GET", "/reply-templates", "op1")["items"]}
    sections = {x["id"]: "已现场核查并责令整改。" for x in templates["complaint"]["sections"]}
    s.ok("POST", f"/tickets/{tid}/reply", "uh1", {"sections": sections})
    s.ok("POST", f"/tickets/{tid}/review", "op1", {"approve": True})
    callback_call = {"kind": "callback", "to_name": secrets["name"], "to_phone": secrets["phone"], "outcome": "reached"}
    s.ok("POST", f"/tickets/{tid}/calls", "op1", callback_call)
    callback = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}
    s.ok("POST", f"/tickets/{tid}/callback", "op1", callback)
    s.ok("POST", f"/tickets/{tid}/submit", "op1", {})
    s.ok("POST", f"/tickets/{tid}/close", "op1", {"note": "市审核组审核通过"})
    return tid


def _walk_12369(s: Session, secrets: dict[str, str]) -> str:
    body = {
        "hotline": "12369",
        "channel": "phone",
        "category": "report",
        "title": "河道夜间排放污水",
        "content": "工厂夜间向河道排放黑色污水。",
        "entity": {"name": "某化工厂", "address": "工业园区"},
        "demand": "要求查处并停止排放",
        "caller": {k: secrets[k] for k in ("name", "phone", "employer", "address")},
    }
    rid = str(s.ok("POST", "/tickets", "op1", body)["id"])
    s.ok("POST", f"/tickets/{rid}/decide", "op1", {"decision": "accept"})
    return rid


def _wait_archived(s: Session, tid: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if s.call("GET", f"/archive/{tid}", "records", keep=False).status_code == 200:
            return
        time.sleep(2)
    raise AssertionError(f"{tid} was not archived within 120 s (stream pump)")


def _reads(s: Session, ids: list[str], month: str) -> None:
    """Everything a user of each role can read about these tickets (no reveal)."""
    for user in ROLES:
        for tid in ids:
            for path in (
                f"/tickets/{tid}",
                f"/tickets/{tid}/events",
                f"/tickets/{tid}/calls",
                f"/tickets/{tid}/instructions",
                f"/archive/{tid}",
                f"/archive/{tid}/versions",
                f"/documents/difficult-sheet/{tid}?format=html",
            ):
                s.call("GET", path, user)
        s.call("GET", "/tickets?limit=50", user)
        s.call("GET", "/me/confirmations", user)
        s.call("GET", f"/stats/monthly?month={month}", user)
        s.call("GET", f"/documents/monthly-report?month={month}&format=html", user)
        s.call("GET", f"/documents/typical?month={month}&format=json", user)
        s.call("GET", f"/stats/export?month={month}", user, Accept=XLSX)
    for tid in ids[:1]:
        for name in ("record.html", "record.json", "manifest.json"):
            link = s.call("GET", f"/archive/{tid}/download?file={name}", "records")
            if link.ok:
                s.seen.append((f"records download {name}", _text(requests.get(link.json()["url"], timeout=60).content)))


def _tables(stack: LocalStack) -> list[tuple[str, str]]:
    ddb = boto3.client(
        "dynamodb", endpoint_url=stack.moto, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    out = []
    for table in ddb.list_tables()["TableNames"]:
        pages = ddb.get_paginator("scan").paginate(TableName=table)
        for item in (i for p in pages for i in p["Items"]):
            key = "/".join(str(next(iter(item[k].values()))) for k in ("pk", "sk", "ticket_id", "seq") if k in item)
            out.append((f"table {table} {key}", json.dumps(item, ensure_ascii=False)))
    return out


def _objects(stack: LocalStack) -> list[tuple[str, str]]:
    s3 = boto3.client(
        "s3", endpoint_url=stack.moto, region_name="cn-north-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    out = []
    for bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for v in page.get("Versions", []):
                blob = s3.get_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])["Body"].read()
                out.append((f"s3://{bucket}/{v['Key']}?versionId={v['VersionId']}", _text(blob)))
    return out


def test_r12345_11_no_caller_data_in_plaintext_anywhere(local_stack: LocalStack) -> None:
    from datetime import datetime

    secrets = _secrets()
    s = Session(local_stack)
    tid = _walk_12345(s, secrets)
    rid = _walk_12369(s, secrets)
    revealed = s.call("GET", f"/tickets/{tid}?reveal=1&reason=callback", "op1", keep=False)
    assert revealed.ok and secrets["phone"] in revealed.text  # the reveal works (and is the one exception)
    _wait_archived(s, tid)
    time.sleep(5)  # the pump's last batch (audit copies of the last events)
    _reads(s, [tid, rid], datetime.now(SHANGHAI).strftime("%Y-%m"))
    assert any(tid in text for _, text in s.seen)  # the reads did read the ticket

    places = [*s.seen, *_tables(local_stack), *_objects(local_stack), ("stack log", local_stack.log.read_text())]
    assert len(places) > 50
    leaks = [(where, _hits(text, secrets)) for where, text in places if _hits(text, secrets)]
    assert leaks == [], "\n".join(f"{w}: {h}" for w, h in leaks[:40])
