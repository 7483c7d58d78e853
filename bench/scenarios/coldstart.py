"""5. Cold start: import time of the app module in fresh processes, and the deployment package size.

`python -X importtime -c "import app"` in `importtime_runs` fresh interpreters (median), beside
the same for a bare `import chalice, boto3, pynamodb.models` (what any Chalice + PynamoDB Lambda
pays). The package is what `chalice package --stage prod` (the `make package` step) builds,
written to a temporary directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.figures import Figure, skipped
from bench.harness import Bench
from bench.stack import ROOT

SECTION = "5 cold start"
BASELINE = "import chalice, boto3, pynamodb.models"


def import_ms(code: str, env: dict[str, str]) -> tuple[float, list[tuple[str, float]]]:
    """Milliseconds the statement's imports took (top-level -X importtime entries after site), top modules."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{code!r} failed: {proc.stderr[-2000:]}")
    total, after_site, tops = 0.0, False, []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        try:
            micros = int(cumulative)
        except ValueError:  # the header line
            continue
        raw_name = line.rsplit("|", 1)[1]
        top_level = raw_name.startswith(" ") and not raw_name.startswith("  ")
        if top_level and name == "site":
            after_site, total, tops = True, 0.0, []
            continue
        if after_site and top_level:
            total += micros / 1000
            tops.append((name, micros / 1000))
    return total, tops


def run(bench: Bench) -> list[Figure]:
    env = {**os.environ, **bench.stack.env}
    app_runs, base_runs = [], []
    for _ in range(bench.cfg.importtime_runs):
        ms, _ = import_ms(BASELINE, env)
        base_runs.append(ms)
        ms, _ = import_ms("import app", env)
        app_runs.append(ms)
    heavy_txt = _heaviest(env)
    base = sorted(base_runs)[len(base_runs) // 2]
    figures = [
        Figure(
            "coldstart.import_app",
            "import app (fresh process, -X importtime)",
            "ms",
            app_runs,
            minimum=base,
            minimum_basis=f"bare `{BASELINE}`",
            section=SECTION,
            note=heavy_txt,
        ),
        Figure("coldstart.import_baseline", f"bare {BASELINE}", "ms", base_runs, section=SECTION),
    ]
    figures.append(_package(env, bench.cfg.quick))
    return figures


def _heaviest(env: dict[str, str]) -> str:
    """What `import app` pays on top of the baseline: the outermost third-party imports it pulls in."""
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"{BASELINE}; import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    # importtime lists children before their parent: rebuild the tree with a stack of pending nodes
    pending: list[tuple[int, str, float, list[Any]]] = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        if len(parts) != 3:
            continue
        try:
            cum = int(parts[1]) / 1000
        except ValueError:
            continue
        depth = (len(parts[2]) - len(parts[2].lstrip(" ")) - 1) // 2
        children = [p for p in pending if p[0] > depth]
        pending = [p for p in pending if p[0] <= depth]
        pending.append((depth, parts[2].strip(), cum, children))
    app = next((p for p in reversed(pending) if p[1] == "app" and p[0] == 0), None)
    if app is None:
        return ""
    found: list[tuple[float, str]] = []

    def walk(node: tuple[int, str, float, list[Any]]) -> None:
        for child in node[3]:
            if child[1].split(".")[0] in ("chalicelib", "app"):
                walk(child)
            else:
                found.append((child[2], child[1]))

    walk(app)
    top = sorted(found, reverse=True)[:4]
    return f"app {app[2]:.0f} ms; heaviest third-party: " + ", ".join(f"{n} {ms:.0f}" for ms, n in top)


def _package(env: dict[str, str], quick: bool) -> Figure:
    label = "deployment package (chalice package --stage prod)"
    if quick:  # building (or even checking) the package can take minutes: only the full run does it
        return skipped(
            "coldstart.package_mb",
            label,
            "MB",
            "quick mode (make bench measures it)",
            section=SECTION,
            minimum=250,
            minimum_basis="Lambda's unzipped-size limit is 250 MB (a ceiling, not a floor)",
        )
    chalice = Path(sys.executable).with_name("chalice")
    with tempfile.TemporaryDirectory(prefix="bench-package-") as tmp:
        out = Path(tmp) / "out"
        try:
            proc = subprocess.run(
                [str(chalice), "package", "--stage", "prod", str(out)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=420,
            )
        except subprocess.TimeoutExpired:
            return skipped(
                "coldstart.package_mb",
                label,
                "MB",
                "chalice package timed out (a first build after a requirements change downloads and "
                "zips every dependency; later runs reuse .chalice/deployments)",
                section=SECTION,
            )
        zip_path = out / "deployment.zip"
        if proc.returncode != 0 or not zip_path.exists():
            return skipped(
                "coldstart.package_mb",
                label,
                "MB",
                f"chalice package failed: {(proc.stderr or proc.stdout).strip().splitlines()[-1:]}",
                section=SECTION,
            )
        size = zip_path.stat().st_size / 1024 / 1024
    return Figure(
        "coldstart.package_mb",
        label,
        "MB",
        [size],
        minimum=250,
        better="lower",
        minimum_basis="Lambda's unzipped-size limit is 250 MB (a ceiling, not a floor)",
        section=SECTION,
        note="zip; limit column = Lambda ceiling",
    )
