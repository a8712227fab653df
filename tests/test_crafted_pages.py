"""Crafted pages (tests/pages/*.txt), one per convention of Chinese newspapers. In the seeds' style:
headline before or after the body, kicker and subtitle in either order, labels (综述, 评论员文章, 记者手记),
editors' lines, （完） and closing bylines, headers and folios, jump lines, column breaks, spaced type,
photo credits before or after their captions, a table, a page with no 本报讯. In other papers' styles (a
provincial daily, a city evening paper): paragraphs opened by an ideographic indent with no blank line
between them, a three-line headline block set tight above its byline and text, bylines naming 记者,
通讯员 and 实习生, a ——记 profile subtitle, letter-spaced 本 报 讯, closing bylines of contributors only,
photo credits in parentheses at the end of a caption, editors' lines without colons; a headline naming
its subject before a colon, a headline as wide as the column over a subtitle with a comma, an item
without a lead after one its closing byline ended, a credit naming its agency (摄/视觉南城), a column of
briefs each signed by its own closing byline. `expected.json`
says what a reader sees on each: every item's kind, headline, byline, contributors and where its body
starts and ends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval.models import Article, Page
from retrieval.parse.articles import split_articles
from tests.test_articles import assert_nothing_lost

PAGES = Path(__file__).resolve().parent / "pages"
EXPECTED: dict[str, dict[str, object]] = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))


def test_there_are_enough_crafted_pages_and_each_has_its_expectations() -> None:
    assert len(EXPECTED) >= 20
    assert sorted(EXPECTED) == sorted(p.stem for p in PAGES.glob("*.txt"))


def _seen(art: Article) -> dict[str, object]:
    paras = [p.text for p in art.paragraphs]
    return {
        "kind": art.kind,
        "headline": list(art.headline),
        "byline": art.byline,
        "contributors": art.contributors,
        "body": (paras[0], paras[-1]) if paras else ("", ""),
        "sections": art.sections,
        "paragraphs": len(paras),
    }


def _matches(seen: dict[str, object], want: dict[str, object]) -> bool:
    first, last = seen["body"]  # type: ignore[misc]
    return (
        all(seen[key] == want[key] for key in ("kind", "headline", "byline", "contributors"))
        and first.startswith(str(want["first"]))
        and last.endswith(str(want["last"]))
        and all(seen[key] == want[key] for key in ("sections", "paragraphs") if key in want)
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_crafted_page(name: str) -> None:
    page = Page(source=f"{name}.txt", text=(PAGES / f"{name}.txt").read_text(encoding="utf-8"))
    result = split_articles(page)
    assert_nothing_lost(page, result)
    want = EXPECTED[name]
    wanted: list[dict[str, object]] = want["articles"]  # type: ignore[assignment]
    seen = [_seen(a) for a in result.articles]
    assert len(seen) == len(wanted), [s["headline"] for s in seen]
    for got, expected in zip(seen, wanted, strict=True):
        assert _matches(got, expected), (got, expected)
    if want["header"]:
        assert list(result.header) == want["header"]
