"""The emulator's index Query reads only the partition (infra/moto_patches.py, 7.), hands moto only the
items that can be on the page, and answers exactly what moto's whole-table walk answers, through every
way an item changes; the snapshot's in-process reads give every item as a Scan does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra import emulator


def _made_table(outputs: dict[str, str], prefix: str, keys: tuple[str, ...], **definition: Any) -> Iterator[Any]:
    """A fresh table with string attributes `keys` (its definition otherwise as given), dropped after."""
    ddb = emulator.stack_client(outputs, "dynamodb")
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in keys],
        **definition,
    )
    yield ddb, name
    ddb.delete_table(TableName=name)


@pytest.fixture
def table(outputs: dict[str, str]) -> Iterator[Any]:
    """A table keyed by `id` with the GSI `by_g` (g / at)."""
    yield from _made_table(
        outputs,
        "index",
        ("id", "g", "at"),
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by_g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )


@pytest.fixture
def keyed_table(outputs: dict[str, str]) -> Iterator[Any]:
    """A table keyed like TicketEvents (pk, sk) without indexes."""
    yield from _made_table(
        outputs,
        "events",
        ("pk", "sk"),
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    )


def _query(ddb: Any, name: str, group: str, **extra: Any) -> list[str]:
    resp = ddb.query(
        TableName=name,
        IndexName="by_g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": group}},
        **extra,
    )
    return [i["id"]["S"] for i in resp["Items"]]


def _walked(ddb: Any, name: str, group: str) -> list[str]:
    """What a whole-table walk finds: the partition in index order."""
    items = [i for i in ddb.scan(TableName=name)["Items"] if i.get("g", {}).get("S") == group and "at" in i]
    return [i["id"]["S"] for i in sorted(items, key=lambda i: (i["at"]["S"], i["id"]["S"]))]


def test_index_queries_follow_puts_updates_deletes_and_cancelled_transactions(
    table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.table import Table

    ddb, name = table
    for n in range(6):
        ddb.put_item(
            TableName=name, Item={"id": {"S": f"i{n}"}, "g": {"S": "a" if n % 2 else "b"}, "at": {"S": f"{n}"}}
        )
    assert _query(ddb, name, "a") == ["i1", "i3", "i5"]  # the first index Query builds the partitions

    def walked(self: Any) -> Any:
        raise AssertionError("an index Query walked the whole table")

    monkeypatch.setattr(Table, "all_items", walked)
    ddb.update_item(  # moves to the other partition, in place
        TableName=name,
        Key={"id": {"S": "i1"}},
        UpdateExpression="SET g = :g",
        ExpressionAttributeValues={":g": {"S": "b"}},
    )
    ddb.update_item(TableName=name, Key={"id": {"S": "i3"}}, UpdateExpression="REMOVE g")  # leaves the index
    ddb.delete_item(TableName=name, Key={"id": {"S": "i5"}})
    ddb.put_item(TableName=name, Item={"id": {"S": "i7"}, "g": {"S": "a"}, "at": {"S": "0"}})
    with pytest.raises(ClientError):  # cancelled: neither write happened, in the index either
        ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": name, "Item": {"id": {"S": "i8"}, "g": {"S": "a"}, "at": {"S": "9"}}}},
                {
                    "Update": {
                        "TableName": name,
                        "Key": {"id": {"S": "i7"}},
                        "UpdateExpression": "SET g = :b",
                        "ConditionExpression": "attribute_not_exists(id)",
                        "ExpressionAttributeValues": {":b": {"S": "b"}},
                    }
                },
            ]
        )
    assert _query(ddb, name, "a") == ["i7"]
    assert _query(ddb, name, "b") == ["i0", "i1", "i2", "i4"]
    page = ddb.query(  # moto's own paging and order on the partition
        TableName=name,
        IndexName="by_g",
        KeyConditionExpression="g = :g AND #at > :at",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":g": {"S": "b"}, ":at": {"S": "0"}},
        ScanIndexForward=False,
        Limit=2,
    )
    assert [i["id"]["S"] for i in page["Items"]] == ["i4", "i2"] and "LastEvaluatedKey" in page
    monkeypatch.undo()
    assert _query(ddb, name, "a") == _walked(ddb, name, "a") and _query(ddb, name, "b") == _walked(ddb, name, "b")


def test_a_query_on_the_table_key_reads_only_its_partition_and_answers_as_the_walk(
    keyed_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.dynamodb.models.table import Table

    ddb, name = keyed_table
    for n in range(30):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"T{n % 3}"}, "sk": {"S": f"{n:04d}"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "T1"}, "sk": {"S": "0004"}})

    def keys(**extra: Any) -> list[str]:
        resp = ddb.query(
            TableName=name,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "T1"}},
            **extra,
        )
        return [i["sk"]["S"] for i in resp["Items"]]

    walked = sorted(i["sk"]["S"] for i in ddb.scan(TableName=name)["Items"] if i["pk"]["S"] == "T1")
    monkeypatch.setattr(Table, "all_items", lambda self: pytest.fail("walked the whole table"))
    assert keys() == walked and len(walked) == 9
    assert keys(ScanIndexForward=False, Limit=3) == walked[::-1][:3]
    empty = ddb.query(TableName=name, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "none"}})
    assert empty["Items"] == []


def test_version_listings_page_without_copying_the_bucket(
    outputs: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import copy

    s3 = emulator.stack_client(outputs, "s3")
    bucket = f"listing-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": outputs["region"]})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    written = {}
    for n in range(5):
        for _v in range(2):
            written.setdefault(f"k{n}", []).append(s3.put_object(Bucket=bucket, Key=f"k{n}", Body=b"x")["VersionId"])
    real = copy.deepcopy
    monkeypatch.setattr(copy, "deepcopy", lambda *a, **k: pytest.fail("deep copy while listing") or real(*a, **k))
    seen: dict[str, list[str]] = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, PaginationConfig={"PageSize": 3}):
        for v in page.get("Versions", []):
            seen.setdefault(v["Key"], []).append(v["VersionId"])
    monkeypatch.undo()
    assert {k: sorted(v) for k, v in seen.items()} == {k: sorted(v) for k, v in written.items()}


CONDITIONS: list[tuple[str, tuple[str, ...], Any]] = [  # (key condition on #k, values, the same as a predicate)
    ("", (), lambda v: True),
    ("AND #k = :a", ("05",), lambda v: v == "05"),
    ("AND #k < :a", ("05",), lambda v: v < "05"),
    ("AND #k <= :a", ("05",), lambda v: v <= "05"),
    ("AND #k > :a", ("05",), lambda v: v > "05"),
    ("AND #k >= :a", ("05",), lambda v: v >= "05"),
    ("AND #k BETWEEN :a AND :b", ("03", "08"), lambda v: "03" <= v <= "08"),
    ("AND begins_with(#k, :a)", ("1",), lambda v: v.startswith("1")),
]


def _pages(ddb: Any, limit: int | None, **request: Any) -> list[list[dict[str, Any]]]:
    """Every page of a Query, following LastEvaluatedKey."""
    pages, start = [], None
    while True:
        resp = ddb.query(
            **request, **({"Limit": limit} if limit else {}), **({"ExclusiveStartKey": start} if start else {})
        )
        pages.append(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            return pages


@pytest.mark.parametrize("forward", [True, False])
@pytest.mark.parametrize("limit", [None, 1, 4, 50])
def test_a_page_is_what_the_walk_answers_for_every_key_condition_direction_limit_and_start(
    table: Any, forward: bool, limit: int | None
) -> None:
    ddb, name = table
    for n in range(40):  # sort-key ties ("at" repeats), items outside the index (no "at"), two partitions
        item = {"id": {"S": f"i{n:02d}"}, "g": {"S": "a" if n % 4 else "b"}}
        if n % 7:
            item["at"] = {"S": f"{n % 13:02d}"}
        ddb.put_item(TableName=name, Item=item)
    items = ddb.scan(TableName=name)["Items"]
    for condition, values, keep in CONDITIONS:
        expected = sorted(
            ((i["at"]["S"], i["id"]["S"]) for i in items if i["g"]["S"] == "a" and "at" in i and keep(i["at"]["S"])),
            reverse=not forward,
        )
        pages = _pages(
            ddb,
            limit,
            TableName=name,
            IndexName="by_g",
            KeyConditionExpression=f"g = :g {condition}",
            ExpressionAttributeNames={"#k": "at"} if condition else {},
            ExpressionAttributeValues={
                ":g": {"S": "a"},
                **{f":{c}": {"S": v} for c, v in zip("ab", values, strict=False)},
            },
            ScanIndexForward=forward,
        )
        got = [(i["at"]["S"], i["id"]["S"]) for page in pages for i in page]
        assert got == expected, condition
        assert all(len(p) == limit for p in pages[:-1]) if limit else len(pages) == 1


@pytest.mark.parametrize("forward", [True, False])
def test_a_table_key_page_is_what_the_walk_answers(keyed_table: Any, forward: bool) -> None:
    ddb, name = keyed_table
    for n in range(30):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"T{n % 2}"}, "sk": {"S": f"{n % 15:02d}"}})
    for condition, values, keep in CONDITIONS:
        expected = sorted((f"{n % 15:02d}" for n in range(1, 30, 2) if keep(f"{n % 15:02d}")), reverse=not forward)
        for limit in (None, 1, 3):
            pages = _pages(
                ddb,
                limit,
                TableName=name,
                KeyConditionExpression=f"pk = :p {condition}",
                ExpressionAttributeNames={"#k": "sk"} if condition else {},
                ExpressionAttributeValues={
                    ":p": {"S": "T1"},
                    **{f":{c}": {"S": v} for c, v in zip("ab", values, strict=False)},
                },
                ScanIndexForward=forward,
            )
            assert [i["sk"]["S"] for page in pages for i in page] == expected, (condition, limit)


def test_a_page_costs_the_page_not_the_partition(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """moto sizes every item it walks past (the 1 MB page limit) and sorts the whole partition; the
    first event after a position in a month of 2,000 (the health check's lag) now sizes two."""
    from moto.dynamodb.models.dynamo_type import Item

    ddb, name = table
    for n in range(2000):
        ddb.put_item(TableName=name, Item={"id": {"S": f"i{n:04d}"}, "g": {"S": "month"}, "at": {"S": f"{n:04d}"}})
    sized = 0
    size = Item.size

    def counted(self: Any) -> int:
        nonlocal sized
        sized += 1
        return size(self)

    monkeypatch.setattr(Item, "size", counted)
    resp = ddb.query(
        TableName=name,
        IndexName="by_g",
        KeyConditionExpression="g = :g AND #at > :at",
        ExpressionAttributeNames={"#at": "at"},
        ExpressionAttributeValues={":g": {"S": "month"}, ":at": {"S": "1990"}},
        Limit=1,
    )
    assert [i["id"]["S"] for i in resp["Items"]] == ["i1991"] and "LastEvaluatedKey" in resp
    assert sized <= 3


def test_snapshot_pages_read_in_process_give_every_item_as_a_scan_gives_it(
    outputs: dict[str, str], keyed_table: Any
) -> None:
    """`InProcess.item_pages` (the embedded stack's snapshot reads) against a Scan: every item, every
    attribute type (binary nested in maps and lists too), over more than one page."""
    import json

    from infra.journal import json_default, json_hook

    ddb, name = keyed_table
    varied = {
        "pk": {"S": "T1"},
        "sk": {"S": "0"},
        "b": {"B": b"\x00\xffkms"},
        "n": {"N": "2.50"},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"\x03", b"\x04"]},
        "doc": {"M": {"b": {"B": b"\x01"}, "l": {"L": [{"N": "1"}, {"B": b"\x02"}, {"M": {"x": {"NULL": True}}}]}}},
        "ok": {"BOOL": False},
        "title": {"S": "噪音扰民"},
    }
    ddb.put_item(TableName=name, Item=varied)
    for at in range(1, 1101, 25):
        ddb.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"T{n % 7}"}, "sk": {"S": f"{n:05d}"}}}}
                    for n in range(at, at + 25)
                ]
            }
        )

    def plain(item: dict[str, Any]) -> str:  # as the snapshot file keeps it and the restore reads it
        back = json.loads(json.dumps(item, default=json_default, ensure_ascii=False), object_hook=json_hook)
        return json.dumps(emulator.wire(back), sort_keys=True, ensure_ascii=False)

    pages = list(emulator.InProcess(outputs).item_pages(name, size=500))
    scanned = [i for page in ddb.get_paginator("scan").paginate(TableName=name) for i in page["Items"]]
    assert [len(p) for p in pages] == [500, 500, 101]
    assert sorted(plain(i) for p in pages for i in p) == sorted(plain(i) for i in scanned)


def test_a_kept_order_follows_every_change_and_pages_as_the_walk(table: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Both partitions' orders exist before the changes (a Query built them); after each change —
    a new item, a sort key changed in place, a move to the other partition, leaving the index, a
    delete, a cancelled transaction — every page in both directions is what the walk answers, read
    from the kept order alone (the heap selection would fail the test)."""
    import random

    from infra import moto_patches

    ddb, name = table
    rng = random.Random(7)
    for n in range(160):  # two partitions above ORDER_FROM
        ddb.put_item(TableName=name, Item={"id": {"S": f"i{n:03d}"}, "g": {"S": "ab"[n % 2]}, "at": {"S": f"{n % 9}"}})
    assert _query(ddb, name, "a") and _query(ddb, name, "b")

    def heap(*_: Any) -> Any:
        raise AssertionError("a GSI page was not read from the kept order")

    monkeypatch.setattr(moto_patches, "_candidates", heap)
    for step in range(30):
        target = {"id": {"S": f"i{rng.randrange(170):03d}"}}
        kind = step % 6
        if kind == 0:
            ddb.put_item(
                TableName=name, Item={**target, "g": {"S": rng.choice("ab")}, "at": {"S": f"{rng.randrange(9)}"}}
            )
        elif kind in (1, 2):
            attr, value = ("at", f"{rng.randrange(9)}") if kind == 1 else ("g", rng.choice("ab"))
            ddb.update_item(
                TableName=name,
                Key=target,
                UpdateExpression="SET #a = :v",
                ExpressionAttributeNames={"#a": attr},
                ExpressionAttributeValues={":v": {"S": value}},
            )
        elif kind == 3:
            ddb.update_item(
                TableName=name, Key=target, UpdateExpression="REMOVE #a", ExpressionAttributeNames={"#a": "at"}
            )
        elif kind == 4:
            ddb.delete_item(TableName=name, Key=target)
        else:
            with pytest.raises(ClientError):
                ddb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": name, "Item": {**target, "g": {"S": "a"}, "at": {"S": "0"}}}},
                        {
                            "ConditionCheck": {
                                "TableName": name,
                                "Key": {"id": {"S": "none"}},
                                "ConditionExpression": "attribute_exists(id)",
                            }
                        },
                    ]
                )
        for group in "ab":
            walked = _walked(ddb, name, group)
            for forward in (True, False):
                for limit in (None, 30):
                    request = {"TableName": name, "IndexName": "by_g", "ScanIndexForward": forward}
                    pages = _pages(
                        ddb,
                        limit,
                        **request,
                        KeyConditionExpression="g = :g",
                        ExpressionAttributeValues={":g": {"S": group}},
                    )
                    got = [i["id"]["S"] for page in pages for i in page]
                    assert got == (walked if forward else walked[::-1]), (step, group, forward, limit)
            between = ddb.query(
                TableName=name,
                IndexName="by_g",
                KeyConditionExpression="g = :g AND #at BETWEEN :a AND :b",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":g": {"S": group}, ":a": {"S": "3"}, ":b": {"S": "5"}},
            )["Items"]
            assert [i["id"]["S"] for i in between] == [i for i in walked if _at(ddb, name, i) in "345"], (step, group)


def _at(ddb: Any, name: str, item_id: str) -> str:
    return str(ddb.get_item(TableName=name, Key={"id": {"S": item_id}})["Item"]["at"]["S"])


def test_a_kept_table_key_order_follows_every_change_and_pages_as_the_walk(
    keyed_table: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table's own partition above ORDER_FROM (a search word's entries): after puts, deletes and a
    cancelled transaction, every page in both directions, with and without a sort-key condition, is
    what the walk answers, read from the kept order alone."""
    from infra import moto_patches

    ddb, name = keyed_table
    for n in range(150):
        ddb.put_item(TableName=name, Item={"pk": {"S": "W"}, "sk": {"S": f"{n * 7 % 150:03d}"}})
    monkeypatch.setattr(moto_patches, "_candidates", lambda *_: pytest.fail("not read from the kept order"))
    request = {"TableName": name, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "W"}}}
    for step in range(12):
        if step % 3 == 0:
            ddb.put_item(TableName=name, Item={"pk": {"S": "W"}, "sk": {"S": f"{150 + step:03d}"}})
        elif step % 3 == 1:
            ddb.delete_item(TableName=name, Key={"pk": {"S": "W"}, "sk": {"S": f"{step * 11:03d}"}})
        else:
            with pytest.raises(ClientError):
                ddb.transact_write_items(
                    TransactItems=[
                        {"Put": {"TableName": name, "Item": {"pk": {"S": "W"}, "sk": {"S": "000x"}}}},
                        {"Delete": {"TableName": name, "Key": {"pk": {"S": "W"}, "sk": {"S": "001"}}}},
                        {
                            "ConditionCheck": {
                                "TableName": name,
                                "Key": {"pk": {"S": "none"}, "sk": {"S": "x"}},
                                "ConditionExpression": "attribute_exists(pk)",
                            }
                        },
                    ]
                )
        walked = sorted(i["sk"]["S"] for i in ddb.scan(TableName=name)["Items"])
        for forward in (True, False):
            for limit in (None, 40):
                pages = _pages(ddb, limit, **request, ScanIndexForward=forward)
                assert [i["sk"]["S"] for p in pages for i in p] == (walked if forward else walked[::-1]), step
            after = ddb.query(
                TableName=name,
                KeyConditionExpression="pk = :p AND sk > :s",
                ExpressionAttributeValues={":p": {"S": "W"}, ":s": {"S": "100"}},
                ScanIndexForward=forward,
                Limit=5,
            )["Items"]
            above = [k for k in walked if k > "100"]
            assert [i["sk"]["S"] for i in after] == (above[:5] if forward else above[::-1][:5]), step
