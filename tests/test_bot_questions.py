"""Reading questions: groups, commands, mentions, over-long text, article commands, language."""

from __future__ import annotations

import pytest

from bot import questions
from replies import words
from replies.words import lang_of
from retrieval import Settings

LIMIT = Settings().max_question_chars

BOT = "chamber_qa_bot"


def test_clean_collapses_whitespace() -> None:
    assert questions.clean("  商会 \n\n 培训  ", LIMIT) == ("商会 培训", False)


def test_clean_cuts_an_over_long_question() -> None:
    question, cut = questions.clean("商" * 5000, LIMIT)
    assert (len(question), cut) == (LIMIT, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/ask 商会 培训", "商会 培训"),
        (f"/ask@{BOT} 商会", "商会"),
        ("/ask", ""),
        ("/ask\n多行\n问题", "多行\n问题"),
    ],
)
def test_command_argument(text: str, expected: str) -> None:
    assert questions.command_argument(text) == expected


@pytest.mark.parametrize(
    ("text", "replying", "expected"),
    [
        ("今天开会吗", False, None),
        (f"@{BOT} 商会党建", False, "商会党建"),
        (f"请问 @{BOT.upper()} 商会党建？", False, "请问   商会党建？"),
        (f"@{BOT}", False, None),
        ("万人助企", True, "万人助企"),
        ("@chamber_qa_bot_fan 你好", False, None),
    ],
)
def test_group_question(text: str, replying: bool, expected: str | None) -> None:
    assert questions.group_question(text, BOT, replying_to_me=replying) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("/a_12", 12), (f"/a_3@{BOT}", 3), ("/a_3@other_bot", None), ("/a_x", None), ("/a_1 extra", None)],
)
def test_article_number(text: str, expected: int | None) -> None:
    assert questions.article_number(text, BOT) == expected


def test_is_for_me() -> None:
    assert questions.is_for_me("/x", BOT) and questions.is_for_me(f"/x@{BOT}", BOT)
    assert not questions.is_for_me("/x@other_bot", BOT)


def test_lang_of_follows_the_question() -> None:
    assert lang_of("What did the chamber of commerce do?") == "en"
    assert (lang_of("长葛市工商联举办了哪些培训？"), lang_of("")) == ("zh", "zh")
    assert lang_of("長葛市工商聯舉辦了哪些培訓？") == lang_of("禹州菸草局局長是誰？") == "zh-hant"
    # Characters shared by both scripts, or a Simplified text with a character OpenCC would change
    # (著名), stay Simplified; a link or a tag is no English.
    assert lang_of("许昌 著名的商会") == lang_of("商会在哪 https://www.xcrb.com/a.html") == "zh"
    assert lang_of("<b>万人助企</b>是什么") == "zh"


def test_the_traditional_phrases_are_the_chinese_ones_converted_with_their_placeholders() -> None:
    zh, hant = words.for_lang("zh"), words.for_lang("zh-hant")
    assert hant.no_answer.format(question="問") == "檔案裏沒有找到能回答「問」的原文。"
    assert hant.truncated.format(n=500) == "（問題太長，只用了前 500 個字。）"
    assert set(hant.kinds) == set(zh.kinds) and set(hant.small_talk) == set(zh.small_talk)
    for lang in ("zh", "zh-hant", "en"):  # every language's screens take the same placeholders
        screens = words.screens_for(lang)
        assert "{username}" in screens.help
        assert screens.about.format(coverage="覆盖").endswith("覆盖")
        assert "v9" in screens.about_admin.format(chunks=1, version="v9")


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        (None, "zh"),
        ("zh-hans", "zh"),
        ("zh", "zh"),
        ("zh-hant", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("en", "en"),
    ],
)
def test_a_screen_follows_the_telegram_language_code(code: str | None, lang: str) -> None:
    assert words.screen_lang(code) == lang
