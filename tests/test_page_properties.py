"""Property tests: pages composed from articles (tests/page_maker.py) with random conventions and PDF-like
artefacts parse back into those articles — every headline, byline and paragraph — and every character of
the page lands in exactly one place."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from retrieval.models import Page
from retrieval.parse.articles import split_articles
from tests.page_maker import MadePage, pages
from tests.test_articles import _bare, assert_nothing_lost


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pages())
def test_a_composed_page_parses_back_into_its_articles(made: MadePage) -> None:
    page = Page(source="made.txt", text=made.text)
    result = split_articles(page)
    assert_nothing_lost(page, result)
    # Spaces inside a paragraph are layout (a wrap may fall on one): compared without them.
    found = [(a.headline, a.byline, tuple(_bare(p.text) for p in a.paragraphs)) for a in result.articles]
    wanted = [(m.headline, m.byline, tuple(_bare(p) for p in m.paragraphs)) for m in made.articles]
    assert found == wanted, made.text
