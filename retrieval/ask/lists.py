"""Lists: a question asking for the items of something (包括哪几项, 哪六抓, 分别是什么) -> the list the
archive prints, each item cited to its paragraph.

Three shapes of list are read from the article of the best passages: a run of parallel paragraph leads
(实施“政商联通工程”。… / 聚焦“融合化”，…), the article's section heads (抓党建 促商会模范带动 …), and an
enumeration inside the evidence sentence (总体技术架构、智能中枢、企业服务应用). The list that holds the
best passage and, where the question says how many (哪六抓, 六个聚焦), has that many items, is taken.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from retrieval.models import Article, Hit, ListItem
from retrieval.parse.chunks import sentences
from retrieval.terms.tagging import tagged_words
from retrieval.terms.tokens import prepare

_ASKS = re.compile(
    r"包括哪|包含哪|分别是|分别为|分别有|分别聚焦|分别指|哪几|哪些方面|哪[一二三四五六七八九十两\d]+[个项条抓点类种大方]|"
    r"哪些|都有什么|都是什么|具体是什么|具体有什么|分成哪|分为哪|"
    r"\bwhat are the\b|\bwhich are the\b|^\s*list\b|\bname the\b"
    r"|\bwhat (?:were|are) (?:its|their|the) \w+s\b",
    re.IGNORECASE,
)
_NUMERAL = {c: n for n, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}
_COUNTED = re.compile(r"([一二三四五六七八九十两\d])\s*(?:个|项|条|大|抓|点|类|种|方面|部分)")
# A paragraph lead: a run-in head ending at the first 。 or ： (实施“政商联通工程”。), or a clause that
# opens with the words its neighbours open with (聚焦“融合化”，…).
MAX_LEAD_CHARS = 24
_LEAD_END = re.compile(r"[。：:]")
_CLAUSE_END = re.compile(r"[，,；;。]")
_ENUMERATION = re.compile(r"[^，。；：、“”]{2,16}(?:、[^，。；：、“”]{2,16})+")
_QUOTED_RUN = re.compile(r"(?:“[^“”]{2,12}”、?){3,}")  # 五大培训模式，即“葛商学院”“红色课堂”“精益讲堂”
# What a list question asks the items of: after the ask and its classifier, up to a particle, an adverb
# or a mark (哪三个标准正在征求意见 -> 标准).
_ASKED = re.compile(
    r"哪?[几一二三四五六七八九十两\d]*[个项条种家位类大些点所抓]?(?P<what>[\u4e00-\u9fff]*?)"
    r"(?=的|了|在|正|已|还|是|都|呢|吗|能|可|要|会|有|被|将|分别|[^\u4e00-\u9fff]|$)"
)
_COUNTED_WHAT = re.compile(
    r"[一二三四五六七八九十两\d][个项条种家类大](?P<what>[\u4e00-\u9fff]{2,8}?)"
    r"(?=分别|的|是|有|包括|[^\u4e00-\u9fff])"
)
NAMED_BEFORE = 12  # how far before a quoted run the word it is of may stand (培训模式，即“…”)
MIN_ITEMS = 3
SHARED_PREFIX = 2  # parallel leads open with the same characters (聚焦, 实施, 抓)


def asks_for_list(question: str) -> bool:
    """Tell whether a question asks for the items of something."""
    return bool(_ASKS.search(prepare(question)) or _ASKS.search(question))


def expected_count(question: str) -> int | None:
    """Return how many items the question says there are (哪六抓 -> 6, 六个聚焦 -> 6), if it says."""
    m = _COUNTED.search(prepare(question))
    if not m:
        return None
    return int(m[1]) if m[1].isdigit() else _NUMERAL[m[1]]


def find_list(question: str, hit: Hit, article: Article) -> tuple[ListItem, ...]:
    """Return the list of the best hit's article that answers a list question, or () when none does.

    In order of preference: a run of parallel leads holding the best passage or opening right after it
    (the passage that announces the list), an enumeration in the evidence sentence, the article's section
    heads. Where the question says how many, only a list of that many items is taken.
    """
    at = hit.chunk.paragraph
    want = expected_count(question)
    heads_asked = _asked_after(question)
    # Parallel leads holding the best passage or opening right after it, naming what is asked (聚焦 …).
    runs = [
        run
        for run in _lead_runs(article, hit)
        if run[0].paragraph <= at + 1 <= run[-1].paragraph + 1
        and any(h in re.split(r"[，,]", item.text)[0] for item in run for h in heads_asked)
    ]
    in_passage = sorted(sentences(hit.chunk.text), key=lambda sent: sent != hit.answer_sentence)
    # An enumeration answers when its items name what is asked (…培训班、…培训班) or it is said of it
    # right after (…、消费扶贫等形式); counts (68名党员、5名预备党员) are no items.
    enumerations = [
        items
        for sentence in in_passage
        for m in _ENUMERATION.finditer(sentence)
        if not m.group().lstrip()[:1].isdigit()
        and (items := _enumeration(hit, m.group()))
        and _of_asked(items, _said_after(m, sentence, heads_asked), heads_asked)
    ]
    enumerations += [
        [
            ListItem(q, hit.chunk.article_id, hit.chunk.paragraph, hit.chunk)
            for q in re.findall(r"“[^“”]+”", m[0])
        ]
        for sentence in in_passage
        for m in _QUOTED_RUN.finditer(sentence)
        if any(h in sentence[max(0, m.start() - NAMED_BEFORE) : m.start()] for h in heads_asked)
    ]
    # The section heads answer for the whole article: asked from its opening, or by their number.
    heads = _section_heads(article, hit)
    whole = heads and (len(heads) == want or at < heads[0].paragraph)
    candidates = [*runs, *enumerations, *([heads] if whole else [])]
    fitting = [c for c in candidates if (len(c) == want if want else len(c) >= MIN_ITEMS)]
    return tuple(fitting[0]) if fitting else ()


def _said_after(m: re.Match[str], sentence: str, heads: Sequence[str]) -> str:
    """Return what a sentence says right after an enumeration's last item: from its 等 (…应用等三个标准)
    or its end, as far as the longest head asked."""
    tail = m.group().rsplit("、", 1)[-1]
    start = m.end() - len(tail) + tail.find("等") if "等" in tail else m.end()
    return sentence[start : start + 4 + max(map(len, heads), default=0)]


def _of_asked(items: Sequence[ListItem], after: str, heads: Sequence[str]) -> bool:
    """Tell whether an enumeration is of what is asked: most items end in it (…培训班、…培训班), or it
    is said right after them (…、消费扶贫等形式)."""
    return any(h in after or 2 * sum(i.text.endswith(h) for i in items) >= len(items) for h in heads)


def _asked_after(question: str) -> list[str]:
    """Return what a list question asks the items of, and its last two characters: the words right after
    its asking phrase (哪些扶贫形式 -> 扶贫形式, 形式), else what it counts (4条产业创新链…哪几条 ->
    产业创新链), else what it quotes (“六个聚焦”分别… -> 聚焦). The enumerating sentence names it too."""
    prepared = prepare(question)
    m = _ASKS.search(prepared)
    after = _ASKED.match(prepared, m.end())["what"] if m else ""
    counted = _COUNTED_WHAT.search(prepared)
    quoted = re.search(r"“([^”]{2,})”", prepared)
    for phrase in (after, counted and counted["what"], quoted and quoted[1][-2:]):
        if phrase and len(phrase) >= 2 and not phrase.startswith(("什么", "哪")):
            return list(dict.fromkeys([phrase, phrase[-2:]]))
    return []


def _items(article: Article, hit: Hit, found: Sequence[tuple[str, int]]) -> list[ListItem]:
    """Return list items of an article, each cited to its paragraph (``found``: text, 1-based paragraph)."""
    out = []
    for text, n in found:
        para = article.paragraphs[n - 1]
        chunk = replace(hit.chunk, paragraph=n, section=para.section, text=para.text)
        out.append(ListItem(text, article.id, n, chunk))
    return out


def _lead_runs(article: Article, hit: Hit) -> list[list[ListItem]]:
    """Return the runs of consecutive paragraphs whose leads run parallel (same opening characters)."""
    runs: list[list[tuple[str, int]]] = []
    for n, paragraph in enumerate(article.paragraphs, start=1):
        lead = _lead(paragraph.text)
        last = runs[-1][-1] if runs and runs[-1] else None
        if lead and last and last[1] == n - 1 and last[0][:SHARED_PREFIX] == lead[:SHARED_PREFIX]:
            runs[-1].append((lead, n))
        elif lead:
            runs.append([(lead, n)])
    return [_items(article, hit, run) for run in runs if len(run) >= 2]


def _lead(text: str) -> str:
    """Return a paragraph's lead: its run-in head (up to 。 or ：) or its first clause, if short."""
    for pattern in (_LEAD_END, _CLAUSE_END):
        m = pattern.search(text)
        if m and 2 <= m.start() <= MAX_LEAD_CHARS:
            return text[: m.start()].strip()
    return ""


def _section_heads(article: Article, hit: Hit) -> list[ListItem]:
    """Return the article's section heads, each cited to the first paragraph under it."""
    firsts: dict[str, int] = {}
    for n, p in enumerate(article.paragraphs, start=1):
        if p.section:
            firsts.setdefault(p.section, n)
    return _items(article, hit, list(firsts.items())) if len(firsts) >= 2 else []


def _enumeration(hit: Hit, run: str) -> list[ListItem]:
    """Return the items of an enumeration (A、B、C; A、B和C) in a sentence of the passage, cited to it:
    the first item starts after the verb that introduces it, the last ends before 等."""
    parts = [p.strip() for p in run.split("、")]
    last = re.split(r"等", parts[-1])[0]
    parts[-1:] = [p.strip() for p in re.split(r"和|及|与", last) if p.strip()] or [parts[-1]]  # A、B和C
    parts[0] = _first_item(parts[0], parts[1:])
    return [ListItem(p, hit.chunk.article_id, hit.chunk.paragraph, hit.chunk) for p in parts if p]


def _first_item(text: str, others: Sequence[str]) -> str:
    """Return where the first item of an enumeration starts: after the verb (or preposition) that leaves it
    closest in length to the other items (采取|产业扶贫 beside 就业扶贫; 举办|商会红色传承培训班 beside
    党建工作培训班, not 传承|培训班)."""
    words = tagged_words(text)
    cuts = [text] + [
        "".join(w for w, _ in words[i + 1 :])
        for i, (_, tag) in enumerate(words[:-1])
        if tag.startswith(("v", "p"))
    ]
    mean = sum(map(len, others)) / len(others) if others else len(text)
    return min((c for c in cuts if len(c) >= 2), key=lambda c: (abs(len(c) - mean), len(c)), default=text)


def list_answer(question: str, hits: Sequence[Hit], article: Article | None) -> tuple[ListItem, ...]:
    """Return the list a list question asks for, from the first hit's article, or ()."""
    if article is None or not hits or not asks_for_list(question):
        return ()
    return find_list(question, hits[0], article)
