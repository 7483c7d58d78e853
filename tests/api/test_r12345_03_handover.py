"""R-12345-03 hand-over (代办, seed 24小时响应和节假日值班 / 调岗 请假): an operator's open tickets handed to another
operator for a period, leader-approved, recorded as events on each ticket; the delegate acts as the owner while it
lasts, the sweep ends it (idempotent); the figures stay with the owner (docs/statistics.md)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.services import handover as svc
from chalicelib.storage.table import Item

CALL = {"to_name": "周海", "to_phone": "13957600001"}
OWNER, DELEGATE = "op3", "op4"


@pytest.fixture
def clean(deps: Any, seeded: Any) -> Iterator[None]:
    """Hand-overs are shared state (overlaps are refused): end and remove the ones a test made."""
    before = {i.sk for i in deps.table.items(svc.PK)}
    yield
    for item in deps.table.items(svc.PK):
        if item.sk in before:
            continue
        if item.data["status"] == "active":
            svc.end(deps, item.data, datetime.now(UTC))
        deps.table.delete(svc.PK, item.sk)


def _ticket(api: Any, owner: str = OWNER) -> str:
    body = {"category": "complaint", "title": "路灯不亮", "content": "小区门口路灯坏了一周"}
    tid = str(api.post("/tickets", body, user=owner).json["id"])
    resp = api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user=owner)
    assert resp.status_code == 200, resp.json
    assert api.post(f"/tickets/{tid}/sign", {}, user="uh1").status_code == 200
    return tid


def _replied(api: Any) -> str:
    tid = _ticket(api)
    templates = {t["category"]: t for t in api.get("/reply-templates", user="op1").json["items"]}
    sections = {s["id"]: "已现场核查并修复。" for s in templates["complaint"]["sections"]}
    assert api.post(f"/tickets/{tid}/reply", {"sections": sections}, user="uh1").status_code == 200
    return tid


def _returned(api: Any) -> str:
    tid = _ticket(api)
    assert api.post(f"/tickets/{tid}/return", {"reason": "不属于本单位职责"}, user="uh1").status_code == 200
    return tid


def _request(api: Any, user: str = OWNER, **extra: Any) -> Any:
    now = datetime.now(UTC)
    body = {"to_id": DELEGATE, "end": (now + timedelta(days=2)).isoformat(), "reason": "请假三天", **extra}
    return api.post("/handovers", body, user=user)


def _figure(api: Any, owner: str, name: str) -> int:
    month = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    resp = api.get(f"/stats/monthly?month={month}&scope=owner&id={owner}", user="leader1")
    assert resp.status_code == 200, resp.json
    return int(resp.json["figures"][name]["value"])


def test_r12345_03_handover_approved_by_a_leader_delegate_acts_as_owner_until_the_end(
    api: Any, deps: Any, clean: None
) -> None:
    replied, returned, third = _replied(api), _returned(api), _replied(api)
    assert api.post(f"/tickets/{replied}/review", {"approve": True}, user=DELEGATE).status_code == 403
    asked = _request(api)
    assert asked.status_code == 200, asked.json
    h = asked.json
    assert h["status"] == "requested" and h["from_id"] == OWNER and h["to_id"] == DELEGATE
    # not yet approved: nothing handed over; only a leader approves
    assert api.post(f"/tickets/{replied}/review", {"approve": True}, user=DELEGATE).status_code == 403
    assert api.post(f"/handovers/{h['id']}/decide", {"approve": True}, user=OWNER).status_code == 403
    approved = api.post(f"/handovers/{h['id']}/decide", {"approve": True}, user="leader1")
    assert approved.status_code == 200, approved.json
    assert approved.json["status"] == "active" and {replied, returned} <= set(approved.json["tickets"])
    assert approved.json["decided_by"] == "leader1"
    # the ticket shows who acts for the owner, until when; the owner stays the owner
    t = api.get(f"/tickets/{replied}", user=DELEGATE).json
    assert t["delegate"]["user_id"] == DELEGATE and t["delegate"]["until"] == h["end"] and t["owner_id"] == OWNER
    assert t["delegate"]["name"] == "黄磊" and t["owner_name"] == "刘洋"  # names, not login ids
    assert "review" in t["allowed_actions"]
    home = api.get("/me/confirmations", user=DELEGATE).json  # beside the five confirmations
    assert {replied, returned} <= {i["id"] for i in home["delegated"]}
    assert [g["key"] for g in home["groups"]][:1] == ["new"]
    transfers_before = (_figure(api, OWNER, "transfers"), _figure(api, DELEGATE, "transfers"))
    assert api.post(f"/tickets/{replied}/review", {"approve": True}, user=DELEGATE).status_code == 200
    # the delegate calls the caller back (revealing the number like the owner) and submits
    revealed = api.get(f"/tickets/{replied}?reveal=1&reason=callback", user=DELEGATE)
    assert revealed.status_code == 200 and revealed.json["can_reveal"] and not revealed.json["caller_masked"]
    callback = {"informed": True, "truthful": True, "misconduct": False, "satisfaction": "satisfied"}
    assert api.post(f"/tickets/{replied}/callback", callback, user=DELEGATE).status_code == 200
    assert api.post(f"/tickets/{replied}/submit", {}, user=DELEGATE).status_code == 200
    body = {"unit_id": "U002", "call": CALL, "good_reason": True}
    assert api.post(f"/tickets/{returned}/transfer", body, user=DELEGATE).status_code == 200
    # figures stay with the owner (docs/statistics.md, "Hand-over"); the events name who acted
    assert (_figure(api, OWNER, "transfers"), _figure(api, DELEGATE, "transfers")) == (
        transfers_before[0] + 1,
        transfers_before[1],
    )
    events = deps.tickets.events(replied)
    started = [e for e in events if e["type"] == "handover_started"]
    assert len(started) == 1 and started[0]["data"]["to_id"] == DELEGATE
    assert [e["actor_id"] for e in events if e["type"] == "reviewed"] == [DELEGATE]
    # the sweep ends it at its end time, once
    later = datetime.fromisoformat(h["end"]) + timedelta(minutes=1)
    assert svc.sweep(deps, datetime.now(UTC))["handovers_ended"] == 0
    assert svc.sweep(deps, later)["handovers_ended"] >= 1
    assert svc.sweep(deps, later)["handovers_ended"] == 0
    assert api.get(f"/handovers/{h['id']}", user=OWNER).json["status"] == "ended"
    back = api.get(f"/tickets/{third}", user=OWNER).json
    assert back["delegate"] is None and back["owner_id"] == OWNER
    assert api.post(f"/tickets/{third}/review", {"approve": True}, user=DELEGATE).status_code == 403
    assert api.post(f"/tickets/{third}/review", {"approve": True}, user=OWNER).status_code == 200
    assert [e["type"] for e in deps.tickets.events(replied)].count("handover_ended") == 1
    assert api.get(f"/tickets/{replied}", user=OWNER).json["status"] == "submitted"


def test_r12345_03_handover_start_repeated_never_loses_or_doubles_a_ticket(api: Any, deps: Any, clean: None) -> None:
    first, second = _ticket(api), _ticket(api)
    h = _request(api).json
    approved = dict(deps.directory.get_item(svc.PK, h["id"]), status="approved", decided_by="leader1")
    deps.table.put(Item(svc.PK, h["id"], approved))
    # a start that failed after the first ticket: the first already carries the hand-over
    only_first = dict(approved, tickets=[first])
    ticket = deps.tickets.get(first)
    assert ticket.delegate is None
    svc._commit(deps, first, only_first, svc.SYSTEM_ACTOR, datetime.now(UTC), starting=True)
    active = svc.start(deps, approved, datetime.now(UTC))
    assert {first, second} <= set(active["tickets"])
    for tid in (first, second):
        assert [e["type"] for e in deps.tickets.events(tid)].count("handover_started") == 1
        assert deps.tickets.get(tid).delegate["user_id"] == DELEGATE


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"to_id": "uh1"}, "to_id", "不是业务科经办人"),
        ({"to_id": "leader1"}, "to_id", "不是业务科经办人"),
        ({"to_id": OWNER}, "to_id", "不能是本人"),
        ({"end": "2020-01-01T00:00:00+08:00"}, "end", "不早于当前时间"),
        ({"start": "2099-01-01T00:00:00+08:00"}, "start", "半年以内"),
        ({"reason": ""}, "reason", ""),
    ],
)
def test_r12345_03_handover_bad_input_is_a_chinese_422_and_changes_nothing(
    api: Any, deps: Any, clean: None, extra: dict[str, Any], field: str, words: str
) -> None:
    before = len(deps.table.items(svc.PK))
    resp = _request(api, **extra)
    assert resp.status_code == 422, resp.json
    assert field in resp.json["details"]["fields"] and words in resp.json["details"]["fields"][field]
    assert len(deps.table.items(svc.PK)) == before


def test_r12345_03_handover_end_before_start_and_overlap_refused(api: Any, deps: Any, clean: None) -> None:
    now = datetime.now(UTC)
    backwards = _request(api, start=(now + timedelta(days=3)).isoformat(), end=(now + timedelta(days=2)).isoformat())
    assert backwards.status_code == 422 and "晚于开始时间" in backwards.json["details"]["fields"]["end"]
    assert _request(api).status_code == 200
    overlap = _request(api, start=(now + timedelta(days=1)).isoformat(), end=(now + timedelta(days=4)).isoformat())
    assert overlap.status_code == 422 and "重叠" in overlap.json["details"]["fields"]["start"]
    # the delegate cannot hand their own tickets to the owner who is away in that period
    swap = _request(api, user=DELEGATE, to_id=OWNER)
    assert swap.status_code == 422 and "重叠" in swap.json["details"]["fields"]["start"]
    # an operator asks only for themselves; a leader may name the owner
    other = _request(api, user="op1", from_id="op2")
    assert other.status_code == 403
    assert api.get("/handovers", user="uh1").status_code == 403


def test_r12345_03_handover_rejected_hands_nothing_over(api: Any, deps: Any, clean: None) -> None:
    tid = _replied(api)
    h = _request(api).json
    no_note = api.post(f"/handovers/{h['id']}/decide", {"approve": False}, user="leader1")
    assert no_note.status_code == 422 and "note" in no_note.json["details"]["fields"]
    rejected = api.post(f"/handovers/{h['id']}/decide", {"approve": False, "note": "另行安排"}, user="leader1")
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    assert api.post(f"/handovers/{h['id']}/decide", {"approve": True}, user="leader1").status_code == 409
    assert api.post(f"/tickets/{tid}/review", {"approve": True}, user=DELEGATE).status_code == 403
    assert api.get("/handovers/H-nope", user="op1").status_code == 404
