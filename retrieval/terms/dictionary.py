"""Derive a domain dictionary from the corpus: list[str] of texts -> list[str] of terms for jieba.

Newspapers coin names that no general dictionary has: quoted slogans and programmes (“万人助企”,
“莲城智能体”), document titles (《民营企业家培训计划》) and organisations (许昌市青年创业促进会). jieba
would cut them into pieces or, with its HMM, invent splits; loading them as words keeps them whole.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from retrieval.terms.tagging import plain_words, word_tag
from retrieval.terms.wordlists import stopwords

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
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_ORG_SUFFIX = re.compile("|".join(ORG_SUFFIXES))
# Names do not start with a verb, preposition, adverb, adjective, distinguishing word, conjunction,
# numeral, measure word or pronoun (jieba's tags): `促进商会`, `关于促进工商联`, `所属商会` are phrases.
_NOT_NAME_START = set("vpdabcmqr")
# After its place a name may go on with a distinguishing word (许昌市民营企业家学院), never a verb.
_NOT_AFTER_PLACE = _NOT_NAME_START - {"b"}
# A count is no part of a name, wherever it stands: `全省首家商会`, `十七家商会`.
_NOT_IN_NAME = set("mq")
# A name may join two trades with a conjunction (许昌市消费品批发和零售业商会); papers print either one.
_JOINERS = ("和", "与")
# A full administrative place (许昌市, 襄城县, 魏都区): a name opening with one is a name at first mention.
PLACE_ENDS = "省市县区"
MIN_ORG_COUNT = 2  # a name without its place must recur to be trusted as a name
_MIN_ORG_CHARS, _MAX_ORG_CHARS = 3, 14


def quoted_terms(text: str) -> list[str]:
    """Return terms printed in quotation marks or book-title marks."""
    return QUOTED.findall(text) + BOOK_TITLE.findall(text)


def _tag(word: str) -> str:
    return word_tag(word) or "n"  # an unknown string is most likely a name part


def _can_start_name(word: str) -> bool:
    return len(word) >= 2 and word not in stopwords() and _tag(word)[0] not in _NOT_NAME_START


def _org_suffix(name: str, last: str) -> str | None:
    """Return the organisation suffix `name` ends with, given jieba's last word of it, if it has one.

    The suffix must stand as its own word, end a longer name-like word (管理局, not 布局), or take the
    whole last word with the end of the word before: jieba cuts 许昌市房地产商会 as 房地产商/会, so the
    name's text is checked, not only its last word.
    """
    for suffix in ORG_SUFFIXES:
        if name.endswith(suffix) and (suffix.endswith(last) or (len(last) >= 3 and last.endswith(suffix))):
            return suffix
    return None


@dataclass(frozen=True)
class _Candidate:
    """A word sequence ending with an organisation suffix, as printed and as counted."""

    name: str
    key: str  # the name with its joining conjunction unified: 批发与零售业 and 批发和零售业 are one name
    words: tuple[str, ...]


def _org_candidates(run: str) -> Iterable[_Candidate]:
    """Yield word sequences of a CJK run that end with an organisation suffix.

    A name starts where a general-dictionary word of two or more characters starts (`许昌市`,
    `行业`), never inside a word or at a verb, preposition or count (`17家商会` names no `家商会`). It
    holds no function word (`组织的商会` is no name) but one conjunction joining two trades, with a
    name-like word after it (消费品批发和零售业商会), and it ends at its first organisation: the words
    after one relate it to another (`工商联所属商会`, `工商联和商会`).
    """
    words = plain_words(run)
    starts = [0, *itertools.accumulate(map(len, words))]
    for i, first in enumerate(words):
        if not _can_start_name(first):
            continue
        second = words[i + 1] if i + 1 < len(words) else ""
        if _is_place(first) and _tag(second)[0] in _NOT_AFTER_PLACE and not _org_suffix(second, second):
            continue  # a place then a verb is a clause (长葛市实行商会组织…), not a name
        joiner: int | None = None
        for k in range(i, len(words)):
            name, last = run[starts[i] : starts[k + 1]], words[k]
            if len(name) > _MAX_ORG_CHARS or (
                k > i and _org_suffix(run[starts[i] : starts[k]], words[k - 1])
            ):
                break
            if last in _JOINERS and joiner is None and k + 1 < len(words) and _can_start_name(words[k + 1]):
                joiner = k
                continue
            suffix = _org_suffix(name, last)
            after_joiner = "" if joiner is None else run[starts[joiner + 1] : starts[k + 1]]
            if len(name) >= _MIN_ORG_CHARS and suffix and after_joiner != suffix:
                key = name if joiner is None else run[starts[i] : starts[joiner]] + _JOINERS[0] + after_joiner
                yield _Candidate(name, key, tuple(words[i : k + 1]))
            # A suffix may end in a function word (房地产商/会) but a name goes on past none.
            if last in stopwords() or _tag(last)[0] in _NOT_IN_NAME:
                break


def _is_place(word: str) -> bool:
    """Tell whether a word is a full administrative place name (许昌市, 襄城县, 魏都区; not 城市)."""
    return len(word) >= 3 and word.endswith(tuple(PLACE_ENDS)) and _tag(word) == "ns"


@dataclass
class TermEvidence:
    """What a set of texts says about the domain terms: counts that add up across pages.

    Deriving terms needs corpus-wide counts (a bare name must recur), but an archive grows a page at a
    time: each page's evidence is kept beside it, and the corpus's is the sum, so adding or removing a
    page updates the dictionary without reading the other pages again.
    """

    quoted: Counter[str] = field(default_factory=Counter)  # quoted terms and 《titles》
    names: Counter[str] = field(default_factory=Counter)  # runs naming an organisation, by unified key
    spellings: Counter[str] = field(default_factory=Counter)  # "key\tname as printed"
    placed: Counter[str] = field(default_factory=Counter)  # keys printed with their full place
    headlines: Counter[str] = field(default_factory=Counter)  # headline lines, each a term as printed

    def __iadd__(self, other: TermEvidence) -> TermEvidence:
        for name in _EVIDENCE_FIELDS:
            getattr(self, name).update(getattr(other, name))
        return self

    def __isub__(self, other: TermEvidence) -> TermEvidence:
        for name in _EVIDENCE_FIELDS:
            mine = getattr(self, name)
            mine.subtract(getattr(other, name))
            for key in [k for k, n in mine.items() if n <= 0]:
                del mine[key]
        return self

    def to_json(self) -> dict[str, dict[str, int]]:
        return {name: dict(getattr(self, name)) for name in _EVIDENCE_FIELDS}

    @classmethod
    def from_json(cls, raw: dict[str, dict[str, int]]) -> TermEvidence:
        return cls(**{name: Counter(raw.get(name, {})) for name in _EVIDENCE_FIELDS})


_EVIDENCE_FIELDS = ("quoted", "names", "spellings", "placed", "headlines")


def term_evidence(texts: Iterable[str], headlines: Iterable[str] = ()) -> TermEvidence:
    """Collect the evidence for domain terms in some texts (one page's paragraphs and headline lines)."""
    evidence = TermEvidence(headlines=Counter(headlines))
    for text in texts:
        evidence.quoted.update(quoted_terms(text))
        for run in _CJK_RUN.findall(text):
            if not _ORG_SUFFIX.search(run):
                continue  # no name can end in this run: spare jieba the work (most runs)
            found = {c.key: c for c in _org_candidates(run)}
            evidence.names.update(found.keys())
            for key, c in found.items():
                evidence.spellings[f"{key}\t{c.name}"] += 1
                # A name printed with its full place (许昌市房地产商会) is one at first mention; a bare
                # one (许昌商会, 市属商会) may be a phrase and must recur.
                if _is_place(c.words[0]) and len(c.words) > 1:
                    evidence.placed[key] += 1
    return evidence


def _names_from(evidence: TermEvidence) -> list[str]:
    """Return the trusted organisation names of some evidence, each in every spelling printed."""
    counts = evidence.names
    trusted = {k for k, n in counts.items() if n >= MIN_ORG_COUNT} | set(evidence.placed)
    # Keep a name only when no longer trusted name ends with it and occurs as often: "昌市工商联" is part
    # of "许昌市工商联" wherever it appears, "市工商联" stands on its own too. Names are short, so looking
    # up each name's own suffixes keeps this linear in the number of names.
    shadowed = {
        key[i:]
        for key in trusted
        for i in range(1, len(key))
        if key[i:] in trusted and counts[key] >= counts[key[i:]]
    }
    spellings: dict[str, list[str]] = {}
    for pair in evidence.spellings:
        key, name = pair.split("\t", 1)
        spellings.setdefault(key, []).append(name)
    return sorted(name for key in trusted - shadowed for name in spellings.get(key, ()))


def organisation_names(texts: Iterable[str]) -> list[str]:
    """Return the longest names ending in an organisation suffix (商会, 协会, 局 ...) that recur or are
    named with their place, each in every spelling printed."""
    return _names_from(term_evidence(texts))


def terms_from(evidence: TermEvidence) -> list[str]:
    """Return the domain terms some evidence supports: quoted terms, titles and organisation names."""
    return sorted(set(evidence.quoted) | set(evidence.headlines) | set(_names_from(evidence)))


def derive_terms(texts: Iterable[str]) -> list[str]:
    """Return the corpus's own domain terms: quoted terms, titles and organisation names."""
    return terms_from(term_evidence(texts))
