"""A page's printed name and number (its banner and folio) stand in for the sidecar's when it has none:
retrieval/parse/masthead.py printed_page, applied by articles.split_articles, carried into Chunk.page."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Archive, Settings
from retrieval.models import Page, PageMeta
from retrieval.parse.articles import split_articles
from retrieval.parse.chunks import chunk_articles
from retrieval.parse.masthead import printed_page
from retrieval.parse.pages import read_page

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
BODY = (
    "本报讯（记者 张三）近日，许昌市消费品批发和零售业商会举办年货节，\n"
    "吸引了众多市民前来选购，商会组织会员企业推出了一批优惠商品。\n"
    "\n"
    "年货节期间，商会还开展了送温暖活动，受到了市民和会员企业的欢迎。\n"
    "\n"
    "零售业商会举办年货节\n"
)


def parsed(text: str) -> tuple[set[PageMeta], set[str | None]]:
    """The metas of a page's articles and the page labels of its chunks."""
    result = split_articles(Page(source="x.txt", text=text))
    assert result.articles and all(a.paragraphs for a in result.articles)
    return {a.meta for a in result.articles}, {c.page for c in chunk_articles(result.articles)}


def test_pinyin_banner_gives_the_chinese_name_not_the_pinyin() -> None:
    metas, labels = parsed("MINSHENG JINGJI\n经济\n\n" + BODY)
    assert metas == {PageMeta(page_name="经济")}
    assert labels == {"经济"}


def test_page_without_banner_has_no_name() -> None:
    metas, labels = parsed(BODY)
    assert metas == {PageMeta()}
    assert labels == {None}


@pytest.mark.parametrize(
    ("banner", "number", "name"),
    [
        ("第5版 经济新闻", "5", "经济新闻"),
        ("A03 要闻", "A03", "要闻"),
        ("要闻 A03", "A03", "要闻"),
        ("第05版：民生", "5", "民生"),
        ("MINSHENG JINGJI\n经济\n第5版", "5", "经济"),
        ("第5版\n经济新闻", "5", "经济新闻"),
        ("JINGJI\n第5版", "5", None),
    ],
)
def test_folio_gives_the_page_number_and_banner_the_name(banner: str, number: str, name: str | None) -> None:
    metas, labels = parsed(banner + "\n\n" + BODY)
    assert metas == {PageMeta(page_number=number, page_name=name)}
    assert labels == {f"{number} {name}" if name else number}


def test_folio_at_the_foot_of_the_page_gives_the_number() -> None:
    text = "MINSHENG JINGJI\n经济\n\n" + BODY + "\n责任编辑：王五\n\n2021年9月3日 星期五\n\n12\n"
    metas, labels = parsed(text)
    assert metas == {PageMeta(date="2021-09-03", page_number="12", page_name="经济")}  # the date printed too
    assert labels == {"12 经济"}


def test_dates_editors_and_pinyin_are_never_the_name() -> None:
    assert printed_page(("2021年9月3日 星期五", "责任编辑：王五", "JINGJI")) == (None, None)
    assert printed_page(("经济", "要闻")) == (None, "经济")  # the first name printed wins


def test_a_line_opening_with_a_number_is_text_not_a_banner() -> None:
    # Pages begin mid-sentence: `14 家…` is the rest of a paragraph, not folio 14 of a page named 家….
    text = "14 家行业商会入驻总商\n会基地，实现了各行业商会统一办公。\n\n" + BODY
    metas, _ = parsed(text)
    assert metas == {PageMeta()}
    first = split_articles(Page(source="x.txt", text=text)).articles[0]
    assert first.paragraphs[0].text.startswith("14家行业商会入驻总商会基地")


def test_the_sidecar_wins_and_the_page_fills_only_what_it_leaves_unknown(tmp_path: Path) -> None:
    page = tmp_path / "p.txt"
    page.write_text("第5版 经济新闻\n\n" + BODY, encoding="utf-8")
    sidecar = tmp_path / "p.toml"
    sidecar.write_text('paper = "许昌日报"\npage_number = "6"\npage_name = "民生经济"\n', encoding="utf-8")
    (meta,) = {a.meta for a in split_articles(read_page(page)).articles}
    assert (meta.paper, meta.page_number, meta.page_name) == ("许昌日报", "6", "民生经济")
    sidecar.write_text('page_number = "6"\n', encoding="utf-8")
    (meta,) = {a.meta for a in split_articles(read_page(page)).articles}
    assert (meta.page_number, meta.page_name) == ("6", "经济新闻")


def test_the_index_keeps_the_printed_name(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("A03 要闻\n\n" + BODY, encoding="utf-8")
    (pages / "b.txt").write_text(BODY, encoding="utf-8")
    archive = Archive.open(Settings(seeds_dir=pages, index_dir=tmp_path / "index", vectors=False))
    labels = {c.source: c.page for c in archive.index.chunks}
    assert labels == {"a.txt": "A03 要闻", "b.txt": None}
    assert {a.source: a.meta.page_name for a in archive.articles} == {"a.txt": "要闻", "b.txt": None}


def test_the_seed_page_with_a_banner_is_named() -> None:
    pages = [read_page(path) for path in sorted(SEEDS.glob("*.txt"))]
    names = {page.source: {a.meta.page_name for a in split_articles(page).articles} for page in pages}
    assert names["001_73203bc2ffbfe497.txt"] == {"经济"}
    assert names["000_ceb8d8b2816fae3d.txt"] == {None}  # it prints no banner
