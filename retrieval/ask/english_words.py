"""The words of an English question: tokens with their lemmas (simplemma), stopwords, and the hand-kept
glossary of the field's set phrases (`data/glossary.txt`: "federation of industry and commerce" -> 工商联).
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

import simplemma

from retrieval.ask.cedict import dictionary
from retrieval.terms.wordlists import DATA_DIR, data_lines

_AMOUNT_PHRASES = (("how", "many"), ("how", "much"), ("how", "long"), ("how", "large"), ("how", "big"))
_AMOUNT_PHRASES += (("number", "of"), ("amount", "of"), ("what", "percentage"), ("what", "share"))
_TOKEN = re.compile(r"[^\W_]+(?:(?:[&'’.\-]|,(?=\d{3}))[^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@cache
def english_stopwords() -> frozenset[str]:
    """Return the English words dropped from questions (function words, question words, asking words)."""
    return frozenset(w for ln in data_lines("english_stopwords.txt") for w in ln.lower().split())


@lru_cache(maxsize=8192)
def forms(word: str) -> tuple[str, ...]:
    """Return a lower-case word and its lemma (`chambers` -> chambers, chamber; `held` -> held, hold)."""
    word = _POSSESSIVE.sub("", word.lower())
    if not word.isalpha():
        return (word,)
    return tuple(dict.fromkeys((word, simplemma.lemmatize(word, lang="en").lower())))


def _words(text: str) -> list[str]:
    """Return the lower-case words of an English phrase, possessives dropped, numbers without commas."""
    out = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFKC", text)):
        word = _POSSESSIVE.sub("", m.group().lower())
        out.append(word.replace(",", "") if NUMBER.fullmatch(word) else word)
    return out


@dataclass(frozen=True)
class Word:
    """A word of the question: as written (for the reply) and the forms it matches by."""

    text: str
    forms: tuple[str, ...]
    capital: bool

    @property
    def low(self) -> str:
        return self.forms[0]


def question_words(question: str) -> list[Word]:
    """Return the words of an English question, a hyphenated word split unless it is a set phrase."""
    words = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFKC", question)):
        text = _POSSESSIVE.sub("", m.group())
        if NUMBER.fullmatch(text):
            words.append(Word(text, (text.replace(",", ""),), capital=False))
            continue
        # "county-level", "2019-2020": the parts are read one by one unless the whole is a set phrase.
        parts = [text] if "-" not in text or _known(text.lower()) else [p for p in text.split("-") if p]
        words.extend(Word(p, forms(p), capital=p[:1].isupper()) for p in parts)
    return words


def is_stopword(word: Word) -> bool:
    """Tell whether a word is a function or question word of English."""
    return word.low in english_stopwords()


def asks_amount(words: list[Word]) -> bool:
    """Tell whether the question asks "how many", "how much" ... (an amount)."""
    lows = [w.low for w in words]
    return any(pair in _AMOUNT_PHRASES for pair in pairwise(lows))


@dataclass(frozen=True)
class Phrase:
    english: tuple[tuple[str, ...], ...]  # the forms of each word
    chinese: tuple[str, ...]


def parse_glossary(text: str) -> dict[str, tuple[Phrase, ...]]:
    """Parse glossary lines (`english phrase<TAB>中文`, # comments) into phrases by each form of their
    first word, longest first; a malformed line raises ValueError naming it."""
    by_first: dict[str, list[Phrase]] = defaultdict(list)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        english, sep, chinese = line.partition("\t")
        words, terms = _words(english), tuple(chinese.split())
        if not sep or not words or not terms:
            raise ValueError(f"glossary line {n}: want `english phrase<TAB>中文`, got {line!r}")
        phrase = Phrase(tuple(forms(w) for w in words), terms)
        for form in phrase.english[0]:
            by_first[form].append(phrase)
    return {k: tuple(sorted(v, key=lambda p: -len(p.english))) for k, v in by_first.items()}


@cache
def glossary() -> dict[str, tuple[Phrase, ...]]:
    """Return the hand-kept set phrases of `data/glossary.txt`."""
    return parse_glossary((DATA_DIR / "glossary.txt").read_text(encoding="utf-8"))


def glossary_match(words: list[Word], i: int) -> tuple[Phrase, int] | None:
    """Return the longest glossary phrase starting at word i, with its length in words."""
    candidates = {p: None for f in words[i].forms for p in glossary().get(f, ())}
    for phrase in sorted(candidates, key=lambda p: -len(p.english)):
        n = len(phrase.english)
        if i + n <= len(words) and all(set(words[i + k].forms) & set(phrase.english[k]) for k in range(n)):
            return phrase, n
    return None


def _known(word: str) -> bool:
    """Tell whether a hyphenated word is a phrase as a whole ("secretary-general", "high-tech zone")."""
    return any(f in glossary() for f in forms(word)) or word in dictionary().exact
