"""Property-based API tests (schemathesis) against a running `chalice local`: the partner, Open311
and public operations answer no 5xx and every response conforms to GET /openapi.json."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "e2e" / "artifacts"
BIN = Path(sys.executable).parent
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def local_api(outputs: dict[str, str], seeded: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`chalice local` (as `make run` starts it) on a random port with the test stack's environment.

    Its output goes to a file: a pipe nobody reads fills up and blocks the server mid-run.
    """
    port = _free_port()
    log_path = tmp_path_factory.mktemp("chalice") / "chalice-local.log"
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "infra.chalice_local",  # the server `make run` starts
            "local",
            "--no-autoreload",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--stage",
            "local",
        ],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"chalice local exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.3)
        else:
            pytest.fail("chalice local did not answer /health within 60 s")
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()


def test_partner_open311_public_operations_conform(local_api: str) -> None:
    """No 5xx and full conformance (status codes, content types, JSON schemas) for every generated case.

    One worker: `chalice local` is a development server and stalls under concurrent load.
    """
    summary = _schemathesis(
        local_api,
        ["--include-path-regex", "^/(partner|open311|public)/", "--mode", "positive"],
        checks=CHECKS,
        max_examples=MAX_EXAMPLES,
        seed=12345,
        timeout_s=170,
        minimum=300,
        artifact="schemathesis-public.txt",
    )
    assert "errored" not in summary and "failed" not in summary.split("Test cases:")[-1]


STAFF_MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_STAFF_MAX_EXAMPLES", "8"))


def test_staff_and_admin_operations_answer_no_5xx(local_api: str, tokens: dict[str, str]) -> None:
    """Every staff and admin operation, signed in as an operator and as the administrator, with valid and
    invalid generated input: never a 5xx (bad input is a 4xx in the error shape, tests/api cover its text)."""
    for user in ("op1", "admin1"):
        _schemathesis(
            local_api,
            [
                "--exclude-path-regex",
                "^/(partner|open311|public|auth)/|^/openapi|^/health",
                "--mode",
                "all",
                "--header",
                f"Authorization: Bearer {tokens[user]}",
            ],  # fmt: skip
            checks="not_a_server_error",
            max_examples=STAFF_MAX_EXAMPLES,
            seed=12369,
            timeout_s=400,
            minimum=200,
            artifact=f"schemathesis-staff-{user}.txt",
        )


def _schemathesis(
    api: str, selection: list[str], *, checks: str, max_examples: int, seed: int, timeout_s: int, minimum: int,
    artifact: str,
) -> str:  # fmt: skip
    """Run `st` on one worker (chalice local is a development server) against GET /openapi.json; its whole
    output goes to tests/e2e/artifacts. Asserts success and at least `minimum` cases, all passed; the summary."""
    cmd = [str(BIN / "st"), "run", f"{api}/openapi.json", *selection, "--checks", checks,
           "--phases", "examples,coverage,fuzzing", "--max-examples", str(max_examples), "--seed", str(seed),
           "--workers", "1", "--request-timeout", "20", "--suppress-health-check", "all", "--no-color"]  # fmt: skip
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout_s, env=dict(os.environ))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / artifact).write_text(run.stdout + run.stderr, encoding="utf-8")
    summary = run.stdout[-4000:]
    print(summary)  # noqa: T201 - the case count goes into the run log
    assert run.returncode == 0, summary + run.stderr[-2000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert counts is not None, summary
    assert int(counts.group(1)) == int(counts.group(2)) >= minimum, summary
    return summary
