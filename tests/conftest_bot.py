"""Fixtures of the bot's tests: the archive, the Bot API emulator, a running bot and captured logs.

Test modules load this with `pytest_plugins = ["conftest_bot"]`.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import pytest
from telegram.ext import Application

from bot.app import build_application, serving
from bot.settings import BotSettings
from emulator import BotApiEmulator
from retrieval import Archive

# Shaped like a real token (id:35 characters) so any code that parses it is exercised.
TOKEN = "7012345678:AAFakeTokenForTests_dontLOG-me-0123"
BOT_USERNAME = "chamber_qa_bot"


# --- the archive ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def archive(seed_archive: Archive) -> Archive:
    """The real Archive over the repository's seeds/, built once per session (tests/conftest.py)."""
    return seed_archive


# --- Telegram ----------------------------------------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    """A fresh Bot API emulator on 127.0.0.1."""
    with BotApiEmulator(TOKEN, BOT_USERNAME) as emu:
        yield emu


class Capture(logging.Handler):
    """Keep every record, formatted as a production handler would write it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every log line of the test, DEBUG included, from a handler on the root logger."""
    root, capture = logging.getLogger(), Capture()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    yield capture.lines
    root.removeHandler(capture)
    root.setLevel(level)


@asynccontextmanager
async def running_bot(emulator: BotApiEmulator, archive: Any, **settings: Any) -> AsyncIterator[Application]:
    """Build the real Application against the emulator and serve until the block ends."""
    bot_settings = BotSettings(token=TOKEN, base_url=emulator.base_url, **settings)
    async with serving(build_application(bot_settings, archive)) as application:
        yield application


StartBot = Callable[..., AbstractAsyncContextManager[Application]]


@pytest.fixture
def start_bot(emulator: BotApiEmulator, archive: Any, log_lines: list[str]) -> StartBot:
    """Return `start(archive=None, **BotSettings fields)`, an async context serving the real bot."""

    def start(other_archive: Any = None, **settings: Any) -> AbstractAsyncContextManager[Application]:
        return running_bot(emulator, other_archive or archive, **settings)

    return start


@pytest.fixture
async def bot(start_bot: StartBot) -> AsyncIterator[Application]:
    """The bot, polling the emulator, with default settings (no allowlist)."""
    async with start_bot() as application:
        yield application


@pytest.fixture
def bot_token() -> str:
    """The token the bot under test uses (and must never log)."""
    return TOKEN
