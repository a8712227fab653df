"""Answer a question from the index: (Index, question) -> Answer with cited passages, or a refusal.

BM25 ranks the passages; then each candidate is judged by how much of the question it covers: the
question's content words weighted by their rarity (Lucene's idf), a word counting as matched when the
passage (with its headline and section) contains it or one of its aliases. A question whose best
passage covers too little is refused with the closest headlines instead of a random passage. Otherwise
the top passages are reordered by BM25 plus their coverage (``coverage_order``): BM25 alone lets a word
said three times outweigh two other words of the question never said.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from retrieval.answer_type import AmountAsked, Asked, amount_asked, answer_asked, asked_heads
from retrieval.bm25 import SparseBM25
from retrieval.chunks import indexed_text, sentences
from retrieval.index import Index
from retrieval.models import Answer, Article, Chunk, Hit
from retrieval.synonyms import in_lexicon, synonyms
from retrieval.tokens import Tokenizer, is_common_word, prepare, word_tag

# A year in the question is what it is about: a passage of another year does not answer it.
_YEAR = re.compile(r"(?:19|20)\d{2}")
CANDIDATES = 50  # passages considered before dedup and coverage
# A typed answer (a year, a sum ...) must be stated by one of this many top passages; those stating it
# and scoring within TYPED_NEAR of the best come first. Chosen on the tune half of the public benchmarks:
# promoting from further down put a wrong chunk first more often than a right one there (DRCD chunks
# 0.857 -> 0.846 with no bound); at 0.9 the benchmarks are unchanged and our question sets gain 3.
TYPED_DEPTH = 10
TYPED_NEAR = 0.9
NEAR_EQUAL = 0.95  # a passage of another article this close in score is preferred for variety
NEAR_TITLES = 3
# A one-character word (去, 叫, 拍 ...) says little about what a passage must hold.
SINGLE_CHAR_WEIGHT = 0.3
UNSEEN_COMMON_WEIGHT = 1.0
SYNONYM_MATCH = 0.8  # a synonym is good evidence, a little less than the word itself
MAX_SYNONYMS = 5
# "Now" asks for the latest news, which a passage need not say in those words (a quote's 现在 once answered
# 个人所得税起征点现在是多少). Still searched: encyclopedia questions copy their passage's 目前 (dropped from
# the query, CMRC and DRCD chunks lost 0.2 points).
NOW = frozenset({"现在", "目前", "如今"})
# The top TYPED_DEPTH passages are reordered by score + COVERAGE_WEIGHT x best score x coverage, with the
# word a which/what asks about (哪些培训: 培训) weighing HEAD_WEIGHT times. COVERAGE_WEIGHT was chosen on the
# tune half of the public benchmarks (0.4-1.2 all gain; benchmarks/quality.py, README); reordering deeper
# than 10 changes nothing there. HEAD_WEIGHT costs those benchmarks 0.3 points of Recall@1, but without it
# 举办 (said in a passage about a trade fair) outweighs 培训 in 长葛市工商联举办了哪些培训.
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


def concepts(index: Searchable, question: str) -> list[Concept]:
    """Return the question's content words, each weighted by Lucene's idf over the chunks."""
    n = index.bm25.n_docs
    out = []
    unheld = set()  # dictionary terms no chunk holds whole
    for term in index.tokenizer.question_terms(question):
        if term in NOW:
            continue
        df = index.bm25.doc_freq(term)
        if df == 0 and index.tokenizer.is_domain_term(term):
            unheld.add(term)
        weight = math.log(1 + (n - df + 0.5) / (df + 0.5))
        related: tuple[str, ...] = ()
        # jieba's dictionary tags some everyday words as people's names (荣誉, 荣获 nr); Cilin lists them.
        if df == 0 and (is_common_word(term) or (word_tag(term) == "nr" and in_lexicon(term))):
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


def coverage(cs: Sequence[Concept | AmountAsked | Asked], text: str) -> float:
    """Return the weighted share of the question's words (and asked amount) a prepared text contains."""
    total = sum(c.weight for c in cs)
    return sum(c.weight * c.match(text) for c in cs) / total if total else 0.0


def wanted(
    cs: list[Concept], question: str, known: Callable[[str], bool] = lambda term: True
) -> list[Concept | AmountAsked | Asked]:
    """Return what a passage should hold to answer: the question's words and, if asked, an amount or a
    typed answer (a year, a date, a sum of money ... stated in a sentence about what is asked)."""
    out: list[Concept | AmountAsked | Asked] = list(cs)
    if not cs:
        return out
    mean = sum(c.weight for c in cs) / len(cs)
    prepared = prepare(question)
    # Only a word the archive prints can anchor the answer's sentence (a paraphrase's 折腾 cannot).
    anchors = [(c.term, (*c.aliases, *c.synonyms)) for c in cs if known(c.term)]
    typed = answer_asked(prepared, anchors, mean)
    amount = amount_asked(prepared, mean)
    if typed or amount:
        out.append(typed or amount)  # type: ignore[arg-type]
    return out


def asked_of(index: Searchable, question: str) -> tuple[list[Concept], list[Concept | AmountAsked | Asked]]:
    """Return the question's words (``concepts``) and what a passage should hold to answer it (``wanted``:
    only a word the archive prints can anchor a typed answer)."""
    cs = concepts(index, question)
    return cs, wanted(cs, question, lambda term: index.bm25.doc_freq(term) > 0)


def best_sentence(cs: Sequence[Concept | AmountAsked | Asked], chunk: Chunk) -> str:
    """Return the sentence of a chunk that covers most of the question, a typed answer it asks for (a
    date, a name ...) counting as one of its words (the first sentence on a tie)."""
    parts = sentences(chunk.text) or [chunk.text]
    return max(parts, key=lambda s: (coverage(cs, prepare(s)), -parts.index(s))).strip()


def coverage_order(
    asked: Sequence[Concept | AmountAsked | Asked],
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


def _pick(ranked: list[tuple[Chunk, float]], want: int) -> list[tuple[Chunk, float]]:
    """Pick results best first, one per paragraph, preferring other articles among near-equal scores."""
    chosen: list[tuple[Chunk, float]] = []
    seen_paragraphs: set[tuple[str, int]] = set()
    pool = list(ranked)
    while pool and len(chosen) < want:
        articles = {c.article_id for c, _ in chosen}
        top_score = pool[0][1]
        fresh = [p for p in pool if p[1] >= top_score * NEAR_EQUAL and p[0].article_id not in articles]
        pick = fresh[0] if fresh else pool[0]
        pool.remove(pick)
        chunk = pick[0]
        if (chunk.article_id, chunk.paragraph) not in seen_paragraphs:
            seen_paragraphs.add((chunk.article_id, chunk.paragraph))
            chosen.append(pick)
    return chosen


def display_title(article: Article | None, chunk: Chunk) -> str:
    """Return a headline to cite: the article's, or the start of a photo caption."""
    if chunk.title:
        return chunk.title
    return (
        f"图片说明：{chunk.text[:16]}…"
        if article is not None and article.kind == "photo"
        else chunk.text[:16]
    )


def _near_titles(ranked: list[tuple[Chunk, float]]) -> tuple[str, ...]:
    titles: dict[str, None] = {}
    for chunk, _ in ranked:
        titles.setdefault(chunk.title or display_title(None, chunk), None)
    return tuple(titles)[:NEAR_TITLES]


def _refusal(
    question: str,
    terms: tuple[str, ...],
    ranked: list[tuple[Chunk, float]],
    reason: str,
    unstated: Asked | None = None,
) -> Answer:
    """Refuse a question, offering the closest headlines and, for a near miss, the answer it lacks."""
    return Answer(
        question,
        terms,
        False,
        near_titles=_near_titles(ranked),
        reason=reason,
        unstated_kind=unstated.kind if unstated else "",
        unstated_about=unstated.focus[0] if unstated else "",
    )


def stating_first(
    ranked: list[tuple[Chunk, float]],
    texts: list[str],
    typed: Asked,
    asked: Sequence[Concept | AmountAsked | Asked],
    min_coverage: float,
) -> list[tuple[Chunk, float]] | None:
    """Put the passages (among those with prepared ``texts``) that state the typed answer asked for, cover
    the question and score within TYPED_NEAR of the best first, in BM25 order; return None when none of
    the passages states it.

    They keep their BM25 scores, so a result's score is not always above the next one's.
    """
    states = [
        typed.match(prepare(chunk.text)) > 0 and coverage(asked, text) >= min_coverage
        for (chunk, _), text in zip(ranked, texts, strict=False)
    ]
    if not any(states):
        return None
    top = ranked[0][1]
    promote = [s and score >= TYPED_NEAR * top for s, (_, score) in zip(states, ranked, strict=False)]
    order = sorted(range(len(states)), key=lambda i: (not promote[i], i))
    return [ranked[i] for i in order] + ranked[len(states) :]


def answer(
    index: Index, question: str, *, top_k: int = 3, offset: int = 0, min_coverage: float = 0.5
) -> Answer:
    """Answer a question with up to top_k cited passages after `offset`, or refuse it."""
    cs, asked = asked_of(index, question)
    query = index.tokenizer.query(question) + [s for c in cs for s in c.synonyms]
    if not cs:
        return Answer(question, (), False, reason="no searchable words in the question")
    ids, scores = index.bm25.top_k(query, CANDIDATES + offset)
    # Each candidate decoded once: chunks are read from the index's records on demand.
    ranked = [(index.chunks[int(i)], float(s)) for i, s in zip(ids, scores, strict=True) if s > 0]
    years = [c.term for c in cs if _YEAR.fullmatch(c.term)]
    texts = [prepare(indexed_text(chunk)) for chunk, _ in ranked[:TYPED_DEPTH]]
    prepared = {chunk.id: text for (chunk, _), text in zip(ranked, texts, strict=False)}
    # Only a passage of the question's years counts (a 2019 list does not answer about 2021).
    of_years = [t for t in texts[:5] if all(y in t for y in years)]
    best = max((coverage(asked, t) for t in of_years), default=0.0)
    terms = tuple(c.term for c in cs)
    typed = next((a for a in asked if isinstance(a, Asked)), None)
    if best < min_coverage:
        reason = f"coverage {best:.2f}" + (f", years {'/'.join(years)} asked" if years else "")
        # Passages about the question's words that lack only the typed answer: say which answer.
        about = typed is not None and max((coverage(cs, t) for t in of_years), default=0.0) >= min_coverage
        return _refusal(question, terms, ranked, reason, typed if about else None)
    # Reordered only now: which passages the refusal looks at stays BM25's choice (its threshold was set so).
    moved = coverage_order(asked, question, texts, [score for _, score in ranked])
    ranked = [(ranked[i][0], score) for i, score in moved] + ranked[len(moved) :]
    texts = [texts[i] for i, _ in moved]
    if typed:
        stating = stating_first(ranked, texts, typed, asked, min_coverage)
        if stating is None:
            # Every word may be in the archive and still no passage says when, or how much: a near miss.
            return _refusal(question, terms, ranked, f"no passage states the {typed.kind} asked for", typed)
        ranked = stating
    hits = []
    for rank, (chunk, score) in enumerate(_pick(ranked, offset + top_k)[offset:], start=offset + 1):
        text = prepared.get(chunk.id) or prepare(indexed_text(chunk))
        forms = {c.term: c.found(text) for c in cs}
        matched = tuple(term for term, form in forms.items() if form)
        unmatched = tuple(term for term, form in forms.items() if not form)
        marks = tuple(dict.fromkeys(form for form in forms.values() if form))
        hits.append(Hit(rank, score, chunk, best_sentence(asked, chunk), matched, unmatched, marks))
    return Answer(question, terms, True, tuple(hits), extra={"coverage": round(best, 3)})
