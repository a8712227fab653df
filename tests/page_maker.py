"""Compose newspaper pages from articles, as the e-paper dumps print them, for property tests.

An article is a headline block (kicker, main title, subtitle), a byline (in the lead, on a line of its
own, or none) and paragraphs. A page prints its articles with headlines after the body or before it,
hard-wrapped at a column width (paragraphs set apart by blank lines, or opened by an ideographic
indent with none between them), with PDF-like artefacts: column breaks (a blank line inside a paragraph),
letter-spaced lines (`商 会 组 织`) and a page header. The conventions a reader relies on hold: a single
headline line is told from a subhead by a byline or a dispatch opener (本报讯) next to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from retrieval.parse.text import ends_sentence, squeeze_line
from retrieval.parse.text import width as text_width

REPORTERS = ("张三", "李四", "王丽华", "徐鼎烨", "魏东雅", "苏杭", "刘岩", "赵晓明", "孙七", "高建平")
KICKERS = ("聚焦万人助企", "优化营商环境", "党建引领商会发展", "抓党建 促会建", "服务企业发展")
TITLES = (
    "市工商联召开商会工作会",
    "长葛市商会基地揭牌",
    "禹州市举办企业家培训班",
    "魏都区开展助企纾困活动",
    "鄢陵县花木商会助农增收",
    "襄城县举办企业用工招聘会",
    "市总商会组团参加博览会",
    "建安区商会调解中心成立",
    "市餐饮协会：为小店撑起“安全伞”",  # a headline naming its subject before a colon
    "鄢陵花木商会：抱团闯市场",
)
SUBTITLES = ("——许昌市工商联工作综述", "——商会改革发展侧记", "为企业发展保驾护航", "让会员企业得实惠")
# Clauses of a sentence: short, so that every full line holds a punctuation mark, plus one long one that
# opens with 记者 (the reported failure: a body line opening with 记者 read as a byline).
CLAUSES = (
    "近日",
    "市工商联组织所属商会负责人",
    "赴长葛市观摩学习",
    "实地参观了商会基地",
    "会议指出",
    "要坚持问题导向",
    "切实帮助企业解决实际困难",
    "商会服务能力明显提升",
    "会员企业纷纷表示",
    "将继续当好企业的娘家人",
    "记者近日走访多家商会和会员企业发现",
    "各商会积极履行社会责任",
    "负责人表示：商会将继续做好服务",  # a colon inside a sentence is no headline's
)


@dataclass(frozen=True)
class MadeArticle:
    """An article as written: what a parser must give back."""

    headline: tuple[str, ...]
    byline_line: str | None  # a line of its own beside the headline (本报记者 张三)
    lead: str  # the first paragraph's opener ("" or 本报讯（记者 张三 通讯员 李四）)
    paragraphs: tuple[str, ...]  # the first one starts with the lead

    @property
    def byline(self) -> str | None:
        """The byline a reader sees: the line as printed (squeezed), or the lead's reporters."""
        if self.byline_line:
            return squeeze_line(self.byline_line.split(" 通讯员 ")[0])
        if "（记者" in self.lead:
            names = self.lead.split("（记者 ")[1].split("）")[0].split(" 通讯员 ")[0]
            return f"记者 {names}"
        return None


@dataclass(frozen=True)
class MadePage:
    text: str
    articles: tuple[MadeArticle, ...]
    layout: str


@st.composite
def sentences(draw: st.DrawFn) -> str:
    clauses = draw(st.lists(st.sampled_from(CLAUSES), min_size=1, max_size=4))
    return "，".join(clauses) + "。"


@st.composite
def articles(draw: st.DrawFn, title: str) -> MadeArticle:
    headline = [title]
    if draw(st.booleans()):
        headline.insert(0, draw(st.sampled_from(KICKERS)))
    if draw(st.booleans()):
        headline.append(draw(st.sampled_from(SUBTITLES)))
    names = draw(st.lists(st.sampled_from(REPORTERS), min_size=1, max_size=2, unique=True))
    helpers = [n for n in REPORTERS if n not in names][:1]
    kinds = ("lead", "lead+contributors", "line", "line+contributors", "none", "xinhua")
    kind = draw(st.sampled_from(kinds))
    lead, line = "", None
    if kind == "lead":
        lead = f"本报讯（记者 {' '.join(names)}）"
    elif kind == "lead+contributors":
        lead = f"本报讯（记者 {' '.join(names)} 通讯员 {helpers[0]}）"
    elif kind == "xinhua":
        lead = f"新华社北京电（记者 {names[0]}）"
    elif kind.startswith("line"):
        line = f"本报记者 {' '.join(names)}" + (f" 通讯员 {helpers[0]}" if "+" in kind else "")
    paragraphs = draw(st.lists(st.lists(sentences(), min_size=1, max_size=3), min_size=1, max_size=3))
    texts = ["".join(p) for p in paragraphs]
    texts[0] = lead + texts[0]
    return MadeArticle(tuple(headline), line, lead, tuple(texts))


def _wrap(text: str, width: int, breaks: set[int], spaced: set[int]) -> list[str]:
    """Hard-wrap a paragraph; a column break (blank line) after the line numbers in `breaks` (in
    mid-sentence), letter spacing on those in `spaced`."""
    lines = [""]
    for ch in text:  # a column holds `width` printed cells; layout spaces take none
        if text_width(lines[-1]) >= width and not ch.isspace():
            lines.append("")
        lines[-1] += ch
    out: list[str] = []
    for n, line in enumerate(lines):
        out.append(" ".join(line) if n in spaced and n < len(lines) - 1 else line)
        # A break after a finished sentence is a paragraph break as far as anyone can tell.
        if n in breaks and 2 <= n + 1 < len(lines) and not ends_sentence(line):
            out.append("")
    return out


def _readable(made: list[MadeArticle], layout: str) -> list[MadeArticle]:
    """Give a one-line headline a kicker where nothing beside it tells it from a subhead: a byline line,
    or a dispatch opener (本报讯) on the body it heads (before) or the article after it (after)."""
    out = []
    for i, art in enumerate(made):
        after = made[i + 1] if i + 1 < len(made) else None
        opener = art.lead if layout == "headline-first" else (after.lead if after else "end")
        if len(art.headline) == 1 and not art.byline_line and not opener:
            art = MadeArticle(("服务企业发展", *art.headline), None, art.lead, art.paragraphs)
        out.append(art)
    return out


@st.composite
def pages(draw: st.DrawFn) -> MadePage:
    titles = draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=4, unique=True))
    layout = draw(st.sampled_from(("headline-after", "headline-first")))
    made = _readable([draw(articles(t)) for t in titles], layout)
    width = draw(st.integers(min_value=14, max_value=18))
    groups: list[str] = []
    if draw(st.booleans()):
        groups.append("MINSHENG JINGJI\n经济")
    # Papers that open each paragraph with an ideographic indent print no blank line between paragraphs,
    # and may set the headline block tight above the text.
    indent = "\u3000\u3000" if draw(st.booleans()) else ""
    for art in made:
        head = "\n".join(art.headline + ((art.byline_line,) if art.byline_line else ()))
        body = []
        for text in art.paragraphs:
            breaks = set(draw(st.lists(st.integers(0, 8), max_size=1)))
            spaced = set(draw(st.lists(st.integers(1, 8), max_size=1)))
            body.append("\n".join(_wrap(indent + text, width, breaks, spaced)))
        if indent:
            body = ["\n".join(body)]
        if indent and layout == "headline-first" and draw(st.booleans()):
            body, head = [f"{head}\n{body[0]}"], ""
        groups.extend([g for g in ([head, *body] if layout == "headline-first" else [*body, head]) if g])
    return MadePage("\n\n".join(groups) + "\n", tuple(made), layout)
