"""The citizen's lookup code is texted once per ticket (R-12369-02), however often its record is delivered."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.handlers.streams import process_batch
from chalicelib.integrations.sms import RecorderSender, SendResult, SmsMessage
from chalicelib.services import lookup
from tests.helpers.partners import partner_ticket, record_webhook_posts
from tests.helpers.streams import PARTNERS, history_records

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai


class Killed(BaseException):  # noqa: N818 - not an error the code may handle: the process is gone
    """The process stops here: no handler of ours runs."""


@pytest.fixture
def world(fake: Any) -> Any:
    return fake


@pytest.fixture
def posts(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    return record_webhook_posts(monkeypatch)


def texts_to(deps: Any, number: str) -> list[Any]:
    return [m for m in deps.sms.sent if m.to == number]


def test_a_lookup_code_texted_but_not_recorded_is_not_texted_again(
    world: Any, monkeypatch: pytest.MonkeyPatch, posts: list[dict[str, Any]]
) -> None:
    """R-12369-02: the notice is claimed before the code is texted; a replay after a crash sends nothing."""
    tid = partner_ticket(world, NOW)
    records = history_records(world, tid)
    put_notice = world.partners.put_notice

    def dies_after_the_text(ticket_id: str, notice: dict[str, Any]) -> None:
        if notice.get("status") == "sent":
            raise Killed()
        put_notice(ticket_id, notice)

    monkeypatch.setattr(world.partners, "put_notice", dies_after_the_text)
    with pytest.raises(Killed):
        process_batch(PARTNERS, {"Records": records}, world, NOW)
    monkeypatch.setattr(world.partners, "put_notice", put_notice)
    assert world.partners.get_notice(tid)["status"] == "sending" and len(texts_to(world, "+8613800001234")) == 1
    process_batch(PARTNERS, {"Records": records}, world, NOW)
    assert len(texts_to(world, "+8613800001234")) == 1


class RefusesOnce(RecorderSender):
    """The gateway refuses the first text (e.g. throttled), then records like the recorder."""

    def __init__(self) -> None:
        super().__init__()
        self.refused = False

    def send(self, message: SmsMessage) -> SendResult:
        if not self.refused:
            self.refused = True
            return SendResult(False, error="isv.BUSINESS_LIMIT_CONTROL")
        return super().send(message)


def test_a_lookup_code_the_gateway_refused_is_texted_on_the_retry(world: Any, posts: list[dict[str, Any]]) -> None:
    deps = dataclasses.replace(world, sms=RefusesOnce())
    tid = partner_ticket(deps, NOW)
    received = [r for r in history_records(deps, tid) if r["dynamodb"]["NewImage"]["type"]["S"] == "received"]
    assert process_batch(PARTNERS, {"Records": received}, deps, NOW)["batchItemFailures"]
    assert deps.partners.get_notice(tid)["status"] == "failed"
    assert process_batch(PARTNERS, {"Records": received}, deps, NOW) == {"batchItemFailures": []}
    assert deps.partners.get_notice(tid)["status"] == "sent" and len(texts_to(deps, "+8613800001234")) == 1
    code = texts_to(deps, "+8613800001234")[0].params["code"]
    assert lookup.lookup(deps, tid, code, "10.0.0.1", NOW)["number"] == tid  # the code texted is the valid one


def test_a_second_delivery_during_the_first_one_texts_no_second_code(world: Any, posts: list[dict[str, Any]]) -> None:
    answers: list[dict[str, Any]] = []

    class Slow(RecorderSender):
        def send(self, message: SmsMessage) -> SendResult:
            if not answers:  # a redrive replays the record while this delivery is in the gateway call
                answers.append({})
                answers[0] = process_batch(PARTNERS, {"Records": received}, deps, NOW)
            return super().send(message)

    deps = dataclasses.replace(world, sms=Slow())
    tid = partner_ticket(deps, NOW)
    received = [r for r in history_records(deps, tid) if r["dynamodb"]["NewImage"]["type"]["S"] == "received"]
    assert process_batch(PARTNERS, {"Records": received}, deps, NOW) == {"batchItemFailures": []}
    assert answers[0] == {"batchItemFailures": []}
    assert len(texts_to(deps, "+8613800001234")) == 1 and deps.partners.get_notice(tid)["status"] == "sent"
    assert len(posts) == 1  # the webhook of the event: queued and POSTed once
