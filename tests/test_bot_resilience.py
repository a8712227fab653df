"""End to end, when things go wrong: Telegram failing, chats outside the allowlist, retrieval crashing."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from telegram.ext import Application

from bot.logs import REDACTED
from emulator import BotApiEmulator
from replies import words
from retrieval import Archive

pytest_plugins = ["conftest_bot"]
# PTB's own RetryAfter.__init__ reads its deprecated int attribute when Telegram answers 429.
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated since version v22.2")

QUESTION = "长葛市工商联举办了哪些培训？"
ALICE, BOB, ADMIN, STRANGER = 101, 102, 900, 666
ALLOWED_GROUP, OTHER_GROUP = -100_200, -100_300


def replies_to(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    """Return what Telegram shows of the bot's accepted messages to one chat."""
    return [c.response["result"]["text"] for c in emulator.sent_to(chat_id)]


def say(emulator: BotApiEmulator, user_id: int, text: str) -> dict[str, Any]:
    """Send a private message from a user."""
    user = emulator.user(user_id)
    return emulator.send_text(emulator.private_chat(user), user, text)


async def test_bot_recovers_after_telegram_answers_500_for_a_while(
    bot: Application, emulator: BotApiEmulator
) -> None:
    emulator.fail_next(2, status=500)  # whatever comes next: polls, typing, replies
    say(emulator, ALICE, QUESTION)
    await emulator.wait_until(lambda: _count(emulator, 500) == 2)
    say(emulator, BOB, QUESTION)
    await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == BOB, timeout=20)
    assert _count(emulator, 500) == 2


def _count(emulator: BotApiEmulator, status: int) -> int:
    return sum(1 for c in emulator.calls if c.status == status)


async def test_bot_waits_out_429_and_answers(bot: Application, emulator: BotApiEmulator) -> None:
    emulator.fail_next(1, status=429, retry_after=1, methods={"sendMessage"})
    say(emulator, ALICE, QUESTION)
    reply = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE)
    refused = emulator.calls_to("sendMessage", ok=False)
    assert [(c.status, c.response["parameters"]["retry_after"]) for c in refused] == [(429, 1)]
    assert reply.params["text"] == refused[0].params["text"]


async def test_a_failed_reply_is_reported_and_later_questions_answered(
    bot: Application, emulator: BotApiEmulator
) -> None:
    emulator.fail_next(1, status=500, methods={"sendMessage"})
    say(emulator, ALICE, QUESTION)
    sorry = await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE)
    assert sorry.response["result"]["text"] == words.ZH_SCREENS.something_wrong
    say(emulator, ALICE, QUESTION)
    await emulator.wait_until(lambda: len(emulator.sent_to(ALICE)) == 2)
    assert re.search(r"\n原文 1/\d+ · 《", replies_to(emulator, ALICE)[1])


async def test_chats_outside_the_allowlist_get_one_refusal_then_silence(
    emulator: BotApiEmulator, start_bot: Any
) -> None:
    allowed = frozenset({ALICE, ALLOWED_GROUP})
    async with start_bot(allowed_chat_ids=allowed, admin_user_ids=frozenset({ADMIN})):
        for _ in range(3):
            say(emulator, STRANGER, QUESTION)
        emulator.inline_query(emulator.user(STRANGER), QUESTION)
        group, stranger = emulator.group_chat(OTHER_GROUP), emulator.user(STRANGER)
        emulator.send_text(group, stranger, f"/ask {QUESTION}")
        emulator.send_text(group, stranger, f"/ask {QUESTION}")
        say(emulator, ADMIN, QUESTION)  # admins pass everywhere
        say(emulator, ALICE, QUESTION)
        emulator.send_text(emulator.group_chat(ALLOWED_GROUP), stranger, f"/ask {QUESTION}")
        for chat in (ADMIN, ALICE, ALLOWED_GROUP, STRANGER, OTHER_GROUP):
            await emulator.wait_for("sendMessage", lambda c, chat=chat: int(c.params["chat_id"]) == chat)
    assert replies_to(emulator, STRANGER) == [words.ZH_SCREENS.not_allowed]
    assert replies_to(emulator, OTHER_GROUP) == [words.ZH_SCREENS.not_allowed]
    assert emulator.calls_to("answerInlineQuery", ok=None) == []


async def test_gate_refuses_buttons_pressed_in_chats_outside_the_allowlist(
    emulator: BotApiEmulator, archive: Archive, start_bot: Any
) -> None:
    """A chat taken off the allowlist keeps the answers it was given; their "更多" and "全文" buttons are
    refused there, while the same buttons in an allowed chat are served."""
    alice, stranger = emulator.user(ALICE), emulator.user(STRANGER)
    mine, theirs, group = (
        emulator.private_chat(alice),
        emulator.private_chat(stranger),
        emulator.group_chat(OTHER_GROUP),
    )
    async with start_bot(allowed_chat_ids=frozenset({ALICE, STRANGER, OTHER_GROUP})):
        # In the group the buttons are pressed by Alice: the chat is refused, not the person.
        old = [
            (await answer_with_buttons(emulator, theirs, stranger, QUESTION), stranger),
            (await answer_with_buttons(emulator, group, alice, f"/ask {QUESTION}"), alice),
        ]
    first_call = len(emulator.calls)
    async with start_bot(allowed_chat_ids=frozenset({ALICE})):
        # The question log outlives the restart: every button of the old answers names a question the
        # bot still knows, so only the gate can refuse them.
        answer, buttons = await answer_with_buttons(emulator, mine, alice, QUESTION)
        assert "更多 ›" in buttons and "全文" in buttons
        for (message, their_buttons), presser in old:
            assert set(their_buttons) == set(buttons), "the refused presses are of the same kinds"
            for data in their_buttons.values():
                emulator.press_button(message, data, presser)
        for data in buttons.values():
            emulator.press_button(answer, data, alice)
        # Alice's presses came last; once one is served, every press before it has been fetched ...
        await emulator.wait_for("editMessageText", lambda c: int(c.params["chat_id"]) == ALICE)
    # ... and stopping the bot waits until every fetched update has been handled.
    run = emulator.calls[first_call:]
    assert {int(c.params["chat_id"]) for c in run if "chat_id" in c.params} == {ALICE}
    served = " ".join(c.response["result"]["text"] for c in emulator.sent_to(ALICE))
    article = archive.article(archive.ask(QUESTION).hits[0].chunk.article_id)
    assert article is not None
    assert "".join(article.paragraphs[-1].text.split()) in "".join(served.split())
    edits = [c for c in run if c.method == "editMessageText"]
    assert [(c.ok, int(c.params["message_id"])) for c in edits] == [(True, answer["message_id"])]


async def answer_with_buttons(
    emulator: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any], text: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Send a question in a chat; return the bot's answer (as Telegram stores it) and its buttons."""
    before = len(emulator.sent_to(chat["id"]))
    emulator.send_text(chat, user, text)
    await emulator.wait_until(lambda: len(emulator.sent_to(chat["id"])) > before, what=f"an answer in {chat}")
    reply = emulator.sent_to(chat["id"])[before]
    rows = reply.params["reply_markup"]["inline_keyboard"]
    return reply.response["result"], {b["text"]: b["callback_data"] for row in rows for b in row}


async def test_retrieval_crash_is_logged_without_token_and_reported(
    emulator: BotApiEmulator, archive: Any, start_bot: Any, log_lines: list[str], bot_token: str
) -> None:
    broken = CrashingArchive(archive, f"index server at http://127.0.0.1/bot{bot_token}/ask is down")
    async with start_bot(broken, admin_user_ids=frozenset({ADMIN})):
        say(emulator, ADMIN, "/start")  # the admin has talked to the bot, so Telegram knows the chat
        await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ADMIN)
        say(emulator, ALICE, QUESTION)
        await emulator.wait_until(lambda: len(emulator.sent_to(ADMIN)) == 2)
        await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE)
        say(emulator, BOB, "/about")  # and the bot goes on serving
        await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == BOB)
    assert replies_to(emulator, ALICE) == [words.ZH_SCREENS.something_wrong]
    assert REDACTED in replies_to(emulator, ADMIN)[1] and bot_token not in replies_to(emulator, ADMIN)[1]
    assert any("RuntimeError" in line and REDACTED in line for line in log_lines)


async def test_token_never_appears_in_any_log_line(
    emulator: BotApiEmulator, archive: Any, start_bot: Any, log_lines: list[str], bot_token: str
) -> None:
    broken = CrashingArchive(archive, f"boom {bot_token}")
    async with start_bot(broken) as application:
        emulator.fail_next(1, status=500, methods={"getUpdates"})
        emulator.fail_next(1, status=400, methods={"sendChatAction"})
        say(emulator, ALICE, QUESTION)
        await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE, timeout=15)
        assert application.bot.token == bot_token
    assert len(log_lines) > 20, "DEBUG records are captured"
    assert any("Set Bot API URL" in line for line in log_lines), "PTB logs the URL: the filter must redact it"
    assert [line for line in log_lines if bot_token in line] == []
    assert [line for line in log_lines if bot_token.split(":")[1] in line] == []


class CrashingArchive:
    """The archive, except that ask() raises with a message (a URL, say) that contains the token."""

    def __init__(self, archive: Any, message: str) -> None:
        self._archive, self._message = archive, message

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)

    def ask(self, question: str, top_k: int = 3, offset: int = 0, conversation: Any = None) -> Any:
        raise RuntimeError(self._message)


async def test_a_slow_search_shows_typing_and_still_answers(
    emulator: BotApiEmulator, archive: Any, start_bot: Any
) -> None:
    async with start_bot(SlowArchive(archive, seconds=1.0)):
        say(emulator, ALICE, QUESTION)
        await emulator.wait_for("sendMessage", lambda c: int(c.params["chat_id"]) == ALICE, timeout=15)
    typing = emulator.calls_to("sendChatAction")
    assert [(int(c.params["chat_id"]), c.params["action"]) for c in typing] == [(ALICE, "typing")]


class SlowArchive:
    """The archive, except that ask() takes at least `seconds` (a search on a busy machine)."""

    def __init__(self, archive: Any, seconds: float) -> None:
        self._archive, self._seconds = archive, seconds

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)

    def ask(self, question: str, top_k: int = 3, offset: int = 0, conversation: Any = None) -> Any:
        time.sleep(self._seconds)
        return self._archive.ask(question, top_k=top_k, offset=offset, conversation=conversation)
