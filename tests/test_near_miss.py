"""Near misses for "not found" replies: homophones, aliases and look-alikes among the archive's words."""

from __future__ import annotations

import pytest

from retrieval.ask.near_miss import (
    MAX_NEAR,
    Lexicon,
    NearMiss,
    abbreviation,
    latin_key,
    near_misses,
    pinyin_keys,
)
from retrieval.terms.wordlists import alias_groups

VOCABULARY = {
    "商会": 40,
    "上会": 1,
    "商汇利": 1,
    "万人助企": 12,
    "许昌市商会": 3,
    "许昌": 50,
    "许昌市": 30,
    "民营经济": 9,
    "非公经济": 2,
    "长葛": 20,
    "魏都区": 4,
    "工商联": 60,
    "·商会": 40,
    "·玉霞": 1,
}


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    return Lexicon.build(VOCABULARY)


def terms(misses: tuple[NearMiss, ...]) -> list[str]:
    return [m.term for m in misses]


def test_homophone_typo_finds_the_word(lexicon: Lexicon) -> None:
    misses = near_misses(lexicon, "商汇")
    assert misses[0] == NearMiss("商会", "pinyin", misses[0].score)
    # The homophone sharing a character with the typo ranks above the one sharing none (上会).
    assert terms(misses).index("商会") < terms(misses).index("上会")


def test_alias_comes_first(lexicon: Lexicon) -> None:
    assert any({"万人助企", "万人助万企"} <= set(g) for g in alias_groups())  # the data this relies on
    misses = near_misses(lexicon, "万人助万企")
    assert misses[0].term == "万人助企" and misses[0].why == "alias" and misses[0].score == 1.0


def test_alias_group_suggests_every_other_name_in_the_archive(lexicon: Lexicon) -> None:
    found = {m.term for m in near_misses(lexicon, "非公有制经济") if m.why == "alias"}
    assert found == {"民营经济", "非公经济"}  # 非公有制经济 itself is no word of this archive


def test_shared_characters_find_the_longer_name(lexicon: Lexicon) -> None:
    misses = near_misses(lexicon, "许昌商会")
    assert misses[0].term == "许昌市商会" and misses[0].why == "characters"
    # Words holding only part of the term are no near miss: 许昌 and 商会 are what the user already has.
    assert "许昌" not in terms(misses) and "商会" not in terms(misses)


def test_polyphonic_characters_are_read_every_way(lexicon: Lexicon) -> None:
    assert "changge" in pinyin_keys("长葛") and "zhangge" in pinyin_keys("长葛")
    assert "weiduqu" in pinyin_keys("魏都区")
    assert terms(near_misses(lexicon, "changge")) == ["长葛"]
    assert terms(near_misses(lexicon, "Cháng Gě")) == ["长葛"]


def test_latin_key_folds_tones_spaces_and_case() -> None:
    assert latin_key("Xǔ Chāng") == "xuchang"
    assert latin_key("Lǜ") == "lu"


def test_the_term_itself_is_never_suggested(lexicon: Lexicon) -> None:
    assert "商会" not in terms(near_misses(lexicon, "商会"))


def test_empty_and_junk_terms_give_nothing(lexicon: Lexicon) -> None:
    for term in ("", "   ", "！？", "!!!", "zzzz", "5a级", "a"):
        assert near_misses(lexicon, term) == ()


def test_single_character_gets_no_homophone_flood(lexicon: Lexicon) -> None:
    assert [m for m in near_misses(lexicon, "尚") if m.why == "pinyin"] == []


def test_list_is_short_ranked_and_deterministic() -> None:
    words = {f"商会{ch}": n for n, ch in enumerate("甲乙丙丁戊己庚辛壬癸", start=1)}
    lex = Lexicon.build(words)
    first = near_misses(lex, "商会甲乙")
    assert 0 < len(first) <= MAX_NEAR
    assert first == near_misses(lex, "商会甲乙")
    scores = [m.score for m in first]
    assert scores == sorted(scores, reverse=True)
    assert near_misses(lex, "商会甲乙", limit=2) == first[:2]
    assert near_misses(lex, "商会甲乙", limit=0) == ()


def test_ties_go_to_the_more_frequent_word() -> None:
    lex = Lexicon.build({"商会": 1, "上会": 9})
    assert terms(near_misses(lex, "shanghui")) == ["上会", "商会"]


def test_build_takes_plain_iterables_and_separates_bigrams() -> None:
    lex = Lexicon.build(["商会", "·玉霞", "霞", "  "])
    assert dict(lex.df) == {"商会": 1, "霞": 1}
    assert lex.bigrams == frozenset({"玉霞"})
    assert lex.adjacent("玉", "霞") and not lex.adjacent("霞", "玉")
    assert "霞" in lex.chars["xia"]


def test_without_bigrams_any_characters_may_stand_together() -> None:
    lex = Lexicon.build({"商会": 1})
    assert lex.adjacent("甲", "乙")


def test_large_vocabulary_builds_and_answers() -> None:
    # No timing assert (see DEVELOPERS.md): this only proves a big vocabulary works end to end.
    words = {chr(0x4E00 + i) + chr(0x4E00 + (i * 7) % 20000): 1 for i in range(20_000)}
    words["商会"] = 5
    lex = Lexicon.build(words)
    assert "商会" in terms(near_misses(lex, "商汇"))


def test_abbreviation_keeps_first_and_last_characters_in_order() -> None:
    lexicon = Lexicon.build(["中科院", "中国", "科学", "工商联", "市工商联"])
    assert abbreviation(lexicon, "中国科学院") == "中科院"
    assert abbreviation(lexicon, "中华全国工商业联合会") == ""  # 工商联 does not open with 中
    assert abbreviation(lexicon, "郑州市") == ""
