"""Read what a user asks: message text → the question, its language, or an article number."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from replies.words import Lang, screen_lang

if TYPE_CHECKING:
    from telegram import User

_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@(\w+))?")
_ARTICLE = re.compile(r"/a_(\d{1,6})(?:@(\w+))?")


def clean(text: str | None, max_chars: int) -> tuple[str, bool]:
    """Collapse whitespace and cut a question longer than ``max_chars`` (the archive's limit, in its
    Settings); return it and whether it was cut."""
    question = " ".join((text or "").split())
    if len(question) <= max_chars:
        return question, False
    return question[:max_chars], True


def command_argument(text: str | None) -> str:
    """Return what follows a leading /command (and its @bot suffix), e.g. the question of /ask."""
    return _COMMAND.sub("", (text or "").strip(), count=1).strip()


def command_target(text: str | None) -> str | None:
    """Return the bot a /command@bot names, or None for a bare /command."""
    match = _COMMAND.match((text or "").strip())
    return match[1] if match else None


def is_for_me(text: str | None, username: str | None) -> bool:
    """Tell whether a /command names this bot or no bot at all."""
    target = command_target(text)
    return target is None or target.lower() == (username or "").lower()


def group_question(text: str | None, username: str | None, *, replying_to_me: bool) -> str | None:
    """Return the question a group message puts to the bot, or None for chatter between people."""
    text = text or ""
    mention = re.compile(rf"@{re.escape(username)}\b", re.IGNORECASE) if username else None
    if mention is not None and mention.search(text):
        return mention.sub(" ", text).strip() or None
    return (text.strip() or None) if replying_to_me else None


def is_bare_mention(text: str | None, username: str | None) -> bool:
    """Tell whether a message is only the bot's @mention (someone calling it without a question)."""
    return (
        bool(username)
        and re.fullmatch(rf"\s*@{re.escape(username)}\s*", text or "", re.IGNORECASE) is not None
    )


def article_number(text: str | None, username: str | None) -> int | None:
    """Return n of an /a_<n> command meant for this bot, else None."""
    match = _ARTICLE.fullmatch((text or "").strip())
    if match is None or (match[2] and match[2].lower() != (username or "").lower()):
        return None
    return int(match[1])


def user_lang(user: User | None) -> Lang:
    """The language of what the bot says to a user outside an answer: their Telegram language."""
    return screen_lang(user.language_code if user else None)
