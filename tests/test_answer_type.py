"""Typed answers: a question asking "which year", "how much money" ... wants a sentence that states one."""

from __future__ import annotations

import pytest

from retrieval import Archive
from retrieval.answer_type import answer_asked
from retrieval.tokens import prepare


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("许昌市青年创业促进会是哪一年成立的", "year"),
        ("胖东来晚上几点关门", "time"),
        ("市民之家的自助体检机是哪天上线的", "date"),
        ("长葛“葛商学院”什么时候开班", "date"),
        ("驾照换证体检现在要多久", "duration"),
        ("参加培训要交多少钱", "money"),
        ("长葛市工商联举办了哪些培训", None),
        ("许昌市工商联一共有多少家所属商会", None),  # a count: answer.amount_asked's softer check
    ],
)
def test_the_kind_of_answer_asked(question: str, kind: str | None) -> None:
    words = [(w, ()) for w in ("促进会", "成立", "关门", "体检机", "上线", "开班", "体检", "培训", "商会")]
    asked = answer_asked(prepare(question), [(w, f) for w, f in words if w in question], 1.0)
    assert (asked.kind if asked else None) == kind


def test_the_focus_is_the_word_next_to_the_asking_phrase() -> None:
    words = [("许昌市青年创业促进会", ()), ("成立", ("创立",))]
    asked = answer_asked("许昌市青年创业促进会是哪一年成立的", words, 1.0)
    assert asked is not None and asked.focus == (("成立", "创立"),)
    before = answer_asked("项目总投资是多少钱", [("项目", ()), ("总投资", ())], 1.0)
    assert before is not None and before.focus == (("总投资",),)


def test_the_answer_must_stand_in_the_same_sentence_as_the_focus() -> None:
    asked = answer_asked("促进会是哪一年成立的", [("促进会", ()), ("成立", ())], 1.0)
    assert asked is not None and asked.focus == (("成立",),)
    assert asked.match("许昌市青年创业促进会成立于2015年，现有会员200多家。") == 1.0
    assert asked.match("促进会创立于2015年。") == 0.0  # not the focus word (and no alias given)
    assert asked.match("促进会成立以来发展迅速。2015年举办了首届论坛。") == 0.0  # year in another sentence


def test_money_is_a_sum_not_any_number() -> None:
    asked = answer_asked("参加培训要交多少钱", [("培训", ())], 1.0)
    assert asked is not None
    assert asked.match("每期培训收费800元。") == 1.0
    assert asked.match("培训融资5亿多元。") == 1.0
    assert asked.match("共培训2000多人。") == 0.0


def test_a_near_miss_asking_a_year_is_refused_and_says_why(seed_archive: Archive) -> None:
    refused = seed_archive.ask("“智慧工商联”平台是哪一年上线的？")
    assert not refused.answered and refused.reason == "no passage states the year asked for"
    assert refused.near_titles  # the closest headlines are still offered
    # The same words without asking for a year find the passages about the platform.
    assert seed_archive.ask("“智慧工商联”平台上线").answered


def test_a_typed_question_the_archive_answers_is_still_answered(seed_archive: Archive) -> None:
    answer = seed_archive.ask("市民之家的自助体检机是哪天上线的？")
    assert answer.answered and any("上线" in h.chunk.text for h in answer.hits)
    money = seed_archive.ask("各商会参加银商对接活动融资了多少钱")
    assert money.answered and any("亿" in h.chunk.text for h in money.hits)
