"""The shapes in which an article prints a list: (article, passage) -> candidate lists of cited items.

Runs of parallel paragraph heads (实施“政商联通工程”。… / 突出政治引领。… / a head standing alone above
its body), section heads, ordinal sequences (一是…二是…, 一、…二、…, （一）…, 第一，…), enumerations in a
sentence (A、B和C等) and runs of quoted names (“葛商学院”“红色课堂”…). Which of them answers a question is
decided in lists.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from retrieval.models import Article, Hit, ListItem
from retrieval.terms.tagging import tagged_words

# A paragraph head: a run-in head ending at the first 。 or ： (实施“政商联通工程”。), or a clause that
# opens with the words its neighbours open with (聚焦“融合化”，…). A head of this length or less ending a
# short sentence is a head even where its neighbours open differently (突出政治引领。 / 强化组织建设。).
MAX_LEAD_CHARS = 24
MAX_HEAD_CHARS = 16
SHARED_PREFIX = 2  # parallel leads open with the same characters (聚焦, 实施, 抓)
_LEAD_END = re.compile(r"[。：:]")
_CLAUSE_END = re.compile(r"[，,；;。]")
# Items may hold quoted words (“一带一路”国别信息库); the run stops at a clause's end.
ENUMERATION = re.compile(r"[^，。；：、]{2,16}(?:、[^，。；：、]{2,16})+")
QUOTED_RUN = re.compile(r"(?:“[^“”]{2,12}”(?:、|和|及|与)?){3,}")  # “生存型”“成长型”和“名特优新”
# What ends an enumeration's last item: 等, or the count said of the items (…联络网三个板块, …四类).
_LAST_ENDS = re.compile(r"等|[一二三四五六七八九十两\d]+(?:个|项|类|种|大|条|家|所|名)?[\u4e00-\u9fff]{0,2}$")
_COUNT_AFTER = re.compile(r"([一二三四五六七八九十]|\d+)(?:个|项|类|种|大|条|家|所|名|市|县|区|省|国|方面)")
_BULLETS = "◆◇■□●○▲△★☆·•▶►"
_ORDINALS = "一二三四五六七八九十"
_NUMERALS = {c: n for n, c in enumerate(_ORDINALS, start=1)} | {"两": 2}
# Ordinal markers, each style numbering its items from 一: 一是, 第一，, （一）, and 一、 opening a sentence.
_ORDINAL_STYLES = (
    r"(?P<n>[一二三四五六七八九十])是",
    r"第(?P<n>[一二三四五六七八九十])[，,、]",
    r"[（(](?P<n>[一二三四五六七八九十])[）)]",
    r"(?:^|(?<=[。！？”]))(?P<n>[一二三四五六七八九十])、",
)
_ITEM_END = re.compile(r"[，,。；;：:！？]")
MAX_ORDINAL_ITEM = 20


@dataclass(frozen=True)
class _Lead:
    """A paragraph's head: its text, its 1-based paragraph, its section, and its shape."""

    text: str
    paragraph: int
    section: str | None
    run_in: bool  # a short sentence of its own (突出政治引领。), not an opening clause
    alone: bool  # the whole paragraph: its body is the next paragraph


def count_of(numeral: str) -> int:
    """Return the value of a count as printed: digits or one Chinese numeral (五 -> 5, 两 -> 2)."""
    return int(numeral) if numeral.isdigit() else _NUMERALS[numeral]


def items_of(article: Article, hit: Hit, found: Sequence[tuple[str, int]]) -> list[ListItem]:
    """Return list items of an article, each cited to its paragraph (``found``: text, 1-based paragraph)."""
    out = []
    for text, n in found:
        para = article.paragraphs[n - 1]
        chunk = replace(hit.chunk, paragraph=n, section=para.section, text=para.text)
        out.append(ListItem(text.lstrip(_BULLETS).strip(), article.id, n, chunk))
    return out


def lead_runs(article: Article, hit: Hit) -> list[list[ListItem]]:
    """Return the runs of paragraph heads of a section that run parallel: consecutive paragraphs (or a head
    standing alone, its body, the next head) whose heads open alike or are short sentences of their own."""
    runs: list[list[_Lead]] = []
    for n, paragraph in enumerate(article.paragraphs, start=1):
        lead = _lead(paragraph.text, n, paragraph.section)
        last = runs[-1][-1] if runs else None
        if lead and last and _parallel(last, lead):
            runs[-1].append(lead)
        elif last and last.alone and n == last.paragraph + 1:
            continue  # the body of a head standing alone
        elif lead:
            runs.append([lead])
    # Heads that repeat are labels, not items (记者： … 顾文清： … in an interview).
    distinct = [run for run in runs if len(run) >= 2 and len({x.text for x in run}) == len(run)]
    return [items_of(article, hit, [(x.text, x.paragraph) for x in run]) for run in distinct]


def _parallel(last: _Lead, lead: _Lead) -> bool:
    """Tell whether a head continues the run that ``last`` ends: it follows, in the same section, and opens
    alike or is a short sentence of as many clauses (事业兴衰，关键在党。 opens no run of 突出政治引领。)."""
    follows = lead.paragraph == last.paragraph + 1 or (last.alone and lead.paragraph == last.paragraph + 2)
    shaped_alike = last.run_in and lead.run_in and _clauses(last.text) == _clauses(lead.text)
    alike = last.text[:SHARED_PREFIX] == lead.text[:SHARED_PREFIX] or shaped_alike
    return follows and alike and last.section == lead.section


def _clauses(head: str) -> int:
    """Return how many clauses a head has (防疫抗疫，商会在行动: 2), which parallel heads share."""
    return len(_CLAUSE_END.split(head))


def _lead(text: str, n: int, section: str | None) -> _Lead | None:
    """Return a paragraph's head: its run-in head (up to 。 or ：) or its first clause, if short."""
    text = text.strip()
    for pattern in (_LEAD_END, _CLAUSE_END):
        m = pattern.search(text)
        if m and 2 <= m.start() <= MAX_LEAD_CHARS:
            head = text[: m.start()].strip()
            run_in = pattern is _LEAD_END and len(head) <= MAX_HEAD_CHARS and not re.search(r"[；;\d]", head)
            return _Lead(head, n, section, run_in, run_in and m.end() >= len(text))
    return None


def section_heads(article: Article, hit: Hit) -> list[ListItem]:
    """Return the article's section heads, each cited to the first paragraph under it."""
    firsts: dict[str, int] = {}
    for n, p in enumerate(article.paragraphs, start=1):
        if p.section:
            firsts.setdefault(p.section, n)
    return items_of(article, hit, list(firsts.items())) if len(firsts) >= 2 else []


def ordinal_runs(article: Article, hit: Hit) -> list[list[ListItem]]:
    """Return the ordinal sequences of an article, each style counted from 一 in order (一是… 二是…, 一、…
    二、…), an item running from its marker to the end of its clause."""
    runs = []
    for style in _ORDINAL_STYLES:
        sequences: list[list[tuple[str, int]]] = []
        for n, paragraph in enumerate(article.paragraphs, start=1):
            for m in re.finditer(style, paragraph.text):
                at = _ORDINALS.index(m["n"])
                end = _ITEM_END.search(paragraph.text, m.end())
                item = (paragraph.text[m.end() : end.start() if end else None][:MAX_ORDINAL_ITEM], n)
                if at == 0:
                    sequences.append([item])  # 一 opens a sequence
                elif sequences and at == len(sequences[-1]):
                    sequences[-1].append(item)
        runs += [items_of(article, hit, found) for found in sequences if len(found) >= 2]
    return runs


def enumerations(hit: Hit, sentence: str) -> list[tuple[re.Match[str], list[ListItem]]]:
    """Return the enumerations of one of the passage's sentences with their items, cited to the passage;
    counts (68名党员、5名预备党员) are no items."""
    return [
        (m, items)
        for m in ENUMERATION.finditer(sentence)
        if (items := _enumeration(hit, m.group()))
        and 2 * sum(i.text[:1].isdigit() for i in items) < len(items)
    ]


def quoted_runs(hit: Hit, sentence: str) -> list[tuple[re.Match[str], list[ListItem]]]:
    """Return the runs of quoted names in a sentence (“葛商学院”“红色课堂”…), cited to the passage."""
    return [
        (
            m,
            [
                ListItem(q, hit.chunk.article_id, hit.chunk.paragraph, hit.chunk)
                for q in re.findall(r"“[^“”]+”", m[0])
            ],
        )
        for m in QUOTED_RUN.finditer(sentence)
    ]


def _enumeration(hit: Hit, run: str) -> list[ListItem]:
    """Return the items of an enumeration (A、B、C; A、B和C) in a sentence of the passage, cited to it:
    the first item starts after the verb that introduces it, the last ends before 等 or the count."""
    parts = [p.strip() for p in run.split("、")]
    last = _LAST_ENDS.split(_until_count(_until_unpaired(parts[-1]), len(parts)))[0]
    parts[-1:] = [p.strip() for p in re.split(r"和|及|与", last) if p.strip()] or [parts[-1]]  # A、B和C
    parts[0] = _first_item(parts[0], parts[1:])
    items = [_balanced(p) for p in parts]
    return [ListItem(p, hit.chunk.article_id, hit.chunk.paragraph, hit.chunk) for p in items if p]


def _until_unpaired(text: str) -> str:
    """Return a last item up to the closing quote it has no opening for: the enumeration was quoted
    (“十分钟分派、两小时响应、三天内办结”的工作要求)."""
    end = text.find("”")
    return text[:end] if end >= 0 and "“" not in text[:end] else text


def _until_count(text: str, items: int) -> str:
    """Return a last item up to the count the sentence gives of the items (徐州五市的工商联: 徐州), where
    that count is the enumeration's own (this many items, or one more after 和)."""
    for m in _COUNT_AFTER.finditer(text):
        if m.start() >= 2 and count_of(m[1]) in (items, items + 1):
            return text[: m.start()]
    return text


def _balanced(item: str) -> str:
    """Return an item without a quotation mark the enumeration's run cut from its pair (“十分钟分派)."""
    if item.count("“") > item.count("”"):
        item = item.replace("“", "", 1) if item.startswith("“") else item
    if item.count("”") > item.count("“"):
        item = item[:-1] if item.endswith("”") else item
    return item.strip()


def _first_item(text: str, others: Sequence[str]) -> str:
    """Return where the first item of an enumeration starts: after the verb (preposition, 的) that leaves it
    closest in length to the other items (采取|产业扶贫 beside 就业扶贫; 举办|商会红色传承培训班 beside
    党建工作培训班, not 传承|培训班)."""
    words = tagged_words(text)
    cuts = [text] + [
        "".join(w for w, _ in words[i + 1 :])
        for i, (_, tag) in enumerate(words[:-1])
        if tag.startswith(("v", "p", "u")) and not words[i + 1][1].startswith("u")  # 反映|了用电增容
    ]
    mean = sum(map(len, others)) / len(others) if others else len(text)
    return min((c for c in cuts if len(c) >= 2), key=lambda c: (abs(len(c) - mean), len(c)), default=text)
