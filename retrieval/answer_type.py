"""What kind of answer a question asks for, and whether a passage states one: a year, a date, a time of day,
a duration, an amount of money. ("How many X" stays with answer.amount_asked, a softer check: made a
hard one, it refused a paraphrased answerable question on the held-out set and gained nothing there.)

A question that asks "which year" is answered by a sentence that names the thing asked about *and* a
year; a passage that mentions the thing but no year is a near miss, however many of the question's words
it shares (许昌市青年创业促进会是哪一年成立的 — the archive reports the association, never its founding
year). Checked sentence by sentence, so a year elsewhere in the paragraph does not count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from retrieval.chunks import sentences

_NUM = r"(?:\d[\d.,]*|[一二两三四五六七八九十百千万]+)\s*(?:多|余)?\s*"

# (name, how a question asks for it, how a sentence states it); the first that matches the question wins.
ANSWER_TYPES: tuple[tuple[str, str, str], ...] = (
    ("year", r"哪一年|哪年|何年|什么年份", r"(?:19|20)\d{2}\s*年"),
    ("time", r"几点", r"\d{1,2}\s*[:：]\s*\d{2}|[\d一二两三四五六七八九十]+\s*点"),
    (
        "date",
        r"什么时候|哪天|哪一天|何时|几月|几号|什么时间|啥时候",
        r"\d{1,2}\s*月|\d{1,2}\s*日|(?:19|20)\d{2}\s*年|[今去明]年|近日|日前|上旬|中旬|下旬|春节|国庆|元旦|周[一二三四五六日]",
    ),
    (
        "duration",
        r"多长时间|多久|几个小时|几分钟|几天",
        _NUM + r"(?:个)?(?:分钟|小时|天|日|个月|周|星期|年)|半小时|半天|半年",
    ),
    (
        "money",
        r"多少钱|多少费用|多少资金|交多少|花了多少|收多少|收费多少|多少元|多少万元|多少亿元",
        _NUM + r"(?:万|亿)?\s*元|" + _NUM + r"(?:万|亿)(?![人家户名个])",
    ),
)
NOT_FOCUS = frozenset(
    {
        "现在",
        "目前",
        "如今",
        "当时",
        "今年",
        "去年",
        "明年",
        "大概",
        "大约",
        "一共",
        "总共",
        "平时",
        "每次",
        "一般",
        "通常",
        "一下",
        "还",
        "要",
    }
)
FOCUS_CHARS = 6  # a question word this close to the asking phrase is what the answer must be about


@dataclass(frozen=True)
class AnswerAsked:
    """A typed answer the question wants: a sentence stating one, about one of the ``focus`` words."""

    kind: str
    pattern: re.Pattern[str]
    focus: tuple[tuple[str, ...], ...]  # the focus word with its other forms (aliases, synonyms)
    weight: float

    def match(self, text: str) -> float:
        """Return 1 when one sentence of the prepared text states an answer of this kind about the focus."""
        for sentence in sentences(text) or [text]:
            if self.pattern.search(sentence) and any(
                any(form in sentence for form in forms) for forms in self.focus
            ):
                return 1.0
        return 0.0


def answer_asked(
    question: str, words: Sequence[tuple[str, tuple[str, ...]]], weight: float
) -> AnswerAsked | None:
    """Return the typed answer a prepared question asks for, if it asks for one.

    ``words`` are the question's content words with their other forms, in question order; the focus is
    the first printed within FOCUS_CHARS after the asking phrase, else the nearest one before it.
    """
    for kind, asking, stating in ANSWER_TYPES:
        m = re.search(asking, question)
        if m is None:
            continue
        placed = [(w, forms, question.find(w)) for w, forms in words if w in question]
        # A word of the asking phrase itself (钱 of 多少钱) or a time adverb (现在, 一共) is no focus.
        placed = [
            (w, f, pos)
            for w, f, pos in placed
            if not (m.start() <= pos and pos + len(w) <= m.end()) and w not in NOT_FOCUS
        ]
        if not placed:
            return None
        # The word right after the asking phrase is what it asks about (哪一年成立, 几点关门); else the
        # nearest one before it (总投资是多少钱).
        after = [
            (pos - m.end(), w, forms) for w, forms, pos in placed if m.end() <= pos <= m.end() + FOCUS_CHARS
        ]
        before = [(_gap(pos, len(w), m.start(), m.end()), w, forms) for w, forms, pos in placed]
        _, word, forms = min(after) if after else min(before)
        focus = ((word, *forms),)
        return AnswerAsked(kind, re.compile(stating), focus, weight)
    return None


def _gap(start: int, length: int, lo: int, hi: int) -> int:
    """Characters between a word at [start, start+length) and the asking phrase at [lo, hi)."""
    return max(lo - (start + length), start - hi, 0)
