"""The soak: `make run`'s local stack under realistic traffic for minutes, measured from outside.

    python -m bench.soak [--minutes 10] [--clients 8] [--sample-every 60] [--json out.json]
    make soak            (10 minutes)      make soak QUICK=1   (2 minutes)

It starts `python -m infra.local_stack` on free ports with its own data dir (the real embedded
default, not the benchmark's in-process stack), and `--clients` threads drive full ticket
lifecycles (intake → dispatch → sign → reply → review → callback → submit → close) with a
10-thread race on one verb every few lifecycles and bad input mixed in. It samples the RSS of the
stack's processes and the stream pump's lag (`/health`), and at the end checks every closed ticket
for its archive package and every event for its audit copy. The verdict: RSS ≤ 1 GB and flat after
warm-up (< 5 MB per 1,000 transitions), pump lag p99 ≤ 5 s, no 5xx, no missing copy, every race
decided once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"rss_mb": 1024.0, "slope_mb_per_1000": 5.0, "lag_p99_s": 5.0}
USERS = ("op1", "op2", "uh1", "uh2", "records", "admin")
UNIT_OF = {"uh1": "U001", "uh2": "U002"}
CALL = {"to_name": "张伟", "to_phone": "13957600001", "note": "已电话通知"}
SECTIONS = {
    "investigation": "已现场核查",
    "result": "已责令整改",
    "basis": "《噪声污染防治法》",
    "contact": "已电话告知",
}
CALLBACK = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}
BAD_INPUT: list[tuple[str, str, str]] = [  # (method, path, raw body): each must be a 4xx, never a 5xx
    ("POST", "/tickets", '{"category": "complaint", "title": "x", "content": "y", "caller": {"name": "\\ud800"}}'),
    ("POST", "/tickets", "[" * 5000 + "]" * 5000),
    ("POST", "/tickets", '{"category": "complaint", "title": 1e999999, "content": []}'),
    ("GET", "/tickets?page=eyJmb3JnZWQiOiB0cnVlfQ", ""),
    ("GET", "/tickets?limit=-7", ""),
    ("POST", "/tickets/T20260101-00001/nonsense", "{}"),
    ("GET", "/no/such/route", ""),
    ("POST", "/tickets", "not json at all"),
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def children(pid: int) -> list[int]:
    """Direct children of a process."""
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            out += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        pass
    return out


class Stack:
    """`python -m infra.local_stack` as a subprocess on free ports with its own data dir."""

    def __init__(self, data_dir: Path, sweep_every: str = "30s") -> None:
        self.api_port, self.web_port, self.moto_port = free_port(), free_port(), free_port()
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.moto = f"http://127.0.0.1:{self.moto_port}"
        self.log = data_dir.parent / "stack.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGE", "OIDC_", "USER_POOL"))}
        cmd = [
            sys.executable, "-m", "infra.local_stack", "--reset", "--api-port", str(self.api_port),
            "--web-port", str(self.web_port), "--moto-port", str(self.moto_port), "--data-dir", str(data_dir),
            "--sweep-every", sweep_every,
        ]  # fmt: skip
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env,
                                         start_new_session=True)  # fmt: skip
        deadline = time.monotonic() + 240
        while "Ctrl-C" not in self.log.read_text(errors="replace"):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"local stack did not come up:\n{self.log.read_text()[-3000:]}")
            time.sleep(1)

    def rss(self) -> tuple[float, float]:
        """(MB of the stack process — moto, pump, schedules —, MB of its children — chalice local)."""
        return rss_mb(self.proc.pid), sum(rss_mb(c) for c in children(self.proc.pid))

    def stop(self) -> None:
        """SIGINT (saves and stops everything it started), SIGKILL after a minute."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


@dataclass
class Tally:
    """What the clients did and saw (thread-safe counters)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    status: Counter[str] = field(default_factory=Counter)
    transitions: int = 0
    tickets: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    races: int = 0
    races_decided_twice: int = 0
    unexpected: list[str] = field(default_factory=list)

    def saw(self, method: str, path: str, code: int, ok: bool = True, said: str = "") -> None:
        with self.lock:
            self.status[f"{code // 100}xx" if code else "timeout"] += 1
            if code >= 500 or not ok:
                self.unexpected.append(f"{method} {path} → {code} {said}".rstrip())


class Traffic:
    """Clients driving lifecycles, races and bad input against the stack's API."""

    def __init__(self, api: str, tally: Tally) -> None:
        self.api = api
        self.tally = tally
        self.tokens = {u: self._login(u) for u in USERS}
        self.local = threading.local()

    def _login(self, user: str) -> str:
        import pyotp

        from chalicelib.services.identity import demo_secret

        resp = requests.post(f"{self.api}/auth/login", json={"username": user, "password": f"Hotline#2026{user}"},
                             timeout=30)  # fmt: skip
        resp.raise_for_status()
        if "challenge" in resp.json():  # the demo user's TOTP code (R-SEC-06)
            code = pyotp.TOTP(demo_secret(user)).now()
            resp = requests.post(f"{self.api}/auth/mfa", json={"session": resp.json()["session"], "code": code},
                                 timeout=30)  # fmt: skip
            resp.raise_for_status()
        return str(resp.json()["id_token"])

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        return self.local.s  # type: ignore[no-any-return]

    def call(self, method: str, path: str, user: str, body: Any = None, raw: str | None = None,
             expect: tuple[int, ...] = (200, 201)) -> tuple[int, Any]:  # fmt: skip
        headers = {"Authorization": f"Bearer {self.tokens[user]}", "Content-Type": "application/json"}
        data = (
            raw.encode("utf-8", "surrogatepass") if raw is not None else json.dumps(body, ensure_ascii=False).encode()
        )
        try:
            resp = self._session().request(method, self.api + path, headers=headers, data=data, timeout=60)
        except requests.Timeout:  # an answer slower than a minute is a failure the report counts, not a crash
            self.tally.saw(method, path, 0, False)
            return 0, None
        try:
            payload = resp.json()
        except ValueError:
            payload = None
        said = f"{payload.get('code')}: {payload.get('message')}"[:200] if isinstance(payload, dict) else ""
        self.tally.saw(method, path, resp.status_code, resp.status_code in expect, said)
        return resp.status_code, payload

    def lifecycle(self, n: int) -> str | None:
        """One ticket from intake to close; its id (None if a step failed)."""
        op, uh = ("op1", "uh1") if n % 2 == 0 else ("op2", "uh2")
        code, t = self.call("POST", "/tickets", op, {
            "category": "complaint", "title": f"夜间施工噪音 {n}", "content": "22点后仍在施工，影响休息。",
            "caller": {"name": "张三", "phone": "13800001111"},
        })  # fmt: skip
        if code != 201:
            return None
        tid = str(t["id"])
        with self.tally.lock:
            self.tally.tickets.append(tid)
        steps = [
            ("dispatch", op, {"unit_id": UNIT_OF[uh], "call": CALL}), ("sign", uh, {}),
            ("reply", uh, {"sections": SECTIONS}), ("review", op, {"approve": True}),
            ("callback", op, CALLBACK), ("submit", op, {}), ("close", op, {}),
        ]  # fmt: skip
        for verb, user, body in steps:
            code, _ = self.call("POST", f"/tickets/{tid}/{verb}", user, body)
            if code != 200:
                return None
            with self.tally.lock:
                self.tally.transitions += 1
        with self.tally.lock:
            self.tally.transitions += 1  # the intake
            self.tally.closed.append(tid)
        return tid

    def race(self, n: int) -> None:
        """Ten concurrent requests of one verb on one ticket: exactly one may win."""
        code, t = self.call("POST", "/tickets", "op1", {"category": "help", "title": f"竞争 {n}", "content": "内容"})
        if code != 201:
            return
        tid = str(t["id"])
        with self.tally.lock:
            self.tally.tickets.append(tid)
            self.tally.transitions += 1
        body = {"unit_id": "U001", "call": CALL}
        with ThreadPoolExecutor(10) as pool:
            codes = list(pool.map(lambda _: self.call("POST", f"/tickets/{tid}/dispatch", "op1", body,
                                                      expect=(200, 409))[0], range(10)))  # fmt: skip
        with self.tally.lock:
            self.tally.races += 1
            self.tally.transitions += codes.count(200)
            if codes.count(200) > 1:  # none: every answer was lost to a timeout (counted above)
                self.tally.races_decided_twice += 1

    def bad_input(self) -> None:
        """One request from the bad-input list: any 4xx is right, a 5xx is a defect."""
        method, path, raw = random.choice(BAD_INPUT)  # noqa: S311 - a traffic mix, not security
        self.call(method, path, "op1", raw=raw, expect=tuple(range(400, 500)))

    def client(self, index: int, deadline: float) -> None:
        n = index * 1_000_000
        while time.monotonic() < deadline:
            n += 1
            self.lifecycle(n)
            self.bad_input()
            if n % 5 == 0:
                self.race(n)


def _slope(points: list[tuple[int, float]]) -> float:
    """Least-squares MB per 1,000 transitions."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] / 1000 for p in points], [p[1] for p in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else 0.0


def _percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * p / 100))]


def _missing_copies(stack: Stack, traffic: Traffic, tally: Tally) -> dict[str, Any]:
    """Every event has its audit copy; every closed ticket its archive package."""
    from chalicelib.documents.archive_record import audit_key
    from infra import deploy, emulator

    outputs = deploy.deploy(stack.moto, "local")  # the running stack's outputs (existing stack reused)
    s3 = emulator.client("s3", stack.moto, outputs["region"])
    keys: set[str] = set()
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=outputs["archive_bucket"], Prefix="audit/"):
        keys.update(o["Key"] for o in page.get("Contents", []))
    missing_audit, events = [], 0
    for tid in tally.tickets:
        _, body = traffic.call("GET", f"/tickets/{tid}/events", "op1", expect=(200,))
        for event in (body or {}).get("items", []):
            events += 1
            if audit_key(event) not in keys:
                missing_audit.append(event["event_id"])
    missing_archive = [tid for tid in tally.closed
                       if traffic.call("GET", f"/archive/{tid}", "records", expect=(200,))[0] != 200]  # fmt: skip
    return {"events": events, "missing_audit": missing_audit, "missing_archive": missing_archive}


def soak(minutes: float, clients: int = 8, sample_every: float = 60.0, log: Any = print) -> dict[str, Any]:
    """Run the soak; the report (see the module docstring for what it holds)."""
    with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
        data_dir = Path(tmp) / "data"
        started = time.monotonic()
        stack = Stack(data_dir)
        _wait_for_pump(stack.api, 120.0)  # the demo seed's events first: they are not the soak's lag
        log(f"local stack up in {time.monotonic() - started:.0f} s (API {stack.api}); soaking {minutes} min")
        try:
            return _drive(stack, minutes, clients, sample_every, log)
        finally:
            stack.stop()


def _drive(stack: Stack, minutes: float, clients: int, sample_every: float, log: Any) -> dict[str, Any]:
    tally = Tally()
    traffic = Traffic(stack.api, tally)
    lags: list[float] = []
    samples: list[dict[str, float]] = []
    stop = threading.Event()
    t0 = time.monotonic()

    def monitor() -> None:
        next_sample = t0
        while not stop.is_set():
            try:
                health = requests.get(f"{stack.api}/health", timeout=10).json()
                lags.append(float(health.get("stream", {}).get("lag_s", 0.0)))
            except (requests.RequestException, ValueError):
                lags.append(float("inf"))
            if time.monotonic() >= next_sample:
                rss_stack, rss_api = stack.rss()
                samples.append({"t_s": round(time.monotonic() - t0), "transitions": tally.transitions,
                                "rss_stack_mb": round(rss_stack, 1), "rss_api_mb": round(rss_api, 1)})  # fmt: skip
                log(
                    f"  t={samples[-1]['t_s']:>4} s  transitions {tally.transitions:>6}  RSS stack "
                    f"{rss_stack:7.1f} MB  API {rss_api:6.1f} MB  lag {lags[-1]:.1f} s  {dict(tally.status)}"
                )
                next_sample += sample_every
            stop.wait(2.0)

    watcher = threading.Thread(target=monitor, daemon=True)
    watcher.start()
    deadline = t0 + minutes * 60
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda i: traffic.client(i, deadline), range(clients)))
    drained = _wait_for_pump(stack.api, 90.0)
    stop.set()
    watcher.join(timeout=30)
    rss_stack, rss_api = stack.rss()
    samples.append({"t_s": round(time.monotonic() - t0), "transitions": tally.transitions,
                    "rss_stack_mb": round(rss_stack, 1), "rss_api_mb": round(rss_api, 1)})  # fmt: skip
    copies = _missing_copies(stack, traffic, tally)
    warm = [s for s in samples if s["t_s"] >= minutes * 60 * 0.25] or samples
    total = [(int(s["transitions"]), s["rss_stack_mb"] + s["rss_api_mb"]) for s in warm]
    report = {
        "minutes": minutes,
        "clients": clients,
        "samples": samples,
        "rss_max_mb": max(s["rss_stack_mb"] + s["rss_api_mb"] for s in samples),
        "rss_slope_mb_per_1000_transitions": round(_slope(total), 2),
        "lag_p50_s": _percentile(lags, 50),
        "lag_p99_s": _percentile(lags, 99),
        "lag_max_s": max(lags, default=0.0),
        "pump_drained": drained,
        "requests": dict(tally.status),
        "server_errors": tally.status["5xx"],
        "unexpected": tally.unexpected[:20],
        "unexpected_count": len(tally.unexpected),
        "tickets": len(tally.tickets),
        "closed": len(tally.closed),
        "transitions": tally.transitions,
        "races": tally.races,
        "races_decided_twice": tally.races_decided_twice,
        "events_checked": copies["events"],
        "missing_audit_copies": len(copies["missing_audit"]),
        "missing_archives": len(copies["missing_archive"]),
        "missing_examples": (copies["missing_audit"] + copies["missing_archive"])[:10],
        "goals": GOALS,
    }
    report["verdict"] = verdict(report)
    return report


def _wait_for_pump(api: str, timeout_s: float) -> bool:
    """True once every stored event is handled: /health reports no lag on two polls, a pump pass completed
    between them, and that pass handled nothing new. (Lag alone can read 0 while an event committed a moment
    out of order — stamped earlier than the pump's watermark — waits for the next pass.)"""
    deadline = time.monotonic() + timeout_s
    previous: tuple[float, int] | None = None  # (wall time of the poll, records handled) of a lag-0 poll
    while time.monotonic() < deadline:
        try:
            stream = requests.get(f"{api}/health", timeout=10).json().get("stream", {})
        except (requests.RequestException, ValueError):
            stream = {}
        polled = time.time()
        if stream.get("lag_s", 1) != 0:
            previous = None
        else:
            handled = int(stream.get("records_handled") or 0)
            pass_at = polled - float(stream.get("since_last_pass_s") or 0.0)
            if previous is not None and pass_at > previous[0] and handled == previous[1]:
                return True
            previous = (polled, handled)
        time.sleep(2)
    return False


def verdict(r: dict[str, Any]) -> list[str]:
    """The goals a report misses (empty: all met)."""
    misses = []
    if r["rss_max_mb"] > GOALS["rss_mb"]:
        misses.append(f"RSS {r['rss_max_mb']:.0f} MB > {GOALS['rss_mb']:.0f} MB")
    if r["rss_slope_mb_per_1000_transitions"] > GOALS["slope_mb_per_1000"]:
        misses.append(f"RSS grows {r['rss_slope_mb_per_1000_transitions']} MB per 1,000 transitions")
    if r["lag_p99_s"] > GOALS["lag_p99_s"]:
        misses.append(f"pump lag p99 {r['lag_p99_s']} s")
    if r["requests"].get("timeout"):
        misses.append(f"{r['requests']['timeout']} requests unanswered after 60 s")
    if r["server_errors"]:
        misses.append(f"{r['server_errors']} server errors (5xx)")
    if r["unexpected_count"]:
        misses.append(f"{r['unexpected_count']} unexpected answers, e.g. {r['unexpected'][:3]}")
    if r["missing_audit_copies"] or r["missing_archives"] or not r["pump_drained"]:
        misses.append(f"missing copies: {r['missing_audit_copies']} audit, {r['missing_archives']} archive")
    if r["races_decided_twice"]:
        misses.append(f"{r['races_decided_twice']} races decided more than once")
    return misses


def main(argv: list[str] | None = None) -> int:
    """CLI: run, print the report, store it under `soak` in bench/results/latest.json (or --json)."""
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--sample-every", type=float, default=60.0, help="seconds between RSS samples")
    parser.add_argument("--json", type=Path, default=None, help="write the report here (default: latest.json)")
    args = parser.parse_args(argv)
    report = soak(args.minutes, args.clients, args.sample_every)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    sys.stdout.write(text + "\n")
    if args.json is not None:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        latest = ROOT / "bench" / "results" / "latest.json"
        doc = json.loads(latest.read_text(encoding="utf-8")) if latest.exists() else {}
        doc["soak"] = report
        latest.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sys.stdout.write("soak: all goals met\n" if not report["verdict"] else f"soak: {report['verdict']}\n")
    return 0 if not report["verdict"] else 1


if __name__ == "__main__":
    sys.exit(main())
