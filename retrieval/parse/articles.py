"""Split a page into articles: Page -> PageParse (header lines plus articles and photo captions).

Newspapers print an article's headline block either after its body (this archive's e-paper dumps:
body, then kicker / title / subtitle, then `本报记者 …`) or before it. A title-like run is a headline
when something marks it as one — a byline, a second title line, a dispatch opener (本报讯) or the page
end after it — and otherwise a subhead that sections the paragraphs under it. Every article carries its
page's metadata, the page's printed name and folio number standing in for what the sidecar leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Literal

from retrieval.models import Article, Page, PageMeta, PageParse, Paragraph
from retrieval.parse.bylines import (
    BULLETS,
    CONTRIBUTOR_ROLE,
    closing_credits,
    lead_credits,
    opens_brief,
    read_credits,
)
from retrieval.parse.layout import Block, finished, inline_credit, read_layout
from retrieval.parse.masthead import printed_page, printed_paper

Layout = Literal["headline-after", "headline-first"]

# A caption is a few lines under a photo; a longer run before a credit is an article that lost its
# headline, with only its last paragraph captioning the photo.
_MAX_CAPTION_PARAGRAPHS = 3
_MAX_CAPTION_LINES = 6  # a caption under its credit is a few lines, not an article


@dataclass
class _Draft:
    """An article being assembled while walking the page's blocks."""

    headline: list[Block] = field(default_factory=list)
    byline: list[Block] = field(default_factory=list)
    body: list[tuple[Block, str | None]] = field(default_factory=list)  # (paragraph, section)
    subheads: list[Block] = field(default_factory=list)
    section: str | None = None
    credit: str | None = None  # a photo credit printed at the end of its caption

    def __bool__(self) -> bool:
        return bool(self.headline or self.byline or self.body or self.subheads or self.credit)


def detect_layout(blocks: tuple[Block, ...]) -> Layout:
    """Guess where this page prints headlines: first content a title run and last a body -> before."""
    content = [b for b in blocks if b.kind != "credit"]
    if not content:
        return "headline-after"
    # A byline alone first (■本报记者 … over the text) heads a body whose headline follows it.
    first_run = content[: next((i for i, b in enumerate(content) if b.kind not in ("title", "byline")), None)]
    starts_titled = any(b.kind == "title" for b in first_run)
    ends_titled = content[-1].kind in ("title", "byline")
    return "headline-first" if starts_titled and not ends_titled else "headline-after"


def _run_end(blocks: tuple[Block, ...], i: int, starts: frozenset[int] = frozenset()) -> int:
    """Return the index just past the run of title and byline blocks starting at i.

    A block at a forced article start (`starts`) ends the run before it: it opens the next article.
    """
    j = i + 1
    while j < len(blocks) and blocks[j].kind in ("title", "byline") and blocks[j].first_line not in starts:
        j += 1
    return j


def _is_headline(run: list[Block], after: Sequence[Block], layout: Layout) -> bool:
    """Tell whether a title run is an article's headline block rather than a subhead (`after`: the
    blocks that follow it)."""
    if any(b.kind == "byline" for b in run) or sum(len(b.lines) for b in run) >= 2:
        return True
    if not after or after[0].kind == "credit":
        return layout == "headline-after"
    if after[0].kind == "body" and inline_credit(after[0].text):
        return True  # a caption ending with its credit is no section of a body: the run closes one

    # A title line over a lone paragraph and a photo credit closes the article before the photo's
    # caption: a subhead has an article's body under it, not a caption.
    captioned = len(after) >= 2 and after[0].kind == "body" and after[1].kind == "credit"
    # Over bulleted items (■4月10日，… ■近日，…) it heads a column of briefs, not a section.
    briefs = layout == "headline-first" and after[0].kind == "body" and opens_brief(after[0].text)
    return after[0].is_dispatch or briefs or (captioned and layout == "headline-after")


def _set_with(run: list[Block], before: Block | None, after: Block | None) -> Layout | None:
    """Where a headline block belongs when the page sets it tight against one neighbour and apart from
    the other: set tight under a finished body (no blank line) with a blank line after it, it closes that
    body; set tight over a body with a blank line before it, it heads it. None: the page's layout decides.
    (A page may mix both: most headlines after their bodies, a feature's before.)"""
    tight_above = before is not None and before.kind == "body" and before.last_line == run[0].first_line - 1
    tight_below = after is not None and after.kind == "body" and after.first_line == run[-1].last_line + 1
    if tight_above and not tight_below and finished(before.lines[-1].text):  # type: ignore[union-attr]
        return "headline-after"
    if tight_below and not tight_above and before is not None:
        return "headline-first"
    return None


def _heads_caption(before: Block | None, credit: Block, after: Block | None) -> bool:
    """Tell whether a photo credit is printed over its caption: set tight over a short body under it and
    apart (a blank line) from the text above."""
    return (
        after is not None
        and after.kind == "body"
        and after.first_line == credit.last_line + 1
        and len(after.lines) <= _MAX_CAPTION_LINES
        and (before is None or before.last_line < credit.first_line - 1)
    )


def _tight_part(blocks: tuple[Block, ...], i: int, j: int) -> int:
    """End a title run blocks[i:j] at its first blank line when it starts set tight under a body: that
    part closes the body, and what stands apart after it heads the next item."""
    before = blocks[i - 1] if i else None
    if before is None or before.kind != "body" or before.last_line != blocks[i].first_line - 1:
        return j
    return next((k for k in range(i + 1, j) if blocks[k].first_line > blocks[k - 1].last_line + 1), j)


def _bylined_twice(draft: _Draft, following: Sequence[Block]) -> bool:
    """Tell whether a byline line, or a closing byline ending a text, before the next dispatch would
    give the draft a second byline: its lead already names its reporters, so the title run before it
    heads another item instead."""
    if not draft.body or lead_credits(draft.body[0][0].text) is None:
        return False
    for block in following:
        if block.is_dispatch:
            return False
        if block.kind == "byline" or (block.kind == "body" and closing_credits(block.text) is not None):
            return True
    return False


def _caption_size(draft: _Draft) -> int:
    """Return how many of the draft's last paragraphs caption the photo whose credit follows them.

    Without a headline above them the paragraphs have no owner yet: a short run is the caption, a longer
    one an article that lost its headline, captioned by its last paragraphs. Under a headline they are
    that article's body, and the caption is only the paragraph right above the credit (the text printed
    under the photo), unless taking it would leave the headline without a body.
    """
    if not draft.headline:
        return min(len(draft.body), _MAX_CAPTION_PARAGRAPHS)
    # A headline over a lone paragraph and a credit is a photo item with a title (图片新闻).
    return 1 if len(draft.body) >= 2 else len(draft.body)


def _paragraphs(draft: _Draft) -> tuple[Paragraph, ...]:
    return tuple(Paragraph(b.text, section, b.first_line, b.last_line) for b, section in draft.body)


def _credits(draft: _Draft, kind: Literal["article", "photo"]) -> tuple[str | None, str | None]:
    """Return an item's (byline, contributors): a photo's credit as printed; an article's byline line
    split where its contributors start (`本报记者 魏东雅` / `通讯员 高建平`), else the lead's or the
    closing parenthesis's reporters and contributors."""
    printed = " ".join(b.text.lstrip(BULLETS + " ") for b in draft.byline) or draft.credit
    if kind == "photo" and printed is not None and (taken := read_credits(printed)) and not taken.reporters:
        return None, printed  # shot by a correspondent (通讯员 庞立伟 摄): a contributor's credit
    if kind == "photo" or (printed is None and not draft.body):
        return printed, None
    found = [c for c in (read_credits(b.text) for b in draft.byline if b.kind == "byline") if c]
    paras = [b.text for b, _ in draft.body]
    # A column of briefs (■…（记者 …） ■…（通讯员 …）) is credited by every brief's closing byline.
    briefs = bool(paras) and opens_brief(paras[0])
    found += [c for c in (*map(lead_credits, paras[:1]), *map(closing_credits, paras[-1:])) if c]
    found += [c for c in map(closing_credits, paras[:-1] if briefs else ()) if c]
    contributors = _joined([c.contributor_line for c in found if c.contributors], every=briefs)
    if printed is not None:
        at = CONTRIBUTOR_ROLE.search(printed)
        if at is None:
            return printed, contributors
        return printed[: at.start()].strip() or None, printed[at.start() :].strip()
    return _joined([c.byline for c in found if c.reporters], every=briefs), contributors


def _joined(credits: list[str], *, every: bool) -> str | None:
    """Return the first credit, or every distinct one (a column of briefs), or None."""
    return (" ".join(dict.fromkeys(credits)) if every else credits[0]) if credits else None


def _finish(draft: _Draft, kind: Literal["article", "photo"], page: Page, n: int) -> Article:
    """Freeze a draft into an Article numbered n on its page."""
    byline, contributors = _credits(draft, kind)
    return Article(
        id=f"{PurePath(page.source).stem}#{n}",
        source=page.source,
        kind=kind,
        headline=tuple(ln.text for b in draft.headline for ln in b.lines),
        byline=byline,
        contributors=contributors,
        paragraphs=_paragraphs(draft),
        meta=page.meta,
        subheads=tuple((b.text, b.first_line) for b in draft.subheads),
        headline_span=tuple(ln.no for b in draft.headline + draft.byline for ln in b.lines),
    )


class _Assembler:
    """Walk blocks in reading order and cut them into articles."""

    def __init__(self, page: Page, layout: Layout) -> None:
        self.page = page
        self.layout = layout
        self.articles: list[Article] = []
        self.draft = _Draft()
        self.captioning = False  # a photo credit waits for the caption printed under it

    def close(self, kind: Literal["article", "photo"] = "article") -> None:
        if self.captioning:  # a credit still waiting for its caption is a photo item all the same
            kind, self.captioning = "photo", False
        if self.draft:
            self.articles.append(_finish(self.draft, kind, self.page, len(self.articles) + 1))
        self.draft = _Draft()

    def add_body(self, block: Block) -> None:
        credit = inline_credit(block.text)
        if credit is not None and not self.captioning:
            self._add_captioned(block, credit)
            return
        starts = block.is_dispatch or block.first_line in self.page.article_starts or self._signed_off()
        if starts and (self.draft.body or self.captioning):
            self.close()
        self.draft.body.append((block, self.draft.section))
        if self.captioning:  # the paragraph under a credit that had nothing above it to caption
            self.captioning = False
            self.close("photo")

    def _signed_off(self) -> bool:
        """Tell whether the draft is a headed article its closing byline or （完） has ended: what follows
        is another item (whose headline may come after it)."""
        if not (self.draft.headline and self.draft.body):
            return False
        if opens_brief(self.draft.body[0][0].text):
            return False  # a column of briefs (■…（记者 …） ■…): each brief signs off, the column goes on
        last = self.draft.body[-1][0].text.rstrip()
        return last.endswith(("（完）", "(完)")) or closing_credits(last) is not None

    def _add_captioned(self, block: Block, credit: str) -> None:
        """A caption ending with its photo's credit is a photo item of its own: it closes the headed
        article above it, takes a headline standing over it alone, and leaves a body still waiting for
        its headline (printed after it) untouched."""
        if self.draft.headline and self.draft.body:
            self.close()
        waiting = self.draft if self.draft.body else _Draft()
        if waiting:
            self.draft = _Draft()
        self.draft.body.append((block, None))
        self.draft.credit = credit
        self.close("photo")
        self.draft = waiting

    def add_credit(self, block: Block, before: Block | None = None, after: Block | None = None) -> None:
        if block.first_line in self.page.article_starts:
            self.close()  # the override makes the credit an item of its own: a photo without a caption
        elif not self.captioning and _heads_caption(before, block, after):
            self.close()  # set tight over the lines under it and apart from the text above: their credit
            self.draft.byline.append(block)
            self.captioning = True
            return
        elif not self.draft and not self.captioning:
            # Nothing above the credit to caption (the page's top, or an article just closed by its
            # headline): the caption is printed under it.
            self.draft.byline.append(block)
            self.captioning = True
            return
        n_caption = _caption_size(self.draft)
        if len(self.draft.body) > n_caption:
            # What stands before the caption is an article (headed above, or one that lost its headline):
            # it keeps its headline, byline and subheads; the photo gets the caption and the credit.
            article = self.draft
            caption = article.body[len(article.body) - n_caption :]
            article.body = article.body[: len(article.body) - n_caption]
            self.close()
            # A caption stands under the photo, not under the article's subhead.
            self.draft = _Draft(body=[(b, None) for b, _ in caption])
        self.draft.byline.append(block)
        self.close("photo")

    def add_run(self, run: list[Block], following: Sequence[Block], before: Block | None = None) -> None:
        after = following[0] if following else None
        if run[0].first_line in self.page.article_starts:
            self.close()  # the override starts an article at this run: it heads what follows
            self._take_headline(run)
            return
        if self._signed_off():
            self.close()  # its closing byline or （完） ended the article above: no subhead of it
            self._take_headline(run)
            return
        forced = after is not None and after.first_line in self.page.article_starts
        set_with = _set_with(run, before, after)
        layout = set_with or self.layout
        closes = set_with == "headline-after"  # set tight under its body: no subhead stands so
        headline = closes or _is_headline(run, following, layout) or _bylined_twice(self.draft, following)
        if not (headline or forced or not self.draft.body):
            self.draft.subheads.extend(run)
            self.draft.section = " ".join(b.text for b in run)
            return
        if layout == "headline-first" or not self.draft.body:
            self.close()  # the run heads what follows
            self._take_headline(run)
        else:
            if closes and self.draft.headline:
                self._part_headed()
            self._take_headline(run)
            self.close()

    def _part_headed(self) -> None:
        """Before a headline set tight under a body that already has one, close the headed article at
        the last blank line of the body: what follows it is the text this headline closes."""
        body = self.draft.body
        gaps = [k for k in range(1, len(body)) if body[k][0].first_line > body[k - 1][0].last_line + 1]
        if gaps:
            rest = body[gaps[-1] :]
            self.draft.body = body[: gaps[-1]]
            self.close()
            self.draft.body = [(b, None) for b, _ in rest]

    def _take_headline(self, run: list[Block]) -> None:
        for b in run:
            (self.draft.byline if b.kind == "byline" else self.draft.headline).append(b)


def printed_meta(meta: PageMeta, header: tuple[str, ...]) -> PageMeta:
    """Fill the paper, date, page number and name a sidecar left unknown from what the page prints in its
    header and footer."""
    if meta.page_number and meta.page_name and meta.paper and meta.date:
        return meta
    number, name = printed_page(header)
    paper, date = printed_paper(header)
    return replace(
        meta,
        paper=meta.paper or paper,
        date=meta.date or date,
        page_number=meta.page_number or number,
        page_name=meta.page_name or name,
    )


def split_articles(page: Page) -> PageParse:
    """Parse a page into its header lines and articles; no character of the page is dropped."""
    starts = frozenset(page.article_starts)
    layout_read = read_layout(page.text, frozenset(page.headline_lines), starts)
    header = tuple(ln.text for ln in layout_read.header)
    page = replace(page, meta=printed_meta(page.meta, header))
    blocks = layout_read.blocks
    layout: Layout = detect_layout(blocks) if page.layout == "auto" else page.layout
    asm = _Assembler(page, layout)
    i = 0
    while i < len(blocks):
        block = blocks[i]
        if block.kind == "body":
            asm.add_body(block)
            i += 1
        elif block.kind == "credit":
            asm.add_credit(
                block, blocks[i - 1] if i else None, blocks[i + 1] if i + 1 < len(blocks) else None
            )
            i += 1
        else:
            j = _tight_part(blocks, i, _run_end(blocks, i, starts))
            asm.add_run(list(blocks[i:j]), blocks[j:], blocks[i - 1] if i else None)
            i = j
    asm.close()
    return PageParse(
        source=page.source,
        header=header,
        articles=tuple(asm.articles),
        layout=layout,
    )
