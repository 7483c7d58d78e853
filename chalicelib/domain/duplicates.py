"""Duplicate requests (重复诉求, R-12345-18): how alike two tickets are, and the index keys that find them.

Pure: no storage, no clock. jieba (segmentation) is imported inside the functions that use it (a cold start
does not load it, tests/unit/test_cold_import.py); the MinHash is a few lines of stdlib (`minhash`), so the
deployment package carries no numpy or scipy (Lambda's 250 MB limit, docs/deploy.md).

Signals of a pair (`score`):
- text: the Jaccard similarity of the jieba words of title + content (stop words and one-character
  words dropped) and of the character bigrams, each also as containment (overlap / smaller set: a short
  repeat call "上次反映的…还没修" inside a long first report), combined in `text_similarity`;
- the same caller: equal blind-index tags of the caller's phone (never the number, R-12345-11);
- the same place: equal tags of the normalised address or reported entity (`normalise_address`).
The score is the text similarity plus a bonus per shared caller / place; a pair at or above THRESHOLD is
a candidate. The weights and threshold were tuned on tests/data/duplicates_pairs.json (the figures:
`evaluate`, reported by `python -m bench --only duplicates` and asserted in tests/unit).

Index keys (`band_keys`): a MinHash of the text's shingles (NUM_PERM permutations) cut into BANDS bands
of ROWS rows (LSH): two texts share a band with probability 1 − (1 − J^ROWS)^BANDS (J = Jaccard of their
shingle sets), so the stream consumer (services/duplicates.py) writes one Directory item per band and a
lookup Queries the same bands: the candidates are found without a table scan, then scored exactly.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

WINDOW_DAYS = 30  # the default window in days (`Settings.duplicate_window_days`, `DUPLICATE_WINDOW_DAYS`)
# Weights and threshold, tuned on tests/data/duplicates_pairs.json (docs/duplicates.md, "Tuning").
W_TOPICS = 0.5  # Jaccard of the hotline topics both texts name (TOPICS)
W_WORDS = 0.2  # IDF-weighted containment of the jieba words
W_BIGRAMS = 0.3  # Jaccard of the character bigrams
CALLER_BONUS = 0.1  # the same caller (equal phone tags)
PLACE_PENALTY = 0.4  # both name a place and the places differ (similarity < PLACE_DIFFERENT)
PLACE_DIFFERENT = 0.3
THRESHOLD = 0.30  # a pair scoring at least this is a candidate
NUM_PERM = 16  # LSH: 16 bands of one row (tuned for recall: a band is the set's minimum under one permutation)
BANDS = 16
ROWS = NUM_PERM // BANDS
MAX_CANDIDATES = 10

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_REGION = re.compile(r"^(浙江省)?(台州市)?(三门县)?")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
STOP_WORDS = frozenset(
    "的 了 是 在 我 我们 你 他 她 它 有 和 与 及 也 都 就 还 又 很 太 被 把 让 给 对 从 到 向 这 那 这个 那个 一个 "
    "一下 一直 已经 没有 不 没 请 希望 麻烦 帮忙 尽快 相关 部门 有关 问题 情况 反映 投诉 举报 建议 咨询 之前 上次 "
    "前几天 今天 昨天 现在 还是 仍然 什么 怎么 可以 能 会 要 说 想 去 来 看 过 着 里 上 下 中 后 前 再 再次 "
    "处理 解决 进度 附近 旁边 这里 那里 每天 晚上 早上 时候".split()
)
# Generic words of an address that say nothing about which place it is.
PLACE_GENERIC = frozenset("街道 镇 村 小区 路 号 门口 附近 旁 旁边 交叉 交叉口 路口 幢 号楼 一带".split())
# The hotline's topics (诉求主题): a matter named in other words still names the same topic. A text's topics
# are those any of whose words it contains (after `normalise_text`). Codes are internal (never shown).
TOPICS: dict[str, tuple[str, ...]] = {
    k: tuple(v.split())
    for k, v in {
        "elevator": "电梯 轿厢 维保",
        "trapped": "困 被关 卡住",
        "garbage": "垃圾桶 清运 垃圾清",
        "smell": "臭 气味 味道 熏",
        "oil_smoke": "油烟 烧烤 烟雾",
        "noise": "噪音 吵 扰民 声音 音响 轰鸣 响",
        "traffic_light": "红绿灯 信号灯",
        "muck_truck": "渣土 拉土 货车",
        "streetlight": "路灯",
        "water_supply": "自来水 停水 水压 没水 供水 来水",
        "stall": "摊贩 摆摊 摊位 小摊 摊子 占道",
        "sewage": "污水 脏水 废水 排污 尾水 偷排",
        "market": "市场 菜场 农贸",
        "congestion": "拥堵 堵 疏导 接送",
        "school": "学校 中学 小学 校门 学生 上学 放学",
        "food": "三无 食品 零食 辣条 卫生许可 生产日期",
        "leak": "漏水 渗水 滴水 防水",
        "parking_fee": "停车费 收费",
        "dangerous_house": "危房 开裂 倾斜 倒塌 裂缝",
        "road": "路面 坑洼 塌陷 石板 修补 修路",
        "waste_gas": "废气 喷漆 油漆 刺鼻",
        "bus": "公交 班次 等车",
        "shelter": "候车亭 雨棚 顶棚 玻璃",
        "dumping": "建筑垃圾 装修垃圾 砖头 倾倒 偷倒",
        "sand": "采砂 挖沙 挖砂 挖机 挖掘机",
        "toilet": "厕所 公厕",
        "dance": "广场舞 跳舞",
        "netcafe": "网吧 上网",
        "traffic_safety": "减速带 斑马线 车速",
        "livestock": "养殖 猪场 养猪 粪",
        "delivery": "交房 交付 开发商",
        "gas": "燃气 煤气 漏气",
        "flooding": "积水 进水 排水泵 抽水",
        "medical_insurance": "医保",
        "social_card": "社保卡 社会保障卡",
        "praise": "表扬 感谢 锦旗",
        "wallet": "钱包 拾金不昧",
        "bike": "共享单车 单车",
        "property": "物业",
    }.items()
}


def normalise_text(text: str) -> str:
    """NFKC, lower case, punctuation and spaces removed."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text or "").lower())


def normalise_address(address: str) -> str:
    """An address or entity name as a key: NFKC, bracketed notes and the county's own prefix dropped,
    punctuation removed (`浙江省三门县海游街道…（西区大道188号）` → `海游街道…`). Empty for nothing."""
    text = _BRACKETS.sub("", unicodedata.normalize("NFKC", address or "").strip())
    return _REGION.sub("", _PUNCT.sub("", text).lower())


@lru_cache(maxsize=1)
def _jieba() -> Any:
    import logging

    import jieba  # lazily: its dictionary takes about a second to load

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=1)
def _idf() -> tuple[dict[str, float], float]:
    """jieba's IDF table (a general corpus) and its median: rare words weigh more than common ones."""
    import jieba.analyse  # lazily, like jieba

    _jieba()
    tfidf = jieba.analyse.default_tfidf
    return tfidf.idf_freq, float(tfidf.median_idf)


def words(text: str) -> frozenset[str]:
    """The jieba words of a text (search mode: 农贸市场 → 农贸, 市场, 农贸市场), stop words and
    one-character words left out."""
    cut = _jieba().lcut_for_search(unicodedata.normalize("NFKC", text or "").lower())
    return frozenset(w for w in cut if len(w) > 1 and w not in STOP_WORDS and _PUNCT.sub("", w))


def bigrams(text: str) -> frozenset[str]:
    """The character bigrams of the normalised text."""
    norm = normalise_text(text)
    return frozenset(norm[i : i + 2] for i in range(len(norm) - 1))


def topics(text: str) -> frozenset[str]:
    """The TOPICS a text names."""
    norm = normalise_text(text)
    return frozenset(k for k, ws in TOPICS.items() if any(w in norm for w in ws))


def place_words(place: str) -> frozenset[str]:
    """The words of a normalised place that tell places apart (PLACE_GENERIC left out)."""
    return words(place) - PLACE_GENERIC if place else frozenset()


@dataclass(frozen=True)
class Doc:
    """What the detector knows of one ticket: its text's words, bigrams and topics, its place, its caller's tag."""

    ticket_id: str
    title: str
    content: str
    caller_tag: str | None = None
    place: str = ""  # normalise_address of the location or the reported entity
    words: frozenset[str] = field(default_factory=frozenset)
    bigrams: frozenset[str] = field(default_factory=frozenset)
    topics: frozenset[str] = field(default_factory=frozenset)
    place_words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def of(cls, ticket_id: str, title: str, content: str, caller_tag: str | None = None, place: str = "") -> Doc:
        """A document with its sets computed."""
        text = f"{title} {content}"
        norm = normalise_address(place)
        return cls(
            ticket_id,
            title,
            content,
            caller_tag or None,
            norm,
            words(text),
            bigrams(text),
            topics(text),
            place_words(norm),
        )

    @property
    def shingles(self) -> frozenset[str]:
        """The set the MinHash summarises: words and topics."""
        return self.words | {f"@{t}" for t in self.topics}


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _weighted_containment(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    idf, median = _idf()

    def weight(s: frozenset[str]) -> float:
        return sum(idf.get(w, median) for w in s)

    return weight(a & b) / min(weight(a), weight(b))


def text_similarity(a: Doc, b: Doc) -> float:
    """0…1: topics, IDF-weighted word containment and bigram Jaccard, weighted."""
    value = (
        W_TOPICS * _jaccard(a.topics, b.topics)
        + W_WORDS * _weighted_containment(a.words, b.words)
        + W_BIGRAMS * _jaccard(a.bigrams, b.bigrams)
    )
    return round(value, 4)


def place_similarity(a: Doc, b: Doc) -> float | None:
    """0…1 how far the places agree (IDF-weighted containment of their distinguishing words); when only one
    names a place, whether the other's text names it (a web report without address); None: nothing to compare."""
    if a.place_words and b.place_words:
        return 1.0 if a.place == b.place else round(_weighted_containment(a.place_words, b.place_words), 4)
    named, other = (a, b) if a.place_words else (b, a)
    if not named.place_words:
        return None
    text = normalise_text(f"{other.title}{other.content}")
    idf, median = _idf()
    found = [w for w in named.place_words if w in text]
    if not found:
        return None
    return round(max(idf.get(w, median) for w in found) / max(idf.get(w, median) for w in named.place_words), 4)


@dataclass(frozen=True)
class Score:
    """A pair's score and the reasons behind it (the SPA names them)."""

    value: float
    text: float
    same_caller: bool
    place: float | None

    @property
    def same_place(self) -> bool:
        """The places agree (mostly)."""
        return self.place is not None and self.place >= 0.7

    @property
    def reasons(self) -> list[str]:
        """Codes of the signals that matched (labels: `duplicate_reason`)."""
        out = ["similar_text"] if self.text >= 0.25 else []
        return out + (["same_caller"] if self.same_caller else []) + (["same_place"] if self.same_place else [])

    @property
    def candidate(self) -> bool:
        """At or above THRESHOLD."""
        return self.value >= THRESHOLD


def score(a: Doc, b: Doc) -> Score:
    """How likely b repeats a (symmetric)."""
    text = text_similarity(a, b)
    caller = a.caller_tag is not None and a.caller_tag == b.caller_tag
    place = place_similarity(a, b)
    value = text + (CALLER_BONUS if caller else 0.0)
    if place is not None and place < PLACE_DIFFERENT:  # the same matter at another place is another matter
        value -= PLACE_PENALTY
    return Score(round(max(0.0, min(value, 1.0)), 4), text, caller, place)


_PRIME = (1 << 61) - 1  # a Mersenne prime: h(x) = (a·x + b) mod p is a universal family over 61-bit values


@lru_cache(maxsize=4)
def _permutations(count: int, seed: int) -> tuple[tuple[int, int], ...]:
    """`count` (a, b) pairs of the hash family, the same in every process (derived from the seed, not random)."""
    out = []
    for i in range(count):
        digest = hashlib.blake2b(f"minhash:{seed}:{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "big") % (_PRIME - 1) + 1
        b = int.from_bytes(digest[8:], "big") % _PRIME
        out.append((a, b))
    return tuple(out)


def minhash(shingles: Iterable[str], num_perm: int = NUM_PERM, seed: int = 18) -> list[int]:
    """The MinHash signature of a set: per permutation, the least hash of its members. Two sets agree on one
    value with probability equal to their Jaccard similarity."""
    base = [int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big") for s in shingles]
    if not base:
        return []
    return [min((a * x + b) % _PRIME for x in base) for a, b in _permutations(num_perm, seed)]


def band_keys(doc: Doc) -> list[str]:
    """LSH keys of a document: `{band}:{hash of the band's MinHash rows}`, one per band (none for no text)."""
    values = minhash(sorted(doc.shingles))
    keys = []
    for band in range(BANDS if values else 0):
        rows = values[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(",".join(map(str, rows)).encode(), digest_size=8).hexdigest()
        keys.append(f"{band:02d}:{digest}")
    return keys


def index_keys(doc: Doc, place_tag: Callable[[str], str] = str) -> list[str]:
    """Every key under which a ticket is indexed and looked up: `band#…` (LSH), `place#…`, `caller#…`.

    The place appears as `place_tag` makes it (the services pass the blind index's HMAC tag: R-12345-11);
    the caller as its tag already."""
    keys = [f"band#{k}" for k in band_keys(doc)]
    if doc.place:
        keys.append(f"place#{place_tag(doc.place)}")
    if doc.caller_tag:
        keys.append(f"caller#{doc.caller_tag}")
    return keys


# ---------------------------------------------------------------- evaluation on labelled pairs


@dataclass(frozen=True)
class Evaluation:
    """Precision and recall of the detector on labelled pairs."""

    pairs: int
    duplicates: int
    true_positives: int
    false_positives: int
    false_negatives: int
    threshold: float
    index_recall: float  # of the labelled duplicates, the share the index finds (a band, the caller or the place)

    @property
    def precision(self) -> float:
        """Flagged pairs that are duplicates."""
        flagged = self.true_positives + self.false_positives
        return round(self.true_positives / flagged, 4) if flagged else 0.0

    @property
    def recall(self) -> float:
        """Duplicates flagged."""
        return round(self.true_positives / self.duplicates, 4) if self.duplicates else 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON of the figures."""
        return {
            "pairs": self.pairs,
            "duplicates": self.duplicates,
            "precision": self.precision,
            "recall": self.recall,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "threshold": self.threshold,
            "index_recall": self.index_recall,
        }


def _pair_doc(name: str, raw: Mapping[str, Any]) -> Doc:
    """A labelled ticket: its phone and address stand in for their tags (the scorer only compares them)."""
    phone = str(raw.get("phone") or "") or None
    return Doc.of(name, str(raw["title"]), str(raw["content"]), phone, str(raw.get("address") or ""))


def evaluate(pairs: Sequence[Mapping[str, Any]], threshold: float = THRESHOLD) -> Evaluation:
    """Precision/recall of `score` ≥ threshold on labelled pairs (`{"a", "b", "duplicate"}`), and the
    index recall (the share of duplicates the index lookups would bring up to be scored: a shared LSH band,
    the same caller tag or the same place)."""
    tp = fp = fn = dups = found = 0
    for n, pair in enumerate(pairs):
        a, b = _pair_doc(f"a{n}", pair["a"]), _pair_doc(f"b{n}", pair["b"])
        flagged = score(a, b).value >= threshold
        if pair["duplicate"]:
            dups += 1
            tp += flagged
            fn += not flagged
            found += bool(set(index_keys(a)) & set(index_keys(b)))
        else:
            fp += flagged
    return Evaluation(len(pairs), dups, tp, fp, fn, threshold, round(found / dups, 4) if dups else 0.0)


def sweep(pairs: Sequence[Mapping[str, Any]], thresholds: Iterable[float]) -> list[Evaluation]:
    """`evaluate` at each threshold (the tuning table)."""
    return [evaluate(pairs, t) for t in thresholds]
