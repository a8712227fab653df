"""Questions asking *which* organisation, document or title: the question's head noun -> the one name of
that kind a sentence prints.

哪家银行 wants a bank's name (建设银行许昌分行), 什么文件 a 《title》, 命名为什么 / 什么称号 a name in
quotation marks (“四好”商会). A name the question already holds is no answer, and a sentence printing two
different names of the kind gives none.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate

from retrieval.terms.tagging import tagged_words, word_tag
from retrieval.terms.tokens import prepare

# Head nouns of organisations, and the endings their names take (哪家银行 -> 建设银行许昌分行).
_ORG_ENDINGS = {
    "银行": "银行|分行|支行",
    "公司": "公司|集团|厂|店",
    "企业": "公司|集团|厂|企业",
    "单位": "局|办|委|部|厅|中心|办公室|院|所|站|联|会|公司",
    "部门": "局|办|委|部|厅|中心|办公室|院|所|站|联",
    "机构": "局|办|委|部|厅|中心|院|所|站|联|会|银行|公司",
    "商会": "商会",
    "协会": "协会|促进会",
    "学校": "大学|学院|学校|中学|小学",
    "高校": "大学|学院",
    "医院": "医院",
    "会议": "会|论坛|峰会|大会",
}
# 什么单位的简称 asks about a name, not for one. A short modifier may stand before the head (哪家科技公司).
# 哪些企业, 哪几家, 哪两家 ask for a list; 为什么 asks why.
_ORG = re.compile(
    r"(?:哪(?![些几两二三四五六七八九十])|(?<!为)什么)(?:一)?(?:家|个|所)?[\u4e00-\u9fff]{0,3}?(?P<head>"
    + "|".join(_ORG_ENDINGS)
    + ")(?!的(?:简称|全称|缩写))"
)
# 哪个产业集聚区: another head noun, whose own name ends as the head does (禹州市产业集聚区).
_WHICH_NOUN = re.compile(r"哪(?:一)?(?:家|个|所|座)(?P<phrase>[\u4e00-\u9fff]{2,10})")
_NOUN_TAGS = ("n", "j", "vn")
_DOCUMENT = re.compile(
    r"(?:什么|哪(?:一)?(?:个|份|部|项|本|些)?)(?:文件|政策|措施|办法|意见|方案|规定|通知|计划|手册|条例|刊物|书)"
    r"|(?:根据|依据|按照)什么"
)
_TITLE = re.compile(
    r"(?:什么|哪(?:一)?个)(?:称号|荣誉|奖项?|基地|名称|主题|口号|品牌)|(?:命名|评|定)为什么|主题是什么"
)
# Words that end a name on their left: prepositions, conjunctions, particles, pronouns, adverbs, marks.
_NOT_IN_NAME = frozenset(
    {"p", "c", "u", "uj", "ul", "uz", "ug", "uv", "ud", "r", "d", "x", "w", "y", "e", "zg"}
)
_STARTS_NAME = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "j", "b", "eng", "m", "an"})
_QUOTED = re.compile(r"“[^”]{2,40}”[\u4e00-\u9fff]{0,2}|《[^》]{2,40}》")
MAX_ORG_CHARS = 20
# One-character verbs that work as prepositions (到河南大桂实业有限公司走访): they end what precedes a name.
_COVERBS = frozenset("到在向给对让替帮从为被把跟同至")
_NAME_TAGS = frozenset({"nt", "nz", "ns", "nr", "nrt"})
_COUNT = re.compile(
    r"[\d一二两三四五六七八九十百千万]+\s*(?:多|余)?\s*[家个名位所座批]"
)  # 136家企业 counts, names none


# 签了什么协议 / 获批了什么试点: a thing of the head noun's kind, printed as a phrase ending in it.
_WHAT_THING = re.compile(
    r"(?P<verb>[\u4e00-\u9fff]{1,2}?)了?什么(?P<head>[\u4e00-\u9fff]{2})(?![\u4e00-\u9fff]*的简称)"
)
_PHRASE_TAGS = ("n", "vn", "b", "j", "a", "l")
# A name and its short form as papers print them: 市政务服务和大数据管理局（以下简称市政数局）.
_SHORT_FORM = re.compile(r"[（(]以下简称[“\"]?(?P<short>[^”\"）)]{1,12})[”\"]?[）)]")
_FULL_ASKED = re.compile(r"全称|全名|(?:什么|哪个)(?:单位|机构|部门|公司|组织)?的(?:简称|缩写)")


@dataclass(frozen=True)
class Which:
    """What a which-question wants: an organisation ending as ``head`` does, a document, or a title."""

    kind: str  # "organisation", "document", "title", "full name" or "thing"
    head: str = ""
    verb: str = ""  # of a thing: the verb the question asks it of (签 of 签了什么协议)

    def find(self, sentence: str, question: str, terms: Sequence[str] = ()) -> str | None:
        """Return the one name of this kind the sentence prints that the question does not hold, or None;
        of several, the one name right beside a word of the question (``terms``: 有限公司|总经理)."""
        asked = prepare(question)
        if self.kind == "organisation":
            found = _organisations(sentence, _ORG_ENDINGS.get(self.head) or re.escape(self.head))
            found = [n for n in found if not any(n != other and n in other for other in found)]
        elif self.kind == "full name":
            found = [full for full, short in short_forms(sentence) if prepare(short) in asked]
        elif self.kind == "thing":
            found = _phrases(sentence, self.head, self.verb)
        elif self.kind == "document":
            found = re.findall(r"《[^》]{2,40}》", sentence)
        else:
            found = _QUOTED.findall(sentence)
        names = {n for n in found if prepare(n).strip("“”《》") not in asked}
        if len(names) > 1:
            names = {n for n in names if _beside(sentence, n, terms)}
        return names.pop() if len(names) == 1 else None

    def points_back(self, sentence: str) -> bool:
        """Tell whether a sentence names the organisation asked for only by pointing back to it (此次会议,
        该公司): the name stands in the sentence before."""
        if self.kind != "organisation":
            return False
        kinds = f"{self.head}|{_ORG_ENDINGS.get(self.head) or re.escape(self.head)}"
        return bool(re.search(rf"(?:此次|这次|本次|该|此)(?:{kinds})", sentence))


def _beside(sentence: str, name: str, terms: Sequence[str]) -> bool:
    """Tell whether a question word (not part of the name) is printed right before or after the name."""
    at = sentence.find(name)
    after, before = sentence[at + len(name) :], sentence[:at]
    return at >= 0 and any(
        t not in name and (after.startswith(t) or before.endswith(t)) for t in terms if len(t) >= 2
    )


def which_asked(question: str) -> Which | None:
    """Return what a prepared question asks for when it asks which organisation, document or title."""
    if _FULL_ASKED.search(question):
        return Which("full name")
    if m := _ORG.search(question):
        return Which("organisation", m["head"])
    if (m := _WHICH_NOUN.search(question)) and (head := _head_noun(m["phrase"])):
        return Which("organisation", head)
    if _DOCUMENT.search(question):
        return Which("document")
    if _TITLE.search(question):
        return Which("title")
    if (m := _WHAT_THING.search(question)) and word_tag(m["head"]) in ("n", "vn"):
        return Which("thing", m["head"], m["verb"])
    return None


def short_forms(sentence: str) -> list[tuple[str, str]]:
    """Return the (name, short form) pairs a sentence defines: the words before （以下简称…）, back to a
    preposition, a particle, a verb of two characters or a mark."""
    out = []
    for m in _SHORT_FORM.finditer(sentence):
        words = tagged_words(sentence[: m.start()])
        start = len(words)
        while start > 0 and _in_short_form_name(*words[start - 1]):
            start -= 1
        full = "".join(w for w, _ in words[start:])
        if len(full) > len(m["short"]):
            out.append((full, m["short"]))
    return out


def _in_short_form_name(word: str, tag: str) -> bool:
    """Tell whether a word may stand in a defined name (和 may: 政务服务和大数据管理局; 从, 的 may not)."""
    return (
        bool(word.strip())
        and tag not in ("x", "w", "p", "uj", "ul", "u", "r", "d")
        and not (tag.startswith("v") and tag != "vn")
    )


def _phrases(sentence: str, head: str, verb: str) -> list[str]:
    """Return the noun phrases of a sentence that end in the head noun and say more than it (签订战略合作
    协议 -> 战略合作协议): the nouns and modifiers right before it, after a verb that shares a character
    with the question's (签订 for 签了什么协议)."""
    words = tagged_words(sentence)
    out = []
    for i, (word, _) in enumerate(words):
        if not word.endswith(head):
            continue
        start = i
        while start > 0 and words[start - 1][1].startswith(_PHRASE_TAGS):
            start -= 1
        before, tag = words[start - 1] if start > 0 else ("", "")
        if tag.startswith("v") and start < i and set(before) & set(verb):
            out.append("".join(w for w, _ in words[start : i + 1]))
    return out


def _head_noun(phrase: str) -> str:
    """Return the noun a which-phrase opens with, up to its verb (产业集聚区获批了… -> 产业集聚区): the
    longest run of words ending in a noun and followed by a verb of two characters or more."""
    words = tagged_words(phrase)
    head = ""
    for i, (word, tag) in enumerate(words[:-1]):
        after_word, after_tag = words[i + 1]
        if not word.strip() or tag in ("x", "w", "r", "u", "uj", "ul"):
            break
        if tag.startswith(_NOUN_TAGS) and after_tag.startswith("v") and len(after_word) >= 2:
            head = "".join(w for w, _ in words[: i + 1])
    return head if len(head) >= 2 else ""


def _in_name(word: str, tag: str) -> bool:
    """Tell whether a word may stand inside an organisation's name (发展, 服务 may; 到, 与 may not)."""
    return bool(word.strip()) and tag not in _NOT_IN_NAME and not (tag.startswith("v") and len(word) == 1)


def _ends_name(words: list[tuple[str, str]], start: int) -> bool:
    """Tell whether the word before ``start`` clearly ends what precedes a name: punctuation, a
    preposition, a particle or an adverb; not a one-character verb, nor 和 between two nouns."""
    word, tag = words[start - 1]
    if word in _COVERBS:
        return True
    if tag.startswith("v"):
        return False
    return not (tag == "c" and start >= 2 and words[start - 2][1] not in ("x", "w"))


def _organisations(sentence: str, endings: str) -> list[str]:
    """Return the names in a sentence ending as an organisation of the kind asked does: the noun words
    before such an ending (与建设银行许昌分行联手 -> 建设银行许昌分行; an ending may span words:
    禹州市|产业|集聚|区)."""
    ending = re.compile(f"(?:{endings})$")
    words = tagged_words(sentence)
    ends = list(accumulate(len(w) for w, _ in words))
    found = []
    for i, end in enumerate(ends):
        m = ending.search(sentence, 0, end)
        if m is None:
            continue
        first = bisect_right(ends, m.start())  # the word the ending starts in
        start = first
        while start > 0 and _in_name(*words[start - 1]):
            start -= 1
        if start > 0 and not _ends_name(words, start):
            continue  # where the name begins is unclear (中联即|送网络科技有限公司, 批发和|零售业商会)
        while start < first and words[start][1] not in _STARTS_NAME:  # a verb before the name is not of it
            start += 1
        name = "".join(w for w, _ in words[start : i + 1])
        spanned = end - (ends[first] - len(words[first][0]))  # the words the ending stands in
        # A name is more than its kind's words (该|公司 is none), unless jieba knows it whole (华为公司 nt).
        whole = first == i and words[i][1] in _NAME_TAGS and len(words[i][0]) > len(m.group())
        if (len(name) > spanned or whole) and len(name) <= MAX_ORG_CHARS and not _COUNT.match(name):
            found.append(name)
    return found
