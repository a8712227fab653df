"""Articles continued on another page (（下转第3版） … （上接第1版）): the two parts are one article to a
reader. Pure functions over Article: which page a part jumps to or from, which part goes with which, and
the whole article they make. The parts stay two items of their pages in the index (each passage cites the
page it is printed on); 全文 and the article lists show them joined."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from retrieval.models import Article, Paragraph

_OUT = re.compile(r"[（(]\s*(?:下转|转)\s*第?\s*([A-Z]?\d{1,3})\s*版\s*[）)]$")
_IN = re.compile(r"^[（(]\s*(?:上接|接)\s*第?\s*([A-Z]?\d{1,3})\s*版\s*[）)]")


def _page(number: str) -> str:
    """A page number as folios print it, without leading zeros (A03 → A3, 03 → 3)."""
    letter, digits = re.fullmatch(r"([A-Z]?)(\d+)", number).groups()  # type: ignore[union-attr]
    return f"{letter}{int(digits)}"


def jumps_to(article: Article) -> str | None:
    """The page the article goes on to, when its text ends with a jump line."""
    last = article.paragraphs[-1].text.strip() if article.paragraphs else ""
    match = _OUT.search(last)
    return _page(match[1]) if match else None


def jumps_from(article: Article) -> str | None:
    """The page the article comes from, when its text starts with a jump line."""
    first = article.paragraphs[0].text.strip() if article.paragraphs else ""
    match = _IN.match(first)
    return _page(match[1]) if match else None


def _same_headline(one: Article, other: Article) -> bool:
    """Continuations repeat the headline, or a shortened one: one holds the other, spaces aside."""
    a, b = "".join(one.title.split()), "".join(other.title.split())
    return bool(a and b) and (a in b or b in a)


def _page_of(article: Article) -> str | None:
    number = article.meta.page_number
    return _page(number) if number and re.fullmatch(r"[A-Z]?\d+", number) else None


def continuation(first: Article, candidates: Iterable[Article]) -> Article | None:
    """The part that continues ``first`` on another page: it comes from a page, bears the same headline,
    is printed where ``first`` says it goes (when the page numbers are known), in the same paper and
    issue (when known), and is not ``first`` itself."""
    target = jumps_to(first)
    if target is None:
        return None
    for other in candidates:
        if other.id == first.id or jumps_from(other) is None or not _same_headline(first, other):
            continue
        if _page_of(other) not in (None, target):
            continue
        if _page_of(first) is not None and jumps_from(other) != _page_of(first):
            continue
        if (first.meta.paper, first.meta.date) != (other.meta.paper, other.meta.date):
            continue
        return other
    return None


def joined(first: Article, rest: Article) -> Article:
    """The whole article: the first part's headline and byline, both parts' text without the jump lines."""
    head = list(first.paragraphs)
    if head and _OUT.fullmatch(head[-1].text.strip()):
        head = head[:-1]
    elif head:
        last = head[-1]
        head[-1] = Paragraph(_OUT.sub("", last.text.strip()), last.section, last.first_line, last.last_line)
    tail = list(rest.paragraphs)
    if tail and _IN.fullmatch(tail[0].text.strip()):
        tail = tail[1:]
    elif tail:
        tail[0] = Paragraph(
            _IN.sub("", tail[0].text).lstrip(), tail[0].section, tail[0].first_line, tail[0].last_line
        )
    return replace(first, paragraphs=(*head, *tail), source=f"{first.source} + {rest.source}")
