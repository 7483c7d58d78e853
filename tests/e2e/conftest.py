"""The running local stack (`python -m infra.local_stack`) as a subprocess on free 127.0.0.1 ports."""

from __future__ import annotations

import os
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

from tests.helpers.accounts import totp_now

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalStack:
    """URLs and demo logins of a running local stack."""

    def __init__(self, api: str, web: str, log: Path, moto: str = "") -> None:
        self.api = api
        self.web = web
        self.log = log
        self.moto = moto  # the emulator's endpoint (raw reads of every table and bucket)

    def login(self, username: str) -> dict[str, Any]:
        """Tokens and user of a demo account (password `Hotline#2026{username}`, then its TOTP code)."""
        return api_login(self.api, username, f"Hotline#2026{username}")


def api_login(api: str, username: str, password: str) -> dict[str, Any]:
    """`POST /auth/login`, then `POST /auth/mfa` with the demo user's current TOTP code (R-SEC-06)."""
    resp = requests.post(f"{api}/auth/login", json={"username": username, "password": password}, timeout=30)
    resp.raise_for_status()
    data: dict[str, Any] = resp.json()
    if "challenge" in data:
        code = totp_now(username, data.get("secret"))
        resp = requests.post(f"{api}/auth/mfa", json={"session": data["session"], "code": code}, timeout=30)
        resp.raise_for_status()
        data = resp.json()
    return data


def spa_login(page: Any, web: str, username: str, password: str) -> None:
    """Log in through the SPA's login page: password, then the demo user's current TOTP code (R-SEC-06)."""
    page.goto(web + "/login")
    page.locator('[data-test="login-username"]').fill(username)
    page.locator('[data-test="login-password"]').fill(password)
    page.locator('[data-test="login-submit"]').click()
    page.locator('[data-test="login-totp"]').fill(totp_now(username))
    page.locator('[data-test="login-totp-submit"]').click()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    """Start `make run`'s stack with fresh data and a 30 s sweep; stop it (and everything it started) after."""
    base = tmp_path_factory.mktemp("local-stack")
    data_dir = base / "data"
    log = base / "stack.log"
    api_port, web_port, moto_port = free_port(), free_port(), free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "TICKETS_", "EVENTS_", "OIDC_", "USER_POOL", "COGNITO", "STAGE"))
    }
    cmd = [
        sys.executable,
        "-m",
        "infra.local_stack",
        "--reset",
        "--api-port",
        str(api_port),
        "--web-port",
        str(web_port),
        "--moto-port",
        str(moto_port),
        "--data-dir",
        str(data_dir),
        "--sweep-every",
        "30s",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    api = f"http://127.0.0.1:{api_port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"local stack exited early:\n{log.read_text()[-4000:]}")
            if "Ctrl-C" in log.read_text(errors="replace"):
                break
            time.sleep(1)
        else:
            raise RuntimeError(f"local stack did not come up in 180 s:\n{log.read_text()[-4000:]}")
        assert requests.get(f"{api}/health", timeout=10).status_code == 200
        yield LocalStack(api, f"http://127.0.0.1:{web_port}", log, f"http://127.0.0.1:{moto_port}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
