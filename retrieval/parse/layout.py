"""Read the layout of a page: raw text -> header lines and a sequence of typed blocks.

A block is a paragraph of body text, a title-like line run (headline or subhead), a byline or a photo
credit. Deciding which title runs are headlines and which are subheads is `articles.py`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from retrieval.parse.bylines import BULLETS, CLOSING, opens_brief, read_credits
from retrieval.parse.lines import CLAUSE_PUNCT, Line, read_lines
from retrieval.parse.masthead import split_header
from retrieval.parse.text import ends_sentence, join_lines

BlockKind = Literal["body", "title", "byline", "credit"]

# A dispatch opener starts a new article wherever it stands (本报讯, 本报许昌讯, 新华社北京9月1日电 ...).
# 讯 of 通讯员 opens nothing: 本报记者 魏东雅 通讯员 … is a byline.
DISPATCH = re.compile(r"^(本报[^，。（(\s]{0,8}讯(?!员)|据?新华社[^，。]{0,12}电|[^，。（(]{1,8}讯[（(]记者)")
# A line that may be a byline (read_credits decides): a role, after a bullet or the reporter's outlet
# (■本报记者 …, 首席记者 …, 大河报·豫视频记者 …), or 文/ (文/本报记者 …).
BYLINE = re.compile(rf"^[{BULLETS}]?\s*(?:[^\s，。]{{0,14}}?(?:记者|通讯员|评论员|实习生)|文[/／]\S)")
# A row of a table of figures: words and numbers in whitespace-separated cells (装备制造 120.5 9.8).
TABLE_ROW = re.compile(r"\S\s+[-+]?\d[\d.,]*%?(?:\s|$)")
# A photo credit, alone or in parentheses under its caption (（本报记者 李红 摄）), perhaps naming the
# agency after it (记者 齐振宇 摄/视觉重庆).
CREDIT = re.compile(
    r"^[（(]?(?:(?:(?:本报)?(?:记者|通讯员)?\s*[\u4e00-\u9fff·]{2,4}\s+){1,4}摄|\S{0,12}[/／]摄)"
    r"(?:[/／][^\s/／]{1,12})?[）)]?$"
)
# A caption that ends with its photo's credit in parentheses (…交流经验。（本报记者 李红 摄）).
_INLINE_CREDIT = re.compile(r"(?<=[。！？!?”’」])[（(]([^（）()]{2,40})[）)]$")
# … or without them, after a space (…在实验室内工作。　本报记者 钱俊逸 摄).
_BARE_CREDIT = re.compile(
    r"(?<=[。！？!?”’」])\s*((?:本报)?(?:记者|通讯员)?\s*[\u4e00-\u9fff·]{2,4}(?:\s+[\u4e00-\u9fff·]{2,4}){0,3}\s+摄)$"
)
# A jump line: the article goes on, or came from, another page (（下转第3版）, （上接第1版）).
JUMP = re.compile(r"[（(]?(?:下转|上接|转第|接第|转)\s*(?:第?\s*[A-Z]?\d{1,3}\s*版)[）)]?$")
_TITLE_COLON = re.compile(r"(?<=[\u4e00-\u9fff]{2})[：:](?=\S)")
# A headline block is a few short lines.
_MAX_TITLE_LINES = 4
_MAX_TITLE_WIDTH = 40.0
_MAX_LABEL_WIDTH = 6.0  # 短评, 记者手记, 评论员文章: a column's label printed over a headline


@dataclass(frozen=True)
class Block:
    """A run of lines read as one unit of the page."""

    kind: BlockKind
    lines: tuple[Line, ...]

    @property
    def text(self) -> str:
        """Return the block's text as a reader sees it."""
        return join_lines([ln.text for ln in self.lines])

    @property
    def first_line(self) -> int:
        """Return the 1-based number of the first source line."""
        return self.lines[0].no

    @property
    def last_line(self) -> int:
        """Return the 1-based number of the last source line."""
        return self.lines[-1].no

    @property
    def is_dispatch(self) -> bool:
        """Tell whether the block opens with a dispatch line such as 本报讯."""
        return self.kind == "body" and bool(DISPATCH.match(self.text))


@dataclass(frozen=True)
class Layout:
    """A page read as header lines plus blocks in reading order."""

    header: tuple[Line, ...]
    blocks: tuple[Block, ...]


def _is_title_line(line: Line) -> bool:
    text = re.sub(r"“[^”]*”|《[^》]*》", "“”", line.text)
    if text.startswith("——"):  # a subtitle (——记…、…会长 …): its enumeration commas make no clause
        text = re.sub("[、，,]", "", text)
    # A headline may name its subject before a colon (厦门台资企业协会：搭台“牵线”促融合); a line ending
    # in one introduces what follows it.
    text = _TITLE_COLON.sub("", text, count=1)
    return (
        not line.indented
        and not CLAUSE_PUNCT.search(text)
        and not ends_sentence(line.text)
        and line.width <= _MAX_TITLE_WIDTH
        and not line.text.startswith(("（", "("))
        and not TABLE_ROW.search(line.text)
        and not DISPATCH.match(line.text)  # 本报讯（记者 …） opens a body, however short its line
    )


def _headline_lines(lines: list[Line], *, over_byline: bool = False, over_indent: bool = False) -> bool:
    """Tell whether lines set tight over a byline or a text may be its headline block: title lines, or
    a title over subtitles that print a comma (成都市在册异地商会达到132家，会员企业超过3.6万家) but end
    no sentence; over a byline line, the main title may print one too (鲁商抱团闯市场，年会签下百亿订单).
    Over an indented paragraph (``over_indent``), lines that end no sentence end no paragraph either."""
    if not lines or len(lines) > _MAX_TITLE_LINES:
        return False
    loose = [
        ln.width <= _MAX_TITLE_WIDTH and not (ln.indented or "。" in ln.text or ends_sentence(ln.text))
        for ln in lines
    ]
    if all(_is_title_line(ln) for ln in lines) or (over_byline and all(loose)):
        return True
    # (Its first line short of the column or wider than it: a paragraph cut by a column break fills it.)
    first = lines[0]
    off_measure = over_indent or first.is_short or first.width > first.full_width + 1
    return len(lines) > 1 and _is_title_line(first) and off_measure and all(loose[1:])


def inline_credit(text: str) -> str | None:
    """Return the photo credit a caption prints in parentheses after its last sentence, or None."""
    m = _INLINE_CREDIT.search(text) or _BARE_CREDIT.search(text)
    return m[1] if m and CREDIT.match(m[1]) else None


def _closing_only(line: Line) -> bool:
    """Tell whether a line is nothing but a closing byline or photo credit in parentheses (（通讯员 赵磊）,
    （本报记者 李红 摄）): it ends the paragraph or caption printed above it."""
    closing = CLOSING.match(line.text)
    return closing is not None and (read_credits(closing[1]) is not None or bool(CREDIT.match(closing[1])))


def _line_kind(line: Line) -> BlockKind | None:
    if CREDIT.match(line.text):
        return "credit"
    if BYLINE.match(line.text) and read_credits(line.text) is not None:
        # Credited as shooting it (成都日报锦观新闻记者 唐子豪 摄): a photo's credit all the same.
        return "credit" if line.text.endswith("摄") else "byline"
    return None


def finished(text: str) -> bool:
    """Tell whether a line ends a paragraph's text: a sentence end, or a closing byline or （完）."""
    if (
        ends_sentence(text)
        or text.endswith(("（完）", "(完)"))
        or TABLE_ROW.search(text)
        or JUMP.search(text)
    ):
        return True
    closing = CLOSING.search(text)
    return closing is not None and read_credits(closing[1]) is not None


def _all_title(group: list[Line], forced_titles: frozenset[int]) -> bool:
    """Tell whether a blank-delimited group is a headline block standing alone: title lines only, or a
    column's label over a title that prints a comma (短评 / 商会换届，换的是担子)."""
    if len(group) <= _MAX_TITLE_LINES and all(_is_title_line(ln) or ln.no in forced_titles for ln in group):
        return True
    return len(group) == 2 and group[0].width <= _MAX_LABEL_WIDTH and _headline_lines(group)


def _split_group(
    group: list[Line], forced_titles: frozenset[int], forced_starts: frozenset[int]
) -> list[Block]:
    """Cut one blank-delimited group into blocks: bylines, credits, title runs and body paragraphs.

    A forced article start (a sidecar override) always begins a block, so that the articles stage,
    which only sees blocks, can start the article there.
    """
    blocks: list[Block] = []
    current: list[Line] = []

    def flush(kind: BlockKind = "body") -> None:
        if current:
            blocks.append(Block(kind, tuple(current)))
            current.clear()

    all_title = _all_title(group, forced_titles)

    def opener_kind(*, byline: bool = False, indent: bool = False) -> BlockKind:
        """The kind of the lines before a byline, a dispatch or an indented line: title lines at the
        group's start or after a finished paragraph are a headline block set tight against its text
        (over a byline, even a main title that prints a comma)."""
        opens = not blocks or blocks[-1].kind != "body" or finished(blocks[-1].lines[-1].text)
        heads = opens and _headline_lines(current, over_byline=byline, over_indent=indent)
        return "title" if all_title or heads else "body"

    def flush_headed_tail() -> None:  # the paragraph before a headline set tight under it goes out
        if at := _headline_tail(current):
            tail = current[at:]
            del current[at:]
            flush()
            current.extend(tail)

    for ln in group:
        if _closing_only(ln) and current and ends_sentence(current[-1].text):
            current.append(ln)  # the byline or credit closing the paragraph above
            flush()
            continue
        if _closing_only(ln) and not current and blocks and blocks[-1].kind == "body":
            blocks[-1] = Block("body", (*blocks[-1].lines, ln))
            continue
        special = _line_kind(ln)
        if special or ln.no in forced_titles:
            flush(opener_kind(byline=True) if special == "byline" else "title" if all_title else "body")
            blocks.append(Block(special or "title", (ln,)))
            continue
        if DISPATCH.match(ln.text) or ln.indented or opens_brief(ln.text):
            flush_headed_tail()
            flush(opener_kind(indent=ln.indented))
        elif ln.no in forced_starts:
            flush("title" if all_title else "body")
        current.append(ln)
        # A short line that ends a sentence ends its paragraph even without a blank line after it.
        if not all_title and ln.is_short and finished(ln.text):
            flush()
    if not all_title:
        flush_headed_tail()
    flush("title" if all_title or _closes_group(blocks, current) else "body")
    return blocks


def _headline_tail(lines: list[Line]) -> int:
    """Where the title-like lines ending a run of lines start, when a finished line stands before them:
    a headline set tight under the paragraph it closes (indented text without blank lines: …减负超过
    300亿元。/ 宁波民营经济增加值占比首超六成); 0 when there is none."""
    at = len(lines)
    while at > 0 and len(lines) - at < _MAX_TITLE_LINES and _is_title_line(lines[at - 1]):
        at -= 1
    tail = lines[at:]
    # A line filling the column may be a paragraph's text wrapped at a column break; two such lines
    # without a comma between them are not prose.
    headline = len(tail) >= 2 or all(ln.width < ln.full_width - 0.5 for ln in tail)
    return at if 0 < at < len(lines) and finished(lines[at - 1].text) and headline else 0


def _closes_group(blocks: list[Block], tail: list[Line]) -> bool:
    """Tell whether the title-like lines ending a group, set tight under a finished paragraph, are the
    headline of the article they close (headline after body, no blank line between): not the line of a
    paragraph a column break cut, which fills the column to its edge (two such lines without a comma
    are no prose). A byline line may stand between them (…118.6万户。/ 记者 刘琳 / 济南个转企…)."""
    above = (
        [b for b in blocks if b.kind != "byline"][-1:]
        if blocks and blocks[-1].kind == "byline"
        else blocks[-1:]
    )
    return (
        bool(above)
        and above[0].kind == "body"
        and finished(above[0].lines[-1].text)
        and 0 < len(tail) <= _MAX_TITLE_LINES
        and all(_is_title_line(ln) for ln in tail)
        and (len(tail) >= 2 or abs(tail[0].width - tail[0].full_width) > 0.5)
    )


def _joins(prev: Block, nxt: Block, forced_starts: frozenset[int]) -> bool:
    """Tell whether a blank line between two blocks is a column break inside one paragraph."""
    if prev.kind != "body" or finished(prev.lines[-1].text) or nxt.is_dispatch:
        return False
    if nxt.first_line in forced_starts:  # the override says a new article starts here, mid-sentence or not
        return False
    if nxt.kind == "body":
        return True
    # A title-like run right after an unfinished full-width line is the rest of that sentence when it
    # is a single full-width line itself: headlines stand after finished paragraphs.
    last = prev.lines[-1]
    return nxt.kind == "title" and len(nxt.lines) == 1 and not last.is_short and not nxt.lines[0].is_short


def _stands_as_byline(prev: Block | None, block: Block, nxt: Block | None) -> bool:
    """Tell whether a byline-like line stands where bylines stand: beside a headline block or at an
    article's start or end, never inside running text. After an unfinished line it is the rest of a
    sentence a column break split; a full-width line running on into body text is a wrapped sentence."""
    if prev is not None and prev.kind == "title" and prev.last_line == block.first_line - 1:
        return True  # beside (under) a headline block
    if prev is not None and prev.kind == "body" and not finished(prev.lines[-1].text):
        return False
    full_width = not block.lines[-1].is_short
    return not (full_width and nxt is not None and nxt.kind == "body" and not nxt.is_dispatch)


def _wrapped_line(prev: Block | None, block: Block, nxt: Block | None) -> bool:
    """Tell whether a lone title-like line between paragraphs is running text a column break cut off:
    it fills the column to the edge (a subhead or headline stands shorter, or over several lines) and
    the text after it goes on without opening a new item."""
    line = block.lines[-1]
    return (
        len(block.lines) == 1
        and line.full_width - 0.5 <= line.width <= line.full_width + 1  # a headline may run wider
        and prev is not None
        and prev.kind == "body"
        and nxt is not None
        and nxt.kind == "body"
        and not nxt.is_dispatch
    )


def _cut_off(prev: Block | None, block: Block, nxt: Block | None) -> bool:
    """Tell whether title-like lines set tight under a paragraph are the opening of the next paragraph a
    column break cut (昌南公司是一家从事电力通信 / 技术研究和设备开发…): the text after the break runs on
    without opening an item. A headline closing the paragraph above is followed by a new item."""
    return (
        prev is not None
        and prev.kind == "body"
        and prev.last_line == block.first_line - 1
        and nxt is not None
        and nxt.kind == "body"
        and nxt.first_line > block.last_line + 1
        and not nxt.is_dispatch
        and not nxt.lines[0].indented  # an indented line opens a paragraph: nothing ran on into it
        and len(block.lines) == 1
        and not finished(block.lines[-1].text)
    )


def _settle_lines(blocks: list[Block], forced_titles: frozenset[int]) -> list[Block]:
    """Read byline-like and title-like lines that stand inside running text as body text."""
    out: list[Block] = []
    for i, block in enumerate(blocks):
        prev, nxt = out[-1] if out else None, blocks[i + 1] if i + 1 < len(blocks) else None
        stray_byline = block.kind == "byline" and not _stands_as_byline(prev, block, nxt)
        forced = block.first_line in forced_titles
        stray_title = (
            block.kind == "title"
            and not forced
            and (_wrapped_line(prev, block, nxt) or _cut_off(prev, block, nxt))
        )
        if stray_byline or stray_title:
            block = Block("body", block.lines)
        out.append(block)
    return out


def read_layout(
    text: str, forced_titles: frozenset[int] = frozenset(), forced_starts: frozenset[int] = frozenset()
) -> Layout:
    """Read a page's text into header lines and blocks, joining paragraphs across column breaks.

    `forced_titles` are line numbers to read as title lines, `forced_starts` line numbers that must
    begin a block (an article starts there): both come from a page's sidecar overrides.
    """
    header, groups = split_header(read_lines(text))
    found = [b for group in groups for b in _split_group(group, forced_titles, forced_starts)]
    blocks: list[Block] = []
    for block in _settle_lines(found, forced_titles):
        if blocks and block.first_line not in forced_titles and _joins(blocks[-1], block, forced_starts):
            blocks[-1] = Block("body", blocks[-1].lines + block.lines)
        else:
            blocks.append(block)
    return Layout(tuple(header), tuple(blocks))
