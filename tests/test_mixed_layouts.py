"""A page may mix layouts: a feature with its headline first, then short items whose headlines are set
tight under their bodies (no blank line), then one headed again. Where a headline block is set tight
against one neighbour and apart from the other, it belongs to that neighbour."""

from __future__ import annotations

from retrieval.models import Page
from retrieval.parse.articles import split_articles

PAGE = """特写
鞋企老板们的夜校

晚上7点半，陈埭镇商会大楼三楼的
报告厅灯火通明，六十多名学员在听课。

夜校已开课18期，累计有1100多人
次参加，全部免费。
（记者 庄思敏 通讯员 王晋元）

记者昨日从石狮市服装城商会获悉，
该商会推出共享设计师服务，每款设
计费最低只需800元。
（记者 蔡雅婷）
石狮服装商会推出共享设计师
中小企业花小钱用上大设计

本报讯（记者 郑婉如）南安市工商联
日前选聘18名执业律师担任商会法律
顾问。
南安市工商联选聘法律顾问

晋江发布民营企业服务十条

本报讯（记者 陈一帆）9月25日，晋
江市发布服务民营企业的十条措施。
"""


def test_headlines_set_tight_under_their_bodies_close_them_on_a_headline_first_page() -> None:
    articles = split_articles(Page(source="x.txt", text=PAGE)).articles
    assert [a.headline for a in articles] == [
        ("特写", "鞋企老板们的夜校"),
        ("石狮服装商会推出共享设计师", "中小企业花小钱用上大设计"),
        ("南安市工商联选聘法律顾问",),
        ("晋江发布民营企业服务十条",),
    ]
    assert [a.byline for a in articles] == ["记者 庄思敏", "记者 蔡雅婷", "记者 郑婉如", "记者 陈一帆"]
    assert articles[1].paragraphs[0].text.startswith("记者昨日从石狮市服装城商会获悉")
    assert articles[2].paragraphs[-1].text.endswith("顾问。")


def test_a_paragraph_cut_by_a_column_break_is_no_headline() -> None:
    page = """甲市商会召开年会

本报讯 甲市商会日前召开年会。会上，
商会会长作了工作报告，总结过去一年
的工作并部署今年的重点任务和各项具
体安排

会议还表彰了一批优秀会员企业。
"""
    (article,) = split_articles(Page(source="x.txt", text=page)).articles
    assert "具体安排会议还表彰" in "".join(p.text for p in article.paragraphs)


def test_a_credit_set_over_its_caption_takes_the_caption_not_the_article_above() -> None:
    page = """甲市召开民营经济座谈会

本报讯（记者 樊少华）6月11日，甲市召开
民营经济发展座谈会。
会议指出，要持续优化营商环境。

本报记者　樊少华　摄
6月11日，参加座谈会的企业家
代表在会前交流。

乙县商会开展培训

本报讯 乙县商会日前组织会员企业开展
安全生产培训。

通讯员　庞立伟　摄
乙县商会会员企业员工参加培训。
"""
    article, photo, other, second_photo = split_articles(Page(source="x.txt", text=page)).articles
    assert article.paragraphs[-1].text.endswith("要持续优化营商环境。")
    assert photo.kind == "photo" and photo.paragraphs[0].text.startswith("6月11日，参加座谈会")
    assert (photo.byline, photo.contributors) == ("本报记者 樊少华 摄", None)
    assert other.headline == ("乙县商会开展培训",)
    assert (second_photo.byline, second_photo.contributors) == (None, "通讯员 庞立伟 摄")


def test_indented_text_with_a_byline_first_and_headlines_set_tight_after_their_bodies() -> None:
    page = """■本报记者 沈佳怡
　通讯员 甬工宣 文/图
　　5月20日上午，北仑区小港街道的一家模
具企业会议室里坐满了人。
　　据统计，今年以来，“企业服务日”共收
集企业诉求186条，现场解决97条。
一张“服务清单”背后的减负账
——宁波市总商会“企业服务日”走进北仑侧记

　　本报讯（记者 孙立航 通讯员 王珂）昨
天，宁波商会“走出去”联盟在鄞州成立，首
批成员包括28家商会和行业协会。
宁波商会“走出去”联盟成立
"""
    first, second = split_articles(Page(source="x.txt", text=page)).articles
    assert first.headline == ("一张“服务清单”背后的减负账", "——宁波市总商会“企业服务日”走进北仑侧记")
    assert (first.byline, first.contributors) == ("本报记者 沈佳怡", "通讯员 甬工宣 文/图")
    assert first.paragraphs[-1].text.endswith("现场解决97条。")
    assert second.headline == ("宁波商会“走出去”联盟成立",)
    assert second.paragraphs[-1].text.endswith("28家商会和行业协会。")


def test_a_subtitle_with_a_comma_and_an_outlets_byline_over_indented_text() -> None:
    page = """深读
异地商会在蓉“扎根”记
成都市在册异地商会达到132家，会员企业超过3.6万家
成都日报锦观新闻记者 周蔓婷 唐子豪 实习生 杨欣
　　从“一个人闯成都”到“一群人建商会”，
再到“一个商会带一条链”，在蓉异地商会数量
增长了近一倍。
　　这些商会正在从“老乡会”变成“服务站”。
"""
    (article,) = split_articles(Page(source="x.txt", text=page)).articles
    subtitle = "成都市在册异地商会达到132家，会员企业超过3.6万家"
    assert article.headline == ("深读", "异地商会在蓉“扎根”记", subtitle)
    assert (article.byline, article.contributors) == ("成都日报锦观新闻记者 周蔓婷 唐子豪", "实习生 杨欣")
    assert article.paragraphs[0].text.startswith("从“一个人闯成都”")


def test_a_main_title_with_a_comma_over_a_byline_filed_from_a_city() -> None:
    page = """鲁商“抱团”闯市场，年会签下百亿订单
——省工商联（总商会）2025年鲁商新春座谈会侧记
记者 孔令航 实习生 赵一涵 济南报道
　　1月13日，山东省工商联（总商会）在济南
举办2025年鲁商新春座谈会。
　　会上，23个合作项目集中签约。
"""
    (article,) = split_articles(Page(source="x.txt", text=page)).articles
    assert article.headline[0] == "鲁商“抱团”闯市场，年会签下百亿订单"
    assert article.byline == "记者 孔令航" and article.contributors == "实习生 赵一涵 济南报道"
    assert article.paragraphs[0].text.startswith("1月13日")


def test_a_lone_headline_wider_than_the_column_is_no_wrapped_line() -> None:
    page = """林州素有“建筑之乡”之称，在外务工
的建筑从业人员超过10万人。商会先后
在北京、天津、西安设立了3个驻外联络
处，为会员企业提供项目信息服务。

元建军说，商会还与外地住建部门建立
了沟通机制，去年以来已帮助会员企业
追回工程款1.3亿元。
（记者 温雅 通讯员 庞立伟）

林州市建筑业商会为会员企业“走出去”搭台

7月17日，内黄县一家果蔬加工企业的
工人在分拣辣椒。
通讯员 庞立伟 摄
"""
    article, photo = split_articles(Page(source="x.txt", text=page)).articles
    assert article.headline == ("林州市建筑业商会为会员企业“走出去”搭台",)
    assert (article.byline, article.contributors) == ("记者 温雅", "通讯员 庞立伟")
    assert photo.kind == "photo" and photo.paragraphs[0].text.startswith("7月17日")


def test_a_label_over_a_title_that_prints_a_comma_heads_the_commentary_under_it() -> None:
    page = """甲市总商会完成换届

本报讯（记者 孟凡）4月12日，甲市总商会召开会员代表大会。

短评
商会换届，换的是担子

一家商会办得好不好，会员企业心里最有数。

换届换的不是头衔，而是担子。
"""
    first, comment = split_articles(Page(source="x.txt", text=page)).articles
    assert comment.headline == ("短评", "商会换届，换的是担子")
    assert comment.paragraphs[0].text.startswith("一家商会办得好不好")
    assert first.paragraphs[-1].text.endswith("会员代表大会。")


def test_a_two_line_headline_as_wide_as_the_column_closes_the_body_above_it() -> None:
    page = """据新华社电　全国工商联日前发布年度
万家民营企业评营商环境调查结果。调
查显示，民营企业家对营商环境的总体
满意度继续提升。

本次调查共收集有效问卷8.6万份，覆
盖全国31个省（区、市），受访企业认
为拖欠账款仍是主要困难。
全国工商联发布民营企业营商环境报告
民营企业家对营商环境满意度稳步提升

宜昌组建磷化工产业链商会

本报讯（记者 黄雅琪）12月9日，宜昌市磷
化工产业链商会成立。
"""
    first, second = split_articles(Page(source="x.txt", text=page)).articles
    assert first.headline == ("全国工商联发布民营企业营商环境报告", "民营企业家对营商环境满意度稳步提升")
    assert first.paragraphs[-1].text.endswith("仍是主要困难。")
    assert second.headline == ("宜昌组建磷化工产业链商会",)


def test_a_caption_ending_with_its_credit_without_brackets_is_a_photo() -> None:
    page = """访谈
民营企业家最看重的是可预期

记者：您怎么看今年的营商环境？

顾文清：重点做好三件事，让企业家安心谋发展。

3月6日，苏州工业园区一家生物医药企业的研发人
员在实验室内工作。　本报记者 钱俊逸 摄

在苏异地商会抱团护航会员企业

本报讯（记者 许婧）3月7日，苏州市温州商会等12家异地商会签署协议。
"""
    interview, photo, news = split_articles(Page(source="x.txt", text=page)).articles
    assert photo.kind == "photo" and photo.byline == "本报记者 钱俊逸 摄"
    assert interview.paragraphs[-1].text.endswith("安心谋发展。")
    assert news.headline == ("在苏异地商会抱团护航会员企业",)


def test_a_title_over_bulleted_briefs_heads_them_as_one_item() -> None:
    page = """评论
让娘家人更懂企业难处

商会被称作企业的娘家，这个称呼是沉甸甸的。

民营经济简讯

■4月10日，市总商会青年企业家分会举办第十二期青商讲堂。

■乐清市工商联日前组织42家电气企业赴越南参加国际电力展。
（通讯员 叶盛凯）
"""
    comment, briefs = split_articles(Page(source="x.txt", text=page)).articles
    assert comment.headline == ("评论", "让娘家人更懂企业难处") and len(comment.paragraphs) == 1
    assert briefs.headline == ("民营经济简讯",) and len(briefs.paragraphs) == 2
    assert briefs.contributors == "通讯员 叶盛凯"


def test_a_credit_naming_the_outlet_is_a_photo_credit() -> None:
    page = """成都“蓉易办”平台上线“商会专区”

本报讯（记者 何沁）11月4日，成都政务服务平台上线商会专区。

　　11月1日，成都市浙江商会“营商服务驿
站”内，工作人员为企业办理业务。
成都日报锦观新闻记者 唐子豪 摄
"""
    article, photo = split_articles(Page(source="x.txt", text=page)).articles
    assert photo.kind == "photo" and photo.byline == "成都日报锦观新闻记者 唐子豪 摄"
    assert article.byline == "记者 何沁"


def test_a_byline_between_a_body_and_the_headline_set_tight_under_it() -> None:
    page = """　　记者从济南市市场监管局获悉，自1月15日
起，个体工商户转型为企业时可以保留原有字号。
　　截至去年底，济南共有个体工商户118.6万户。
齐鲁晚报·齐鲁壹点记者 刘琳
济南“个转企”可保留原字号

山东民营企业研发投入占比超七成

　　本报讯（记者 马骏）2024年山东民营企业研发投入占全省企业研发投入的七成以上。
"""
    first, second = split_articles(Page(source="x.txt", text=page)).articles
    assert first.headline == ("济南“个转企”可保留原字号",)
    assert first.byline == "齐鲁晚报·齐鲁壹点记者 刘琳"
    assert second.headline == ("山东民营企业研发投入占比超七成",)


def test_a_headline_closing_text_after_a_headed_article_takes_only_that_text() -> None:
    page = """成都“蓉易办”平台上线“商会专区”
　　本报讯（记者 何沁）11月4日，成都政务服务平台
上线“商会专区”，商会可在线完成年度报告。

　　近日，锦江区工商联举办第六期民营企业家沙龙，
20余位企业负责人围绕“夜间经济”建言献策。
　　据了解，锦江区今年以来已累计开展沙龙6期。
锦江区民营企业家沙龙聚焦“夜间经济”
"""
    first, second = split_articles(Page(source="x.txt", text=page)).articles
    assert first.headline == ("成都“蓉易办”平台上线“商会专区”",) and len(first.paragraphs) == 1
    assert second.headline == ("锦江区民营企业家沙龙聚焦“夜间经济”",)
    assert second.paragraphs[0].text.startswith("近日，锦江区工商联") and len(second.paragraphs) == 2
