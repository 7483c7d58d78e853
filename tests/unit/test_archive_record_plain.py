"""R-12345-17: the printed archive record (record.html) shows names, never codes, and every instant in
Asia/Shanghai local time (YYYY-MM-DD HH:MM), never an ISO UTC instant."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.documents.archive_record import build_record, render_html
from chalicelib.domain import access
from chalicelib.domain.model import Actor, Caller
from chalicelib.services import archive
from chalicelib.services import tickets as svc
from tests.helpers.accounts import UNITS
from tests.helpers.tickets import CALL, CALLBACK, CALLER, LEADER, OP1, REPLY, UH1, close_ticket

NOW = datetime(2026, 11, 30, 7, 40, tzinfo=UTC)  # 15:40 in Shanghai
RAW_CODES = (
    "phone",
    "dispatch_notice",
    "reached",
    "investigation",
    "basis",
    "satisfied",
    "reminder",
    "approved",
    "complaint",
    "closed",
    "unit_handler",
    "operator",
)
ISO_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _record_html(fake: Any) -> str:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    ticket, _ = svc.create_ticket(
        fake,
        OP1,
        {
            "category": "complaint",
            "title": "夜间施工噪音",
            "content": "22点后仍在施工",
            "caller": CALLER,
            "channel": "phone",
        },
        NOW,
    )
    tid = ticket.ticket_id
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        ("dispatch", OP1, {"unit_id": "U001", "call": CALL}),
        ("sign", UH1, {}),
        ("record-call", OP1, {"kind": "reminder", "to_name": "周海", "to_phone": "13957600001", "outcome": "reached"}),
        ("request-extension", UH1, {"reason": "需联合调查", "new_due": "2026-12-31"}),
        ("decide-extension", LEADER, {"approve": True}),
        ("reply", UH1, {"sections": REPLY}),
        ("review", OP1, {"approve": True}),
        ("callback", OP1, dict(CALLBACK, satisfaction="satisfied")),
        ("submit", OP1, {}),
        ("close", OP1, {"note": "市审核组审核通过"}),
    ]
    for n, (verb, actor, body) in enumerate(steps):
        svc.act(fake, actor, tid, verb, body, NOW + timedelta(seconds=n))
    events = fake.tickets.history(tid)
    close = events[-1]
    assert close["type"] == "closed"
    record = build_record(close, events, None)
    snapshots = {int(e["seq"]): e["snapshot"] for e in events}
    caller = access.masked_caller(Caller(**CALLER), confidential=False)
    return render_html(record, snapshots, caller, fake.contexts.load(NOW).units, {})


def _visible_text(html: str) -> str:
    body = html.split("<body>", 1)[1]
    return re.sub(r"<[^>]+>", " ", body)


def test_r12345_17_record_html_names_every_code(fake: Any) -> None:
    text = _visible_text(_record_html(fake))
    for code in RAW_CODES:
        assert not re.search(rf"(?<![A-Za-z_]){code}(?![A-Za-z_])", text), code
    for name in ("电话", "派单通知", "已接通", "调查核实情况", "政策法规依据", "满意", "催办提醒"):
        assert name in text, name


def test_r12345_17_record_html_shows_local_times_only(fake: Any) -> None:
    text = _visible_text(_record_html(fake))
    assert not ISO_INSTANT.search(text), ISO_INSTANT.search(text)
    assert "2026-11-30 15:40" in text


def _pushed_record_html(fake: Any, partner_id: str) -> str:
    """The printed record of a ticket the partner platform `partner_id` pushed, archived by the archive service."""
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    partner = Actor(partner_id, "partner")
    payload = {"category": "complaint", "title": "小区噪音", "content": "夜间施工", "caller": CALLER}
    ticket, _ = svc.create_ticket(fake, partner, dict(payload, source=partner_id, external_id="SM0001"), NOW)
    close_ticket(fake, ticket.ticket_id, NOW)
    close = fake.tickets.history(ticket.ticket_id)[-1]
    assert archive.archive_ticket(fake, close, NOW) == "written"
    entry = fake.archive_index.latest(ticket.ticket_id)
    stored = fake.archive_store.get(entry["prefix"] + "record.html")
    assert stored is not None
    return _visible_text(stored.body.decode())


def test_r12345_17_record_html_names_the_partner_platform_as_source(fake: Any) -> None:
    fake.partners.create_partner({"partner_id": "p-county", "name": "县应急联动平台"})
    text = _pushed_record_html(fake, "p-county")
    assert re.search(r"来源\s+合作平台（县应急联动平台）", text), text[:600]
    assert "来源：合作平台（县应急联动平台）" in text  # the intake event in the history
    assert "p-county" not in text


def test_r12345_17_record_html_of_an_unknown_partner_says_partner_platform(fake: Any) -> None:
    text = _pushed_record_html(fake, "p-gone")
    assert re.search(r"来源\s+合作平台\s", text) and "合作平台（" not in text
    assert "p-gone" not in text


def test_r12345_17_record_html_names_the_channel_as_source(fake: Any) -> None:
    assert re.search(r"来源\s+电话\s", _visible_text(_record_html(fake)))
