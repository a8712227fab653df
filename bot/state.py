"""What the handlers share: the archive being served, the settings and a small memory of asked questions."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.callbacks import Full
from bot.conversations import Conversations

if TYPE_CHECKING:
    from bot.settings import BotSettings
    from retrieval import Archive, ArchiveStats, Article, Settings

STATE_KEY = "chamber_qa"
MAX_REMEMBERED_QUESTIONS = 5000  # "更多" buttons older than this many questions expire


def short_hash(text: str) -> str:
    """Return 8 hex digits naming a text (a question, an index version) inside callback_data."""
    return hashlib.sha1(text.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class Edition:
    """One opened archive and what the bot reads of it once; replaced whole when a new index is loaded.

    A handler reads `state.edition` once and uses that object to the end, so an answer, its "全文"
    numbers and its buttons always come from the same index, even when a reload lands meanwhile.
    """

    archive: Archive
    version: str  # short hash of the index version, carried by "全文" buttons
    examples: tuple[str, ...]

    @classmethod
    def of(cls, archive: Archive) -> Edition:
        """Read what the bot needs from an archive (its articles stay on disk until one is shown)."""
        return cls(
            archive=archive,
            version=short_hash(archive.stats.index_version),
            examples=tuple(archive.example_questions()),
        )

    @property
    def articles(self) -> Sequence[Article]:
        """Every article, in the order of /a_<n> (read from disk one by one as they are used)."""
        return self.archive.articles

    @property
    def stats(self) -> ArchiveStats:
        """What the archive holds and its index version."""
        return self.archive.stats

    @property
    def snapshot_id(self) -> str:
        """The index snapshot this edition serves."""
        return self.archive.stats.snapshot_id

    def article_at(self, number: int) -> Article | None:
        """Return article number `number` (1-based, as in /a_<n>), or None."""
        return self.articles[number - 1] if 0 < number <= len(self.articles) else None

    def full_button(self, article_id: str) -> Full | None:
        """Return the "全文" payload of an article, or None if the archive does not list it."""
        number = self.archive.article_number(article_id)
        return Full(number, self.version) if number else None

    def open_full(self, payload: Full) -> Article | None:
        """Return the article a "全文" button names, or None if the button is from another index."""
        return self.article_at(payload.article) if payload.version == self.version else None


@dataclass
class BotState:
    """Shared by every handler through application.bot_data; read it with `state_of(context)`."""

    edition: Edition  # swapped by one assignment on reload (bot/reload.py); never mutated in place
    settings: BotSettings
    index_settings: Settings  # where a reload opens the archive from
    conversations: Conversations  # what follow-ups lean on, per chat and per answer message
    questions: OrderedDict[str, str] = field(default_factory=OrderedDict)
    refused_chats: set[int] = field(default_factory=set)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    watcher: asyncio.Task[None] | None = None  # the index poller, while it runs
    checker: asyncio.Task[None] | None = None  # the background checksum of the index served at start

    @classmethod
    def create(cls, archive: Archive, settings: BotSettings, index_settings: Settings) -> BotState:
        """Read what the bot needs from the archive once, at start."""
        return cls(
            edition=Edition.of(archive),
            settings=settings,
            index_settings=index_settings,
            conversations=Conversations(settings.conversation_minutes * 60),
        )

    def remember(self, question: str) -> str:
        """Keep a question for its "更多" button and return its key."""
        key = short_hash(question)
        self.questions[key] = question
        self.questions.move_to_end(key)
        while len(self.questions) > MAX_REMEMBERED_QUESTIONS:
            self.questions.popitem(last=False)
        return key

    def recall(self, key: str) -> str | None:
        """Return a remembered question, or None once it has been forgotten."""
        return self.questions.get(key)


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """Return the shared state stored by build_application."""
    return context.bot_data[STATE_KEY]
