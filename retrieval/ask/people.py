"""People beside a title: (sentence, the title asked about) -> where the sentence names its holder.

会长是谁 wants a name beside 会长 (会长黄玉霞, 王维超任局长), found with jieba's part-of-speech tags: a
name cut in two is joined again (副省长何/金平), a two-character name completed (王维|超), and what only
looks like a name (a place opening a name, a company's name) left out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.parse.bylines import SURNAMES
from retrieval.terms.dictionary import PLACE_ENDS
from retrieval.terms.tagging import tagged_words, word_tag

# A person's title: a "who" question about one wants a name beside it (会长是谁 -> 会长黄玉霞).
ROLE = re.compile(r"(?:长|主席|书记|主任|经理|总裁|总监|负责人|创始人|委员|记者|董事|人家|夫妇)$")
_PERSON_TAGS = frozenset({"nr", "nrfg", "nrt"})
OTHER_TITLE = ("副", "总", "名誉", "常务", "执行")  # 副会长 does not answer who the 会长 is
MAX_NAME_CHARS = 4  # a Chinese name jieba cut in two is joined back up to this length
Span = tuple[int, int]  # [start, end) in a sentence
OWNER_SHARE = 2 / 3  # of a body's character pairs, for a passage to name it in other words
_ADMIN = re.compile(f"[{PLACE_ENDS}]")


# How far a name may stand from its title: after it, past further titles (秘书长、党组织负责人黄玉霞;
# 副省长何金平, which jieba cuts 副省长/何/金平), or just before it (王维超任局长).
NAME_AFTER, NAME_BEFORE = 8, 3
NAME_AFTER_TITLES = 30
CLAUSE_BREAK = re.compile(r"[，。；：,;:！？!?]")


def _is_title(word: str, title: str) -> bool:
    """Tell whether a word is the title asked about (会长, 商会会长) and not another one (副会长)."""
    return word.endswith(title) and not word[: -len(title)].endswith(OTHER_TITLE)


# A name, then how it came by the title, then the title (赵景山当选市总商会会长, 魏长河兼任秘书长).
_APPOINTED = re.compile(r"(?:当选为?|担任|出任|兼任|继任|被选为|被推选为|被任命为)[^，。；、：:]{0,10}")


def qualified_people(qualifier: str) -> Callable[[str, Sequence[str]], list[Span]]:
    """Return how a sentence names the holder of a title the question qualifies (党支部 of 党支部书记): as
    ``people_beside``, unless every word holding the title there qualifies it otherwise (党组书记,
    市委书记)."""

    def spans(sentence: str, focus: Sequence[str]) -> list[Span]:
        held = [(w, f) for w, _ in tagged_words(sentence) for f in focus if w.endswith(f)]
        other = [w for w, f in held if len(w) > len(f) and not qualifier.endswith(w[: -len(f)])]
        return [] if held and len(other) == len(held) else people_beside(sentence, focus)

    return spans


def names_body(owner: Sequence[str], text: str) -> bool:
    """Tell whether a text names a body, whole or in most of its character pairs: a title held in
    another body's article is not the one asked about."""
    if any(form in text for form in owner):
        return True
    # 信阳市茶商会 is printed 信阳茶商会 too: the pairs are read without the places' 市, 县, 区, 省.
    name, text = _ADMIN.sub("", owner[0]), _ADMIN.sub("", text)
    pairs = [name[i : i + 2] for i in range(len(name) - 1)]
    return sum(p in text for p in pairs) >= OWNER_SHARE * len(pairs)


def people_beside(sentence: str, focus: Sequence[str]) -> list[Span]:
    """Return where the sentence names someone beside the title asked about (局长王维超, 王维超任局长),
    nearest first: a name after the title before one before it."""
    spans, at = [], 0
    for word, tag in tagged_words(sentence):
        spans.append((at, at + len(word), word, tag))
        at += len(word)
    titles = [(start, end) for start, end, word, _ in spans if any(_is_title(word, form) for form in focus)]
    starts, ends = {start for start, *_ in spans}, {end for _, end, _, _ in spans}
    titles += [  # a title the tagger cut in two (常务|副会长), whole words only
        m.span()
        for form in focus
        for m in re.finditer(re.escape(form), sentence)
        if m.start() in starts and m.end() in ends
    ]
    titles = sorted(set(titles))
    found: list[tuple[int, Span]] = []
    # A single character between a title and a name is the name's surname (副省长何金平: 何/金平).
    names = [
        (n_start - 1, n_end)
        if any(n_start - t_end == 1 for _, t_end in titles) and n_end - n_start == 2
        else (n_start, n_end)
        for n_start, n_end in _names(spans, sentence)
    ]
    # A name does not open with a place, nor stand inside a company's name (许昌恒达房地产集团有限公司).
    names = [
        (a, b) for a, b in names if word_tag(sentence[a : a + 2]) != "ns" and not _in_company(sentence, a, b)
    ]
    names += [s for _, t_end in titles if (s := _speaker(sentence, t_end)) and s not in names]
    # Where another title stands right before a name, the name may stand further off: 常务副会长、河南瑞贝卡
    # 发制品股份有限公司总经理郑文青 holds both titles.
    titled = {end for _, end, word, _ in spans if ROLE.search(word)}
    for n_start, n_end in names:
        for t_start, t_end in titles:
            reach = NAME_AFTER_TITLES if n_start in titled else NAME_AFTER
            if 0 <= n_start - t_end <= reach and not CLAUSE_BREAK.search(sentence, t_end, n_start):
                found.append((n_start - t_end, (n_start, n_end)))
            elif 0 <= t_start - n_end <= NAME_BEFORE or _APPOINTED.fullmatch(sentence[n_end:t_start]):
                found.append((NAME_AFTER + t_start - n_end, (n_start, n_end)))
    return list(dict.fromkeys(span for _, span in sorted(found)))


def _names(spans: list[tuple[int, int, str, str]], sentence: str) -> list[Span]:
    """Return people's names among tagged words: a name jieba cut in two joined again (何/金平), and a
    two-character word of its dictionary that is the start of a longer name (王维|超) completed."""
    names: list[Span] = []
    for i, (start, end, _, tag) in enumerate(spans):
        if _surname_after_title(spans, i):
            # 董事长赵|景山, 会长郑|永安: jieba reads a given name that is also a word as that word.
            names.append((start, spans[i + 1][1]))
            continue
        if tag not in _PERSON_TAGS:
            continue
        if names and names[-1][1] == start and end - names[-1][0] <= MAX_NAME_CHARS:
            names[-1] = (names[-1][0], end)
        else:
            names.append((start, end))
    return [_completed(sentence, span) for span in names if span[1] - span[0] >= 2]


def _speaker(sentence: str, at: int) -> Span | None:
    """Return the name between a title ending at ``at`` and a verb of saying (会长元建军介绍): who speaks
    after a title is a person, whatever the tagger makes of a rare surname (元/建军)."""
    m = _SPEAKS.match(sentence, at)
    if not m or "们" in m[1] or m[1][0] in _NUMERALS:
        return None  # 会长们表示, 会长二人介绍: no name
    if any(tag in _NOT_IN_NAMES for _, tag in tagged_words(m[1])):
        return None  # 会长也说, 会长亲自介绍
    return m.span(1)


_NOT_IN_NAMES = frozenset({"d", "p", "c", "u", "r", "y", "f"})  # adverbs, particles, pronouns ...
_NUMERALS = "一二三四五六七八九十两几数"
_SPEAKS = re.compile(r"([\u4e00-\u9fff]{2,3})(?:介绍|表示|告诉|认为|指出|透露|坦言|说)")


def _surname_after_title(spans: list[tuple[int, int, str, str]], i: int) -> bool:
    """Tell whether word i is a lone surname right after a title, followed by a one- or two-character
    word (its given name)."""
    word = spans[i][2]
    if len(word) != 1 or word not in SURNAMES or i == 0 or i + 1 >= len(spans):
        return False
    given = spans[i + 1][2]
    return bool(ROLE.search(spans[i - 1][2])) and len(given) <= 2 and bool(_CJK_NAME.fullmatch(given))


_CJK_NAME = re.compile(r"[\u4e00-\u9fff]{1,2}")
_COMPANY = re.compile(r"[\u4e00-\u9fff]{2,16}?(?:有限公司|有限责任公司|公司|集团|厂)")


def _in_company(sentence: str, start: int, end: int) -> bool:
    """Tell whether a span runs into a company's name printed after it (许昌恒|丰建设有限公司)."""
    m = _COMPANY.match(sentence, start)
    return m is not None and m.end() > end


def _completed(sentence: str, span: Span) -> Span:
    """Complete a two-character name with the character after it unless that one starts the next word
    (王维超为小店 -> 王维超; 黄玉霞向记者; but 郑文青荣获, 张三主持 keep their two or three)."""
    start, end = span
    nxt = sentence[end : end + 1]
    if end - start == 2 and _CJK_CHAR.fullmatch(nxt) and nxt not in _AFTER_NAME:
        return start, end + 1
    return span


# Characters that commonly open the word after a name: prepositions, verbs of reporting and acting.
_AFTER_NAME = frozenset(
    "为向在和与及是等的也都就还又曾已将被把从以于对代发出参作任兼同一称认透告希要会并来去上下提宣致接陪看走听深调现当先多再给让请用不主表介指说讲强带率亲到荣获说"
)
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")


# Where a title's words stop on the left: an organisation's name (许昌市企业家协会|秘书长, 市政数局|政务…).
_ORG_END = re.compile(r"(?:局|会|联|委|办|部|厅|院|所|公司|集团|中心)$")
_TITLE_WORD_TAGS = ("n", "vn", "nt", "j", "b")


def titles_before(sentence: str, focus: Sequence[str]) -> list[Span]:
    """Return where the sentence gives the titles printed right before a person asked about (秘书长、
    党组织负责人黄玉霞 -> 秘书长、党组织负责人; 市政数局政务服务管理科科长宋召强 -> 政务服务管理科科长)."""
    words, at = [], 0
    for word, tag in tagged_words(sentence):
        words.append((at, word, tag))
        at += len(word)
    starts = {start: i for i, (start, _, _) in enumerate(words)}
    found = []
    for form in focus:
        for m in re.finditer(re.escape(form), sentence):
            i = starts.get(m.start())
            if i is None or i == 0 or not ROLE.search(words[i - 1][1]):
                continue
            first = i - 1
            while first > 0:
                word, tag = words[first - 1][1], words[first - 1][2]
                if word == "、" and first > 1 and ROLE.search(words[first - 2][1]):
                    first -= 2  # another title of the same person
                elif tag.startswith(_TITLE_WORD_TAGS) and not _ORG_END.search(word) and not ROLE.search(word):
                    first -= 1
                else:
                    break
            found.append((words[first][0], m.start()))
    return found
