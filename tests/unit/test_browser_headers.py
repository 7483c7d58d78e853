"""R-12345-11 in the browser: the origins the API grants CORS to, and the local SPA server's security headers."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from chalice.app import Request, Response

from chalicelib.api.browser import allowed_origin, secure
from chalicelib.config import Settings, origins
from infra.local_stack import spa_origins, start_web


def test_cors_origins_are_read_from_the_environment_and_never_a_wildcard() -> None:
    settings = Settings.from_env({"CORS_ORIGINS": " https://a.example/ , *, http://127.0.0.1:8080 ,,"})
    assert settings.cors_origins == ("https://a.example", "http://127.0.0.1:8080")
    assert Settings.from_env({}).cors_origins == ()
    assert settings.spa_origin == "https://a.example"  # where SMS links open the SPA (R-WORK-04)
    assert Settings.from_env({}).spa_origin == ""
    assert origins("*") == ()


def test_the_local_stack_grants_its_own_spa_server_and_extra_origins() -> None:
    assert spa_origins(8080) == "http://127.0.0.1:8080,http://localhost:8080"
    assert spa_origins(9001, "http://127.0.0.1:5173") == (
        "http://127.0.0.1:9001,http://localhost:9001,http://127.0.0.1:5173"
    )


def _request(origin: str) -> Request:
    event = {
        "headers": {"origin": origin},
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "requestContext": {"httpMethod": "GET", "resourcePath": "/units"},
        "body": None,
        "stageVariables": None,
        "isBase64Encoded": False,
    }
    return Request(event)


def test_a_response_loses_any_wildcard_and_keeps_its_own_cache_control(fake: object) -> None:
    from chalicelib import bootstrap

    bootstrap.use(None)  # no root: the settings come from the (empty) environment — no origin granted
    resp = secure(_request("https://evil.example"), Response({}, headers={"Access-Control-Allow-Origin": "*"}))
    assert "Access-Control-Allow-Origin" not in resp.headers and resp.headers["Cache-Control"] == "no-store"
    kept = secure(None, Response("x", headers={"Cache-Control": "max-age=60", "Content-Type": "text/html"}))
    assert kept.headers["Cache-Control"] == "max-age=60"
    assert "frame-ancestors 'none'" in kept.headers["Content-Security-Policy"]
    assert allowed_origin("null") is None and allowed_origin("") is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_local_spa_server_sends_csp_hsts_nosniff_and_no_framing(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><div id=app></div>", encoding="utf-8")
    port = _free_port()
    server = start_web(tmp_path, port, "http://127.0.0.1:9000", "http://127.0.0.1:5000")
    try:
        for path in ("/", "/tickets/T1", "/config.json"):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:  # noqa: S310 - local
                headers = resp.headers
            csp = headers["Content-Security-Policy"]
            assert "frame-ancestors 'none'" in csp and "script-src 'self';" in csp
            assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
            assert "connect-src 'self' http://127.0.0.1:9000 http://127.0.0.1:5000" in csp
            assert headers["X-Content-Type-Options"] == "nosniff" and headers["X-Frame-Options"] == "DENY"
            assert headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        server.shutdown()
        server.server_close()


def test_download_links_tell_the_browser_not_to_cache_the_file() -> None:
    from chalicelib.integrations.archive_store import S3ArchiveStore

    class S3:
        params: dict[str, str] = {}

        def generate_presigned_url(self, _op: str, Params: dict[str, str], ExpiresIn: int) -> str:  # noqa: N803
            S3.params = Params
            return "https://s3.example/x"

    S3ArchiveStore(S3(), "bucket", "key", 10).presign("archive/T1/v1/record.html", None, "record.html", "text/html")
    assert S3.params["ResponseCacheControl"] == "no-store"
