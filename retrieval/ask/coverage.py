"""How much of a question a passage covers: (question, passage) -> a weighted share, and the order it gives.

The question's content words are weighted by their rarity (Lucene's idf over the chunks); a word counts as
matched when the passage (with its headline and section) holds it, one of its aliases or, for an everyday
word the archive never prints, one of its synonyms. A typed answer asked for (a date, a name ...) counts
as one more word. The share decides refusals (answer.py) and reorders the top passages
(``coverage_order``): BM25 alone lets a word said three times outweigh two other words never said.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from retrieval.ask.amounts import AmountAsked, amount_asked
from retrieval.ask.answer_types import NOW, Asked, answer_asked, asked_heads
from retrieval.index.bm25 import SparseBM25
from retrieval.models import Chunk
from retrieval.parse.chunks import sentences
from retrieval.terms.synonyms import in_lexicon, synonyms
from retrieval.terms.tagging import is_common_word
from retrieval.terms.tokens import Tokenizer, prepare

# Words of how a question asks (分别是什么, 具体有哪些, 在…方面做了哪几件事), which no passage needs to print.
ASKING_WORDS = frozenset({"分别", "具体", "都是", "一共", "总共", "方面", "件事", "事情"})
# A one-character word (去, 叫, 拍 ...) says little about what a passage must hold.
SINGLE_CHAR_WEIGHT = 0.3
# An everyday word the archive never prints (老板, 上门, 从头到尾) is how people paraphrase: it weighs less
# than a word a passage must hold (0.7 against 1.0 and 0.5: docs/quality.md, 2026-12-08).
UNSEEN_COMMON_WEIGHT = 0.7
SYNONYM_MATCH = 0.8  # a synonym is good evidence, a little less than the word itself
MAX_SYNONYMS = 5
# The top passages are reordered by score + COVERAGE_WEIGHT x best score x coverage, with the word a
# which/what asks about (哪些培训: 培训) weighing HEAD_WEIGHT times. COVERAGE_WEIGHT was chosen on the tune
# half of the public benchmarks (0.4-1.2 all gain; docs/quality.md). HEAD_WEIGHT costs those benchmarks 0.3
# points of Recall@1, but without it 举办 (said in a passage about a trade fair) outweighs 培训 in
# 长葛市工商联举办了哪些培训.
COVERAGE_WEIGHT = 0.6
HEAD_WEIGHT = 2.0


class Searchable(Protocol):
    """What answering reads of an index: its BM25 statistics and its tokenizer (``Index`` has both)."""

    @property
    def bm25(self) -> SparseBM25: ...

    @property
    def tokenizer(self) -> Tokenizer: ...


@dataclass(frozen=True)
class Concept:
    """A content word of the question with its weight and the other names it may go by."""

    term: str
    weight: float
    aliases: tuple[str, ...]
    synonyms: tuple[str, ...] = ()  # only for words the archive never uses: how it may say them instead

    def found(self, text: str) -> str | None:
        """Return the form in which a prepared text holds this word (itself, an alias, a synonym), if any."""
        return next((w for w in (self.term, *self.aliases, *self.synonyms) if w in text), None)

    def match(self, text: str) -> float:
        """Return how fully a prepared text contains this word: 1, a synonym, a share of its bigrams, or 0."""
        form = self.found(text)
        if form is not None:
            return SYNONYM_MATCH if form in self.synonyms and form not in self.aliases else 1.0
        if len(self.term) < 3 or not self.term.isalpha():
            return 0.0
        grams = [self.term[i : i + 2] for i in range(len(self.term) - 1)]
        return sum(g in text for g in grams) / len(grams) * 0.5


Wanted = Concept | AmountAsked | Asked  # what a passage should hold to answer (``wanted``)


def concepts(index: Searchable, question: str) -> list[Concept]:
    """Return the question's content words, each weighted by Lucene's idf over the chunks."""
    n = index.bm25.n_docs
    out = []
    unheld = set()  # dictionary terms no chunk holds whole
    terms = index.tokenizer.question_terms(question)
    for term in terms:
        if term in NOW or term in ASKING_WORDS:
            continue
        df = index.bm25.doc_freq(term)
        if df == 0 and index.tokenizer.is_domain_term(term):
            unheld.add(term)
        weight = math.log(1 + (n - df + 0.5) / (df + 0.5))
        related: tuple[str, ...] = ()
        # jieba's dictionary tags some everyday words as names (荣誉 nr, 上门 ns); Cilin lists them.
        if df == 0 and (is_common_word(term) or in_lexicon(term)):
            # A common word the archive never uses is how people paraphrase (老板 for 企业家); a name it
            # never uses (郑州市, GDP) means the question is about something else. Expanding words the
            # archive does use was measured too: it only added noise.
            weight = UNSEEN_COMMON_WEIGHT
            used = [s for s in synonyms(term) if index.bm25.doc_freq(s) > 0]
            related = tuple(sorted(used, key=index.bm25.doc_freq)[:MAX_SYNONYMS])
        if len(term) == 1:
            weight *= SINGLE_CHAR_WEIGHT
        aliases = tuple(prepare(a) for a in index.tokenizer.alias_of(term))
        out.append(Concept(term, weight, aliases, related))
    # A dictionary term no chunk holds whole (四好商会, printed “四好”商会) stands for its parts; otherwise a
    # word inside a longer question word adds nothing new (search mode yields 许昌 and 许昌市).
    longer = [c.term for c in out if c.term not in unheld]
    return [c for c in out if c.term not in unheld and not any(c.term != o and c.term in o for o in longer)]


def _printed_ending(word: str, known: Callable[[str], bool]) -> str:
    """Return the longest proper ending of a word (two characters or more) that the archive prints, or ""."""
    return next((word[i:] for i in range(1, len(word) - 1) if known(word[i:])), "")


def coverage(cs: Sequence[Wanted], text: str) -> float:
    """Return the weighted share of the question's words (and asked amount) a prepared text contains."""
    total = sum(c.weight for c in cs)
    return sum(c.weight * c.match(text) for c in cs) / total if total else 0.0


def wanted(
    cs: list[Concept], question: str, known: Callable[[str], bool] = lambda term: True
) -> list[Wanted]:
    """Return what a passage should hold to answer: the question's words and, if asked, an amount or a
    typed answer (a year, a date, a sum of money ... stated in a sentence about what is asked)."""
    out: list[Wanted] = list(cs)
    if not cs:
        return out
    mean = sum(c.weight for c in cs) / len(cs)
    prepared = prepare(question)
    # Only a word the archive prints can anchor the answer's sentence (a paraphrase's 折腾 cannot); a word
    # it does not print is anchored by its longest printed ending (局局长 of 烟草局局长 by 局长).
    anchors = [
        (term, (*c.aliases, *c.synonyms) if term == c.term else ())
        for c in cs
        if (term := c.term if known(c.term) else _printed_ending(c.term, known))
    ]
    typed = answer_asked(prepared, anchors, mean)
    amount = amount_asked(prepared, mean)
    if typed or amount:
        out.append(typed or amount)  # type: ignore[arg-type]
    return out


def asked_of(index: Searchable, question: str) -> tuple[list[Concept], list[Wanted]]:
    """Return the question's words (``concepts``) and what a passage should hold to answer it (``wanted``:
    only a word the archive prints can anchor a typed answer)."""
    cs = concepts(index, question)
    return cs, wanted(cs, question, lambda term: index.bm25.doc_freq(term) > 0)


def best_sentence(cs: Sequence[Wanted], chunk: Chunk) -> str:
    """Return the sentence of a chunk that covers most of the question, a typed answer it asks for (a
    date, a name ...) counting as one of its words (the first sentence on a tie)."""
    return sentences_by_coverage(cs, chunk.text)[0].strip()


def sentences_by_coverage(cs: Sequence[Wanted], text: str) -> list[str]:
    """Return a passage's sentences, those covering more of the question first (in order on a tie)."""
    parts = sentences(text) or [text]
    return sorted(parts, key=lambda s: -coverage(cs, prepare(s)))


def coverage_order(
    asked: Sequence[Wanted],
    question: str,
    texts: Sequence[str],
    scores: Sequence[float],
) -> list[tuple[int, float]]:
    """Return the positions of passages (prepared ``texts``, BM25 ``scores``, best first) in their new
    order with their new scores: score + COVERAGE_WEIGHT x best score x coverage, the word the question
    asks about (哪些培训: 培训) weighing HEAD_WEIGHT times. A stable sort: ties keep BM25's order."""
    if not texts:
        return []
    heads = asked_heads(prepare(question), [c.term for c in asked if isinstance(c, Concept)])
    weighted = [
        replace(c, weight=c.weight * HEAD_WEIGHT) if isinstance(c, Concept) and c.term in heads else c
        for c in asked
    ]
    top = max(scores[: len(texts)])
    moved = [
        (i, score + COVERAGE_WEIGHT * top * coverage(weighted, text))
        for i, (score, text) in enumerate(zip(scores, texts, strict=False))
    ]
    return sorted(moved, key=lambda pair: -pair[1])
