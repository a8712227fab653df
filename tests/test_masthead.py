"""Masthead lines — the paper's name, date, folio, page name, editors — are the page's header and footer,
whatever order and company they come in; a headline, a byline or a page name alone is none."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Archive, Settings
from retrieval.models import Page
from retrieval.parse.articles import split_articles
from retrieval.parse.masthead import is_masthead_line, printed_paper


@pytest.mark.parametrize(
    "line",
    [
        "洛阳日报",
        "2024年4月15日 星期一",
        "第3版",
        "JINGJI XINWEN",
        "责任编辑 陈立舟 校对 韩冰 版式 吕晓楠",
        "洛阳日报 LUOYANG DAILY 2024.4.15 03",
        "05成都日报",  # folio and paper run together once spaces are squeezed
        "宁波日报2024年5月22日A6",
        "本版编辑蒋帆美编高妍",
        "商丘日报社出版 第2版 责任编辑:史慧 校对:谷一然",
        "民营经济·MINYING JINGJI",
        "中共开封市委机关报",
        "今日8版",
        "新闻热线:0595-22500000",
        "www.foshannews.net",
        "责任编辑/许雅玲 美编/黄斌",
        "A06 大河报 2024年11月20日",
    ],
)
def test_masthead_lines(line: str) -> None:
    assert is_masthead_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "经济新闻",  # a page name alone may be a headline
        "本报记者 张三",
        "许昌日报社举办读者开放日",
        "优化营商环境 我们在行动",
        "本报讯",
        "2024年全市经济工作会议",
        "大河报·豫视频记者 蒋一诺",
        "全市新增市场主体3万户，同比增长5%",
    ],
)
def test_not_masthead_lines(line: str) -> None:
    assert not is_masthead_line(line)


PAGE = """南方日报
2024年4月15日　星期一
第3版
经济新闻
JINGJI XINWEN
责任编辑　陈立舟　校对　韩冰

甲市总商会完成换届

本报讯（记者 孟凡）4月12日，甲市总商会召开会员代表大会，选举产生新一届领导班子。

乙区服务专员包联企业

本报讯 记者郝晴报道　乙区抽调62名业务骨干担任企业服务专员。

南方日报　NANFANG DAILY　2024.4.15　03
"""


def test_a_masthead_on_top_and_at_the_foot_leaves_headlines_first() -> None:
    result = split_articles(Page(source="x.txt", text=PAGE))
    assert [a.headline for a in result.articles] == [("甲市总商会完成换届",), ("乙区服务专员包联企业",)]
    assert result.header[0] == "南方日报" and result.header[-1].startswith("南方日报")
    assert result.articles[1].paragraphs[-1].text.endswith("企业服务专员。")


def test_the_paper_and_date_a_page_prints_fill_its_citation() -> None:
    assert printed_paper(("洛阳日报", "2024年4月15日 星期一", "第3版")) == ("洛阳日报", "2024-04-15")
    assert printed_paper(("2024年2月28日 星期三 商丘日报",)) == ("商丘日报", "2024-02-28")
    assert printed_paper(("商丘日报社出版 第2版 责任编辑:史慧",)) == ("商丘日报", None)
    assert printed_paper(("MINSHENG JINGJI", "经济")) == (None, None)
    result = split_articles(Page(source="x.txt", text=PAGE))
    assert (result.articles[0].meta.paper, result.articles[0].meta.date) == ("南方日报", "2024-04-15")


CITY_PAGE = """安阳日报
2024年7月19日　星期五
第4版

上半年我市民营经济稳中有进

本报讯（记者 邱文博）上半年，全市民营经济实现增加值612.4亿元，同比增长6.1%。
"""


def test_a_city_papers_pages_answer_for_the_city_they_leave_unnamed(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "ayrb.txt").write_text(CITY_PAGE, encoding="utf-8")
    archive = Archive.open(Settings(seeds_dir=folder, index_dir=tmp_path / "index", vectors=False))
    assert archive.stats.papers == ("安阳日报",)
    answer = archive.ask("安阳上半年民营经济增加值是多少？")  # 安阳 stands only in the paper's name
    assert answer.answered and "612.4亿元" in answer.hits[0].chunk.text
    assert not archive.ask("郑州上半年民营经济增加值是多少？").answered
