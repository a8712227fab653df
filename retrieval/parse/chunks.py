"""Cut articles into retrieval chunks: list[Article] -> list[Chunk].

A chunk is a paragraph, born with its citation. A one-line paragraph (a run-in lead such as
`突出商会作用，发展会展经济。`) joins the paragraph after it in the same section, and a very long paragraph
splits at sentence ends, so every chunk is a passage worth reading on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from retrieval.models import Article, Chunk, Paragraph

MIN_CHUNK_CHARS = 40  # shorter paragraphs merge with a neighbour
MAX_CHUNK_CHARS = 420  # longer ones split at sentence ends into parts of about TARGET_CHARS
TARGET_CHARS = 260
_SENTENCE = re.compile(r"[^。！？!?；;]*[。！？!?；;]+[”’」』）)]*|[^。！？!?；;]+$")


def sentences(text: str) -> list[str]:
    """Split text at sentence ends, keeping the punctuation and closing quotes with each sentence."""
    return [s for s in _SENTENCE.findall(text) if s.strip()]


def _split_long(text: str) -> list[str]:
    """Split a long paragraph at sentence ends into parts of about TARGET_CHARS."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    parts: list[str] = [""]
    for sentence in sentences(text):
        if parts[-1] and len(parts[-1]) + len(sentence) > TARGET_CHARS:
            parts.append("")
        parts[-1] += sentence
    if len(parts) > 1 and len(parts[-1]) < MIN_CHUNK_CHARS:
        parts[-2] += parts.pop()
    return parts


def _merge_short(paragraphs: Iterable[Paragraph]) -> list[tuple[int, Paragraph]]:
    """Join short paragraphs to their neighbour in the same section; keep the first number."""
    merged: list[tuple[int, Paragraph]] = []
    carry: tuple[int, Paragraph] | None = None
    for number, para in enumerate(paragraphs, start=1):
        if carry and carry[1].section == para.section:
            number, para = (
                carry[0],
                Paragraph(carry[1].text + para.text, para.section, carry[1].first_line, para.last_line),
            )
        elif carry:
            merged.append(carry)
        carry = None
        if len(para.text) < MIN_CHUNK_CHARS:
            carry = (number, para)
        else:
            merged.append((number, para))
    if carry:
        prev = merged[-1] if merged else None
        if prev and prev[1].section == carry[1].section:
            text = prev[1].text + carry[1].text
            merged[-1] = (prev[0], Paragraph(text, prev[1].section, prev[1].first_line, carry[1].last_line))
        else:
            merged.append(carry)
    return merged


def _page_label(article: Article) -> str | None:
    parts = [p for p in (article.meta.page_number, article.meta.page_name) if p]
    return " ".join(parts) or None


def chunk_articles(articles: Iterable[Article], start_id: int = 0) -> list[Chunk]:
    """Cut articles into chunks numbered from start_id, each carrying its citation."""
    chunks: list[Chunk] = []
    for article in articles:
        for number, para in _merge_short(article.paragraphs):
            for text in _split_long(para.text):
                chunks.append(
                    Chunk(
                        id=start_id + len(chunks),
                        article_id=article.id,
                        title=article.title,
                        section=para.section,
                        paragraph=number,
                        source=article.source,
                        text=text,
                        paper=article.meta.paper,
                        date=article.meta.date,
                        page=_page_label(article),
                        byline=article.byline,
                        contributors=article.contributors,
                    )
                )
    return chunks


def indexed_text(chunk: Chunk) -> str:
    """Return what the index sees of a chunk: headline and section in front of the text, byline and
    contributors after it (a reporter's or photographer's name brings up their work)."""
    parts = (chunk.title, chunk.section, chunk.text, chunk.byline, chunk.contributors)
    return " ".join(part for part in parts if part)
