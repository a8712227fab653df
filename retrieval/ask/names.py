"""Names in a question: which it holds that the archive prints (for follow-ups), and which the archive
never prints in any form (郑州市, 富士康), so that a question about them is refused saying so."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from retrieval.ask.coverage import Concept, Wanted
from retrieval.ask.near_miss import Lexicon, abbreviation
from retrieval.index.snapshot import Index
from retrieval.terms.synonyms import in_lexicon
from retrieval.terms.tagging import PERSON_TAGS, PLACE_OR_ORG, is_name, tagged_words, word_tag
from retrieval.terms.tokens import BIGRAM_MARK

MIN_NAME_CHARS = 2
_ADMIN_SUFFIXES = "省市县区镇乡村"


def question_names(index: Index, text: str) -> list[str]:
    """Return the names a question holds that the archive prints: places, organisations, people and the
    archive's own terms of four characters or more, the longest form of each (许昌市 over 许昌)."""
    found = [
        term
        for term in index.tokenizer.question_terms(text)
        if index.bm25.doc_freq(term) > 0
        and (
            (is_name(term) and not in_lexicon(term))
            or (len(term) >= 4 and index.tokenizer.is_domain_term(term))
        )
    ]
    return [t for t in dict.fromkeys(found) if not any(t != o and t in o for o in found)]


def unknown_names(index: Index, cs: Sequence[Concept], question: str) -> tuple[str, ...]:
    """Return the names in a question (a place, an organisation, a person: 郑州市, 富士康, GDP) that no
    passage holds in any form: a question about them is about something the archive does not cover.

    A name here is what jieba's dictionary tags as a place, organisation or proper noun, or a person's
    name of three characters or more that the question's own tagging keeps whole; an everyday word
    (Cilin lists it) is none. It is held when a passage prints it, an alias of it, or each of its
    character pairs (烟草专卖局 is printed as 禹州市烟草专卖局).
    """
    tagged = None
    out = []
    for c in cs:
        if len(c.term) < MIN_NAME_CHARS or c.synonyms or in_lexicon(c.term) or _held(index, c):
            continue
        tag = word_tag(c.term)
        # A place is 郑州 and its 市: only its own name counts (禹州市 prints 州市, never 郑州).
        place = tag == "ns" and c.term[-1] in _ADMIN_SUFFIXES
        if len(c.term) > 2 and (
            index.bm25.doc_freq(c.term[:-1])
            or (not place and word_tag(c.term[1:]) and index.bm25.doc_freq(c.term[1:]))
        ):
            continue  # a held word and one character more is jieba cutting across words (银行|卡住)
        if c.term.isascii():
            if c.term.isalpha() and _capitalised(c.term, question):
                out.append(c.term)
        elif tag in PLACE_OR_ORG:
            out.append(c.term)
        elif tag in PERSON_TAGS and len(c.term) >= 3:
            tagged = tagged if tagged is not None else dict(tagged_words(question))
            if tagged.get(c.term, "") in PERSON_TAGS:
                out.append(c.term)
    return tuple(out)


def _capitalised(term: str, question: str) -> bool:
    """Tell whether a Latin word is written as a name in the question (GDP, Foxconn), not as a lowercase
    word (http, code) that markup or a pasted link brings in."""
    return any(
        not m[0].islower()
        for m in re.finditer(rf"(?<![A-Za-z]){re.escape(term)}(?![A-Za-z])", question, re.I)
    )


def _held(index: Index, c: Concept) -> bool:
    """Tell whether a passage holds a question word, an alias of it, or every pair of its characters."""
    if index.bm25.doc_freq(c.term) or any(index.bm25.doc_freq(a) for a in c.aliases):
        return True
    # A city paper's 我市 is the city its name carries (安阳 of 安阳日报): its pages speak of it unnamed.
    city = c.term.rstrip("市")
    if city and any(city in paper for paper in index.manifest.get("papers", ())):
        return True
    pairs = [c.term[i : i + 2] for i in range(len(c.term) - 1)]
    return not c.term.isascii() and all(index.bm25.doc_freq(BIGRAM_MARK + p) for p in pairs)


def names_held_abbreviated(
    lexicon: Lexicon, missing: Sequence[str], cs: list[Concept], asked: list[Wanted]
) -> tuple[tuple[str, ...], list[Concept], list[Wanted]]:
    """Return the names still missing once those the archive prints only abbreviated (中科院 for 中国科学院)
    are searched through their short form, and the question's words with those forms added."""
    short = {name: abbreviation(lexicon, name) for name in missing}
    if not any(short.values()):
        return tuple(missing), cs, asked

    def with_short(c: Wanted) -> Wanted:
        form = short.get(c.term) if isinstance(c, Concept) else None
        return replace(c, synonyms=(*c.synonyms, form)) if form and isinstance(c, Concept) else c

    return (
        tuple(name for name in missing if not short[name]),
        [with_short(c) for c in cs],  # type: ignore[misc]
        [with_short(a) for a in asked],
    )
