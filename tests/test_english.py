"""Reading English questions into Chinese search terms: glossary, pinyin names, CC-CEDICT, amounts."""

from __future__ import annotations

import pytest

from retrieval import Archive
from retrieval.ask.english import EnglishReader, Reading
from retrieval.ask.english_words import glossary, parse_glossary
from retrieval.ask.near_miss import Lexicon

# A small archive vocabulary: words with document frequencies, and bigrams marked `·` as the index
# keeps them (they prove which characters stand side by side).
VOCABULARY = {
    "工商联": 60,
    "商会": 80,
    "总商会": 20,
    "党建": 30,
    "四好": 3,
    "万人助企": 10,
    "民营经济": 12,
    "营商环境": 2,
    "脱贫攻坚": 3,
    "统战": 5,
    "长葛": 20,
    "长葛市": 15,
    "许昌": 50,
    "许昌市": 30,
    "禹州": 4,
    "魏都区": 4,
    "刘志刚": 2,
    "黄玉": 1,
    "霞": 1,
    "·黄玉": 1,
    "·玉霞": 1,
    "寇": 1,
    "玉": 1,
    "平": 3,
    "·寇玉": 1,
    "·玉平": 1,
    "体检": 3,
    "业务": 5,
    "·检业": 1,
    "培训": 25,
    "训练": 1,
    "贷款": 6,
    "企业": 70,
    "捐赠": 4,
    "2020": 10,
}


@pytest.fixture(scope="module")
def reader() -> EnglishReader:
    # CC-CEDICT is reversed once per process (module cache), so later readers cost only their vocabulary.
    return EnglishReader(VOCABULARY, preload=False)


@pytest.mark.parametrize(
    ("question", "terms"),
    [
        ("federation of industry and commerce", ("工商联",)),
        ("the General Chamber of Commerce", ("总商会",)),
        ("Party building", ("党建",)),
        ("'Four Good' chambers", ("四好", "商会")),
        ("Ten Thousand People Help Ten Thousand Enterprises", ("万人助企",)),
        ("private economy", ("民营经济",)),
        ("business environment", ("营商环境",)),
        ("poverty alleviation", ("脱贫攻坚",)),
        ("united front", ("统战",)),
        ("position", ("职务",)),  # a person's, not a 阵地
        ("the first half of the year", ("上半年",)),  # not 上半 年度
        ("first quarter", ("一季度",)),
    ],
)
def test_glossary_set_phrases(reader: EnglishReader, question: str, terms: tuple[str, ...]) -> None:
    reading = reader.read(question)
    assert reading.terms == terms
    assert reading.parts[0].source == "glossary"


def test_longest_glossary_phrase_wins(reader: EnglishReader) -> None:
    reading = reader.read("general chamber of commerce")
    assert reading.terms == ("总商会",)
    assert reading.parts[0].english == "general chamber of commerce"


def test_glossary_ignores_case_and_plurals(reader: EnglishReader) -> None:
    assert reader.read("FEDERATIONS OF INDUSTRY AND COMMERCE").terms == ("工商联",)
    assert reader.read("chambers of commerce").terms == ("商会",)
    assert reader.read("Party-building").terms == ("党建",)


def test_dictionary_reads_inflected_words(reader: EnglishReader) -> None:
    assert reader.read("trainings").terms == ("培训",)
    assert reader.read("loans").terms == ("贷款",)


@pytest.mark.parametrize(("uses", "chosen", "other"), [(5, "企业", "公司"), (200, "公司", "企业")])
def test_dictionary_prefers_the_word_the_archive_uses(uses: int, chosen: str, other: str) -> None:
    # CC-CEDICT gives 公司 and 企业 (among others) for "company": the archive's more usual word is searched.
    part = EnglishReader({**VOCABULARY, "公司": uses}, preload=False).read("company").parts[0]
    assert part.terms == (chosen,) and part.source == "dictionary"
    assert other in part.alternatives


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("Huang Yuxia", "黄玉霞"),  # the segmenter left it as 黄玉 + 霞: rebuilt, bigram 玉霞 proves it
        ("Kou Yuping", "寇玉平"),  # three single characters, both joints attested
        ("Liu Zhigang", "刘志刚"),
        ("Changge", "长葛"),  # 长 read chang, not pypinyin's default zhang
        ("Changge City", "长葛市"),
        ("Xuchang", "许昌"),
        ("Yuzhou", "禹州"),
        ("Weidu District", "魏都区"),
        ("changge", "长葛"),  # pinyin typed in lower case
    ],
)
def test_pinyin_names(reader: EnglishReader, question: str, term: str) -> None:
    reading = reader.read(f"What did {question} do?")
    assert term in reading.terms
    assert next(p for p in reading.parts if term in p.terms).source == "name"


def test_possessive_name(reader: EnglishReader) -> None:
    assert reader.read("Changge's chambers").terms == ("长葛", "商会")


def test_name_must_be_a_word_of_the_archive() -> None:
    reading = EnglishReader({"商会": 3}, preload=False).read("Huang Yuxia")
    assert reading.terms == ()
    assert "Yuxia" in reading.unread


def test_split_name_needs_bigram_proof() -> None:
    # 黄玉 and 霞 are both words, but nothing says 霞 follows 黄玉 anywhere in this archive.
    reading = EnglishReader({"黄玉": 1, "霞": 1, "·商会": 1}, preload=False).read("Huang Yuxia")
    assert "黄玉霞" not in reading.terms


def test_two_characters_side_by_side_by_chance_are_no_name(reader: EnglishReader) -> None:
    # 体检|业务 holds the bigram 检业, but no word of the archive does: "Jianye" is not 检业.
    assert "检业" not in reader.read("Jianye").terms


def test_unread_words_are_reported(reader: EnglishReader) -> None:
    reading = reader.read("What did the zorblax committee decide about Changge?")
    assert "zorblax" in reading.unread
    assert "长葛" in reading.terms


def test_words_the_archive_lacks_are_absent_not_searched(reader: EnglishReader) -> None:
    reading = reader.read("What was Zhengzhou's football score?")
    assert reading.terms == ()
    assert {"Zhengzhou", "football"} <= set(reading.unread)
    assert "郑州" in reading.absent and "足球" in reading.absent
    # Asked of the archive, they count against a passage the way they would in a Chinese question.
    assert "郑州" in reading.as_question()


@pytest.mark.parametrize(
    ("question", "amount"),
    [
        ("How many chambers are there in Changge?", True),
        ("how much money was donated?", True),
        ("What is the number of chambers?", True),
        ("Which chambers joined?", False),
        ("How did Changge help enterprises?", False),
    ],
)
def test_asks_amount(reader: EnglishReader, question: str, amount: bool) -> None:
    assert reader.read(question).asks_amount is amount


def test_amount_question_asks_for_a_number_in_chinese(reader: EnglishReader) -> None:
    reading = reader.read("How many chambers are there in Changge?")
    assert reading.as_question() == "商会 长葛 多少"
    assert "many" not in reading.unread


def test_stopwords_and_question_words_are_dropped(reader: EnglishReader) -> None:
    reading = reader.read("What is the name of it, and who were they?")
    assert reading.terms == () and reading.unread == ()


def test_searched_for_line(reader: EnglishReader) -> None:
    reading = reader.read("How many trainings did the Changge federation hold?")
    assert reading.searched_for() == "培训 长葛 工商联"


def test_verbs_are_weak_and_not_searched(reader: EnglishReader) -> None:
    reading = reader.read("How much did enterprises donate?")
    assert "捐赠" in reading.terms and reading.weak == ("捐赠",)
    assert "捐赠" not in reading.as_question()


def test_numbers(reader: EnglishReader) -> None:
    reading = reader.read("What happened in 2020 and in 1999?")
    assert reading.terms == ("2020",)
    assert reading.unread == ("1999",)


def test_chinese_inside_an_english_question_is_kept(reader: EnglishReader) -> None:
    assert "万人助企" in reader.read("What is 万人助企 about?").terms


@pytest.mark.parametrize("question", ["", "   ", "?!?! ... --- ,,, ‘’“”", "\n\t"])
def test_empty_and_punctuation_only(reader: EnglishReader, question: str) -> None:
    assert reader.read(question) == Reading((), (), asks_amount=False)
    assert reader.read(question).as_question() == ""


def test_very_long_question_is_read_only_up_to_the_archive_limit(seed_archive: Archive) -> None:
    limit = seed_archive.settings.max_question_chars
    head = ("Changge chambers of commerce trainings " * 100)[:limit]
    answer = seed_archive.ask(head + " Huang Yuxia" * 2000)
    assert "长葛" in answer.searched_for
    # One limit for every question, English too: nothing past it is read.
    assert "黄玉霞" not in answer.searched_for and len(answer.question) == limit


def test_reader_takes_plain_words_or_a_built_lexicon() -> None:
    words = ["商会", "长葛"]
    assert EnglishReader(words, preload=False).read("Changge chambers").terms == ("长葛", "商会")
    lexicon = Lexicon.build(words)
    assert EnglishReader(lexicon, preload=False).lexicon is lexicon


def test_shipped_glossary_is_well_formed() -> None:
    phrases = {p for group in glossary().values() for p in group}
    assert len(phrases) > 100
    assert all(p.chinese and all(t.strip() for t in p.chinese) for p in phrases)


def test_malformed_glossary_line_is_named() -> None:
    with pytest.raises(ValueError, match="line 2"):
        parse_glossary("# comment\nchamber of commerce 商会\n")


def test_seed_archive_names(seed_archive: Archive) -> None:
    bm25 = seed_archive.index.bm25
    reader = EnglishReader({t: bm25.doc_freq(t) for t in bm25.vocab}, preload=False)
    reading = reader.read("What did Huang Yuxia and Kou Yuping say about the Changge federation?")
    assert {"黄玉霞", "寇玉平", "长葛", "工商联"} <= set(reading.terms)
