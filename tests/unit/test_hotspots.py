"""R-12345-14 综合分析: topic extraction (jieba, stop words, synonym groups, phrases) and the hot-spot service on
the in-memory adapters (docs/statistics.md, "Hot spots")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import hotspots as H
from chalicelib.domain.errors import Conflict, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import hotspots as svc_hot
from chalicelib.services import reports
from chalicelib.services import tickets as svc
from tests.helpers.accounts import UNITS
from tests.helpers.tickets import CALL, OP1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def doc(n: int, title: str, content: str = "", unit: str = "U001", category: str = "help") -> H.Doc:
    return H.Doc(f"T20261101-{n:05d}", title, content, unit, category)


def test_r12345_14_near_synonyms_are_one_topic() -> None:
    assert H.topics_of("路灯不亮", "") == {"路灯"}
    assert H.topics_of("街灯坏了", "") == {"路灯"}  # 街灯 → 路灯
    assert "噪音" in H.topics_of("噪声扰民", "")  # 噪声, 扰民 → 噪音
    assert H.topics_of("公司欠薪", "") == {"拖欠工资"}
    assert "街灯" in H.group_terms("路灯") and H.group_terms("无此话题") == []


def test_r12345_14_stop_words_numbers_and_person_names_are_no_topic() -> None:
    topics = H.topics_of("市民反映问题", "来电人张三丰称希望相关部门尽快处理，电话13800001234，3个月")
    assert topics == set()
    assert "张三丰" not in H.topics_of("张三丰反映路灯不亮", "")


def test_r12345_14_a_phrase_is_two_adjacent_keywords_in_one_clause() -> None:
    assert {"施工", "噪音", "施工噪音"} <= H.topics_of("工地施工噪音", "")
    assert "路灯噪音" not in H.topics_of("路灯不亮。", "噪音很大")  # different clauses: no phrase


def test_r12345_14_a_ticket_counts_once_per_topic_and_examples_are_the_first_three() -> None:
    docs = [doc(n, "路灯不亮", "路灯路灯，街灯也坏了") for n in range(1, 6)]
    result = H.analyse(docs)
    assert result.county.counts["路灯"] == 5 and result.county.tickets == 5
    assert result.county.examples["路灯"] == [d.ticket_id for d in docs[:3]]


def test_r12345_14_a_phrase_needs_two_tickets_and_subsumes_its_words_of_the_same_count() -> None:
    docs = [doc(1, "工地施工噪音"), doc(2, "施工噪音扰民"), doc(3, "施工"), doc(4, "工地垃圾")]
    result = H.analyse(docs)
    assert "施工噪音" in result.phrases and "工地垃圾" not in result.phrases  # one ticket: no phrase topic
    assert "工地垃圾" not in result.county.counts
    ranked = dict(H.ranking(result.county.counts, result.phrases, 10))
    assert ranked["施工噪音"] == 2 and "噪音" not in ranked  # 噪音 (2) says no more than 施工噪音 (2)
    assert ranked["施工"] == 3  # 施工 (3) is more than the phrase: kept


def test_r12345_14_breakdowns_by_unit_and_category() -> None:
    docs = [doc(1, "路灯不亮", unit="U001"), doc(2, "路灯不亮", unit="U002", category="complaint")]
    result = H.analyse(docs)
    assert result.units["U001"].counts["路灯"] == 1 and result.units["U002"].counts["路灯"] == 1
    assert result.categories["complaint"].counts["路灯"] == 1


@pytest.mark.parametrize(
    ("count", "previous", "expected"),
    [
        (3, 2, {"previous": 2, "change": 1, "change_rate": 0.5}),
        (1, 1, {"previous": 1, "change": 0, "change_rate": 0.0}),
        (1, 0, {"previous": 0, "change": 1, "change_rate": None}),
        (2, None, {"previous": None, "change": None, "change_rate": None}),
    ],
)
def test_r12345_14_the_change_against_the_previous_month(
    count: int, previous: int | None, expected: dict[str, Any]
) -> None:
    assert H.change(count, previous) == expected


# ---------------------------------------------------------------- the service on fakes


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def _dispatched(deps: Any, at: datetime, title: str, **extra: Any) -> str:
    body = {"category": "help", "title": title, "content": title, "caller": {"name": "李四", "phone": "13800005678"}}
    t, _ = svc.create_ticket(deps, OP1, {**body, **extra}, at)
    svc.act(deps, OP1, t.ticket_id, "dispatch", {"unit_id": "U001", "call": CALL}, at + timedelta(hours=1))
    return t.ticket_id


def test_r12345_14_the_month_is_cached_and_recomputed_when_stale(world: Any) -> None:
    at = NOW - timedelta(days=3)
    _dispatched(world, at, "路灯不亮")
    first = svc_hot.month_view(world, "2026-11", NOW)
    assert first["read"]["cached"] is False and first["topics"][0]["topic"] == "路灯"
    _dispatched(world, at, "街灯坏了")
    assert svc_hot.month_view(world, "2026-11", NOW + timedelta(minutes=5))["topics"][0]["count"] == 1  # cached
    later = svc_hot.month_view(world, "2026-11", NOW + svc_hot.STALE_AFTER + timedelta(minutes=1))
    assert later["read"]["cached"] is False and later["topics"][0]["count"] == 2  # stale: recomputed


def test_r12345_14_a_settled_month_stays_cached(world: Any) -> None:
    cached = {"algorithm": H.ALGORITHM_VERSION, "computed_at": "2026-01-20T00:00:00+00:00"}
    assert not svc_hot.is_stale(cached, "2025-12", NOW)  # computed 20 days after December ended
    assert svc_hot.is_stale(dict(cached, algorithm=0), "2025-12", NOW)  # other rules: recomputed
    assert svc_hot.is_stale(dict(cached, computed_at="2026-01-02T00:00:00+00:00"), "2025-12", NOW)


def test_r12345_14_confidential_tickets_are_left_out(world: Any) -> None:
    at = NOW - timedelta(days=3)
    _dispatched(world, at, "路灯不亮")
    secret = _dispatched(world, at, "氰化物泄漏", confidential=True)
    view = svc_hot.month_view(world, "2026-11", NOW, ("unit", "category"))
    assert view["tickets"] == 1 and view["confidential_excluded"] == 1
    assert "氰化物" not in str(view) and secret not in str(view)


def test_r12345_14_a_future_month_is_refused(world: Any) -> None:
    with pytest.raises(ValidationError) as err:
        svc_hot.check_month("2026-12", NOW)
    assert "不能晚于本月" in err.value.fields["month"]
    assert svc_hot.check_month("2026-11", NOW) == "2026-11"


def _dispatched_to(deps: Any, created: datetime, title: str, unit: str) -> str:
    body = {"category": "help", "title": title, "content": title, "caller": {"name": "李四", "phone": "13800005678"}}
    t, _ = svc.create_ticket(deps, OP1, body, created)
    svc.act(deps, OP1, t.ticket_id, "dispatch", {"unit_id": unit, "call": CALL}, created + timedelta(hours=1))
    return t.ticket_id


def test_r12345_14_counts_and_change_checked_by_hand_on_four_tickets(world: Any) -> None:
    """Four tickets, two months, worked out by hand from docs/statistics.md ("Hot spots").

    October (Asia/Shanghai): A 路灯不亮 (U001), B 噪声扰民 (U002: 噪声, 扰民 → 噪音).
    November: C 街灯坏了 (U001: 街灯 → 路灯), created 23:30 on 31 October, first dispatched 00:30 on 1 November
    Shanghai time: a November ticket (the month of the first dispatch, in Shanghai); D 路灯不亮 (U002).
    November county: 路灯 in C and D → count 2; October had 1 → change 2 − 1 = +1, rate 1 / 1 = 1.0; 噪音 has no
    November ticket → not listed. By unit: U001 路灯 1 against 1 → change 0, rate 0.0; U002 路灯 1 against 0 (U002's
    October list is complete and has no 路灯) → change +1, rate null (no base).
    October against September (no tickets): 路灯 1 and 噪音 1, previous 0, change +1, rate null; equal counts of equal
    length are in text order (噪 U+566A before 路 U+8DEF).
    """
    a = _dispatched_to(world, datetime(2026, 10, 10, 2, 0, tzinfo=UTC), "路灯不亮", "U001")
    b = _dispatched_to(world, datetime(2026, 10, 20, 2, 0, tzinfo=UTC), "噪声扰民", "U002")
    c = _dispatched_to(world, datetime(2026, 10, 31, 15, 30, tzinfo=UTC), "街灯坏了", "U001")  # 23:30 Shanghai
    d = _dispatched_to(world, datetime(2026, 11, 5, 2, 0, tzinfo=UTC), "路灯不亮", "U002")

    def brief(topics: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [
            (x["topic"], x["count"], x["previous"], x["change"], x["change_rate"], [e["id"] for e in x["examples"]])
            for x in topics
        ]

    nov = svc_hot.month_view(world, "2026-11", NOW, ("unit",))
    assert (nov["previous_month"], nov["tickets"], nov["previous_tickets"]) == ("2026-10", 2, 2)
    assert brief(nov["topics"]) == [("路灯", 2, 1, 1, 1.0, [c, d])]
    units = {g["id"]: (g["tickets"], g["previous_tickets"], brief(g["topics"])) for g in nov["groups"]["unit"]}
    assert units == {
        "U001": (1, 1, [("路灯", 1, 1, 0, 0.0, [c])]),
        "U002": (1, 1, [("路灯", 1, 0, 1, None, [d])]),
    }

    oct_ = svc_hot.month_view(world, "2026-10", NOW)
    assert (oct_["tickets"], oct_["previous_tickets"]) == (2, 0)
    assert brief(oct_["topics"]) == [("噪音", 1, 0, 1, None, [b]), ("路灯", 1, 0, 1, None, [a])]


# ---------------------------------------------------------------- the typical-ticket summary's analysis (R-12345-15)

ANALYST = Actor("analyst1", "analyst", name="赵静")
LEADER = Actor("leader1", "leader", name="陈建国")


def test_r12345_15_the_same_save_twice_is_one_version(world: Any) -> None:
    first = reports.put_typical_analysis(world, ANALYST, "2026-11", {"text": "路灯为热点", "version": 0}, NOW)
    again = reports.put_typical_analysis(world, ANALYST, "2026-11", {"text": "路灯为热点", "version": 0}, NOW)
    assert again == first and first["version"] == 1 and first["by_name"] == "赵静"  # a name, not the login id
    with pytest.raises(Conflict):  # someone else's save on the old version
        reports.put_typical_analysis(world, LEADER, "2026-11", {"text": "路灯为热点", "version": 0}, NOW)
    with pytest.raises(Conflict):  # the same writer with other text on the old version
        reports.put_typical_analysis(world, ANALYST, "2026-11", {"text": "噪音为热点", "version": 0}, NOW)
    second = reports.put_typical_analysis(world, LEADER, "2026-11", {"text": "路灯、噪音", "version": 1}, NOW)
    assert second["version"] == 2 and second["by_name"] == "陈建国"
    assert [v["version"] for v in reports.typical_summary_analysis(world, "2026-11", history=5)] == [2, 1]
