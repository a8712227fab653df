"""Replies that browse the archive: stats | Article → HTML for /start, /help, /about, /articles, /a_<n>.

Also the admin's /reload reply: which index version served before and which serves now.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from bot.telegram_text import MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, clip, escaped_pieces, pack
from replies import words
from replies.usage import report_lines
from replies.words import Lang, for_lang

if TYPE_CHECKING:
    from retrieval import ArchiveStats, Article
    from usage import UsageReport

MAX_META_CHARS = 500
MAX_LISTED_VALUES = 6  # papers or dates named in /start before "…"
MAX_LISTED = 200  # articles /articles lists; a question reaches any of them


def _listing(values: Sequence[str]) -> str:
    """Return a short, comma-separated listing of values."""
    shown = "、".join(values[:MAX_LISTED_VALUES])
    return shown + ("…" if len(values) > MAX_LISTED_VALUES else "")


def coverage(stats: ArchiveStats, screens: words.Screens = words.ZH_SCREENS) -> str:
    """Return plain lines saying what the archive holds (papers where known; dates, or that they are not)."""
    lines = [screens.coverage.format(articles=stats.n_articles, pages=stats.n_pages)]
    if stats.papers:
        lines.append(screens.papers.format(papers=_listing(stats.papers)))
    dates = screens.dates.format(dates=_listing(stats.dates)) if stats.dates else screens.dates_unknown
    return "\n".join([*lines, dates])


def format_start(
    stats: ArchiveStats, examples: Sequence[str], screens: words.Screens = words.ZH_SCREENS
) -> str:
    """Return the /start message: what the archive holds and example questions to copy."""
    parts = [html.escape(screens.intro), html.escape(coverage(stats, screens))]
    if examples:
        lines = [f"• <code>{html.escape(clip(q, 200))}</code>" for q in examples]
        parts.append(html.escape(screens.examples) + "\n" + "\n".join(lines))
    parts += ["/help · /articles · /about", html.escape(screens.other_language)]
    return "\n\n".join(parts)


def format_help(username: str | None, screens: words.Screens = words.ZH_SCREENS) -> str:
    """Return the /help message."""
    return html.escape(screens.help.format(username=username or "bot"))


def format_about(
    stats: ArchiveStats, screens: words.Screens = words.ZH_SCREENS, *, admin: bool = False
) -> str:
    """Return the /about message: what the archive holds; for admins, its size and index version too."""
    text = screens.about.format(coverage=coverage(stats, screens))
    if admin:
        text += "\n" + screens.about_admin.format(chunks=stats.n_chunks, version=stats.index_version)
    return html.escape(clip(text, MAX_MESSAGE_CHARS))


def format_reloaded(old: ArchiveStats, new: ArchiveStats) -> str:
    """Return the /reload reply: the version served before and now, and what the archive now holds."""
    counts = {"pages": new.n_pages, "articles": new.n_articles, "chunks": new.n_chunks}
    if old.index_version == new.index_version:
        return html.escape(words.RELOAD_UNCHANGED.format(version=new.index_version, **counts))
    return html.escape(words.RELOADED.format(old=old.index_version, new=new.index_version, **counts))


def format_stats(report: UsageReport, retention_days: float) -> list[str]:
    """Return the /stats report (what readers asked, the archive's gaps, 👎) over as many messages as
    it needs."""
    return pack([html.escape(line) for line in report_lines(report, retention_days)], sep="\n")


def format_reload_failed(version: str, error: str) -> str:
    """Return the /reload reply when loading failed: the version still served and the error."""
    return html.escape(clip(words.RELOAD_FAILED.format(version=version, error=error), MAX_MESSAGE_CHARS))


def article_line(number: int, article: Article, lang: Lang = "zh") -> str:
    """Return one line of /articles: the command that opens the article, and its headline."""
    title = article.title
    if not title:
        first = article.paragraphs[0].text if article.paragraphs else ""
        title = f"{for_lang(lang).photo}：{first}"
    return f"/a_{number} {html.escape(clip(title, MAX_TITLE_CHARS))}"


def format_article_list(
    listing: Iterable[tuple[int, Article]], total: int, limit: int = MAX_LISTED
) -> list[str]:
    """Return the headlines, each with its /a_<n> command, over as many messages as needed.

    A big archive lists its first ``limit`` articles and says how many there are: tens of thousands of
    headlines are no use in a chat, and a question finds any of them.
    """
    lines = [html.escape(words.ARTICLES_HEADER)]
    lines += [article_line(n, article) for n, article in islice(listing, limit)]
    if total > limit:
        lines.append(html.escape(words.ARTICLES_MORE.format(shown=limit, total=total)))
    return pack(lines, sep="\n")


def format_article(article: Article, lang: Lang = "zh") -> list[str]:
    """Return the whole article over as many messages as it needs, split between sentences."""
    blocks = _article_head(article, lang)
    section = None
    for paragraph in article.paragraphs:
        if paragraph.section and paragraph.section != section:
            blocks.append(f"<b>{html.escape(clip(paragraph.section, MAX_META_CHARS))}</b>")
        section = paragraph.section
        blocks += escaped_pieces(paragraph.text)
    return pack(blocks)


def _article_head(article: Article, lang: Lang) -> list[str]:
    """Return the headline lines in bold, then the byline and the page it came from in italics."""
    lines = article.headline or (for_lang(lang).photo,)
    head = "\n".join(f"<b>{html.escape(clip(line, MAX_META_CHARS))}</b>" for line in lines[:5])
    meta = article.meta
    where = " ".join(
        p for p in (meta.paper, meta.date, meta.page_number, meta.page_name, article.source) if p
    )
    return [
        head,
        *(f"<i>{html.escape(clip(text, MAX_META_CHARS))}</i>" for text in (article.byline, where) if text),
    ]
