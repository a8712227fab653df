"""Typed records passed between pipeline stages: pages -> articles -> chunks -> answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ArticleKind = Literal["article", "photo"]


@dataclass(frozen=True)
class PageMeta:
    """What a sidecar file says about a page; every field may be unknown."""

    paper: str | None = None
    date: str | None = None
    page_number: str | None = None
    page_name: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Page:
    """One page of raw text as read from disk, with its metadata and parser overrides."""

    source: str  # file name, e.g. "001_73203bc2ffbfe497.txt"
    text: str
    meta: PageMeta = PageMeta()
    # Sidecar overrides where a layout defeats the parser (see pages.read_sidecar).
    layout: Literal["auto", "headline-after", "headline-first"] = "auto"
    # 1-based line numbers at which a new article must start.
    article_starts: tuple[int, ...] = ()
    # 1-based line numbers that must be read as headline lines.
    headline_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of an article as a reader sees it."""

    text: str
    section: str | None  # the subhead it stands under, if any
    first_line: int  # 1-based line span in the source page
    last_line: int


@dataclass(frozen=True)
class Article:
    """A news item of a page: its body, headline block and byline."""

    id: str  # "<page stem>#<n>", stable while the page does not change
    source: str
    kind: ArticleKind
    headline: tuple[str, ...]  # kicker, main title, subtitle ... as printed, in order
    byline: str | None
    paragraphs: tuple[Paragraph, ...]
    meta: PageMeta = PageMeta()
    # Subheads as (text, source line), and the source lines of the headline block and byline: with the
    # paragraphs' spans they account for every line of the article.
    subheads: tuple[tuple[str, int], ...] = ()
    headline_span: tuple[int, ...] = ()
    # Who helped (通讯员 刘岩 徐暘洋), beside the reporters in `byline`; from a byline line or the lead.
    contributors: str | None = None

    @property
    def title(self) -> str:
        """The whole headline on one line ("" for a photo caption)."""
        return " ".join(self.headline)

    @property
    def sections(self) -> list[str]:
        """Subheads in order of appearance, each once."""
        seen: dict[str, None] = {}
        for p in self.paragraphs:
            if p.section:
                seen.setdefault(p.section, None)
        return list(seen)


@dataclass(frozen=True)
class PageParse:
    """Everything a page turned into: nothing of the page's text is outside these."""

    source: str
    header: tuple[str, ...]  # page header / folio lines, e.g. ("MINSHENG JINGJI", "经济")
    articles: tuple[Article, ...]
    layout: str = "headline-after"  # where this page prints headlines, as detected or overridden


@dataclass(frozen=True)
class Chunk:
    """The unit of retrieval: a paragraph (or a merged or split part of one), born with its citation."""

    id: int
    article_id: str
    title: str
    section: str | None
    paragraph: int  # 1-based paragraph number within the article
    source: str
    text: str  # as shown to users
    paper: str | None = None
    date: str | None = None
    page: str | None = None  # page number and name, e.g. "5 经济"
    byline: str | None = None  # the article's (本报记者 魏东雅) or the photo's credit (魏东雅 乔璐洋 摄)
    contributors: str | None = None  # the article's contributors (通讯员 刘岩 徐暘洋)

    @property
    def credits(self) -> str:
        """Everyone the passage's citation credits: its reporters, then its contributors."""
        return " ".join(who for who in (self.byline, self.contributors) if who)


@dataclass(frozen=True)
class Hit:
    """One ranked passage of an answer."""

    rank: int
    score: float
    chunk: Chunk
    answer_sentence: str
    matched_terms: tuple[str, ...]  # the question's words this passage holds (as such, an alias or a synonym)
    unmatched_terms: tuple[str, ...]
    # The passage's own words to highlight: 企业家 where the question said 老板. Defaults to matched_terms.
    marks: tuple[str, ...] = ()

    @property
    def highlights(self) -> tuple[str, ...]:
        """Return the words to mark in the passage."""
        return self.marks or self.matched_terms


@dataclass(frozen=True)
class ShortAnswer:
    """The fact asked for, as printed: a span of one result's passage (``rank`` names the result)."""

    text: str
    rank: int
    kind: str  # what it is: count, money, date, person, organisation, document ... (ask/short_answer.py)
    sentence: str  # the sentence it stands in, the evidence shown


@dataclass(frozen=True)
class ListItem:
    """One item of a list the archive prints (section heads, parallel paragraph leads, an enumeration)."""

    text: str
    article_id: str
    paragraph: int  # 1-based paragraph of the article it stands in
    chunk: Chunk  # the passage it stands in, for its citation


@dataclass(frozen=True)
class Conversation:
    """What a follow-up may lean on: the previous question as searched and what answered it. A value
    passed in with a question and returned with its answer; whoever keeps it decides when it expires."""

    topic: str = ""  # the previous question as searched (a follow-up as rewritten)
    subject: tuple[str, ...] = ()  # the names it was about (许昌市企业家协会): what a bare follow-up lacks
    person: str = ""  # the person its short answer named (黄玉霞): whom 她 refers to
    thing: str = ""  # the organisation or place its short answer named (建设银行许昌分行): what 这家银行 is


@dataclass(frozen=True)
class Answer:
    """The reply to one question; a refusal is a value, never an exception."""

    question: str
    query_terms: tuple[str, ...]
    answered: bool
    hits: tuple[Hit, ...] = ()
    # When not answered: headlines of the closest articles, best first.
    near_titles: tuple[str, ...] = ()
    reason: str = ""
    extra: dict[str, object] = field(default_factory=dict)
    # For an English question: the Chinese terms it was read as ("长葛 工商联 培训").
    searched_for: str = ""
    # When not answered: the archive's words nearest to question words it does not know (商汇 -> 商会).
    near_terms: tuple[str, ...] = ()
    # When refused as a near miss: the kind of answer asked for (ask/answer_types.py: year, date, person
    # ...) that passages about the question's focus word never state, and that word ("person", "会长").
    unstated_kind: str = ""
    unstated_about: str = ""
    short_answer: ShortAnswer | None = None
    items: tuple[ListItem, ...] = ()  # when the question asks for the items of a list the archive prints
    # The question as searched, when a conversation's earlier turns rewrote it (她 -> 黄玉霞); else "".
    searched_as: str = ""
    # Names in the question the archive never mentions (富士康): why it was refused.
    missing: tuple[str, ...] = ()
    small_talk: str = ""  # the kind of small talk (greeting, thanks ...) answered instead of searched
    relevant: int = 0  # results worth showing in all (for paging), counting from the first
    conversation: Conversation | None = None  # the conversation after this question, for the next one
    partial: bool = False  # some shards of the archive did not answer: this answer is from the others
