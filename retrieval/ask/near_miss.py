"""Near misses: index terms close to a question term the archive did not match, for "not found" replies.

People mistype by sound (商汇 for 商会: an input method offers every homophone), use another name of a
thing (非公经济 for 民营经济), or remember a name slightly wrong (万人助万企 for 万人助企, 许昌商会 for
许昌市商会). A `Lexicon` holds the archive's words with a pinyin map and a character map, built once when
the archive opens; `near_misses` is then a handful of dictionary look-ups per term, whatever the size of
the vocabulary.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import islice, product
from typing import Literal

from retrieval.terms.tokens import BIGRAM_MARK
from retrieval.terms.wordlists import alias_groups

Why = Literal["alias", "pinyin", "characters"]

MAX_NEAR = 5
# A name or set phrase is short; longer terms are sentences jieba kept whole (驾驶员自助体检5分钟完成)
# and are never typed from memory, so they get no pinyin keys.
MAX_PINYIN_CHARS = 8
# Words with several polyphonic characters (长, 行, 都 ...) have many readings; the first ones are
# pypinyin's most common, and a name rarely needs more.
MAX_READINGS = 8
MIN_CHARACTER_SIMILARITY = 0.6
CHARACTER_CANDIDATES = 200  # best by shared characters, before the finer (and slower) similarity
_WHY_ORDER: dict[Why, int] = {"alias": 0, "pinyin": 1, "characters": 2}


_HAN_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def is_han(ch: str) -> bool:
    """Tell whether a character is a Chinese character (CJK unified ideographs and extension A)."""
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"


@cache
def readings(ch: str) -> tuple[str, ...]:
    """Return a character's toneless pinyin readings, most common first (`长` -> zhang, chang)."""
    if not is_han(ch):
        return ()
    # Imported on first use (~0.2 s): a Chinese question that finds its passages never spells pinyin.
    from pypinyin import Style, pinyin

    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    out = list(found[0]) if found else []
    # pypinyin writes ü as v (lv); people write lu or lü, which folds to lu.
    out += [r.replace("v", "u") for r in out if "v" in r]
    return tuple(dict.fromkeys(out))


def pinyin_keys(word: str, limit: int = MAX_READINGS) -> tuple[str, ...]:
    """Return the toneless, spaceless pinyin spellings of a Chinese word (`长葛` -> zhangge, changge)."""
    if len(word) > MAX_PINYIN_CHARS or _HAN_WORD.fullmatch(word) is None:
        return ()
    each = [readings(ch) for ch in word]
    if all(len(r) == 1 for r in each):  # most words: one spelling, no product to build
        return ("".join(r[0] for r in each),)
    return tuple("".join(p) for p in islice(product(*each), limit))


def latin_key(text: str) -> str:
    """Fold written pinyin to a key: no tone marks, no spaces, lower case (`Xǔ Chāng` -> xuchang)."""
    plain = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in plain.lower() if "a" <= ch <= "z")


@dataclass(frozen=True)
class NearMiss:
    """An index term close to a term the archive did not match."""

    term: str
    why: Why
    score: float  # 1.0 for an alias; otherwise the closeness of the characters, higher is nearer


@dataclass(frozen=True)
class Lexicon:
    """The archive's words, findable by sound and by character; built once per opened archive."""

    df: Mapping[str, int]  # word -> number of passages holding it (1 when the vocabulary had no counts)
    by_pinyin: Mapping[str, list[str]]  # pinyin key -> words
    by_char: Mapping[str, list[str]]  # character -> words of two or more characters holding it
    chars: Mapping[str, list[str]]  # pinyin of one syllable -> single characters of the archive
    bigrams: frozenset[str]  # adjacent character pairs the archive holds; empty when none were given

    @classmethod
    def build(cls, vocabulary: Mapping[str, int] | Iterable[str]) -> Lexicon:
        """Index a vocabulary: plain words, with bigrams marked `·` (as the BM25 index keeps them)."""
        counts = vocabulary if isinstance(vocabulary, Mapping) else dict.fromkeys(vocabulary, 1)
        df: dict[str, int] = {}
        bigrams: set[str] = set()
        for term, n in counts.items():
            if term.startswith(BIGRAM_MARK):
                bigrams.add(term[len(BIGRAM_MARK) :])
            elif term.strip():
                df[term] = max(int(n), 1)
        han = [w for w in df if _HAN_WORD.fullmatch(w)]
        alphabet = set("".join(han))
        spelling = {ord(ch): (readings(ch) or ("",))[0] for ch in alphabet}
        others = {ch: readings(ch)[1:] for ch in alphabet if len(readings(ch)) > 1}
        polyphonic = frozenset(others)
        by_pinyin: dict[str, list[str]] = defaultdict(list)
        by_char: dict[str, list[str]] = defaultdict(list)
        for word in han:
            if len(word) <= MAX_PINYIN_CHARS:
                # The common spelling is a C-speed str.translate; a polyphonic character's other readings
                # are added one character at a time (长葛 -> changge, 魏都区 -> weiduqu), not as a full
                # product: that keeps a 100k-word build near half a second, and a name needing two rare
                # readings at once is rarer still.
                by_pinyin[word.translate(spelling)].append(word)
                if not polyphonic.isdisjoint(word):
                    syllables = [spelling[ord(ch)] for ch in word]
                    for i, ch in enumerate(word):
                        for other in others.get(ch, ()):
                            by_pinyin["".join([*syllables[:i], other, *syllables[i + 1 :]])].append(word)
            if len(word) > 1:
                for ch in set(word):
                    by_char[ch].append(word)
        # Single characters are pieces of names the segmenter left apart (寇 玉 平): those standing alone
        # in the vocabulary, and those of the bigrams, which prove what stands next to what.
        singles = {w for w in df if len(w) == 1} | {ch for pair in bigrams for ch in pair}
        chars: dict[str, list[str]] = defaultdict(list)
        for ch in singles:
            for key in readings(ch):
                chars[key].append(ch)
        # Lists stay in build order: sorting a hundred thousand of them would cost more than the few
        # look-ups of a question, which rank what they find.
        return cls(df, dict(by_pinyin), dict(by_char), dict(chars), frozenset(bigrams))

    def __contains__(self, word: object) -> bool:
        return word in self.df

    def adjacent(self, left: str, right: str) -> bool:
        """Tell whether the archive holds `left` directly before `right` (always, without bigram data)."""
        return not self.bigrams or (left[-1] + right[0]) in self.bigrams


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _aliases(lexicon: Lexicon, term: str) -> list[NearMiss]:
    names = {a for group in alias_groups() if term in group for a in group}
    return [NearMiss(a, "alias", 1.0) for a in sorted(names - {term}) if a in lexicon]


def _homophones(lexicon: Lexicon, term: str) -> list[NearMiss]:
    if all(is_han(ch) for ch in term):
        if len(term) < 2:  # one syllable has dozens of homophones: no signal
            return []
        keys = pinyin_keys(term)
    elif all((ch.isalpha() and not is_han(ch)) or ch.isspace() for ch in term):
        keys = (latin_key(term),)  # pinyin typed for want of a Chinese keyboard: shanghui, Cháng Gě
    else:  # 5a级, 99公益日: neither a Chinese word nor pinyin
        return []
    words = dict.fromkeys(w for k in keys if k for w in lexicon.by_pinyin.get(k, ()) if len(w) > 1)
    # Among homophones, the one sharing characters with the term is the likelier typo.
    return [NearMiss(w, "pinyin", round(0.9 + 0.1 * _similarity(term, w), 3)) for w in words if w != term]


def _look_alikes(lexicon: Lexicon, term: str) -> list[NearMiss]:
    chars = [ch for ch in dict.fromkeys(term) if is_han(ch)]
    if len(chars) < 2:
        return []
    shared: Counter[str] = Counter()
    for ch in chars:
        shared.update(lexicon.by_char.get(ch, ()))
    # Most of the term's characters must be there: 许昌商会 -> 许昌市商会, not 许昌 or 商会 alone.
    need = max(2, math.ceil(0.75 * len(chars)))
    pool = sorted((w for w, n in shared.items() if n >= need and w != term), key=lambda w: (-shared[w], w))
    out = []
    for word in pool[:CHARACTER_CANDIDATES]:
        score = _similarity(term, word)
        if score >= MIN_CHARACTER_SIMILARITY:
            out.append(NearMiss(word, "characters", round(0.9 * score, 3)))
    return out


def abbreviation(lexicon: Lexicon, name: str) -> str:
    """Return a word of the archive that abbreviates a name as Chinese abbreviates (中科院 for 中国科学院:
    its first and last characters, the rest in order), or "" when there is none."""
    if len(name) < 3 or name[0] not in lexicon.by_char:
        return ""
    last = set(lexicon.by_char.get(name[-1], ()))
    for word in lexicon.by_char[name[0]]:
        if 2 <= len(word) < len(name) and word[0] == name[0] and word[-1] == name[-1] and word in last:
            rest = iter(name)
            if all(ch in rest for ch in word):  # a subsequence of the name
                return word
    return ""


def near_misses(lexicon: Lexicon, term: str, limit: int = MAX_NEAR) -> tuple[NearMiss, ...]:
    """Return up to `limit` index terms near a term the archive did not match, nearest first.

    Aliases come first, then homophones, then words sharing most of the term's characters; ties go to
    the more frequent word, then to code-point order, so the same question always gets the same list.
    """
    term = term.strip().lower()
    if not term or limit <= 0:
        return ()
    found: dict[str, NearMiss] = {}
    for miss in [*_aliases(lexicon, term), *_homophones(lexicon, term), *_look_alikes(lexicon, term)]:
        found.setdefault(miss.term, miss)
    ranked = sorted(
        found.values(),
        key=lambda m: (_WHY_ORDER[m.why], -m.score, -lexicon.df.get(m.term, 0), m.term),
    )
    return tuple(ranked[:limit])


def rejoin(terms: Sequence[str], question: str) -> list[str]:
    """Return the terms with runs of single characters joined back where the question has them together.

    jieba cuts a word it does not know into characters (商汇 -> 商 汇); a typo is found again only whole.
    """
    out: list[str] = []
    for term in terms:
        if out and len(term) == 1 and len(out[-1]) <= 2 and out[-1][-1:] + term in question:
            joined = out[-1] + term
            out[-1:] = [joined] if len(out[-1]) == 1 else [out[-1], joined]
        else:
            out.append(term)
    return out
