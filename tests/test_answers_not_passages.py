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
        ("9月2日魏都区委统战部、区工商联走访调研了哪家公司", "河南大桂实业有限公司"),  # after 到, a coverb
        ("今年哪个产业集聚区获批了省级高新区？", "禹州市产业集聚区"),  # a head noun of several words
        (
            "鄭文青是哪家公司的總經理？",
            "河南瑞贝卡发制品股份有限公司",
        ),  # of two companies, the one beside 总经理
        ("市政数局是什么单位的简称", "市政务服务和大数据管理局"),  # （以下简称市政数局）
        ("“昌南公司”全称叫什么？", "许继昌南通信设备有限公司"),
        ("许昌市洛阳商会跟兄弟商会签了什么协议吗", "战略合作协议"),  # 签订 … 协议
        ("许昌即将召开的城市标准化高端研讨会是全国第几届？", "第四届"),
        ("禹州市烟草专卖局局长叫啥", "王维超"),
        ("黄玉霞还有什么职务？", "秘书长、党组织负责人"),  # the titles printed before her name
        ("宋召强是什么职务？", "政务服务管理科科长"),  # up to the organisation's name (市政数局)
        ("Which bank had delayed the second loan of the Changnan company?", "中国银行许昌分行"),
        ("What magazine does the Changge federation publish for local entrepreneurs?", "《葛商》"),
        ("许昌市青年创业促进会哪位常务副会长获评第一届河南省民营经济“出彩河南人”十大年度人物？", "郑文青"),
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
    assert short.rank == 1  # the passage stating the answer comes first, whatever came first by score
    first = answer_text(answer).splitlines()[0]
    assert first in (f"答：{span}", f"Answer: {span}")
    assert answer_json(answer)["short_answer"] == {"text": span, "rank": short.rank, "kind": short.kind}


@pytest.mark.parametrize(
    "question",
    [
        "长葛市工商联为什么要开展拍砖活动？",  # open
        "昌南公司第一笔贷款还了以后为什么银行一直没放款？",  # 为什么 is no 什么银行
        "哪些企业在组建省级产业技术创新中心呢",  # a list, not one name
        "许昌市胖子商贸有限公司的董事长叫什么名字？",  # the 董事长 printed is another company's
        "刘志刚夫妇那家烟草小店叫什么名字？",  # the shop's name, not a person's
        "许昌市青年创业促进会的会长是谁？",  # only its 副会长 and 常务副会长 are printed
        "Which chambers did Kou Yuping visit for Party activities?",  # a list
        "许昌市工商联一共有多少家所属商会？",  # its 8家 counts 党组织, not 商会
        "疫情期间胖子商贸公司一共捐了多少钱物",  # 300多万单 counts orders, not money
    ],
)
def test_no_short_answer_where_the_evidence_does_not_give_one(seed_archive: Archive, question: str) -> None:
    answer = seed_archive.ask(question)
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
    "pasted",
    [
        " https://www.xcrb.com/2021/0903/a.html",
        "（原文见 www.xcrb.com/a?b=1）",
        " <b>",
        " 来信 editor@xcrb.com",
    ],
)
def test_a_pasted_link_or_tag_changes_neither_the_answer_nor_its_language(
    seed_archive: Archive, pasted: str
) -> None:
    """Journalists paste the page's link: it is no word to match (it used to make questions refused) and
    no English (it used to switch the chrome)."""
    question = "许昌市企业家协会的秘书长是谁？"
    plain, with_link = seed_archive.ask(question), seed_archive.ask(question + pasted)
    assert with_link.answered and with_link.short_answer is not None
    assert with_link.short_answer.text == plain.short_answer.text == "黄玉霞"
    assert [h.chunk.id for h in with_link.hits] == [h.chunk.id for h in plain.hits]
    assert not with_link.searched_for and answer_text(with_link).startswith("答：黄玉霞")


def test_an_english_question_with_a_link_is_still_read_as_english(seed_archive: Archive) -> None:
    answer = seed_archive.ask("How many Xuchang chambers made the national Four Good list? https://x.org/a")
    assert answer.searched_for and answer.short_answer is not None and answer.short_answer.text == "5家"
    assert answer_text(answer).startswith("Answer: 5家")


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


def test_a_bare_question_that_moved_on_is_not_bent_by_the_subject(seed_archive: Archive) -> None:
    before = seed_archive.ask("许昌市企业家协会的秘书长是谁？").conversation
    moved = seed_archive.ask("驾驶员自助体检要多长时间？", conversation=before)
    assert moved.searched_as == "" and moved.short_answer and moved.short_answer.text == "仅需5分钟"
    bare = seed_archive.ask(
        "有多少名党员？", conversation=seed_archive.ask("长葛市工商联党支部是哪年成立的？").conversation
    )
    assert bare.searched_as.endswith("有多少名党员？") and "长葛" in bare.searched_as


@pytest.mark.parametrize(
    ("first", "bare", "lead", "span"),
    [
        # No name in the first question: its words before the ask are what the bare one goes on about.
        ("“10·17”扶贫日活动中有多少家商会参与爱心活动？", "捐了多少？", "扶贫日活动中", "近20万元"),
        # A name and more: 长葛市工商联 alone finds no passage on the firms in the flood relief.
        (
            "長葛市工商聯在今年防汛救災期間組織了幾次捐款捐物？",
            "共有多少家企業參與？",
            "防汛救灾期间",
            "136家",
        ),
    ],
)
def test_a_bare_question_goes_on_about_what_the_previous_one_asked_about(
    seed_archive: Archive, first: str, bare: str, lead: str, span: str
) -> None:
    answer = seed_archive.ask(bare, conversation=seed_archive.ask(first).conversation)
    assert lead in answer.searched_as and answer.searched_as.endswith(bare)
    assert answer.answered and span in answer.hits[0].chunk.text


@pytest.mark.parametrize(
    ("question", "kind", "line"),
    [
        ("2020中国（长葛）建筑机械交易会是在哪个场馆举办的？", "place", "所问的地点"),
        ("长葛市总商会基地的具体地址在哪条路上？", "address", "所问的地址"),
    ],
)
def test_a_venue_or_address_no_passage_states_is_refused_saying_so(
    seed_archive: Archive, question: str, kind: str, line: str
) -> None:
    answer = seed_archive.ask(question)
    assert not answer.answered and answer.unstated_kind == kind
    assert line in answer_text(answer)


def test_the_issues_examples(seed_archive: Archive) -> None:
    """What a new user met, and what each now gets."""
    assert seed_archive.ask("禹州菸草局局長是誰？").short_answer.text == "王维超"  # type: ignore[union-attr]
    assert seed_archive.ask("许昌市有几家商会入选全国四好商会？").short_answer.text == "5家"  # type: ignore[union-attr]
    zhengzhou = seed_archive.ask("郑州市有多少家商会入选了全国“四好”商会？")
    assert not zhengzhou.answered and zhengzhou.missing == ("郑州市",)
    focuses = seed_archive.ask("“六个聚焦”分别聚焦的是什么？")
    assert [item.text[:5] for item in focuses.items] == [
        "聚焦“融合",
        "聚焦“集群",
        "聚焦“高能",
        "聚焦“高层",
        "聚焦“产业",
        "聚焦“精准",
    ]
    secretary = seed_archive.ask("许昌市企业家协会的秘书长是谁？")
    duties = seed_archive.ask("她还有什么职务？", conversation=secretary.conversation)
    assert duties.searched_as == "黄玉霞还有什么职务？" and duties.short_answer is not None
    assert duties.short_answer.text == "秘书长、党组织负责人"
    xuchang = seed_archive.ask("许昌市工商联所属商会新建共建了多少个党组织？")
    changge = seed_archive.ask("那长葛呢？", conversation=xuchang.conversation)
    assert changge.searched_as == "长葛市工商联所属商会新建共建了多少个党组织？"
    assert changge.short_answer is None, "许昌's 8家 is no answer for 长葛"


@pytest.mark.parametrize(
    ("question", "items"),
    [
        (
            "各商会引导会员企业采取了哪些扶贫形式？",
            ["产业扶贫", "就业扶贫", "捐赠扶贫", "消费扶贫"],
        ),  # …等形式
        (
            "市工商联给商会负责人举办了哪几种培训班？",
            ["商会红色传承培训班", "党建工作培训班", "素质提升培训班"],
        ),  # A、B和C
        (
            "长葛拓宽的五大培训模式分别是什么？",
            ["“葛商学院”", "“红色课堂”", "“精益讲堂”", "“工匠课堂”", "“导师讲堂”"],
        ),
        ("许昌重点推进的4条产业创新链分别是哪几条？", ["电力装备", "新一代信息技术", "节能环保", "新材料"]),
    ],
)
def test_an_enumeration_of_what_is_asked_is_a_list(
    seed_archive: Archive, question: str, items: list[str]
) -> None:
    assert [item.text for item in seed_archive.ask(question).items] == items


def test_an_enumeration_of_something_else_is_no_list(seed_archive: Archive) -> None:
    # 各行业商会、各异地商会、各兄弟县市商会的联系 names 县市 only in passing.
    assert seed_archive.ask("长葛市工商联和哪几个县市的商会结成了友好商会？").items == ()


def test_a_name_the_archive_prints_abbreviated_is_searched_so(seed_archive: Archive) -> None:
    answer = seed_archive.ask("许昌企业跟中国科学院那边谈成了几家合作？")  # the archive prints 中科院
    assert answer.answered and answer.missing == ()
    assert answer.short_answer is not None and answer.short_answer.text == "3家"
    assert "中科院" in answer.hits[0].answer_sentence


def test_a_list_of_run_in_heads_answers_a_question_framed_in_aspects(seed_archive: Archive) -> None:
    # 在…方面 and 做了哪几件事 frame the ask: no passage prints 方面 or 件事, and none needs to.
    answer = seed_archive.ask("长葛工商联在优化营商环境方面做了哪几件事？")
    assert answer.answered
    assert [item.text for item in answer.items] == [
        "开展“工商联+”系列活动",
        "开展“拍砖”活动",
        "帮助企业纾困解难",
        "弘扬企业家精神",
        "动员商会履行社会责任",
    ]


def test_a_follow_up_keeps_what_the_conversation_is_about(seed_archive: Archive) -> None:
    # 她还有什么职务？ is about 黄玉霞; what she belongs to stays in the conversation for 她们协会.
    secretary = seed_archive.ask("许昌市企业家协会的秘书长是谁？")
    duties = seed_archive.ask("她还有什么职务？", conversation=secretary.conversation)
    assert "许昌市企业家协会" in duties.conversation.subject  # type: ignore[union-attr]
    rated = seed_archive.ask("她们协会被民政部门评为几级社会组织？", conversation=duties.conversation)
    assert rated.searched_as == "许昌市企业家协会被民政部门评为几级社会组织？"
    changge = seed_archive.ask("那长葛呢？", conversation=rated.conversation)
    assert "许昌市企业家协会" not in changge.searched_as, "an ellipsis swaps, it does not carry on"


def test_an_ellipsis_swaps_the_phrase_that_opens_alike(seed_archive: Archive) -> None:
    platforms = seed_archive.ask("其中电力装备产业创新链筹建了几个省级研发平台？")
    labs = seed_archive.ask("省级重点实验室呢？", conversation=platforms.conversation)
    assert labs.searched_as == "其中电力装备产业创新链筹建了几个省级重点实验室？"


def test_a_company_jieba_knows_whole_is_a_which_answer(seed_archive: Archive) -> None:
    # 华为公司 is one word to jieba (nt): a name, though no word stands before its 公司.
    answer = seed_archive.ask("市政数局和哪家科技公司合作制定“莲城智能体”标准？")
    assert answer.short_answer is not None and answer.short_answer.text == "华为公司"


def test_where_an_event_was_held_is_the_venue_after_its_coverb(seed_archive: Archive) -> None:
    answer = seed_archive.ask("许昌市洛阳商会和南阳商会的主题党日活动是在哪里搞的")
    assert answer.short_answer is not None and answer.short_answer.text == "革命遗址教育基地"


def test_a_meeting_named_in_the_sentence_before_answers_which_meeting(seed_archive: Archive) -> None:
    # …全国第四届城市标准化高端研讨会。我市“莲城智能体”相关标准也将在此次会议上发布。
    answer = seed_archive.ask("“莲城智能体”相关标准将在哪个会议上发布？")
    assert answer.short_answer is not None and answer.short_answer.text.endswith("城市标准化高端研讨会")
    assert answer.short_answer.sentence in answer.hits[0].chunk.text


def test_a_qualified_title_is_not_answered_by_another_one(seed_archive: Archive) -> None:
    # The archive names 市工商联党组书记寇玉平, never a 党支部书记 of the association.
    answer = seed_archive.ask("许昌市企业家协会党支部书记是谁？")
    assert answer.short_answer is None or answer.short_answer.text != "寇玉平"
    unqualified = seed_archive.ask("禹州市烟草专卖局局长是谁？")
    assert unqualified.short_answer is not None and unqualified.short_answer.text == "王维超"
