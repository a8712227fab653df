"""The short answer: (what is asked, ranked results) -> the exact span of a passage that answers, or None.

A typed question (answer_types.py: a year, a date, a duration, a sum, a rate, a count, a person) is
answered by a sentence that names what is asked about and states an answer of that kind; the span nearest
the focus word, in the same clause, is the short answer (仅需5分钟, 5家, 黄玉霞). A question asking which
organisation, document or title (哪家银行, 什么文件, 命名为什么) takes the one name of that kind in the
sentence that covers the question best (which.py). It is cautious: only the first SHORT_DEPTH results
are read, a span must stand in the focus's clause, and two different candidates there give none — a
wrong short answer is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.ask.answer_types import AmountAsked, AnswerAsked, Asked, Span, english_asked
from retrieval.ask.coverage import Concept, coverage
from retrieval.ask.which import which_asked
from retrieval.models import Hit, ShortAnswer
from retrieval.parse.chunks import sentences
from retrieval.terms.tokens import prepare

SHORT_DEPTH = 2  # results read for a short answer: a fact stated only further down is too uncertain
_CLAUSE_BREAK = re.compile(r"[，。；：,;:！？!?（）()]")
# Stated but no answer: "recently", "this year" say when only to someone who knows when it was printed.
_VAGUE = frozenset({"近日", "日前", "今年", "去年", "明年", "上旬", "中旬", "下旬", "近期"})
Wanted = Concept | AmountAsked | Asked


def short_answer(
    asked: Sequence[Wanted], question: str, hits: Sequence[Hit], english: str = ""
) -> ShortAnswer | None:
    """Return the span of one of the first results that answers the question (``english``: as asked,
    when it was read from English), or None."""
    typed = next((a for a in asked if isinstance(a, Asked)), None)
    if english and typed is None:
        words = [c.term for c in asked if isinstance(c, Concept)]
        typed = english_asked(english, words, 1.0)
    which = None if typed else which_asked(prepare(question))
    if typed is None and which is None:
        return None
    for hit in hits[:SHORT_DEPTH]:
        for sentence in _by_coverage(asked, hit.chunk.text):
            if typed:
                stated = _typed(typed, sentence, lambda clause: coverage(asked, clause))
            else:
                stated = which.find(sentence, question) or ""  # type: ignore[union-attr]
            if stated is None:
                continue  # states no answer of the kind: the next sentence may
            if not stated:  # the sentence that best covers the question is unclear: no safer elsewhere
                return None
            kind = typed.kind if typed else which.kind  # type: ignore[union-attr]
            return ShortAnswer(stated, hit.rank, kind, sentence.strip())
    return None


def _by_coverage(asked: Sequence[Wanted], text: str) -> list[str]:
    """Return a passage's sentences, those covering more of the question first (in order on a tie)."""
    parts = sentences(text) or [text]
    return sorted(parts, key=lambda s: -coverage(asked, prepare(s)))


def _typed(typed: Asked, sentence: str, score: Callable[[str], float]) -> str | None:
    """Return the span of a sentence that states the typed answer; "" when it states candidates but none
    clearly, None when it states none."""
    prepared = prepare(sentence)
    for part in typed.parts:
        if not part.states(prepared):
            continue
        found = _in_clause(part, prepared, score)
        return (_original(sentence, prepared, found) or "") if found else ""
    return None


def _in_clause(part: AnswerAsked, sentence: str, score: Callable[[str], float]) -> Span | None:
    """Return the one answer the (prepared) sentence states about the focus, or None when it is unclear.

    One beside the focus (30家商会) wins; else one in a clause naming the focus; else the sentence's only
    one (9月1日，…上线了自助体检机). Among several, the one whose clause covers more of the question
    (向7家商会派出党建指导员 over 直接联系4家商会党组织, asked who got instructors).
    """
    focus = [m.span() for form in part.focus for m in re.finditer(re.escape(form), sentence)]
    spans = [s for s in part.states(sentence) if sentence[s[0] : s[1]].strip() not in _VAGUE]
    if part.kind == "person":  # names beside the title, the nearest first, clauses already checked
        return spans[0] if spans else None
    for chosen in (
        [s for s in spans if any(_gap(s, f) == 0 for f in focus)],
        [s for s in spans if any(_same_clause(sentence, s, f) for f in focus)],
        spans,
    ):
        if len({sentence[a:b].strip() for a, b in chosen}) == 1:
            return chosen[0]
        if chosen:
            return _clearly_best(sentence, chosen, score)
    return None


def _clearly_best(sentence: str, spans: list[Span], score: Callable[[str], float]) -> Span | None:
    """Return the span whose clause covers the question best, or None on a tie."""
    scored = sorted(((score(_clause(sentence, s)), s) for s in spans), reverse=True)
    distinct = [(value, s) for value, s in scored if sentence[s[0] : s[1]] != sentence[scored[0][1][0] : scored[0][1][1]]]
    if distinct and distinct[0][0] >= scored[0][0]:
        return None
    return scored[0][1]


def _clause(sentence: str, span: Span) -> str:
    """Return the clause of a sentence a span stands in."""
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, span[0])]
    end = _CLAUSE_BREAK.search(sentence, span[1])
    return sentence[starts[-1] if starts else 0 : end.start() if end else len(sentence)]


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(a[0] - b[1], b[0] - a[1], 0)


def _same_clause(sentence: str, a: Span, b: Span) -> bool:
    """Tell whether no clause break stands between two spans of a sentence."""
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    return lo >= hi or not _CLAUSE_BREAK.search(sentence, lo, hi)


def _original(sentence: str, prepared: str, span: Span) -> str | None:
    """Return the words of a span of the prepared sentence as the passage prints them."""
    text = prepared[span[0] : span[1]].strip()
    if len(prepared) == len(sentence) and sentence[span[0] : span[1]].strip().lower() == text:
        return sentence[span[0] : span[1]].strip()
    at = sentence.lower().find(text)
    return sentence[at : at + len(text)] if at >= 0 else None
