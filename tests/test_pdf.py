"""E-paper PDFs: articles found by their layout (headlines as the large type, columns by position), photo
captions, scans and damaged files refused by name, paper/date/page from sidecar, file name or metadata."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from pdf_pages import (
    CAPTION,
    FAIR,
    GUTTER,
    MARGIN,
    TRAINING,
    WIDTH,
    Module,
    Photo,
    Story,
    draw_damaged,
    draw_page,
    draw_scan,
    front_page,
)

from chamber_qa.cli import cli
from retrieval import Archive, Settings
from retrieval.errors import PageUnreadable
from retrieval.models import Article, Page
from retrieval.parse import pdf
from retrieval.parse.articles import split_articles
from retrieval.parse.naming import from_name, from_pdf_info
from retrieval.parse.pages import read_page, read_pages

PATTERN = r"(?P<paper>[a-z]+)-(?P<date>\d{8})-(?P<page>\d+)"
TXT_PAGE = (
    "本报讯（记者 张三）许昌市青瓷产业商会召开会员大会，选举产生新一届理事会。\n\n青瓷产业商会召开会员大会\n"
)


def squeezed(text: str) -> str:
    return "".join(text.split())


def body(article: Article) -> list[str]:
    return [squeezed(p.text) for p in article.paragraphs]


def assert_story(article: Article, story: Story, page: Page) -> None:
    """The article has the story's headline lines in order and its whole body in order; the page text
    sets each of the story's paragraphs apart (a blank line around it)."""
    assert article.kind == "article"
    printed = tuple(line for line in (story.kicker, story.title, story.subtitle) if line)
    assert tuple(squeezed(h) for h in article.headline) == printed
    assert "".join(body(article)) == squeezed("".join(story.paragraphs))
    blocks = [squeezed(block) for block in page.text.split("\n\n")]
    assert all(squeezed(p) in blocks for p in story.paragraphs)


def test_a_front_page_comes_apart_into_its_articles_and_photo(tmp_path: Path) -> None:
    page = read_page(front_page(tmp_path / "page.pdf"))
    parse = split_articles(page)
    training, fair, photo = parse.articles
    assert_story(training, TRAINING, page)  # kicker, main title, subtitle in order; three columns in order
    assert_story(fair, FAIR, page)  # two columns beside a photo, the column break mid-sentence joined
    assert training.byline is not None and "徐鼎烨" in training.byline
    assert photo.kind == "photo" and photo.byline == "魏东雅 摄"
    assert body(photo) == [squeezed(CAPTION.removesuffix("魏东雅 摄"))]
    assert page.layout == "headline-first"
    assert "第5版 经济" in parse.header and page.meta.page_number is None  # the printed folio names it
    assert training.meta.page_number == "5" and training.meta.page_name == "经济"


def test_articles_side_by_side_are_read_one_after_the_other(tmp_path: Path) -> None:
    """Two articles of two columns each, side by side, their headlines at different heights."""
    half = (WIDTH - 2 * MARGIN - 20) / 2
    left = Module(MARGIN, 50, half, columns=2, story=TRAINING, height=140, title_size=16)
    right = Module(MARGIN + half + 20, 80, half, columns=2, story=FAIR, height=110, title_size=16)
    below = Story(
        title="长葛市商会服务中心揭牌",
        paragraphs=("本报讯 长葛市商会服务中心日前揭牌运行，为会员企业提供政策咨询、法律服务和融资对接。",),
    )
    bottom = Module(MARGIN, 400, WIDTH - 2 * MARGIN, columns=3, story=below, height=60, title_size=20)
    path = draw_page(tmp_path / "page.pdf", [left, right, bottom], header=("A03 要闻", "2021年9月3日"))
    page = read_page(path)
    first, second, third = split_articles(page).articles
    assert_story(first, TRAINING, page)
    assert_story(second, FAIR, page)
    assert_story(third, below, page)


def test_a_headline_over_two_of_three_columns_beside_a_one_column_article(tmp_path: Path) -> None:
    """Top left an article over two columns, a photo under it; top right a one-column article down the
    third; across the foot an article with a subtitle over three columns."""
    col = (WIDTH - 2 * MARGIN - 2 * GUTTER) / 3
    wide = 2 * col + GUTTER
    foot = Story(
        title="长葛市商会服务中心揭牌",
        subtitle="为会员企业提供一站式服务",
        paragraphs=(
            "本报讯 长葛市商会服务中心日前揭牌运行，为会员企业提供政策咨询、法律服务和融资对接。"
            "中心由市工商联牵头，十二家商会共同参与建设，配备专职工作人员六名。",
            "中心还设立了商会调解室，帮助会员企业化解经营纠纷。",
        ),
    )
    modules = [
        Module(MARGIN, 50, wide, columns=2, story=TRAINING, height=120, title_size=20),
        Module(MARGIN + 2 * (col + GUTTER), 50, col, story=FAIR, height=260, title_size=14),
        Module(MARGIN, 270, wide, photo=Photo("许昌市工商联组织商会会长赴外地考察学习。 本报记者 徐鼎烨 摄")),
        Module(MARGIN, 420, WIDTH - 2 * MARGIN, columns=3, story=foot, height=60, title_size=20),
    ]
    page = read_page(draw_page(tmp_path / "page.pdf", modules))
    training, fair, centre, photo = split_articles(page).articles
    assert_story(training, TRAINING, page)
    assert_story(fair, FAIR, page)
    assert_story(centre, foot, page)
    assert photo.kind == "photo" and photo.byline == "本报记者 徐鼎烨 摄"


def test_a_subhead_in_larger_type_sections_the_body_and_starts_no_article(tmp_path: Path) -> None:
    story = Story(
        title="许昌市总商会召开年度会员大会",
        paragraphs=(
            "本报讯 许昌市总商会日前召开年度会员大会，审议通过年度工作报告。",
            "#聚焦服务实体经济",
            "会议提出，总商会将组织会员企业开展产销对接，帮助中小企业稳订单、拓市场。",
        ),
    )
    path = draw_page(tmp_path / "page.pdf", [Module(MARGIN, 50, 330, columns=2, story=story, height=80)])
    (article,) = split_articles(read_page(path)).articles
    assert article.headline == (story.title,)
    assert [(p.section, squeezed(p.text)) for p in article.paragraphs] == [
        (None, squeezed(story.paragraphs[0])),
        ("聚焦服务实体经济", squeezed(story.paragraphs[2])),
    ]


def test_scans_and_damaged_pdfs_are_refused_by_name_and_the_rest_is_read(tmp_path: Path) -> None:
    good = front_page(tmp_path / "b-good.pdf")
    draw_scan(tmp_path / "a-scan.pdf")
    draw_damaged(tmp_path / "c-damaged.pdf", good)
    (tmp_path / "d-text.txt").write_text(TXT_PAGE, encoding="utf-8")
    pages, refused = read_pages(tmp_path)
    assert [p.source for p in pages] == ["b-good.pdf", "d-text.txt"]
    reasons = {r.source: r.reason for r in refused}
    assert reasons.keys() == {"a-scan.pdf", "c-damaged.pdf"}
    assert (
        reasons["a-scan.pdf"].startswith("a-scan.pdf: the PDF has no text layer")
        and "OCR" in reasons["a-scan.pdf"]
    )
    assert reasons["c-damaged.pdf"].startswith("c-damaged.pdf: not a readable PDF")


def test_a_pdf_whose_fonts_do_not_map_to_characters_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fonts without a ToUnicode map give pdfplumber `(cid:123)` for each character: no text to index."""
    real = pdf._glyph
    monkeypatch.setattr(pdf, "_glyph", lambda char: replace(real(char), text="(cid:17)"))
    path = front_page(tmp_path / "page.pdf")
    with pytest.raises(PageUnreadable, match=r"^page\.pdf: the PDF's fonts do not say which characters"):
        read_page(path)


def test_without_pdfplumber_pdfs_are_refused_and_text_pages_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "pdfplumber", None)  # import pdfplumber now raises ImportError
    with caplog.at_level(logging.WARNING):
        assert pdf.pdfplumber.__wrapped__() is None
    assert "pdfplumber is not installed" in caplog.text
    monkeypatch.setattr(pdf, "pdfplumber", lambda: None)
    front_page(tmp_path / "page.pdf")
    (tmp_path / "text.txt").write_text(TXT_PAGE, encoding="utf-8")
    pages, refused = read_pages(tmp_path)
    assert [p.source for p in pages] == ["text.txt"]
    assert [r.reason for r in refused] == ["page.pdf: PDF pages need pdfplumber, which is not installed"]


def test_paper_date_and_page_from_a_file_name_pattern() -> None:
    assert from_name("xcrb-20210903-05.pdf", PATTERN) == {
        "paper": "xcrb",
        "date": "2021-09-03",
        "page_number": "5",
    }
    parts = r"(?P<year>\d{4})_(?P<month>\d\d)_(?P<day>\d\d)_(?P<page>A\d+)"
    assert from_name("2021_09_03_A03.txt", parts) == {"date": "2021-09-03", "page_number": "A03"}
    assert from_name("other-name.pdf", PATTERN) == {}
    assert from_name("xcrb-20211399-05.pdf", PATTERN) == {"paper": "xcrb", "page_number": "5"}  # no such day
    with pytest.raises(ValueError, match="names none of the groups"):
        Settings(page_names=r"\d+")
    with pytest.raises(ValueError, match="page-name pattern"):
        Settings(page_names="(?P<page>")


def test_paper_date_and_page_from_pdf_metadata_where_meaningful() -> None:
    info = {"Title": "许昌日报 2021年9月3日 第5版", "CreationDate": "D:20210902210000+08'00'"}
    assert from_pdf_info(info) == {"paper": "许昌日报", "date": "2021-09-03", "page_number": "5"}
    tool = {"Title": "Microsoft Word - page5.docx", "CreationDate": "D:20210902210000+08'00'"}
    assert from_pdf_info(tool) == {"date": "2021-09-02"}
    assert from_pdf_info({"Title": "untitled"}) == {}


def test_sidecar_wins_then_file_name_then_metadata(tmp_path: Path) -> None:
    info = {"Title": "许昌日报 2021年9月1日 第9版", "Author": "x"}
    path = front_page(tmp_path / "xcrb-20210903-05.pdf", info=info)
    meta = read_page(path).meta
    assert (meta.paper, meta.date, meta.page_number) == ("许昌日报", "2021-09-01", "9")  # no pattern set
    meta = read_page(path, PATTERN).meta
    assert (meta.paper, meta.date, meta.page_number) == ("xcrb", "2021-09-03", "5")
    path.with_suffix(".toml").write_text('paper = "许昌晨报"\n', encoding="utf-8")
    meta = read_page(path, PATTERN).meta
    assert (meta.paper, meta.date, meta.page_number) == ("许昌晨报", "2021-09-03", "5")


def test_a_sidecar_parser_table_overrides_the_layout(tmp_path: Path) -> None:
    path = front_page(tmp_path / "page.pdf")
    path.with_suffix(".toml").write_text('[parser]\nlayout = "headline-after"\n', encoding="utf-8")
    page = read_page(path)
    assert page.layout == "headline-after" and page.headline_lines  # the layout's marks stay
    assert read_page(path).text == read_page(front_page(tmp_path / "again.pdf")).text


def test_chamber_qa_add_a_pdf_then_ask_answers_from_it_with_its_citation(tmp_path: Path) -> None:
    folder, index = tmp_path / "pages", tmp_path / "index"
    folder.mkdir()
    (folder / "text.txt").write_text(TXT_PAGE, encoding="utf-8")
    incoming = front_page(tmp_path / "xcrb-20210903-05.pdf")
    scan = draw_scan(tmp_path / "scan.pdf")
    options = ["--seeds", str(folder), "--index-dir", str(index), "--no-vectors", "--page-names", PATTERN]
    runner = CliRunner()
    added = runner.invoke(cli, ["add", str(incoming), str(scan), *options], catch_exceptions=False)
    assert added.exit_code == 0, added.output
    assert "added: xcrb-20210903-05.pdf" in added.output and "3 pages" not in added.output
    assert "warning: skipped scan.pdf: the PDF has no text layer" in added.output
    asked = runner.invoke(
        cli, ["ask", "钧瓷商会在博览会上签约金额是多少？", *options], catch_exceptions=False
    )
    assert asked.exit_code == 0, asked.output
    assert "三千余万元" in asked.output and "禹州市钧瓷商会助力企业开拓市场" in asked.output
    assert "xcrb" in asked.output and "2021-09-03" in asked.output
    archive = Archive.open(Settings(seeds_dir=folder, index_dir=index, vectors=False, page_names=PATTERN))
    assert [r.source for r in archive.refused] == ["scan.pdf"]
    removed = runner.invoke(cli, ["remove", "xcrb-20210903-05.pdf", "scan.pdf", *options])
    assert removed.exit_code == 0, removed.output
    assert "removed: xcrb-20210903-05.pdf" in removed.output and sorted(p.name for p in folder.iterdir()) == [
        "text.txt"
    ]
