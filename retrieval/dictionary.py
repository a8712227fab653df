"""Derive a domain dictionary from the corpus: list[str] of texts -> list[str] of terms for jieba.

Newspapers coin names that no general dictionary has: quoted slogans and programmes (“万人助企”,
“莲城智能体”), document titles (《民营企业家培训计划》) and organisations (许昌市青年创业促进会). jieba
would cut them into pieces or, with its HMM, invent splits; loading them as words keeps them whole.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from retrieval.tokens import plain_words, stopwords, word_tag

QUOTED = re.compile(r"[“「]([\u4e00-\u9fffA-Za-z0-9+·]{2,12})[”」]")
BOOK_TITLE = re.compile(r"《([^《》，。！？]{2,30})》")
ORG_SUFFIXES = (
    "总商会",
    "商会",
    "协会",
    "促进会",
    "工商联",
    "局",
    "公司",
    "中心",
    "学院",
    "委员会",
    "办公室",
)
_ORG = re.compile(r"[\u4e00-\u9fff]{2,16}?(?:" + "|".join(ORG_SUFFIXES) + ")")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
# Names do not start with a verb, preposition, adverb, adjective, conjunction, numeral, measure word or
# pronoun (jieba's tags): `促进商会`, `关于促进工商联` are phrases, not names.
_NOT_NAME_START = set("vpdacmqr")
MIN_ORG_COUNT = 2  # an organisation name must recur to be trusted as a name
_MIN_ORG_CHARS, _MAX_ORG_CHARS = 3, 14


def quoted_terms(text: str) -> list[str]:
    """Return terms printed in quotation marks or book-title marks."""
    return QUOTED.findall(text) + BOOK_TITLE.findall(text)


def _org_candidates(run: str) -> Iterable[str]:
    """Yield word sequences of a CJK run that end with an organisation suffix.

    A name starts where a general-dictionary word of two or more characters starts (`许昌市`,
    `行业`), never inside a word or at a measure word (`17家商会` names no `家商会`), and holds no
    function word (`组织的商会` is no name).
    """
    words = plain_words(run)
    starts = [sum(map(len, words[:i])) for i in range(len(words) + 1)]
    for i, first in enumerate(words):
        if len(first) < 2 or first in stopwords() or (word_tag(first) or "n")[0] in _NOT_NAME_START:
            continue
        for j in range(i + 1, len(words) + 1):
            name = run[starts[i] : starts[j]]
            if len(name) > _MAX_ORG_CHARS or words[j - 1] in stopwords():
                break
            last = words[j - 1]
            # The suffix must stand as its own word or end a name-like word (管理局, not 布局).
            ends_org = last in ORG_SUFFIXES or (len(last) >= 3 and last.endswith(ORG_SUFFIXES))
            if len(name) >= _MIN_ORG_CHARS and ends_org:
                yield name


def organisation_names(texts: Iterable[str]) -> list[str]:
    """Return the longest recurring names ending in an organisation suffix (商会, 协会, 局 ...)."""
    runs = [run for text in texts for run in _CJK_RUN.findall(text)]
    counts = Counter(c for run in runs for c in set(_org_candidates(run)))
    recurring = {c for c, n in counts.items() if n >= MIN_ORG_COUNT}
    # Keep a name only when no longer recurring name ends with it and occurs as often: "昌市工商联"
    # is part of "许昌市工商联" wherever it appears, "市工商联" stands on its own too.
    names = []
    for name in recurring:
        longer = [o for o in recurring if o != name and o.endswith(name)]
        if not any(counts[o] >= counts[name] for o in longer):
            names.append(name)
    return sorted(names)


def derive_terms(texts: Iterable[str]) -> list[str]:
    """Return the corpus's own domain terms: quoted terms, titles and organisation names."""
    texts = list(texts)
    quoted = [t for text in texts for t in quoted_terms(text)]
    return sorted(set(quoted) | set(organisation_names(texts)))
