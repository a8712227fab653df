"""What the handlers share: the archive being served, the settings, the conversations and the question log."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

import usage
from bot.conversations import Conversations
from usage import AskLog

if TYPE_CHECKING:
    from telegram import User

    from bot.settings import BotSettings
    from retrieval import Answer, Archive, ArchiveStats, Article, Conversation, Settings

STATE_KEY = "chamber_qa"


@dataclass(frozen=True)
class Edition:
    """One opened archive and what the bot reads of it once; replaced whole when a new index is loaded.

    A handler reads `state.edition` once and uses that object to the end, so an answer and the passage
    its buttons name always come from the same index, even when a reload lands meanwhile.
    """

    archive: Archive
    examples: tuple[str, ...]

    @classmethod
    def of(cls, archive: Archive) -> Edition:
        """Read what the bot needs from an archive (its articles stay on disk until one is shown)."""
        return cls(archive=archive, examples=tuple(archive.example_questions()))

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

    async def ask(
        self, question: str, top_k: int, offset: int = 0, conversation: Conversation | None = None
    ) -> Answer:
        """Search in a worker thread, so that one slow search never blocks other users."""
        return await asyncio.to_thread(
            self.archive.ask, question, top_k=top_k, offset=offset, conversation=conversation
        )

    def article_at(self, number: int) -> Article | None:
        """Return article number `number` (1-based, as in /a_<n>), or None."""
        return self.articles[number - 1] if 0 < number <= len(self.articles) else None


@dataclass
class BotState:
    """Shared by every handler through application.bot_data; read it with `state_of(context)`."""

    edition: Edition  # swapped by one assignment on reload (bot/reload.py); never mutated in place
    settings: BotSettings
    index_settings: Settings  # where a reload opens the archive from
    conversations: Conversations  # what follow-ups lean on, per chat and per answer message
    log: AskLog  # the question log: what buttons name, what /stats reports
    refused_chats: set[int] = field(default_factory=set)
    reload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    watcher: asyncio.Task[None] | None = None  # the index poller, while it runs
    checker: asyncio.Task[None] | None = None  # the background checksum of the index served at start

    @classmethod
    def create(cls, archive: Archive, settings: BotSettings, index_settings: Settings) -> BotState:
        """Read what the bot needs from the archive once, at start; open the question log (by default a
        file beside the index folder)."""
        return cls(
            edition=Edition.of(archive),
            settings=settings,
            index_settings=index_settings,
            conversations=Conversations(settings.conversation_minutes * 60),
            log=AskLog.open(
                settings.usage_db or usage.default_path(index_settings.index_dir), settings.usage_days
            ),
        )

    def is_admin(self, user: User | None) -> bool:
        """Tell whether a user is one of the bot's admins (ADMIN_USER_IDS)."""
        return user is not None and user.id in self.settings.admin_user_ids


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """Return the shared state stored by build_application."""
    return context.bot_data[STATE_KEY]
