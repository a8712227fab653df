"""Read an English question into Chinese search terms, offline: EnglishReader(vocabulary).read(q) -> Reading.

Three sources, tried in this order at each word of the question:

1. A hand-kept glossary (`data/glossary.txt`) of the field's set phrases, where a word-by-word reading
   fails: "federation of industry and commerce" is 工商联, "Four Good" chambers are ‘四好’商会.
2. Names written in pinyin (Changge, Huang Yuxia), matched against the pinyin of the archive's own words,
   tones and spaces ignored, polyphonic characters read every way (长葛 is changge, not zhangge). A name
   the segmenter left in pieces (黄玉 霞, 寇 玉 平) is put back together from words and characters the
   archive holds side by side, which its bigrams prove.
3. CC-CEDICT reversed into English -> Chinese (cedict.py). Of a word's Chinese readings only one the
   archive uses is searched, its usual word first: a reading the archive never uses finds nothing. Such
   readings are kept apart (`Reading.absent`): they say the question is about something the archive does
   not hold.

Glossary phrases are searched even when the archive lacks them: the user asked for that very thing.
Function words and question words are dropped; "how many" / "how much" mark an amount question, which a
Chinese question asks with 多少. No language model, no network: the dictionaries ship with the packages.
Words are matched as written and by their lemma (simplemma), so plurals and tenses need no entries.
"""

from __future__ import annotations

import math
import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Literal

from retrieval.ask.cedict import HAN, Sense, dictionary
from retrieval.ask.english_words import (
    NUMBER,
    Word,
    asks_amount,
    forms,
    glossary_match,
    is_stopword,
    question_words,
)
from retrieval.ask.near_miss import MAX_PINYIN_CHARS, Lexicon, latin_key, readings
from retrieval.parse.text import without_links

Source = Literal["glossary", "name", "dictionary", "number", "chinese"]

MAX_PHRASE_WORDS = 4  # longest English phrase looked up whole in CC-CEDICT ("chamber of commerce")
MAX_NAME_WORDS = 3  # "Huang Yuxia", "Henan Zhonglian", "Xuchang City" ...
MAX_NAME_PIECES = 4  # words or characters a name is rebuilt from
NAME_SEARCH_STEPS = 2_000  # bound on the pieces tried for one name, whatever the question
ALTERNATIVES = 2  # other Chinese readings kept per English word, for the reply and for the lead's use
# Choosing among a word's readings, a step down the dictionary's senses weighs as much as an e-fold
# frequency in the archive: "activity" is 活动 here (its ninth gloss), not 事业 (its third).
_SENSE_WEIGHT = 1.0
# After "how" these ask for a number or a manner, never for a thing to search.
_HOW = frozenset({"many", "much", "long", "large", "big", "often", "far", "old", "soon"})
# "Changge City" is 长葛市 when the archive writes it so; the place word is then part of the name.
_PLACE_WORDS = {"city": "市", "district": "区", "county": "县", "province": "省", "town": "镇"}
_PLACE_WORDS |= {"township": "乡", "village": "村"}
_MAX_PIECE_LETTERS = 6 * MAX_PINYIN_CHARS  # zhuang, chuang, shuang: six letters a syllable at most
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_english(text: str) -> bool:
    """Tell whether a question is written (mostly) in English rather than Chinese (a pasted link or
    markup tag is neither)."""
    text = without_links(text)
    return len(_LATIN_WORD.findall(text)) >= 2 and len(_CJK.findall(text)) <= 4


@dataclass(frozen=True)
class Part:
    """What one stretch of the question was read as, for a transparent reply ("chambers -> 商会")."""

    english: str  # the words as written
    terms: tuple[str, ...]  # the Chinese read for them
    source: Source
    alternatives: tuple[str, ...] = ()  # other readings the archive uses, not searched
    # Read only as a verb ("offer" -> 提供): an English verb has many Chinese synonyms, and the passage
    # that answers may use another (上线), so a lost verb says less than a lost thing or name.
    weak: bool = False


@dataclass(frozen=True)
class Reading:
    """An English question read into Chinese search terms."""

    terms: tuple[str, ...]  # Chinese terms the archive uses, in question order, without repeats
    unread: tuple[str, ...]  # English words that found no Chinese term the archive uses
    asks_amount: bool  # "how many" / "how much": the answer is a number (多少 in Chinese)
    parts: tuple[Part, ...] = ()  # how each stretch of the question was read, in order
    # Chinese readings of unread words that the archive never uses (football -> 足球): no use for finding
    # passages, but a question naming them is about something the archive does not hold.
    absent: tuple[str, ...] = ()

    @property
    def weak(self) -> tuple[str, ...]:
        """Return the terms read only from English verbs (see `Part.weak`)."""
        strong = {t for p in self.parts if not p.weak for t in p.terms}
        return tuple(dict.fromkeys(t for p in self.parts if p.weak for t in p.terms if t not in strong))

    @property
    def searched(self) -> tuple[str, ...]:
        """Return what to search: the terms but the weak ones, then the absent readings.

        Asked of the archive as a Chinese question, the absent readings weigh in its coverage check as
        they would in a question typed in Chinese, so "Zhengzhou's GDP" is refused rather than answered
        from a passage about Xuchang; the weak verbs are left out because a passage that answers often
        says them otherwise. On eval/english.jsonl this keeps hit@3 and refuses more of what the archive
        cannot answer than searching every term.
        """
        weak = set(self.weak)
        return (*(t for t in self.terms if t not in weak), *self.absent)

    def searched_for(self) -> str:
        """Return the terms for the reply's "Searched for:" line, e.g. `长葛 工商联 培训`."""
        return " ".join(self.searched)

    def as_question(self) -> str:
        """Return the Chinese question to ask the archive: what is searched, and 多少 for an amount."""
        words = self.searched
        return " ".join([*words, "多少"] if self.asks_amount and words else words)


@dataclass
class _Draft:
    parts: list[Part] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)

    def read(
        self,
        words: list[Word],
        terms: tuple[str, ...],
        source: Source,
        others: Iterable[str] = (),
        *,
        weak: bool = False,
    ) -> None:
        self.parts.append(Part(_text(words), terms, source, tuple(others), weak))

    def miss(self, words: list[Word], absent: Iterable[str] = ()) -> None:
        self.unread.extend(w.text for w in words)
        self.absent.extend(absent)


class EnglishReader:
    """Reads English questions against one archive's vocabulary; build once when the archive opens.

    The vocabulary is the BM25 index's terms, with their document frequencies if at hand: plain words,
    and bigrams marked `·`, which let a name the segmenter split be put back together. Building costs the
    pinyin maps of the vocabulary (see `Lexicon`); CC-CEDICT is reversed once per process, in the
    background from the first reader on, so opening the archive does not wait for it.
    """

    def __init__(
        self, vocabulary: Mapping[str, int] | Iterable[str] | Lexicon, *, preload: bool = True
    ) -> None:
        self.lexicon = vocabulary if isinstance(vocabulary, Lexicon) else Lexicon.build(vocabulary)
        if preload:
            threading.Thread(target=_warm, name="cedict-reverse", daemon=True).start()

    def read(self, question: str) -> Reading:
        """Read an English question into Chinese search terms."""
        words = question_words(question)
        draft = _Draft()
        i = 0
        while i < len(words):
            i += self._read_at(words, i, draft)
        terms = tuple(dict.fromkeys(t for p in draft.parts for t in p.terms))
        return Reading(
            terms,
            tuple(dict.fromkeys(draft.unread)),
            asks_amount(words),
            tuple(draft.parts),
            tuple(t for t in dict.fromkeys(draft.absent) if t not in terms),
        )

    def _read_at(self, words: list[Word], i: int, draft: _Draft) -> int:
        """Read the words from i on into the draft; return how many were used (at least one)."""
        word = words[i]
        if match := glossary_match(words, i):
            phrase, n = match
            draft.read(words[i : i + n], phrase.chinese, "glossary")
            return n
        if is_stopword(word) or (i and words[i - 1].low == "how" and word.low in _HOW):
            return 1
        if HAN.search(word.text):  # Chinese typed into an English question is searched as it stands
            draft.read([word], (word.low,), "chinese")
            return 1
        if word.capital and (named := self._name(words, i)):
            draft.parts.append(named[0])
            return named[1]
        if n := self._dictionary_phrase(words, i, draft):
            return n
        if NUMBER.fullmatch(word.low):
            if word.low in self.lexicon and len(word.low) > 1:
                draft.read([word], (word.low,), "number")
            elif len(word.low) > 1:  # a lone digit is a date's day or a list's count: no search value
                draft.miss([word])
            return 1
        if self._dictionary_word(word, draft):
            return 1
        if named := self._pinyin(words, i, 1):  # pinyin written in lower case: changge, shanghui
            draft.parts.append(named[0])
            return named[1]
        draft.miss([word])
        return 1

    # -- names

    def _name(self, words: list[Word], i: int) -> tuple[Part, int] | None:
        """Read a capitalised name: pinyin of the archive's words, or a CC-CEDICT name the archive uses."""
        for size in range(MAX_NAME_WORDS, 1, -1):  # Huang Yuxia, Henan Zhonglian: the longest name first
            run = words[i : i + size]
            named = len(run) == size and all(w.capital and w.text.isalpha() for w in run)
            if named and (part := self._pinyin(words, i, size)):
                return part
        word = words[i]
        senses = [
            s for s in dictionary().exact.get(word.low, ()) if s.kind == "name" and s.chinese in self.lexicon
        ]
        if senses:  # Xuchang, Yuzhou, Huawei: CC-CEDICT knows the right reading of their polyphones
            best = self._rank(senses)
            term, n = best[0], 1
            if i + 1 < len(words) and (place := _PLACE_WORDS.get(words[i + 1].low)):
                term, n = (term + place if term + place in self.lexicon else term), 2
            return Part(_text(words[i : i + n]), (term,), "name", tuple(best[1 : 1 + ALTERNATIVES])), n
        if word.text.isalpha() and not self._is_english(word):
            return self._pinyin(words, i, 1)
        return None

    def _is_english(self, word: Word) -> bool:
        """Tell whether a word is an ordinary English word (Long, Party), not a name in pinyin."""
        exact = dictionary().exact
        return is_stopword(word) or any(s.kind != "name" for f in word.forms for s in exact.get(f, ()))

    def _pinyin(self, words: list[Word], i: int, size: int) -> tuple[Part, int] | None:
        """Read words i .. i+size as one name in pinyin, with a place word after it if there is one."""
        key = "".join(latin_key(w.text) for w in words[i : i + size])
        after = words[i + size] if i + size < len(words) else None
        place = _PLACE_WORDS.get(after.low) if after else None
        if place and (whole := self._compose(key + readings(place)[0])):
            return Part(_text(words[i : i + size + 1]), (whole,), "name"), size + 1
        name = self._compose(key)
        if name is None:
            return None
        n = size + (1 if place else 0)  # "Weidu District" read as 魏都: the place word adds nothing
        return Part(_text(words[i : i + n]), (name,), "name"), n

    def _compose(self, key: str) -> str | None:
        """Return the archive's word, or words side by side, whose pinyin spells key; None if none does.

        A name the segmenter split (黄玉 霞, 寇 玉 平) is rebuilt from words and single characters, fewest
        pieces first, each joint attested by a bigram of the archive. Two characters side by side can
        be chance (体检|业务 holds 检业, which is no "Jianye"): a name of two single characters must also
        stand inside a word of the archive (许继 in 许继集团).
        """
        lex = self.lexicon
        if len(key) < 2:
            return None
        pieces_at: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for start in range(len(key)):
            for end in range(start + 1, min(len(key), start + _MAX_PIECE_LETTERS) + 1):
                sub = key[start:end]
                found = [w for w in lex.by_pinyin.get(sub, ()) if len(w) > 1]
                if lex.bigrams:  # without bigrams nothing proves which characters stand together
                    found += lex.chars.get(sub, ())
                pieces_at[start].extend((end, w) for w in dict.fromkeys(found))
        best: tuple[tuple[int, float, str], str] | None = None
        steps = 0
        stack: list[tuple[int, tuple[str, ...]]] = [(0, ())]
        while stack and steps < NAME_SEARCH_STEPS:
            pos, pieces = stack.pop()
            steps += 1
            if pos == len(key):
                whole = "".join(pieces)
                if self._plausible(whole, pieces):
                    rank = (len(pieces), -sum(math.log(lex.df.get(p, 1)) for p in pieces), whole)
                    best = min(best, (rank, whole)) if best else (rank, whole)
                continue
            if len(pieces) == MAX_NAME_PIECES or (best and len(pieces) >= best[0][0]):
                continue
            for end, piece in pieces_at.get(pos, ()):
                if not pieces or lex.adjacent(pieces[-1], piece):
                    stack.append((end, (*pieces, piece)))
        return best[1] if best else None

    def _plausible(self, whole: str, pieces: tuple[str, ...]) -> bool:
        if len(pieces) == 1:
            return len(whole) > 1  # one syllable has dozens of homophones
        if len(whole) > 2:
            return True
        return any(whole in w for w in self.lexicon.by_char.get(whole[0], ()))

    # -- dictionary

    def _rank(self, senses: Iterable[Sense]) -> list[str]:
        """Order Chinese readings, best first: the archive's usual word among the dictionary's first
        senses; a single character (党, 市 ...) only when no word will do."""
        df = self.lexicon.df
        ranked = sorted(
            senses,
            key=lambda s: (
                len(s.chinese) == 1,
                _SENSE_WEIGHT * _sense_bucket(s.rank) - math.log(df.get(s.chinese, 1)),
                s.rank,
                s.chinese,
            ),
        )
        return list(dict.fromkeys(s.chinese for s in ranked))

    def _dictionary_phrase(self, words: list[Word], i: int, draft: _Draft) -> int:
        """Read two to four words CC-CEDICT glosses as a whole ("trade fair"); return how many, or 0."""
        exact = dictionary().exact
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 1, -1):
            run = words[i : i + n]
            if is_stopword(run[-1]):
                continue
            keys = dict.fromkeys(" ".join(p) for p in product(*(w.forms for w in run)))
            senses = [s for k in keys for s in exact.get(k, ())]
            if not senses:
                continue
            found = [s for s in senses if s.chinese in self.lexicon]
            if found:
                best = self._rank(found)
                source = _source(found, best[0])
                draft.read(run, (best[0],), source, best[1 : 1 + ALTERNATIVES], weak=_verb(found, best[0]))
            else:  # "Longmen Grottoes", "opening hours": a phrase the archive has no word for
                draft.miss(run, _first_sense(senses))
            return n
        return 0

    def _dictionary_word(self, word: Word, draft: _Draft) -> bool:
        """Read one word by CC-CEDICT, as written or as its lemma (trainings -> training); False if not."""
        exact = dictionary().exact
        senses = [s for f in word.forms for s in exact.get(f, ())]
        found = [s for s in senses if s.chinese in self.lexicon]
        if found:
            best = self._rank(found)
            source = _source(found, best[0])
            draft.read([word], (best[0],), source, best[1 : 1 + ALTERNATIVES], weak=_verb(found, best[0]))
            return True
        if senses:  # Zhengzhou, football: the archive has no word for it
            draft.miss([word], _first_sense(senses))
            return True
        return False


def _sense_bucket(rank: int) -> int:
    """Coarsen a gloss's position in its entry: first, next two, next three, the rest."""
    return 0 if rank == 0 else 1 if rank <= 2 else 2 if rank <= 5 else 3


def _source(senses: Iterable[Sense], chinese: str) -> Source:
    """Tell a name (changge, written in lower case) from an ordinary dictionary reading."""
    return "name" if any(s.kind == "name" for s in senses if s.chinese == chinese) else "dictionary"


def _verb(senses: Iterable[Sense], chinese: str) -> bool:
    """Tell whether a Chinese reading was reached only through verb glosses ("to offer")."""
    return all(s.kind == "verb" for s in senses if s.chinese == chinese)


def _first_sense(senses: Iterable[Sense]) -> list[str]:
    """Return the dictionary's first reading of a word the archive has no reading of: a name if the word
    is one (Zhengzhou), else its first sense as a thing (football -> 足球); none for a verb, which a
    passage may well say otherwise (see `Part.weak`), nor for a word that can be one (hold, won)."""
    senses = list(senses)
    if any(s.kind == "verb" for s in senses):
        return []
    ranked = sorted(senses, key=lambda s: (s.kind != "name", s.rank, len(s.chinese) == 1, s.chinese))
    return [ranked[0].chinese] if ranked else []


def _text(words: list[Word]) -> str:
    return " ".join(w.text for w in words)


def _warm() -> None:
    dictionary()
    forms("chambers")  # simplemma loads its English data on first use
