"""Searching the staff ticket list through the API on moto: ticket number, caller phone through the blind
index (R-12345-11: one Query, never the number in an index or a log, logged, rate-limited) and title keyword."""

from __future__ import annotations

import json
import random
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from tests.helpers.archive import bucket, s3
from tests.helpers.raw import raw_events, raw_ticket

CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}


def _number() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data


def _ticket(api: Any, phone: str, title: str = "噪音扰民", **extra: Any) -> str:
    body = {"category": "complaint", "title": title, "content": "夜间施工", "caller": {"name": "李四", "phone": phone}}
    resp = api.post("/tickets", dict(body, **extra), user="op1")
    assert resp.status_code == 201, resp.json
    return str(resp.json["id"])


def _search(api: Any, user: str, **params: str) -> Any:
    return api.get("/tickets?" + urlencode(params), user=user)


def _error(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.body
    body = json.loads(resp.body)
    assert body["code"] == code and body["message"], body
    return dict(body["details"])


def test_r12345_11_an_operator_finds_a_callers_tickets_by_number_through_the_blind_index(
    api: Any, deps: Any, outputs: dict[str, str], seeded: Any
) -> None:
    number = _number()
    first = _ticket(api, number)
    second = _ticket(api, f"+86 {number[:3]} {number[3:7]} {number[7:]}")
    _ticket(api, _number())

    resp = _search(api, "op2", phone=f"+86-{number[:3]}-{number[3:7]}-{number[7:]}")
    assert resp.status_code == 200, resp.json
    assert [t["id"] for t in resp.json["items"]] == [second, first]  # newest first
    assert number not in json.dumps(resp.json, ensure_ascii=False)

    # the item holds the tag beside the envelope; no index, item or event holds the number
    item = raw_ticket(outputs, first)
    assert item["caller_tag"]["S"] == deps.blind_index.phone_tag(number)
    assert item["caller_tag"]["S"] == raw_ticket(outputs, second)["caller_tag"]["S"]
    for text in (
        json.dumps(item, ensure_ascii=False),
        *(json.dumps(raw_events(outputs, t), ensure_ascii=False) for t in (first, second)),
    ):
        assert number not in text and number[3:] not in text

    # the lookup is in the access log and its write-once copy: who and how many, never the number
    entries = deps.table.items(f"ACCESS#{time.strftime('%Y-%m-%d', time.gmtime())}", newest_first=True, limit=50)
    lookups = [i.data for i in entries if i.data.get("action") == "caller_lookup" and i.data["user_id"] == "op2"]
    assert lookups and lookups[0]["hits"] == 2
    copy = s3(deps).get_object(Bucket=bucket(deps), Key=lookups[0]["s3_key"])["Body"].read().decode()
    assert json.loads(copy)["action"] == "caller_lookup"
    for text in (json.dumps(lookups, ensure_ascii=False), copy):
        assert number not in text and str(item["caller_tag"]["S"]) not in text


def test_r12345_11_only_reveal_roles_look_callers_up_and_confidential_tickets_only_for_leaders(
    api: Any, seeded: Any
) -> None:
    number = _number()
    secret = _ticket(api, number, confidential=True)
    assert _search(api, "op2", phone=number).json["items"] == []
    assert [t["id"] for t in _search(api, "leader1", phone=number).json["items"]] == [secret]
    for user in ("uh1", "analyst1", "admin1"):
        _error(_search(api, user, phone=number), 403, "forbidden")
    _error(_search(api, "records1", phone=number), 403, "forbidden")


def test_r12345_11_bad_search_input_is_a_chinese_422_naming_the_field(api: Any, seeded: Any) -> None:
    for typed in ("12345", "abc", "😀", "1" * 1000):
        fields = _error(_search(api, "op1", phone=typed), 422, "validation_error")["fields"]
        assert set(fields) == {"phone"} and "手机号码" in fields["phone"]
    fields = _error(_search(api, "op1", keyword="长" * 1000), 422, "validation_error")["fields"]
    assert set(fields) == {"keyword"} and "关键词" in fields["keyword"]
    fields = _error(_search(api, "op1", ticket_id="T2026-1"), 422, "validation_error")["fields"]
    assert set(fields) == {"ticket_id"} and "工单编号" in fields["ticket_id"]
    fields = _error(_search(api, "op1", ticket_id="T20261126-00001", keyword="噪音"), 422, "validation_error")
    assert set(fields["fields"]) == {"ticket_id", "keyword"}


def test_r12345_11_lookups_by_number_are_rate_limited_per_user(api: Any, deps: Any, seeded: Any) -> None:
    if time.time() % 60 > 55:  # keep the pre-filled window and the request in one minute
        time.sleep(61 - time.time() % 60)
    ts = int(time.time())
    start = ts - ts % 60
    for _ in range(deps.settings.caller_lookups_per_minute):
        deps.partners.hit("caller-lookup:op2", f"60#{start}", start + 120)
    details = _error(_search(api, "op2", phone=_number()), 429, "rate_limited")
    assert details["retry_after"] <= 60
    assert _search(api, "leader1", phone=_number()).status_code == 200  # a window per user


def test_r12345_03_a_ticket_number_finds_that_ticket_within_the_callers_scope(api: Any, seeded: Any) -> None:
    tid = _ticket(api, _number())
    assert api.post(f"/tickets/{tid}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    assert [t["id"] for t in _search(api, "op2", ticket_id=tid.lower()).json["items"]] == [tid]
    assert [t["id"] for t in _search(api, "uh1", ticket_id=tid).json["items"]] == [tid]
    assert _search(api, "uh2", ticket_id=tid).json["items"] == []  # another unit's ticket: not found
    assert _search(api, "op2", ticket_id=tid, status="closed").json["items"] == []  # filters still apply


def test_r12345_13_a_keyword_finds_titles_and_says_how_many_rows_it_read(api: Any, seeded: Any) -> None:
    word = "词" + uuid.uuid4().hex[:6]
    tid = _ticket(api, _number(), title=f"路灯{word}不亮")
    resp = _search(api, "op1", keyword=word.upper(), status="received", limit="5")
    assert resp.status_code == 200, resp.json
    assert tid in [t["id"] for t in resp.json["items"]]
    assert 1 <= resp.json["examined"] <= 500


def test_r12345_13_a_keyword_search_pages_on_dynamodb_without_losing_or_repeating_a_ticket(
    api: Any, seeded: Any
) -> None:
    word = "页" + uuid.uuid4().hex[:6]
    made = [_ticket(api, _number(), title=f"{word}第{n}件") for n in range(3)]
    seen: list[str] = []
    page: str | None = None
    for _ in range(5):
        params = {"keyword": word, "status": "received", "limit": "2", **({"page": page} if page else {})}
        resp = _search(api, "op1", **params)
        assert resp.status_code == 200, resp.json
        assert len(resp.json["items"]) <= 2
        seen += [t["id"] for t in resp.json["items"]]
        page = resp.json["next_page"]
        if set(made) <= set(seen):
            break
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
