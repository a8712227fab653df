"""The pieces every skin shows around a passage, as plain text: its citation, the question's words it
matches, what a near miss lacks, and where to mark the matched words.

The CLI prints them as they are; the bot escapes them into HTML. Neither formats a citation of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from replies.words import Lang, for_lang
from retrieval import Answer, Chunk, Hit

MIN_MARKED_TERM_CHARS = 2  # single characters would mark half of every passage


def citation(chunk: Chunk, lang: Lang) -> str:
    """Return the citation line: 《headline》 · section · paper, date, page · paragraph N · byline · file."""
    w = for_lang(lang)
    where = ", ".join(part for part in (chunk.paper, chunk.date, chunk.page) if part)
    parts = (
        f"《{chunk.title}》" if chunk.title else w.photo_cited,
        chunk.section,
        where,
        w.paragraph.format(n=chunk.paragraph),
        chunk.byline,
        chunk.source,
    )
    return " · ".join(part for part in parts if part)


def term_line(hit: Hit, lang: Lang) -> str:
    """Return which of the question's words a passage holds and which it does not."""
    w = for_lang(lang)
    parts = [
        template.format(terms=w.separator.join(terms))
        for template, terms in ((w.matched, hit.matched_terms), (w.unmatched, hit.unmatched_terms))
        if terms
    ]
    return w.clause_separator.join(parts)


def unstated_note(answer: Answer, lang: Lang) -> str:
    """Say what a near miss lacks (passages mention 会长 but name no one), or "" for other refusals."""
    w = for_lang(lang)
    kind = w.kinds.get(answer.unstated_kind)
    return w.unstated.format(about=answer.unstated_about, kind=kind) if kind else ""


def term_spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    """Return where the matched terms stand in a text, left to right, the longest term first at each place
    (case ignored; terms shorter than MIN_MARKED_TERM_CHARS are not marked)."""
    kept = sorted({t for t in terms if len(t.strip()) >= MIN_MARKED_TERM_CHARS}, key=len, reverse=True)
    if not kept:
        return []
    pattern = re.compile("|".join(re.escape(t) for t in kept), re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]
