"""End to end: the real PTB Application, polling the Bot API emulator on 127.0.0.1, over the archive."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from telegram.ext import Application

from bot.callbacks import MAX_CALLBACK_BYTES
from bot.state import STATE_KEY
from emulator import BotApiEmulator, Call
from emulator.api import NOT_MODIFIED
from replies import words
from retrieval import Archive, Settings

pytest_plugins = ["conftest_bot"]

QUESTION = "长葛市工商联举办了哪些培训？"
GROUP_ID = -100_200
ALICE, BOB = 101, 102


def to_chat(chat_id: int) -> Callable[[Call], bool]:
    """Match calls addressed to one chat."""
    return lambda call: int(call.params["chat_id"]) == chat_id


def shown(call: Call) -> str:
    """Return the text Telegram shows for an accepted sendMessage/editMessageText (entities parsed)."""
    return call.response["result"]["text"]


def buttons(call: Call) -> dict[str, str]:
    """Return the inline buttons of a sent message, label -> callback_data."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


def is_answer(text: str) -> bool:
    """Tell whether a reply is an answer screen (a cited passage) or an honest "no answer" (never an
    error)."""
    cited = re.search(r"第\d+段|para\. \d+", text)
    return bool(cited) or "没有找到" in text or "has no passage" in text


async def ask_privately(
    emulator: BotApiEmulator, text: str, user_id: int = ALICE, language_code: str = "zh-hans"
) -> Call:
    """Send a private message (from a client in ``language_code``) and wait for the bot's reply to it."""
    user = emulator.user(user_id, language_code=language_code)
    update = emulator.send_text(emulator.private_chat(user), user, text)
    message_id = update["message"]["message_id"]
    return await emulator.wait_for(
        "sendMessage", lambda c: to_chat(user_id)(c) and c.response["result"]["message_id"] > message_id
    )


async def test_private_question_gets_a_cited_answer(bot: Application, emulator: BotApiEmulator) -> None:
    await bot.bot_data[STATE_KEY].checker  # warmed up, as a bot is moments after it starts
    reply = await ask_privately(emulator, QUESTION)
    html = reply.params["text"]
    assert is_answer(shown(reply)) and re.search(r"\n原文 1/\d+ · 《", shown(reply))
    assert "<b>" in html and shown(reply).count("\n原文 ") == 1, "one passage per screen, its evidence bold"
    assert {"更多 ›", "全文", "👍", "👎"} <= set(buttons(reply)) and "‹ 上一条" not in buttons(reply)
    assert all(len(data.encode()) <= MAX_CALLBACK_BYTES for data in buttons(reply).values())
    # A search of milliseconds shows no "typing…": each action would cost one of the bot's 30 requests/s.
    assert emulator.calls_to("sendChatAction") == []


async def test_unanswerable_question_says_so_and_suggests_articles(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask_privately(emulator, "龘靐齉爩？")
    assert shown(reply).startswith("档案里没有找到能回答「龘靐齉爩？」的原文。")
    assert "/articles" in shown(reply) and "reply_markup" not in reply.params


async def test_a_near_miss_says_what_the_archive_does_not_state(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask_privately(emulator, "许昌市企业家协会的会长是谁？")
    assert shown(reply).startswith("档案里没有找到能回答「许昌市企业家协会的会长是谁？」的原文。")
    assert "档案里有提到「会长」的原文，但没有一篇写明所问的姓名。" in shown(reply)


async def test_start_registers_commands_and_logs_corpus(
    bot: Application, emulator: BotApiEmulator, log_lines: list[str], archive: Archive
) -> None:
    menus = {
        c.params.get("language_code", ""): c.params["commands"] for c in emulator.calls_to("setMyCommands")
    }
    assert set(menus) == {"", "en"}
    assert [c["command"] for c in menus[""]] == ["ask", "articles", "start", "help", "about"]
    assert any(f"Serving {archive.stats.n_articles} articles" in line for line in log_lines)
    assert any(archive.stats.index_version in line for line in log_lines)


async def test_start_help_about_and_articles(
    bot: Application, emulator: BotApiEmulator, archive: Archive
) -> None:
    start = shown(await ask_privately(emulator, "/start"))
    assert f"{archive.stats.n_articles} 篇文章" in start
    assert all(q in start for q in archive.example_questions())
    assert "/ask" in shown(await ask_privately(emulator, "/help"))
    about = shown(await ask_privately(emulator, "/about"))
    assert f"{archive.stats.n_articles} 篇文章" in about and archive.stats.index_version not in about
    await ask_privately(emulator, "/articles")
    listing = "\n".join(shown(c) for c in emulator.sent_to(ALICE) if "/a_" in shown(c))
    assert all(f"/a_{n} " in listing for n in range(1, len(archive.articles) + 1))


@pytest.mark.parametrize(
    ("language_code", "coverage"),
    [
        ("en", "The archive holds {n} articles"),
        ("zh-hant", "檔案收錄 {n} 篇文章"),
        ("zh-TW", "檔案收錄 {n} 篇文章"),
        ("zh-hans", "档案收录 {n} 篇文章"),
        ("de", "The archive holds {n} articles"),  # English for a reader of neither language
    ],
)
async def test_screens_without_a_question_follow_the_users_language(
    bot: Application, emulator: BotApiEmulator, archive: Archive, language_code: str, coverage: str
) -> None:
    line = coverage.format(n=archive.stats.n_articles)
    start = shown(await ask_privately(emulator, "/start", language_code=language_code))
    assert line in start and all(q in start for q in archive.example_questions())
    about = shown(await ask_privately(emulator, "/about", language_code=language_code))
    assert line in about and archive.stats.index_version not in about  # versions are for admins
    help_text = shown(await ask_privately(emulator, "/help", language_code=language_code))
    assert "/ask" in help_text and f"@{bot.bot.username}" in help_text
    if language_code in ("en", "de"):
        assert not re.search(r"[\u4e00-\u9fff]{2}", help_text)  # no Chinese sentence for them


async def test_an_admin_sees_the_index_version_and_size_in_about(
    emulator: BotApiEmulator, archive: Archive, start_bot: Any
) -> None:
    async with start_bot(admin_user_ids=frozenset({ALICE})):
        about = shown(await ask_privately(emulator, "/about"))
        other = shown(await ask_privately(emulator, "/about", user_id=BOB))
    assert archive.stats.index_version in about and f"文本块：{archive.stats.n_chunks}" in about
    assert archive.stats.index_version not in other and "文本块" not in other
    assert "日期" in other  # known dates, or 不详 where no page gives one


async def test_a_traditional_question_gets_traditional_chrome_and_the_passages_as_printed(
    bot: Application, emulator: BotApiEmulator
) -> None:
    refused = shown(await ask_privately(emulator, "許昌市企業家協會的會長是誰？"))
    assert refused.startswith("檔案") and "档案" not in refused  # the product's words, in Traditional
    answered = shown(await ask_privately(emulator, "長葛市工商聯舉辦了哪些培訓？"))
    assert "长葛市工商联" in answered  # the page's own characters, as printed
    assert "匹配" in answered or "相關" in answered or "答：" in answered


async def test_article_command_opens_the_whole_article(
    bot: Application, emulator: BotApiEmulator, archive: Archive
) -> None:
    article = archive.articles[0]
    first = await ask_privately(emulator, "/a_1")
    await emulator.wait_until(lambda: article.paragraphs[-1].text[-20:] in _all_text(emulator, ALICE))
    text = _all_text(emulator, ALICE)
    assert shown(first).startswith(article.headline[0] if article.headline else words.ZH.photo)
    assert all(_squash(p.text) in _squash(text) for p in article.paragraphs)
    assert words.ZH_SCREENS.article_missing in shown(await ask_privately(emulator, "/a_99999"))


def _all_text(emulator: BotApiEmulator, chat_id: int) -> str:
    return "\n".join(shown(c) for c in emulator.sent_to(chat_id))


def _squash(text: str) -> str:
    return "".join(text.split())


async def test_more_edits_in_place_with_the_next_results(bot: Application, emulator: BotApiEmulator) -> None:
    reply = await ask_privately(emulator, QUESTION)
    message = reply.response["result"]
    emulator.press_button(message, buttons(reply)["更多 ›"], emulator.user(ALICE))
    edit = await emulator.wait_for("editMessageText")
    assert (int(edit.params["chat_id"]), int(edit.params["message_id"])) == (ALICE, message["message_id"])
    assert "\n原文 2/" in shown(edit) and shown(edit) != shown(reply)
    assert buttons(edit)["‹ 上一条"].split(":")[2] == "0" and buttons(edit)["更多 ›"].split(":")[2] == "2"
    emulator.press_button(edit.response["result"], buttons(edit)["‹ 上一条"], emulator.user(ALICE))
    back = await emulator.wait_for("editMessageText", lambda c: "\n原文 1/" in shown(c))
    assert shown(back) == shown(reply), "上一条 goes back to the screen it came from"
    assert (await emulator.wait_for("answerCallbackQuery")).params.get("text") is None
    assert len(emulator.sent_to(ALICE)) == 1, "edited in place, nothing new sent"


async def test_full_sends_the_whole_article(
    bot: Application, emulator: BotApiEmulator, archive: Archive
) -> None:
    reply = await ask_privately(emulator, QUESTION)
    data = buttons(reply)["全文"]
    article = archive.article(archive.ask(QUESTION).hits[0].chunk.article_id)
    assert article is not None
    emulator.press_button(reply.response["result"], data, emulator.user(ALICE))
    last = _squash(article.paragraphs[-1].text)[-20:]
    await emulator.wait_until(lambda: last in _squash(_all_text(emulator, ALICE)))
    parts = emulator.sent_to(ALICE)[1:]
    assert shown(parts[0]).startswith(article.headline[0])
    assert all(_squash(p.text) in _squash(_all_text(emulator, ALICE)) for p in article.paragraphs)
    assert emulator.calls_to("sendMessage", ok=False) == []  # every part within Telegram's limit


async def test_double_tap_on_more_is_harmless(bot: Application, emulator: BotApiEmulator) -> None:
    reply = await ask_privately(emulator, QUESTION)
    for _ in range(2):
        emulator.press_button(reply.response["result"], buttons(reply)["更多 ›"], emulator.user(ALICE))
    await emulator.wait_until(lambda: len(emulator.calls_to("editMessageText", ok=None)) == 2)
    await emulator.wait_until(lambda: len(emulator.calls_to("answerCallbackQuery")) == 2)
    refused = emulator.calls_to("editMessageText", ok=False)
    assert [c.response["description"] for c in refused] == [f"Bad Request: {NOT_MODIFIED}"]
    await ask_privately(emulator, QUESTION)  # by now an apology would have been sent before this answer
    assert words.ZH_SCREENS.something_wrong not in [shown(c) for c in emulator.sent_to(ALICE)]


async def test_forged_and_stale_buttons_get_a_polite_answer(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask_privately(emulator, QUESTION)
    message, user = reply.response["result"], emulator.user(ALICE)
    forged = ["m:zzzzzzzz:3", "f:999999:00000000", "m:00000000:3", "x" * 64, "f:1:deadbeef", "m:abcdef12:99"]
    forged += ["p:999999:1:0", "f:999999:0:0", "v:999999:+", "p:1:99:0", "p:01:1:0"]  # no such question
    for data in forged:
        emulator.press_button(message, data, user)
    await emulator.wait_until(lambda: len(emulator.calls_to("answerCallbackQuery")) == len(forged))
    assert {c.params.get("text") for c in emulator.calls_to("answerCallbackQuery")} == {words.BUTTON_EXPIRED}
    assert emulator.calls_to("editMessageText") == []
    assert len(emulator.sent_to(ALICE)) == 1


async def test_inline_query_offers_cited_passages(bot: Application, emulator: BotApiEmulator) -> None:
    emulator.inline_query(emulator.user(ALICE), QUESTION)
    call = await emulator.wait_for("answerInlineQuery")
    results = call.params["results"]
    assert results, "an answerable question offers passages"
    assert all(r["type"] == "article" and "《" in r["input_message_content"]["message_text"] for r in results)
    emulator.inline_query(emulator.user(ALICE), "")
    await emulator.wait_until(lambda: len(emulator.calls_to("answerInlineQuery")) == 2)
    assert emulator.calls_to("answerInlineQuery")[1].params["results"] == []


async def test_inline_with_no_match_offers_to_ask_in_private(
    bot: Application, emulator: BotApiEmulator
) -> None:
    emulator.inline_query(emulator.user(ALICE), "富士康在许昌投资了多少亿元？")
    call = await emulator.wait_for("answerInlineQuery")
    assert call.params["results"] == []
    button = call.params["button"]
    assert button["text"].startswith("没有找到原文") and button["start_parameter"] == "ask"
    emulator.inline_query(emulator.user(ALICE), "What is the GDP of Zhengzhou?")
    await emulator.wait_until(lambda: len(emulator.calls_to("answerInlineQuery")) == 2)
    assert emulator.calls_to("answerInlineQuery")[1].params["button"]["text"].startswith("No passage found")
    emulator.inline_query(emulator.user(ALICE), QUESTION)  # passages to insert: no button
    await emulator.wait_until(lambda: len(emulator.calls_to("answerInlineQuery")) == 3)
    assert "button" not in emulator.calls_to("answerInlineQuery")[2].params


async def test_inline_results_show_the_short_answer(bot: Application, emulator: BotApiEmulator) -> None:
    emulator.inline_query(emulator.user(ALICE), "驾驶员自助体检要多长时间？")
    call = await emulator.wait_for("answerInlineQuery")
    first = call.params["results"][0]
    assert first["description"].startswith("答：仅需5分钟 · ")
    # What is inserted is clean: the answer, the passage, its citation; no "1." and no matched words.
    inserted = first["input_message_content"]["message_text"]
    assert inserted.startswith("<b>答：仅需5分钟</b>\n") and "《" in inserted
    assert "<b>1.</b>" not in inserted and "匹配" not in inserted


async def test_group_chatter_is_ignored_mentions_ask_and_replies_are_answered(
    bot: Application, emulator: BotApiEmulator
) -> None:
    group, alice = emulator.group_chat(GROUP_ID), emulator.user(ALICE)
    emulator.send_text(group, alice, "今天开会的材料谁带了？")
    emulator.send_sticker(group, alice)
    asked = emulator.send_text(group, alice, f"/ask@{bot.bot.username} {QUESTION}")["message"]
    first = await emulator.wait_for("sendMessage", to_chat(GROUP_ID))
    assert first.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert is_answer(shown(first))
    mention = emulator.send_text(group, alice, f"@{bot.bot.username} 商会党建")["message"]
    await emulator.wait_until(lambda: len(emulator.sent_to(GROUP_ID)) == 2)
    assert emulator.sent_to(GROUP_ID)[1].params["reply_parameters"]["message_id"] == mention["message_id"]
    follow_up = emulator.send_text(group, alice, "万人助企", reply_to=first.response["result"])["message"]
    await emulator.wait_until(lambda: len(emulator.sent_to(GROUP_ID)) == 3)
    assert emulator.sent_to(GROUP_ID)[2].params["reply_parameters"]["message_id"] == follow_up["message_id"]
    replied_to = {c.params["reply_parameters"]["message_id"] for c in emulator.sent_to(GROUP_ID)}
    assert replied_to == {asked["message_id"], mention["message_id"], follow_up["message_id"]}


async def test_group_ask_without_question_explains_usage(bot: Application, emulator: BotApiEmulator) -> None:
    emulator.send_text(emulator.group_chat(GROUP_ID), emulator.user(ALICE), "/ask")
    assert "/ask" in shown(await emulator.wait_for("sendMessage", to_chat(GROUP_ID)))


async def test_a_bare_mention_in_a_group_gets_a_one_line_hint(
    bot: Application, emulator: BotApiEmulator
) -> None:
    group = emulator.group_chat(GROUP_ID)
    called = emulator.send_text(group, emulator.user(ALICE), f"@{bot.bot.username}")["message"]
    hint = await emulator.wait_for("sendMessage", to_chat(GROUP_ID))
    assert hint.params["reply_parameters"]["message_id"] == called["message_id"]
    assert f"@{bot.bot.username}" in shown(hint) and "/ask" in shown(hint) and "\n" not in shown(hint)
    emulator.send_text(group, emulator.user(BOB, language_code="en"), f" @{bot.bot.username} ")
    await emulator.wait_until(lambda: len(emulator.sent_to(GROUP_ID)) == 2)
    assert shown(emulator.sent_to(GROUP_ID)[1]).startswith("Write your question after")
    emulator.send_text(group, emulator.user(ALICE), f"问问 @{bot.bot.username}")  # a question: answered
    emulator.send_text(group, emulator.user(ALICE), "@someone_else")  # not for the bot: silence
    await emulator.wait_until(lambda: len(emulator.sent_to(GROUP_ID)) == 3)
    await asyncio.sleep(0.3)
    assert len(emulator.sent_to(GROUP_ID)) == 3


async def test_stickers_photos_voice_and_files_get_a_friendly_reply(
    bot: Application, emulator: BotApiEmulator
) -> None:
    user = emulator.user(ALICE)
    chat = emulator.private_chat(user)
    emulator.send_sticker(chat, user)
    emulator.send_photo(chat, user)
    emulator.send_voice(chat, user)
    emulator.send_document(chat, user)
    await emulator.wait_until(lambda: len(emulator.sent_to(ALICE)) == 4)
    replies = sorted(shown(c) for c in emulator.sent_to(ALICE))  # handled concurrently: any order
    assert [r[:6] for r in replies] == ["只有管理员可"] + ["我只能读文字"] * 3, "files: admins add pages"


async def test_a_photos_caption_is_a_question(bot: Application, emulator: BotApiEmulator) -> None:
    user = emulator.user(ALICE)
    emulator.send_photo(emulator.private_chat(user), user, caption="许昌市企业家协会的秘书长是谁？")
    reply = await emulator.wait_for("sendMessage", to_chat(ALICE))
    assert shown(reply).startswith("答：黄玉霞")


async def test_an_english_client_gets_the_bots_own_messages_in_english(
    bot: Application, emulator: BotApiEmulator
) -> None:
    usage = shown(await ask_privately(emulator, "/ask", user_id=BOB, language_code="en"))
    assert usage.startswith("Usage: /ask your question")
    assert shown(await ask_privately(emulator, "/frobnicate", user_id=BOB, language_code="en")).startswith(
        "I do not know this command"
    )
    assert "no such article" in shown(
        await ask_privately(emulator, "/a_99999", user_id=BOB, language_code="en")
    )
    user = emulator.user(BOB, language_code="en")
    emulator.send_sticker(emulator.private_chat(user), user)
    await emulator.wait_until(lambda: len(emulator.sent_to(BOB)) == 4)
    assert shown(emulator.sent_to(BOB)[-1]).startswith("I can only read text")


async def test_a_5000_character_question_is_cut_and_answered(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask_privately(emulator, (QUESTION * 400)[:5000])
    assert is_answer(shown(reply))
    assert str(Settings().max_question_chars) in shown(reply)


async def test_html_and_markdown_in_a_question_are_shown_literally(
    bot: Application, emulator: BotApiEmulator
) -> None:
    nasty = "<b>工商联</b> & <script>x</script> *培训* _商会_ `code` [link](http://x) </i> &amp;"
    reply = await ask_privately(emulator, nasty)
    assert is_answer(shown(reply))
    absent = await ask_privately(emulator, "<i>zzz</i> & *qqq* <u>")
    assert "<i>zzz</i> & *qqq* <u>" in shown(absent)


async def test_a_chinese_question_with_a_link_is_answered_in_chinese(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask_privately(
        emulator, "许昌市企业家协会的秘书长是谁？ https://www.xcrb.com/2021/0903/a.html"
    )
    assert shown(reply).startswith("答：黄玉霞")


async def test_unknown_commands(bot: Application, emulator: BotApiEmulator) -> None:
    assert shown(await ask_privately(emulator, "/frobnicate")) == words.ZH_SCREENS.unknown_command
    group, alice = emulator.group_chat(GROUP_ID), emulator.user(ALICE)
    emulator.send_text(group, alice, "/frobnicate")
    emulator.send_text(group, alice, "/start@some_other_bot")
    emulator.send_text(group, alice, f"/frobnicate@{bot.bot.username}")
    reply = await emulator.wait_for("sendMessage", to_chat(GROUP_ID))
    assert shown(reply) == words.ZH_SCREENS.unknown_command
    assert len(emulator.sent_to(GROUP_ID)) == 1


async def test_edited_question_is_answered_again_in_private(
    bot: Application, emulator: BotApiEmulator
) -> None:
    user = emulator.user(ALICE)
    original = emulator.send_text(emulator.private_chat(user), user, "商会")["message"]
    await emulator.wait_for("sendMessage", to_chat(ALICE))
    emulator.edit_text(original, QUESTION)
    await emulator.wait_until(lambda: len(emulator.sent_to(ALICE)) == 2)
    assert is_answer(shown(emulator.sent_to(ALICE)[1]))


async def test_edits_in_groups_are_ignored(bot: Application, emulator: BotApiEmulator) -> None:
    group, alice = emulator.group_chat(GROUP_ID), emulator.user(ALICE)
    chatter = emulator.send_text(group, alice, "散会")["message"]
    emulator.edit_text(chatter, f"@{bot.bot.username} {QUESTION}")
    asked = emulator.send_text(group, alice, f"/ask {QUESTION}")["message"]
    reply = await emulator.wait_for("sendMessage", to_chat(GROUP_ID))
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert len(emulator.sent_to(GROUP_ID)) == 1


async def test_english_question_gets_english_chrome(bot: Application, emulator: BotApiEmulator) -> None:
    text = shown(await ask_privately(emulator, "What training did the Changge chamber of commerce hold?"))
    assert text.startswith("Searched for: 培训 长葛 商会\n")
    assert "长葛市工商联" in text and "Passage 1 of " in text and "· para. " in text
    assert "Matched" not in text and "not matched" not in text, "a full match needs no word list"


async def test_english_question_the_archive_cannot_answer(bot: Application, emulator: BotApiEmulator) -> None:
    text = shown(await ask_privately(emulator, "What was the GDP of Zhengzhou last year?"))
    assert text.startswith("The archive never mentions “郑州”.")  # Zhengzhou, read through CC-CEDICT
    assert "Searched for: 生产总值 去年 郑州" in text and "/articles" in text  # GDP from the glossary


async def test_a_misspelt_word_gets_the_archive_word_it_resembles(
    bot: Application, emulator: BotApiEmulator
) -> None:
    text = shown(await ask_privately(emulator, "商汇 郑州"))
    assert text.startswith("档案里没有提到「郑州」。") and "档案里相近的词：商会" in text


async def test_one_slow_search_does_not_hold_up_other_users(
    emulator: BotApiEmulator, archive: Archive, start_bot: Any
) -> None:
    slow = SlowArchive(archive, "慢问题")
    async with start_bot(slow):
        bob = emulator.user(BOB)
        alice = emulator.user(ALICE)
        emulator.send_text(emulator.private_chat(alice), alice, "慢问题")
        await asyncio.to_thread(slow.started.wait, 10)
        emulator.send_text(emulator.private_chat(bob), bob, QUESTION)
        await emulator.wait_for("sendMessage", to_chat(BOB))
        assert emulator.sent_to(ALICE) == []
        slow.release.set()
        await emulator.wait_for("sendMessage", to_chat(ALICE))


class SlowArchive:
    """The archive, except that one question blocks until the test releases it."""

    def __init__(self, archive: Archive, slow_question: str) -> None:
        self._archive, self._slow = archive, slow_question
        self.started, self.release = threading.Event(), threading.Event()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)

    def ask(self, question: str, top_k: int = 3, offset: int = 0, conversation: Any = None) -> Any:
        if question == self._slow:
            self.started.set()
            self.release.wait(10)
        return self._archive.ask(question, top_k=top_k, offset=offset, conversation=conversation)
