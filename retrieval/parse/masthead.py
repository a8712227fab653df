"""Masthead lines: what a page prints around its articles rather than in them — the paper's name, the
date, the folio, the page's name, the editors' credits, a web address or news hotline — alone or several
on one line (`洛阳日报　LUOYANG DAILY　2024.4.15　03`, `商丘日报社出版　第2版　责任编辑：史慧`).

A line is a masthead line when it is made of masthead parts (spaces between them often squeezed out:
`05成都日报`) and one is unmistakable — a date, a folio, the paper's name, an editor's role, a Latin name,
an address: a page's name (经济新闻) alone is just as likely a headline. Also here: the older folio and
banner patterns, and the page number and name read from the header (`printed_page`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.parse.lines import CLAUSE_PUNCT, Line

_HAN = r"[\u4e00-\u9fff]"
_SEP = r"[\s·•|｜丨/／]"
_DATE = r"\d{4}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?|\d{1,2}月\d{1,2}日|(?:星期|周)[一二三四五六日天]|农历\S{2,8}"
_FOLIO = r"第\d{1,3}版|[A-Z]\d{1,2}版?|今日\d{1,3}版|共\d{1,3}版|\d{1,3}(?![\d.])"
_PAPER = (
    rf"(?!本报|据){_HAN}{{2,10}}(?:日报|晚报|早报|时报|商报|都市报|导报)(?:社出版|社)?"
    rf"|(?!本|据){_HAN}{{2,3}}报(?!道|告|名|送)|中共{_HAN}{{2,12}}机关报"
)
_LATIN = r"[A-Z][A-Z.&'-]+"
_ADDRESS = rf"(?:www\.|https?://)[\w./-]+|{_HAN}{{0,4}}(?:热线|电话|邮箱)[:：]?[\d\-@.a-zA-Z]+"
# Who made the page: a role and the names after it (责任编辑：史慧, 美编/方圆, 本版编辑蒋帆美编高妍).
_ROLE = r"(?:本版)?(?:责任编辑|责编|编辑|校对|审校|审读|版式设计|版式|美编|组版|排版|视觉|制图|终审)"
_ROLE_PART = rf"{_ROLE}(?:[:：/／]?\s?{_HAN}{{1,4}}(?:\s{_HAN}{{1,2}})?)?"
# The page's name (经济新闻, 郑州·城事): only between separators, or it would swallow a headline's words.
_SECTION_PART = rf"(?:^|(?<={_SEP}))(?!{_HAN}*(?:记者|通讯员|摄)){_HAN}{{2,8}}(?={_SEP}|$)"
_PART = f"(?:{_DATE}|{_FOLIO}|{_PAPER}|{_LATIN}|{_ADDRESS}|{_ROLE_PART}|{_SECTION_PART})"
_LINE = re.compile(rf"{_SEP}*(?:{_PART}[:：]?{_SEP}*)+")
# A part only a masthead prints: a line of page names alone may be a headline.
_STRONG = re.compile(
    rf"{_DATE}|(?:第|今日)\d{{1,3}}版|[A-Z]\d{{1,2}}|{_PAPER}|{_ROLE}|[A-Z]{{3,}}|{_ADDRESS}|^\d{{1,3}}\b"
)


def is_masthead_line(text: str) -> bool:
    """Tell whether a line is made of masthead parts only, one of them unmistakable."""
    text = text.strip()
    if not text or len(text) > 60 or re.search(r"[。！？；，、]", text):
        return False
    return bool(_LINE.fullmatch(text)) and bool(_STRONG.search(text))


PINYIN_HEADER = re.compile(r"^[A-Z][A-Z ]{3,}$")
FOLIO = re.compile(
    r"^(第?\s*\d{1,3}\s*版|[A-Z]?\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日(\s*星期.)?|"
    r"(责任编辑|责编|美编|编辑|校对|版式|组版|审读)\s*[:：].*|"
    r"(?:(?:责任编辑|责编|美编|校对|版式|组版|审读)\s+[\u4e00-\u9fff·]{2,4}\s*)+)$"
)
# A banner prints the page's name beside its folio on one line: `第5版 经济新闻`, `A03 要闻`, `要闻 | A03`.
# The folio needs 第…版 or a letter: a bare number before words opens sentences (`14 家商会入驻…`).
_FOLIO_MARK = r"第?\s*\d{1,3}\s*版|[A-Z]\d{1,2}\s*版?"
_PAGE_NAME = r"[\u4e00-\u9fff][\u4e00-\u9fff·]{1,9}"
_BANNER_SEP = r"\s*[:：|｜丨·]?\s*"
BANNER = re.compile(
    rf"^(?:{_FOLIO_MARK}){_BANNER_SEP}{_PAGE_NAME}$|^{_PAGE_NAME}{_BANNER_SEP}(?:{_FOLIO_MARK})$"
)
_LONE_FOLIO = re.compile(rf"^(?:{_FOLIO_MARK}|\d{{1,2}})$")
_SEPARATORS = " :：|｜丨·"


def is_header_text(text: str) -> bool:
    """Tell whether a squeezed line is one a page prints above or below its articles: a masthead line,
    a pinyin section name, a folio or a banner (`第5版 经济新闻`)."""
    return bool(
        PINYIN_HEADER.match(text) or FOLIO.match(text) or BANNER.match(text) or is_masthead_line(text)
    )


def _page_number(mark: str) -> str:
    """Return the page number a folio mark prints: `第05版` -> "5", `A03` -> "A03"."""
    code = "".join(ch for ch in mark if ch.isascii() and ch.isalnum())
    return code if code[:1].isalpha() else str(int(code))


def _banner_parts(line: str) -> tuple[str, str]:
    """Split a banner line into its folio mark and the words beside it (the page's name)."""
    mark = re.search(_FOLIO_MARK, line)
    if mark is None:  # not a banner after all
        return "", line
    return mark[0], (line[: mark.start()] + line[mark.end() :]).strip(_SEPARATORS)


def printed_page(header: Sequence[str]) -> tuple[str | None, str | None]:
    """Read the page number and the page's name from its header lines, where the page prints them.

    The number comes from a folio (`第5版`, `A03`, a bare `5`) or a banner line (`第5版 经济新闻`); the name
    is the banner's words beside its folio, or a header line of a few Chinese characters alone (`经济`
    under `MINSHENG JINGJI`): never the pinyin line, a date or an editor's credit. The first found wins.
    """
    number: str | None = None
    name: str | None = None
    for line in header:
        rest = ""
        if _LONE_FOLIO.match(line):
            number = number or _page_number(line)
        elif BANNER.match(line):
            mark, rest = _banner_parts(line)
            number = number or _page_number(mark)
        elif not (PINYIN_HEADER.match(line) or FOLIO.match(line)):
            rest = line
        if name is None and re.fullmatch(_PAGE_NAME, rest):
            name = rest
    return number, name


_PRINTED_DATE = re.compile(r"(\d{4})[年.\-/](\d{1,2})[月.\-/](\d{1,2})")


def printed_paper(header: Sequence[str]) -> tuple[str | None, str | None]:
    """Read the paper's name and the issue's date (ISO) from a page's header and footer lines, where it
    prints them (`洛阳日报`, `商丘日报社出版`, `2024年4月15日`, `2024.4.15`): the first found wins."""
    paper: str | None = None
    date: str | None = None
    for line in header:
        for part in re.split(f"{_SEP}+", line):
            if paper is None and (m := re.fullmatch(f"(?:{_FOLIO})?({_PAPER})", part)):
                paper = re.sub(r"社(?:出版)?$", "", m[1])
        if date is None and (d := _PRINTED_DATE.search(line)):
            year, month, day = (int(g) for g in d.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                date = f"{year:04d}-{month:02d}-{day:02d}"
    return paper, date


def _masthead_prefix(group: list[Line]) -> int:
    """How many lines of a top group belong to the masthead: header lines, and the page's name among
    them (a few words without punctuation, 经济·商会) while more header lines follow."""
    n = 0
    for i, ln in enumerate(group):
        named = not CLAUSE_PUNCT.search(ln.text) and (
            ln.width <= 6 or (ln.width <= 10 and any(is_header_text(x.text) for x in group[i + 1 :]))
        )
        if not (is_header_text(ln.text) or named):
            break
        n += 1
    return n


def split_header(groups: list[list[Line]]) -> tuple[list[Line], list[list[Line]]]:
    """Take the page's masthead lines (paper, date, folio, page name, editors) off its top and bottom."""
    header: list[Line] = []
    while groups and is_header_text(groups[0][0].text):
        first = groups.pop(0)
        taken = _masthead_prefix(first)
        header.extend(first[:taken])
        if taken < len(first):
            groups.insert(0, first[taken:])
            break
    footer: list[Line] = []
    while groups and all(is_header_text(ln.text) for ln in groups[-1]):
        footer[:0] = groups.pop()  # keep the page's order
    while groups and len(groups[-1]) > 1 and is_masthead_line(groups[-1][-1].text):
        footer.insert(0, groups[-1].pop())  # an editors' line set tight under the last paragraph
    return header + footer, groups
