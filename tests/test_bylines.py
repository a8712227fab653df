"""Bylines from where newspapers print them (retrieval/parse/bylines.py, layout.py, articles.py): the lead,
a line beside the headline block, a closing parenthesis, a photo credit; never a line inside a sentence."""

from __future__ import annotations

import pytest

from replies.citation import citation
from replies.json_contract import article_json, hit_json
from retrieval import Archive
from retrieval.models import Page, PageParse
from retrieval.parse.articles import split_articles
from retrieval.parse.bylines import Credits, closing_credits, lead_credits, read_credits, split_names
from retrieval.parse.chunks import chunk_articles, indexed_text
from tests.test_articles import assert_nothing_lost, wrap


def parse(text: str) -> PageParse:
    return split_articles(Page(source="x.txt", text=text))


# The reported failure: a long feature in which a body line opens with 记者 at a column break.
FEATURE = wrap(
    "“商会就是我们的娘家，有困难找商会，心里踏实。”说起这两年的变化，禹州市钧瓷商会会员企业负责人王建国感慨地说。",
    "近年来，禹州市工商联坚持党建引领，推动所属商会规范化建设，商会服务会员的能力明显提升。",
    ("党建引领聚合力",),
    "禹州市工商联在所属商会中全面推行党组织书记和会长“一肩挑”，把党的工作覆盖到每一家商会。",
    "记者近日走访禹州多家商会和会员",  # a column break after this line, in mid-sentence
    "企业发现，从党建引领到精准服务，商会正在成为企业发展的坚强后盾。",
    ("精准服务解难题",),
    "今年以来，各商会共走访会员企业三百余家，帮助解决融资、用工等难题一百二十多个。",
    "商会负责人表示，将继续当好企业的“娘家人”，为全市经济高质量发展贡献力量。",
    ("党建引领促发展 精准服务暖人心", "——禹州市工商联商会工作综述", "本报记者 张三"),
    width=15,
)


def test_a_body_line_opening_with_jizhe_stays_in_its_article() -> None:
    result = parse(FEATURE)
    assert_nothing_lost(Page(source="x.txt", text=FEATURE), result)
    (art,) = result.articles
    assert art.headline == ("党建引领促发展 精准服务暖人心", "——禹州市工商联商会工作综述")
    assert art.byline == "本报记者 张三"
    texts = [p.text for p in art.paragraphs]
    whole = "记者近日走访禹州多家商会和会员企业发现，从党建引领到精准服务，商会正在成为企业发展的坚强后盾。"
    assert whole in texts
    assert art.sections == ["党建引领聚合力", "精准服务解难题"]


def test_a_byline_shaped_line_after_an_unfinished_line_is_the_rest_of_the_sentence() -> None:
    page = """\
本报讯 日前，许昌市工商联召开商会
工作座谈会。会上，市工商联主席接受

记者 张三 李四

采访时表示，将继续做好服务工作。

座谈会召开
"""
    (art,) = parse(page).articles
    assert art.byline is None
    assert art.paragraphs[0].text.endswith("接受记者 张三 李四采访时表示，将继续做好服务工作。")


@pytest.mark.parametrize(
    ("lead", "byline", "contributors"),
    [
        ("本报讯（记者 徐鼎烨 通讯员 刘岩 徐暘洋）8月31日，", "记者 徐鼎烨", "通讯员 刘岩 徐暘洋"),
        ("本报讯（记者徐鼎烨通讯员刘岩 徐暘洋）8月31日，", "记者 徐鼎烨", "通讯员 刘岩 徐暘洋"),
        ("本报许昌讯（通讯员 王五）近日，", None, "通讯员 王五"),
        ("新华社北京9月1日电（记者 张三 李四）日前，", "记者 张三 李四", None),
        ("本报讯 记者 张三 报道 日前，", "记者 张三", None),
        ("本报讯（记者近日走访）", None, None),
        ("本报讯 记者 李泽楷通讯员 莞工商7月9日，", "记者 李泽楷", "通讯员 莞工商"),  # no brackets, no 报道
        ("本报讯 记者 张三 近日，记者从", None, None),  # 近日 is no name: only a date ends the names
        ("本报讯 近日，记者从市里获悉，", None, None),
        ("本报讯（记者 张宁 实习生 刘畅）12月2日，", "记者 张宁", "实习生 刘畅"),
        ("本报郑州讯（记者 李红 通讯员 王磊 实习生 张雪 赵敏）", "记者 李红", "通讯员 王磊 实习生 张雪 赵敏"),
    ],
)
def test_lead_credits(lead: str, byline: str | None, contributors: str | None) -> None:
    found = lead_credits(lead) or Credits()
    assert (found.byline, found.contributor_line) == (byline, contributors)


@pytest.mark.parametrize(
    ("text", "reporters", "contributors"),
    [
        ("会议要求，狠抓落实。（本报记者 张三）", ("张三",), ()),
        ("会议要求，狠抓落实。（记者 张三 通讯员 李四）（完）", ("张三",), ("李四",)),
        ("会议要求，狠抓落实。（完）", (), ()),
        ("他说（这件事要办好）", (), ()),
    ],
)
def test_closing_credits(text: str, reporters: tuple[str, ...], contributors: tuple[str, ...]) -> None:
    found = closing_credits(text) or Credits()
    assert (found.reporters, found.contributors) == (reporters, contributors)


@pytest.mark.parametrize(
    ("line", "byline", "contributors"),
    [
        ("■本报记者 沈佳怡", "本报记者 沈佳怡", None),
        ("首席记者 黄志坚", "首席记者 黄志坚", None),
        ("融媒记者 吴思远 实习生 陈可", "融媒记者 吴思远", "实习生 陈可"),
        ("文/本报记者 钱俊逸 图/通讯员 陆一帆", "本报记者 钱俊逸", "通讯员 陆一帆"),
        ("大河报·豫视频记者 蒋一诺 通讯员 贺文亮", "视频记者 蒋一诺", "通讯员 贺文亮"),
        ("通讯员 甬工宣 文/图", None, "通讯员 甬工宣"),
        ("记者 林晓峰 通讯员泉关宣", "记者 林晓峰", "通讯员 泉关宣"),  # a desk's pen name, printed tight
        ("记者近日走访禹州多家商会", None, None),  # running words after 记者 are no name
    ],
)
def test_bylines_in_other_papers_forms(line: str, byline: str | None, contributors: str | None) -> None:
    found = read_credits(line) or Credits()
    assert (found.byline, found.contributor_line) == (byline, contributors)


def test_a_dispatch_quoting_xinhua_opens_an_article() -> None:
    page = """甲地商会召开年会

据新华社电 甲地商会日前召开年会，总结一年工作。

乙地企业家协会成立

本报讯（记者 张三）乙地企业家协会近日成立。
"""
    first, second = parse(page).articles
    assert first.paragraphs[0].text.startswith("据新华社电") and second.byline == "记者 张三"


def test_names_split_at_surnames_only_when_unspaced_and_never_running_words() -> None:
    assert split_names("魏东雅乔璐洋") == ["魏东雅", "乔璐洋"]
    assert split_names("张三 欧阳明") == ["张三", "欧阳明"]
    assert split_names("近日走访禹州多家商会") is None
    assert read_credits("记者近日来到") is None
    assert read_credits("本报记者魏东雅") == Credits(("魏东雅",), (), "本报记者")


LEADS = """\
本报讯（记者 徐鼎烨 通讯员 刘
岩 徐暘洋）8月31日，记者从市政务
服务和大数据管理局获悉，我市“莲
城智能体”标准制定工作稳步推进。

市政数局
稳步推进标准制定

本报讯 许昌市房地产商会近日组织
会员企业开展安全生产大检查，重点
检查在建项目。（记者 苏杭 通讯员
王五）（完）

房地产商会开展安全大检查
"""


def test_articles_get_reporters_and_contributors_from_lead_closing_and_byline_line() -> None:
    result = parse(LEADS)
    found = [(a.title, a.byline, a.contributors) for a in result.articles]
    assert found == [
        ("市政数局 稳步推进标准制定", "记者 徐鼎烨", "通讯员 刘岩 徐暘洋"),
        ("房地产商会开展安全大检查", "记者 苏杭", "通讯员 王五"),
    ]


def test_chunks_carry_and_index_contributors() -> None:
    (first, *_) = parse(LEADS).articles
    chunk = chunk_articles([first])[0]
    assert (chunk.byline, chunk.contributors) == ("记者 徐鼎烨", "通讯员 刘岩 徐暘洋")
    assert indexed_text(chunk).endswith("记者 徐鼎烨 通讯员 刘岩 徐暘洋")


def test_a_byline_line_splits_into_reporters_and_contributors_as_printed() -> None:
    page = wrap(
        "长葛市工商联坚持党建引领，推动商会规范发展，全市商会组织活力明显增强。",
        ("长葛市工商联", "“六抓六促”激发商会活力", "本报记者 魏东雅 通讯员 高建平"),
    )
    (art,) = parse(page).articles
    assert (art.byline, art.contributors) == ("本报记者 魏东雅", "通讯员 高建平")
    assert_nothing_lost(Page(source="x.txt", text=page), parse(page))


def test_a_byline_line_naming_many_people_in_three_roles_is_one_byline() -> None:
    line = "本报记者 李红 张伟 通讯员 王磊 刘洋 实习生 张雪 赵敏"
    body = "全省各级商会深入开展“万人助企”活动，累计走访会员企业一万余家。"
    page = wrap(body, ("全省商会走访会员企业", line))
    (art,) = parse(page).articles
    assert (art.byline, art.contributors) == ("本报记者 李红 张伟", "通讯员 王磊 刘洋 实习生 张雪 赵敏")
    assert_nothing_lost(Page(source="x.txt", text=page), parse(page))


def test_a_reporter_named_in_leads_only_finds_their_articles(seed_archive: Archive) -> None:
    # 徐鼎烨 is named only in 本报讯（记者 徐鼎烨 …） leads, never on a 本报记者 line.
    found = seed_archive.ask("徐鼎烨写了哪些报道？")
    assert found.answered
    credited = [h for h in found.hits if "徐鼎烨" in (h.chunk.byline or "")]
    assert credited and found.hits[0] in credited
    titles = {h.chunk.title for h in credited}
    assert any("莲城智能体" in t for t in titles) and any("自助体检机" in t for t in titles)


def test_a_contributor_is_credited_and_found(seed_archive: Archive) -> None:
    found = seed_archive.ask("高建平写了哪些报道？")
    assert found.answered and "高建平" in (found.hits[0].chunk.contributors or "")
    line = citation(found.hits[0].chunk, "zh")
    assert line.endswith("记者 魏东雅 通讯员 高建平")
    result = hit_json(found.hits[0])
    assert (result["byline"], result["contributors"]) == ("记者 魏东雅", "通讯员 高建平")


def test_articles_json_names_reporters_and_contributors(seed_archive: Archive) -> None:
    rows = [article_json(a) for a in seed_archive.articles]
    lead = next(r for r in rows if "莲城智能体" in str(r["title"]))
    assert (lead["byline"], lead["contributors"]) == ("记者 徐鼎烨", "通讯员 刘岩 徐暘洋")
