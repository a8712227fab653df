"""The page parser (retrieval/articles.py over retrieval/layout.py) on the seed pages and crafted pages."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from retrieval.models import Article, Page, PageParse
from retrieval.parse.articles import split_articles
from retrieval.parse.pages import read_page
from retrieval.parse.text import SENTENCE_END, ends_sentence, squeeze_line

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_FILES = sorted(SEEDS.glob("*.txt"))


@cache
def seed(prefix: str) -> tuple[Page, PageParse]:
    (path,) = [p for p in SEED_FILES if p.name.startswith(prefix)]
    page = read_page(path)
    return page, split_articles(page)


def parse(text: str, **overrides: object) -> PageParse:
    return split_articles(Page(source="x.txt", text=text, **overrides))  # type: ignore[arg-type]


def wrap(*blocks: str | tuple[str, ...], width: int = 16) -> str:
    """Lay out a page like the e-paper dumps: a str is a paragraph hard-wrapped at `width` characters,
    a tuple is printed as is, one line per item (a headline block); a blank line between blocks."""
    out = []
    for block in blocks:
        if isinstance(block, tuple):
            out.append("\n".join(block))
        else:
            out.append("\n".join(block[i : i + width] for i in range(0, len(block), width)))
    return "\n\n".join(out) + "\n"


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_nothing_lost(page: Page, result: PageParse) -> None:
    """Every non-blank source line belongs to exactly one piece (header line, headline, byline, subhead
    or paragraph span), and the pieces in source order spell the page's normalized text."""
    raw = page.text.splitlines()
    nonblank = [no for no, line in enumerate(raw, start=1) if squeeze_line(line)]
    owners: Counter[int] = Counter()
    pieces: dict[int, list[str]] = {}

    def put(line: int, text: str) -> None:
        pieces.setdefault(line, []).append(text)

    for art in result.articles:
        n_head = len(art.headline)
        for line, text in zip(art.headline_span[:n_head], art.headline, strict=True):
            put(line, text)
        byline_lines = art.headline_span[n_head:]
        if byline_lines:  # a byline line: reporters, then contributors when the line prints them
            line = _bare(squeeze_line(raw[byline_lines[0] - 1]))
            printed = " ".join(who for who in (art.byline, art.contributors) if who)
            printed = printed if _bare(printed) == line else art.byline or ""
            assert printed, art.id
            put(byline_lines[0], printed)
        owners.update(art.headline_span)
        for text, line in art.subheads:
            put(line, text)
            owners[line] += 1
        for para in art.paragraphs:
            assert para.first_line <= para.last_line
            put(para.first_line, para.text)
            owners.update(
                no for no in range(para.first_line, para.last_line + 1) if squeeze_line(raw[no - 1])
            )
    assert set(owners) <= set(nonblank), "a piece claims a blank or missing line"
    unowned = [no for no in nonblank if no not in owners]
    assert len(unowned) == len(result.header), (unowned, result.header)
    for line, text in zip(unowned, result.header, strict=True):
        put(line, text)
        owners[line] += 1
    assert {no: n for no, n in owners.items() if n != 1} == {}, "lines claimed more than once"
    assert sorted(owners) == nonblank
    rebuilt = "".join(text for line in sorted(pieces) for text in pieces[line])
    assert _bare(rebuilt) == _bare("".join(squeeze_line(line) for line in raw))


def by_headline(result: PageParse) -> dict[tuple[str, ...], Article]:
    return {a.headline: a for a in result.articles}


# --- the seed pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_split_articles_loses_nothing_on_seed_pages(path: Path) -> None:
    page = read_page(path)
    assert_nothing_lost(page, split_articles(page))


def test_split_articles_seed_000_is_one_article_with_three_sections() -> None:
    _, result = seed("000")
    assert result.header == ()
    assert result.layout == "headline-after"
    (art,) = result.articles
    assert art.kind == "article"
    assert art.headline == ("让党旗在商会组织高高飘扬", "——许昌市工商联促进所属商会组织改革发展综述")
    assert art.title == "让党旗在商会组织高高飘扬 ——许昌市工商联促进所属商会组织改革发展综述"
    assert art.sections == ["党建引领强起来", "服务发展活起来", "责任担当扛起来"]
    assert [line for _, line in art.subheads] == [32, 113, 185]
    assert art.id == "000_ceb8d8b2816fae3d#1" and art.source == "000_ceb8d8b2816fae3d.txt"
    # The lead paragraphs stand under no subhead; the last one stands under the last subhead.
    assert art.paragraphs[0].section is None and art.paragraphs[0].text.startswith("“第一次参加市工商联")
    assert art.paragraphs[-1].section == "责任担当扛起来"


def test_split_articles_seed_001_header_and_items_in_order() -> None:
    _, result = seed("001")
    assert result.header == ("MINSHENG JINGJI", "经济")
    assert [(a.kind, a.headline) for a in result.articles] == [
        ("article", ("长葛市工商联（总商会）", "“六抓六促”激发商会活力")),
        ("article", ("市政数局", "稳步推进“莲城智能体”标准制定")),
        ("article", ("市民之家上线“自助体检机”", "驾驶员自助体检5分钟完成")),
        ("photo", ()),
        ("article", ("我市“六个聚焦”", "助力企业科技创新")),
        ("article", ("禹州市烟草专卖局（分公司）", "扎实推进党史学习教育", "为残疾人员铺就致富路")),
        ("article", ("开发区", "助推“万人助企”活动走实走深")),
    ]
    assert [a.id for a in result.articles] == [f"001_73203bc2ffbfe497#{n}" for n in range(1, 8)]


def test_split_articles_seed_001_changge_article_byline_and_sections() -> None:
    _, result = seed("001")
    art = result.articles[0]
    assert art.byline == "本报记者 魏东雅"
    assert art.sections == [
        "抓党建 促商会模范带动",
        "抓机制 促商会合力形成",
        "抓阵地 促商会活力激发",
        "抓服务 促营商环境优化",
        "抓培育 促商会健康成长",
        "抓创新 促商会长效发展",
    ]
    assert art.paragraphs[0].text.startswith("建成1000多平方米的全省县级首家商会基地")


def test_split_articles_seed_001_photo_caption() -> None:
    _, result = seed("001")
    photo = result.articles[3]
    assert photo.kind == "photo" and photo.title == ""
    assert photo.byline == "魏东雅 乔璐洋 摄"
    assert "99公益日" in "".join(p.text for p in photo.paragraphs)
    # The caption is neither part of the article before nor of the one after.
    assert all("99公益日" not in p.text for a in result.articles if a is not photo for p in a.paragraphs)


def test_split_articles_seed_dispatch_opens_each_short_article() -> None:
    _, result = seed("001")
    for art in result.articles[1:]:
        if art.kind == "article":
            assert art.paragraphs[0].text.startswith("本报讯"), art.headline


@pytest.mark.parametrize(
    ("prefix", "fragment", "first_line"),
    [
        ("000", "市委统战工作领导小组制订下发了", 40),  # lines 40-42 across a blank line
        ("000", "培训商会人员2000多人次", 73),  # lines 86-88 across a blank line
        ("000", "小组、市委统战工作领导小组印发的《关于促进工商联所属商会改革和发展", 19),
        ("001", "先后到深圳华为公司、比亚迪公司，宁波、杭州", 67),
    ],
)
def test_split_articles_joins_paragraphs_across_column_breaks(
    prefix: str, fragment: str, first_line: int
) -> None:
    _, result = seed(prefix)
    (para,) = [p for a in result.articles for p in a.paragraphs if fragment in p.text]
    assert para.first_line == first_line


@pytest.mark.parametrize("path", SEED_FILES, ids=lambda p: p.name)
def test_split_articles_never_splits_a_seed_paragraph_mid_sentence(path: Path) -> None:
    result = split_articles(read_page(path))
    unfinished = [
        (p.first_line, p.text[-10:])
        for a in result.articles
        for p in a.paragraphs
        if not ends_sentence(p.text)
    ]
    assert unfinished == []
    assert all(p.text.rstrip("”’」』）)")[-1] in SENTENCE_END for a in result.articles for p in a.paragraphs)


def test_split_articles_finds_paragraph_break_without_blank_line() -> None:
    _, result = seed("001")
    paras = [p.text for p in result.articles[1].paragraphs]
    (i,) = [n for n, text in enumerate(paras) if text.endswith("“莲城智能体”标准的制定。")]
    assert paras[i + 1].startswith("为加快新型智慧城市顶层设计")


# --- crafted pages --------------------------------------------------------------------------------

# (a) one article, headline block printed after the body, with a byline.
PAGE_A = wrap(
    "本报讯（记者 张三）日前，许昌市青年创业促进会召开会员大会，选举产生了新一届理事会和监事会，"
    "会长在会上作了工作报告。",
    "会议指出，过去一年来，促进会坚持政治引领，围绕服务会员、服务社会开展了一系列活动，得到了会员企业的广泛认可。",
    "会议要求，新一届理事会要加强自身建设，健全内部管理制度，提升服务能力，团结带领广大青年企业家干事创业。",
    "据了解，该促进会现有会员企业二百余家，涵盖装备制造、电子商务、现代物流等多个行业领域。",
    ("青年创业促进会", "召开会员大会", "本报记者 张三"),
)

# (b) no dispatch opener at all: two articles told apart only by their headline blocks.
PAGE_B = wrap(
    "许昌市房地产商会近日组织会员企业开展安全生产大检查，重点检查了在建项目的施工安全和消防设施。",
    "检查组要求各会员企业落实安全生产主体责任，及时整改发现的问题，确保不发生安全事故。",
    ("房地产商会", "开展安全生产大检查"),
    "许昌市洛阳商会日前走访慰问困难会员家庭，为他们送去米面油等生活物资和慰问金。",
    "商会负责人表示，将继续关心困难会员的生产生活，积极帮助他们解决实际困难，让会员感受到商会大家庭的温暖。",
    ("洛阳商会", "走访慰问困难会员"),
)

# (c) headline-first layout: title, byline, then the body; two articles.
PAGE_C = wrap(
    ("许昌市工商联召开商会党建座谈会",),
    ("本报记者 李四",),
    "日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加会议。",
    "会议要求，各商会要把党建工作摆在突出位置，以党建促会建，以会建促发展，推动商会高质量发展。",
    ("魏都区举办民营企业家培训班",),
    ("本报记者 王五",),
    "近日，魏都区工商联举办民营企业家培训班，邀请专家围绕企业管理和政策法规进行授课。",
    "参训企业家纷纷表示，培训内容丰富实用，对企业今后的发展很有帮助。",
)

# (d) a two-line headline with a `——…综述` subtitle after the body.
PAGE_D = wrap(
    "近年来，许昌市工商联坚持以党建引领商会发展，推动所属商会规范化建设，取得了明显成效。",
    "市工商联制定了商会规范化建设指导意见，指导各商会完善章程，健全内部治理结构。",
    "各商会积极履行社会责任，在防疫抗疫、脱贫攻坚、公益慈善等工作中彰显了担当。",
    ("让商会在规范发展中行稳致远", "——许昌市工商联推进商会规范化建设综述"),
)

# (e) nothing but a photo caption and its credit.
PAGE_E = wrap(
    "许昌市青年创业促进会会员企业志愿者在社区开展义诊活动，为居民免费测量血压、讲解健康知识。",
    ("张三 李四 摄",),
)

# (f) a column break in mid-sentence: a blank line after an unfinished full-width line.
PAGE_F = """\
本报讯 近日，许昌市工商联组织所
属商会负责人赴长葛市观摩学习，实
地参观了长葛市商会基地和党群服务

中心。观摩团成员表示，长葛市的经
验做法值得学习借鉴。

此次观摩活动进一步加强了各商会之
间的交流合作，为全市商会高质量发

展凝聚了力量。

据了解，今年以来，市工商联已先后
组织所属商会开展观摩交流活动五次。

商会负责人赴长葛观摩学习
"""

# (g) subheads inside an article section the paragraphs under them.
PAGE_G = wrap(
    "本报讯（记者 张三）今年以来，魏都区工商联深入开展万人助企活动，帮助企业解决了一批难题。",
    ("走访企业 摸清需求",),
    "区工商联组织干部深入企业走访调研，认真倾听企业家的意见和建议，建立问题台账，逐项跟踪落实。",
    ("搭建平台 精准服务",),
    "区工商联联合金融机构举办银企对接会，帮助企业拓宽融资渠道，缓解资金压力。",
    "区工商联还组织法律服务团走进企业，开展法治体检，帮助企业防范经营风险。",
    ("魏都区工商联", "深入开展万人助企活动"),
)

# (h) pages that defeat the parser without a sidecar override.
PAGE_H_STARTS = wrap(
    "许昌市房地产商会近日组织会员企业开展安全生产大检查，重点检查了在建项目的施工安全和消防设施。",
    "检查组要求各会员企业落实安全生产主体责任，及时整改发现的问题，确保不发生安全事故。",
    "许昌市洛阳商会日前走访慰问困难会员家庭，为他们送去米面油等生活物资和慰问金。",
    "商会负责人表示，将继续关心困难会员的生产生活，积极帮助他们解决实际困难。",
    ("洛阳商会", "走访慰问困难会员"),
)
PAGE_H_LAYOUT = wrap(  # starts with the end of an article continued from the page before
    "帮助企业解决了融资难题，受到了会员企业的一致好评。",
    ("魏都区举办民营企业家培训班", "本报记者 王五"),
    "近日，魏都区工商联举办民营企业家培训班，邀请专家围绕企业管理和政策法规进行授课。",
    ("许昌市工商联召开座谈会", "本报记者 李四"),
    "日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加会议。",
)

# (i) a page header on top and a folio line at the bottom.
PAGE_I = "MINSHENG JINGJI\n经济\n\n" + wrap(
    "本报讯（记者 张三）近日，许昌市消费品批发和零售业商会举办年货节，吸引了众多市民前来选购。",
    "年货节期间，商会组织会员企业推出了一批优惠商品，受到了市民的欢迎。",
    ("零售业商会举办年货节",),
    ("第5版",),
)

# (j) headline-first page: a photo caption and its credit at the end of an article with a subhead.
PAGE_J = wrap(
    ("许昌市工商联召开座谈会", "本报记者 李四"),
    "日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加会议。",
    ("以党建促会建",),
    "会议要求，各商会要把党建工作摆在突出位置，以党建促会建，以会建促发展。",
    "会议还对下一步工作作出了具体安排。",
    "图为座谈会现场。",
    ("张三 李四 摄",),
    ("魏都区举办民营企业家培训班", "本报记者 王五"),
    "近日，魏都区工商联举办民营企业家培训班，邀请专家围绕企业管理和政策法规进行授课。",
)

# (k) sidecar overrides: a forced start inside a block after an unfinished line, and one across a column
# break (a blank line after an unfinished full-width line, which would otherwise join the two paragraphs).
PAGE_STARTS_MID_SENTENCE = (
    "许昌市房地产商会近日组织会员企业\n"
    "开展安全生产大检查，重点检查了在\n"
    "建项目的施工安全和消防设施情况，\n"
    "许昌市洛阳商会日前走访慰问困难会\n"
    "员家庭，为他们送去米面油等生活物\n"
    "\n"
    "资和慰问金。魏都区工商联举办民营\n"
    "企业家培训班，邀请专家授课。\n"
)
# (l) two headline blocks printed as one run of title lines; the override cuts the run at the second one.
PAGE_STARTS_IN_TITLE_RUN = wrap(
    "许昌市房地产商会近日组织会员企业开展安全生产大检查，重点检查了在建项目的施工安全和消防设施。",
    ("房地产商会", "开展安全生产大检查", "洛阳商会", "走访慰问困难会员"),
    "许昌市洛阳商会日前走访慰问困难会员家庭，为他们送去米面油等生活物资和慰问金。",
)

CRAFTED = {
    "a": (PAGE_A, {}),
    "b": (PAGE_B, {}),
    "c": (PAGE_C, {}),
    "d": (PAGE_D, {}),
    "e": (PAGE_E, {}),
    "f": (PAGE_F, {}),
    "g": (PAGE_G, {}),
    "h-starts": (PAGE_H_STARTS, {}),
    "h-starts-override": (PAGE_H_STARTS, {"article_starts": (9,)}),
    "h-layout": (PAGE_H_LAYOUT, {}),
    "h-layout-override": (PAGE_H_LAYOUT, {"layout": "headline-first"}),
    "i": (PAGE_I, {}),
    "j": (PAGE_J, {}),
    "starts-mid-sentence": (PAGE_STARTS_MID_SENTENCE, {"article_starts": (4, 7)}),
    "starts-in-title-run": (PAGE_STARTS_IN_TITLE_RUN, {"article_starts": (7,)}),
}


@pytest.mark.parametrize("name", CRAFTED)
def test_split_articles_loses_nothing_on_crafted_pages(name: str) -> None:
    text, overrides = CRAFTED[name]
    page = Page(source="x.txt", text=text, **overrides)  # type: ignore[arg-type]
    assert_nothing_lost(page, split_articles(page))


def test_split_articles_headline_after_body_with_byline() -> None:
    result = parse(PAGE_A)
    assert result.layout == "headline-after"
    (art,) = result.articles
    assert art.headline == ("青年创业促进会", "召开会员大会")
    assert art.byline == "本报记者 张三"
    assert len(art.paragraphs) == 4
    assert art.paragraphs[0].text.startswith("本报讯（记者 张三）日前")
    assert art.paragraphs[-1].text.endswith("现代物流等多个行业领域。")
    assert art.id == "x#1" and art.source == "x.txt"


def test_split_articles_headline_blocks_separate_articles_without_dispatch() -> None:
    result = parse(PAGE_B)
    assert [a.headline for a in result.articles] == [
        ("房地产商会", "开展安全生产大检查"),
        ("洛阳商会", "走访慰问困难会员"),
    ]
    first, second = result.articles
    assert [p.text[:8] for p in first.paragraphs] == ["许昌市房地产商会", "检查组要求各会员"]
    assert [p.text[:7] for p in second.paragraphs] == ["许昌市洛阳商会", "商会负责人表示"]
    assert [a.id for a in result.articles] == ["x#1", "x#2"]


def test_split_articles_headline_first_layout_attaches_headlines_to_following_bodies() -> None:
    result = parse(PAGE_C)
    assert result.layout == "headline-first"
    heads = by_headline(result)
    assert list(heads) == [("许昌市工商联召开商会党建座谈会",), ("魏都区举办民营企业家培训班",)]
    first = heads[("许昌市工商联召开商会党建座谈会",)]
    second = heads[("魏都区举办民营企业家培训班",)]
    assert first.byline == "本报记者 李四" and second.byline == "本报记者 王五"
    assert first.paragraphs[0].text.startswith("日前，许昌市工商联召开商会党建工作座谈会")
    assert len(first.paragraphs) == 2
    assert second.paragraphs[0].text.startswith("近日，魏都区工商联举办民营企业家培训班")
    assert second.paragraphs[-1].text.endswith("对企业今后的发展很有帮助。")


def test_split_articles_two_line_headline_with_summary_subtitle() -> None:
    (art,) = parse(PAGE_D).articles
    assert art.headline == ("让商会在规范发展中行稳致远", "——许昌市工商联推进商会规范化建设综述")
    assert art.byline is None and art.sections == []
    assert len(art.paragraphs) == 3


def test_split_articles_lone_photo_caption_is_a_photo_item() -> None:
    (item,) = parse(PAGE_E).articles
    assert item.kind == "photo"
    assert item.headline == () and item.title == ""
    assert item.byline == "张三 李四 摄"
    (para,) = item.paragraphs
    assert (
        para.text
        == "许昌市青年创业促进会会员企业志愿者在社区开展义诊活动，为居民免费测量血压、讲解健康知识。"
    )


def test_split_articles_joins_column_break_in_mid_sentence() -> None:
    (art,) = parse(PAGE_F).articles
    assert [p.text for p in art.paragraphs] == [
        "本报讯 近日，许昌市工商联组织所属商会负责人赴长葛市观摩学习，实地参观了长葛市商会基地和党群服务"
        "中心。观摩团成员表示，长葛市的经验做法值得学习借鉴。",
        "此次观摩活动进一步加强了各商会之间的交流合作，为全市商会高质量发展凝聚了力量。",
        "据了解，今年以来，市工商联已先后组织所属商会开展观摩交流活动五次。",
    ]
    assert [(p.first_line, p.last_line) for p in art.paragraphs] == [(1, 6), (8, 11), (13, 14)]
    assert art.headline == ("商会负责人赴长葛观摩学习",)


def test_split_articles_subhead_sections_the_paragraphs_under_it() -> None:
    (art,) = parse(PAGE_G).articles
    assert art.headline == ("魏都区工商联", "深入开展万人助企活动")
    assert [p.section for p in art.paragraphs] == [
        None,
        "走访企业 摸清需求",
        "搭建平台 精准服务",
        "搭建平台 精准服务",
    ]
    assert art.sections == ["走访企业 摸清需求", "搭建平台 精准服务"]
    assert [text for text, _ in art.subheads] == art.sections
    # A subhead is not a paragraph of its own.
    assert all(p.text not in art.sections for p in art.paragraphs)


def test_split_articles_article_starts_override_forces_a_split() -> None:
    (merged,) = parse(PAGE_H_STARTS).articles
    assert len(merged.paragraphs) == 4
    line = PAGE_H_STARTS.splitlines().index("许昌市洛阳商会日前走访慰问困难会") + 1
    assert line == 9
    first, second = parse(PAGE_H_STARTS, article_starts=(line,)).articles
    assert first.headline == () and [p.first_line for p in first.paragraphs] == [1, 5]
    assert second.headline == ("洛阳商会", "走访慰问困难会员")
    assert [p.first_line for p in second.paragraphs] == [9, 13]


def test_split_articles_article_starts_override_splits_inside_a_block() -> None:
    text = (
        "许昌市房地产商会近日组织会员企业\n"
        "开展安全生产大检查，重点检查了在\n"
        "建项目的施工安全和消防设施情况。\n"
        "许昌市洛阳商会日前走访慰问困难会\n"
        "员家庭，为他们送去米面油等生活物\n"
        "资和慰问金。\n"
        "\n"
        "洛阳商会\n"
        "走访慰问困难会员\n"
    )
    result = parse(text, article_starts=(4,))
    assert [[(p.first_line, p.last_line) for p in a.paragraphs] for a in result.articles] == [
        [(1, 3)],
        [(4, 6)],
    ]


def test_split_articles_article_starts_override_cuts_mid_sentence_and_column_break() -> None:
    assert len(parse(PAGE_STARTS_MID_SENTENCE).articles) == 1
    result = parse(PAGE_STARTS_MID_SENTENCE, article_starts=(4, 7))
    assert [[(p.first_line, p.last_line) for p in a.paragraphs] for a in result.articles] == [
        [(1, 3)],
        [(4, 5)],
        [(7, 8)],
    ]
    assert [a.paragraphs[0].text[:7] for a in result.articles] == [
        "许昌市房地产商",
        "许昌市洛阳商会",
        "资和慰问金。魏",
    ]


def test_split_articles_article_starts_override_cuts_a_title_run() -> None:
    merged = parse(PAGE_STARTS_IN_TITLE_RUN)
    assert merged.articles[0].headline == ("房地产商会", "开展安全生产大检查", "洛阳商会", "走访慰问困难会员")
    line = PAGE_STARTS_IN_TITLE_RUN.splitlines().index("洛阳商会") + 1
    first, second = parse(PAGE_STARTS_IN_TITLE_RUN, article_starts=(line,)).articles
    assert first.headline == ("房地产商会", "开展安全生产大检查")
    assert first.paragraphs[0].text.startswith("许昌市房地产商会")
    assert second.headline == ("洛阳商会", "走访慰问困难会员")
    assert [p.text[:7] for p in second.paragraphs] == ["许昌市洛阳商会"]


def test_split_articles_article_starts_override_on_a_credit_makes_an_uncaptioned_photo() -> None:
    text = wrap(
        "本报讯（记者 张三）日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加会议。",
        ("张三 李四 摄",),
    )
    (caption,) = parse(text).articles  # a lone paragraph before a credit reads as its caption
    assert caption.kind == "photo"
    line = text.splitlines().index("张三 李四 摄") + 1
    article, photo = parse(text, article_starts=(line,)).articles
    assert (photo.kind, photo.byline, photo.paragraphs) == ("photo", "张三 李四 摄", ())
    assert article.kind == "article" and article.paragraphs[0].text.startswith("本报讯")


def test_split_articles_layout_override_beats_detection() -> None:
    auto = parse(PAGE_H_LAYOUT)
    assert auto.layout == "headline-after"  # the page opens with body text: detection guesses wrong
    forced = parse(PAGE_H_LAYOUT, layout="headline-first")
    assert forced.layout == "headline-first"
    assert [(a.headline, a.byline, a.paragraphs[0].text[:5]) for a in forced.articles] == [
        ((), None, "帮助企业解"),
        (("魏都区举办民营企业家培训班",), "本报记者 王五", "近日，魏都"),
        (("许昌市工商联召开座谈会",), "本报记者 李四", "日前，许昌"),
    ]


def test_split_articles_layout_override_headline_after_is_kept() -> None:
    assert parse(PAGE_C).layout == "headline-first"
    assert parse(PAGE_C, layout="headline-after").layout == "headline-after"


def test_split_articles_headline_lines_override_reads_a_line_as_headline() -> None:
    text = wrap(
        ("许昌市工商联召开座谈会", "本报记者 李四"),
        "日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加了会议。",
    )
    assert parse(text).articles[0].headline == ("许昌市工商联召开座谈会",)
    forced = parse(text, headline_lines=(4,))
    assert forced.articles[0].headline == ("许昌市工商联召开座谈会", "日前，许昌市工商联召开商会党建工")


def test_split_articles_page_header_and_folio_go_to_header() -> None:
    result = parse(PAGE_I)
    assert result.header == ("MINSHENG JINGJI", "经济", "第5版")
    (art,) = result.articles
    assert art.headline == ("零售业商会举办年货节",)
    assert all("第5版" not in p.text and "JINGJI" not in p.text for p in art.paragraphs)


def test_split_articles_pinyin_header_without_chinese_name() -> None:
    result = parse("JINGJI\n第5版\n\n" + PAGE_A)
    assert result.header == ("JINGJI", "第5版")
    assert result.articles[0].headline == ("青年创业促进会", "召开会员大会")


def test_split_articles_footer_folios_keep_source_order() -> None:
    text = "JINGJI\n第5版\n\n" + PAGE_A + "\n责任编辑：王五\n\n2021年9月3日 星期五\n"
    page = Page(source="x.txt", text=text)
    result = split_articles(page)
    assert result.header == ("JINGJI", "第5版", "责任编辑：王五", "2021年9月3日 星期五")
    assert_nothing_lost(page, result)


def test_split_articles_photo_caption_after_headline_first_article() -> None:
    text = wrap(
        ("许昌市工商联召开座谈会", "本报记者 李四"),
        "日前，许昌市工商联召开商会党建工作座谈会，市属各商会党组织负责人参加会议。",
        "会议要求，各商会要把党建工作摆在突出位置，以党建促会建，以会建促发展。",
        "图为志愿者在社区为居民免费测量血压。",
        ("张三 李四 摄",),
        ("魏都区举办民营企业家培训班", "本报记者 王五"),
        "近日，魏都区工商联举办民营企业家培训班，邀请专家围绕企业管理和政策法规进行授课。",
    )
    result = parse(text)
    assert result.layout == "headline-first"
    first = result.articles[0]
    assert first.kind == "article"
    assert first.byline == "本报记者 李四"
    assert any(a.kind == "photo" and a.byline == "张三 李四 摄" for a in result.articles)


def test_split_articles_caption_under_a_headline_is_only_the_paragraph_above_the_credit() -> None:
    result = parse(PAGE_J)
    assert result.layout == "headline-first"
    assert [(a.kind, a.headline, a.byline) for a in result.articles] == [
        ("article", ("许昌市工商联召开座谈会",), "本报记者 李四"),
        ("photo", (), "张三 李四 摄"),
        ("article", ("魏都区举办民营企业家培训班",), "本报记者 王五"),
    ]
    article, photo, _ = result.articles
    assert [p.text[:4] for p in article.paragraphs] == ["日前，许", "会议要求", "会议还对"]
    assert article.sections == ["以党建促会建"]
    # The caption stands under the photo, not under the article's subhead.
    assert [(p.text, p.section) for p in photo.paragraphs] == [("图为座谈会现场。", None)]


def test_split_articles_titled_photo_under_a_headline_keeps_its_title() -> None:
    # A headline over a lone paragraph and a credit is a photo item with a title (图片新闻).
    text = wrap(
        ("金秋时节稻谷香",),
        "图为农民在田间收割水稻。",
        ("张三 摄",),
        ("魏都区举办民营企业家培训班", "本报记者 王五"),
        "近日，魏都区工商联举办民营企业家培训班，邀请专家围绕企业管理和政策法规进行授课。",
    )
    result = parse(text)
    assert [(a.kind, a.headline, a.byline) for a in result.articles] == [
        ("photo", ("金秋时节稻谷香",), "张三 摄"),
        ("article", ("魏都区举办民营企业家培训班",), "本报记者 王五"),
    ]


def test_split_articles_long_headless_run_before_a_credit_keeps_its_article() -> None:
    # Without a headline, more paragraphs than a caption holds are an article that lost its headline.
    paras = [f"第{n}段，许昌市工商联召开商会党建工作座谈会，市属各商会负责人参加会议。" for n in range(1, 6)]
    result = parse(wrap(*paras, ("张三 摄",)))
    article, photo = result.articles
    assert article.kind == "article" and len(article.paragraphs) == 2
    assert photo.kind == "photo" and [p.text[:3] for p in photo.paragraphs] == ["第3段", "第4段", "第5段"]
