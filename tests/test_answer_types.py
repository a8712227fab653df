"""Typed answers: a question asking "which year", "how much money" ... wants a sentence that states one."""

from __future__ import annotations

import pytest

from replies.json_contract import answer_json
from replies.text import answer_text
from retrieval import Archive, Chunk
from retrieval.ask.amounts import amount_asked
from retrieval.ask.answer import stating_first
from retrieval.ask.answer_types import answer_asked, asked_heads
from retrieval.ask.coverage import Concept
from retrieval.ask.people import people_beside, qualified_people
from retrieval.ask.which import Which
from retrieval.terms.tokens import prepare


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("许昌市青年创业促进会是哪一年成立的", "year"),
        ("胖东来晚上几点关门", "time"),
        ("市民之家的自助体检机是哪天上线的", "date"),
        ("长葛“葛商学院”什么时候开班", "date"),
        ("顶墙装饰材料博览会是几月份办的", "month"),
        ("驾照换证体检现在要多久", "duration"),
        ("参加培训要交多少钱", "money"),
        ("长葛市工商联举办了哪些培训", None),
        ("许昌市工商联一共有多少家所属商会", "count"),
        ("许昌市南阳商会会长叫什么", "person"),
        ("禹州市烟草专卖局局长是谁", "person"),
        ("这家公司叫什么", None),  # "what is it called" about no person's title
        ("昌南公司去年营业收入有多少", "money"),
        ("复工复产复市率达到了多少", "rate"),
        ("“葛商学院”是由哪几家单位组织开展的", None),  # which ones, not how many
        ("以前换驾照得跑好几个地方吗", None),  # 好几个 is "several", not a question
    ],
)
def test_the_kind_of_answer_asked(question: str, kind: str | None) -> None:
    known = "促进会 成立 关门 体检机 上线 开班 体检 培训 商会 会长 局长 公司 昌南公司 复市 单位 地方 博览会"
    words = [(w, ()) for w in known.split()]
    asked = answer_asked(prepare(question), [(w, f) for w, f in words if w in question], 1.0)
    assert (asked.kind if asked else None) == kind


def test_the_focus_is_the_word_next_to_the_asking_phrase() -> None:
    words = [("许昌市青年创业促进会", ()), ("成立", ("创立",))]
    asked = answer_asked("许昌市青年创业促进会是哪一年成立的", words, 1.0)
    assert asked is not None and asked.focus == ("成立", "创立")
    before = answer_asked("参加培训要交多少钱", [("参加", ()), ("培训", ())], 1.0)
    assert before is not None and before.focus == ("培训",)


def test_the_answer_must_stand_in_the_same_sentence_as_the_focus() -> None:
    asked = answer_asked("促进会是哪一年成立的", [("促进会", ()), ("成立", ())], 1.0)
    assert asked is not None and asked.focus == ("成立",)
    assert asked.match("许昌市青年创业促进会成立于2015年，现有会员200多家。") == 1.0
    assert asked.match("促进会创立于2015年。") == 0.0  # not the focus word (and no alias given)
    assert asked.match("促进会成立以来发展迅速。2015年举办了首届论坛。") == 0.0  # year in another sentence


def test_money_is_a_sum_not_any_number() -> None:
    asked = answer_asked("参加培训要交多少钱", [("培训", ())], 1.0)
    assert asked is not None
    assert asked.match("每期培训收费800元。") == 1.0
    assert asked.match("培训融资5亿多元。") == 1.0
    assert asked.match("共培训2000多人。") == 0.0
    assert asked.match("培训捐款300多万，用于助学。") == 1.0  # a sum without 元
    assert asked.match("培训期间送出300多万单生活用品。") == 0.0  # counts orders, not money
    assert asked.match("培训覆盖5万户。") == 0.0


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


def test_money_of_a_named_kind_must_name_it() -> None:
    asked = answer_asked("昌南公司去年营业收入有多少", [("昌南公司", ()), ("去年", ())], 1.0)
    assert asked is not None and asked.focus == ("收入",)
    invested = answer_asked("项目总投资是多少钱", [("项目", ()), ("总投资", ())], 1.0)
    assert invested is not None and invested.focus == ("投资", "总投资")
    assert asked.match("昌南公司全年营业收入3亿元。") == 1.0
    assert asked.match("完成了昌南公司500万元贷款调贷任务。") == 0.0  # a sum, but not of income


def test_a_person_is_named_beside_the_title_asked_about() -> None:
    asked = answer_asked("商会的会长叫什么", [("会长", ())], 1.0)
    assert asked is not None and asked.kind == "person" and asked.focus == ("会长",)
    assert asked.match("许昌市南阳商会会长黄玉霞介绍了情况。") == 1.0
    assert asked.match("王维超任会长以来，商会发展很快。") == 1.0  # the name just before the title
    assert asked.match("协会秘书长、会长黄玉霞说。") == 1.0
    assert asked.match("该商会副会长单位积极捐款。") == 0.0  # 副会长 is another title, and no one is named
    assert asked.match("商会会长单位很多，记者魏东雅报道。") == 0.0  # a name, but of someone else
    assert asked.match("商会召开会长会议。刘志刚参加。") == 0.0  # the name is in another sentence


@pytest.mark.parametrize(
    ("sentence", "title", "name"),
    [
        ("北仑区模具行业协会会长郑永安带来了会员企业的共性问题。", "会长", "郑永安"),  # 郑|永安: places
        ("市工商联副主席钟国华介绍，链主出题、商会答题。", "副主席", "钟国华"),
        ("商会秘书长施清泉说，下一步将建设线上设计素材库。", "秘书长", "施清泉"),
        ("公司董事长赵景山当选市总商会会长，周佩兰等11人当选副会长。", "会长", "赵景山"),  # 当选 … 会长
        ("首届联盟轮值主席由商丘市总商会会长覃永平担任。", "主席", "覃永平"),
    ],
)
def test_names_read_as_words_are_found_beside_their_titles(sentence: str, title: str, name: str) -> None:
    found = [sentence[a:b] for a, b in people_beside(sentence, (title,))]
    assert found[:1] == [name]


def test_what_an_asking_phrase_is_about_on_other_pages() -> None:
    words = [(w, ()) for w in ("顺德", "应急", "转贷", "资金池", "一次", "借")]
    money = answer_asked("顺德的应急转贷资金池一次最多能借多少钱", words, 1.0)
    assert money is not None and "资金池" in money.focus  # the thing before, beside the bare verb 借
    assert money.match("设立应急转贷资金池，为会员企业提供过桥资金，单笔最高500万元。") == 1.0
    words = [(w, ()) for w in ("数智夜校", "开始", "上课")]
    date = answer_asked("数智夜校是从什么时候开始上课的", words, 1.0)
    assert date is not None and date.match("数智夜校从今年3月开课，每周二、周四晚上上课。") == 1.0
    words = [(w, ()) for w in ("开", "饭店", "办齐", "手续")]
    duration = answer_asked("开一家饭店，办齐手续大概要几天", words, 1.0)
    assert duration is not None and duration.match("开饭店办齐手续，平均办理时间压缩到5个工作日以内。") == 1.0


def test_a_count_is_in_the_unit_asked_or_one_like_it() -> None:
    def count(question: str) -> object:
        asked = answer_asked(question, [("商会", ()), ("案件", ())], 1.0)
        assert asked is not None and asked.kind == "count"
        return asked

    families = count("有多少家商会")
    assert families.match("全市共有15家商会。") == 1.0  # type: ignore[attr-defined]
    assert families.match("商会每年走访两次。") == 0.0  # type: ignore[attr-defined]  # a count of times
    assert families.match("它是一家商会。") == 0.0  # type: ignore[attr-defined]  # 一家: "a", not a count
    cases = count("商会处理了多少件案件")
    assert cases.match("商会帮助解决涉法案件50余起。") == 1.0  # type: ignore[attr-defined]  # 件 ~ 起
    anything = count("商会有几个")
    assert anything.match("商会组建两个工作专班。") == 1.0  # type: ignore[attr-defined]


def test_a_question_in_two_parts_is_answered_by_either() -> None:
    words = [("杂志", ()), ("名字", ()), ("刊发", ())]
    asked = answer_asked("长葛市工商联的杂志叫什么名字？刊发了几期？", words, 1.0)
    assert asked is not None and [p.kind for p in asked.parts] == ["count"]  # 名字 is no person's title
    both = answer_asked("商会哪一年成立的？有多少家会员？", [("成立", ()), ("会员", ())], 1.0)
    assert both is not None and [p.kind for p in both.parts] == ["year", "count"]
    assert both.match("商会现有会员200多家。") == 1.0
    assert both.match("商会成立于2015年。") == 1.0
    assert both.match("商会发展很快。") == 0.0


def test_a_near_miss_says_what_it_lacks(seed_archive: Archive) -> None:
    refused = seed_archive.ask("许昌市企业家协会的会长是谁？")  # the archive names its 秘书长, never a 会长
    assert not refused.answered and (refused.unstated_kind, refused.unstated_about) == ("person", "会长")
    assert "档案里有提到「会长」的原文，但没有一篇写明所问的姓名。" in answer_text(refused)
    assert answer_json(refused)["unstated"] == {"kind": "person", "about": "会长"}
    named = seed_archive.ask("許昌市企業家協會秘書長是誰？")
    assert named.answered and "黄玉霞" in named.hits[0].chunk.text


def test_a_year_the_archive_does_not_cover_is_refused(seed_archive: Archive) -> None:
    assert seed_archive.ask("2019—2020年度全国“四好”商会，许昌有几家入选？").answered
    refused = seed_archive.ask("2021—2022年度全国“四好”商会，许昌有几家入选？")
    assert not refused.answered and "years 2021/2022" in refused.reason
    assert not refused.unstated_kind  # what it lacks is the year, not the count


def test_the_focus_stays_in_the_asking_phrases_clause() -> None:
    words = [("照相馆", ()), ("时间", ())]
    # The clause asking how long holds no word of its own: nothing to check, rather than the 照相馆.
    assert answer_asked("还得再去照相馆吗？大概要多长时间能弄完？", words, 1.0) is None
    loan = answer_asked("公司的贷款卡住之后最后拿到了多少钱", [("贷款", ()), ("最后", ())], 1.0)
    assert loan is not None and loan.focus == ("贷款",)  # 最后 is a time adverb, not what is asked


def test_a_clause_of_the_asking_phrase_and_a_bare_verb_goes_on_the_one_before() -> None:
    words = [("夜校", ()), ("一周", ()), ("课", ())]
    asked = answer_asked("夜校一周上几次课，什么时间上？", words, 1.0)
    assert asked is not None and [p.kind for p in asked.parts] == ["count", "date"]
    assert asked.match("每周二、周四晚上上课，课程由商会征集") == 1.0  # the when part is answered
    venue = answer_asked("研讨会哪天开？在哪开？", [("研讨会", ())], 1.0)
    assert venue is not None and [p.kind for p in venue.parts] == ["date", "place"]


def test_passages_stating_the_answer_asked_for_come_first(seed_archive: Archive) -> None:
    # BM25 ranks a passage about the kiosk's help desk first; the one saying when it opened is the answer.
    dated = seed_archive.ask("市民之家的自助体检机是哪天上线的？")
    assert dated.answered and "9月1日" in dated.hits[0].answer_sentence
    # The evidence sentence is the one stating the answer, not only the one sharing most words.
    named = seed_archive.ask("禹州市烟草专卖局局长是谁")
    assert "王维超" in named.hits[0].answer_sentence


def test_several_is_not_how_many() -> None:
    # 好几个 ("several") and 哪几个 ("which") ask for no amount; 几个 and 多少 do.
    assert amount_asked("以前换驾照得跑好几个地方吗", 1.0) is None
    assert amount_asked("是哪几个单位主办的", 1.0) is None
    assert amount_asked("一共有几个", 1.0) is not None


def test_only_a_near_equal_passage_stating_the_answer_moves_up() -> None:
    asked = answer_asked("促进会是哪一年成立的", [("促进会", ()), ("成立", ())], 1.0)
    assert asked is not None
    words = [Concept("促进会", 1.0, ()), Concept("成立", 1.0, ()), asked]

    def passage(n: int, text: str) -> Chunk:
        return Chunk(n, f"a#{n}", "", None, 1, "p.txt", text)

    ranked = [
        (passage(0, "促进会成立以来发展很快。"), 10.0),
        (passage(1, "促进会成立于2015年。"), 8.0),  # states it, but far below the best score
        (passage(2, "促进会于2016年成立。"), 9.5),  # states it, near the best: first
    ]
    texts = [prepare(c.text) for c, _ in ranked]
    order = stating_first(ranked, texts, asked, words, 0.5)
    assert order is not None and [c.id for c, _ in order] == [2, 0, 1]
    assert stating_first(ranked[:1], texts[:1], asked, words, 0.5) is None  # none states a year


def test_a_repeated_ask_is_checked_once_and_asks_are_capped() -> None:
    words = [("会长", ()), ("局长", ()), ("书记", ()), ("主任", ()), ("经理", ())]
    repeated = answer_asked("会长是谁？" * 100, words, 1.0)
    assert repeated is not None and len(repeated.parts) == 1
    many = answer_asked("会长是谁？局长是谁？书记是谁？主任是谁？经理是谁？", words, 1.0)
    assert many is not None and [p.focus[0] for p in many.parts] == ["会长", "局长", "书记", "主任"]


def test_which_asks_about_the_word_right_after_it() -> None:
    words = ["长葛市工商联", "举办", "培训", "活动", "部门"]
    assert asked_heads("长葛市工商联举办了哪些培训", words) == {"培训"}
    assert asked_heads("举办过什么活动，由哪个部门牵头", words) == {"活动", "部门"}
    assert asked_heads("长葛市工商联举办培训了吗", words) == frozenset()  # no which/what: nothing asked about
    assert asked_heads("哪些单位举办培训", words) == frozenset()  # 培训 is not the word after 哪些


def test_a_sentence_may_name_the_organisation_asked_only_by_pointing_back() -> None:
    assert Which("organisation", "会议").points_back("相关标准也将在此次会议上发布。")
    assert Which("organisation", "公司").points_back("该公司负责人表示。")
    assert not Which("organisation", "会议").points_back("研讨会将于下月召开。")
    assert not Which("document").points_back("该文件已印发。")


def test_a_count_of_companies_is_no_company_name() -> None:
    which = Which("organisation", "企业")
    sentence = "先后组织11次商会和企业捐款捐物，共计136家企业、商会捐款捐物1370多万元。"
    assert which.find(sentence, "其中捐得最多的是哪家企业？") is None


def test_a_title_of_a_body_named_in_the_question_is_held_in_that_bodys_passage() -> None:
    words = [("信阳市茶商会", ()), ("秘书长", ())]
    asked = answer_asked("信阳市茶商会的秘书长是谁？", words, 1.0)
    assert asked is not None and asked.parts[0].owner[0] == "信阳市茶商会"
    other = "市工商联副主席魏长河兼任秘书长。"  # in an article about 洛阳市总商会: another body's
    assert asked.match(other, "洛阳市总商会完成换届 " + other) == 0.0
    own = "商会秘书长李明介绍了情况。"
    assert asked.match(own, "信阳茶商会“走出去”拓市场 " + own) == 1.0  # named in the headline, in other words


@pytest.mark.parametrize(
    ("sentence", "name"),
    [("商会会长元建军介绍，下半年还计划增设联络处。", "元建军"), ("商会会长们纷纷表示支持。", None)],
)
def test_who_speaks_after_a_title_is_its_holder(sentence: str, name: str | None) -> None:
    # jieba tags the rare surname 元 a numeral (元|建军): the verb of saying tells it is a name.
    found = [sentence[a:b] for a, b in people_beside(sentence, ["会长"])]
    assert found == ([name] if name else [])


def test_a_title_qualified_otherwise_names_no_one() -> None:
    of_the_branch = qualified_people("党支部")
    assert of_the_branch("市工商联党组书记寇玉平到商会参加主题党日活动。", ["书记"]) == []
    assert of_the_branch("协会党支部书记李明介绍了情况。", ["书记"]) != []
    assert qualified_people("许昌市企业家协会")("协会会长张华主持会议。", ["会长"]) != []  # 协会 ends it


@pytest.mark.parametrize(
    ("question", "words", "sentence", "span"),
    [
        ("值班会长每年走访企业几次？", [("走访", ())], "值班会长每年至少两次走访会员企业。", "至少两次"),
        ("店里卖多少种烟？", [("烟", ())], "店里的烟品有50种左右。", "50种左右"),
        ("复工率达到多少？", [("复工率", ())], "会员企业复工率达到80%以上。", "80%以上"),
        ("捐了多少钱？", [("捐", ())], "商会共捐款近20万元。", "近20万元"),
    ],
)
def test_an_amount_keeps_the_words_that_qualify_it(
    question: str, words: list[tuple[str, tuple[str, ...]]], sentence: str, span: str
) -> None:
    # 至少两次 is not 两次: the qualifier before or after an amount is part of the answer.
    asked = answer_asked(question, words, 1.0)
    assert asked is not None
    found = [sentence[a:b] for part in asked.parts for a, b, *_ in part.states(sentence)]
    assert span in found, found


def test_a_month_asked_is_not_answered_by_a_year_alone() -> None:
    asked = answer_asked("博览会是几月份办的？", [("博览会", ())], 1.0)
    assert asked is not None and asked.kind == "month"
    assert asked.match("2019年，长葛举办了博览会。") == 0.0
    assert asked.match("2019年12月，长葛举办了博览会。") == 1.0
