"""Questions asking *which* organisation, document or title: the question's head noun -> the one name of
that kind a sentence prints.

哪家银行 wants a bank's name (建设银行许昌分行), 什么文件 a 《title》, 命名为什么 / 什么称号 a name in
quotation marks (“四好”商会). A name the question already holds is no answer, and a sentence printing two
different names of the kind gives none.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.terms.tagging import tagged_words
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
# 什么单位的简称 asks about a name, not for one.
_ORG = re.compile(r"(?:哪|什么)(?:一)?(?:家|个|所)?(?P<head>" + "|".join(_ORG_ENDINGS) + ")(?!的)")
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


@dataclass(frozen=True)
class Which:
    """What a which-question wants: an organisation ending as ``head`` does, a document, or a title."""

    kind: str  # "organisation", "document" or "title"
    head: str = ""

    def find(self, sentence: str, question: str) -> str | None:
        """Return the one name of this kind the sentence prints that the question does not hold, or None."""
        asked = prepare(question)
        if self.kind == "organisation":
            found = _organisations(sentence, _ORG_ENDINGS[self.head])
        elif self.kind == "document":
            found = re.findall(r"《[^》]{2,40}》", sentence)
        else:
            found = _QUOTED.findall(sentence)
        names = {n for n in found if prepare(n).strip("“”《》") not in asked}
        return names.pop() if len(names) == 1 else None


def which_asked(question: str) -> Which | None:
    """Return what a prepared question asks for when it asks which organisation, document or title."""
    if m := _ORG.search(question):
        return Which("organisation", m["head"])
    if _DOCUMENT.search(question):
        return Which("document")
    if _TITLE.search(question):
        return Which("title")
    return None


def _in_name(word: str, tag: str) -> bool:
    """Tell whether a word may stand inside an organisation's name (发展, 服务 may; 到, 与 may not)."""
    return bool(word.strip()) and tag not in _NOT_IN_NAME and not (tag.startswith("v") and len(word) == 1)


def _ends_name(words: list[tuple[str, str]], start: int) -> bool:
    """Tell whether the word before ``start`` clearly ends what precedes a name: punctuation, a
    preposition, a particle or an adverb; not a one-character verb, nor 和 between two nouns."""
    tag = words[start - 1][1]
    if tag.startswith("v"):
        return False
    return not (tag == "c" and start >= 2 and words[start - 2][1] not in ("x", "w"))


def _organisations(sentence: str, endings: str) -> list[str]:
    """Return the names in a sentence ending as an organisation of the kind asked does: the noun words
    before such an ending (与建设银行许昌分行联手 -> 建设银行许昌分行)."""
    ending = re.compile(f"(?:{endings})$")
    words = tagged_words(sentence)
    found = []
    for i, (word, _) in enumerate(words):
        if not ending.search(word):
            continue
        start = i
        while start > 0 and _in_name(*words[start - 1]):
            start -= 1
        if start > 0 and not _ends_name(words, start):
            continue  # where the name begins is unclear (中联即|送网络科技有限公司, 批发和|零售业商会)
        while start < i and words[start][1] not in _STARTS_NAME:  # a verb before the name is not of it
            start += 1
        name = "".join(w for w, _ in words[start : i + 1])
        if len(name) > len(word) and len(name) <= MAX_ORG_CHARS:
            found.append(name)
    return found
