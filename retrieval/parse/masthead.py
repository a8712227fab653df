"""Masthead lines: what a page prints around its articles rather than in them — the paper's name, the
date, the folio, the page's name, the editors' credits, a web address or news hotline — alone or several
on one line (`洛阳日报　LUOYANG DAILY　2024.4.15　03`, `商丘日报社出版　第2版　责任编辑：史慧`).

A line is a masthead line when every whitespace-separated part of it is a masthead part and at least one
part is unmistakable (a date, a folio, the paper's name, an editor's role, a Latin name, an address): a
page's name (经济新闻) or a person's name alone is just as likely a headline or a byline.
"""

from __future__ import annotations

import re

_HAN = r"[\u4e00-\u9fff]"
_DATE = re.compile(
    r"\d{4}[年.\-/]\d{1,2}[月.\-/]\d{1,2}日?|\d{1,2}月\d{1,2}日|(?:星期|周)[一二三四五六日天]|农历\S{2,8}"
)
_FOLIO = re.compile(r"第?\d{1,3}版|[A-Z]\d{1,2}版?|\d{1,3}|今日\d{1,3}版|共\d{1,3}版")
_PAPER = re.compile(rf"{_HAN}{{1,10}}(?:日报|晚报|早报|时报|商报|报)(?:社出版|社)?|中共{_HAN}{{2,12}}机关报")
_LATIN = re.compile(r"[A-Z][A-Z.&'-]*")
_ADDRESS = re.compile(r"(?:www\.|https?://)\S+|\S*(?:热线|电话|邮箱)[:：]?[\d\-@.a-zA-Z]*")
# Who made the page: a role, alone or with its name after a colon or slash (责任编辑：史慧, 美编/方圆).
_ROLE = re.compile(
    r"(?:本版)?(?:责任编辑|责编|编辑|校对|审校|审读|版式设计|版式|美编|组版|排版|视觉|制图|终审)"
    rf"(?:[:：/／]{_HAN}{{0,4}})?"
)
_NAME = re.compile(rf"{_HAN}{{1,4}}")  # an editor's name, or a name cut by letter-spacing (易　帆)
_SECTION = re.compile(rf"{_HAN}{{2,8}}")  # the page's name (经济新闻, 郑州·城事 read as two parts)
_SPLIT = re.compile(r"[\s·•|｜丨]+")


def _strong(part: str) -> bool:
    return any(p.fullmatch(part) for p in (_DATE, _FOLIO, _PAPER, _LATIN, _ADDRESS))


def is_masthead_line(text: str) -> bool:
    """Tell whether a squeezed line is made of masthead parts only, one of them unmistakable."""
    parts = [p for p in _SPLIT.split(text.strip()) if p]
    if not parts or len(text) > 60 or re.search(r"[。！？；，]", text):
        return False
    strong = False
    after_role = False
    for part in parts:
        if _ROLE.fullmatch(part):
            strong = after_role = True
        elif _strong(part):
            strong, after_role = True, False
        elif not ((after_role and _NAME.fullmatch(part)) or _SECTION.fullmatch(part)):
            return False
    return strong
