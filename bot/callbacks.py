"""Button payloads: More | Full ⇄ callback_data strings of at most 64 bytes, checked on the way back."""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64  # Telegram's limit for InlineKeyboardButton.callback_data
MAX_OFFSET = 60  # "更多" pages through the first results only; deeper is rarely useful
_MORE = re.compile(r"m:([0-9a-f]{8}):(\d{1,2})")
_FULL = re.compile(r"f:(\d{1,6}):([0-9a-f]{8})")


@dataclass(frozen=True)
class More:
    """Show the results of a remembered question from `offset` on."""

    question_key: str  # 8 hex digits naming a question the bot remembers
    offset: int


@dataclass(frozen=True)
class Full:
    """Send the whole text of article number `article` of index `version`."""

    article: int  # 1-based position in archive.articles, as in /a_<n>
    version: str  # 8 hex digits of the index version the number belongs to


Payload = More | Full


def encode(payload: Payload) -> str:
    """Return the callback_data string of a payload."""
    if isinstance(payload, More):
        data = f"m:{payload.question_key}:{payload.offset}"
    else:
        data = f"f:{payload.article}:{payload.version}"
    if decode(data) != payload:
        raise ValueError(f"payload cannot round-trip through callback_data: {payload!r}")
    return data


def decode(data: str | None) -> Payload | None:
    """Parse callback_data from Telegram; None for anything forged, stale-format or oversized."""
    if data is None or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    if match := _MORE.fullmatch(data):
        offset = int(match[2])
        return More(match[1], offset) if offset <= MAX_OFFSET else None
    if match := _FULL.fullmatch(data):
        return Full(int(match[1]), match[2]) if int(match[1]) > 0 else None
    return None
