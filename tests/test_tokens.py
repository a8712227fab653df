"""Index terms for pages and questions (retrieval/tokens.py) and the corpus's own dictionary
(retrieval/dictionary.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.parse.articles import split_articles
from retrieval.parse.pages import read_page
from retrieval.terms.dictionary import derive_terms, organisation_names, quoted_terms
from retrieval.terms.tagging import plain_words
from retrieval.terms.tokens import BIGRAM_MARK, Tokenizer, TokenizerConfig, is_term, to_simplified
from retrieval.terms.wordlists import stopwords

SEED_FILES = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
QUESTION_WORDS = ["什么", "哪些", "多少", "怎么", "如何", "吗", "呢", "请问"]


@pytest.fixture(scope="module")
def tok() -> Tokenizer:
    """The default tokenizer: search mode, bigrams, no HMM."""
    return Tokenizer()


@pytest.fixture(scope="module")
def plain_tok() -> Tokenizer:
    """jieba's precise mode without bigrams."""
    return Tokenizer(config=TokenizerConfig(mode="cut", bigrams=False))


def words(tokens: list[str]) -> list[str]:
    return [t for t in tokens if not t.startswith(BIGRAM_MARK)]


def test_to_simplified_converts_traditional() -> None:
    assert to_simplified("萬人助企 長葛市工商聯") == "万人助企 长葛市工商联"
    assert to_simplified("许昌市工商联") == "许昌市工商联"


def test_tokenize_traditional_equals_simplified(tok: Tokenizer) -> None:
    assert tok.tokenize("萬人助企") == tok.tokenize("万人助企")
    assert tok.tokenize("長葛市工商聯開展萬人助企活動") == tok.tokenize("长葛市工商联开展万人助企活动")


def test_question_terms_traditional_equals_simplified(tok: Tokenizer) -> None:
    assert tok.question_terms("請問萬人助企是什麼？") == tok.question_terms("请问万人助企是什么？")


def test_tokenize_drops_punctuation_and_stopwords(tok: Tokenizer) -> None:
    tokens = tok.tokenize("市工商联的“万人助企”活动，和会员企业……（商会）！《葛商》？")
    assert tokens  # there are content words
    assert all(is_term(t) for t in words(tokens))
    for gone in ["的", "和", "，", "“", "”", "……", "（", "）", "！", "《", "》", "？", " "]:
        assert gone not in tokens
    assert not set(words(tokens)) & stopwords()
    assert {"工商联", "万人助企", "活动", "会员", "商会", "葛商"} <= set(tokens)


def test_tokenize_lower_cases_and_halfwidths_latin(tok: Tokenizer) -> None:
    assert words(tok.tokenize("Chamber ＯＦ Commerce")) == ["chamber", "of", "commerce"]


def test_question_terms_drop_question_words(tok: Tokenizer) -> None:
    question = (
        "请问万人助企是什么？长葛有哪些商会？培训了多少企业家？怎么申请呢？如何参加？莲城智能体发布了吗"
    )
    terms = tok.question_terms(question)
    assert not set(terms) & set(QUESTION_WORDS)
    assert {"万人助企", "长葛", "商会", "企业家", "申请", "参加", "莲城智能体"} <= set(terms)
    assert len(terms) == len(set(terms))  # distinct
    assert not any(t.startswith(BIGRAM_MARK) for t in terms)


@pytest.mark.parametrize(
    ("question", "kept"),
    [
        ("工商联是不是每年都开年会", {"工商联", "每年"}),
        ("长葛每年过年前会不会给企业家办个联欢晚会", {"长葛", "企业家", "联欢晚会"}),
        ("商会可不可以自己办培训", {"商会", "培训"}),
        ("企业能不能申请贷款贴息", {"申请", "贷款"}),
        ("你喜欢不喜欢许昌", {"喜欢", "许昌"}),
    ],
)
def test_question_terms_drop_the_negated_half_of_a_yes_no_question(
    tok: Tokenizer, question: str, kept: set[str]
) -> None:
    terms = tok.question_terms(question)
    assert kept <= set(terms)
    assert not [t for t in terms if "不" in t or "没" in t]


def test_question_terms_keep_an_adverb_apart_from_its_verb(tok: Tokenizer) -> None:
    # jieba alone cuts 一共建了 as 一|共建 (to build jointly), a word the question never said.
    assert "共建" in tok.tokenize("湖北在省外一共建了多少家商会")
    assert "共建" not in tok.question_terms("湖北在省外一共建了多少家商会？")
    assert "建" in tok.question_terms("湖北在省外一共建了多少家商会？")


@pytest.mark.parametrize(
    ("question", "dropped", "kept"),
    [
        # jieba's search mode cuts 多长时间 into 时间 too: no passage must say 时间 to tell how long.
        ("这个会多长时间举办一次？", {"时间", "长时间"}, {"举办"}),
        ("自助体检机是什么时候上线的", {"时候"}, {"自助", "体检", "上线"}),
        # A demonstrative points back at the question's subject; its words are elsewhere.
        ("辉县的早餐会，这种会多久开一回？", {"这种"}, {"辉县", "早餐会"}),
        # A conjunction or an adverb joins or qualifies; 不 negates, and stays.
        ("商会要是拉来的投资真的落了地，最多给多少奖金？", {"要是", "真的", "最多"}, {"投资", "奖金"}),
    ],
)
def test_question_terms_drop_the_parts_of_asking_phrases_and_demonstratives(
    tok: Tokenizer, question: str, dropped: set[str], kept: set[str]
) -> None:
    terms = set(tok.question_terms(question))
    assert not terms & dropped
    assert kept <= terms


def test_question_terms_keep_a_plain_negation(tok: Tokenizer) -> None:
    assert "不" in "".join(tok.question_terms("哪些企业经营不景气"))  # 不景气 is not 景气


def test_question_terms_keep_order_of_appearance(tok: Tokenizer) -> None:
    terms = tok.question_terms("莲城智能体和万人助企是什么")
    assert terms.index("莲城智能体") < terms.index("万人助企")


@pytest.mark.parametrize(
    ("text", "term", "pieces"),
    [
        ("深入开展万人助企活动", "万人助企", {"万人助", "企", "助企"}),
        ("稳步推进莲城智能体标准制定", "莲城智能体", {"莲城", "智能体", "莲"}),
    ],
)
def test_tokenize_keeps_domain_terms_whole(
    tok: Tokenizer, plain_tok: Tokenizer, text: str, term: str, pieces: set[str]
) -> None:
    for t in (tok, plain_tok):
        tokens = t.tokenize(text)
        assert term in tokens
        assert not set(tokens) & pieces


def test_tokenize_search_mode_finds_word_inside_compound(tok: Tokenizer, plain_tok: Tokenizer) -> None:
    assert "商会" in tok.tokenize("商会会长")
    assert "商会会长" in tok.tokenize("商会会长")
    # Precise mode alone hides it: why search mode is the default.
    assert "商会" not in plain_tok.tokenize("商会会长")


def test_tokenize_adds_marked_bigrams_when_configured(tok: Tokenizer, plain_tok: Tokenizer) -> None:
    assert tok.config.bigrams
    tokens = tok.tokenize("长葛商会，万人助企")
    bigrams = [t for t in tokens if t.startswith(BIGRAM_MARK)]
    # Bigrams within each run of CJK characters, never across punctuation.
    assert bigrams == [BIGRAM_MARK + g for g in ["长葛", "葛商", "商会", "万人", "人助", "助企"]]
    assert not any(t.startswith(BIGRAM_MARK) for t in plain_tok.tokenize("长葛商会，万人助企"))


def test_query_adds_bigrams_within_words_only(tok: Tokenizer) -> None:
    query = tok.query("长葛商会")
    bigrams = {t for t in query if t.startswith(BIGRAM_MARK)}
    assert BIGRAM_MARK + "葛商" not in bigrams  # across two words
    assert BIGRAM_MARK + "商会" in bigrams


def test_query_expands_aliases(tok: Tokenizer) -> None:
    query = tok.query("工商联")
    assert "工商联" in query and "总商会" in query and "工商业联合会" in query
    assert query.index("工商联") < query.index("总商会")
    assert "莲城" in tok.query("许昌")
    assert set(tok.alias_of("万人助企")) == {"万人助万企"}
    assert tok.alias_of("莲城智能体") == ()


def test_tokenizer_loads_extra_corpus_terms() -> None:
    assert "银商联通工程" not in Tokenizer().tokenize("实施银商联通工程")
    assert "银商联通工程" in Tokenizer(terms=["银商联通工程"]).tokenize("实施银商联通工程")


def test_quoted_terms_finds_quotes_and_book_titles() -> None:
    text = (
        "深入开展“万人助企”活动，制定《民营企业家培训计划》，"
        "推进“莲城智能体”建设，群众说“现在几分钟就能换证，真方便”。"
    )
    assert quoted_terms(text) == ["万人助企", "莲城智能体", "民营企业家培训计划"]


def test_organisation_names_finds_recurring_chamber_not_measure_word() -> None:
    texts = [
        "市长等市级领导干部与17家商会组织建立了直接工作联系，许昌市洛阳商会积极参与。",
        "全市17家商会参与活动，许昌市洛阳商会把主题党日活动搬到革命遗址。",
        "向7家商会派出了党建指导员。",
    ]
    names = organisation_names(texts)
    assert "许昌市洛阳商会" in names
    assert not [n for n in names if "家商会" in n]
    # A bare name must recur: one mention is no evidence ...
    assert "南阳商会" not in organisation_names(["据悉，南阳商会成立。", *texts])
    # ... but a name printed with its full place is one at first mention.
    assert "许昌市南阳商会" in organisation_names(["许昌市南阳商会成立。", *texts])


def test_organisation_names_reads_the_suffix_across_a_jieba_word_boundary() -> None:
    # jieba's general dictionary cuts 房地产商/会 (real-estate dealer / will): the name's text ends in 商会.
    assert plain_words("许昌市房地产商会参加主题党日活动。")[:3] == ["许昌市", "房地产商", "会"]
    assert organisation_names(["许昌市青年创业促进会、许昌市房地产商会参加主题党日活动。"]) == [
        "许昌市房地产商会",
        "许昌市青年创业促进会",
    ]
    recurring = ["房地产商会组织会员企业开展安全检查。", "据悉，房地产商会近日召开理事会。"]
    assert organisation_names(recurring) == ["房地产商会"]
    # The last word must still lie inside the suffix: 门店/布局 names no 局.
    assert plain_words("优化门店布局。")[1:3] == ["门店", "布局"]
    assert organisation_names(["优化门店布局。", "优化门店布局。"]) == []


def test_organisation_names_keeps_two_trades_joined_by_a_conjunction() -> None:
    texts = [
        "许昌市消费品批发和零售业商会等商会主动承接政府职能转移。",
        "许昌市消费品批发与零售业商会积极协调防疫物资。",
    ]
    assert organisation_names(texts) == ["许昌市消费品批发与零售业商会", "许昌市消费品批发和零售业商会"]
    # Without the place the name recurs only when 和 and 与 count as one spelling; the tail is no name.
    bare = ["据悉，消费品批发和零售业商会召开会员大会。", "消费品批发与零售业商会组织培训。"]
    assert organisation_names(bare) == ["消费品批发与零售业商会", "消费品批发和零售业商会"]


@pytest.mark.parametrize(
    "text",
    [
        "市工商联促进所属商会组织改革发展。",  # a verb phrase before the name
        "市级领导干部与17家商会建立联系，领导干部与十七家商会座谈。",  # a preposition and a count
        "建成全省县级首家商会基地。",  # a count inside
        "推动企业和商会共同发展。",  # a conjunction joining a word and the bare suffix
        "长葛市实行商会组织合署办公。",  # a verb after the place
        "市工商联所属商会已站在新时代的起点。",  # one organisation related to another
    ],
    ids=[
        "verb-phrase",
        "preposition-and-count",
        "count-inside",
        "conjunction-and-suffix",
        "place-verb",
        "relation",
    ],
)
def test_organisation_names_keeps_phrases_out(text: str) -> None:
    names = organisation_names([text, text])  # recurring, so only the name rule can keep them out
    assert not [n for n in names if n not in ("工商联", "市工商联")], names


def test_organisation_names_on_the_seed_pages() -> None:
    paragraphs = [
        p.text for path in SEED_FILES for a in split_articles(read_page(path)).articles for p in a.paragraphs
    ]
    names = organisation_names(paragraphs)
    assert {"许昌市房地产商会", "许昌市消费品批发和零售业商会", "许昌市消费品批发与零售业商会"} <= set(names)
    assert {"许昌市工商联", "许昌市洛阳商会", "许昌市青年创业促进会", "长葛市工商联"} <= set(names)
    assert not {"零售业商会", "所属商会", "工商联所属商会", "促进所属商会"} & set(names)
    assert not [n for n in names if "家商会" in n]


def test_derived_names_keep_whole_in_the_tokenizer() -> None:
    texts = ["许昌市房地产商会参加主题党日活动。", "许昌市消费品批发和零售业商会主动承接政府职能转移。"]
    tokenizer = Tokenizer(terms=derive_terms(texts), config=TokenizerConfig(mode="cut", bigrams=False))
    assert "许昌市房地产商会" in tokenizer.tokenize(texts[0])
    assert "许昌市消费品批发和零售业商会" in tokenizer.tokenize(texts[1])


def test_derive_terms_collects_quoted_titles_and_organisations() -> None:
    texts = [
        "市工商联与建设银行联手打造“智慧工商联”平台，实施“银商联通工程”，17家商会参加。",
        "许昌市青年创业促进会开办青创大讲堂，编印了《商会党建工作手册》。",
        "许昌市青年创业促进会等17家商会上榜。",
    ]
    terms = derive_terms(texts)
    assert {"智慧工商联", "银商联通工程", "商会党建工作手册", "许昌市青年创业促进会"} <= set(terms)
    assert "家商会" not in terms and "17家商会" not in terms
    assert terms == sorted(set(terms))


def test_question_terms_keep_what_an_asking_phrase_asks_about() -> None:
    tokenizer = Tokenizer()
    assert "地方" in tokenizer.question_terms("长葛市工商联考察去过哪些地方")
    assert not any(t.startswith(("哪", "几")) for t in tokenizer.question_terms("哪几个标准在征求意见"))
    assert tokenizer.question_terms("有几家商会？") == ["商会"]  # 家 is the unit asked for, not a topic
