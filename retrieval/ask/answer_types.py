"""What kind of answer a question asks for, and whether a passage states one: a year, a date, a time of day,
a duration, a sum of money, a rate, a person's name, a count.

A question that asks "which year" is answered by a sentence that names the thing asked about *and* a
year; a passage that mentions the thing but no year is a near miss, however many of the question's words
it shares (许昌市青年创业促进会是哪一年成立的 — the archive reports the association, never its founding
year). Checked sentence by sentence, so a year elsewhere in the paragraph does not count. Likewise "who
is the 会长" wants a name beside the title 会长 (jieba's part-of-speech tags find names), "how many 家"
wants a number counted in 家 or a unit like it, and "how much is the 营业收入" wants a sum in a sentence
that names the income. A question asking two things (叫什么？出了几期？) is answered by a passage that
states either.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from retrieval.ask.people import (
    CLAUSE_BREAK,
    OTHER_TITLE,
    ROLE,
    Span,
    names_body,
    people_beside,
    qualified_people,
    titles_before,
)
from retrieval.parse.chunks import sentences
from retrieval.terms.tagging import is_person, plain_words, word_tag

_NUM = r"(?:\d[\d.,]*|[一二两三四五六七八九十百千万]+)\s*(?:多|余)?\s*"
AMOUNT = _NUM + r"(?:万|亿)?"  # 300多万, 1.75亿 ...
# "How many", not "several" (好几个) or "which ones" (哪几个).
HOW_MANY = r"(?<![哪好])(?:多少|几)"
# A sum printed without 元 (300多万) is money only when no measure word counts something else after it
# (300多万单, 5万户, 2万吨).
_COUNTED = "人家户名个单件台套辆吨只头株棵份册本间座所次位张条项批箱袋斤"
_MONEY = _NUM + r"(?:万|亿)?\s*(?:多|余)?\s*元|" + _NUM + rf"(?:万|亿)\s*(?:多|余)?(?![{_COUNTED}])"
# What a sum or a rate is of: "how much" after one of these asks for money (营业收入有多少), and the answer
# must name it. Generic words (总额, 金额) say only that money is asked, so they are left to 多少钱 and focus.
_MONEY_NOUNS = r"收入|营收|营业额|销售额|成交额|交易额|产值|利润|税收|投资|融资|捐款|工资|gdp"
_RATE_NOUNS = r"率|比例|比重|增速|增幅|占比"
# A year, with its month and day where printed (2020年8月); 2019—2020年度 names a period, not a year.
_YEAR = r"(?:19|20)\d{2}\s*年(?!度|代)(?:\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*[日号])?)?"
# A whole date where one is printed (2020年2月18日, 9月7日至9日), the fullest form first.
_DAY = r"\d{1,2}\s*[日号]"
_MONTH = (
    rf"(?:(?:19|20)\d{{2}}\s*年\s*)?(?:\d{{1,2}}|[一二三四五六七八九十]{{1,2}})\s*月(?:\s*{_DAY})?"
    r"|[上下]半年|年[初底末]"
)
_DATE = (
    rf"(?:(?:19|20)\d{{2}}\s*年\s*)?\d{{1,2}}\s*月(?:\s*{_DAY})?(?:\s*[至到—-]\s*(?:\d{{1,2}}\s*月\s*)?{_DAY})?"
    rf"|{_DAY}(?:\s*[至到—-]\s*{_DAY})?|{_YEAR}"
)
_CLASSIFIERS = "个家名位人次场项户条件种所批期台辆套亩座支篇起处笔单"
# Units that count the same things: a question's 件 is often the article's 起, its 人 the article's 名;
# 个 counts anything. A number in another unit (两次 for 多少家) is no answer.
_UNIT_GROUPS = ("家所户座处", "名人位", "次场期届回轮批", "件起条项宗笔单", "种类款", "台辆套支")


@dataclass(frozen=True)
class AnswerType:
    """A kind of answer: how a question asks for it, how a sentence states it, what it can be about."""

    kind: str
    asking: re.Pattern[str]
    # (sentence, the focus word's forms) -> where the sentence states one, nearest the focus first
    spans: Callable[[str, Sequence[str]], list[Span]]
    about: Callable[[str], bool] = lambda word: True  # which question words can be its focus


def counted(unit: str) -> Callable[[str, Sequence[str]], list[Span]]:
    """Return how a sentence states a count in the unit asked (多少家 -> 17家; 几个 -> any unit)."""
    units = _CLASSIFIERS if unit == "个" else "个" + "".join(g for g in _UNIT_GROUPS if unit in g) + unit
    # 一家, 一个 ... is mostly an article (是一家高新技术企业), not a count.
    # 场次, 人次: a count of occasions keeps its 次.
    return _stated(rf"(?!一\s*[{units}])(?<![\d一二两三四五六七八九十百千万])" + AMOUNT + rf"\s*[{units}]次?")


# Words that qualify an amount belong to it: 近30家 is not 30家, 仅需5分钟 is the point of the answer,
# 至少两次 and 80%以上 say more than 两次 and 80%.
_QUALIFIER = (
    r"(?:仅需|只需|仅用|只用|仅|只|至少|最少|最多|大约|约|将近|近|共|达|超过|不到|不足|多达|累计|总计|合计)?"
)
_QUALIFIED_AFTER = r"(?:左右|以上|以下|以内|上下)?"


def _stated(pattern: str) -> Callable[[str, Sequence[str]], list[Span]]:
    """Return where a sentence states an answer of this pattern, qualifier included, nearest the focus
    first."""
    compiled = re.compile(_QUALIFIER + f"(?:{pattern})" + _QUALIFIED_AFTER)

    def spans(sentence: str, focus: Sequence[str]) -> list[Span]:
        found = [m.span() for m in compiled.finditer(sentence)]
        at = [m.start() for form in focus for m in re.finditer(re.escape(form), sentence)] if focus else []
        return sorted(found, key=lambda span: min((abs(span[0] - a) for a in at), default=0))

    return spans


# The first that matches the question (and has a word it can be about) wins.
ANSWER_TYPES: tuple[AnswerType, ...] = (
    AnswerType("year", re.compile(r"哪一年|哪年|何年|什么年份"), _stated(_YEAR)),
    AnswerType(
        "time", re.compile(r"几点"), _stated(r"\d{1,2}\s*[:：]\s*\d{2}|[\d一二两三四五六七八九十]+\s*点")
    ),
    # 几月份办的 wants the month: a year alone (2019年) does not say it.
    AnswerType("month", re.compile(r"几月|哪个月|哪一个月"), _stated(_MONTH)),
    AnswerType(
        "date",
        re.compile(r"什么时候|哪天|哪一天|哪几天|何时|几号|什么时间|啥时候|什么日子"),
        _stated(_DATE + r"|[今去明]年|近日|日前|上旬|中旬|下旬|春节|国庆|元旦|周[一二三四五六日]"),
    ),
    AnswerType(
        "duration",
        re.compile(r"多长时间|多久(?![^，。？！,?!]{0,3}一次)|几个小时|几分钟|几天"),
        # Not the day of a date (9月2日).
        _stated(
            r"(?<![月\d.])(?!(?:19|20)\d{2}\s*年)"
            + _NUM
            + r"(?:个)?(?:分钟|小时|工作日|天|日|个月|周|星期|年)|半个?小时|半天|半年|半个多?月"
        ),
    ),
    AnswerType(
        "money",
        re.compile(
            r"多少钱|多少费用|多少资金|交多少|花了多少|收多少|收费多少|多少元|多少万元|多少亿元|"
            rf"(?P<noun>{_MONEY_NOUNS})[^，。？！,?!]{{0,4}}(?:多少|几)"
        ),
        _stated(_MONEY),
    ),
    AnswerType(
        "rate",
        re.compile(
            rf"(?P<noun>{_RATE_NOUNS})[^，。？！,?!]{{0,4}}(?:多少|几)|百分之(?:几|多少)|多少个百分点"
        ),
        _stated(r"\d[\d.]*\s*[%％]|百分之|个百分点|[一二三四五六七八九]成"),
    ),
    AnswerType(
        "size",
        re.compile(r"多大|面积[^，。？！,?!]{0,4}(?:多少|几)|多少平方米|多少平米|多少亩"),
        _stated(_NUM + r"(?:万)?(?:平方米|平米|平方公里|亩|公顷)"),
    ),
    AnswerType(
        "place",
        re.compile(
            r"(?:哪个|什么)(?:展馆|场馆|地方|地点|位置|会场)|在哪(?:里|儿)?(?:举办|举行|办|开|搞|进行|开展|召开)"
        ),
        # A venue is named after the coverb that points to it (搬到|革命遗址教育基地), or opens its clause.
        _stated(
            r"(?:(?<=[到在于至赴])|(?<![\u4e00-\u9fff]))(?![该此这本])"
            r"[\u4e00-\u9fff]{1,12}?(?:馆|广场|会场|大厦|礼堂|酒店|宾馆|基地)"
        ),
    ),
    AnswerType(
        "address",
        re.compile(r"具体地址|地址在哪|地址是|哪条路|哪条街"),
        _stated(r"[\u4e00-\u9fff\d]{1,16}?(?:大道|路|街)(?:\d+号)?"),
    ),
    AnswerType(
        "title",
        re.compile(r"什么职务|什么职位|担任什么|什么头衔|职务是什么|什么身份"),
        titles_before,
        about=is_person,
    ),
    AnswerType(
        "ordinal",
        re.compile(r"第几(?P<ordinal>[届次期批轮])|几(?P<grade>[Aa星])级"),
        _stated(r"第[\d一二三四五六七八九十百]+[届次期批轮]|\d[Aa星]级|[一二三四五]星级"),
    ),
    AnswerType(
        "person",
        re.compile(r"是谁|谁是|叫什么|叫啥|什么名字|哪位|姓什么|姓名|何人"),
        people_beside,
        about=lambda word: bool(ROLE.search(word)) and word_tag(word) != "v",
    ),
    AnswerType(
        "count",
        re.compile(HOW_MANY + rf"\s*(?P<unit>[{_CLASSIFIERS}])"),
        counted("个"),  # any unit; _part narrows it to the unit asked
    ),
)
# "Now" asks for the latest news, which a passage need not say in those words (a quote's 现在 once answered
# 个人所得税起征点现在是多少). Still searched, but no word a passage must hold (coverage.py) and never the
# focus of a typed answer: encyclopedia questions copy their passage's 目前 (dropped from the query
# altogether, CMRC and DRCD chunks lost 0.2 points).
NOW = frozenset({"现在", "目前", "如今"})
# Time adverbs and helpers are never what a typed answer is about (现在, 一共, 最后 ...).
NOT_FOCUS = NOW | frozenset(
    {"当时", "今年", "去年", "明年", "大概", "大约", "一共", "总共", "平时", "每次", "一般", "通常"}
    | {"一下", "还", "要", "最后", "最终", "后来", "之后"}
)
# A body a title may be of (党支部 of 党支部书记), unlike a time or a rank (新一届 of 新一届会长).
_BODY = re.compile(r"(?:会|联|部|委|局|组|办|处|科|室|中心|院|所|站|公司|集团|银行|支部)$")
# "Which/what X" (哪些培训, 什么活动): X names what the answer is, so a passage should say X itself.
_WHICH = re.compile(r"哪(?:一|些|个|家|种|类|项|位)?|什么样的|什么|何种")
_NAMING_NOTHING = ("m", "q", "r")  # numerals, measure words, pronouns: never what an answer is about
FOCUS_CHARS = 6  # a question word this close to the asking phrase is what the answer must be about
MAX_PARTS = 4  # asks checked in one question, the first ones: a message is rarely more than two questions


def asked_heads(question: str, words: Sequence[str]) -> frozenset[str]:
    """Return the words of a prepared question that a which/what word asks about: the ones right after it
    (长葛市工商联举办了哪些培训 -> 培训)."""
    return frozenset(w for m in _WHICH.finditer(question) for w in words if question.startswith(w, m.end()))


@dataclass(frozen=True)
class AnswerAsked:
    """A typed answer the question wants: a sentence stating one, about one of the ``focus`` words."""

    kind: str
    spans: Callable[[str, Sequence[str]], list[Span]]
    focus: tuple[str, ...]  # the focus word with its other forms (aliases, synonyms)
    # The body a title asked about belongs to (信阳市茶商会 of 信阳市茶商会的秘书长), with its forms.
    owner: tuple[str, ...] = ()

    def states(self, sentence: str) -> list[Span]:
        """Return where a sentence naming the focus states an answer of this kind, nearest it first."""
        if not any(form in sentence for form in self.focus):
            return []
        return self.spans(sentence, self.focus)

    def match(self, text: str, context: str = "") -> float:
        """Return 1 when one sentence of the prepared text states an answer of this kind about the focus,
        in a passage (``context``: its headline and text, else the text itself) naming the owner asked."""
        if self.owner and not names_body(self.owner, context or text):
            return 0.0
        return 1.0 if any(self.states(sentence) for sentence in sentences(text) or [text]) else 0.0


@dataclass(frozen=True)
class Asked:
    """What a question asks for, in one part or several (叫什么名字？出了几期？): a passage that states any
    part answers it, since a reader gets something from a partial answer."""

    parts: tuple[AnswerAsked, ...]
    weight: float

    @property
    def kind(self) -> str:
        return self.parts[0].kind

    @property
    def focus(self) -> tuple[str, ...]:
        return self.parts[0].focus

    def match(self, text: str, context: str = "") -> float:
        """Return 1 when the prepared text states an answer to one of the parts (``context`` as for a
        part)."""
        return max(part.match(text, context) for part in self.parts)


def answer_asked(question: str, words: Sequence[tuple[str, tuple[str, ...]]], weight: float) -> Asked | None:
    """Return the typed answers a prepared question asks for, if it asks for any.

    ``words`` are the question's content words with their other forms, in question order. Each asking
    phrase is matched by the first type that claims it; its focus is the first word printed within
    FOCUS_CHARS after it, else the nearest one before it.
    """
    found: dict[tuple[str, str, tuple[str, ...]], tuple[int, AnswerAsked]] = {}
    taken: list[tuple[int, int]] = []
    for answer_type in ANSWER_TYPES:
        for m in answer_type.asking.finditer(question):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            part = _part(answer_type, m, question, words)
            if part is not None:
                taken.append(m.span())
                # The same ask repeated (会长是谁？会长是谁？…) is one part: each part costs a pass over
                # the passages, with part-of-speech tagging for a person.
                found.setdefault((part.kind, m.groupdict().get("unit") or "", part.focus), (m.start(), part))
    parts = [part for _, part in sorted(found.values(), key=lambda pair: pair[0])][:MAX_PARTS]
    return Asked(tuple(parts), weight) if parts else None


def _part(
    answer_type: AnswerType, m: re.Match[str], question: str, words: Sequence[tuple[str, tuple[str, ...]]]
) -> AnswerAsked | None:
    """Return what one asking phrase wants, or None when no question word can be its focus."""
    unit = m.groupdict().get("unit")
    states = counted(unit) if unit else answer_type.spans
    if noun := m.groupdict().get("noun"):
        # What the sum or rate is of (营业收入有多少) is the focus itself: an archive that never names it
        # cannot state it.
        named = [(w, *f) for w, f in words if noun in w]
        return AnswerAsked(
            answer_type.kind, states, tuple(dict.fromkeys((noun, *(named[0] if named else ()))))
        )
    # The focus is in the asking phrase's own clause (…照相馆吗？大概要多长时间能弄完 asks how long the
    # errand takes, not the 照相馆).
    lo = max((b.end() for b in CLAUSE_BREAK.finditer(question, 0, m.start())), default=0)
    hi = next((b.start() for b in CLAUSE_BREAK.finditer(question, m.end())), len(question))
    placed = _placed(answer_type, m, question, words, lo, hi)
    if not placed and lo and _bare(question[lo : m.start()] + question[m.end() : hi]):
        # A clause of the asking phrase and a bare verb (…上几次课，什么时间上？) goes on the one before.
        lo = max((b.end() for b in CLAUSE_BREAK.finditer(question, 0, lo - 1)), default=0)
        placed = _placed(answer_type, m, question, words, lo, hi)
    if not placed:
        return None
    # 小店叫什么名字 asks the shop's name, whoever else the question names: the word the naming is of
    # stands right before it.
    if answer_type.kind == "person" and "叫" in m[0]:
        before_ask = [(pos + len(w), w) for w, _ in words if (pos := question.rfind(w, 0, m.start())) >= 0]
        if before_ask and not answer_type.about(max(before_ask)[1]):
            return None
    # The word right after the asking phrase is what it asks about (哪一年成立, 几点关门); else the
    # nearest one before it (总投资是多少钱).
    after = [(pos - m.end(), w, forms) for w, forms, pos in placed if m.end() <= pos <= m.end() + FOCUS_CHARS]
    before = [(_gap(pos, len(w), m.start(), m.end()), w, forms) for w, forms, pos in placed]
    _, word, forms = min(after) if after else min(before)
    # The nearest word before it may be a bare verb (资金池一次最多能借多少钱): the nearest word that names
    # something is a focus too, whichever of the two the passage prints.
    things = [b for b in before if word_tag(b[1]) not in _NAMING_NOTHING and not _bare_verb(b[1])]
    thing = [] if after or not things else [min(things)[1], *min(things)[2]]
    # 常务副会长 cut 常务|副会长: the title asked is the whole one, not any 副会长.
    prefix = next((p for p in OTHER_TITLE if question.find(p + word, lo, hi) >= 0), "")
    if answer_type.kind == "person" and prefix:
        return AnswerAsked(answer_type.kind, states, (prefix + word,))
    # 党支部书记是谁: the 书记 of the 党支部, not a 党组书记; 信阳市茶商会的秘书长: not another body's.
    bodies = [
        (w, fs)
        for w, fs in words
        if w != word and _BODY.search(w) and re.search(f"{re.escape(w)}的?{re.escape(word)}", question[lo:hi])
    ]
    qualifier, qualifier_forms = max(bodies, key=lambda b: len(b[0]), default=("", ()))
    owner: tuple[str, ...] = ()
    if answer_type.kind == "person" and qualifier:
        states = qualified_people(qualifier)
        owner = (qualifier, *qualifier_forms)
    # Two verbs after it (什么时候开始上课): a passage may print either (从3月开课 … 上课).
    verbs = [(w, fs) for _, w, fs in sorted(after) if w != word and word_tag(w) == word_tag(word) == "v"]
    also = [f for w, fs in verbs for f in (w, *fs)]
    focus = tuple(dict.fromkeys((word, *forms, *also, *thing)))
    return AnswerAsked(answer_type.kind, states, focus, owner)


def _bare(text: str) -> bool:
    """Tell whether the rest of a clause says nothing of its own: single characters (在, 上, 开) only."""
    return all(len(word) == 1 for word in plain_words(text))


def _placed(
    answer_type: AnswerType,
    m: re.Match[str],
    question: str,
    words: Sequence[tuple[str, tuple[str, ...]]],
    lo: int,
    hi: int,
) -> list[tuple[str, tuple[str, ...], int]]:
    """Return the question's words between ``lo`` and ``hi`` that may be the asking phrase's focus, with
    their forms and places: not a word of the phrase itself (钱 of 多少钱), nor a time adverb (现在)."""
    return [
        (w, forms, pos)
        for w, forms in words
        if (pos := question.find(w, lo, hi)) >= 0
        and pos + len(w) <= hi
        and not (m.start() <= pos and pos + len(w) <= m.end())
        and w not in NOT_FOCUS
        and answer_type.about(w)
    ]


def _bare_verb(word: str) -> bool:
    """A one-character verb (借, 交): what it is done to is the thing asked about."""
    return len(word) == 1 and word_tag(word) == "v"


def _gap(start: int, length: int, lo: int, hi: int) -> int:
    """Characters between a word at [start, start+length) and the asking phrase at [lo, hi)."""
    return max(lo - (start + length), start - hi, 0)
