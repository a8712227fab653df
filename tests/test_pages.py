"""Reading page files from disk (retrieval/pages.py): encodings, refusals by name, sidecars, folder scans."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from retrieval.errors import PageUnreadable
from retrieval.models import PageMeta
from retrieval.parse.articles import split_articles
from retrieval.parse.pages import read_page, read_pages, scan

PARAGRAPH = (
    "本报讯（记者 张三）许昌市工商联举办培训。近年来，市工商联以习近平总书记关于促进“两个健康”的"
    "系列重要讲话精神为指导，认真贯彻落实中央办公厅的实施意见，坚持政治引领，固本铸魂，"
    "让党建成为商会改革发展的“主心骨”，让党旗在商会组织高高飘扬。\n"
)
TEXT = PARAGRAPH * 3
UNDECODABLE = bytes([0x81, 0x30, 0xFF, 0x80, 0x9D]) * 50  # neither UTF-8 nor any legacy Chinese encoding


def test_read_page_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "001_page.txt"
    path.write_text(TEXT, encoding="utf-8")
    page = read_page(path)
    assert page.source == "001_page.txt"
    assert page.text == TEXT
    assert page.meta == PageMeta()
    assert (page.layout, page.article_starts, page.headline_lines) == ("auto", (), ())


def test_read_page_strips_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(TEXT.encode("utf-8-sig"))
    assert read_page(path).text == TEXT


def test_read_page_decodes_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(TEXT.encode("gb18030"))
    page = read_page(path)
    assert page.text == TEXT
    assert "许昌市工商联举办培训" in page.text


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "empty"),
        (b" \n\r\n\t", "empty"),
        (bytes(range(256)) + b"\x00\x00PK\x03\x04", "binary"),
        (UNDECODABLE, "encoding"),
    ],
    ids=["empty", "whitespace", "binary", "undecodable"],
)
def test_read_page_refuses_bad_file_naming_it(tmp_path: Path, data: bytes, why: str) -> None:
    path = tmp_path / "bad_page.txt"
    path.write_bytes(data)
    with pytest.raises(PageUnreadable, match=r"bad_page\.txt") as info:
        read_page(path)
    assert why in str(info.value)


def test_read_pages_refuses_bad_files_by_name_and_reads_the_rest(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "001_good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "002_empty.txt").write_bytes(b"")
    (tmp_path / "003_binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / "004_garbled.txt").write_bytes(UNDECODABLE)
    (tmp_path / "005_legacy.txt").write_bytes(TEXT.encode("gb18030"))
    (tmp_path / "notes.md").write_text("not a page", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="retrieval.parse.pages"):
        pages, refusals = read_pages(tmp_path)
    assert [p.source for p in pages] == ["001_good.txt", "005_legacy.txt"]
    assert all(p.text == TEXT for p in pages)
    assert [r.source for r in refusals] == ["002_empty.txt", "003_binary.txt", "004_garbled.txt"]
    for refusal in refusals:
        assert refusal.source in refusal.reason
        assert refusal.source in caplog.text


def test_read_pages_of_empty_folder(tmp_path: Path) -> None:
    assert read_pages(tmp_path) == ([], [])


SIDECAR = """\
paper = "许昌日报"
date = "2021-09-03"
page_number = 5
page_name = "经济"
url = "https://example.org/xcrb/2021-09-03/5.pdf"

[parser]
layout = "headline-first"
article_starts = [12, 40]
headline_lines = [3]
"""


def test_read_page_sidecar_gives_meta_and_parser_overrides(tmp_path: Path) -> None:
    path = tmp_path / "005_jingji.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "005_jingji.toml").write_text(SIDECAR, encoding="utf-8")
    page = read_page(path)
    assert page.meta == PageMeta(
        paper="许昌日报",
        date="2021-09-03",
        page_number="5",
        page_name="经济",
        url="https://example.org/xcrb/2021-09-03/5.pdf",
    )
    assert page.layout == "headline-first"
    assert page.article_starts == (12, 40)
    assert page.headline_lines == (3,)


def test_sidecar_article_start_inside_a_paragraph_splits_the_page(tmp_path: Path) -> None:
    # The line to start at follows the line before it with no blank line: the override must still cut.
    path = tmp_path / "p.txt"
    path.write_text(
        "许昌市房地产商会近日组织会员企业\n"
        "开展安全生产大检查，重点检查了在\n"
        "建项目的施工安全和消防设施情况。\n"
        "许昌市洛阳商会日前走访慰问困难会\n"
        "员家庭，为他们送去米面油等生活物\n"
        "资和慰问金。\n",
        encoding="utf-8",
    )
    assert len(split_articles(read_page(path)).articles) == 1
    (tmp_path / "p.toml").write_text("[parser]\narticle_starts = [4]\n", encoding="utf-8")
    first, second = split_articles(read_page(path)).articles
    assert [(p.first_line, p.last_line) for p in first.paragraphs] == [(1, 3)]
    assert [(p.first_line, p.last_line) for p in second.paragraphs] == [(4, 6)]


def test_read_page_sidecar_with_toml_date_becomes_text(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "p.toml").write_text("date = 2021-09-03\n", encoding="utf-8")
    assert read_page(path).meta.date == "2021-09-03"


def test_read_page_unknown_layout_falls_back_to_auto(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "p.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "p.toml").write_text('[parser]\nlayout = "sideways"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="retrieval.parse.pages"):
        page = read_page(path)
    assert page.layout == "auto"
    assert "sideways" in caplog.text


@pytest.mark.parametrize(
    "sidecar",
    [b'paper = "\xe8\xae\xb8\xe6\x98\x8c\n[parser\n', b"\xff\xfe\x00garbage = = =", b"date = 2021-13-45\n"],
    ids=["bad-toml", "not-utf8", "bad-date"],
)
def test_read_page_ignores_broken_sidecar_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, sidecar: bytes
) -> None:
    path = tmp_path / "p.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "p.toml").write_bytes(sidecar)
    with caplog.at_level(logging.WARNING, logger="retrieval.parse.pages"):
        pages, refusals = read_pages(tmp_path)
    assert refusals == []
    (page,) = pages
    assert page.text == TEXT and page.meta == PageMeta() and page.layout == "auto"
    assert "p.toml" in caplog.text and "ignored" in caplog.text


@pytest.mark.parametrize("starts", ['["seven"]', "5"])
def test_read_pages_survives_sidecar_with_malformed_overrides(tmp_path: Path, starts: str) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.toml").write_text(f"[parser]\narticle_starts = {starts}\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    pages, _ = read_pages(tmp_path)
    assert "b.txt" in [p.source for p in pages]


def test_scan_notices_every_change_to_the_folder(tmp_path: Path) -> None:
    page = tmp_path / "001.txt"
    page.write_text(TEXT, encoding="utf-8")
    first = scan(tmp_path)
    assert scan(tmp_path) == first  # stable while nothing changes
    page.write_text(TEXT + "又讯。\n", encoding="utf-8")
    edited = scan(tmp_path)
    assert edited != first
    (tmp_path / "001.toml").write_text('paper = "许昌日报"\n', encoding="utf-8")
    with_sidecar = scan(tmp_path)
    assert with_sidecar != edited
    (tmp_path / "002.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / ".002.txt.part").write_text(TEXT, encoding="utf-8")  # an add in progress: not a page
    two_pages = scan(tmp_path)
    assert list(two_pages) == ["001.txt", "002.txt"]
    (tmp_path / "002.txt").rename(tmp_path / "003.txt")  # same bytes, another name
    assert scan(tmp_path) != two_pages
    assert scan(tmp_path / "missing") == {}
