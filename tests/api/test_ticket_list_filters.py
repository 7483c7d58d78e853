"""The ticket lists as a clerk uses them all day (docs/api.md `GET /tickets`): status, unit, owner, flag, hotline and
the received-date range combine freely; `status=open`; 派单超时 found as soon as the 12 hours pass; every page
reads a bounded number of index rows; bad values are a Chinese 422 naming the field, never a 5xx."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from chalicelib.domain.calendar import SHANGHAI
from chalicelib.storage import tickets as storage
from tests.helpers.streams import PARTNERS, deliver, stream_batch

CALL = {"to_name": "周海", "to_phone": "13957600001"}


def _ticket(api: Any, user: str, **body: Any) -> str:
    payload = {"category": "help", "title": f"列表筛选 {uuid.uuid4().hex[:6]}", "content": "内容", **body}
    resp = api.post("/tickets", payload, user=user)
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def _all(api: Any, user: str, **params: str) -> list[dict[str, Any]]:
    """Every page of a list (a bounded page may hold fewer rows than asked: the token continues)."""
    items: list[dict[str, Any]] = []
    page: str | None = None
    for _ in range(200):
        query = dict(params, limit="100", **({"page": page} if page else {}))
        resp = api.get(f"/tickets?{urlencode(query)}", user=user)
        assert resp.status_code == 200, resp.json
        items += resp.json["items"]
        page = resp.json.get("next_page")
        if not page:
            return items
    raise AssertionError("the list did not end")


def test_status_unit_owner_and_hotline_combine(api: Any, seeded: Any) -> None:
    a = _ticket(api, "op2")
    b = _ticket(api, "op2")
    c = _ticket(api, "op1")
    for tid, unit, user in ((a, "U002", "op2"), (b, "U003", "op2"), (c, "U002", "op1")):
        assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": unit, "call": CALL}, user=user).status_code == 200
    got = _all(api, "op2", unit_id="U002", owner_id="op2", status="dispatched", hotline="12345")
    ids = {t["id"] for t in got}
    assert a in ids and b not in ids and c not in ids
    assert all(t["unit_id"] == "U002" and t["owner_id"] == "op2" and t["status"] == "dispatched" for t in got)


def test_status_open_keeps_closed_tickets_out_of_the_unit_inbox(api: Any, seeded: Any) -> None:
    tid = _ticket(api, "op1")
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U003", "call": CALL}, user="op1").status_code == 200
    got = _all(api, "analyst1", unit_id="U003", status="open")
    assert tid in {t["id"] for t in got} and all(t["status"] != "closed" for t in got)
    mine = _all(api, "op1", status="open", owner_id="op1")  # an operator's own open tickets
    assert all(t["owner_id"] == "op1" and t["status"] != "closed" for t in mine)


def test_status_open_alone_lists_every_open_ticket_newest_first_across_pages(api: Any, seeded: Any) -> None:
    """`status=open` without a unit or owner: every open ticket in one newest-first list, whoever owns it and
    whatever its stage, page after page without a gap or a repeat (the open partitions read as one Query each)."""
    fresh = _ticket(api, "op2")
    sent = _ticket(api, "op1")
    assert api.post(f"/tickets/{sent}/dispatch", {"unit_id": "U002", "call": CALL}, user="op1").status_code == 200
    for user in ("op1", "analyst1", "leader1"):
        got = _all(api, user, status="open")
        ids = [t["id"] for t in got]
        assert {fresh, sent} <= set(ids) and len(ids) == len(set(ids))
        assert all(t["status"] != "closed" for t in got)
        stamps = [t["received_at"] for t in got]
        assert stamps == sorted(stamps, reverse=True)
    paged: list[str] = []
    page: str | None = None
    for _ in range(500):  # two rows a page: the merged token keeps each partition's place
        resp = api.get(f"/tickets?status=open&limit=2{'&page=' + page if page else ''}", user="op1")
        assert resp.status_code == 200, resp.json
        paged += [t["id"] for t in resp.json["items"]]
        page = resp.json.get("next_page")
        if not page:
            break
    assert paged == [t["id"] for t in _all(api, "op1", status="open")]
    forged = api.get("/tickets?status=open&page=eyJxdWV1ZTpuZXciOjF9", user="op1")  # {"queue:new":1}
    assert forged.status_code == 400 and forged.json["details"]["field"] == "page"


def test_status_open_combines_with_a_flag(api: Any, seeded: Any) -> None:
    hard = _ticket(api, "op2")
    plain = _ticket(api, "op1")
    for tid, user in ((hard, "op2"), (plain, "op1")):
        assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user=user).status_code == 200
    flagged = api.post(f"/tickets/{hard}/flag-difficult", {"reason": "涉及多个部门"}, user="op2")
    assert flagged.status_code == 200, flagged.json
    late = _ticket(api, "op2", received_at=(datetime.now(UTC) - timedelta(hours=13)).isoformat())
    for user in ("op1", "analyst1", "leader1"):
        difficult = {t["id"] for t in _all(api, user, status="open", flag="difficult")}
        assert hard in difficult and plain not in difficult and late not in difficult
        overdue = {t["id"] for t in _all(api, user, status="open", flag="dispatch_overdue")}
        assert late in overdue and hard not in overdue and plain not in overdue


def test_received_date_range(api: Any, seeded: Any) -> None:
    tid = _ticket(api, "op1")
    today = datetime.now(SHANGHAI).date()
    inside = _all(api, "analyst1", status="received", received_from=str(today), received_to=str(today))
    assert tid in {t["id"] for t in inside}
    before = _all(api, "analyst1", status="received", received_to=str(today - timedelta(days=1)))
    assert tid not in {t["id"] for t in before}
    for bad in (
        {"received_from": "昨天"},
        {"received_from": str(today), "received_to": str(today - timedelta(days=2))},
    ):
        resp = api.get(f"/tickets?{urlencode(dict(bad, owner_id='op1'))}", user="op1")
        assert resp.status_code == 422 and set(resp.json["details"]["fields"]) <= {"received_from", "received_to"}


def test_r12345_01_dispatch_overdue_is_found_before_the_sweep_marks_it(api: Any, seeded: Any) -> None:
    late = _ticket(api, "op2", received_at=(datetime.now(UTC) - timedelta(hours=13)).isoformat())
    fresh = _ticket(api, "op2")
    got = {t["id"] for t in _all(api, "analyst1", status="received", flag="dispatch_overdue")}
    assert late in got and fresh not in got


def test_a_filtered_page_reads_a_bounded_number_of_rows(
    api: Any, deps: Any, seeded: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.domain.model import Actor
    from chalicelib.services import tickets as svc
    from chalicelib.services.sweep import count_requests

    owner = Actor(f"op-{uuid.uuid4().hex[:6]}", "operator")
    now = datetime.now(UTC)
    for n in range(55):  # more rows than one index page of 50
        ticket, _ = svc.create_ticket(deps, owner, {"category": "help", "title": f"批量{n}", "content": "内容"}, now)
        svc.act(deps, owner, ticket.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, now)
    monkeypatch.setattr(storage, "LIST_PAGE_BUDGET", 1)
    with count_requests(deps.dynamodb_clients()) as requests:  # a filter nothing passes: the worst case
        resp = api.get(f"/tickets?owner_id={owner.user_id}&hotline=12369&limit=5", user="analyst1")
    assert resp.status_code == 200 and resp.json["items"] == [] and resp.json["next_page"]  # the token goes on
    assert requests.ops["Query"] == 1  # the budget, not the partition, bounds the reading
    rest = api.get(
        f"/tickets?owner_id={owner.user_id}&hotline=12369&limit=5&page={resp.json['next_page']}", user="analyst1"
    )
    assert rest.status_code == 200 and rest.json["items"] == [] and not rest.json.get("next_page")


def test_r12345_11_bad_search_and_filter_values_find_the_right_tickets_or_a_chinese_4xx(
    api: Any, deps: Any, seeded: Any
) -> None:
    number = "1380013" + uuid.uuid4().hex[:4].translate(str.maketrans("abcdef", "012345"))
    word = "井盖" + uuid.uuid4().hex[:4]
    mine = _ticket(api, "op1", title=f"{word}缺失😀", caller={"name": "赵六", "phone": number})
    assert deliver(deps, PARTNERS, stream_batch(deps, mine)) == {"batchItemFailures": []}  # the search index
    spaced, dashed = f"{number[:3]} {number[3:7]} {number[7:]}", f"+86-{number[:3]}-{number[3:7]}-{number[7:]}"
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    finds = [
        {"phone": spaced},
        {"phone": dashed},
        {"phone": wide},
        {"ticket_id": mine.translate(str.maketrans("T0123456789-", "Ｔ０１２３４５６７８９－"))},
        {"ticket_id": mine.lower()},
        {"keyword": word, "status": "received"},
        {"keyword": f"{word}缺失😀", "status": "received"},
    ]
    for params in finds:  # a new ticket has no owner yet: no owner filter here
        resp = api.get(f"/tickets?{urlencode(params)}", user="op1")
        assert resp.status_code == 200, (params, resp.json)
        assert mine in [t["id"] for t in resp.json["items"]], params
    refused = [
        ({"keyword": "长" * 1000}, "keyword"),
        ({"keyword": "😀" * 51}, "keyword"),
        ({"phone": "138 0000"}, "phone"),
        ({"phone": "😀"}, "phone"),
        ({"phone": "1" * 1000}, "phone"),
        ({"ticket_id": "T" + "1" * 1000}, "ticket_id"),
        ({"status": "nonsense"}, "status"),
        ({"flag": "x"}, "flag"),
        ({"hotline": "110"}, "hotline"),
        ({"received_from": "2026-13-01"}, "received_from"),
    ]
    for params, field in refused:
        resp = api.get(f"/tickets?{urlencode(dict(params, owner_id='op1'))}", user="op1")
        assert resp.status_code == 422, (params, resp.status_code, resp.json)
        fields = resp.json["details"]["fields"]
        assert field in fields, (params, resp.json)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in fields[field]), resp.json
