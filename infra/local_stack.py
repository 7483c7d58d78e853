"""The embedded default (`make run`): moto server + the stack + demo users + chalice local + SPA.

    python -m infra.local_stack [--api-port 8000] [--web-port 8080] [--moto-port 5000] [--reset]
                                [--sweep-every 15m] [--data-dir .local-data]

The app's non-HTTP entry points run in this process, as Lambda would run them: the handlers
declared on the TicketEvents stream (`chalicelib.handlers.streams.EVENTS_STREAM`, a placeholder the
deployed template replaces) get the stack's TicketEvents stream records (Lambda-shaped batches,
partial batch failures, 3 retries, then a dead-letter file), and the rate() schedules run every
--sweep-every. They use the adapters built from the stack's environment (`bootstrap.use`); chalice
local gets the same environment.

Durability (docs/operations.md, "The embedded default"): every committed change is journalled and
synced before its response (infra/journal.py), a snapshot is saved on its own thread every
10 minutes or after 50,000 journal entries, and on stop (infra/state.py), and a start restores the snapshot and replays the journal. The pump keeps a
synced watermark of the events it has handled; after a restore it hands every event from shortly
before that watermark to every stream handler again (`StreamPump.redeliver`), so a side effect of
an event committed but not yet pumped when the process died is still delivered — once, because
every consumer is idempotent by event id.
"""

from __future__ import annotations

import argparse
import base64
import ctypes
import functools
import http.server
import importlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from botocore.exceptions import ClientError

from chalicelib import bootstrap
from chalicelib.config import Settings
from chalicelib.domain.calendar import SHANGHAI
from chalicelib.services import admin_directory, identity
from infra import deploy, emulator, moto_patches, state
from infra.journal import Journal

ROOT = Path(__file__).resolve().parents[1]
STAGE = "local"
SAVE_EVERY_S = 600.0  # a snapshot at least this often while anything changed …
SAVE_AFTER_ENTRIES = 50_000  # … and as soon as the journal holds this many changes (a restart replays them)
TRIM_EVERY_S = 60.0  # release_free_memory
PUMP_EVERY_S = 0.5  # Lambda polls a DynamoDB stream about 4 times a second; an idle pass is two small reads
MAX_RETRIES = 3
ITERATOR_REFRESH_S = 60.0
# How far before the watermark a restart redelivers. Stream order is commit order, but `at_key`
# starts with the time the transition was stamped (when its request began), so an event can commit
# after one stamped later: the watermark (the newest at_key handled) may pass events not yet
# handled. The gap is a request's stamp-to-commit time — well under a second for a transition
# (4 transaction attempts with < 0.25 s of jitter), longer for a sweep, which stamps one `now` for
# every alert it writes. Ten minutes covers both; redelivering an event already handled changes
# nothing (its audit put, SMS claim and webhook outbox entry are refused as duplicates) but costs
# about what its first delivery did.
REDELIVERY_MARGIN = timedelta(minutes=10)

LambdaEntry = Callable[[dict[str, Any]], Any]

# (username, role, unit_id, display name); password = Hotline#2026{username}
DEMO_USERS: list[tuple[str, str, str | None, str]] = [
    ("op1", "operator", None, "李娜"),
    ("op2", "operator", None, "王芳"),
    ("analyst", "analyst", None, "赵敏"),
    ("leader", "leader", None, "陈建国"),
    ("uh1", "unit_handler", "U001", "张伟"),
    ("uh2", "unit_handler", "U002", "刘洋"),
    ("records", "records", None, "孙丽"),
    ("admin", "admin", None, "周强"),
    ("auditor1", "auditor", None, "钱明"),
]


def demo_password(username: str) -> str:
    """The demo password of a demo user."""
    return f"Hotline#2026{username}"


def _log(message: str) -> None:
    sys.stdout.write(f"[local] {message}\n")
    sys.stdout.flush()


# --------------------------------------------------------------------------- the app's handlers


class _LambdaContext:
    """The bits of a Lambda context object handlers commonly read."""

    def __init__(self, name: str) -> None:
        self.function_name = f"hotline-{STAGE}-{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.memory_limit_in_mb = 512
        self._deadline = time.monotonic() + 900

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left of a 15-minute budget."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _lambda_entry(name: str, handler: Callable[..., Any]) -> LambdaEntry:
    def invoke(event: dict[str, Any]) -> Any:
        return handler(event, _LambdaContext(name))

    invoke.__qualname__ = name
    return invoke


@dataclass
class Handlers:
    """The app's stream and schedule entry points this process drives, and what it does not run."""

    streams: list[LambdaEntry] = field(default_factory=list)  # on TicketEvents
    schedules: list[tuple[str, LambdaEntry]] = field(default_factory=list)  # rate() schedules
    notes: list[str] = field(default_factory=list)


def discover_handlers(chalice_app: Any) -> Handlers:
    """The @on_dynamodb_record handlers on the TicketEvents stream and the rate() @schedule handlers."""
    from chalice.app import DynamoDBEventConfig, ScheduledEventConfig

    from chalicelib.handlers.streams import EVENTS_STREAM

    found = Handlers()
    for source in chalice_app.event_sources:
        handler = chalice_app.handler_map.get(source.name)
        if handler is None:
            continue
        if isinstance(source, DynamoDBEventConfig):
            if source.stream_arn == EVENTS_STREAM:
                found.streams.append(_lambda_entry(source.name, handler))
            else:
                found.notes.append(f"{source.name}: stream {source.stream_arn!r} is not the TicketEvents stream")
        elif isinstance(source, ScheduledEventConfig):
            expr = source.schedule_expression
            text = expr if isinstance(expr, str) else expr.to_string()
            if text.startswith("rate("):
                found.schedules.append((source.name, _lambda_entry(source.name, handler)))
            else:
                found.notes.append(f"{source.name}: {text} is not run locally (only rate() schedules)")
    return found


def load_app() -> Any:
    """app.py's Chalice app (importing it reads no environment)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("app").app


# --------------------------------------------------------------------------- the stream


def _lambda_value(value: Any) -> Any:
    """boto3 returns binary as bytes; Lambda events carry base64 text."""
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _lambda_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lambda_value(v) for v in value]
    return value


def lambda_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A DynamoDB stream record as Lambda delivers it (moto omits eventSourceARN)."""
    rec = _lambda_value(record)
    ddb = dict(rec.get("dynamodb", {}))
    created = record.get("dynamodb", {}).get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        ddb["ApproximateCreationDateTime"] = int(created.timestamp())
    rec["dynamodb"] = ddb
    rec["awsRegion"] = region
    rec["eventSourceARN"] = stream_arn
    return rec


class StreamPump:
    """Reads the TicketEvents stream and hands Lambda-shaped batches to each stream handler.

    After every batch and every pass it reports its progress to `pump-status.json` (read by
    `/health`; written and synced before the next batch): the newest event handled
    (`handled_through`, an `at_key`: the watermark `redeliver` starts from after a restart), the
    time of the pass and the last error. An
    iterator that expired (> 15 min without a read) or points at trimmed records (> 24 h) is taken
    again from the last position handled; any other failed read drops the iterator, so the next pass
    starts afresh from that position — records are never skipped and never handled twice.
    """

    def __init__(self, outputs: dict[str, str], data_dir: Path, handlers: list[LambdaEntry]) -> None:
        self.arn = outputs["events_stream_arn"]
        self.region = outputs["region"]
        self.outputs = outputs
        self.handlers = handlers
        self.client = emulator.client("dynamodbstreams", outputs["endpoint_url"], outputs["region"])
        self.positions_file = data_dir / "stream-positions.json"
        self.status_file = data_dir / "pump-status.json"
        self.dead_letter_dir = data_dir / "dead-letter"
        self.iterators: dict[str, str] = {}  # shard id -> iterator
        self.taken: dict[str, float] = {}  # shard id -> when its iterator was taken (monotonic)
        self.positions: dict[str, str] = self._load_positions()  # shard id -> last sequence handled
        self.skip_existing = False
        self.lock = threading.Lock()
        self.status: dict[str, Any] = self._load_status()

    def _load_positions(self) -> dict[str, str]:
        try:
            saved: dict[str, dict[str, str]] = json.loads(self.positions_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return dict(saved.get(self.arn, {}))  # positions of an earlier stack's stream mean nothing here

    def _save_positions(self) -> None:
        state.write_atomic(self.positions_file, json.dumps({self.arn: self.positions}, indent=1).encode())

    def _load_status(self) -> dict[str, Any]:
        try:
            saved: dict[str, Any] = json.loads(self.status_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"records": 0}
        return saved

    def _report(self) -> None:
        self.status["at"] = datetime.now(UTC).isoformat()
        state.write_atomic(self.status_file, json.dumps(self.status, ensure_ascii=False).encode())

    def _failed(self, shard_id: str, exc: Exception) -> None:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        self.status.update(last_error=f"{code}: {exc}"[:500], last_error_at=datetime.now(UTC).isoformat())
        self.iterators.pop(shard_id, None)  # the next pass takes a new iterator from the saved position
        if code == "TrimmedDataAccessException":  # older than the stream keeps: continue at the oldest kept
            self.positions.pop(shard_id, None)
            _log(f"stream records after {shard_id}'s saved position were trimmed; continuing at the oldest")

    def _shards(self) -> list[str]:
        shards = self.client.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"]
        return [s["ShardId"] for s in shards]

    def _iterator(self, shard_id: str) -> str:
        known = self.positions.get(shard_id)
        kwargs: dict[str, Any] = {"StreamArn": self.arn, "ShardId": shard_id}
        if known:  # same stream as last run: continue after the last record handled
            kwargs.update(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=known)
        elif self.skip_existing:  # records written by restore_state are not new events
            kwargs["ShardIteratorType"] = "LATEST"
        else:
            kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        return str(self.client.get_shard_iterator(**kwargs)["ShardIterator"])

    def prime(self) -> None:
        """Take shard iterators now, so LATEST means "after what exists at this moment"."""
        with self.lock:
            for shard_id in self._shards():
                if shard_id not in self.iterators:
                    self.iterators[shard_id] = self._iterator(shard_id)

    def pump(self) -> int:
        """One pass over every shard; returns the number of records handled."""
        with self.lock:
            handled = 0
            for shard_id in self._shards():
                try:
                    handled += self._pump_shard(shard_id)
                except ClientError as exc:  # expired, trimmed, or a lost shard: take it again next pass
                    self._failed(shard_id, exc)
            self._report()
            return handled

    def _pump_shard(self, shard_id: str) -> int:
        # A fresh iterator from the last position handled every minute: whatever happened to the old
        # one (expiry, a replaced shard), nothing stored can stay unread for longer.
        stale = shard_id in self.positions and time.monotonic() - self.taken.get(shard_id, 0.0) > ITERATOR_REFRESH_S
        if shard_id not in self.iterators or stale:
            self.iterators[shard_id] = self._iterator(shard_id)
            self.taken[shard_id] = time.monotonic()
        handled = 0
        while True:
            page = self.client.get_records(ShardIterator=self.iterators[shard_id], Limit=100)
            self.iterators[shard_id] = page["NextShardIterator"]
            records = page.get("Records", [])
            if not records:
                return handled
            batch = [lambda_record(r, self.arn, self.region) for r in records]
            # Each handler is its own Lambda function in the cloud: they take the batch side by side.
            workers = [threading.Thread(target=self._deliver, args=(h, batch), daemon=True) for h in self.handlers]
            for worker in workers:
                worker.start()
            for worker in workers:
                worker.join()
            moto_patches.flush()  # what the handlers changed is on disk before the position moves
            self.positions[shard_id] = records[-1]["dynamodb"]["SequenceNumber"]
            self._save_positions()
            moto_patches.release(self.arn, shard_id, self.positions[shard_id])  # handled: may be trimmed
            self._advance([r["dynamodb"].get("NewImage", {}) for r in records], "records")
            handled += len(records)

    def _advance(self, images: list[dict[str, Any]], counter: str) -> None:
        """Raise the watermark past a batch every handler has had, and sync it to disk."""
        newest = max(str(i.get("at_key", {}).get("S", "")) for i in images)
        self.status["handled_through"] = max(newest, str(self.status.get("handled_through") or ""))
        self.status[counter] = int(self.status.get(counter, 0)) + len(images)
        self._report()

    # ---------------------------------------------------------------- after a restore

    def redeliver(self, now: datetime) -> int:
        """Hand every event after (the watermark - REDELIVERY_MARGIN) to every handler; returns how many.

        Events committed before a crash whose side effects were not (all) delivered are in the
        restored TicketEvents table but in no stream (the restore writes no stream records, and the
        old stream died with the process). They are read from the `by_month` index, oldest first,
        and delivered as Lambda-shaped INSERT batches with the pump's retries and dead-letter file.
        Without a watermark (the pump never finished a batch) every event is delivered. Call after
        `prime`, so the stream continues after what exists now.
        """
        mark = str(self.status.get("handled_through") or "")
        since = datetime.fromisoformat(mark.split("#", 1)[0]) - REDELIVERY_MARGIN if mark else None
        with self.lock:
            images = self._events_since(since, now)
            base = int(time.time() * 1000) * 10**8  # sequence numbers no stream record has
            for start in range(0, len(images), 100):
                chunk = images[start : start + 100]
                batch = [self._insert_record(image, base + start + n) for n, image in enumerate(chunk)]
                for handler in self.handlers:
                    self._deliver(handler, batch)
                moto_patches.flush()
                self._advance(chunk, "redelivered")
        return len(images)

    def _events_since(self, since: datetime | None, now: datetime) -> list[dict[str, Any]]:
        ddb = emulator.client("dynamodb", self.outputs["endpoint_url"], self.region)
        table = self.outputs["events_table"]
        months = month_span(since, now) if since else _all_months(ddb, table)
        condition, values = "#m = :m", {}
        if since is not None:
            condition, values = "#m = :m AND at_key > :k", {":k": {"S": since.isoformat()}}
        found: list[dict[str, Any]] = []
        for month in months:
            for page in ddb.get_paginator("query").paginate(
                TableName=table,
                IndexName="by_month",
                KeyConditionExpression=condition,
                ExpressionAttributeNames={"#m": "month"},
                ExpressionAttributeValues={":m": {"S": month}, **values},
            ):
                found.extend(page["Items"])
        found.sort(key=lambda image: str(image["at_key"]["S"]))
        return found

    def _insert_record(self, image: dict[str, Any], sequence: int) -> dict[str, Any]:
        """A stream INSERT record of a stored event, as Lambda delivers it."""
        record = {
            "eventID": f"redelivery-{sequence}",
            "eventName": "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "dynamodb": {
                "ApproximateCreationDateTime": int(time.time()),
                "Keys": {"ticket_id": image["ticket_id"], "seq": image["seq"]},
                "NewImage": image,
                "SequenceNumber": str(sequence),
                "SizeBytes": len(json.dumps(image, default=str)),
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        return lambda_record(record, self.arn, self.region)

    def _deliver(self, handler: LambdaEntry, batch: list[dict[str, Any]]) -> None:
        pending, error = batch, ""
        for _attempt in range(1 + MAX_RETRIES):
            failed, error = _invoke(handler, pending)
            pending = [r for r in pending if r["dynamodb"]["SequenceNumber"] in failed]
            if not pending:
                return
        self._dead_letter(handler, pending, error)

    def _dead_letter(self, handler: LambdaEntry, records: list[dict[str, Any]], error: str) -> None:
        label = handler.__qualname__
        first = records[0]["dynamodb"]["SequenceNumber"]
        path = self.dead_letter_dir / f"events-{re.sub(r'[^A-Za-z0-9_.-]', '_', label)}-{first}.json"
        body = {"stream": "events", "consumer": label, "error": error, "at": datetime.now(UTC).isoformat(),
                "Records": records}  # fmt: skip
        state.write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1, default=str).encode())
        _log(f"{len(records)} events record(s) failed {MAX_RETRIES} retries in {label}: {path}")


def month_span(since: datetime, now: datetime) -> list[str]:
    """Every `month` partition (YYYY-MM, Asia/Shanghai) from since's to now's, in order."""
    start, end = since.astimezone(SHANGHAI), now.astimezone(SHANGHAI)
    year, month, months = start.year, start.month, []
    while (year, month) <= (end.year, end.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _all_months(ddb: Any, table: str) -> list[str]:
    months: set[str] = set()
    pages = ddb.get_paginator("scan").paginate(
        TableName=table, ProjectionExpression="#m", ExpressionAttributeNames={"#m": "month"}
    )
    for page in pages:
        months.update(str(item["month"]["S"]) for item in page["Items"] if "month" in item)
    return sorted(months)


def _invoke(handler: LambdaEntry, records: list[dict[str, Any]]) -> tuple[set[str], str]:
    """Call a handler; return (failed sequence numbers, error text). An exception fails all."""
    try:
        result = handler({"Records": records})
    except Exception:  # noqa: BLE001 - Lambda semantics: the whole batch is retried
        return {r["dynamodb"]["SequenceNumber"] for r in records}, traceback.format_exc()
    failures = (result or {}).get("batchItemFailures") or []
    return {str(f["itemIdentifier"]) for f in failures}, "batchItemFailures" if failures else ""


# --------------------------------------------------------------------------- schedules


def scheduled_event(name: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    """An EventBridge "Scheduled Event" as a scheduled Lambda receives it."""
    now = now or datetime.now(UTC)
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": emulator.ACCOUNT_ID,
        "time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:{partition}:events:{region}:{emulator.ACCOUNT_ID}:rule/hotline-{STAGE}-{name}"],
        "detail": {},
    }


def run_schedules(schedules: list[tuple[str, LambdaEntry]], region: str) -> None:
    """Call every schedule once (every --sweep-every); one failing job does not stop the others."""
    for name, handler in schedules:
        _safe(lambda n=name, h=handler: h(scheduled_event(n, region)), f"schedule {name}")


def parse_interval(text: str) -> float:
    """'15m' / '30s' / '1h' / '90' (seconds) -> seconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise argparse.ArgumentTypeError(f"not an interval: {text!r} (use e.g. 15m, 30s)")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


# --------------------------------------------------------------------------- web


def spa_csp(api_base: str, storage: str) -> str:
    """The SPA's Content-Security-Policy: its own scripts only (no inline script, no eval: the build has
    neither), inline styles (Vue and Element Plus set `style` attributes; ECharts draws on a canvas),
    data: images and fonts (Element Plus's icons), calls to the API and to the archive bucket (evidence
    uploads, previews in an <img> or <iframe>), PDFs shown from blob: URLs; never framed."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob: {storage}; font-src 'self' data:; connect-src 'self' {api_base} {storage}; "
        f"frame-src 'self' blob: {storage}; worker-src 'self' blob:; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    )


class _SpaHandler(http.server.SimpleHTTPRequestHandler):
    """Serves frontend/dist with /config.json and SPA fallback to index.html, with the security headers."""

    api_base = ""
    storage = ""  # the archive bucket's endpoint (moto): evidence uploads and previews

    def end_headers(self) -> None:
        """CSP, HSTS, nosniff and no framing on every answer (files, config.json, errors)."""
        self.send_header("Content-Security-Policy", spa_csp(self.api_base, self.storage))
        self.send_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("Referrer-Policy", "same-origin")
        super().end_headers()

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].split("#", 1)[0]
        if path == "/config.json":
            body = json.dumps({"apiBase": self.api_base, "localMode": True}).encode()  # login banner: make totp
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        target = Path(self.translate_path(path))
        if path != "/" and not target.exists():
            self.path = "/index.html"
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        return


def spa_origins(web_port: int, extra: str = "") -> str:
    """The origins the API grants CORS to: this SPA server (by address and by name), plus `CORS_ORIGINS`
    from the environment (e.g. a Vite dev server on another port)."""
    own = [f"http://127.0.0.1:{web_port}", f"http://localhost:{web_port}"]
    return ",".join(own + [o.strip() for o in extra.split(",") if o.strip()])


def start_web(dist: Path, port: int, api_base: str, storage: str = "") -> http.server.ThreadingHTTPServer:
    """Serve the built SPA on 127.0.0.1:port in a daemon thread."""
    spa = type("Spa", (_SpaHandler,), {"api_base": api_base, "storage": storage})
    handler = functools.partial(spa, directory=str(dist))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, name="web", daemon=True).start()
    return server


# --------------------------------------------------------------------------- chalice local


# Runs before chalice local: the kernel sends it SIGTERM when this process dies, however it dies
# (PR_SET_PDEATHSIG survives exec). Without it a SIGKILLed stack left chalice local running in its
# own session, still holding the API port and answering from a dead emulator.
_DIE_WITH_PARENT = """
import ctypes, os, signal, sys
ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
if os.getppid() != int(sys.argv[1]):
    sys.exit("the local stack is gone")
os.execvp(sys.argv[2], sys.argv[2:])
"""


def start_chalice(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    """`chalice local` (Nagle off, a real listen backlog: infra/chalice_local.py) in its own process
    group, with the stack's environment; it ends with this process."""
    cmd = [
        sys.executable,
        "-m",
        "infra.chalice_local",
        "local",
        "--no-autoreload",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--stage",
        STAGE,
    ]
    if sys.platform.startswith("linux"):
        cmd = [sys.executable, "-c", _DIE_WITH_PARENT, str(os.getpid()), *cmd]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def wait_for_health(proc: subprocess.Popen[bytes], url: str, stop: threading.Event, timeout: float = 90.0) -> bool:
    """Poll {url}/health until it answers 200, the process dies, stop is set, or timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        if proc.poll() is not None:
            return False
        try:
            if requests.get(f"{url}/health", timeout=2).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.3)
    return False


def stop_chalice(proc: subprocess.Popen[bytes] | None) -> None:
    """Terminate chalice local and everything in its process group."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


# --------------------------------------------------------------------------- main


def _banner(local: LocalStack, api_up: bool, web_url: str | None) -> str:
    handlers = local.handlers
    lines = [
        "",
        "=" * 72,
        "  12345 热线工单平台 — local stack is up",
        f"  API       {local.api_url}" + ("" if api_up else "   (NOT running: see messages above)"),
        f"  Web       {web_url}" if web_url else "  Web       (frontend/dist not built: run `make frontend`)",
        f"  moto      {local.outputs['endpoint_url']}",
        f"  data      {local.data_dir}  (every change journalled; snapshots every {int(SAVE_EVERY_S / 60)} min and on stop)",
        (
            f"  schedules every {local.args.sweep_every:g} s ({len(handlers.schedules)} registered); "
            f"TicketEvents stream handlers: {len(handlers.streams)}"
        ),
        "",
        "  Demo logins (username / password / role / unit):",
    ]
    for username, role, unit, name in DEMO_USERS:
        lines.append(f"    {username:<8} {demo_password(username):<22} {role:<13} {unit or '-':<5} {name}")
    lines += ["", "  Second login step (TOTP, R-SEC-06): `make totp USER=op1` prints op1's current code."]
    lines += ["", "  Ctrl-C to stop.", "=" * 72, ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command line of `python -m infra.local_stack`."""
    parser = argparse.ArgumentParser(prog="python -m infra.local_stack", description=__doc__.split("\n")[0])
    parser.add_argument("--api-port", type=int, default=8000)
    parser.add_argument("--web-port", type=int, default=8080)
    parser.add_argument("--moto-port", type=int, default=5000)
    parser.add_argument("--reset", action="store_true", help="wipe the data dir and start fresh")
    parser.add_argument("--sweep-every", type=parse_interval, default=parse_interval("15m"))
    parser.add_argument("--data-dir", type=Path, default=ROOT / ".local-data")
    return parser.parse_args(argv)


def _check_ports(*ports: int) -> None:
    """Fail before starting anything if a port is taken."""
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers do
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise SystemExit(
                    f"[local] port 127.0.0.1:{port} is in use ({exc}); stop what holds it or pick another port"
                ) from exc


class LocalStack:
    """Everything `make run` starts, in start order; stop() undoes it in reverse."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.data_dir: Path = args.data_dir.resolve()
        self.stop_event = threading.Event()
        self.moto: Any = None
        self.outputs: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.handlers = Handlers()
        self.pump: StreamPump | None = None
        self.journal: Journal | None = None
        self.proc: subprocess.Popen[bytes] | None = None
        self.web: http.server.ThreadingHTTPServer | None = None
        self.worker: threading.Thread | None = None
        self.scheduler: threading.Thread | None = None
        self.saver: threading.Thread | None = None
        self.save_lock = threading.Lock()
        self.can_save = False  # never overwrite a snapshot before it was restored
        self.redeliver = False  # after a restore: the timers redeliver before their first pump pass
        self.api_url = f"http://127.0.0.1:{args.api_port}"

    def start_data(self) -> None:
        """moto, the stack, the adapters, saved data (or demo seed), demo users, the stream pump."""
        if self.args.reset and self.data_dir.exists():
            shutil.rmtree(self.data_dir)
            _log(f"--reset: wiped {self.data_dir}")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.moto, endpoint = emulator.start_moto(self.args.moto_port, in_process_calls=True)
        _log(f"moto server on {endpoint}")
        started = time.monotonic()
        self.outputs = deploy.deploy(endpoint, STAGE)
        _log(f"stack hotline-{STAGE} deployed in {time.monotonic() - started:.2f} s")
        self.env = deploy.env_for(self.outputs, STAGE)
        self.env["STREAM_STATUS_FILE"] = str(self.data_dir / "pump-status.json")  # /health reports the pump
        self.env["PUBLIC_BASE_URL"] = os.environ.get("PUBLIC_BASE_URL") or self.api_url  # Open311 discovery
        self.env["CORS_ORIGINS"] = spa_origins(self.args.web_port, os.environ.get("CORS_ORIGINS", ""))
        emulator.use_dummy_credentials()
        deps = bootstrap.build(Settings.from_env(self.env))
        bootstrap.use(deps)  # the stream and schedule handlers of this process use these adapters
        self.handlers = discover_handlers(load_app())
        for note in self.handlers.notes:
            _log(note)
        self.pump = StreamPump(self.outputs, self.data_dir, self.handlers.streams)
        started, report = time.monotonic(), dict[str, Any]()
        restored = state.restore_state(self.outputs, self.data_dir, report)
        if restored:
            self.pump.skip_existing = True
            _log(
                f"restored {self.data_dir} in {time.monotonic() - started:.2f} s: snapshot {report['snapshot']}, "
                f"journal entries replayed {report['journal'] or 0}"
            )
        self.journal = state.open_journal(self.outputs, self.data_dir)  # from here on every change is on disk
        if restored and (indexed := state.index_work_queues(self.outputs)):
            _log(f"indexed {indexed} restored open tickets for the five confirmations")
        if restored and (
            tagged := (state.index_caller_tags(self.outputs, deps), state.index_caller_name_tags(self.outputs, deps))
        ) != (0, 0):
            _log(f"indexed restored tickets by their caller's number / name (blind index): {tagged[0]} / {tagged[1]}")
        self.can_save = True
        present = emulator.InProcess(self.outputs).users()
        for username, role, unit, name in DEMO_USERS:
            if username not in present:  # restored users keep what was changed at run time
                deploy.create_user(self.outputs, username, demo_password(username), role, unit_id=unit, name=name)
            if deps.directory.get_item(f"AUTH#{username}", "mfa") is None:  # R-SEC-06: enrolled, `make totp`
                identity.enrol(deps, username, identity.demo_secret(username), datetime.now(UTC))
        _safe(lambda: admin_directory.sync_staff(deps), "staff names (USER partition)")  # names, not login ids
        if not restored:
            _safe(lambda: _seed(deps), "demo seeding")
            moto_patches.flush()
        self.pump.prime()  # the stream continues after what exists now, once the redelivery is done
        self.redeliver = restored

    def _redeliver(self) -> None:
        """Events from before the stop whose side effects may be missing, through every stream handler.

        Runs on the timers thread before its first pump pass (the API already answers: /health shows
        the catch-up as stream lag); the pump continues with the new stream records only after it.
        """
        assert self.pump is not None
        pump, started = self.pump, time.monotonic()
        mark = pump.status.get("handled_through") or "(none: every event)"
        try:
            count = pump.redeliver(datetime.now(UTC))
        except Exception:  # noqa: BLE001 - the stack still starts; the pump continues with new events
            _log(f"redelivering events after the watermark failed:\n{traceback.format_exc()}")
            return
        _log(
            f"redelivered {count} event(s) from before the stop (watermark {mark}) in {time.monotonic() - started:.2f} s"
        )

    def start_serving(self) -> bool:
        """chalice local, the SPA server and the timers; True once /health answers."""
        self.proc = start_chalice(self.env, self.args.api_port)
        dist = ROOT / "frontend" / "dist"
        if (dist / "index.html").exists():
            self.web = start_web(dist, self.args.web_port, self.api_url, self.env["AWS_ENDPOINT_URL"])
        self.worker = threading.Thread(target=self._timers, name="timers", daemon=True)
        self.worker.start()
        self.scheduler = threading.Thread(target=self._schedules, name="schedules", daemon=True)
        self.scheduler.start()
        self.saver = threading.Thread(target=self._snapshots, name="snapshots", daemon=True)
        self.saver.start()
        api_up = wait_for_health(self.proc, self.api_url, self.stop_event)
        if not api_up and not self.stop_event.is_set():
            _log("chalice local did not answer /health (see its output above); the rest runs on")
        return api_up

    def _timers(self) -> None:
        """Pump the stream every PUMP_EVERY_S (after the redelivery of a restore, if any)."""
        assert self.pump is not None
        pump = self.pump
        if self.redeliver:
            self._redeliver()
        while not self.stop_event.wait(PUMP_EVERY_S):
            _safe(pump.pump, "stream pump")

    def _schedules(self) -> None:
        """Run the schedules every --sweep-every, beside the pump (as Lambda runs them)."""
        while not self.stop_event.wait(self.args.sweep_every):
            run_schedules(self.handlers.schedules, self.outputs["region"])
            _safe(moto_patches.flush, "syncing the schedules' changes")

    def _snapshots(self) -> None:
        """Save a snapshot when the journal has grown (its own thread: the pump never waits for one);
        hand the heap's free memory back to the system every TRIM_EVERY_S."""
        last = trimmed = time.monotonic()
        while not self.stop_event.wait(5.0):
            entries = self.journal.entries if self.journal is not None else 0
            if entries >= SAVE_AFTER_ENTRIES or (entries and time.monotonic() - last >= SAVE_EVERY_S):
                _safe(self.save, "saving state")
                last = time.monotonic()
            if time.monotonic() - trimmed >= TRIM_EVERY_S:
                release_free_memory()
                trimmed = time.monotonic()

    def save(self) -> None:
        """Write a snapshot of every table and archive object to the data dir (the journal restarts)."""
        with self.save_lock:
            state.dump_state(self.outputs, self.data_dir, self.journal)
        release_free_memory()

    def wait(self) -> None:
        """Block until SIGINT/SIGTERM."""
        while not self.stop_event.wait(1.0):
            if self.proc is not None and self.proc.poll() is not None:
                _log(f"chalice local exited with {self.proc.returncode}; Ctrl-C to stop the rest")
                self.proc = None

    def stop(self) -> None:
        """Stop chalice local, the timers, pump and save once more, stop the web and moto."""
        _log("stopping …")
        self.stop_event.set()
        stop_chalice(self.proc)
        for thread in (self.worker, self.scheduler, self.saver):
            if thread is not None:
                thread.join(timeout=60)
        if self.pump is not None:
            _safe(self.pump.pump, "final stream pump")
        if self.can_save:
            _safe(self.save, "saving state")
            _log(f"data saved to {self.data_dir}")
        if self.web is not None:
            self.web.shutdown()
        if self.moto is not None:
            self.moto.stop()
        if self.journal is not None:
            stats = self.journal.stats
            _log(
                f"journal this run: {stats['entries']} entries, {stats['bytes']} bytes in {stats['write_s']:.2f} s, "
                f"{stats['syncs']} syncs in {stats['sync_s']:.2f} s"
            )
            state.close_journal(self.journal)
        bootstrap.use(None)
        _log("stopped")


def release_free_memory() -> None:
    """glibc `malloc_trim(0)`: return the free pages of the C heap to the system. The stack's request
    threads allocate in many malloc arenas and a request's or a snapshot's temporary objects leave
    free pages between live items, which glibc otherwise keeps resident for good. Elsewhere: nothing."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _seed(deps: bootstrap.Adapters) -> None:
    from chalicelib.services import demo

    _log(f"demo data seeded: {demo.seed(deps, deps.clock())}")


def main(argv: list[str] | None = None) -> int:
    """Start everything, run until SIGINT/SIGTERM, save, stop everything, return 0."""
    args = parse_args(argv)
    _check_ports(args.moto_port, args.api_port, args.web_port)
    local = LocalStack(args)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: local.stop_event.set())
    try:
        local.start_data()
        api_up = local.start_serving()
        web_url = f"http://127.0.0.1:{args.web_port}" if local.web else None
        sys.stdout.write(_banner(local, api_up, web_url) + "\n")
        sys.stdout.flush()
        local.wait()
    finally:
        local.stop()
    return 0


def _safe(action: Callable[[], Any], what: str) -> None:
    try:
        action()
    except Exception:  # noqa: BLE001 - keep stopping/looping
        _log(f"{what} failed:\n{traceback.format_exc()}")


if __name__ == "__main__":
    sys.exit(main())
