"""The pieces every skin shows around a passage, as plain text: its citation, the question's words it
matches, what a near miss lacks, and where to mark the matched words.

The CLI prints them as they are; the bot escapes them into HTML. Neither formats a citation of its own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath

from replies.words import Lang, for_lang
from retrieval import Answer, Chunk, Hit

MIN_MARKED_TERM_CHARS = 2  # single characters would mark half of every passage
_HASH = re.compile(r"[_.-]?[0-9a-f]{12,}", re.IGNORECASE)  # content hashes in file names say nothing


def citation(chunk: Chunk, lang: Lang, *, whole_article: bool = False) -> str:
    """Return the citation line: 《headline》 · section · paper, date (or that it is unknown), page (or the
    page file's readable name) · paragraph N · byline and contributors; of the whole article, without the
    passage's subhead and paragraph."""
    w = for_lang(lang)
    where = ", ".join(
        part
        for part in (chunk.paper, chunk.date or w.date_unknown, chunk.page or page_name(chunk.source))
        if part
    )
    parts = (
        f"《{chunk.title}》" if chunk.title else w.photo_cited,
        "" if whole_article else chunk.section,
        where,
        "" if whole_article else w.paragraph.format(n=chunk.paragraph),
        chunk.credits,
    )
    return " · ".join(part for part in parts if part)


def page_name(source: str) -> str:
    """Return a page file's name as a reader can use it: without its extension and content hashes
    (``xcrb_2021-12-01_05.txt`` → ``xcrb_2021-12-01_05``); "" when nothing readable is left
    (``000_ceb8d8b2816fae3d.txt``)."""
    readable = _HASH.sub("", PurePath(source).stem).strip("_.- ")
    return readable if re.search(r"[^\W\d_]", readable) else ""  # a bare number or hash names nothing


def refusal_opening(answer: Answer, lang: Lang, echo: str | None = None) -> str:
    """Return a refusal's first line: the names the archive never mentions, or that nothing answers the
    question (``echo``: the question as the skin repeats it, the whole question by default)."""
    w = for_lang(lang)
    if answer.missing:
        return w.not_mentioned.format(names=w.separator.join(answer.missing))
    return w.no_answer.format(question=answer.question if echo is None else echo)


def list_lines(answer: Answer, lang: Lang) -> list[str]:
    """Return the list an answer quotes: a header, then one numbered line per item with its paragraph; the
    article is cited once after the items when they share one, else after each item."""
    if not answer.items:
        return []
    w = for_lang(lang)
    one_article = len({item.article_id for item in answer.items}) == 1
    lines = [w.listed]
    for n, item in enumerate(answer.items, start=1):
        where = w.paragraph.format(n=item.paragraph) if one_article else citation(item.chunk, lang)
        lines.append(f"{n}. {item.text} ({where})" if lang == "en" else f"{n}. {item.text}（{where}）")
    if one_article:
        lines.append("—— " + citation(answer.items[0].chunk, lang, whole_article=True))
    return lines


def term_line(hit: Hit, lang: Lang) -> str:
    """Return which of the question's words a passage holds and which it does not (single characters,
    bits of a name the segmenter cut, are left out: 匹配：郑、文 helps nobody)."""
    w = for_lang(lang)
    parts = [
        template.format(terms=w.separator.join(shown))
        for template, terms in ((w.matched, hit.matched_terms), (w.unmatched, hit.unmatched_terms))
        if (shown := shown_terms(terms))
    ]
    return w.clause_separator.join(parts)


def unmatched_line(hit: Hit, lang: Lang) -> str:
    """Return the question's words a passage lacks (a partial match), or "" when it holds them all."""
    w = for_lang(lang)
    missing = shown_terms(hit.unmatched_terms)
    return w.unmatched.format(terms=w.separator.join(missing)) if missing else ""


def shown_terms(terms: Sequence[str]) -> list[str]:
    """The question's words worth naming: single characters (bits of a name the segmenter cut) are not."""
    return [t for t in terms if len(t.strip()) >= MIN_MARKED_TERM_CHARS]


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


def whole_terms(text: str, terms: Sequence[str], question: str) -> tuple[str, ...]:
    """Return the terms to mark in a text, each occurrence widened to the longest run of the text around
    it that the question also holds: a name the segmenter cut (黄玉 | 霞) is marked whole, 黄玉霞."""
    widened = dict.fromkeys(terms)
    for start, end in term_spans(text, terms) if question else ():
        while start > 0 and text[start - 1 : end] in question:
            start -= 1
        while end < len(text) and text[start : end + 1] in question:
            end += 1
        widened[text[start:end]] = None
    return tuple(widened)
