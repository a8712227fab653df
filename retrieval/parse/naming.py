"""A page's paper, date and page number from what it is called and what its PDF says of itself.

Three sources, the first that knows a field wins: the page's sidecar, a file-name pattern set in the
settings (`xcrb-20210903-05.pdf` -> date 2021-09-03, page 5), the PDF's document information (a Title
or Subject naming the paper, date or page; its CreationDate for the date).
"""

from __future__ import annotations

import functools
import re
from datetime import date

META_FIELDS = ("paper", "date", "page_number", "page_name", "url")
_DATE = re.compile(r"(\d{4})\s*[年\-/.]?\s*(\d{1,2})\s*[月\-/.]?\s*(\d{1,2})\s*日?")
_PAGE = re.compile(r"第\s*(\d{1,3})\s*版|\b[Pp]age\s*(\d{1,3})\b")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
# Titles that name the tool or file rather than the paper.
_NOT_A_PAPER = re.compile(r"untitled|microsoft|\.(pdf|docx?|indd|qxd)$|^[\w\-. ]*\d{6,}[\w\-. ]*$", re.I)


@functools.lru_cache(maxsize=8)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a file-name pattern; raise ValueError when it is no regular expression with at least one
    of the groups paper, date, year (with month and day) or page."""
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"page-name pattern {pattern!r}: {exc}") from exc
    if not set(compiled.groupindex) & {"paper", "date", "year", "page"}:
        raise ValueError(f"page-name pattern {pattern!r} names none of the groups paper, date, year, page")
    return compiled


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


def _date_in(text: str) -> str | None:
    found = _DATE.search(text)
    return _iso(*found.groups()) if found else None


def from_name(name: str, pattern: str) -> dict[str, str]:
    """The fields a file name gives under the settings' pattern (searched in the name; {} without one)."""
    if not pattern:
        return {}
    found = compile_pattern(pattern).search(name)
    if found is None:
        return {}
    groups = {k: v for k, v in found.groupdict().items() if v}
    fields: dict[str, str] = {}
    if "paper" in groups:
        fields["paper"] = groups["paper"]
    when = _date_in(groups["date"]) if "date" in groups else None
    if when is None and {"year", "month", "day"} <= set(groups):
        when = _iso(groups["year"], groups["month"], groups["day"])
    if when:
        fields["date"] = when
    if "page" in groups:
        page = groups["page"]
        fields["page_number"] = str(int(page)) if page.isdigit() else page
    return fields


def from_pdf_info(info: dict[str, str]) -> dict[str, str]:
    """The fields a PDF's document information gives where it is meaningful: the Title (or Subject) as
    the paper's name when it is one, a date or 第N版 printed in them, else the CreationDate's day."""
    fields: dict[str, str] = {}
    for key in ("Title", "Subject"):
        text = info.get(key, "").strip()
        if not text or _NOT_A_PAPER.search(text):
            continue
        paper = _DATE.sub(" ", _PAGE.sub(" ", text)).strip(" ,，-_|:：")
        if paper and re.search(r"[\u4e00-\u9fff]", paper):
            fields.setdefault("paper", paper.split()[0])
        when = _date_in(text)
        if when:
            fields.setdefault("date", when)
        page = _PAGE.search(text)
        if page:
            fields.setdefault("page_number", str(int(page.group(1) or page.group(2))))
    created = _PDF_DATE.match(info.get("CreationDate", ""))
    if "date" not in fields and created:
        when = _iso(*created.groups())
        if when:
            fields["date"] = when
    return fields


def merged(sidecar: dict[str, object], by_name: dict[str, str], by_info: dict[str, str]) -> dict[str, object]:
    """The sidecar with the fields it leaves out filled in: from the file name first, then the PDF."""
    out = dict(sidecar)
    for key in META_FIELDS:
        if out.get(key) is None:
            value = by_name.get(key) or by_info.get(key)
            if value:
                out[key] = value
    return out
