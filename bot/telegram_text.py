"""Telegram's text limits as pure functions: measure HTML as Telegram does, split, pack, clip."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

MAX_MESSAGE_CHARS = 4096  # sendMessage / editMessageText: 1-4096 characters after entity parsing
MAX_TITLE_CHARS = 80  # a headline in a list of them (closest articles, /articles)
_TAG = re.compile(r"<[^>]*>")
_STRONG_BREAK = re.compile(r"[。！？!?；;…\n]|\.(?=\s)")  # ends of sentences
_WEAK_BREAK = re.compile(r"[，,、：:）)」』”\s]")  # ends of clauses and words


def utf16_len(text: str) -> int:
    """Return the length Telegram counts: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """Return the length of HTML text after entity parsing (tags dropped, entities decoded)."""
    return utf16_len(html.unescape(_TAG.sub("", html_text)))


def clip(text: str, limit: int, ellipsis: str = "…") -> str:
    """Shorten plain text to at most `limit` UTF-16 units, ending in `ellipsis` when cut."""
    if utf16_len(text) <= limit:
        return text
    return text[: _fit(text, limit - utf16_len(ellipsis))] + ellipsis


def _fit(text: str, limit: int) -> int:
    """Return the largest i with utf16_len(text[:i]) <= limit."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def _cut(text: str, limit: int) -> int:
    """Return where to cut text so the head fits: after a sentence, else after a clause, else hard."""
    fit = _fit(text, limit)
    for pattern in (_STRONG_BREAK, _WEAK_BREAK):
        ends = [m.end() for m in pattern.finditer(text, 0, fit)]
        if ends:
            return ends[-1]
    return max(fit, 1)


def split_plain(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split plain text into pieces of at most `limit` UTF-16 units, at sentence ends where possible."""
    if limit < 2:
        raise ValueError("limit must leave room for at least one character")
    pieces: list[str] = []
    rest = text.strip()
    while utf16_len(rest) > limit:
        at = _cut(rest, limit)
        pieces.append(rest[:at].strip())
        rest = rest[at:].strip()
    pieces.append(rest)
    return [piece for piece in pieces if piece]


def escaped_pieces(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split plain text as split_plain does, then HTML-escape each piece (never cutting an entity)."""
    return [html.escape(piece) for piece in split_plain(text, limit)]


def pack(blocks: Iterable[str], limit: int = MAX_MESSAGE_CHARS, sep: str = "\n\n") -> list[str]:
    """Join whole HTML blocks into as few messages as fit `limit`; each block must fit alone."""
    messages: list[str] = []
    current, size = "", 0
    for block in blocks:
        length = visible_length(block)
        if length > limit:
            raise ValueError(f"an HTML block of {length} characters cannot fit in one message")
        if current and size + len(sep) + length <= limit:
            current, size = current + sep + block, size + len(sep) + length
        else:
            if current:
                messages.append(current)
            current, size = block, length
    if current:
        messages.append(current)
    return messages
