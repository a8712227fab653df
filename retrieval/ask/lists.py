"""Lists: a question asking for the items of something (包括哪几项, 哪六抓, 分别是什么) -> the list the
archive prints, each item cited to its paragraph.

The shapes a list takes are read in list_shapes.py. A list is taken where it names what is asked (哪些扶贫
形式: …等形式; 检测驾驶人哪些指标: 对驾驶人的身高、体重…), or, for a question that asks only for "aspects" or
"measures" (哪几个方面, 哪些做法), where it holds the best passage; where the question says how many (哪六抓,
六个聚焦), only a list of that many items. The best passages are tried in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.ask.english import is_english
from retrieval.ask.english_asks import english_list_heads
from retrieval.ask.list_shapes import (
    count_of,
    enumerations,
    lead_runs,
    ordinal_runs,
    quoted_runs,
    section_heads,
)
from retrieval.models import Article, Hit, ListItem
from retrieval.parse.chunks import sentences
from retrieval.terms.tagging import tagged_words
from retrieval.terms.tokens import prepare

_ASKS = re.compile(
    r"包括哪|包含哪|分别是|分别为|分别有|分别聚焦|分别指|哪几|哪[一二三四五六七八九十两\d]+[个项条抓点类种大方]|"
    r"哪些|都有什么|都是什么|具体是什么|具体有什么|分成哪|分为哪|"
    r"\bwhat (?:are|were)\b|\bwhich are the\b|^\s*list\b|\bname the\b|"
    r"\bin which \w+s\b|\b(?:which|what) \w+s (?:did|do|does|have|has|can|could|will|would|are|were)\b",
    re.IGNORECASE,
)
_ENGLISH_NUMERAL = {
    w: n
    for n, w in enumerate(("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"), start=2)
}
_COUNTED = re.compile(r"([一二三四五六七八九十两\d])\s*(?:个|项|条|大|抓|点|类|种|件|招|方面|部分)")
_ENGLISH_COUNTED = re.compile(rf"\b({'|'.join(_ENGLISH_NUMERAL)}|\d+)\s+(?:\W?\w+\s+)?\w+s\b", re.IGNORECASE)
# What asks for an article's parts (分成哪几个部分, 有哪些小标题): its section heads, or its 一、二、… heads,
# answer it.
_PARTS = re.compile(
    r"(?:哪几|哪些|几)个?部分|小标题|篇章|\bsections\b|\bsubheads?\b|\bparts\b", re.IGNORECASE
)
# Words a question asks the items of that no list names (哪几个方面, 哪些做法, 做了哪几件事): a list of them
# answers where it holds the best passage.
_GENERIC = (
    "方面",
    "做法",
    "举措",
    "措施",
    "件事",
    "事情",
    "内容",
    "部分",
    "方法",
    "办法",
    "途径",
    "环节",
    "步骤",
    "工作",
)
_ENGLISH_GENERIC = re.compile(
    r"\b(?:areas|aspects|measures|steps|ways|things|fields|tasks|parts|points|priorities|actions|moves)\b",
    re.I,
)
# A question for amounts each (分别是多少) wants numbers, not a list.
_AMOUNTS = re.compile(r"分别(?:是|为|有|达到|达)?多少")
# Classifiers and counts between an ask and what it asks of (哪几个|方面, 哪三项|服务, 哪几件|事).
_CLASSIFIERS = frozenset("个项条种家位类大些点所抓件招几名座批")
# Where what is asked ends: a particle, an adverb or a modal verb that starts a word (商会 holds 会, but
# 会 starts no word there).
_ENDS_ASKED = (
    "的",
    "了",
    "在",
    "正",
    "已",
    "还",
    "是",
    "都",
    "呢",
    "吗",
    "能",
    "可",
    "要",
    "会",
    "有",
    "被",
    "将",
    "分别",
)
_COUNTED_WHAT = re.compile(
    r"[一二三四五六七八九十两\d][个项条种家类大](?P<what>[\u4e00-\u9fff]{2,8}?)"
    r"(?=分别|的|是|有|包括|[^\u4e00-\u9fff])"
)
NAMED_BEFORE = 12  # how far before a quoted run the word it is of may stand (培训模式，即“…”)
BESIDE = 6  # how near an enumeration the word the question puts before its ask stands
MIN_ITEMS = 3
LIST_DEPTH = 3  # the best passages whose articles are read for a list, in order
_ASKING = frozenset({"分别", "具体", "主要", "包括", "包含", "还有", "都有", "一共", "总共"})
_CLAUSE_MARK = re.compile(r"[，,；;。：:！？]")


def asks_for_list(question: str) -> bool:
    """Tell whether a question asks for the items of something."""
    prepared = prepare(question)
    return bool(_ASKS.search(prepared) or _ASKS.search(question)) and not _AMOUNTS.search(prepared)


def expected_count(question: str) -> int | None:
    """Return how many items the question says there are (哪六抓 -> 6, “六个聚焦”分别… -> 6, six focuses
    -> 6): a count in its ask, or one said of what it asks (not 十件实事 in “十件实事”涵盖哪些方面)."""
    prepared = prepare(question)
    ask = _ASKS.search(prepared)
    after = _noun_after(prepared[ask.end() :]) if ask else ""
    for m in _COUNTED.finditer(prepared):
        in_ask = ask is not None and m.start() == ask.start() + 1
        if in_ask or len(after) < 2 or after in prepared[m.end() : m.end() + len(after) + 1]:
            return count_of(m[1])
    if m := _ENGLISH_COUNTED.search(question):
        return int(m[1]) if m[1].isdigit() else _ENGLISH_NUMERAL[m[1].lower()]
    return None


def find_list(question: str, hit: Hit, article: Article, *, strict: bool = False) -> tuple[ListItem, ...]:
    """Return the list of a passage's article that answers a list question, or () when none does.

    A question for the article's parts gets its section heads (or its 一、二、… heads). Otherwise, in order
    of preference: a run of parallel heads or an ordinal sequence holding the passage and naming what is
    asked; an enumeration in the passage naming it; unless ``strict`` (a passage below the best), an
    enumeration beside the word before the ask, the section heads when asked from the article's opening
    or by their number, and for a generic ask (哪几个方面) a run of heads or a sequence holding the passage,
    or the section heads. Where the question says how many, only a list of that many items.
    """
    at = hit.chunk.paragraph
    want = expected_count(question)
    heads_asked = _asked_after(question)
    heads = section_heads(article, hit)
    ordinals = ordinal_runs(article, hit)
    if not strict and (_PARTS.search(prepare(question)) or _PARTS.search(question)):  # however many parts
        return tuple(heads or next((o for o in ordinals if len(o) >= MIN_ITEMS), []))
    runs = [*lead_runs(article, hit), *ordinals]
    located = [run for run in runs if run[0].paragraph - 1 <= at <= run[-1].paragraph]
    named = [r for r in located if any(2 * sum(h in _opening(i) for i in r) >= len(r) for h in heads_asked)]
    enumerated, beside = _enumerations(hit, heads_asked, _asked_before(question), want)
    candidates = [*named, *enumerated]
    if not strict:
        bare = _bare(question, want)
        generic = (not heads_asked and bare) or bool(heads_asked and heads_asked[0].startswith(_GENERIC))
        whole = heads and (len(heads) == want or (bare and at < heads[0].paragraph))
        candidates += [*beside, *([heads] if whole else []), *([*located, heads] if generic else [])]
    fitting = [c for c in candidates if (len(c) == want if want else len(c) >= MIN_ITEMS)]
    return tuple(fitting[0]) if fitting else ()


def _bare(question: str, want: int | None) -> bool:
    """Tell whether a question that names nothing it asks the items of may take any list at its passage: a
    Chinese one (分别是什么, 有哪几个), an English one asking for aspects or measures or saying how many."""
    if not is_english(question):
        return True
    return bool(want) or bool(_ENGLISH_GENERIC.search(question))


def _opening(item: ListItem) -> str:
    """Return a head's first clause (聚焦“融合化” of 聚焦“融合化”，开展产业创新链布局)."""
    return re.split(r"[，,]", item.text)[0]


def _enumerations(
    hit: Hit, heads: Sequence[str], before: Sequence[str], want: int | None
) -> tuple[list[list[ListItem]], list[list[ListItem]]]:
    """Return the enumerations and quoted runs of the passage's sentences (the evidence sentence first) that
    are of what is asked, and those beside it. Of it: most items end in it (…培训班、…培训班), it or the
    count asked is said right after them (…、消费扶贫等形式; …联络网三个板块; 和“名特优新”四类), it stands
    shortly before a quoted run (培训模式，即“…”). Beside it: the word the question puts before its ask
    stands in the same clause beside them (对驾驶人的身高、体重… for 检测驾驶人哪些指标)."""
    in_passage = sorted(sentences(hit.chunk.text), key=lambda sent: sent != hit.answer_sentence)
    named, beside = [], []
    for sentence in in_passage:
        for m, items in [*enumerations(hit, sentence), *quoted_runs(hit, sentence)]:
            after = _said_after(m, items, sentence, 4 + max(map(len, heads), default=0))
            quoted = m.group().startswith("“") and m.group().endswith("”")
            if (
                _of_asked(items, after, heads)
                or _counted_after(after, want)
                or (
                    quoted and any(h in sentence[max(0, m.start() - NAMED_BEFORE) : m.start()] for h in heads)
                )
            ):
                named.append(items)
            elif _beside(m, items, sentence, [*heads, *before]):
                beside.append(items)
    return named, beside


def _beside(m: re.Match[str], items: Sequence[ListItem], sentence: str, words: Sequence[str]) -> bool:
    """Tell whether one of the words stands in an enumeration's first item or just before it, or just
    after its last, in the same clause (提高服务主动性、帮扶精准度… for 提高服务的哪几个方面)."""
    first = m.group().split("、", 1)[0]
    before = _CLAUSE_MARK.split(sentence[max(0, m.start() - BESIDE) : m.start() + len(first)])[-1]
    after = _CLAUSE_MARK.split(_said_after(m, items, sentence, BESIDE))[0]
    return any(w in before or w in after for w in words)


def _said_after(m: re.Match[str], items: Sequence[ListItem], sentence: str, chars: int) -> str:
    """Return what a sentence says right after an enumeration's last item (…应用等三个标准; …三天内办结”
    的工作要求), as far as ``chars`` characters."""
    end = sentence.rfind(items[-1].text, m.start(), m.end())
    start = end + len(items[-1].text) if end >= 0 else m.end()
    return sentence[start : start + chars]


def _counted_after(after: str, want: int | None) -> bool:
    """Tell whether what follows an enumeration gives the count the question asks for (…和“名特优新”四类
    for 哪四类)."""
    said = re.match(r"[等”\s]*([一二三四五六七八九十两]|\d+)", after)
    return bool(want) and said is not None and count_of(said[1]) == want


def _of_asked(items: Sequence[ListItem], after: str, heads: Sequence[str]) -> bool:
    """Tell whether an enumeration is of what is asked: most items end in it (…培训班、…培训班), or it
    is said right after them (…、消费扶贫等形式)."""
    return any(h in after or 2 * sum(i.text.endswith(h) for i in items) >= len(items) for h in heads)


def _asked_after(question: str) -> list[str]:
    """Return what a list question asks the items of, and its last two characters: the words right after
    its asking phrase (哪些扶贫形式 -> 扶贫形式, 形式), else what it counts (4条产业创新链…哪几条 ->
    产业创新链), else what it quotes (“六个聚焦”分别… -> 聚焦). The enumerating sentence names it too."""
    if is_english(question):
        return english_list_heads(question)
    prepared = prepare(question)
    m = _ASKS.search(prepared)
    after = _noun_after(prepared[m.end() :]) if m else ""
    counted = _COUNTED_WHAT.search(prepared)
    quoted = re.findall(r"“([^”]{2,})”", prepared[: m.start()] if m else prepared)  # the last before the ask
    for phrase in (after, counted and counted["what"], quoted and quoted[-1][-2:]):
        if phrase and len(phrase) >= 2 and not phrase.startswith(("什么", "哪")):
            return list(dict.fromkeys([phrase, phrase[-2:]]))
    return []


def _noun_after(text: str) -> str:
    """Return what an ask is of, from the words after it: past classifiers and counts, up to a particle,
    an adverb or a mark that starts a word (扶贫形式 of 哪些扶贫形式？; 商会党建方面 of 哪些商会党建方面的
    文件; 时限 of 哪几项时限要求), or "" (什么)."""
    words = [(w, tag) for w, tag in tagged_words(text) if w.strip()]
    while words and (words[0][1][:1] in ("m", "q") or words[0][0] in _CLASSIFIERS or words[0][0] in "“”"):
        words.pop(0)
    noun = ""
    for word, tag in words:
        if word.startswith(_ENDS_ASKED) or not re.fullmatch(r"[\u4e00-\u9fff“”]+", word) or word == "什么":
            break
        if tag[:1] in ("m", "q") and noun:
            break
        noun += word
    return noun.strip("“”")


def _asked_before(question: str) -> list[str]:
    """Return the content word right before a Chinese question's ask, past 的 or 有 (检测驾驶人哪些指标 ->
    驾驶人; 提高服务的哪几个方面 -> 服务; 联络机制有哪几个 -> 机制), or nothing: a word further off is
    what the question is about, not what it asks the items of (“葛商学院”是由哪几家单位)."""
    prepared = prepare(question)
    m = _ASKS.search(prepared)
    words = list(tagged_words(prepared[: m.start()])) if m else []
    while words and words[-1][0] in ("的", "有", "都", "之"):
        words.pop()
    if len(words) >= 2 and len(words[-1][0]) == 1:  # 驾驶|人
        words[-2:] = [(words[-2][0] + words[-1][0], words[-1][1])]
    if words and len(words[-1][0]) >= 2 and words[-1][1][:1] in ("n", "v") and words[-1][0] not in _ASKING:
        return [words[-1][0]]
    return []


def list_answer(
    question: str, hits: Sequence[Hit], article: Callable[[Hit], Article | None]
) -> tuple[tuple[ListItem, ...], Hit | None]:
    """Return the list a list question asks for, read from the articles of the best passages in order (below
    the best, only a list that names what is asked), with the passage it was read from; or ((), None)."""
    if not asks_for_list(question):
        return (), None
    for n, hit in enumerate(hits[:LIST_DEPTH]):
        if (found := article(hit)) and (items := find_list(question, hit, found, strict=n > 0)):
            return items, hit
    return (), None
