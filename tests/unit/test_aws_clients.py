"""The app's boto3 clients (integrations/aws.py): one per service, enough pooled connections for the stream
consumers' two pools, and S3 puts that send their body at once (no `Expect: 100-continue` round trip)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from botocore.awsrequest import AWSResponse

from chalicelib.config import Settings
from chalicelib.integrations.aws import POOL_CONNECTIONS, AwsClients
from chalicelib.services.archive import AUDIT_WORKERS

SETTINGS = Settings.from_env({"STAGE": "unit", "AWS_REGION": "cn-north-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"})


class _Empty(io.BytesIO):
    def stream(self, *_: Any, **__: Any) -> Iterator[bytes]:
        yield self.read()


def _sent_headers(client: Any, call: Any) -> dict[str, str]:
    """The headers of the request `call` sends; it never leaves the process (answered before sending)."""
    seen: dict[str, str] = {}

    def answer(request: Any, **_: Any) -> AWSResponse:
        seen.update({k: v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})
        return AWSResponse(request.url, 200, {}, _Empty())

    client.meta.events.register_first("before-send", answer)
    call()
    return seen


def test_s3_puts_send_no_expect_header_but_other_clients_are_untouched(monkeypatch: Any) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    clients = AwsClients(SETTINGS)
    s3 = clients("s3")
    assert clients("s3") is s3  # one per service
    headers = _sent_headers(s3, lambda: s3.put_object(Bucket="b", Key="k", Body=b'{"a": 1}'))
    assert "Expect" not in headers and headers["Content-Length"] == "8"
    plain = AwsClients(SETTINGS)._session.client("s3", region_name="cn-north-1", endpoint_url="http://127.0.0.1:9")
    assert _sent_headers(plain, lambda: plain.put_object(Bucket="b", Key="k", Body=b"{}"))["Expect"] == "100-continue"


def test_the_pool_holds_both_consumer_pools_at_once() -> None:
    assert POOL_CONNECTIONS >= 2 * AUDIT_WORKERS
    assert AwsClients(SETTINGS)("sns").meta.config.max_pool_connections == POOL_CONNECTIONS
