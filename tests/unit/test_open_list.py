"""`GET /tickets?status=open` without a unit or owner (docs/api.md): the open partitions (work queues and the open
statuses no queue holds) read as one newest-first list, page by page, with or without a flag — on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain.errors import BadRequest
from chalicelib.services import tickets as svc
from chalicelib.storage import tickets as storage
from tests.helpers import fakes
from tests.helpers.accounts import UNITS
from tests.helpers.tickets import CALL, OP1, OP2

T0 = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai


def _world(fake: Any, count: int = 14) -> dict[str, str]:
    """Tickets of two operators in two stages (one queue each), received a minute apart; every 4th difficult."""
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    kinds: dict[str, str] = {}
    for n in range(count):
        who = OP1 if n % 2 else OP2
        at = T0 + timedelta(minutes=n)
        ticket, _ = svc.create_ticket(
            fake, who, {"category": "help", "title": f"第{n}件", "content": "内容", "received_at": at.isoformat()}, at
        )
        kinds[ticket.ticket_id] = "received"
        if n % 3 == 0:
            svc.act(fake, who, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, at)
            kinds[ticket.ticket_id] = "dispatched"
        if n % 4 == 0:
            svc.act(fake, who, ticket.ticket_id, "flag-difficult", {"reason": "涉及多个部门"}, at)
            kinds[ticket.ticket_id] += "+difficult"
    return kinds


def _pages(fake: Any, limit: int, **params: str) -> list[str]:
    ids: list[str] = []
    page: str | None = None
    for _ in range(200):
        got = svc.list_tickets(
            fake, OP1, dict(params, status="open", limit=str(limit), **({"page": page} if page else {}))
        )
        ids += [t.ticket_id for t in got.items]
        page = got.next_page
        if not page:
            return ids
    raise AssertionError("the list did not end")


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
def test_an_operators_open_list_is_every_open_ticket_newest_first(fake: Any, limit: int) -> None:
    kinds = _world(fake)
    newest_first = sorted(kinds, reverse=True)  # numbered in the order received
    assert _pages(fake, limit) == newest_first


@pytest.mark.parametrize("budget", [1, 8])
def test_open_with_a_flag_keeps_the_order_when_a_partition_stops_at_its_budget(
    fake: Any, budget: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    kinds = _world(fake, 130)  # more rows than an index page of 50 in each partition: the budget stops it
    monkeypatch.setattr(storage, "LIST_PAGE_BUDGET", budget)
    monkeypatch.setattr(fakes, "LIST_PAGE_BUDGET", budget)
    expected = sorted((t for t, k in kinds.items() if k.endswith("+difficult")), reverse=True)
    assert expected and _pages(fake, 2, flag="difficult") == expected


def test_a_token_of_another_list_is_a_400(fake: Any) -> None:
    _world(fake)
    mine = svc.list_tickets(fake, OP1, {"owner_id": "op1", "limit": "1"}).next_page
    with pytest.raises(BadRequest):
        svc.list_tickets(fake, OP1, {"status": "open", "page": mine or ""})


def test_a_partition_stopped_by_its_budget_holds_back_older_rows_of_the_others(
    fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Newest first: 100 (difficult, waiting), 39 (difficult, waiting), 5 (difficult, dispatched). The waiting queue
    stops after 50 rows without a match (the budget); 5 must not come before 39, which lies further down."""
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    monkeypatch.setattr(storage, "LIST_PAGE_BUDGET", 1)
    monkeypatch.setattr(fakes, "LIST_PAGE_BUDGET", 1)
    hard: dict[int, str] = {}
    for n in range(101):
        at = T0 + timedelta(minutes=n)
        body = {"category": "help", "title": f"第{n}件", "content": "内容", "received_at": at.isoformat()}
        ticket, _ = svc.create_ticket(fake, OP1, body, at)
        if n == 5:
            svc.act(fake, OP1, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, at)
        if n in (5, 39, 100):
            svc.act(fake, OP1, ticket.ticket_id, "flag-difficult", {"reason": "涉及多个部门"}, at)
            hard[n] = ticket.ticket_id
    assert _pages(fake, 2, flag="difficult") == [hard[100], hard[39], hard[5]]
