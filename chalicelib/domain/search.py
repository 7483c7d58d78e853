"""The search index's terms (R-12345-13): what a ticket is found by, and what a query looks for.

Pure: no storage, no clock; jieba is imported lazily through `domain.duplicates` (one segmenter).

A ticket's terms: the jieba search-mode words (`cut_for_search`) of its NFKC, case-folded title and
content — Chinese words of two or more characters, ASCII words and numbers of two or more characters —
without stop words and punctuation, plus the character bigrams of the title's Chinese runs (so any two
characters of a title find it, whatever the segmentation cut) and, last, the content's two characters across
each cut next to a single character (`junctions`: 小区/路/灯不亮 also gives 路灯). Never indexed: a digit run of seven or
more digits (a phone or an identity number) and anything inside the caller's name (R-12345-11).
At most MAX_TERMS terms per ticket: title terms first, then the rarest content words (jieba's IDF),
then the longest, then the junctions.

A query is segmented the same way; its terms are looked up in the index (the rarest-looking one: the
longest), and every whitespace-separated part of the query must appear in the ticket's normalised text
(AND of the parts).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from chalicelib.domain.duplicates import STOP_WORDS, _idf, _jieba, normalise_text

MAX_TERMS = 64  # items one ticket writes into the index at most
MAX_TERM = 32  # characters of one term (a longer "word" is noise: a URL, a serial number)
QUERY_MAX = 50  # characters of a search string
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"^[\w\u3400-\u9fff]+$", re.UNICODE)
_LONG_DIGITS = re.compile(r"\d{7,}")


def normalise(text: str) -> str:
    """NFKC and case-folded (what is segmented)."""
    return unicodedata.normalize("NFKC", text or "").casefold()


def _usable(word: str, exclude: str) -> bool:
    word = word.strip()
    if len(word) < 2 or len(word) > MAX_TERM or word in STOP_WORDS or not _WORD.match(word):
        return False
    if _LONG_DIGITS.search(word):
        return False  # a phone or an identity number: never in an index (R-12345-11)
    return not (exclude and (word in exclude or exclude in word))


def words(text: str, exclude: str = "") -> list[str]:
    """The usable jieba search-mode words of a text, in order of appearance, each once."""
    cut = _jieba().cut_for_search(normalise(text))
    return list(dict.fromkeys(w.strip() for w in cut if _usable(w, exclude)))


def bigrams(text: str, exclude: str = "") -> list[str]:
    """The character bigrams of a text's Chinese runs, each once."""
    out: list[str] = []
    for run in _CJK.findall(normalise(text)):
        out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return [b for b in dict.fromkeys(out) if _usable(b, exclude)]


def junctions(text: str, exclude: str = "") -> list[str]:
    """The two characters across each cut where the segmenter left a single Chinese character: 小区路灯不亮 is
    cut 小区 / 路 / 灯不亮, so 路灯 — a word of its own — would otherwise never be a term of that text."""
    cut = [w for w in _jieba().cut(normalise(text)) if w.strip()]
    out = [
        a[-1] + b[0]
        for a, b in zip(cut, cut[1:], strict=False)
        if (len(a) == 1 or len(b) == 1) and _CJK.fullmatch(a[-1] + b[0])
    ]
    return [j for j in dict.fromkeys(out) if _usable(j, exclude)]


def ticket_terms(title: str, content: str, caller_name: str = "", limit: int = MAX_TERMS) -> list[str]:
    """The index terms of a ticket, at most `limit`, most telling first (see the module text)."""
    exclude = normalise_text(caller_name)
    head = list(dict.fromkeys([*words(title, exclude), *bigrams(title, exclude)]))
    idf, median = _idf()
    body = sorted(
        (w for w in words(content, exclude) if w not in head),
        key=lambda w: (-idf.get(w, median * 1.5), -len(w)),
    )
    seen = set(head) | set(body)
    tail = [j for j in junctions(content, exclude) if j not in seen]
    return [*head, *body, *tail][:limit]


def query_terms(raw: str) -> tuple[list[str], list[str]]:
    """(index terms of a search string, its normalised parts that must all appear in a ticket's text).

    No terms: nothing of the string can be looked up (one character, only punctuation or emoji, only a
    long digit run); the caller answers that in Chinese."""
    parts = [p for p in (normalise_text(x) for x in normalise(raw).split()) if p]
    found: list[str] = []
    for part in parts:
        terms = words(part) or bigrams(part)[:1]
        found.extend(terms)
    return list(dict.fromkeys(found)), parts


def primary(terms: Iterable[str]) -> str:
    """The term whose partition a search reads: the longest (a long word is a rare one), first on a tie."""
    return max(terms, key=len)


def text_of(title: str, content: str) -> str:
    """The normalised text the parts of a query are checked against."""
    return normalise_text(f"{title} {content}")
