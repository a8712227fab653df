"""Answers over the seed pages: citations, evidence sentences, dedup, refusals, odd questions."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from replies.text import answer_text, mark_terms
from retrieval import Archive
from retrieval.ask.answer_types import NOW
from retrieval.ask.coverage import (
    SINGLE_CHAR_WEIGHT,
    UNSEEN_COMMON_WEIGHT,
    Concept,
    concepts,
    coverage_order,
)


def test_ask_cites_the_article_of_a_headline_initiative(seed_archive: Archive) -> None:
    answer = seed_archive.ask("莲城智能体标准")
    assert answer.answered
    top = answer.hits[0]
    assert "莲城智能体" in top.chunk.title
    assert top.chunk.source == "001_73203bc2ffbfe497.txt"
    assert "莲城智能体" in top.answer_sentence
    assert top.answer_sentence in top.chunk.text


def test_ask_finds_a_number_across_a_column_break(seed_archive: Archive) -> None:
    answer = seed_archive.ask("商会培训了多少人次？")
    assert answer.answered
    assert "2000多人次" in answer.hits[0].chunk.text


def test_ask_reads_traditional_characters_like_simplified(seed_archive: Archive) -> None:
    simplified = seed_archive.ask("长葛市工商联举办了哪些培训")
    traditional = seed_archive.ask("長葛市工商聯舉辦了哪些培訓")
    assert [h.chunk.id for h in traditional.hits] == [h.chunk.id for h in simplified.hits]
    assert traditional.hits[0].chunk.text == simplified.hits[0].chunk.text  # passages quoted as printed


def test_ask_never_returns_two_results_from_one_paragraph(seed_archive: Archive) -> None:
    answer = seed_archive.ask("商会", top_k=10)
    keys = [(h.chunk.article_id, h.chunk.paragraph) for h in answer.hits]
    assert len(keys) == len(set(keys))


def test_ask_offset_pages_through_results(seed_archive: Archive) -> None:
    first = seed_archive.ask("工商联 商会 党建", top_k=3)
    more = seed_archive.ask("工商联 商会 党建", top_k=3, offset=3)
    assert [h.rank for h in more.hits] == [4, 5, 6]
    assert not {h.chunk.id for h in first.hits} & {h.chunk.id for h in more.hits}


def test_ask_refuses_an_unrelated_question_with_near_titles(seed_archive: Archive) -> None:
    answer = seed_archive.ask("河南建业足球队最近的比赛结果？")
    assert not answer.answered
    assert answer.hits == ()
    assert "档案里没有提到「河南建业」。" in answer_text(answer)


def test_a_question_whose_topic_the_archive_never_names_is_refused(seed_archive: Archive) -> None:
    # The pages print 现在 (in a quote) and nothing about income tax.
    assert not seed_archive.ask("个人所得税起征点现在是多少？").answered


def test_now_is_searched_but_not_required(seed_archive: Archive) -> None:
    for question in ("个人所得税起征点现在是多少", "目前商会有多少会员", "如今工商联怎样服务企业"):
        assert not NOW & {c.term for c in concepts(seed_archive.index, question)}
        assert NOW & set(seed_archive.index.tokenizer.query(question))


def test_ask_marks_matched_and_unmatched_terms(seed_archive: Archive) -> None:
    answer = seed_archive.ask("长葛市工商联举办了哪些培训？")
    hit = answer.hits[0]
    assert "培训" in hit.matched_terms
    assert set(hit.matched_terms).isdisjoint(hit.unmatched_terms)


def test_the_passages_about_what_is_asked_come_first(seed_archive: Archive) -> None:
    # BM25 alone put a passage about a trade fair (举办…展会) among the first three: it says 举办, not 培训.
    hits = seed_archive.ask("长葛市工商联举办了哪些培训？", top_k=3).hits
    assert [("培训" in h.matched_terms) for h in hits] == [True, True, True]


def test_a_yes_no_question_asked_as_a_not_a_is_answered(seed_archive: Archive) -> None:
    # 是不是 once left 不是 as the question's heaviest word, which no passage holds: the question was refused.
    question = "疫情那会儿胖子店对老百姓许了什么诺？后来是不是还有省里的大领导去看过？"
    assert seed_archive.ask(question).answered


def test_a_passage_covering_more_of_the_question_moves_up() -> None:
    asked = [Concept("许昌", 1.0, ()), Concept("商会", 1.0, ()), Concept("培训", 1.0, ())]
    # 10 + 0.6 x 10 x 1/3 = 12 against 8 + 0.6 x 10 x 1 = 14
    assert coverage_order(asked, "许昌商会培训", ["商会商会", "许昌商会培训"], [10.0, 8.0]) == [
        (1, 14.0),
        (0, 12.0),
    ]
    # equal coverage: BM25's order stands; only the passages given texts are reordered
    assert [i for i, _ in coverage_order(asked, "许昌商会", ["商会", "商会"], [10.0, 9.0, 8.0])] == [0, 1]
    assert coverage_order(asked, "许昌商会", [], [10.0]) == []


def test_the_word_a_which_asks_about_weighs_twice_in_the_order() -> None:
    asked = [Concept("举办", 2.0, ()), Concept("培训", 1.5, ())]
    texts, scores = ["举办了展会", "组织了培训"], [10.0, 9.9]
    assert [i for i, _ in coverage_order(asked, "举办了哪些培训", texts, scores)] == [1, 0]
    assert [i for i, _ in coverage_order(asked, "举办培训", texts, scores)] == [0, 1]


def test_mark_terms_wraps_longest_terms_without_overlap() -> None:
    assert mark_terms("许昌市工商联召开会议", ("工商联", "许昌市工商联")) == "【许昌市工商联】召开会议"
    assert mark_terms("商会和商会", ("商会",)) == "【商会】和【商会】"


def test_ask_survives_empty_and_punctuation_only_questions(seed_archive: Archive) -> None:
    for question in ["", "   ", "？？？", "😀😀", "\x00\x07", "什么？"]:
        answer = seed_archive.ask(question)
        assert not answer.answered
        assert answer.hits == ()


def test_ask_cuts_a_very_long_question(seed_archive: Archive) -> None:
    answer = seed_archive.ask("万人助企" * 2500)
    assert answer.answered
    assert len(answer.question) <= seed_archive.settings.max_question_chars


QUESTION_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(list("商会工商联万人助企许昌長葛，。？！“”《》") + list(string.printable)),
    ),
    max_size=300,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=QUESTION_TEXT)
def test_ask_any_question_gets_an_answer_or_a_refusal(seed_archive: Archive, question: str) -> None:
    answer = seed_archive.ask(question)
    assert answer.answered == bool(answer.hits)
    for hit in answer.hits:
        assert hit.answer_sentence in hit.chunk.text
    answer_text(answer)  # renders without error


def test_unknown_one_character_words_weigh_little(seed_archive: Archive) -> None:
    # 搞 and 们 never appear in the archive; they are how people talk, not what they ask about.
    weights = {c.term: c.weight for c in concepts(seed_archive.index, "长葛的企业家们搞过哪些培训")}
    assert weights["搞"] <= SINGLE_CHAR_WEIGHT * UNSEEN_COMMON_WEIGHT
    assert weights["搞"] < weights["长葛"] < weights["培训"]


def test_a_reporters_or_photographers_name_finds_their_work(seed_archive: Archive) -> None:
    found = seed_archive.ask("魏东雅写了哪些报道？")
    assert found.answered and any(h.chunk.byline == "本报记者 魏东雅" for h in found.hits)
    photo = seed_archive.ask("魏都区工商联99公益日那张照片是谁拍的？")
    assert photo.hits[0].chunk.byline == "魏东雅 乔璐洋 摄"
    assert "魏东雅 乔璐洋 摄" in answer_text(photo)  # the citation shows the credit


def test_a_dictionary_term_no_chunk_holds_whole_stands_for_its_parts(seed_archive: Archive) -> None:
    # The hand-kept dictionary has 四好商会; the pages print “四好”商会, so the whole word is in no chunk.
    assert seed_archive.index.tokenizer.is_domain_term("四好商会")
    assert seed_archive.index.bm25.doc_freq("四好商会") == 0
    terms = [c.term for c in concepts(seed_archive.index, "四好商会")]
    assert terms == ["四好", "商会"]
    found = seed_archive.ask("四好商会")
    assert found.answered and "四好" in found.hits[0].chunk.text


def test_an_everyday_word_jieba_tags_as_a_name_counts_as_everyday(seed_archive: Archive) -> None:
    # jieba's dictionary tags 荣誉 and 老总 "nr" (a person's name); Cilin lists them: words people
    # paraphrase with, weighed as such and expanded to the archive's synonyms, not names to insist on.
    question = "长葛有没有请专家教中小企业老总怎么搞降本增效、精细化的管理？"
    boss = next(c for c in concepts(seed_archive.index, question) if c.term == "老总")
    assert boss.weight == UNSEEN_COMMON_WEIGHT and "企业家" in boss.synonyms
    assert seed_archive.ask(question).answered
    honour = next(c for c in concepts(seed_archive.index, "协会获得过哪些荣誉") if c.term == "荣誉")
    assert honour.weight == UNSEEN_COMMON_WEIGHT and honour.synonyms
    # 上门 (to call at someone's door) is tagged a place ("ns"); unweighted, it refused a paraphrase.
    visit = next(c for c in concepts(seed_archive.index, "有没有律师上门帮企业体检") if c.term == "上门")
    assert visit.weight == UNSEEN_COMMON_WEIGHT
