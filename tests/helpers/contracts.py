"""Contract tests every implementation of a port must pass: the in-memory fakes (tests/unit) and the
AWS adapters on moto (tests/integration) run the same test classes, each providing its fixtures.

A subclass provides `table` (a DirectoryTable), `deps` (adapters whose `tickets` is the TicketStore
under test), `store` (an ArchiveStore) or `cipher`. Keys are unique per test (`ns`), so the shared
moto tables need no cleaning.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import tickets as domain
from chalicelib.domain.errors import BadRequest, Conflict, NotFound
from chalicelib.domain.model import Actor
from chalicelib.storage.table import (
    Absent,
    AbsentOrBelow,
    AbsentOrExpired,
    Equals,
    Item,
    KeyRange,
    Present,
    encode_token,
)
from chalicelib.storage.tickets import (
    CLAIM_TTL_S,
    NUMBERS_TAKEN,
    NUMBERS_UNUSED,
    IdempotencyKey,
    IdempotentEntry,
)

OP = Actor("op-contract", "operator", name="合同测试")
CALL = {"to_name": "周海", "to_phone": "13957600001"}
UNIT = {
    "name": "合同测试单位",
    "kind": "township",
    "contacts": [{"name": "周海", "phone": "13957600001", "role": "handler"}],
}


class DirectoryTableContract:
    """What every `DirectoryTable` does."""

    def test_put_then_get_returns_the_item_and_absent_keys_give_none(self, table: Any, ns: str) -> None:
        item = Item(f"C#{ns}", "a", {"name": "海游", "n": [1, 2]}, f"G#{ns}", "2026-01-01", n=3, expires_at=99)
        assert table.put(item)
        assert table.get(f"C#{ns}", "a") == item
        assert table.get(f"C#{ns}", "missing") is None

    def test_conditions_decide_and_a_failed_one_writes_nothing(self, table: Any, ns: str) -> None:
        pk = f"C#{ns}"
        assert table.put(Item(pk, "a", {"v": 1}), Absent())
        assert not table.put(Item(pk, "a", {"v": 2}), Absent())
        assert table.get(pk, "a").data == {"v": 1}
        assert not table.put(Item(pk, "b", {"v": 1}), Present())
        assert table.get(pk, "b") is None
        assert table.put(Item(pk, "a", {"v": 3}), Equals("data", {"v": 1}))
        assert not table.put(Item(pk, "a", {"v": 4}), Equals("data", {"v": 1}))
        assert table.get(pk, "a").data == {"v": 3}

    def test_absent_or_expired_admits_an_expired_item_only(self, table: Any, ns: str) -> None:
        pk = f"N#{ns}"
        assert table.put(Item(pk, "x", expires_at=100), AbsentOrExpired(50))
        assert not table.put(Item(pk, "x", expires_at=200), AbsentOrExpired(99))
        assert table.put(Item(pk, "x", expires_at=300), AbsentOrExpired(100))
        assert table.get(pk, "x").expires_at == 300

    def test_absent_or_below_admits_a_missing_number_or_a_smaller_one(self, table: Any, ns: str) -> None:
        pk = f"B#{ns}"
        assert table.put(Item(pk, "x", {"v": 1}, n=10), AbsentOrBelow(10))  # absent
        assert not table.put(Item(pk, "x", {"v": 2}, n=10), AbsentOrBelow(10))  # equal: not below
        assert not table.put(Item(pk, "x", {"v": 3}, n=5), AbsentOrBelow(5))
        assert table.get(pk, "x").data == {"v": 1}
        assert table.put(Item(pk, "x", {"v": 4}, n=11), AbsentOrBelow(11))
        assert table.put(Item(pk, "y", {"v": 1}))  # no number stored
        assert table.put(Item(pk, "y", {"v": 2}, n=1), AbsentOrBelow(1))
        assert (table.get(pk, "x").data, table.get(pk, "y").n) == ({"v": 4}, 1)

    def test_update_changes_some_attributes_under_a_condition(self, table: Any, ns: str) -> None:
        pk = f"U#{ns}"
        table.put(Item(pk, "d", {"a": 1}, f"DUE#{ns}", "t1"))
        assert table.update(pk, "d", gsi1sk="t2", cond=Equals("gsi1sk", "t1"))
        assert not table.update(pk, "d", gsi1sk="t3", cond=Equals("gsi1sk", "t1"))
        assert table.get(pk, "d").gsi1sk == "t2"
        assert table.update(pk, "d", data={"a": 2}, drop_index=True)
        got = table.get(pk, "d")
        assert got.data == {"a": 2} and got.gsi1pk is None and got.gsi1sk is None

    def test_add_counts_atomically_and_stops_at_the_cap(self, table: Any, ns: str) -> None:
        pk = f"R#{ns}"
        assert table.add(pk, "w", 1, expires_at=10) == 1
        assert table.add(pk, "w", 2) == 3
        assert table.add(pk, "w", 5, cap=7) is None
        assert table.add(pk, "w", 4, cap=7) == 7
        assert table.get(pk, "w").n == 7

    def test_transact_writes_all_or_nothing(self, table: Any, ns: str) -> None:
        pk = f"T#{ns}"
        table.put(Item(pk, "taken", {}))
        assert not table.transact([(Item(pk, "new", {}), Absent()), (Item(pk, "taken", {"x": 1}), Absent())])
        assert table.get(pk, "new") is None and table.get(pk, "taken").data == {}
        assert table.transact([(Item(pk, "new", {}), Absent()), (Item(pk, "taken", {"x": 1}), Present())])
        assert table.get(pk, "taken").data == {"x": 1}

    def test_query_orders_filters_and_pages_without_gaps_or_repeats(self, table: Any, ns: str) -> None:
        pk = f"Q#{ns}"
        table.put_many([Item(pk, f"k{i:02d}", {"i": i}, f"IDX#{ns}", f"s{20 - i:02d}") for i in range(12)])
        assert [i.sk for i in table.items(pk, KeyRange(prefix="k0"))] == [f"k0{i}" for i in range(10)]
        assert [i.sk for i in table.items(pk, KeyRange(low="k03", high="k05"))] == ["k03", "k04", "k05"]
        assert [i.sk for i in table.items(pk, KeyRange(below="k02"))] == ["k00", "k01"]
        assert [i.sk for i in table.items(pk, newest_first=True, limit=2)] == ["k11", "k10"]
        seen, token = [], None
        while True:
            page = table.query(pk, limit=5, token=token)
            seen += [i.sk for i in page.items]
            token = page.next_page
            if token is None:
                break
        assert seen == [f"k{i:02d}" for i in range(12)]
        by_index = table.items(f"IDX#{ns}", index=True, limit=3)
        assert [i.gsi1sk for i in by_index] == ["s09", "s10", "s11"]
        page = table.query(f"IDX#{ns}", index=True, limit=3)
        rest = table.query(f"IDX#{ns}", index=True, limit=3, token=page.next_page)
        assert [i.gsi1sk for i in rest.items] == ["s12", "s13", "s14"]
        with pytest.raises(BadRequest):
            table.query(pk, token="not-a-token")

    def test_a_key_dynamodb_would_refuse_finds_nothing(self, table: Any, ns: str) -> None:
        pk = f"K#{ns}"
        table.put(Item(pk, "k", {}))
        for sk in ("", "x" * 1025, "\ud800"):
            assert table.get(pk, sk) is None
        assert table.get("", "k") is None and table.get("p" * 2049, "k") is None
        assert table.query("").items == [] and table.query("p" * 2049, index=True).items == []

    def test_a_page_token_of_another_query_or_a_forged_one_is_refused(self, table: Any, ns: str) -> None:
        pk = f"T#{ns}"
        table.put_many([Item(pk, f"k{i}", {}, f"TI#{ns}", f"s{i}") for i in range(4)])
        mine = table.query(pk, limit=2).next_page
        assert [i.sk for i in table.query(pk, limit=2, token=mine).items] == ["k2", "k3"]
        index_token = table.query(f"TI#{ns}", index=True, limit=2).next_page
        forged = [
            table.query(f"T2#{ns}", limit=2).next_page or encode_token({"pk": {"S": f"T2#{ns}"}, "sk": {"S": "k"}}),
            index_token,  # the index's token on the table
            encode_token({"pk": {"S": pk}}),
            encode_token({"pk": {"S": pk}, "sk": {"N": "1"}}),
            encode_token({"pk": {"S": pk}, "sk": {"S": ""}}),
            encode_token({"pk": {"S": pk}, "sk": {"S": "x" * 5000}}),
            encode_token({"pk": {"S": pk}, "sk": {"S": "\ud800"}}),
            encode_token({"pk": {"S": pk}, "sk": {"S": "k1"}, "extra": {"S": "x"}}),
            "W10",  # base64 of []
        ]
        for token in forged:
            with pytest.raises(BadRequest):
                table.query(pk, limit=2, token=token)
        with pytest.raises(BadRequest):
            table.query(f"TI#{ns}", index=True, limit=2, token=mine)

    def test_delete_removes_and_is_silent_when_absent(self, table: Any, ns: str) -> None:
        pk = f"D#{ns}"
        table.put(Item(pk, "x", {}))
        table.delete(pk, "x")
        table.delete(pk, "x")
        assert table.get(pk, "x") is None


def _received(deps: Any, now: datetime, owner: Actor = OP, **extra: Any) -> Any:
    payload = {
        "category": "complaint",
        "title": "噪音",
        "content": "夜间施工",
        "caller": {"name": "张三", "phone": "13800001111"},
    }
    payload.update(extra)
    ctx = deps.contexts.load(now)
    change = domain.new_ticket("pending", payload, owner, now, ctx)
    ticket_id = deps.tickets.next_number(change.after.received_at)
    return domain.Change(
        None, change.after.with_changes(ticket_id=ticket_id), change.event_type, change.data, now, owner
    )


class TicketStoreContract:
    """What every `TicketStore` does (`deps` carries the store and a unit `UC-{ns}` to dispatch to)."""

    @pytest.fixture
    def unit(self, deps: Any, ns: str) -> str:
        unit_id = f"UC{ns[:6].upper()}"
        deps.directory.put_unit(unit_id, UNIT)
        deps.contexts.invalidate()
        return unit_id

    def test_a_new_ticket_reads_back_with_its_caller_and_first_event(self, deps: Any) -> None:
        now = datetime.now(UTC)
        change = _received(deps, now)
        saved = deps.tickets.commit(change, None)
        got = deps.tickets.get(saved.ticket_id)
        assert got.version == saved.version == 1 and got.caller.name == "张三"
        assert [e["type"] for e in deps.tickets.events(saved.ticket_id)] == ["received"]
        assert "张三" not in str(deps.tickets.history(saved.ticket_id)[0]["snapshot"])
        assert deps.tickets.caller_ciphertext(saved.ticket_id) not in (None, "")
        with pytest.raises(NotFound):
            deps.tickets.get("T20000101-99999")

    def test_a_stale_change_is_a_conflict_and_writes_nothing(self, deps: Any, unit: str) -> None:
        now = datetime.now(UTC)
        first = deps.tickets.commit(_received(deps, now), None)
        ctx = deps.contexts.load(now)
        body = {"unit_id": unit, "call": CALL}
        winner = domain.apply(first, "dispatch", body, OP, now, ctx)
        loser = domain.apply(first, "flag-supervised", {"reason": "督办"}, OP, now, ctx)
        deps.tickets.commit(winner, None)
        with pytest.raises(Conflict):
            deps.tickets.commit(loser, None)
        assert [e["type"] for e in deps.tickets.events(first.ticket_id)] == ["received", "dispatched"]

    def test_a_commit_from_a_stale_version_fails_even_with_the_same_status(self, deps: Any, unit: str) -> None:
        now = datetime.now(UTC)
        ctx = deps.contexts.load(now)
        first = deps.tickets.commit(_received(deps, now), None)
        call = {"kind": "other", "to_name": "周海", "to_phone": "13957600001"}
        deps.tickets.commit(domain.apply(first, "record-call", call, OP, now, ctx), None)
        stale = first.with_changes(last_seq=first.last_seq + 1)  # a free event number: only the version is stale
        with pytest.raises(Conflict):
            deps.tickets.commit(domain.apply(stale, "record-call", call, OP, now, ctx), None)
        assert [e["type"] for e in deps.tickets.events(first.ticket_id)] == ["received", "call_recorded"]

    def test_the_idempotency_key_is_taken_once(self, deps: Any, ns: str) -> None:
        now = datetime.now(UTC)
        key = IdempotencyKey(f"partner-{ns}", "CITY-1", "h1")
        saved = deps.tickets.commit(_received(deps, now), None, idempotency=key)
        assert deps.tickets.find_idempotent(key) == (saved.ticket_id, "h1")
        with pytest.raises(Conflict):
            deps.tickets.commit(_received(deps, now), None, idempotency=key)
        assert deps.tickets.find_idempotent(IdempotencyKey(f"partner-{ns}", "CITY-2", "")) is None

    def test_an_intake_claim_is_held_once_and_becomes_the_tickets_entry(self, deps: Any, ns: str) -> None:
        now = datetime.now(UTC)
        key = IdempotencyKey(f"partner-{ns}", "CITY-1", "h1")
        claimed = deps.tickets.claim_idempotent(key, now)
        assert claimed is not None and claimed.claim
        assert deps.tickets.claim_idempotent(key, now) is None  # held
        assert deps.tickets.idempotent_entry(key) == IdempotentEntry(None, "h1")
        assert deps.tickets.find_idempotent(key) is None  # no ticket yet
        saved = deps.tickets.commit(_received(deps, now), None, idempotency=claimed)
        assert deps.tickets.idempotent_entry(key) == IdempotentEntry(saved.ticket_id, "h1")
        later = now + timedelta(seconds=CLAIM_TTL_S + 1)
        assert deps.tickets.claim_idempotent(key, later) is None  # a committed entry never lapses

    def test_a_lapsed_or_released_claim_is_taken_over_and_its_holder_cannot_commit(self, deps: Any, ns: str) -> None:
        now = datetime.now(UTC)
        key = IdempotencyKey(f"partner-{ns}", "CITY-2", "h2")
        first = deps.tickets.claim_idempotent(key, now)
        second = deps.tickets.claim_idempotent(key, now + timedelta(seconds=CLAIM_TTL_S + 1))
        assert first is not None and second is not None and first.claim != second.claim
        with pytest.raises(Conflict):
            deps.tickets.commit(_received(deps, now), None, idempotency=first)
        deps.tickets.release_idempotent(first)  # no longer its claim: nothing happens
        assert deps.tickets.claim_idempotent(key, now + timedelta(seconds=CLAIM_TTL_S + 2)) is None
        deps.tickets.release_idempotent(second)
        assert deps.tickets.claim_idempotent(key, now + timedelta(seconds=CLAIM_TTL_S + 2)) is not None

    def test_unused_numbers_are_counted_per_receipt_day(self, deps: Any) -> None:
        received = datetime(2031, 3, 4, 2, 0, tzinfo=UTC)
        before = deps.tickets.read_counters(NUMBERS_UNUSED).get("20310304", 0)
        number = deps.tickets.next_number(received)
        deps.tickets.count_unused_number(number)
        assert deps.tickets.read_counters(NUMBERS_UNUSED)["20310304"] == before + 1
        assert int(number.split("-")[1]) <= deps.tickets.read_counters(NUMBERS_TAKEN)["20310304"]

    def test_extra_items_commit_with_the_ticket_or_not_at_all(self, deps: Any, ns: str) -> None:
        now = datetime.now(UTC)
        deps.table.put(Item(f"X#{ns}", "taken", {}))
        change = _received(deps, now)
        with pytest.raises(Conflict):
            deps.tickets.commit(change, None, extra=[(Item(f"X#{ns}", "taken", {}), Absent())])
        with pytest.raises(NotFound):
            deps.tickets.get(change.after.ticket_id)
        deps.tickets.commit(change, None, extra=[(Item(f"X#{ns}", "free", {"ok": True}), Absent())])
        assert deps.table.get(f"X#{ns}", "free").data == {"ok": True}

    def test_lists_are_newest_or_oldest_first_filtered_and_paged(self, deps: Any, ns: str, unit: str) -> None:
        owner = Actor(f"op-{ns}", "operator")
        now = datetime.now(UTC)
        ctx = deps.contexts.load(now)
        ids = []
        for i in range(5):
            at = now - timedelta(minutes=10 - i)
            t = deps.tickets.commit(_received(deps, at, owner, received_at=at.isoformat()), None)
            t = deps.tickets.commit(domain.apply(t, "dispatch", {"unit_id": unit, "call": CALL}, owner, now, ctx), None)
            if i % 2 == 0:
                t = deps.tickets.commit(domain.apply(t, "flag-supervised", {"reason": "督办"}, owner, now, ctx), None)
            ids.append(t.ticket_id)
        page = deps.tickets.list_page(index="owner", key=owner.user_id, limit=3, token=None)
        rest = deps.tickets.list_page(index="owner", key=owner.user_id, limit=3, token=page.next_page)
        assert [t.ticket_id for t in page.items + rest.items] == ids[::-1]
        assert rest.next_page is None
        first = deps.tickets.list_page(index="owner", key=owner.user_id, limit=3, token=None, oldest_first=True)
        later = deps.tickets.list_page(
            index="owner", key=owner.user_id, limit=3, token=first.next_page, oldest_first=True
        )
        assert [t.ticket_id for t in first.items + later.items] == ids  # the longest-waiting first (R-12345-13)
        assert later.next_page is None
        flagged = deps.tickets.list_page(index="unit", key=unit, limit=10, token=None, filters={"flag": "supervised"})
        assert [t.ticket_id for t in flagged.items] == [ids[4], ids[2], ids[0]]
        assert all(t.caller.name == "" for t in flagged.items)  # lists never decrypt personal data
        by_status = deps.tickets.list_page(
            index="unit", key=unit, limit=10, token=None, filters={"status": "dispatched", "owner_id": owner.user_id}
        )
        assert len(by_status.items) == 5
        with pytest.raises(BadRequest):
            deps.tickets.list_page(index="owner", key=owner.user_id, limit=3, token=None, filters={"colour": "red"})
        for forged in (
            encode_token({"ticket_id": {"S": ids[0]}, "owner_id": {"S": "someone-else"}, "received_at": {"S": "x"}}),
            encode_token({"ticket_id": {"S": ids[0]}, "unit_id": {"S": unit}, "received_at": {"S": "x"}}),
            encode_token({"ticket_id": {"S": ids[0]}}),
            page.next_page + "x",
        ):
            with pytest.raises(BadRequest):
                deps.tickets.list_page(index="owner", key=owner.user_id, limit=3, token=forged)
        with pytest.raises(BadRequest):  # a token of the owner index used on the unit index
            deps.tickets.list_page(index="unit", key=unit, limit=3, token=page.next_page)

    def test_due_alerts_come_from_the_open_deadline_index_only_when_due(self, deps: Any) -> None:
        from chalicelib.domain.deadlines import Alert
        from chalicelib.storage.tickets import DEADLINE_SHARDS, deadline_shard

        now = datetime.now(UTC)
        due = deps.tickets.commit(_received(deps, now), Alert("handle_overdue", now - timedelta(days=3650), now))
        later = deps.tickets.commit(_received(deps, now), Alert("handle_overdue", now + timedelta(days=3650), now))
        shard = int(deadline_shard(due.ticket_id).split("#")[1])
        found = {t.ticket_id for s in range(DEADLINE_SHARDS) for t in deps.tickets.due_alerts(s, now, limit=1000)}
        assert due.ticket_id in found and later.ticket_id not in found
        assert due.ticket_id in {t.ticket_id for t in deps.tickets.due_alerts(shard, now, limit=1000)}

    def test_due_tickets_come_whole_from_the_index_page_by_page(self, deps: Any) -> None:
        from chalicelib.domain.deadlines import Alert
        from chalicelib.storage.tickets import DEADLINE_SHARDS

        now = datetime.now(UTC)
        base = datetime(1990, 1, 1, tzinfo=UTC)  # earlier than any other test's alert: only these are due
        saved = {
            t.ticket_id: t
            for t in (
                deps.tickets.commit(_received(deps, now), Alert("handle_overdue", base + timedelta(seconds=i), base))
                for i in range(5)
            )
        }
        seen: list[Any] = []
        for shard in range(DEADLINE_SHARDS):
            token = None
            for _ in range(20):  # one ticket per page: every shard holding one pages at least once
                page = deps.tickets.due_tickets(shard, base + timedelta(minutes=10), limit=1, token=token)
                seen += page.items
                if (token := page.next_page) is None:
                    break
            assert token is None
        assert sorted(t.ticket_id for t in seen) == sorted(saved)  # each due ticket once, nothing else
        for ticket in seen:  # whole: the caller decrypted, the version a commit's condition needs
            assert ticket.caller.name == "张三" and ticket.version == saved[ticket.ticket_id].version
        with pytest.raises(BadRequest):  # another shard's token
            keys = {"ticket_id": "T19900101-00001", "deadline_shard": "OPEN#1", "next_alert_at": base.isoformat()}
            deps.tickets.due_tickets(0, now, token=encode_token({k: {"S": v} for k, v in keys.items()}))

    def test_history_months_and_counters(self, deps: Any, unit: str) -> None:
        now = datetime(2031, 2, 3, 4, 5, tzinfo=UTC)
        saved = deps.tickets.commit(_received(deps, now, received_at=now.isoformat()), None)
        ctx = deps.contexts.load(now)
        later = now + timedelta(minutes=5)
        deps.tickets.commit(domain.apply(saved, "dispatch", {"unit_id": unit, "call": CALL}, OP, later, ctx), None)
        assert [e["seq"] for e in deps.tickets.history(saved.ticket_id, 1)] == [1]
        month = [e for e in deps.tickets.month_events("2031-02") if e["ticket_id"] == saved.ticket_id]
        assert [e["type"] for e in month] == ["received", "dispatched"]
        window = [
            e
            for e in deps.tickets.month_events("2031-02", later.isoformat(), "9999")
            if e["ticket_id"] == saved.ticket_id
        ]
        assert [e["type"] for e in window] == ["dispatched"]
        assigned = deps.tickets.read_counters(f"2031-02#unit#{unit}")
        assert sum(n for sk, n in assigned.items() if sk.startswith("assigned#")) == 1
        deps.tickets.overwrite_counters({(f"2031-02#unit#{unit}", "assigned#0"): 7})
        assert deps.tickets.read_counters(f"2031-02#unit#{unit}")["assigned#0"] == 7

    def test_numbers_count_per_day_and_never_repeat(self, deps: Any) -> None:
        day = datetime(2032, 7, 1, 3, 0, tzinfo=UTC)
        a, b = deps.tickets.next_number(day), deps.tickets.next_number(day)
        assert a.startswith("T20320701-") and b > a

    def test_get_many_leaves_out_unknown_ids(self, deps: Any) -> None:
        saved = deps.tickets.commit(_received(deps, datetime.now(UTC)), None)
        got = deps.tickets.get_many([saved.ticket_id, "T20000101-99999", saved.ticket_id])
        assert [t.ticket_id for t in got] == [saved.ticket_id]
        assert deps.tickets.caller_ciphertext("T20000101-99999") is None


class ArchiveStoreContract:
    """What every `ArchiveStore` does."""

    def test_put_once_writes_one_version_however_often_it_is_called(self, store: Any, ns: str) -> None:
        now = datetime.now(UTC)
        key = f"audit/{ns}/000001.json"
        assert store.put_once(key, b"{}", "application/json", now)
        assert not store.put_once(key, b'{"x": 1}', "application/json", now)
        assert store.get(key).body == b"{}"
        assert [v["key"] for v in store.versions(f"audit/{ns}/")] == [key]

    def test_put_keeps_every_version_and_reads_any(self, store: Any, ns: str) -> None:
        now = datetime.now(UTC)
        key = f"archive/{ns}/record.json"
        v1 = store.put(key, b"one", "application/json", now, {"ticket-id": "T1"})
        v2 = store.put(key, b"two", "application/json", now)
        assert v1 != v2
        assert store.get(key).body == b"two" and store.get(key, v1).body == b"one"
        assert store.get(key, v1).metadata == {"ticket-id": "T1"}
        assert store.keys(f"archive/{ns}/") == {key}
        assert len(store.versions(f"archive/{ns}/")) == 2
        assert store.get(f"archive/{ns}/missing.json") is None
        assert key in store.presign(key, v1, "record.json", "application/json")

    def test_an_uploaded_object_is_read_from_its_start_and_can_be_discarded(self, store: Any, ns: str) -> None:
        from tests.helpers.archive import upload

        now = datetime.now(UTC)
        key = f"uploads/evidence/{ns}"
        post = store.presign_upload(key, 1024, now)
        assert post["url"] and post["fields"]["key"] == key
        assert store.head(key) is None and store.read_start(key, 8) is None
        assert upload(store, post, b"%PDF-1.7 body") == 204
        head = store.head(key)
        assert head is not None and head.size == 13 and head.version_id
        assert store.read_start(key, 5) == b"%PDF-"
        assert store.read_start(key, 5, head.version_id) == b"%PDF-"
        store.discard(key, head.version_id)
        assert store.head(key) is None and store.get(key) is None
        assert "inline" in store.presign(key, None, "照片.jpg", "image/jpeg", inline=True)


class CipherContract:
    """What every `Cipher` does."""

    def test_round_trip_hides_the_plaintext_and_refuses_foreign_text(self, cipher: Any) -> None:
        token = cipher.encrypt({"name": "张三", "phone": "13800001111"}, "tickets/T20261101-00001/caller_enc")
        assert "张三" not in token and "13800001111" not in token
        assert cipher.decrypt(token, "tickets/T20261101-00001/caller_enc") == {"name": "张三", "phone": "13800001111"}
        with pytest.raises(ValueError):
            cipher.decrypt("plain text", "tickets/T20261101-00001/caller_enc")

    def test_r12345_11_a_ciphertext_moved_to_another_item_or_field_does_not_open(self, cipher: Any) -> None:
        token = cipher.encrypt({"name": "李四", "phone": "13900002222"}, "tickets/T20261101-00001/caller_enc")
        for elsewhere in ("tickets/T20261101-00002/caller_enc", "events/T20261101-00001/contact_enc"):
            with pytest.raises(ValueError):
                cipher.decrypt(token, elsewhere)
