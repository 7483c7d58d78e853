"""A ticket never outgrows DynamoDB's 400 KB item: capped reply sections, a guard on the whole record."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain import tickets as T
from chalicelib.domain.calendar import WorkCalendar
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.model import Actor, Ticket
from chalicelib.domain.templates import MAX_SECTION

OP1 = Actor("op1", "operator", name="王敏")
UH1 = Actor("uh1", "unit_handler", "U001")
LEADER = Actor("leader1", "leader")
CTX = T.Context(calendar=WorkCalendar(), units={"U001": {"name": "甲"}})
NOW = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
CALL = {"to_name": "周海", "to_phone": "13957600001"}
REPLY = {"investigation": "已核查", "result": "已整改", "basis": "条例第十条", "contact": "已告知"}


def _handling() -> Ticket:
    t = T.new_ticket("T20261102-00001", {"category": "complaint", "title": "噪音", "content": "施工"}, OP1, NOW, CTX)
    ticket = t.after
    for verb, actor, body in (("dispatch", OP1, {"unit_id": "U001", "call": CALL}), ("sign", UH1, {})):
        ticket = T.apply(ticket, verb, body, actor, NOW, CTX).after.with_changes(version=ticket.version + 1)
    return ticket


def test_r12345_06_a_reply_section_longer_than_the_cap_is_refused_naming_it() -> None:
    ticket = _handling()
    with pytest.raises(ValidationError) as refused:
        T.apply(ticket, "reply", {"sections": dict(REPLY, result="长" * (MAX_SECTION + 1))}, UH1, NOW, CTX)
    assert (
        set(refused.value.fields) == {"sections.result"} and str(MAX_SECTION) in refused.value.fields["sections.result"]
    )
    full = T.apply(ticket, "reply", {"sections": dict(REPLY, result="长" * MAX_SECTION)}, UH1, NOW, CTX)
    assert len(full.after.reply["sections"]["result"]) == MAX_SECTION  # type: ignore[index]


def test_a_change_that_would_outgrow_the_item_is_refused_naming_the_field() -> None:
    episode = {"reason": "疑" * 1000, "by": "op1", "at": NOW.isoformat(), "decision": "定" * 2000}
    base = _handling().with_changes(difficult=dict(episode), flags=frozenset({"difficult"}))
    flag = {"reason": "再" * 1000}  # the decided episode moves to the history, a new one starts
    growth = T.document_size(T.apply(base, "flag-difficult", flag, OP1, NOW, CTX).after) - T.document_size(base)
    history = [dict(episode) for _ in range((T.MAX_TICKET_BYTES - 20_000) // 9_000)]
    ticket = base.with_changes(difficult=dict(episode, history=history))
    pad = T.MAX_TICKET_BYTES - T.document_size(ticket) - growth + 200  # 200 bytes short of room for it
    ticket = ticket.with_changes(content="x" * pad)
    assert T.document_size(ticket) <= T.MAX_TICKET_BYTES
    with pytest.raises(ValidationError) as refused:
        T.apply(ticket, "flag-difficult", flag, OP1, NOW, CTX)
    assert set(refused.value.fields) == {"reason"}
    small = T.apply(ticket, "flag-supervised", {"reason": "督"}, OP1, NOW, CTX)  # a short note still fits
    assert small.after.supervised is not None
