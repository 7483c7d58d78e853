"""R-12345-13: the keyword search index (terms, the writer kept by the stream, the search over it) and
R-12345-11: the caller-name blind index — on the fakes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.domain import search as terms
from chalicelib.domain.errors import Forbidden, RateLimited, ValidationError
from chalicelib.domain.model import Actor
from chalicelib.services import search
from chalicelib.services import tickets as svc
from chalicelib.storage.blind_index import BlindIndex, normalise_name
from tests.helpers.accounts import UNITS
from tests.helpers.fakes import FakeCipher, FakeDirectoryTable
from tests.helpers.tickets import CALL, OP1, UH1

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
LEADER = Actor("leader1", "leader")
UH2 = Actor("uh2", "unit_handler", "U002")
ANALYST = Actor("analyst1", "analyst")


@pytest.fixture
def world(fake: Any) -> Any:
    for unit_id, unit in UNITS.items():
        fake.directory.put_unit(unit_id, unit)
    return fake


def _ticket(
    world: Any, title: str, content: str = "夜间施工", name: str = "张三", at: datetime = NOW, **extra: Any
) -> str:
    body = {"category": "complaint", "title": title, "content": content, "caller": {"name": name, "phone": ""}}
    ticket, _ = svc.create_ticket(world, OP1, dict(body, **extra), at)
    search.on_event(world, world.tickets.history(ticket.ticket_id)[0], at)  # what the stream does
    return ticket.ticket_id


def _find(world: Any, actor: Actor, **params: str) -> list[str]:
    return [t.ticket_id for t in svc.list_tickets(world, actor, params, NOW).items]


def test_r12345_13_terms_are_search_mode_words_normalised_without_stop_words_numbers_or_the_callers_name() -> None:
    found = terms.ticket_terms(
        "ＡＢＣ小区路灯不亮", "我叫张三，电话13800138000，农贸市场噪音扰民 Road 2号楼 请尽快", "张三"
    )
    assert {"abc", "小区", "路灯", "农贸", "市场", "农贸市场", "噪音", "扰民", "road"} <= set(found)
    assert "尽快" not in found  # a stop word
    assert not any("13800138000" in t or "张三" in t for t in found)  # never the caller's data
    assert all(2 <= len(t) <= terms.MAX_TERM for t in found) and len(found) == len(set(found))
    long = terms.ticket_terms("标题", "".join(f"词语{n}号" for n in range(500)))
    assert len(long) == terms.MAX_TERMS and long[0] == "标题"  # bounded, title first


def test_r12345_13_a_word_the_segmenter_split_across_a_single_character_is_still_a_term() -> None:
    assert "路灯" in terms.junctions("小区路灯不亮了")
    found = terms.ticket_terms("反映问题", "小区路灯不亮了")
    assert "路灯" in found and found.index("路灯") > found.index("小区")  # after the real words


def test_r12345_13_a_query_gives_its_terms_and_its_parts() -> None:
    assert terms.query_terms("  路灯 ＮＯＩＳＥ ") == (["路灯", "noise"], ["路灯", "noise"])
    assert terms.query_terms("😀")[0] == [] and terms.query_terms("灯")[0] == []
    assert terms.primary(["路灯", "农贸市场"]) == "农贸市场"


def test_r12345_13_the_writer_is_idempotent_and_removes_terms_the_text_lost(world: Any) -> None:
    tid = _ticket(world, "路灯不亮", content="农贸市场门口")
    ticket = world.tickets.get(tid)
    held = search.terms_of(world, tid)
    assert "农贸市场" in held and "路灯" in held
    assert search.index_ticket(world, ticket) == (0, 0)  # a retried record changes nothing
    edited = ticket.with_changes(content="垃圾清运不及时")
    written, deleted = search.index_ticket(world, edited)
    assert written > 0 and deleted > 0
    assert "农贸市场" not in search.terms_of(world, tid) and "垃圾清运" in search.terms_of(world, tid)
    assert [i.data["t"] for i in world.table.items("SRCH#农贸市场")] == []
    assert [i.data["t"] for i in world.table.items("SRCH#垃圾清运")] == [tid]


def test_r12345_13_content_is_found_however_many_newer_tickets_there_are_and_parts_combine(world: Any) -> None:
    old = _ticket(world, "反映问题", content="菜市场冷库噪音", at=NOW - timedelta(days=3))
    other = _ticket(world, "反映问题", content="菜市场垃圾", at=NOW - timedelta(days=2))
    for n in range(510):
        svc.create_ticket(
            world, OP1, {"category": "complaint", "title": f"其他{n}", "content": "无关", "caller": {}}, NOW
        )
    assert _find(world, OP1, keyword="冷库") == [old]
    assert _find(world, OP1, keyword="菜市场 噪音") == [old]  # AND of the parts
    assert _find(world, OP1, keyword="菜市场") == [other, old]  # newest first
    assert _find(world, OP1, keyword="菜市场", status="closed") == []  # list filters apply


def test_r12345_13_a_search_page_holds_at_most_limit_and_the_next_goes_on_after_the_last(world: Any) -> None:
    made = [_ticket(world, f"路灯第{n}盏", at=NOW - timedelta(minutes=n)) for n in range(5)]
    first = svc.list_tickets(world, OP1, {"keyword": "路灯", "limit": "2"}, NOW)
    assert [t.ticket_id for t in first.items] == made[:2] and first.next_page
    second = svc.list_tickets(world, OP1, {"keyword": "路灯", "limit": "2", "page": str(first.next_page)}, NOW)
    assert [t.ticket_id for t in second.items] == made[2:4]


def test_r12345_13_a_unit_handler_finds_only_its_units_tickets(world: Any) -> None:
    tid = _ticket(world, "冷链仓库异味", confidential=True)
    svc.act(world, OP1, tid, "dispatch", {"unit_id": "U001", "call": CALL}, NOW)
    assert _find(world, UH1, keyword="冷链仓库") == [tid]
    assert _find(world, UH2, keyword="冷链仓库") == []


def test_r12345_13_bad_keywords_are_a_chinese_422(world: Any) -> None:
    for typed in ("长" * 1000, "😀", "灯", "   "):
        with pytest.raises(ValidationError) as bad:
            svc.list_tickets(world, OP1, {"keyword": typed}, NOW)
        assert set(bad.value.fields) == {"keyword"} and "关键词" in bad.value.fields["keyword"]


def test_r12345_11_a_name_tag_is_an_hmac_of_the_exact_full_name() -> None:
    index = BlindIndex(FakeDirectoryTable(), FakeCipher("blind-index"))
    assert index.name_tag("张 三") == index.name_tag("张三") == index.name_tag(" 张三\u3000")
    assert index.name_tag("ＺＨＡＮＧ San") == index.name_tag("zhangsan")
    assert index.name_tag("张三丰") != index.name_tag("张三")
    assert "张三" not in str(index.name_tag("张三"))
    assert index.name_tag("😀") is None and index.name_tag("") is None and normalise_name("--") == ""
    assert index.name_tag("张\ud800") is None  # a lone surrogate: nothing to hash, never a 500


def test_r12345_11_a_caller_name_finds_exact_names_for_lookup_roles_only_logged_and_limited(world: Any) -> None:
    mine = _ticket(world, "噪音扰民", name="王 小明")
    _ticket(world, "噪音扰民", name="王小明明")
    secret = _ticket(world, "噪音扰民", name="王小明", confidential=True)
    assert _find(world, OP1, caller_name="王小明") == [mine]  # exact; no confidential ticket for an operator
    assert _find(world, LEADER, caller_name="王小明") == [secret, mine]
    for actor in (UH1, ANALYST):
        with pytest.raises(Forbidden):
            svc.list_tickets(world, actor, {"caller_name": "王小明"}, NOW)
    for typed in ("名" * 1000, "😀", "  "):
        with pytest.raises(ValidationError) as bad:
            svc.list_tickets(world, OP1, {"caller_name": typed}, NOW) if typed.strip() else search.name_page(
                world, OP1, typed, {}, 20, None, NOW
            )
        assert set(bad.value.fields) == {"caller_name"} and "姓名" in bad.value.fields["caller_name"]
    for _ in range(world.settings.caller_lookups_per_minute):
        try:
            svc.list_tickets(world, OP1, {"caller_name": "王小明"}, NOW)
        except RateLimited:
            break
    with pytest.raises(RateLimited):
        svc.list_tickets(world, OP1, {"caller_name": "王小明"}, NOW)
