"""Answers, not passages: the short answer, lists, small talk, names never mentioned, follow-ups."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from replies.json_contract import answer_json
from replies.text import answer_text
from retrieval import Archive


@pytest.mark.parametrize(
    ("question", "span"),
    [
        ("驾驶员自助体检要多长时间？", "仅需5分钟"),
        ("许昌市企业家协会的秘书长是谁？", "黄玉霞"),
        ("禹州市烟草专卖局局长是谁", "王维超"),
        ("市民之家的自助体检机是哪天上线的？", "9月1日"),
        ("“智慧工商联”平台是市工商联和哪家银行一起打造的？", "建设银行许昌分行"),
        ("How many Xuchang chambers made the national Four Good list?", "5家"),
    ],
)
def test_a_typed_question_gets_the_span_that_answers_it(
    seed_archive: Archive, question: str, span: str
) -> None:
    answer = seed_archive.ask(question)
    short = answer.short_answer
    assert short is not None and short.text == span
    cited = next(h for h in answer.hits if h.rank == short.rank)
    assert span in cited.chunk.text and span in cited.answer_sentence  # extractive, and the evidence shown
    first = answer_text(answer).splitlines()[0]
    assert first in (f"答：{span}", f"Answer: {span}")
    assert answer_json(answer)["short_answer"] == {"text": span, "rank": short.rank, "kind": short.kind}


def test_an_open_question_gets_no_short_answer(seed_archive: Archive) -> None:
    answer = seed_archive.ask("长葛市工商联为什么要开展拍砖活动？")
    assert answer.short_answer is None and answer_json(answer)["short_answer"] is None


def test_a_list_question_gets_the_items_the_archive_prints(seed_archive: Archive) -> None:
    answer = seed_archive.ask("长葛市工商联的“六抓六促”是哪六抓？")
    assert len(answer.items) == 6 and answer.items[0].text.startswith("抓党建")
    assert all(item.text in item.chunk.text or item.chunk.section == item.text for item in answer.items)
    listed = answer_json(answer)["list"]
    assert isinstance(listed, list) and listed[0]["paragraph"] == answer.items[0].paragraph


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("你好", "greeting"),
        ("谢谢！", "thanks"),
        ("hello", "greeting"),
        ("你是谁？", "identity"),
        ("今天许昌天气怎么样？", "weather"),
        ("讲个笑话", "joke"),
        ("what can you do?", "abilities"),
    ],
)
def test_small_talk_is_answered_not_searched(seed_archive: Archive, message: str, kind: str) -> None:
    answer = seed_archive.ask(message)
    assert answer.small_talk == kind and answer.hits == () and answer_json(answer)["small_talk"] is True
    assert answer_text(answer, ["例子？"])


def test_a_question_after_a_greeting_is_still_searched(seed_archive: Archive) -> None:
    answer = seed_archive.ask("你好，许昌市企业家协会的秘书长是谁？")
    assert not answer.small_talk and answer.answered


@pytest.mark.parametrize(
    ("question", "name"),
    [("富士康在许昌投资了多少亿元？", "富士康"), ("What is the GDP of Zhengzhou?", "郑州")],
)
def test_a_name_the_archive_never_mentions_is_refused_saying_so(
    seed_archive: Archive, question: str, name: str
) -> None:
    answer = seed_archive.ask(question)
    assert not answer.answered and answer.missing == (name,)
    assert name in answer_text(answer)


def test_only_passages_that_cover_the_question_are_shown(seed_archive: Archive) -> None:
    answer = seed_archive.ask("魏都区工商联在99公益日做了什么？", top_k=10)
    assert answer.answered and answer.relevant == len(answer.hits) < 10


def test_a_follow_up_is_read_in_the_light_of_the_conversation(seed_archive: Archive) -> None:
    first = seed_archive.ask("许昌市企业家协会的秘书长是谁？")
    follow = seed_archive.ask("她还有什么职务？", conversation=first.conversation)
    assert follow.searched_as.startswith("黄玉霞") and follow.answered
    assert "按「黄玉霞还有什么职务？」查找" in answer_text(follow)
    alone = seed_archive.ask("长葛市委、市政府出资多少钱建商会基地？", conversation=first.conversation)
    assert alone.searched_as == "" and alone.short_answer and alone.short_answer.text == "50万元"


def test_the_cli_reads_dialogues_one_question_per_line() -> None:
    lines = "长葛市工商联（总商会）党支部是什么时候成立的？\n有多少名党员？\n\n有多少名党员？\n"
    out = subprocess.run(
        [sys.executable, "-m", "chamber_qa", "ask", "--json", "--dialogue", "--top", "1"],
        input=lines,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    answers = [json.loads(line) for line in out]
    assert len(answers) == 3
    assert (
        answers[1]["searched_as"].startswith("长葛市工商联") and answers[1]["short_answer"]["text"] == "68名"
    )
    assert answers[2]["searched_as"] == "有多少名党员？"  # a blank line starts a new conversation
