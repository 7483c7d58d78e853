"""The run: start the stack, run every scenario, print one table, write bench/results/latest.json."""

from __future__ import annotations

import faulthandler
import json
import os
import platform
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.figures import Figure, percentile, skipped, table
from bench.stack import ROOT, BenchStack, log

if TYPE_CHECKING:
    from bench.data import BulkLoader
    from chalicelib.bootstrap import Adapters

RESULTS = Path(__file__).with_name("results")


@dataclass
class Config:
    """Sizes and repetitions of a run."""

    quick: bool
    reps: int
    intake_n: int
    sizes: list[int]  # closed tickets in the table at which size-dependent figures are taken
    sweep_due: int  # due tickets in the "among N closed" sweeps
    sweep_many_due: list[int]  # the big sweeps (among the largest size), one run each
    deep_offset: int  # items before the "deep" inbox page
    page: int = 20
    importtime_runs: int = 5
    hard_limit_s: float = 900.0

    @classmethod
    def make(cls, quick: bool) -> Config:
        if quick:
            return cls(
                quick=True,
                reps=3,
                intake_n=200,
                sizes=[1_000, 5_000],
                sweep_due=100,
                sweep_many_due=_many(os.environ.get("BENCH_SWEEP_MANY", "300")),
                deep_offset=800,
                importtime_runs=3,
                hard_limit_s=float(os.environ.get("BENCH_HARD_LIMIT", 240)),
            )
        # The target is one sweep with 10,000 due (a catch-up after an outage); 3,000 is the size
        # earlier runs reported. BENCH_SWEEP_MANY=3000 (or "3000,10000") chooses.
        return cls(
            quick=False,
            reps=5,
            intake_n=1_000,
            sizes=[1_000, 10_000, 50_000],
            sweep_due=100,
            sweep_many_due=_many(os.environ.get("BENCH_SWEEP_MANY", "3000,10000")),
            deep_offset=800,
            importtime_runs=5,
            hard_limit_s=float(os.environ.get("BENCH_HARD_LIMIT", 1_800)),
        )


def _many(spec: str) -> list[int]:
    """BENCH_SWEEP_MANY: one size or several, comma-separated."""
    return [int(part) for part in spec.split(",") if part.strip()]


@dataclass
class Bench:
    """What scenarios get: the stack and its adapters, the config, the measured floors, the bulk loader."""

    stack: BenchStack
    cfg: Config
    floors: dict[str, float] = field(default_factory=dict)
    loader: BulkLoader | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def deps(self) -> Adapters:
        """The app's adapters on the benchmark's stack (what services take first)."""
        assert self.stack.deps is not None, "the stack is not started"
        return self.stack.deps

    @property
    def bulk(self) -> BulkLoader:
        """The bulk loader (made once the per-request scenarios are done)."""
        assert self.loader is not None, "no bulk data loaded yet"
        return self.loader

    def timed_http(
        self, method: str, path: str, user: str | None = None, body: Any = None, expect: int | tuple[int, ...] = 200
    ) -> tuple[float, Any]:
        """One HTTP request to chalice local: (milliseconds, JSON)."""
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        started = time.perf_counter()
        resp = self.stack.http.request(
            method, self.stack.api_url + path, headers=self.stack.headers(user), data=data, timeout=120
        )
        ms = (time.perf_counter() - started) * 1000
        ok = (expect,) if isinstance(expect, int) else expect
        if resp.status_code not in ok:
            raise RuntimeError(f"{method} {path}: {resp.status_code} {resp.text[:300]}")
        return ms, resp.json() if resp.content else None


def p50(values: list[float]) -> float:
    return percentile(values, 50)


# ---------------------------------------------------------------------- run


def machine() -> dict[str, Any]:
    return {
        "cpu_count": os.cpu_count(),
        "cpu": _cpu_model(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "memory_gb": _mem_gb(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def _mem_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def git_commit() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {
        "commit": git("rev-parse", "HEAD") or None,
        "dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
    }


def _watchdog(stack: BenchStack, limit_s: float) -> None:
    """The run stops by itself: past the hard limit, stop the stack and exit."""

    def fire() -> None:
        log(f"hard time limit of {limit_s:.0f} s reached: stopping (stacks follow)")
        faulthandler.dump_traceback(all_threads=True)
        stack.close()
        os._exit(3)

    timer = threading.Timer(limit_s, fire)
    timer.daemon = True
    timer.start()


def guarded(name: str, figures: list[Figure], fn: Callable[[], list[Figure]], section: str) -> None:
    """Run one scenario; an error becomes a row that says so instead of killing the run."""
    started = time.perf_counter()
    try:
        figures.extend(fn())
    except Exception as exc:  # noqa: BLE001 - one broken scenario must not hide the others
        log(f"{name} failed:\n{traceback.format_exc()}")
        figures.append(
            skipped(f"{name}.error", f"{name}", "", f"error: {type(exc).__name__}: {str(exc)[:160]}", section=section)
        )
    log(f"{name}: {time.perf_counter() - started:.1f} s")


def run(quick: bool, only: str | None = None) -> int:
    """Every section, or with `only` just that one (`lists`: the bulk load and the list figures)."""
    from bench.scenarios import (
        archive,
        coldstart,
        duplicates,
        floors,
        inbox,
        intake,
        lists,
        roundtrips,
        statistics,
        sweep,
        worksweep,
    )

    def wanted(section: str) -> bool:
        return only is None or only == section

    cfg = Config.make(quick)
    started = time.perf_counter()
    stack = BenchStack()
    _watchdog(stack, cfg.hard_limit_s)
    figures: list[Figure] = []
    meta: dict[str, Any] = {"load_average_at_start": [round(x, 2) for x in os.getloadavg()]}
    try:
        stack.start()
        log(f"stack up on {stack.endpoint} in {time.perf_counter() - started:.1f} s; chalice local starting")
        bench = Bench(stack, cfg)
        if wanted("coldstart"):
            guarded("coldstart", figures, lambda: coldstart.run(bench), coldstart.SECTION)
        if wanted("duplicates"):
            guarded("duplicates", figures, duplicates.run, duplicates.SECTION)
        stack.wait_for_api()
        guarded("floors", figures, lambda: floors.run(bench), floors.SECTION)
        if wanted("roundtrips"):
            guarded("roundtrips", figures, lambda: roundtrips.run(bench), roundtrips.SECTION)
        if wanted("intake"):
            guarded("intake", figures, lambda: intake.run(bench), intake.SECTION)
        if wanted("archive"):
            guarded("archive", figures, lambda: archive.run(bench), archive.SECTION)
        if wanted("worksweep"):
            guarded("worksweep", figures, lambda: worksweep.run(bench), worksweep.SECTION)

        if any(wanted(section) for section in ("inbox", "lists", "sweep", "statistics")):  # the bulk tickets
            from bench.data import BulkLoader

            bench.loader = BulkLoader(bench.deps, bench.now)
            meta["bulk_month"] = bench.loader.month
            per_size: dict[str, list[Figure]] = {"inbox": [], "sweep": [], "statistics": [], "lists": []}
            load_times = []
            for size in cfg.sizes:
                load_times.append((size, bench.loader.load_closed(size, cfg.sizes[-1])))
                if wanted("inbox"):
                    guarded(f"inbox@{size}", per_size["inbox"], lambda s=size: inbox.at_size(bench, s), inbox.SECTION)
                if wanted("lists"):
                    guarded(f"lists@{size}", per_size["lists"], lambda s=size: lists.at_size(bench, s), lists.SECTION)
                if wanted("sweep"):
                    guarded(f"sweep@{size}", per_size["sweep"], lambda s=size: sweep.at_size(bench, s), sweep.SECTION)
                if wanted("statistics"):
                    guarded(
                        f"statistics@{size}",
                        per_size["statistics"],
                        lambda s=size: statistics.at_size(bench, s),
                        statistics.SECTION,
                    )
            for many in cfg.sweep_many_due if wanted("sweep") else []:
                guarded(f"sweep-many@{many}", per_size["sweep"], lambda n=many: sweep.many_due(bench, n), sweep.SECTION)
            figures += per_size["lists"]
            figures += inbox.summarise(bench, per_size["inbox"])
            figures += sweep.summarise(bench, per_size["sweep"])
            figures += statistics.summarise(bench, per_size["statistics"])
            meta["bulk_load_s"] = {str(s): round(t, 1) for s, t in load_times}
    finally:
        stack.close()
    wall = time.perf_counter() - started
    figures.sort(key=lambda f: _ORDER.index(f.section) if f.section in _ORDER else len(_ORDER))
    _report(cfg, figures, wall, meta, f"only-{only}.json" if only else "latest.json")
    return 0


_ORDER = [
    "1 intake over HTTP",
    "2 inbox (operator list)",
    "2b lists (combined filters, search)",
    "3 deadline sweep",
    "4 round-trips per API operation",
    "5 cold start",
    "6 archive",
    "7 statistics",
    "8 duplicates (R-12345-18)",
    "9 office-work sweep (R-WORK-03/05)",
    "floors (bare requests on this machine)",
]


def _report(cfg: Config, figures: list[Figure], wall: float, meta: dict[str, Any], name: str = "latest.json") -> None:
    doc = {
        "mode": "quick" if cfg.quick else "full",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "wall_time_s": round(wall, 1),
        "config": dict(cfg.__dict__),
        **meta,
        "figures": [f.as_json() for f in figures],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS / f"{name}.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(RESULTS / name)
    worst = max((f for f in figures if f.ratio is not None), key=lambda f: f.ratio or 0, default=None)
    skipped_n = sum(1 for f in figures if not f.ok)
    print(table(figures))  # noqa: T201
    print()  # noqa: T201
    print(
        f"mode {doc['mode']} · {doc['machine']['cpu_count']} CPU · python {doc['machine']['python']} · "  # noqa: T201
        f"commit {(doc['git']['commit'] or '?')[:10]}{' (dirty)' if doc['git']['dirty'] else ''} · "
        f"wall {wall:.0f} s · {skipped_n} row(s) skipped"
    )
    if worst is not None:
        print(
            f"furthest from its minimum: {worst.label} = {worst.median:.4g} {worst.unit}, "  # noqa: T201
            f"{worst.ratio:.1f}× the minimum ({worst.minimum:.4g}: {worst.minimum_basis})"
        )
    print(f"written: {RESULTS / name}")  # noqa: T201


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench", description="Performance figures beside their minimums.")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repetitions (under a minute)")
    parser.add_argument(
        "--only",
        choices=[*STACK_SECTIONS, *STANDALONE],
        help="run one section only (a stack section: the floors always run beside it)",
    )
    args = parser.parse_args(argv)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5000))
    if args.only in STANDALONE:
        return run_only(args.only, args.quick)
    return run(args.quick, args.only)


STACK_SECTIONS = (
    "coldstart",
    "roundtrips",
    "intake",
    "archive",
    "worksweep",
    "inbox",
    "lists",
    "sweep",
    "statistics",
)
STANDALONE = ("duplicates",)  # sections that need no stack


def run_only(name: str, quick: bool) -> int:
    """One stack-free section: its rows printed and written like a whole run's."""
    from bench.scenarios import duplicates

    started = time.perf_counter()
    figures: list[Figure] = []
    guarded(name, figures, {"duplicates": duplicates.run}[name], duplicates.SECTION)
    # written beside (not over) the last whole run's latest.json
    _report(Config.make(quick), figures, time.perf_counter() - started, {"only": name}, f"only-{name}.json")
    return 0
