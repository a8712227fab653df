"""End to end over the emulator: the bot shows the answering stage's short answer, list, rewritten
follow-up, small talk and refusals, and keeps conversations per private chat and per answer in groups."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from telegram.ext import Application

from bot import paging
from bot.conversations import CHAT, Conversations
from emulator import BotApiEmulator, Call
from replies import words
from retrieval import Archive, Conversation

pytest_plugins = ["conftest_bot"]

GROUP_ID = -100_300
ALICE, BOB = 101, 102
SECRETARY = "许昌市企业家协会的秘书长是谁？"
FOLLOW_UP = "她还有什么职务？"


def shown(call: Call) -> str:
    """Return the text Telegram shows for an accepted sendMessage/editMessageText (entities parsed)."""
    return call.response["result"]["text"]


def buttons(call: Call) -> dict[str, str]:
    """Return the inline buttons of a sent message, label -> callback_data."""
    rows = (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["callback_data"] for row in rows for b in row}


async def ask(emulator: BotApiEmulator, chat: Any, user_id: int, text: str, reply_to: Any = None) -> Call:
    """Send a message to a chat and wait for the bot's reply to it."""
    sent = emulator.send_text(chat, emulator.user(user_id), text, reply_to=reply_to)["message"]
    return await emulator.wait_for(
        "sendMessage",
        lambda c: (
            int(c.params["chat_id"]) == chat["id"] and c.response["result"]["message_id"] > sent["message_id"]
        ),
    )


def private(emulator: BotApiEmulator, user_id: int = ALICE) -> Any:
    return emulator.private_chat(emulator.user(user_id))


async def test_a_typed_question_opens_with_its_short_answer(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask(emulator, private(emulator), ALICE, "驾驶员自助体检要多长时间？")
    assert shown(reply).startswith("答：仅需5分钟\n")
    lead, evidence = reply.params["text"].split("\n", 2)[:2]
    assert lead == "<b>答：仅需5分钟</b>"
    assert "<b>" in evidence and "仅需5分钟" in evidence, "the evidence sentence stands below it, bold"


async def test_a_list_question_gets_the_numbered_list_with_its_citation(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask(emulator, private(emulator), ALICE, "长葛市工商联的“六抓六促”具体是哪六抓？")
    lines = shown(reply).splitlines()
    assert lines[0] == words.ZH.listed
    assert [line[:6] for line in lines[1:7]] == [
        "1. 抓党建",
        "2. 抓机制",
        "3. 抓阵地",
        "4. 抓服务",
        "5. 抓培育",
        "6. 抓创新",
    ]
    assert lines[7].startswith("—— 《长葛市工商联") and "第" not in lines[7].split("·")[-2]
    assert re.search(r"\n原文 1/\d+ · 《", shown(reply)), "then the first passage, cited"


async def test_a_follow_up_in_a_private_chat_is_read_in_the_conversation(
    bot: Application, emulator: BotApiEmulator
) -> None:
    chat = private(emulator)
    first = await ask(emulator, chat, ALICE, SECRETARY)
    assert shown(first).startswith("答：黄玉霞")
    follow = await ask(emulator, chat, ALICE, FOLLOW_UP)
    assert shown(follow).startswith("答：秘书长、党组织负责人\n按「黄玉霞还有什么职务？」查找\n")
    assert "党组织负责人黄玉霞向记者吐露心声。" in shown(follow), "the evidence sentence whole"
    other = await ask(emulator, private(emulator, BOB), BOB, FOLLOW_UP)  # Bob's chat has no conversation
    assert "黄玉霞" not in shown(other)


async def test_a_question_that_stands_alone_is_not_bent_by_the_previous_one(
    bot: Application, emulator: BotApiEmulator
) -> None:
    chat = private(emulator)
    await ask(emulator, chat, ALICE, SECRETARY)
    reply = await ask(emulator, chat, ALICE, "驾驶员自助体检要多长时间？")
    assert shown(reply).startswith("答：仅需5分钟") and "按「" not in shown(reply)


async def test_in_a_group_a_follow_up_goes_on_from_the_answer_it_replies_to(
    bot: Application, emulator: BotApiEmulator
) -> None:
    group = emulator.group_chat(GROUP_ID)
    first = await ask(emulator, group, ALICE, f"/ask {SECRETARY}")
    await ask(emulator, group, ALICE, "/ask 驾驶员自助体检要多长时间？")  # another answer in between
    follow = await ask(emulator, group, BOB, FOLLOW_UP, reply_to=first.response["result"])
    assert "按「黄玉霞还有什么职务？」查找" in shown(follow)
    fresh = await ask(emulator, group, BOB, f"@{bot.bot.username} {FOLLOW_UP}")
    assert "黄玉霞" not in shown(fresh), "a group question replying to no answer starts afresh"


async def test_more_pages_a_follow_up_as_searched_and_ends_where_relevance_ends(
    bot: Application, emulator: BotApiEmulator, archive: Archive
) -> None:
    chat = private(emulator)
    await ask(emulator, chat, ALICE, "长葛市工商联举办了哪些培训？")
    follow = await ask(emulator, chat, ALICE, "那魏都区呢？")
    searched = archive.ask(
        "那魏都区呢？", conversation=archive.ask("长葛市工商联举办了哪些培训？").conversation
    )
    assert searched.searched_as and shown(follow).startswith(f"按「{searched.searched_as}」查找")
    assert ("更多 ›" in buttons(follow)) == (searched.relevant > 1)
    narrow = await ask(emulator, chat, ALICE, SECRETARY)
    assert archive.ask(SECRETARY).relevant == 1 and "更多 ›" not in buttons(narrow)
    message, edit = follow.response["result"], follow
    for screen in range(1, min(searched.relevant, 5)):  # through a second search (three per search)
        emulator.press_button(message, buttons(edit)["更多 ›"], emulator.user(ALICE))
        edit = await emulator.wait_for("editMessageText", lambda c, n=screen: f"原文 {n + 1}/" in shown(c))
        batch = archive.ask(searched.searched_as, offset=screen - screen % 3)
        hit = paging.screen_hit(batch, screen)
        assert hit is not None
        assert hit.answer_sentence[:15] in shown(edit) and "‹ 上一条" in buttons(edit)
        message = edit.response["result"]


async def test_conversations_expire_after_the_setting(emulator: BotApiEmulator, start_bot: Any) -> None:
    async with start_bot(conversation_minutes=0.5 / 60):  # half a second
        chat = private(emulator)
        await ask(emulator, chat, ALICE, SECRETARY)
        await asyncio.sleep(1)
        reply = await ask(emulator, chat, ALICE, FOLLOW_UP)
        assert "黄玉霞" not in shown(reply)


async def test_follow_ups_can_be_turned_off(emulator: BotApiEmulator, start_bot: Any) -> None:
    async with start_bot(conversation_minutes=0):
        chat = private(emulator)
        await ask(emulator, chat, ALICE, SECRETARY)
        assert "黄玉霞" not in shown(await ask(emulator, chat, ALICE, FOLLOW_UP))


async def test_small_talk_is_answered_briefly_in_the_users_language(
    bot: Application, emulator: BotApiEmulator, archive: Archive
) -> None:
    chat = private(emulator)
    hello = await ask(emulator, chat, ALICE, "你好")
    example = archive.example_questions()[0]
    assert shown(hello) == words.ZH.small_talk["greeting"].format(example=example)
    assert shown(await ask(emulator, chat, ALICE, "thanks!")) == words.EN.small_talk["thanks"]
    assert "reply_markup" not in hello.params


async def test_a_name_the_archive_never_mentions_is_refused_by_name(
    bot: Application, emulator: BotApiEmulator
) -> None:
    reply = await ask(emulator, private(emulator), ALICE, "富士康在许昌投资了多少亿元？")
    assert shown(reply).startswith("档案里没有提到「富士康」。")
    assert "reply_markup" not in reply.params


def test_kept_conversations_expire_and_are_bounded() -> None:
    now = [0.0]
    kept = Conversations(seconds=60, capacity=3, clock=lambda: now[0])
    talk = Conversation(topic="许昌市企业家协会的秘书长是谁？", subject=("许昌市企业家协会",))
    kept.keep(talk, 7, 11, CHAT)
    assert kept.recall(7) == talk and kept.recall(7, 11) == talk and kept.recall(8) is None
    now[0] = 61
    assert kept.recall(7) is None and kept.recall(7, 11) is None
    for message_id in range(1, 6):
        kept.keep(talk, 9, message_id)
    assert len(kept) == 3 and kept.recall(9, 1) is None and kept.recall(9, 5) == talk
    assert Conversations(seconds=0).keep(talk, 1, CHAT) is None and len(Conversations(seconds=0)) == 0


def test_conversation_keys_hold_no_chat_or_message_ids() -> None:
    kept = Conversations(seconds=60)
    kept.keep(Conversation(topic="问"), -100123456789, 42)
    (key,) = kept._kept
    assert "-100123456789" not in key and re.fullmatch(r"[0-9a-f]{24}", key)  # a digest, nothing else
    assert Conversations(seconds=60)._key(-100123456789, 42) != key, "salted per process"
