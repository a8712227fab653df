"""End to end: the running bot serves a new index version without a restart, answering throughout.

A small archive is built from a temporary copy of seeds/; a test adds a page and publishes a new index
(`Archive.open` in the test process, as `chamber-qa index` would in another), then the bot picks it up by
the admin's /reload or by polling INDEX_POLL_SECONDS, while the real PTB Application keeps answering
through the Bot API emulator on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application

from bot.settings import BotConfigError, BotSettings
from emulator import BotApiEmulator
from replies import words
from retrieval import Archive, Settings
from retrieval.errors import IndexDamaged

pytest_plugins = ["conftest_bot"]

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NEW_QUESTION = "神垕镇青瓷文化节有哪些活动？"  # only the added page answers it
OLD_QUESTION = "长葛市工商联举办了哪些培训？"  # the seed pages answer it (asked in another chat than
# NEW_QUESTION where both are asked: a private chat reads the next question as a possible follow-up)
NEW_TITLE = "青瓷产业商会 举办首届青瓷文化节"
ADMIN, ALICE, BOB = 900, 101, 102
READERS = (201, 202, 203, 204, 205)
WATCHER = "chamber-qa index watcher"
StartBot = Callable[..., AbstractAsyncContextManager[Application]]  # the start_bot fixture of conftest_bot
REAL_OPEN = Archive.open  # the tests publish with it while the bot's Archive.open is patched
NEW_PAGE = (
    "本报讯（记者 张三）日前，许昌市青瓷产业商会在禹州市神垕镇举办首届青瓷文化节，"
    "来自全国各地的二百余家青瓷企业参加了展销活动。",
    "文化节期间，商会组织会员企业开展青瓷烧制技艺展示、青瓷精品评选等活动，吸引了大批游客前来参观选购。",
    "据了解，青瓷产业商会成立于去年，现有会员企业八十余家，年产值超过五亿元。",
    ("青瓷产业商会", "举办首届青瓷文化节", "本报记者 张三"),
)


def layout(*blocks: str | tuple[str, ...], width: int = 16) -> str:
    """Lay out a page as the e-paper dumps do (see tests/test_articles.py): paragraphs hard-wrapped at
    `width`, a tuple printed one line per item (the headline block after the body)."""
    out = [
        "\n".join(block) if isinstance(block, tuple) else "\n".join(_lines(block, width)) for block in blocks
    ]
    return "\n\n".join(out) + "\n"


def _lines(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)]


@dataclass
class Pages:
    """A private pages folder and its index: the test adds a page and publishes a new version."""

    settings: Settings
    archive: Archive  # the first version, built by the fixture

    def add_page(self) -> None:
        """Write the 青瓷产业商会 page into the pages folder (the index is now stale)."""
        (self.settings.seeds_dir / "002_celadon.txt").write_text(layout(*NEW_PAGE), encoding="utf-8")

    async def publish(self) -> Archive:
        """Build and publish the index of the pages as they are now, off the event loop."""
        return await asyncio.to_thread(REAL_OPEN, self.settings)


@pytest.fixture
def pages(tmp_path: Path) -> Pages:
    """A copy of seeds/ (writable) with its own index folder, built once."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for page in SEEDS.glob("*.txt"):
        shutil.copyfile(page, folder / page.name)  # copyfile: the seed files are read-only
    settings = Settings(seeds_dir=folder, index_dir=tmp_path / "index")
    return Pages(settings, Archive.open(settings))


# --- talking to the bot ------------------------------------------------------------------------


def say(emulator: BotApiEmulator, user_id: int, text: str) -> int:
    """Send a private message from a user; return its message id."""
    user = emulator.user(user_id)
    return emulator.send_text(emulator.private_chat(user), user, text)["message"]["message_id"]


def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    """Return what Telegram shows of the bot's accepted messages to one chat, in order."""
    return [c.response["result"]["text"] for c in emulator.sent_to(chat_id)]


async def reply(emulator: BotApiEmulator, user_id: int, text: str, timeout: float = 20) -> str:
    """Send a private message and return the text of the bot's next message to that chat."""
    before = len(emulator.sent_to(user_id))
    say(emulator, user_id, text)
    await emulator.wait_until(lambda: len(emulator.sent_to(user_id)) > before, timeout, f"a reply to {text}")
    return texts(emulator, user_id)[before]


def answered(text: str) -> bool:
    """Tell whether a reply is an answer screen, a cited passage (not an honest "no answer")."""
    return re.search(r"第\d+段", text) is not None


def not_found(text: str) -> bool:
    """Tell whether a reply says the archive has no answer (or never mentions what it names)."""
    return text.startswith(("档案里没有找到", "档案里没有提到"))


def reloads(log_lines: list[str]) -> list[str]:
    """Return the log lines of completed reloads."""
    return [line for line in log_lines if "Reloaded the index" in line]


# --- /reload -------------------------------------------------------------------------------------


async def test_admin_reload_serves_the_new_version(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, log_lines: list[str], bot_token: str
) -> None:
    old = pages.archive.stats.index_version
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0):
        assert not_found(await reply(emulator, ALICE, NEW_QUESTION))
        pages.add_page()
        new = (await pages.publish()).stats
        assert new.index_version != old
        text = await reply(emulator, ADMIN, "/reload")
        assert (
            words.RELOADED.format(
                old=old,
                new=new.index_version,
                pages=new.n_pages,
                articles=new.n_articles,
                chunks=new.n_chunks,
            )
            == text
        )
        after = await reply(emulator, ALICE, NEW_QUESTION)
        assert answered(after) and f"《{NEW_TITLE}》" in after
        assert new.index_version in await reply(emulator, ADMIN, "/about")  # versions are for admins
    (line,) = reloads(log_lines)
    assert line.startswith("INFO ") and f"{old} -> {new.index_version}" in line
    assert f"({new.n_pages} pages, {new.n_articles} articles, {new.n_chunks} chunks)" in line
    assert [line for line in log_lines if bot_token in line] == []


async def test_a_damaged_index_found_by_the_background_check_is_rebuilt_and_served(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, log_lines: list[str]
) -> None:
    """The bot opens its index checking sizes only; the checksums run after start and catch a flip."""
    snapshot = pages.archive.index.snapshot
    assert snapshot is not None
    victim = snapshot.path / f"{snapshot.manifest['segments'][0]}.indices.npy"
    data = bytearray(victim.read_bytes())
    data[-5] ^= 0xFF  # same size: only a checksum tells
    victim.write_bytes(bytes(data))
    damaged = Archive.open(pages.settings, quick=True)
    async with start_bot(damaged, index_poll_seconds=0):
        for _ in range(200):  # the check rebuilds, then the bot reloads: wait for the new version
            if any("Reloaded the index" in line for line in log_lines):
                break
            await asyncio.sleep(0.1)
        assert answered(await reply(emulator, ALICE, "长葛市工商联举办了哪些培训？"))
    assert any("the index on disk is damaged" in line for line in log_lines)
    (line,) = reloads(log_lines)
    assert damaged.stats.index_version in line


async def test_reload_without_a_new_version_says_so(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator
) -> None:
    stats = pages.archive.stats
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0):
        text = await reply(emulator, ADMIN, "/reload")
    counts = {"pages": stats.n_pages, "articles": stats.n_articles, "chunks": stats.n_chunks}
    assert text == words.RELOAD_UNCHANGED.format(version=stats.index_version, **counts)


async def test_non_admin_reload_is_refused_and_changes_nothing(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, log_lines: list[str]
) -> None:
    old = pages.archive.stats.index_version
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0):
        pages.add_page()
        await pages.publish()
        assert await reply(emulator, ALICE, "/reload") == words.RELOAD_REFUSED
        assert not_found(await reply(emulator, ALICE, NEW_QUESTION))
        assert old in await reply(emulator, ADMIN, "/about")
    assert reloads(log_lines) == []


# --- polling -------------------------------------------------------------------------------------


async def test_the_bot_picks_up_a_published_version_by_itself(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, log_lines: list[str]
) -> None:
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0.2):
        assert not_found(await reply(emulator, ALICE, NEW_QUESTION))
        pages.add_page()
        new = (await pages.publish()).stats.index_version
        await emulator.wait_until(lambda: bool(reloads(log_lines)), 30, "a reload by the poller")
        assert answered(await reply(emulator, ALICE, NEW_QUESTION))
        assert new in await reply(emulator, ADMIN, "/about")
        await asyncio.sleep(1)  # five more polls: the same version is never loaded again
        assert len(reloads(log_lines)) == 1
        assert _watchers() == 1
    assert _watchers() == 0, "post_shutdown cancels the watcher"


async def test_polling_off_never_reloads(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, log_lines: list[str]
) -> None:
    async with start_bot(pages.archive, index_poll_seconds=0):
        pages.add_page()
        await pages.publish()
        await asyncio.sleep(0.5)
        assert not_found(await reply(emulator, ALICE, NEW_QUESTION))
        assert _watchers() == 0
    assert reloads(log_lines) == []


def _watchers() -> int:
    """Count the index watcher tasks alive in this event loop."""
    return sum(1 for task in asyncio.all_tasks() if task.get_name() == WATCHER and not task.done())


# --- answering throughout, failures ------------------------------------------------------------------


class SlowOpen:
    """Archive.open, except that it blocks (in the bot's worker thread) until the test releases it."""

    def __init__(self, real: Callable[..., Archive]) -> None:
        self.real, self.calls = real, 0
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self, settings: Settings, **kwargs: Any) -> Archive:
        self.calls += 1
        self.started.set()
        self.release.wait(30)
        return self.real(settings, **kwargs)


async def test_questions_during_a_slow_reload_are_all_answered(
    pages: Pages,
    start_bot: StartBot,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: list[str],
) -> None:
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0):
        pages.add_page()
        new = (await pages.publish()).stats.index_version
        slow = SlowOpen(REAL_OPEN)
        monkeypatch.setattr(Archive, "open", slow)
        say(emulator, ADMIN, "/reload")
        assert await asyncio.to_thread(slow.started.wait, 10)
        for user_id in READERS:
            say(emulator, user_id, OLD_QUESTION)
        say(emulator, ALICE, NEW_QUESTION)
        assert await reply(emulator, BOB, "/reload") == words.RELOAD_REFUSED
        assert await reply(emulator, ADMIN, "/reload") == words.RELOAD_RUNNING  # a second one never loads
        everyone = (*READERS, ALICE)
        await emulator.wait_until(lambda: all(emulator.sent_to(u) for u in everyone), 20, "every answer")
        assert all(answered(texts(emulator, u)[0]) for u in READERS)
        assert not_found(texts(emulator, ALICE)[0]), "the old archive answered while the new one loaded"
        assert not slow.release.is_set() and reloads(log_lines) == []  # all before the reload finished
        slow.release.set()
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 2, 30, "the reload's reply")
        assert new in texts(emulator, ADMIN)[1] and slow.calls == 1
        assert answered(await reply(emulator, ALICE, NEW_QUESTION))


def failing_open(settings: Settings, **kwargs: Any) -> Archive:
    """Archive.open on a damaged index folder."""
    raise IndexDamaged(f"{settings.index_dir}: manifest.json is not valid JSON")


async def test_a_failing_reload_keeps_the_old_archive_serving(
    pages: Pages, start_bot: StartBot, emulator: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = pages.archive.stats.index_version
    async with start_bot(pages.archive, admin_user_ids=frozenset({ADMIN}), index_poll_seconds=0):
        pages.add_page()
        await pages.publish()
        monkeypatch.setattr(Archive, "open", failing_open)
        text = await reply(emulator, ADMIN, "/reload")
        assert text.startswith(f"重新加载失败，仍在使用 {old}：")
        assert "IndexDamaged: " in text and "manifest.json is not valid JSON" in text
        assert answered(await reply(emulator, ALICE, OLD_QUESTION))
        assert not_found(await reply(emulator, BOB, NEW_QUESTION))
        assert old in await reply(emulator, ADMIN, "/about")


async def test_a_failing_poll_reload_is_logged_once_and_the_bot_serves(
    pages: Pages,
    start_bot: StartBot,
    emulator: BotApiEmulator,
    monkeypatch: pytest.MonkeyPatch,
    log_lines: list[str],
) -> None:
    monkeypatch.setattr(Archive, "open", failing_open)  # the bot's first archive is already open
    async with start_bot(pages.archive, index_poll_seconds=0.2):
        pages.add_page()
        new = (await pages.publish()).stats.index_version.partition("/")[2]

        def failures() -> list[str]:
            return [line for line in log_lines if "Could not load index snapshot" in line]

        await emulator.wait_until(lambda: bool(failures()), 30, "a failed reload by the poller")
        await asyncio.sleep(1)  # five more polls: a snapshot that failed is not retried
        (line,) = failures()
        assert line.startswith("ERROR ") and new in line
        assert answered(await reply(emulator, ALICE, OLD_QUESTION))
        assert not_found(await reply(emulator, BOB, NEW_QUESTION))
        assert _watchers() == 1, "the watcher outlives a failed reload"


# --- settings --------------------------------------------------------------------------------------

TOKEN = "7012345678:AAFakeTokenForTests_dontLOG-me-0123"


def test_admin_ids_and_poll_seconds_from_env() -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "ADMIN_IDS": "7, 8",
        "ADMIN_USER_IDS": "9",
        "INDEX_POLL_SECONDS": "0.5",
    }
    settings = BotSettings.from_env(env, env_file=None)
    assert (settings.admin_user_ids, settings.index_poll_seconds) == (frozenset({7, 8, 9}), 0.5)
    defaults = BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, env_file=None)
    assert (defaults.admin_user_ids, defaults.index_poll_seconds) == (frozenset(), 30.0)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADMIN_IDS": "7,x"}, "ADMIN_IDS"),
        ({"INDEX_POLL_SECONDS": "soon"}, "INDEX_POLL_SECONDS"),
        ({"INDEX_POLL_SECONDS": "-1"}, "INDEX_POLL_SECONDS"),
        ({"INDEX_POLL_SECONDS": "nan"}, "INDEX_POLL_SECONDS"),
    ],
)
def test_malformed_reload_settings_name_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(BotConfigError, match=message):
        BotSettings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN, **env}, env_file=None)
