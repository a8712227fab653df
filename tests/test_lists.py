"""Lists read from an article's layout: parallel paragraph heads (run-in or standing alone), section heads,
enumerations named by what the question asks. Crafted articles, so each shape is tested on its own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from retrieval.ask.lists import asks_for_list, expected_count, find_list, list_answer
from retrieval.models import Article, Chunk, Hit, Paragraph


def _article(paragraphs: Sequence[tuple[str | None, str]]) -> Article:
    """An article of (section, text) paragraphs."""
    paras = tuple(Paragraph(text, section, n, n) for n, (section, text) in enumerate(paragraphs, start=1))
    return Article("page#1", "page.txt", "article", ("标题",), None, paras)


def _hit(article: Article, paragraph: int) -> Hit:
    """A hit on one paragraph of the article, its first sentence as the evidence."""
    para = article.paragraphs[paragraph - 1]
    chunk = Chunk(0, article.id, "标题", para.section, paragraph, "page.txt", para.text)
    text = para.text
    return Hit(1, 1.0, chunk, text.split("。")[0] + "。", (), ())


def _listed(question: str, article: Article, paragraph: int) -> list[str]:
    return [item.text for item in find_list(question, _hit(article, paragraph), article)]


PARTY = _article(
    [
        (None, "近年来，区工商联围绕中心工作，推动商会改革发展，取得明显成效。"),
        ("党建引领", "事业兴衰，关键在党。区工商联突出政治引领，强化组织建设，加强教育培训，推动商会发展。"),
        ("党建引领", "突出政治引领。区委制定了联系商会制度，区级领导每年走访商会两次以上。"),
        ("党建引领", "强化组织建设。新建商会同步建立党组织，党员人数达到三百余名。"),
        ("党建引领", "加强教育培训。举办商会负责人培训班四期，培训五百余人次。"),
        ("服务发展", "搭建合作平台。区工商联组织商会参加展会六次，签约项目十二个。"),
        ("服务发展", "帮助企业融资。联合银行推出商会贷，发放贷款两亿元。"),
        ("服务发展", "化解涉企纠纷。成立商会调解委员会，调解纠纷三十余件。"),
    ]
)


def test_run_in_heads_that_open_differently_are_a_list() -> None:
    assert _listed("区工商联推动商会党建从哪几个方面着手？", PARTY, 4) == [
        "突出政治引领",
        "强化组织建设",
        "加强教育培训",
    ], "the section's opening saying 事业兴衰，关键在党。 is no head of the run: it has two clauses"


def test_a_run_of_heads_ends_at_its_section() -> None:
    listed = _listed("区工商联在服务发展上做了哪几件事？", PARTY, 7)
    assert listed == ["搭建合作平台", "帮助企业融资", "化解涉企纠纷"]


def test_a_question_for_the_parts_gets_the_section_heads() -> None:
    assert _listed("这篇报道分成哪几个部分？", PARTY, 4) == ["党建引领", "服务发展"], "not the run it is in"
    heads = _listed("这篇报道分成哪几个部分？", _article([*((s, t) for s, t in _sections(3))]), 2)
    assert heads == ["一、稳增长", "二、促改革", "三、惠民生"]


def _sections(n: int) -> list[tuple[str, str]]:
    names = ["一、稳增长", "二、促改革", "三、惠民生"][:n]
    return [(name, f"{name[2:]}方面，全年完成各项工作任务，群众满意度持续提升。") for name in names]


def test_a_generic_ask_takes_no_run_away_from_the_best_passage() -> None:
    assert _listed("区工商联从哪几个方面着手？", PARTY, 1) == []


STANDING = _article(
    [
        ("抓创新", "夯实基层建设，促进商会改革。市工商联印制了商会规范化建设手册，下发指导意见。"),
        ("抓创新", "突出商会作用，发展会展经济。"),
        ("抓创新", "市工商联发挥各行业商会作用，利用商会举办行业展会，实现以商养会。"),
        ("抓创新", "搭建联络平台，助推招商引资。"),
        ("抓创新", "市工商联依托商会开展招商引资，合同引进市外资金二百六十亿元。"),
        ("抓创新", "党建引领，指明方向；党旗高扬，硕果飘香。"),
    ]
)


def test_heads_standing_alone_above_their_bodies_are_one_list() -> None:
    assert _listed("抓创新包括哪几项举措？", STANDING, 3) == [
        "夯实基层建设，促进商会改革",
        "突出商会作用，发展会展经济",
        "搭建联络平台，助推招商引资",
    ]


@pytest.mark.parametrize(
    ("question", "sentence", "items"),
    [
        (
            "自助体检机能检测驾驶人哪些指标？",
            "该机器可对驾驶人的身高、体重、视力、听力等进行自助检测，几分钟即可完成。",
            ["身高", "体重", "视力", "听力"],
        ),
        (
            "开发区要切实提高服务的哪几个方面？",
            "做实问题梳理工作，切实提高服务主动性、帮扶精准度、问题解决率。",
            ["服务主动性", "帮扶精准度", "问题解决率"],
        ),
        (
            "政务大厅推行的制度有哪几个？",
            "政务大厅推行“首问负责”“一次告知”“限时办结”三项制度，群众办事更方便。",
            ["“首问负责”", "“一次告知”", "“限时办结”"],
        ),
    ],
)
def test_an_enumeration_beside_the_word_the_question_puts_before_its_ask(
    question: str, sentence: str, items: list[str]
) -> None:
    assert _listed(question, _article([(None, sentence)]), 1) == items


def test_an_enumeration_away_from_what_is_asked_is_no_list() -> None:
    article = _article([(None, "市工商联组织商会负责人与温州、合肥、沈阳等地的商会开展交流，学习先进经验。")])
    assert _listed("市工商联开展了哪些培训？", article, 1) == []


def test_english_list_questions_and_their_counts() -> None:
    assert asks_for_list("In which areas did the chambers take action?")
    assert asks_for_list("What are Xuchang's six focuses for innovation?")
    assert not asks_for_list("What is the name of the chamber's president?")
    assert expected_count("What are Xuchang's six focuses for innovation?") == 6
    assert expected_count("Name the three measures.") == 3
    assert _listed("What are the district's three measures for serving business?", PARTY, 7) == [
        "搭建合作平台",
        "帮助企业融资",
        "化解涉企纠纷",
    ]
    assert _listed("What are the four measures?", PARTY, 7) == [], "three items are not the four asked for"


INTERVIEW = _article(
    [
        (None, "记者：今年市工商联有哪些新打算？"),
        (
            None,
            "主席：重点做好三件事。一是开展法治体检，为中小企业提供合规咨询；二是设立商学院，培养新生代企业家；三是开展商会规范化建设。",
        ),
        (None, "记者：企业反映最多的是什么？"),
        (None, "主席：说得最多的是可预期，政策不能忽冷忽热。"),
    ]
)


def test_an_ordinal_sequence_is_a_list_and_speakers_are_not() -> None:
    assert _listed("市工商联今年要做的三件事分别是什么？", INTERVIEW, 2) == [
        "开展法治体检",
        "设立商学院",
        "开展商会规范化建设",
    ]
    assert _listed("市工商联今年有哪些打算？", INTERVIEW, 1) == [], "记者： 主席： label turns, not items"


def test_an_article_without_subheads_gives_its_numbered_heads_as_its_parts() -> None:
    review = _article(
        [
            (
                None,
                "今年以来，市工商联在政策宣传、诉求办理、商会建设等方面下功夫。一、政策直达，让企业应享尽享。",
            ),
            (None, "组建政策宣讲队，走进园区和商会。二、诉求快办，让企业少跑腿。开通诉求热线。"),
            (None, "三、商会建强，让会员有依靠。推动商会规范化建设。"),
        ]
    )
    assert _listed("这篇综述分成哪几部分？", review, 1) == ["政策直达", "诉求快办", "商会建强"]


@pytest.mark.parametrize(
    ("question", "sentence", "items"),
    [
        (
            "郑州把个体户分成了哪四类？",
            "郑州把个体户分为“生存型”“成长型”“发展型”和“名特优新”四类，分别给予帮扶。",
            ["“生存型”", "“成长型”", "“发展型”", "“名特优新”"],
        ),
        (
            "联盟由哪五个市的工商联组建？",
            "商丘、亳州、菏泽、宿州、徐州五市的工商联签署合作协议，共同组建联盟。",
            ["商丘", "亳州", "菏泽", "宿州", "徐州"],
        ),
        (
            "平台对诉求办理提出了哪几项工作要求？",
            "平台实行“十分钟分派、两小时响应、三天内办结”的工作要求，超时自动预警。",
            ["十分钟分派", "两小时响应", "三天内办结"],
        ),
        (
            "服务平台设有哪几个板块？",
            "该平台设有“一带一路”国别信息库、涉外法律服务团和海外商会联络网三个板块。",
            ["“一带一路”国别信息库", "涉外法律服务团", "海外商会联络网"],
        ),
    ],
)
def test_an_enumeration_ends_where_the_sentence_counts_or_names_it(
    question: str, sentence: str, items: list[str]
) -> None:
    article = _article([(None, sentence)])
    assert _listed(question, article, 1) == items


def test_amounts_each_are_no_list() -> None:
    assert not asks_for_list("两场展会的现场交易额分别是多少？")
    assert asks_for_list("两场展会分别是什么？")


TRAINING = _article(
    [
        ("培育", "“葛商学院”传播新知识。组织企业家参加线上课程。"),
        ("培育", "“红色讲堂”传递新形势。组织企业家观看红色影片。"),
        ("培育", "“工匠讲堂”传授新技能。依托培训学校对企业职工进行电焊、车床、数控等专业技能培训。"),
    ]
)


def test_a_run_is_named_by_most_of_its_heads_not_by_one() -> None:
    assert _listed("工匠讲堂给企业职工培训哪些技能？", TRAINING, 3) == ["电焊", "车床", "数控"]


def test_a_passage_below_the_best_gives_only_a_list_that_names_what_is_asked() -> None:
    plain = _article([(None, "市工商联召开座谈会，听取企业意见建议。")])
    listing = _article([(None, "企业反映了用电增容、人才落户、跨区域执法标准不一等问题。")])
    hits = [_hit(plain, 1), replace(_hit(listing, 1), rank=2)]
    by_id = {id(hits[0]): plain, id(hits[1]): listing}
    items, source = list_answer("企业反映了哪些问题？", hits, lambda hit: by_id[id(hit)])
    assert [i.text for i in items] == ["用电增容", "人才落户", "跨区域执法标准不一"] and source is hits[1]
    generic = list_answer(
        "区工商联从哪几个方面着手？", [_hit(plain, 1), replace(_hit(PARTY, 4), rank=2)], _by_text
    )
    assert generic == ((), None), "a run holding a lower passage is no answer to a generic ask"


def _by_text(hit: Hit) -> Article:
    return PARTY if "突出政治引领" in hit.chunk.text else _article([(None, hit.chunk.text)])


@pytest.mark.parametrize(
    ("question", "sentence", "items"),
    [
        (
            "In which areas will the chamber push its members to cooperate?",
            "商会将推动会员企业在原料采购、危废处置、技术研发等方面开展合作。",
            ["原料采购", "危废处置", "技术研发"],
        ),
        (
            "What matters can chambers complete online on the platform?",
            "全市商会可在线完成年度报告、会员变更、活动备案等12项事项。",
            ["年度报告", "会员变更", "活动备案"],
        ),
    ],
)
def test_an_english_list_question_names_its_items_through_its_plural_noun(
    question: str, sentence: str, items: list[str]
) -> None:
    assert asks_for_list(question)
    assert _listed(question, _article([(None, sentence)]), 1) == items


def test_only_a_question_for_the_article_s_parts_gets_its_parts() -> None:
    sectioned = _article(
        [
            ("稳增长", "全市把个体户分为“生存型”“成长型”“发展型”三类，分别给予帮扶。"),
            ("促改革", "改革方面，全年完成各项工作任务。"),
            ("惠民生", "民生方面，群众满意度持续提升。"),
        ]
    )
    assert _listed("这篇报道有哪几个小标题？", sectioned, 1) == ["稳增长", "促改革", "惠民生"]
    assert _listed("个体户分为哪几类？", sectioned, 1) == ["“生存型”", "“成长型”", "“发展型”"]
