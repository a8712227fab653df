"""Cutting articles into cited retrieval chunks (retrieval/chunks.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from retrieval.models import Article, PageMeta, Paragraph
from retrieval.parse.articles import split_articles
from retrieval.parse.chunks import MAX_CHUNK_CHARS, MIN_CHUNK_CHARS, chunk_articles, indexed_text, sentences
from retrieval.parse.pages import read_page
from retrieval.parse.text import ends_sentence

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

P1 = "近年来，许昌市工商联坚持以党建引领商会发展，推动所属商会规范化建设，取得了明显成效，受到会员企业好评。"
P2 = "市工商联制定了商会规范化建设指导意见，指导各商会完善章程，健全内部治理结构，提升商会服务会员的能力。"
P3 = "各商会积极履行社会责任，在防疫抗疫、脱贫攻坚、公益慈善等工作中彰显了担当，赢得了社会各界的广泛赞誉。"
SHORT = "突出商会作用，发展会展经济。"
NO_META = PageMeta()


def article(
    paragraphs: list[tuple[str, str | None]],
    *,
    art_id: str = "005_jingji#1",
    headline: tuple[str, ...] = ("让商会在规范发展中行稳致远", "——许昌市工商联推进商会规范化建设综述"),
    meta: PageMeta = NO_META,
) -> Article:
    paras = tuple(
        Paragraph(text, section, first_line=10 * n + 1, last_line=10 * n + 5)
        for n, (text, section) in enumerate(paragraphs)
    )
    return Article(
        id=art_id,
        source="005_jingji.txt",
        kind="article",
        headline=headline,
        byline="本报记者 张三",
        paragraphs=paras,
        meta=meta,
    )


def test_chunk_articles_one_chunk_per_paragraph_with_its_citation() -> None:
    art = article([(P1, None), (P2, "规范建设"), (P3, "履行责任")])
    chunks = chunk_articles([art])
    assert [c.text for c in chunks] == [P1, P2, P3]
    assert [c.paragraph for c in chunks] == [1, 2, 3]
    assert [c.section for c in chunks] == [None, "规范建设", "履行责任"]
    for c in chunks:
        assert c.article_id == "005_jingji#1"
        assert c.source == "005_jingji.txt"
        assert c.title == "让商会在规范发展中行稳致远 ——许昌市工商联推进商会规范化建设综述"
        assert (c.paper, c.date, c.page) == (None, None, None)


def test_chunk_articles_merges_short_paragraph_with_the_next_in_its_section() -> None:
    assert len(SHORT) < MIN_CHUNK_CHARS
    art = article([(P1, "会展经济"), (SHORT, "会展经济"), (P2, "会展经济"), (P3, "会展经济")])
    chunks = chunk_articles([art])
    assert [c.text for c in chunks] == [P1, SHORT + P2, P3]
    assert [c.paragraph for c in chunks] == [1, 2, 4]  # the merged chunk keeps the short one's number


def test_chunk_articles_merges_trailing_short_paragraph_into_the_previous() -> None:
    art = article([(P1, "会展经济"), (P2, "会展经济"), (SHORT, "会展经济")])
    chunks = chunk_articles([art])
    assert [c.text for c in chunks] == [P1, P2 + SHORT]
    assert [c.paragraph for c in chunks] == [1, 2]


def test_chunk_articles_never_merges_across_sections() -> None:
    art = article(
        [(P1, "规范建设"), (SHORT, "规范建设"), (P2, "会展经济"), (P3, "会展经济"), (SHORT, "招商引资")]
    )
    chunks = chunk_articles([art])
    assert [(c.section, c.text) for c in chunks] == [
        ("规范建设", P1),
        ("规范建设", SHORT),
        ("会展经济", P2),
        ("会展经济", P3),
        ("招商引资", SHORT),
    ]


def test_chunk_articles_never_merges_across_articles() -> None:
    first = article([(P1, None), (SHORT, None)], art_id="p#1")
    second = article([(SHORT, None), (P2, None)], art_id="p#2", headline=("洛阳商会", "走访慰问困难会员"))
    chunks = chunk_articles([first, second])
    assert [(c.article_id, c.text) for c in chunks] == [("p#1", P1 + SHORT), ("p#2", SHORT + P2)]
    assert chunks[1].title == "洛阳商会 走访慰问困难会员"


LONG = "".join(
    [
        P1,
        P2,
        P3,
        "会议强调，“各商会要把党建工作摆在突出位置！”",
        "商会如何更好服务会员？",
        "与会人员进行了交流；",
    ]
    * 3
    + ["下一步，市工商联将继续推进商会改革……"]
)


def test_chunk_articles_splits_long_paragraph_at_sentence_ends() -> None:
    assert len(LONG) > MAX_CHUNK_CHARS
    chunks = chunk_articles([article([(P1, None), (LONG, "改革发展")])])
    parts = [c for c in chunks if c.paragraph == 2]
    assert len(parts) >= 2
    assert "".join(c.text for c in parts) == LONG
    assert all(ends_sentence(c.text) for c in parts)
    assert all(len(c.text) <= MAX_CHUNK_CHARS for c in parts)
    assert all(c.section == "改革发展" and c.article_id == "005_jingji#1" for c in parts)


def test_sentences_keep_punctuation_and_closing_quotes() -> None:
    text = "会议强调，“要把党建摆在突出位置！”商会如何服务会员？与会人员进行了交流；下一步"
    assert sentences(text) == [
        "会议强调，“要把党建摆在突出位置！”",
        "商会如何服务会员？",
        "与会人员进行了交流；",
        "下一步",
    ]


def test_indexed_text_includes_title_section_and_byline() -> None:
    art = article([(P1, None), (P2, "规范建设")])
    plain, sectioned = chunk_articles([art])
    assert sectioned.byline == "本报记者 张三"
    assert indexed_text(sectioned) == f"{art.title} 规范建设 {P2} 本报记者 张三"
    assert indexed_text(plain) == f"{art.title} {P1} 本报记者 张三"
    photo = replace(article([(P1, None)], headline=()), byline=None)
    assert indexed_text(chunk_articles([photo])[0]) == P1


def test_chunk_articles_ids_unique_and_consecutive_from_start_id() -> None:
    arts = [
        article([(P1, None), (LONG, None)], art_id="p#1"),
        article([(P2, "a"), (SHORT, "a"), (P3, "b")], art_id="p#2"),
    ]
    chunks = chunk_articles(arts, start_id=100)
    assert [c.id for c in chunks] == list(range(100, 100 + len(chunks)))
    assert chunk_articles(arts)[0].id == 0


@pytest.mark.parametrize(
    ("meta", "page"),
    [
        (PageMeta(paper="许昌日报", date="2021-09-03", page_number="5", page_name="经济"), "5 经济"),
        (PageMeta(paper="许昌日报", date="2021-09-03", page_number="5"), "5"),
        (PageMeta(page_name="经济"), "经济"),
    ],
)
def test_chunk_articles_carries_page_meta(meta: PageMeta, page: str) -> None:
    chunks = chunk_articles([article([(P1, None), (LONG, None)], meta=meta)])
    assert {(c.paper, c.date, c.page) for c in chunks} == {(meta.paper, meta.date, page)}


def test_chunk_articles_keeps_every_character_of_the_seed_articles() -> None:
    articles = [a for path in sorted(SEEDS.glob("*.txt")) for a in split_articles(read_page(path)).articles]
    chunks = chunk_articles(articles)
    for art in articles:
        mine = [c for c in chunks if c.article_id == art.id]
        assert "".join(c.text for c in mine) == "".join(p.text for p in art.paragraphs)
        assert all(c.title == art.title and c.source == art.source for c in mine)
    assert all(MIN_CHUNK_CHARS <= len(c.text) <= MAX_CHUNK_CHARS for c in chunks)
