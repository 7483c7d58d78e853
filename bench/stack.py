"""The stack a benchmark runs against: its own moto server, stage `bench`, users, `chalice local`.

Everything binds to 127.0.0.1 on free ports and is stopped in `close()` (also from atexit and on
SIGTERM/SIGINT), so a run leaves nothing behind.
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.counting import COUNTER
from chalicelib import bootstrap
from chalicelib.config import Settings
from infra import deploy, emulator
from tests.helpers.accounts import UNITS, USERS  # the same accounts and units as the tests

ROOT = Path(__file__).resolve().parents[1]
STAGE = "bench"
PASSWORD = "Bench#Pass2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)  # noqa: T201 - a console program


class BenchStack:
    """moto + stack + the app's adapters on it + users + chalice local."""

    def __init__(self) -> None:
        self.server: Any = None
        self.endpoint = ""
        self.outputs: dict[str, str] = {}
        self.env: dict[str, str] = {}
        self.deps: bootstrap.Adapters | None = None
        self.chalice: subprocess.Popen[bytes] | None = None
        self.api_url = ""
        self.tokens: dict[str, str] = {}
        self.http = requests.Session()
        self._chalice_log: Any = None
        self._closed = False

    # ------------------------------------------------------------------ start

    def start(self) -> None:
        """moto server, deploy, adapters, units + users; chalice local is started (not awaited)."""
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        COUNTER.install()  # before any botocore client of the app exists
        self.server, self.endpoint = emulator.start_moto(0)
        self.outputs = deploy.deploy(self.endpoint, STAGE)
        self.env = deploy.env_for(self.outputs, STAGE)
        # Production-like notifications (the default for STAGE=local would be the recorder).
        self.env["SMS_BACKEND"] = "sns"
        emulator.use_dummy_credentials()
        self.deps = bootstrap.build(Settings.from_env(self.env))
        bootstrap.use(self.deps)  # the app's routes called in-process (round-trips) use these too
        self.start_chalice()

        for unit_id, unit in UNITS.items():
            self.deps.directory.put_unit(unit_id, unit)
        self.deps.contexts.invalidate()
        for username, (role, unit, name) in USERS.items():
            deploy.create_user(self.outputs, username, PASSWORD, role, unit_id=unit, name=name)
            self.tokens[username] = deploy.login(self.outputs, username, PASSWORD, admit_into=self.deps)["IdToken"]

    def start_chalice(self) -> None:
        port = free_port()
        # `chalice local` as make run starts it (Nagle off, a real backlog: infra/chalice_local.py)
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
            "local",
        ]
        self.api_url = f"http://127.0.0.1:{port}"
        self._chalice_log = tempfile.TemporaryFile()  # a pipe could fill up and block the server
        self.chalice = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env={**os.environ, **self.env},
            start_new_session=True,
            stdout=self._chalice_log,
            stderr=subprocess.STDOUT,
        )

    def wait_for_api(self, timeout: float = 60.0) -> None:
        """Block until chalice local answers /health (or fail with its stderr)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.chalice is None or self.chalice.poll() is not None:
                self._chalice_log.seek(0)
                err = self._chalice_log.read().decode(errors="replace")
                raise RuntimeError(f"chalice local exited:\n{err[-3000:]}")
            try:
                if self.http.get(f"{self.api_url}/health", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("chalice local did not answer /health in time")

    # ------------------------------------------------------------------ HTTP

    def headers(self, user: str | None) -> dict[str, str]:
        h = {"Content-Type": "application/json"}
        if user:
            h["Authorization"] = f"Bearer {self.tokens[user]}"
        return h

    # ------------------------------------------------------------------ stop

    def _on_signal(self, signum: int, _frame: Any) -> None:
        log(f"signal {signum}: stopping")
        self.close()
        raise SystemExit(128 + signum)

    def close(self) -> None:
        """Stop chalice local (its whole process group) and the moto server. Idempotent."""
        if self._closed:
            return
        self._closed = True
        proc, self.chalice = self.chalice, None
        if proc is not None and proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        if self._chalice_log is not None:
            self._chalice_log.close()
        self.http.close()
        bootstrap.use(None)
        if self.server is not None:
            try:
                self.server.stop()
            except Exception:  # noqa: BLE001 - stopping must not raise
                pass
            self.server = None
