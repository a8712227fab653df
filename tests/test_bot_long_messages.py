"""End to end: what does not fit one Telegram message is split so that Telegram accepts every part.

The archive is one page written here: an article far longer than Telegram's 4096 characters, whose
paragraphs are single long sentences (so every passage is long too), with "&" (five characters as HTML,
one after entity parsing) and a character outside the BMP (two UTF-16 units). Whether a message fits is
decided by the Bot API emulator, which refuses what Telegram refuses, never by the bot's own arithmetic.
"""

from __future__ import annotations

import html
from typing import Any

import pytest

from bot import messages, paging
from emulator import ApiError, BotApiEmulator, Call, check_text
from retrieval import Archive, Settings

pytest_plugins = ["conftest_bot"]

ALICE, BOB = 101, 102
QUESTION = "神垕镇会员企业在青瓷文化节上展示了哪些钧瓷茶具和青瓷花瓶？"
PLACES = ("神垕镇", "禹州市", "长葛市", "鄢陵县", "襄城县", "建安区", "魏都区", "东城区")
WORKS = ("钧瓷茶具", "青瓷花瓶", "R&D中心的新釉色", "𠮷祥纹青瓷盘", "仿宋官窑碗", "开片青瓷杯")


def paragraph(n: int) -> str:
    """One sentence of some 1100 characters: forty clauses and a single full stop."""
    clauses = [
        f"{PLACES[(n + i) % len(PLACES)]}第{n * 100 + i}号会员企业在青瓷文化节上展示了"
        f"{WORKS[(n * 7 + i) % len(WORKS)]}"
        for i in range(40)
    ]
    return "，".join(clauses) + "。"


PARAGRAPHS = ["本报讯（记者 张三）" + paragraph(1), *(paragraph(n) for n in range(2, 9))]
# Printed after the body, as the e-paper does: kicker, title, subtitle, byline.
HEADLINE = (
    "青瓷产业商会",
    "举办首届青瓷文化节 八方客商齐聚神垕古镇共话青瓷产业发展",
    "——二百余家会员企业携钧瓷青瓷精品参展 线上线下成交额超过三亿元",
    "本报记者 张三 通讯员 李四 王五 赵六",
)
PAGE_NAME = "许昌日报_2023-05-12_第05版_民生经济_青瓷产业商会举办首届青瓷文化节八方客商齐聚神垕古镇.txt"


def page_text(width: int = 16) -> str:
    """The page as the e-paper dumps lay it out: paragraphs hard-wrapped at `width`, then the headline."""
    wrapped = ["\n".join(p[i : i + width] for i in range(0, len(p), width)) for p in PARAGRAPHS]
    return "\n\n".join([*wrapped, "\n".join(HEADLINE)]) + "\n"


@pytest.fixture(scope="module")
def long_archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    """An archive of the one page, in a temporary pages folder with its own index."""
    base = tmp_path_factory.mktemp("long_article")
    (base / "pages").mkdir()
    (base / "pages" / PAGE_NAME).write_text(page_text(), encoding="utf-8")
    return Archive.open(Settings(seeds_dir=base / "pages", index_dir=base / "index"))


def squash(text: str) -> str:
    """The text without whitespace (messages are split and joined at spaces and line breaks)."""
    return "".join(text.split())


def sent(emulator: BotApiEmulator, chat_id: int) -> list[Call]:
    """Every sendMessage to a chat, accepted or refused, in order."""
    return [c for c in emulator.calls_to("sendMessage", ok=None) if int(c.params["chat_id"]) == chat_id]


def shown(calls: list[Call]) -> list[str]:
    """The text Telegram shows of accepted messages (entities parsed)."""
    return [c.response["result"]["text"] for c in calls if c.ok]


def refusals(emulator: BotApiEmulator) -> list[str]:
    """What Telegram answered to every message it refused."""
    return [c.response["description"] for c in emulator.calls if not c.ok and c.method != "getUpdates"]


def say(emulator: BotApiEmulator, user_id: int, text: str) -> None:
    """Send a private message from a user."""
    user = emulator.user(user_id)
    emulator.send_text(emulator.private_chat(user), user, text)


async def article_messages(emulator: BotApiEmulator, chat_id: int, skip: int) -> list[str]:
    """Wait until the article's last words reach the chat (or Telegram refuses a message); return the
    messages after the first `skip`, every one of which Telegram must have accepted."""
    end = squash(PARAGRAPHS[-1])[-30:]
    await emulator.wait_until(
        lambda: end in squash("".join(shown(sent(emulator, chat_id)))) or bool(refusals(emulator)),
        what="the whole article",
    )
    assert refusals(emulator) == []
    return shown(sent(emulator, chat_id))[skip:]


def test_long_article_does_not_fit_one_message() -> None:
    # The premise of the tests below, by the emulator's rule: the body alone is over Telegram's limit.
    with pytest.raises(ApiError, match="message is too long"):
        check_text(html.escape("\n\n".join(PARAGRAPHS)), "HTML")


async def test_long_article_is_sent_whole_in_messages_telegram_accepts(
    long_archive: Archive, emulator: BotApiEmulator, start_bot: Any
) -> None:
    (article,) = long_archive.articles
    assert [squash(p.text) for p in article.paragraphs] == [squash(p) for p in PARAGRAPHS]
    async with start_bot(long_archive):
        say(emulator, ALICE, QUESTION)
        await emulator.wait_until(lambda: bool(sent(emulator, ALICE)), what="an answer")
        (answer,) = sent(emulator, ALICE)
        keyboard = answer.params["reply_markup"]["inline_keyboard"]
        (full,) = [b["callback_data"] for row in keyboard for b in row if b["text"].startswith("全文")]
        emulator.press_button(answer.response["result"], full, emulator.user(ALICE))
        by_button = await article_messages(emulator, ALICE, skip=1)
        say(emulator, BOB, "/a_1")
        by_command = await article_messages(emulator, BOB, skip=0)
    body = squash("".join(PARAGRAPHS))
    for parts in (by_button, by_command):
        assert len(parts) >= 3, "several messages (over 9000 characters need three at least)"
        assert parts[0].startswith("青瓷产业商会\n举办首届青瓷文化节")
        assert body in squash("".join(parts)), "every word, in order, across the messages"


async def test_every_screen_of_long_passages_fits_one_message_telegram_accepts(
    long_archive: Archive, emulator: BotApiEmulator, start_bot: Any
) -> None:
    hits = long_archive.ask(QUESTION, top_k=paging.PER_ASK).hits
    assert len(hits) == paging.PER_ASK
    assert all(len(hit.chunk.text) > 4 * messages.SCREEN_PASSAGE_CHARS for hit in hits), "long passages"
    async with start_bot(long_archive):
        say(emulator, ALICE, QUESTION)
        await emulator.wait_until(lambda: bool(sent(emulator, ALICE)), what="an answer")
        (answer,) = sent(emulator, ALICE)
        message, screens = answer.response["result"], [answer.response["result"]["text"]]
        message_id = message["message_id"]
        while more := [
            b for row in message["reply_markup"]["inline_keyboard"] for b in row if "更多" in b["text"]
        ]:
            emulator.press_button(message, more[0]["callback_data"], emulator.user(ALICE))
            await emulator.wait_until(lambda: emulator.message(ALICE, message_id)["text"] != screens[-1])
            message = emulator.message(ALICE, message_id)
            screens.append(message["text"])
    assert refusals(emulator) == [] and emulator.calls_to("editMessageText", ok=False) == []
    assert len(screens) >= paging.PER_ASK, "one passage per screen, paged with 更多"
    assert all(f"《{' '.join(HEADLINE[:3])}》" in text for text in screens), "each passage cited in full"
