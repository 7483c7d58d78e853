"""Monthly hot spots of 社情民意 (R-12345-14 综合分析): the topics of a month's tickets, counted and compared.

Definitions in words: docs/statistics.md, "Hot spots". A ticket's **topics** are the keywords of its title and
content found by Chinese word segmentation (jieba, its own tokenizer instance with the hotline's words added),
keeping nouns, verbal nouns and set phrases, dropping person names, numbers, stop words and single characters,
each keyword mapped onto its group's name (`SYNONYMS`: 噪声 → 噪音); plus **phrases**, two such keywords next to
each other in one clause (施工 + 噪音 → 施工噪音). A topic's **count** is the number of tickets that have it (a
ticket counts once per topic, however often the word occurs). A phrase is a topic only when at least
`MIN_PHRASE_TICKETS` tickets share it; a keyword is left out of the ranking when a phrase containing it has the
same count (the phrase says more). Confidential tickets are never read here: the service leaves them out.

This module is pure (no I/O); jieba is imported on first use (its dictionary takes about a second to load).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ALGORITHM_VERSION = 1  # bump when the words, groups or rules change: cached months are recomputed
MIN_PHRASE_TICKETS = 2
EXAMPLES = 3  # example tickets per topic
MAX_TOPIC_TEXT = 2000  # characters of title + content segmented per ticket

# Words of the hotline's trade that the general dictionary splits or misses (added to our tokenizer as nouns).
HOTLINE_WORDS: tuple[str, ...] = (
    "路灯",
    "噪音扰民",
    "占道经营",
    "流动摊贩",
    "拖欠工资",
    "欠薪",
    "停车位",
    "乱停车",
    "违章停车",
    "物业费",
    "物业公司",
    "垃圾清运",
    "垃圾桶",
    "生活垃圾",
    "污水",
    "油烟",
    "漏水",
    "渗水",
    "停水",
    "停电",
    "断水",
    "断电",
    "水压",
    "燃气",
    "供暖",
    "违建",
    "违章建筑",
    "电动车",
    "充电桩",
    "公交",
    "班车",
    "学区",
    "医保",
    "社保",
    "养老金",
    "低保",
    "征地",
    "拆迁",
    "安置房",
    "网格员",
)

# Near-synonyms and variants → the group's name (the topic shown). Keep groups small and unambiguous.
SYNONYMS: dict[str, str] = {
    "噪声": "噪音",
    "吵闹": "噪音",
    "扰民": "噪音",
    "噪音扰民": "噪音",
    "街灯": "路灯",
    "欠薪": "拖欠工资",
    "讨薪": "拖欠工资",
    "欠款": "拖欠工资",
    "车位": "停车位",
    "乱停车": "违章停车",
    "违停": "违章停车",
    "乱停": "违章停车",
    "物业公司": "物业",
    "物业费": "物业",
    "垃圾桶": "垃圾",
    "生活垃圾": "垃圾",
    "垃圾清运": "垃圾",
    "渗水": "漏水",
    "断水": "停水",
    "断电": "停电",
    "违章建筑": "违建",
    "违法建筑": "违建",
    "摊贩": "占道经营",
    "流动摊贩": "占道经营",
    "摆摊": "占道经营",
    "臭味": "异味",
    "气味": "异味",
    "医疗保险": "医保",
    "社会保险": "社保",
    "养老保险": "养老金",
    "天然气": "燃气",
    "煤气": "燃气",
    "公交车": "公交",
    "公共汽车": "公交",
}

# Words that say nothing about what the ticket is about (hotline boilerplate, function words, vague nouns).
STOP_WORDS: frozenset[str] = frozenset(
    """
    反映 反映人 来电 来电人 市民 群众 居民 本人 我们 他们 你们 自己 人员 有人 人称 该人 先生 女士 师傅
    问题 情况 事情 事项 原因 结果 方面 情形 现象 时间 时候 地方 地点 位置 附近 周边 周围 区域 一带 这边 那边
    希望 要求 请求 诉求 建议 咨询 投诉 举报 求助 帮助 帮忙 意见 处理 解决 答复 回复 核实 落实 协调 办理 反馈
    相关 有关 部门 单位 工作人员 领导 政府 热线 电话 工单 平台 12345 12369
    目前 现在 已经 一直 仍然 还是 没有 不能 无法 可以 需要 进行 表示 称 说 了解 知道 告知 联系 发现 存在 出现
    今天 昨天 明天 每天 晚上 白天 上午 下午 夜里 近期 最近 多次 长期 一次 多年 月份 年月日
    影响 严重 正常 不便 困难 麻烦 及时 尽快 具体 一些 有些 很多 所有 其他 其它 另外 以及 或者 但是 因为 所以
    内容 标题 信息 材料 手续 规定 政策 文件 通知 要求 事宜 东西 地址 号码 手机 姓名
    县 市 区 镇 乡 村 街道 社区 小区 公司 家 户 号 楼 室 路 街
    """.split()
)

# Part-of-speech flags kept (jieba/ICTCLAS): nouns except person names, verbal nouns, idioms, set phrases.
_KEPT_FLAGS = ("n", "vn", "i", "l")
_DROPPED_FLAGS = ("nr",)  # person names (caller data stays out of every topic)
_CLAUSE = re.compile(r"[，。；;,.!?！？、\s:：（）()【】\[\]“”\"'《》]+")
_NUMBERISH = re.compile(r"[0-9０-９a-zA-Z]")


@dataclass(frozen=True)
class Doc:
    """What the analysis reads of one (non-confidential) ticket."""

    ticket_id: str
    title: str
    content: str
    unit_id: str
    category: str


@cache
def _tokenizer() -> Any:
    """Our own jieba POS tokenizer (not the global one other modules use), with HOTLINE_WORDS added."""
    import jieba  # imported lazily: its dictionary takes about a second to load
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    base = jieba.Tokenizer()
    for word in HOTLINE_WORDS:
        base.add_word(word, freq=20000, tag="n")
    return jieba.posseg.POSTokenizer(base)


def canonical(word: str) -> str:
    """The group name of a keyword (itself when it has no group)."""
    return SYNONYMS.get(word, word)


def _kept(word: str, flag: str) -> bool:
    if len(word) < 2 or word in STOP_WORDS or _NUMBERISH.search(word):
        return False
    if flag.startswith(_DROPPED_FLAGS):
        return False
    return word in SYNONYMS or word in HOTLINE_WORDS or flag.startswith(_KEPT_FLAGS)


def keywords(text: str) -> list[list[str]]:
    """The kept keywords of a text (group names), clause by clause, in order."""
    clauses: list[list[str]] = []
    for clause in _CLAUSE.split(text[:MAX_TOPIC_TEXT]):
        if not clause:
            continue
        words: list[str] = []
        for token in _tokenizer().cut(clause):
            word, flag = str(token.word), str(token.flag)
            if _kept(word, flag):
                name = canonical(word)
                if name not in STOP_WORDS and (not words or words[-1] != name):
                    words.append(name)
        if words:
            clauses.append(words)
    return clauses


def _split(title: str, content: str) -> tuple[set[str], set[str]]:
    """(keywords, candidate phrases) of one ticket."""
    words_: set[str] = set()
    pairs: set[str] = set()
    for words in keywords(f"{title}。{content}"):
        words_.update(words)
        pairs.update(a + b for a, b in zip(words, words[1:], strict=False) if a != b)
    return words_, pairs - words_


def topics_of(title: str, content: str) -> set[str]:
    """Every candidate topic of one ticket: its keywords and the phrases of adjacent keywords in a clause."""
    words, pairs = _split(title, content)
    return words | pairs


@dataclass
class Tally:
    """Counts of one scope (the county, a unit, a category): tickets, tickets per topic, examples."""

    tickets: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, ticket_id: str, topics: Iterable[str]) -> None:
        """Count one ticket's topics (each once) and keep the first EXAMPLES tickets of each."""
        self.tickets += 1
        for topic in topics:
            self.counts[topic] += 1
            shown = self.examples.setdefault(topic, [])
            if len(shown) < EXAMPLES:
                shown.append(ticket_id)


@dataclass(frozen=True)
class Analysis:
    """The tallies of a month: the county, each unit (the unit holding the ticket), each category."""

    county: Tally
    units: dict[str, Tally]
    categories: dict[str, Tally]
    phrases: frozenset[str]


def analyse(docs: Sequence[Doc]) -> Analysis:
    """Tally the topics of a month's tickets (docs in ticket-number order: examples are the earliest)."""
    per_doc = [(d, *_split(d.title, d.content)) for d in sorted(docs, key=lambda d: d.ticket_id)]
    phrase_counts: Counter[str] = Counter(p for _, _, pairs in per_doc for p in pairs)
    phrases = frozenset(p for p, n in phrase_counts.items() if n >= MIN_PHRASE_TICKETS)
    county, units, categories = Tally(), dict[str, Tally](), dict[str, Tally]()
    for doc, words, pairs in per_doc:
        kept = sorted(words | (pairs & phrases))
        county.add(doc.ticket_id, kept)
        units.setdefault(doc.unit_id, Tally()).add(doc.ticket_id, kept)
        categories.setdefault(doc.category, Tally()).add(doc.ticket_id, kept)
    return Analysis(county, units, categories, phrases)


def ranking(counts: Mapping[str, int], phrases: Iterable[str], top: int) -> list[tuple[str, int]]:
    """The `top` topics by count (ties: shorter first, then by text); a keyword is left out when a
    phrase containing it has the same count."""
    phrase_set = set(phrases)
    subsumed = {
        word
        for word in counts
        if word not in phrase_set and any(word in p and counts.get(p) == counts[word] for p in phrase_set)
    }
    ranked = sorted(
        ((t, n) for t, n in counts.items() if t not in subsumed), key=lambda item: (-item[1], len(item[0]), item[0])
    )
    return ranked[:top]


def change(count: int, previous: int | None) -> dict[str, Any]:
    """The change against the previous month: difference and rate (None when there is no base)."""
    if previous is None:
        return {"previous": None, "change": None, "change_rate": None}
    rate = None if previous == 0 else round((count - previous) / previous, 4)
    return {"previous": previous, "change": count - previous, "change_rate": rate}


def group_terms(topic: str) -> list[str]:
    """The variants grouped under a topic name (for display: 噪音 ← 噪声, 吵闹 …)."""
    return sorted(w for w, name in SYNONYMS.items() if name == topic and w != topic)
