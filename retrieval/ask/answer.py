"""Answer a question: (archive, question) -> Answer with cited passages, or a refusal; assembled once, here.

The question is read first: cut to the settings' length, and an English one read into Chinese search
terms (english.py). BM25 ranks the passages; each candidate is judged by how much of the question it
covers (coverage.py). A question whose best passage covers too little is refused with the closest
headlines and, for words the archive does not know, its nearest words (near_miss.py), instead of a random
passage. Otherwise the top passages are reordered by coverage, those stating a typed answer asked for (a
date, a name ...) come first, and one result per paragraph is picked with its evidence sentence.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache, partial
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrieval.ask.answer_types import Asked
from retrieval.ask.coverage import Concept, Wanted, asked_of, best_sentence, coverage, coverage_order
from retrieval.ask.credits import credited_first, credits_named
from retrieval.ask.dialogue import added_subject, answers_within, is_ellipsis, remember, rewrite
from retrieval.ask.english import EnglishReader, is_english
from retrieval.ask.lists import list_answer
from retrieval.ask.names import names_held_abbreviated, question_names, unknown_names
from retrieval.ask.near_miss import near_misses, rejoin
from retrieval.ask.short_answer import short_answer
from retrieval.ask.small_talk import small_talk
from retrieval.config import Settings
from retrieval.index.snapshot import Index
from retrieval.models import Answer, Article, Chunk, Conversation, Hit, ShortAnswer
from retrieval.parse.chunks import indexed_text
from retrieval.parse.text import normalize, without_links
from retrieval.terms.tokens import prepare, to_simplified
from retrieval.vectors.chunks import ChunkVectors
from retrieval.vectors.rerank import DEPTH as SEMANTIC_DEPTH
from retrieval.vectors.rerank import mixed_order

# A year in the question is what it is about: a passage of another year does not answer it.
_YEAR = re.compile(r"(?:19|20)\d{2}")
CANDIDATES = 50  # passages considered before dedup and coverage
REFUSAL_DEPTH = 5  # the best coverage of this many top passages decides whether to answer
# A typed answer (a year, a sum ...) must be stated by one of this many top passages; those stating it
# and scoring within TYPED_NEAR of the best come first. Chosen on the tune half of the public benchmarks:
# promoting from further down put a wrong chunk first more often than a right one there (DRCD chunks
# 0.857 -> 0.846 with no bound); at 0.9 the benchmarks are unchanged and our question sets gain 3.
# The coverage order reorders as deep (deeper changed nothing on the benchmarks).
TYPED_DEPTH = 10
TYPED_NEAR = 0.9
NEAR_EQUAL = 0.95  # a passage of another article this close in score is preferred for variety
NEAR_TITLES = 3
MAX_NEAR_TERMS = 5
# A result is shown (and paged to) only while it covers at least this share of what the best passage
# covers: at 0.5 no question of our sets lost its answer from the top three, at 0.6 four did.
RELEVANT_SHARE = 0.5
_ABOUT_PEOPLE = frozenset({"title"})  # typed answers about a named person: no semantic re-rank
PREPARED_CACHE = 4096  # passages kept prepared for matching (a few MB)
Ranked = list[tuple[Chunk, float]]


class Answering(Protocol):
    """What answering reads of an opened archive (``Archive`` has all three)."""

    @property
    def index(self) -> Index: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def english(self) -> EnglishReader: ...

    @property
    def vectors(self) -> ChunkVectors | None: ...

    def question_vector(self, text: str) -> npt.NDArray[np.float32] | None: ...


@dataclass(frozen=True)
class Question:
    """A question as the archive reads it."""

    text: str  # as asked, cut to the length limit
    searched: str  # what is searched: the text, or the Chinese an English question was read as
    searched_for: str = ""  # for an English question, the Chinese terms it was read as ("长葛 工商联 培训")


def read_question(text: str, max_chars: int, english: Callable[[], EnglishReader]) -> Question:
    """Read a question: cut it to ``max_chars``; search it without pasted links and markup tags; read it
    into Chinese when it is English."""
    text = text[:max_chars]
    words = without_links(text) or text
    if not is_english(words):
        return Question(text, words)
    reading = english().read(words)
    return Question(text, reading.as_question(), reading.searched_for())


def answer(
    source: Answering,
    question: str,
    *,
    top_k: int | None = None,
    offset: int = 0,
    conversation: Conversation | None = None,
) -> Answer:
    """Answer a question with its short answer or list and up to ``top_k`` (by default the settings')
    cited passages after ``offset``, or refuse it; a follow-up is read in the light of ``conversation``.
    The answer carries the conversation for the next question."""
    text = question[: source.settings.max_question_chars]
    if kind := small_talk(text):
        return Answer(
            text, (), answered=False, reason="small talk", small_talk=kind, conversation=conversation
        )
    read = read_question(text, len(text), lambda: source.english)
    names = cache(partial(question_names, source.index))  # the rewrite and the memory ask of one text
    searched = rewrite(conversation, read.text, read.searched, names)
    found = _search(source, replace(read, searched=searched), top_k, offset)
    if added_subject(conversation, read.searched, searched) and not answers_within(found, conversation):
        alone = _search(source, read, top_k, offset)  # the question may have moved on
        # Passages away from the conversation's subject answer only if they cover the question's own words.
        if alone.answered or not _covers_own(source, read.searched, found):
            searched, found = read.searched, alone
    short = found.short_answer
    leaned = searched != read.searched and not is_ellipsis(read.text)
    after = remember(
        searched,
        names(searched),
        person=short.text if short and short.kind == "person" else "",
        thing=short.text if short and short.kind == "organisation" else "",
        earlier=conversation if leaned else None,
    )
    return replace(found, searched_as=searched if searched != read.searched else "", conversation=after)


def _covers_own(source: Answering, question: str, found: Answer) -> bool:
    """Tell whether the passages found for a bare question read with the conversation cover enough of
    the question's own words (and the answer it asks for) to answer it."""
    _, asked = asked_of(source.index, question)
    texts = [prepared_passage(indexed_text(h.chunk)) for h in found.hits[:REFUSAL_DEPTH]]
    return not asked or max((coverage(asked, t) for t in texts), default=0.0) >= source.settings.min_coverage


def _search(source: Answering, read: Question, top_k: int | None, offset: int) -> Answer:
    """Answer a question as read (and rewritten), or refuse it."""
    index, min_coverage = source.index, source.settings.min_coverage
    cs, asked = asked_of(index, read.searched)
    if not cs:
        return _refusal(source, read, (), [], "no searchable words in the question")
    if missing := unknown_names(index, cs, read.searched):  # some may be printed abbreviated (中科院)
        missing, cs, asked = names_held_abbreviated(source.english.lexicon, missing, cs, asked)
    if missing:
        reason = f"names the archive never mentions: {'/'.join(missing)}"
        return replace(_refusal(source, read, tuple(c.term for c in cs), [], reason), missing=missing)
    ranked = _candidates(index, read.searched, cs, CANDIDATES + offset)
    texts = [prepared_passage(indexed_text(chunk)) for chunk, _ in ranked[:REFUSAL_DEPTH]]
    terms = tuple(c.term for c in cs)
    typed = next((a for a in asked if isinstance(a, Asked)), None)
    years = [c.term for c in cs if _YEAR.fullmatch(c.term)]
    # Only a passage of the question's years counts (a 2019 list does not answer about 2021).
    of_years = [t for t in texts[:REFUSAL_DEPTH] if all(y in t for y in years)]
    best = max((coverage(asked, t) for t in of_years), default=0.0)
    if best < min_coverage:
        reason = f"coverage {best:.2f}" + (f", years {'/'.join(years)} asked" if years else "")
        # Passages about the question's words that lack only the typed answer: say which answer.
        about = typed is not None and max((coverage(cs, t) for t in of_years), default=0.0) >= min_coverage
        return _refusal(source, read, terms, ranked, reason, typed if about else None)
    # Reordered only now: which passages the refusal looks at stays BM25's choice (its threshold was set so).
    ranked, texts, prepared = _reorder(source, read, ranked, asked, typed)
    if typed:
        stating = stating_first(ranked, texts, typed, asked, min_coverage)
        if stating is None:
            # Every word may be in the archive and still no passage says when, or how much: a near miss.
            reason = f"no passage states the {typed.kind} asked for"
            return _refusal(source, read, terms, ranked, reason, typed)
        ranked = stating
    k = source.settings.top_k if top_k is None else top_k
    ranked = credited_first(ranked, prepare(read.searched))  # 徐鼎烨写了哪些报道？: their work first
    relevant = _relevant(_pick(ranked, len(ranked)), asked, prepared, RELEVANT_SHARE * best, read.searched)
    hits = _hits(relevant[offset : offset + k], cs, asked, prepared, offset)
    short = (
        short_answer(asked, read.searched, hits, read.text if read.searched_for else "")
        if offset == 0
        else None
    )
    items, listed = ((), None) if short or offset else list_answer(read.text, hits, _article_of(index))
    if listed is not None:  # the passage the list stands in comes first
        hits = tuple(replace(h, rank=offset + n) for n, h in enumerate(_first(listed, hits), start=1))
    if short:
        hits, short = _answer_first(hits, short, offset)
    extra: dict[str, object] = {"coverage": round(best, 3)}
    return Answer(
        read.text,
        terms,
        answered=True,
        hits=hits,
        extra=extra,
        searched_for=read.searched_for,
        short_answer=short,
        items=items,
        relevant=len(relevant),
    )


def _reorder(
    source: Answering, read: Question, ranked: Ranked, asked: Sequence[Wanted], typed: Asked | None
) -> tuple[Ranked, list[str], dict[int, str]]:
    """Re-rank the candidates by meaning, then by coverage; return them, the texts of the reordered
    head (in its order) and the prepared text of each candidate by chunk id."""
    ranked = _semantic_order(source, read, ranked, typed)
    texts = [prepared_passage(indexed_text(chunk)) for chunk, _ in ranked[:TYPED_DEPTH]]
    prepared = {chunk.id: text for (chunk, _), text in zip(ranked, texts, strict=False)}
    moved = coverage_order(asked, read.searched, texts, [score for _, score in ranked])
    ranked = [(ranked[i][0], score) for i, score in moved] + ranked[len(moved) :]
    return ranked, [texts[i] for i, _ in moved], prepared


def _candidates(index: Index, question: str, cs: Sequence[Concept], k: int) -> Ranked:
    """Return BM25's best ``k`` passages with a score above 0, each decoded once from the records."""
    query = index.tokenizer.query(question) + [s for c in cs for s in c.synonyms]
    ids, scores = index.bm25.top_k(query, k)
    return [(index.chunks[int(i)], float(s)) for i, s in zip(ids, scores, strict=True) if s > 0]


def _semantic_order(source: Answering, read: Question, ranked: Ranked, typed: Asked | None) -> Ranked:
    """Re-rank BM25's candidates by their similarity to the question too, when vectors are at hand.

    Not for an English question (the model read them worse than the glossary and CC-CEDICT reading,
    alone or mixed with it: docs/meaning.md), nor for one about a person: asking a person's title (宋召强
    是什么职务？) or naming a reporter of the candidates (魏东雅写了哪些报道？), its key word is a name, which
    BM25 matches exactly and the model only roughly.
    """
    vectors = source.vectors
    if vectors is None or len(ranked) < 2 or read.searched_for or (typed and typed.kind in _ABOUT_PEOPLE):
        return ranked
    head = ranked[:SEMANTIC_DEPTH]
    asked_text = prepare(read.searched)
    if any(credits_named(chunk, asked_text) for chunk, _ in head):
        return ranked
    # In Simplified characters: a Traditional question is then read exactly as its Simplified twin.
    question = source.question_vector(to_simplified(normalize(read.searched)))
    if question is None:
        return ranked
    return mixed_order(ranked, vectors.of([chunk.id for chunk, _ in head]) @ question)


def _hits(
    picked: Ranked,
    cs: Sequence[Concept],
    asked: Sequence[Wanted],
    prepared: dict[int, str],
    offset: int,
) -> tuple[Hit, ...]:
    """Return the picked passages as results: evidence sentence, the question's words matched and not."""
    hits = []
    for rank, (chunk, score) in enumerate(picked, start=offset + 1):
        text = _prepared(chunk, prepared)
        forms = {c.term: c.found(text) for c in cs}
        matched = tuple(term for term, form in forms.items() if form)
        unmatched = tuple(term for term, form in forms.items() if not form)
        marks = tuple(dict.fromkeys(form for form in forms.values() if form))
        hits.append(Hit(rank, score, chunk, best_sentence(asked, chunk), matched, unmatched, marks))
    return tuple(hits)


def _article_of(index: Index) -> Callable[[Hit], Article | None]:
    """Return how to read a result's article from disk (only a list question needs it)."""
    return lambda hit: index.article(hit.chunk.article_id)


def _answer_first(
    hits: tuple[Hit, ...], short: ShortAnswer, offset: int
) -> tuple[tuple[Hit, ...], ShortAnswer]:
    """Put the passage stating the short answer first, its evidence the sentence that states it."""
    stating = next(h for h in hits if h.rank == short.rank)
    hits = tuple(
        replace(h, rank=offset + n, answer_sentence=short.sentence if h is stating else h.answer_sentence)
        for n, h in enumerate(_first(stating, hits), start=1)
    )
    return hits, replace(short, rank=offset + 1)


def _first(hit: Hit, hits: Sequence[Hit]) -> list[Hit]:
    """Return the results with one of them moved first."""
    return [hit, *(h for h in hits if h is not hit)]


def _relevant(
    picked: Ranked, asked: Sequence[Wanted], prepared: dict[int, str], share: float, question: str
) -> Ranked:
    """Keep the passages that cover at least ``share`` of the question's weighted words (one matching only
    商会 answers nothing), and those whose byline names the person asked about (魏东雅写了哪些报道？:
    jieba's dictionary cuts an unknown name into characters, which weigh little)."""
    asked_text = prepare(question)
    kept = []
    for chunk, score in picked:
        if coverage(asked, _prepared(chunk, prepared)) < share and not credits_named(chunk, asked_text):
            continue
        kept.append((chunk, score))
    return kept


@lru_cache(maxsize=PREPARED_CACHE)
def prepared_passage(text: str) -> str:
    """Return a passage's text prepared for matching; cached, as the same passages come up for question
    after question and preparing (normalising, Traditional to Simplified) costs more than the search."""
    return prepare(text)


def _prepared(chunk: Chunk, prepared: dict[int, str]) -> str:
    """Return a passage's indexed text as prepared for matching, kept in ``prepared`` for the next use."""
    if chunk.id not in prepared:
        prepared[chunk.id] = prepared_passage(indexed_text(chunk))
    return prepared[chunk.id]


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


def _refusal(
    source: Answering,
    read: Question,
    terms: tuple[str, ...],
    ranked: Ranked,
    reason: str,
    unstated: Asked | None = None,
) -> Answer:
    """Refuse a question, offering the closest headlines, the archive's words nearest to those it does not
    know and, for a near miss, the kind of answer it lacks."""
    titles = tuple(dict.fromkeys(chunk.title or chunk.text[:16] for chunk, _ in ranked))[:NEAR_TITLES]
    return Answer(
        read.text,
        terms,
        answered=False,
        near_titles=titles,
        reason=reason,
        searched_for=read.searched_for,
        near_terms=_near_terms(source, terms, prepare(read.searched)),
        unstated_kind=unstated.kind if unstated else "",
        unstated_about=unstated.focus[0] if unstated else "",
    )


def _near_terms(source: Answering, terms: tuple[str, ...], question: str) -> tuple[str, ...]:
    """Return the archive's words nearest to the question's words it does not hold (商汇 -> 商会)."""
    unknown = [t for t in rejoin(terms, question) if source.index.bm25.doc_freq(t) == 0]
    if not unknown:
        return ()
    lexicon = source.english.lexicon  # built on first use: only a refusal with unknown words needs it
    near = (m.term for t in unknown for m in near_misses(lexicon, t) if m.term not in terms)
    return tuple(dict.fromkeys(near))[:MAX_NEAR_TERMS]


def stating_first(
    ranked: list[tuple[Chunk, float]],
    texts: list[str],
    typed: Asked,
    asked: Sequence[Wanted],
    min_coverage: float,
) -> list[tuple[Chunk, float]] | None:
    """Put the passages (among those with prepared ``texts``) that state the typed answer asked for, cover
    the question and score within TYPED_NEAR of the best first, in BM25 order; return None when none of
    the passages states it.

    They keep their BM25 scores, so a result's score is not always above the next one's.
    """
    states = [
        typed.match(prepare(chunk.text), text) > 0 and coverage(asked, text) >= min_coverage
        for (chunk, _), text in zip(ranked, texts, strict=False)
    ]
    if not any(states):
        return None
    top = ranked[0][1]
    promote = [s and score >= TYPED_NEAR * top for s, (_, score) in zip(states, ranked, strict=False)]
    order = sorted(range(len(states)), key=lambda i: (not promote[i], i))
    return [ranked[i] for i in order] + ranked[len(states) :]
