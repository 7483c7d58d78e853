"""One SMS interface, three backends chosen by `SMS_BACKEND` (R-12345-02/04/12).

- `sns`: Amazon SNS direct publish (global regions; SNS sends no SMS in the AWS China regions);
- `aliyun`: a mainland gateway, Alibaba Cloud SMS through its maintained SDK (approved templates);
- `recorder`: the embedded mode: logs the text and keeps it in memory, sends nothing.

Numbers arrive already normalised to E.164 (+86…); rendering and records are the caller's job.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from chalicelib.config import Settings
from chalicelib.domain.access import mask_phone

log = logging.getLogger("hotline.sms")


@dataclass(frozen=True)
class SmsMessage:
    """One text: E.164 number, rendered Chinese text, template name and its parameters."""

    to: str
    text: str
    template: str
    params: dict[str, str] = field(default_factory=dict)
    ref: str = ""  # our id (event id + recipient), passed to gateways that accept one


@dataclass(frozen=True)
class SendResult:
    """Outcome of one send: ok + the provider's message id, or the reason it failed."""

    ok: bool
    message_id: str = ""
    error: str = ""


class SmsSender(Protocol):
    """What every backend implements."""

    name: str

    def send(self, message: SmsMessage) -> SendResult:
        """Send one message; never raises once the gateway was called (a refusal or a lost answer is
        ok=False): an exception means the message was not handed over, so it may be tried again."""
        ...


class SnsSender:
    """Amazon SNS `Publish` to a phone number (transactional)."""

    name = "sns"

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, message: SmsMessage) -> SendResult:
        """Publish the text to the number."""
        try:
            resp = self._client.publish(
                PhoneNumber=message.to,
                Message=message.text,
                MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
            )
        except Exception as exc:  # noqa: BLE001 - any provider error is a failed send, recorded
            return SendResult(False, error=f"sns: {exc}")
        return SendResult(True, message_id=str(resp.get("MessageId", "")))


class AliyunSender:
    """Alibaba Cloud SMS (dysmsapi 2017-05-25) `SendSms` with an approved template per message kind."""

    name = "aliyun"

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self._sign = settings.sms_sign_name
        self._codes: dict[str, str] = json.loads(settings.sms_template_codes or "{}")
        self._client = client or _aliyun_client(settings)

    def send(self, message: SmsMessage) -> SendResult:
        """SendSms: mainland numbers without +86, the template code of the message's kind."""
        from alibabacloud_dysmsapi20170525 import models

        code = self._codes.get(message.template)
        if not code:
            return SendResult(False, error=f"aliyun: no template code for {message.template}")
        number = message.to.removeprefix("+86")
        request = models.SendSmsRequest(
            phone_numbers=number,
            sign_name=self._sign,
            template_code=code,
            template_param=json.dumps(message.params, ensure_ascii=False),
            out_id=message.ref[:64] or None,
        )
        try:
            body = self._client.send_sms(request).body
            code, text, biz_id = body.code, body.message, body.biz_id
        except Exception as exc:  # noqa: BLE001 - network / signature / throttling errors are recorded
            return SendResult(False, error=f"aliyun: {exc}")
        if code != "OK":
            return SendResult(False, error=f"aliyun: {code} {text}")
        return SendResult(True, message_id=str(biz_id or ""))


def _aliyun_client(settings: Settings) -> Any:
    from alibabacloud_dysmsapi20170525.client import Client
    from alibabacloud_tea_openapi import models as open_api

    config = open_api.Config(
        access_key_id=settings.aliyun_access_key_id,
        access_key_secret=settings.aliyun_access_key_secret,
        endpoint=settings.aliyun_sms_endpoint,
        protocol=settings.aliyun_sms_protocol,
    )
    return Client(config)


class RecorderSender:
    """Embedded mode: writes each text to the log and keeps the last ones in memory."""

    name = "recorder"

    def __init__(self, keep: int = 500) -> None:
        self._keep = keep
        self._lock = threading.Lock()
        self.sent: list[SmsMessage] = []

    def send(self, message: SmsMessage) -> SendResult:
        """Record, do not send."""
        with self._lock:
            self.sent = (self.sent + [message])[-self._keep :]
        log.warning("SMS (recorded, not sent) to %s: %s", mask_phone(message.to), message.text)
        return SendResult(True, message_id=f"rec-{uuid.uuid4().hex[:12]}")


def build_sender(settings: Settings, client: Callable[[str], Any]) -> SmsSender:
    """The backend `settings.sms_backend` names (`client(service)` gives a boto3 client)."""
    if settings.sms_backend == "sns":
        return SnsSender(client("sns"))
    if settings.sms_backend == "aliyun":
        return AliyunSender(settings)
    if settings.sms_backend == "recorder":
        return RecorderSender()
    raise RuntimeError(f"unknown SMS_BACKEND {settings.sms_backend!r} (sns, aliyun, recorder)")
