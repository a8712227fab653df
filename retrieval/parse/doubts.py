"""What in a parsed page looks wrong to a reader: items a layout may have defeated the parser on. Said
when a page is added, by name and source lines, so that an editor can look and fix it with a sidecar's
[parser] overrides (article_starts, headline_lines, layout). Pure functions over Article."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from retrieval.models import Article

MIN_BODY_CHARS = 12  # an article with less text than this is a fragment, not an item
_SENTENCE_END = re.compile(r"[。！？；]$")
Problem = Literal["no headline", "headline reads as a sentence", "almost no text"]


@dataclass(frozen=True)
class Doubt:
    """An item of a page that looks wrong: which one, where in the page file, and what."""

    item: int  # 1-based, in page order
    first_line: int
    last_line: int
    problems: tuple[Problem, ...]

    def __str__(self) -> str:
        return f"item {self.item} (lines {self.first_line}–{self.last_line}): {'; '.join(self.problems)}"


def doubts(articles: Sequence[Article]) -> list[Doubt]:
    """Return the doubtful items of a page (photo captions aside)."""
    found = []
    for number, article in enumerate(articles, start=1):
        problems = _problems(article) if article.kind == "article" else ()
        if problems:
            found.append(Doubt(number, *_lines(article), problems))
    return found


def _problems(article: Article) -> tuple[Problem, ...]:
    body = "".join(p.text for p in article.paragraphs)
    problems: list[Problem] = []
    if not article.headline:
        problems.append("no headline")
    elif any(_SENTENCE_END.search(line) for line in article.headline):
        problems.append("headline reads as a sentence")
    if len(body) < MIN_BODY_CHARS:
        problems.append("almost no text")
    return tuple(problems)


def _lines(article: Article) -> tuple[int, int]:
    """The source lines an item spans, as an editor finds them in the page file."""
    spans = [(p.first_line, p.last_line) for p in article.paragraphs]
    spans += [(n, n) for n in article.headline_span]
    return (min(a for a, _ in spans), max(b for _, b in spans)) if spans else (0, 0)
