"""English questions through the archive: read into Chinese terms, answered with Chinese passages."""

from __future__ import annotations

from replies.json_contract import answer_json
from replies.text import answer_text
from retrieval import Archive
from retrieval.ask.near_miss import rejoin


def test_an_english_question_is_read_into_chinese_and_answered(seed_archive: Archive) -> None:
    answer = seed_archive.ask("What training did the Changge federation of industry and commerce hold?")
    assert answer.answered
    assert answer.searched_for.split() == ["培训", "长葛", "工商联"]
    top = answer.hits[0]
    assert "长葛市工商联" in top.chunk.title and "培训" in top.chunk.text  # quoted as printed, in Chinese
    assert {"培训", "长葛"} <= set(top.matched_terms)


def test_names_in_pinyin_find_the_person(seed_archive: Archive) -> None:
    answer = seed_archive.ask("Who is Liu Zhigang?")
    assert answer.answered and "刘志刚" in answer.searched_for
    assert "刘志刚" in answer.hits[0].chunk.text


def test_an_off_topic_english_question_is_refused(seed_archive: Archive) -> None:
    answer = seed_archive.ask("Which football team won the league in Zhengzhou?")
    assert not answer.answered
    assert "郑州" in answer.searched_for


def test_english_answers_render_english_chrome_around_chinese_passages(seed_archive: Archive) -> None:
    answer = seed_archive.ask("How many chambers of commerce in Xuchang were named Four Good chambers?")
    text = answer_text(answer)
    assert text.startswith("Answer: 5家\nSearched for: ") and "para. " in text and "Matched: " in text
    assert answer_json(answer)["searched_for"] == answer.searched_for


def test_chinese_answers_say_nothing_about_english(seed_archive: Archive) -> None:
    answer = seed_archive.ask("长葛市工商联举办了哪些培训")
    assert answer.searched_for == ""
    assert "searched_for" not in answer_json(answer)


def test_a_misspelt_word_suggests_the_archive_word(seed_archive: Archive) -> None:
    answer = seed_archive.ask("商汇 郑州")
    assert not answer.answered
    assert answer.near_terms[:1] == ("商会",)
    assert "档案里相近的词：商会" in answer_text(answer)
    assert answer_json(answer)["near_terms"][0] == "商会"


def test_rejoin_puts_back_what_jieba_cut_into_characters() -> None:
    assert rejoin(("商", "汇", "郑州"), "商汇郑州") == ["商汇", "郑州"]
    assert rejoin(("工商", "连"), "工商连") == ["工商", "工商连"]
    assert rejoin(("许昌", "天气"), "许昌天气") == ["许昌", "天气"]
    assert rejoin(("商", "汇"), "商 和 汇") == ["商", "汇"]  # not side by side in the question
