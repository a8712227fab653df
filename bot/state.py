"""What the handlers share: the archive, the settings and a small memory of asked questions."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import ContextTypes

from bot.callbacks import Full

if TYPE_CHECKING:
    from bot.settings import BotSettings
    from retrieval import Archive, Article

STATE_KEY = "chamber_qa"
MAX_REMEMBERED_QUESTIONS = 5000  # "更多" buttons older than this many questions expire
N_EXAMPLES = 3


def short_hash(text: str) -> str:
    """Return 8 hex digits naming a text (a question, an index version) inside callback_data."""
    return hashlib.sha1(text.encode()).hexdigest()[:8]


@dataclass
class BotState:
    """Shared by every handler through application.bot_data; read it with `state_of(context)`."""

    archive: Archive
    settings: BotSettings
    articles: tuple[Article, ...]
    numbers: dict[str, int]  # article id -> its number in /a_<n>
    version: str  # short hash of the index version, carried by "全文" buttons
    examples: tuple[str, ...]
    questions: OrderedDict[str, str] = field(default_factory=OrderedDict)
    refused_chats: set[int] = field(default_factory=set)

    @classmethod
    def create(cls, archive: Archive, settings: BotSettings) -> BotState:
        """Read what the bot needs from the archive once, at start."""
        articles = tuple(archive.articles)
        return cls(
            archive=archive,
            settings=settings,
            articles=articles,
            numbers={article.id: n for n, article in enumerate(articles, start=1)},
            version=short_hash(archive.stats.index_version),
            examples=tuple(archive.example_questions(N_EXAMPLES)),
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

    def article_at(self, number: int) -> Article | None:
        """Return article number `number` (1-based, as in /a_<n>), or None."""
        return self.articles[number - 1] if 0 < number <= len(self.articles) else None

    def full_button(self, article_id: str) -> Full | None:
        """Return the "全文" payload of an article, or None if the archive does not list it."""
        number = self.numbers.get(article_id)
        return Full(number, self.version) if number else None

    def open_full(self, payload: Full) -> Article | None:
        """Return the article a "全文" button names, or None if the button is from another index."""
        return self.article_at(payload.article) if payload.version == self.version else None


def state_of(context: ContextTypes.DEFAULT_TYPE) -> BotState:
    """Return the shared state stored by build_application."""
    return context.bot_data[STATE_KEY]
