"""Searching the staff ticket list through the API on moto: ticket number, caller phone through the blind
index (R-12345-11: one Query, never the number in an index or a log, logged, rate-limited), the caller's
exact name through its own blind index (likewise) and keywords of title and content through the search
index the event stream keeps (R-12345-13)."""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from tests.helpers.archive import bucket, s3
from tests.helpers.raw import raw_events, raw_ticket
from tests.helpers.streams import PARTNERS, deliver, stream_batch

CALL = {"to_name": "周海", "to_phone": "13957600001", "note": "已电话告知"}


def _number() -> str:
    return "139" + "".join(random.choice("0123456789") for _ in range(8))  # noqa: S311 - test data


def _ticket(
    api: Any, phone: str, title: str = "噪音扰民", content: str = "夜间施工", name: str = "李四", **extra: Any
) -> str:
    body = {"category": "complaint", "title": title, "content": content, "caller": {"name": name, "phone": phone}}
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


def _indexed(deps: Any, *ids: str) -> None:
    """What the TicketEvents stream does after these intakes (partner_events: the search index among others)."""
    assert deliver(deps, PARTNERS, stream_batch(deps, *ids)) == {"batchItemFailures": []}


def _word() -> str:
    """An ASCII word of its own (one term partition per test); letters only: a run of 7+ digits is never a term."""
    return "q" + uuid.uuid4().hex[:8].translate(str.maketrans("0123456789", "ghijklmnop"))


def _ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.json
    return [t["id"] for t in resp.json["items"]]


@contextmanager
def _newer_tickets(deps: Any, template: str, count: int) -> Iterator[None]:
    """`count` tickets received after `template`, op1's, straight into the table (the list's index rows),
    removed again afterwards (the session's other tests share the table)."""
    from datetime import timedelta

    from chalicelib.domain.model import Caller

    base = deps.tickets.get(template)
    day = f"T2099{random.randint(1, 12):02d}{random.randint(10, 28)}"  # noqa: S311 - test data
    ids = [f"{day}-{n + 1:05d}" for n in range(count)]
    with deps.tables.tickets.batch_write() as batch:
        for n, tid in enumerate(ids):
            ticket = base.with_changes(
                ticket_id=tid,
                received_at=base.received_at + timedelta(seconds=n + 1),
                title=f"其他事项{n}",
                content="与此无关",
                caller=Caller(),
            )
            batch.save(deps.tickets.ticket_model(ticket, None, fresh=True))
    try:
        yield
    finally:
        with deps.tables.tickets.batch_write() as batch:
            for tid in ids:
                batch.delete(deps.tables.tickets(tid))


def test_r12345_13_a_word_of_the_content_finds_a_ticket_older_than_500_newer_ones(
    api: Any, deps: Any, seeded: Any
) -> None:
    word = _word()
    old = _ticket(api, _number(), title="反映问题", content=f"冷库{word}彻夜轰鸣")
    _indexed(deps, old)
    with _newer_tickets(deps, old, 501):
        resp = _search(api, "op1", keyword=word.upper())
        assert _ids(resp) == [old]
        assert resp.json["examined"] == 1 and resp.json["next_page"] is None  # the term's partition, not the list
        assert _ids(_search(api, "op1", keyword=f"冷库 {word}", status="open")) == [old]
        assert _ids(_search(api, "op1", keyword=word, status="closed")) == []  # list filters still apply


def test_r12345_13_two_words_find_the_tickets_holding_both_newest_first_page_by_page(
    api: Any, deps: Any, seeded: Any
) -> None:
    word = _word()
    both = [_ticket(api, _number(), title=f"菜市场{word}", content=f"第{n}次反映噪音扰民") for n in range(3)]
    one = _ticket(api, _number(), title=f"菜市场{word}", content="垃圾清运不及时")
    _indexed(deps, *both, one)
    assert _ids(_search(api, "op1", keyword=f"{word} 垃圾")) == [one]
    seen: list[str] = []
    page: str | None = None
    for _ in range(4):
        resp = _search(api, "op1", keyword=f"噪音 {word}", limit="2", **({"page": page} if page else {}))
        seen += _ids(resp)
        assert len(resp.json["items"]) <= 2
        page = resp.json["next_page"]
        if page is None:
            break
    assert seen == list(reversed(both))  # newest first, nothing lost or repeated
    bad = _error(_search(api, "op1", keyword=word, page="forged"), 400, "bad_request")
    assert bad["field"] == "page"


def test_r12345_13_a_confidential_ticket_is_not_found_by_another_units_handler(
    api: Any, deps: Any, seeded: Any
) -> None:
    word = _word()
    secret = _ticket(api, _number(), title="反映仓库异味", content=f"冷链仓库{word}", confidential=True)
    assert api.post(f"/tickets/{secret}/dispatch", {"unit_id": "U001", "call": CALL}, user="op1").status_code == 200
    _indexed(deps, secret)
    assert _ids(_search(api, "uh1", keyword=word)) == [secret]
    assert _ids(_search(api, "uh2", keyword=word)) == []
    assert _ids(_search(api, "leader1", keyword=word)) == [secret]


def test_r12345_13_a_keyword_that_cannot_be_looked_up_is_a_chinese_422(api: Any, seeded: Any) -> None:
    for typed in ("长" * 1000, "😀😀", "灯", "！！"):
        fields = _error(_search(api, "op1", keyword=typed), 422, "validation_error")["fields"]
        assert set(fields) == {"keyword"} and "关键词" in fields["keyword"]


def test_r12345_11_a_caller_name_finds_the_exact_full_name_through_its_blind_index(
    api: Any, deps: Any, outputs: dict[str, str], seeded: Any
) -> None:
    name = "欧阳" + "".join(random.choice("明华伟芳娜静敏强磊洋") for _ in range(3))  # noqa: S311 - test data
    first = _ticket(api, _number(), name=name)
    second = _ticket(api, _number(), name=" ".join(name))  # spaces are not part of a name
    _ticket(api, _number(), name=name + "子")  # another name
    secret = _ticket(api, _number(), name=name, confidential=True)
    assert _ids(_search(api, "op1", caller_name=name)) == [second, first]  # exact; no confidential for op
    assert _ids(_search(api, "leader1", caller_name=f"  {name} ")) == [secret, second, first]
    for user in ("uh1", "analyst1"):
        assert _search(api, user, caller_name=name).status_code == 403

    item = raw_ticket(outputs, first)
    assert item["caller_name_tag"]["S"] == deps.blind_index.name_tag(name)
    assert name not in json.dumps(item, ensure_ascii=False)
    entries = deps.table.items(f"ACCESS#{time.strftime('%Y-%m-%d', time.gmtime())}", newest_first=True, limit=50)
    lookups = [i.data for i in entries if i.data.get("action") == "caller_name_lookup" and i.data["user_id"] == "op1"]
    assert lookups and lookups[0]["hits"] == 2
    assert name not in json.dumps(lookups, ensure_ascii=False)


def test_r12345_11_bad_names_are_a_chinese_422_and_name_lookups_are_rate_limited(
    api: Any, deps: Any, seeded: Any
) -> None:
    for typed in ("名" * 1000, "😀", "   ", ""):
        fields = _error(_search(api, "op1", caller_name=typed), 422, "validation_error")["fields"]
        assert set(fields) == {"caller_name"} and "姓名" in fields["caller_name"]
    if time.time() % 60 > 55:  # keep the pre-filled window and the request in one minute
        time.sleep(61 - time.time() % 60)
    ts = int(time.time())
    start = ts - ts % 60
    for _ in range(deps.settings.caller_lookups_per_minute):
        deps.partners.hit("caller-lookup:op2", f"60#{start}", start + 120)
    details = _error(_search(api, "op2", caller_name="张三"), 429, "rate_limited")  # one window: phone and name
    assert details["retry_after"] <= 60


def test_r12345_13_the_backfill_indexes_tickets_saved_before_the_indexes_once(
    api: Any, deps: Any, outputs: dict[str, str], seeded: Any
) -> None:
    from chalicelib.services import search
    from infra.search_backfill import ticket_ids
    from tests.helpers.raw import dynamodb

    word = _word()
    tid = _ticket(api, _number(), content=f"旧工单{word}", name="钱七")
    dynamodb(outputs).update_item(  # as saved before the caller-name index existed, never indexed
        TableName=deps.settings.tickets_table,
        Key={"ticket_id": {"S": tid}},
        UpdateExpression="REMOVE caller_name_tag",
    )
    assert _ids(_search(api, "leader1", caller_name="钱七")).count(tid) == 0
    counts = search.backfill(deps, iter([tid]))
    assert counts["tickets"] == 1 and counts["name_tags"] == 1 and counts["terms_written"] > 0 and not counts["failed"]
    assert tid in _ids(_search(api, "leader1", caller_name="钱七"))
    assert _ids(_search(api, "op1", keyword=word)) == [tid]
    again = search.backfill(deps, iter([tid]))
    assert again["terms_written"] == again["name_tags"] == 0  # idempotent
    assert tid in set(ticket_ids(deps))


def test_r12345_11_the_backfill_retags_tickets_tagged_under_another_blind_index_hash(
    api: Any, deps: Any, outputs: dict[str, str], seeded: Any
) -> None:
    from chalicelib.services import search
    from tests.helpers.raw import dynamodb

    number = _number()
    tid = _ticket(api, number, name="孙九")
    dynamodb(outputs).update_item(  # as tagged before BLIND_INDEX_HASH changed: the other hash's scheme
        TableName=deps.settings.tickets_table,
        Key={"ticket_id": {"S": tid}},
        UpdateExpression="SET caller_tag = :p, caller_name_tag = :n",
        ExpressionAttributeValues={":p": {"S": "b2:" + "0" * 64}, ":n": {"S": "b2:" + "1" * 64}},
    )
    assert tid not in _ids(_search(api, "leader1", phone=number))
    assert tid not in _ids(_search(api, "leader1", caller_name="孙九"))
    counts = search.backfill(deps, iter([tid]))
    assert counts["phone_tags"] == counts["name_tags"] == 1 and not counts["failed"]
    assert tid in _ids(_search(api, "leader1", phone=number))
    assert tid in _ids(_search(api, "leader1", caller_name="孙九"))
    again = search.backfill(deps, iter([tid]))
    assert again["phone_tags"] == again["name_tags"] == 0  # idempotent
