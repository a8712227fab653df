"""Button payloads: Page | Full | Vote ⇄ callback_data strings of at most 64 bytes, checked on the way back.

A payload names stable things — a logged question's id (usage.AskLog), a screen number, the asker — so
a button keeps working across restarts and unchanged rebuilds for as long as the question is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.paging import MAX_SCREENS

MAX_CALLBACK_BYTES = 64  # Telegram's limit for InlineKeyboardButton.callback_data
_ID = r"(0|[1-9]\d{0,15})"  # ids: up to 52 bits, as Telegram says of user ids; one spelling each
_SCREEN = r"(0|[1-9]\d?)"
_PAGE = re.compile(rf"p:{_ID}:{_SCREEN}:{_ID}")
_FULL = re.compile(rf"f:{_ID}:{_SCREEN}:{_ID}")
_VOTE = re.compile(rf"v:{_ID}:([+-])")


@dataclass(frozen=True)
class Page:
    """Show screen `screen` of logged question `ask` (only `asker` may, when not 0: a group's asker)."""

    ask: int
    screen: int
    asker: int = 0


@dataclass(frozen=True)
class Full:
    """Send the whole article screen `screen` of question `ask` quoted, to `asker` (0: to this chat)."""

    ask: int
    screen: int
    asker: int = 0


@dataclass(frozen=True)
class Vote:
    """A reader's 👍 (up) or 👎 on the answer to question `ask`."""

    ask: int
    up: bool


@dataclass(frozen=True)
class Buttons:
    """The buttons of one answer screen (None: not shown)."""

    ask: int
    previous: Page | None
    full: Full | None
    next: Page | None


Payload = Page | Full | Vote


def encode(payload: Payload) -> str:
    """Return the callback_data string of a payload."""
    if isinstance(payload, Vote):
        data = f"v:{payload.ask}:{'+' if payload.up else '-'}"
    else:
        kind = "p" if isinstance(payload, Page) else "f"
        data = f"{kind}:{payload.ask}:{payload.screen}:{payload.asker}"
    if decode(data) != payload:
        raise ValueError(f"payload cannot round-trip through callback_data: {payload!r}")
    return data


def decode(data: str | None) -> Payload | None:
    """Parse callback_data from Telegram; None for anything forged, stale-format or oversized."""
    if data is None or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    if match := _VOTE.fullmatch(data):
        return Vote(int(match[1]), match[2] == "+")
    for pattern, kind in ((_PAGE, Page), (_FULL, Full)):
        if (match := pattern.fullmatch(data)) and int(match[2]) < MAX_SCREENS:
            return kind(int(match[1]), int(match[2]), int(match[3]))
    return None
