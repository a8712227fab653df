"""An e-paper PDF's layout -> a Page whose text is in reading order, marked up as the layout shows it.

Type size says what a row is: the large type is headlines (with the mid-size kicker and subtitle beside
the main title), mid-size type alone inside a body is a subhead, small type under or over a photo is its
caption. The Page's parser overrides carry what the layout shows (each headline's lines, an article
starting at each headline, headlines printed before their bodies), so the text parser that reads it
(articles.py) needs no guessing; paragraphs are told by indents and short last lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import count

from retrieval.parse.pdf import Box, PdfDocument, PdfPage
from retrieval.parse.pdf_layout import Row, body_size, reading_order, strips
from retrieval.parse.text import ends_sentence

TITLE_RATIO = 1.15  # type this much larger than the body is a title (kicker, subtitle, subhead)
HEADLINE_RATIO = 1.4  # a title group holding type this large is a headline
SMALL_RATIO = 0.92  # type this much smaller than the body is a caption, a note or a folio
_INDENT_EM = 0.8  # a row starting this far right of its column opens a paragraph
_SHORT_EM = 1.5  # a row ending this far left of its column's right edge closes one
_CAPTION_REACH_EM = 2.5  # how far from a photo its caption stands, in body ems
_TRAILING_CREDIT = re.compile(r"\s+(\S[^。！？]{0,30}摄）?)$")


@dataclass
class PdfText:
    """The page text being written, with the 1-based numbers of its marked lines."""

    lines: list[str] = field(default_factory=list)
    headline_lines: list[int] = field(default_factory=list)
    article_starts: list[int] = field(default_factory=list)

    def block(self, texts: list[str], *, headline: int = 0, start: bool = False) -> None:
        """Write a block (a blank line before it); its first ``headline`` lines are headline lines."""
        if self.lines:
            self.lines.append("")
        if start:
            self.article_starts.append(len(self.lines) + 1)
        self.headline_lines.extend(range(len(self.lines) + 1, len(self.lines) + 1 + headline))
        self.lines.extend(texts)


def _peel(page: PdfPage, body: float) -> tuple[list[Row], list[Row], list]:
    """Take single lines of body or small type set apart at the page's top and bottom (its header and
    folio), so that the columns below do not cut them in pieces."""
    runs = strips(page.glyphs)
    head: list = []
    foot: list = []
    while len(runs) > 1 and len(head) < 3 and _lone_line(runs[0], runs[1], body):
        head.append(runs.pop(0))
    while len(runs) > 1 and len(foot) < 3 and _lone_line(runs[-1], runs[-2], body):
        foot.insert(0, runs.pop())
    rest = [g for s in runs for g in s]
    ids = count(start=1_000_000)
    head_rows = [r for s in head for r in reading_order(s, body, ids)]
    foot_rows = [r for s in foot for r in reading_order(s, body, ids)]
    return head_rows, foot_rows, rest


def _lone_line(strip: list, neighbour: list, body: float) -> bool:
    height = max(g.bottom for g in strip) - min(g.top for g in strip)
    size = max(g.size for g in strip)
    gap = max(min(g.top for g in neighbour) - max(g.bottom for g in strip), 0) or max(
        min(g.top for g in strip) - max(g.bottom for g in neighbour), 0
    )
    return size <= body * TITLE_RATIO and height <= 1.6 * size and gap >= 0.8 * body


def _near_photo(rows: list[Row], images: tuple[Box, ...], body: float) -> bool:
    """Tell whether a run of rows stands right under or over a photo, across its width."""
    top, bottom = rows[0].top, rows[-1].bottom
    x0, x1 = min(r.x0 for r in rows), max(r.x1 for r in rows)
    reach = _CAPTION_REACH_EM * body
    return any(
        (0 <= top - im.bottom <= reach or 0 <= im.top - bottom <= reach) and x0 < im.x1 and im.x0 < x1
        for im in images
    )


def _runs(rows: list[Row], body: float) -> list[tuple[str, list[Row]]]:
    """Cut the rows into runs of one kind: "title", "small" or "body" type, each within one column."""
    runs: list[tuple[str, list[Row]]] = []
    for row in rows:
        kind = (
            "title"
            if row.size >= body * TITLE_RATIO
            else "small"
            if row.size <= body * SMALL_RATIO
            else "body"
        )
        same_column = runs and runs[-1][1][-1].column == row.column
        if runs and runs[-1][0] == kind and (kind != "small" or same_column):
            runs[-1][1].append(row)
        else:
            runs.append((kind, [row]))
    return runs


def _title_lines(rows: list[Row]) -> list[str]:
    """One line per run of rows of one type size: a main title set on two rows is one headline line."""
    lines: list[list[Row]] = []
    for row in rows:
        if lines and abs(lines[-1][-1].size - row.size) < 0.5:
            lines[-1].append(row)
        else:
            lines.append([row])
    return ["".join(r.text for r in line) for line in lines]


def _opens_paragraph(prev: Row | None, row: Row, edges: dict[int, tuple[float, float]], body: float) -> bool:
    """Tell whether a body row opens a paragraph: it is indented, or the row before it (in its column or
    at the foot of the column before) ended a sentence short of the column's edge (a paragraph's last
    row where a paper sets paragraphs without indents)."""
    if prev is None:
        return True
    em = max(row.size, body)
    if row.x0 - edges[row.column][0] >= _INDENT_EM * em:
        return True
    return prev.x1 <= edges[prev.column][1] - _SHORT_EM * em and ends_sentence(prev.text)


def _paragraphs(rows: list[Row], body: float) -> list[list[str]]:
    """Cut a run of body rows into paragraphs, measuring each column by the rows set in it."""
    edges: dict[int, tuple[float, float]] = {}
    for row in rows:
        left, right = edges.get(row.column, (row.x0, row.x1))
        edges[row.column] = (min(left, row.x0), max(right, row.x1))
    paragraphs: list[list[str]] = []
    prev: Row | None = None
    for row in rows:
        if _opens_paragraph(prev, row, edges, body) or not paragraphs:
            paragraphs.append([])
        paragraphs[-1].append(row.text)
        prev = row
    return paragraphs


def _caption(rows: list[Row]) -> list[str]:
    """A caption's text, its trailing photo credit (`… 摄`) on a line of its own as pages print it."""
    text = "".join(r.text for r in rows).strip()
    found = _TRAILING_CREDIT.search(text)
    if found and found.start() > 0:
        return [text[: found.start()].strip(), found.group(1)]
    return [text]


def _write_flow(out: PdfText, rows: list[Row], images: tuple[Box, ...], body: float) -> list[list[str]]:
    """Write headlines, subheads and paragraphs in reading order; return the captions set aside."""
    captions: list[list[str]] = []
    runs = _runs(rows, body)
    for i, (kind, run) in enumerate(runs):
        if not run:
            continue
        credited = "".join(r.text for r in run).rstrip("）)").endswith("摄")  # a photo drawn as vectors
        if kind == "small" and (credited or _near_photo(run, images, body)):
            captions.append(_caption(run))
        elif kind == "title" and max(r.size for r in run) >= body * HEADLINE_RATIO:
            lines = _title_lines(run)
            out.block(lines + _take_byline(runs, i + 1), headline=len(lines), start=True)
        elif kind == "title":
            out.block(["".join(r.text for r in run)])  # a subhead, one line
        else:
            for paragraph in _paragraphs(run, body):
                out.block(paragraph)
    return captions


def _take_byline(runs: list[tuple[str, list[Row]]], i: int) -> list[str]:
    """Take the line printed right under a headline (本报记者 …) off the run after it: it stands with the
    headline. It is no sentence, not indented as a paragraph's first row is, and short (at most 60% of
    its column) or followed by an indented row."""
    if i >= len(runs) or runs[i][0] == "title" or not runs[i][1]:
        return []
    kind, run = runs[i]
    row = run[0]
    short = row.x1 - row.x0 <= 0.6 * (row.right - row.left)
    indented = len(run) > 1 and run[1].x0 - row.x0 >= _INDENT_EM * row.size
    opens_paragraph = len(run) > 1 and row.x0 - min(r.x0 for r in run[1:]) >= _INDENT_EM * row.size
    if not (short or indented) or opens_paragraph or re.search(r"[，。！？；]", row.text):
        return []
    runs[i] = (kind, run[1:])
    return [row.text]


def page_layout(doc: PdfDocument) -> PdfText:
    """Lay a PDF's pages out as text in reading order, headlines marked, captions after the articles."""
    out = PdfText()
    for page in doc.pages:
        if not page.glyphs:
            continue
        body = body_size(page.glyphs)
        head, foot, rest = _peel(page, body)
        if head:
            out.block([r.text for r in head])
        captions = _write_flow(out, reading_order(rest, body), page.images, body)
        for caption in captions:
            out.block(caption, start=True)
        if foot:
            out.block([r.text for r in foot])
    return out
