"""The short answer: (what is asked, ranked results) -> the exact span of a passage that answers, or None.

A typed question (answer_types.py: a year, a date, a duration, a sum, a rate, a count, a person) is
answered by a sentence that names what is asked about and states an answer of that kind; the span nearest
the focus word, in the same clause, is the short answer (仅需5分钟, 5家, 黄玉霞). A question asking which
organisation, document or title (哪家银行, 什么文件, 命名为什么) takes the one name of that kind in the
sentence that covers the question best (which.py). It is cautious: only the first SHORT_DEPTH results
are read, a span must stand in the focus's clause, and two different candidates there give none — a
wrong short answer is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.ask.answer_types import Asked, Span
from retrieval.ask.coverage import Concept, Wanted, coverage, sentences_by_coverage
from retrieval.ask.english_asks import english_asked, english_which
from retrieval.ask.which import Which, which_asked
from retrieval.models import Hit, ShortAnswer
from retrieval.parse.chunks import sentences
from retrieval.terms.tagging import general_segmenter, tagged_words, word_tag
from retrieval.terms.tokens import prepare

SHORT_DEPTH = 2  # results read for a short answer: a fact stated only further down is too uncertain
_CLAUSE_BREAK = re.compile(r"[，。；：,;:！？!?（）()]")
# Stated but no answer: "recently", "this year" say when only to someone who knows when it was printed.
_VAGUE = frozenset({"近日", "日前", "今年", "去年", "明年", "上旬", "中旬", "下旬", "近期"})
# How a stated answer is scored: its sentence's and its clause's coverage of the question (each 0-1),
# plus BESIDE when it touches the word asked about and NEAR when it shares that word's clause. Another
# answer within MARGIN of the best makes the passage unclear.
BESIDE = 0.5
NEAR = 0.3
MARGIN = 0.15
# An organisation's name right before a title (…集团有限公司董事长): whose title it is.
_OWNER = re.compile(r"[\u4e00-\u9fff]{2,16}?(?:有限公司|有限责任公司|公司|集团)$")
_NAMES_A_COMPANY = re.compile(r"公司|集团")
_OWN_CITY = ("我市", "全市", "本市")
_HOW_MANY_THINGS = re.compile(r"(?:多少|几)\s*[家名位个户所]")
_COUNTED_NOUNS = frozenset({"n", "nz", "nt", "ng"})
_MODIFIERS = frozenset({"b", "a", "ns", "m", "r", "f"})  # words between 多少家 and the thing (所属商会)
_ENTITY_UNITS = "家名位个户所人"  # units that count things a noun names (5家商会), not occasions
# Words between a counted noun and its count (会员企业达320家, 商会共有5家).
_STATING = frozenset(
    {"达", "达到", "共", "共有", "有", "为", "是", "约", "近", "超过", "累计", "共计", "总计", "合计", "已"}
)
WHICH_SHARE = 0.75  # a which-name may come from a sentence covering this share of the best one's coverage


def short_answer(
    asked: Sequence[Wanted], question: str, hits: Sequence[Hit], english: str = ""
) -> ShortAnswer | None:
    """Return the span of one of the first results that answers the question (``english``: as asked,
    when it was read from English), or None."""
    typed = next((a for a in asked if isinstance(a, Asked)), None)
    if english and typed is None:
        # The words it was read as, whole (宋召强, which the index cuts into characters), and the index's.
        words = [*question.split(), *(c.term for c in asked if isinstance(c, Concept))]
        typed = english_asked(english, list(dict.fromkeys(words)), 1.0)
    which = None if typed else (english_which(english) if english else which_asked(prepare(question)))
    if typed is None and which is None:
        return None
    places = _places(question)
    # Past the best passage, one without the question's rarest word is about something else.
    # (Not for English: its rarest word may be a misreading, 阵地 for "position".)
    hits = [h for i, h in enumerate(hits) if i == 0 or english or _holds_rarest(h, asked)]
    if which is not None:
        return _which_answer(which, asked, question, hits, places)
    prepared_question = prepare(question)
    for hit in hits[:SHORT_DEPTH]:
        # A sentence about another place answers nothing (许昌's 8家 for 长葛).
        ordered = [t for t in sentences_by_coverage(asked, hit.chunk.text) if _holds_places(hit, t, places)]
        candidates = [
            c for sentence in ordered for c in _candidates(typed, sentence, asked, prepared_question)
        ]  # type: ignore[arg-type]
        if candidates:
            best = _clearly_best(candidates)
            return ShortAnswer(best[1], hit.rank, typed.kind, best[2].strip()) if best else None  # type: ignore[union-attr]
    return None


def _holds_rarest(hit: Hit, asked: Sequence[Wanted]) -> bool:
    """Tell whether a passage (with its headline) holds the question's rarest word, in some form: a
    passage without it (莲城智能体) is about something else, whatever amount it states."""
    words = [c for c in asked if isinstance(c, Concept) and len(c.term) >= 2]
    if not words:
        return True
    rarest = max(words, key=lambda c: c.weight)
    return rarest.found(prepare(f"{hit.chunk.title}\n{hit.chunk.text}")) is not None


def _places(question: str) -> list[str]:
    """Return the cities, counties and districts a question names (长葛市 of 长葛市工商联), without their
    市/县/区: jieba tags more as places (昌南 of 昌南公司, 东西), so only a name with its suffix counts."""
    words = tagged_words(prepare(question))
    return [w[:-1] for w, tag in words if tag == "ns" and len(w) >= 3 and w[-1] in "市县区"]


def _holds_places(hit: Hit, sentence: str, places: Sequence[str]) -> bool:
    """Tell whether a sentence (with its headline) names each place the question names; 我市, 全市 or 本市
    stand for it where the sentence names no other place."""
    if not places:
        return True
    text = prepare(f"{hit.chunk.title}\n{sentence}")
    if all(p in text for p in places):
        return True
    said = prepare(sentence)
    return any(w in said for w in _OWN_CITY) and not any(t == "ns" for _, t in tagged_words(said))


def _which_answer(
    which: Which, asked: Sequence[Wanted], question: str, hits: Sequence[Hit], places: Sequence[str]
) -> ShortAnswer | None:
    """Return the name a which-question asks for from the first result (of SHORT_DEPTH) whose sentences
    covering the question nearly as well as its best one (WHICH_SHARE) name it, best first; or None."""
    terms = [form for c in asked if isinstance(c, Concept) for form in (c.term, *c.aliases)]
    for hit in hits[:SHORT_DEPTH]:
        scored = [(coverage(asked, prepare(s)), s) for s in sentences_by_coverage(asked, hit.chunk.text)]
        for covered, sentence in scored:
            if covered < WHICH_SHARE * scored[0][0]:
                break
            if not _holds_places(hit, sentence, places):
                continue
            if found := which.find(sentence, question, terms):
                return ShortAnswer(found, hit.rank, which.kind, sentence.strip())
            # 相关标准也将在此次会议上发布: the meeting is named in the sentence before.
            before = _sentence_before(hit.chunk.text, sentence) if which.points_back(sentence) else ""
            if before and (found := which.find(before, question, terms)) and _whole(found, before):
                return ShortAnswer(found, hit.rank, which.kind, before.strip())
    return None


def _whole(name: str, sentence: str) -> bool:
    """Tell whether a name found in a sentence is not the tail of a longer one joined by 与, 和 or 及
    (消费品批发与|零售业商会): from the sentence before, nothing else confirms it."""
    at = sentence.find(name)
    return at <= 0 or sentence[at - 1] not in "与和及"


def _sentence_before(text: str, sentence: str) -> str:
    """Return the sentence of a passage printed right before the given one, or ""."""
    said = sentences(text)
    at = said.index(sentence) if sentence in said else 0
    return said[at - 1] if at > 0 else ""


Candidate = tuple[float, str, str]  # (how well it answers, the span as printed, its sentence)


def _candidates(typed: Asked, sentence: str, asked: Sequence[Wanted], question: str) -> list[Candidate]:
    """Return the answers a sentence states, each scored by how much of the question its sentence and its
    clause cover, one standing right beside the word asked about (30家商会) scoring more."""
    prepared = prepare(sentence)
    whole = coverage(asked, prepared)
    out = []
    for part in typed.parts:
        focus = [m.span() for form in part.focus for m in re.finditer(re.escape(form), prepared)]
        spans = [s for s in part.states(prepared) if prepared[s[0] : s[1]].strip() not in _VAGUE]
        if part.kind == "person":  # names beside the title, the nearest first; clauses already checked
            if any(_owned_by_another(prepared[: f[0]], question) for f in focus):
                continue
            spans = spans[:1]
        counted = _counted_asked(question) if part.kind == "count" else ""
        for span in spans:
            text = _original(sentence, prepared, span)
            if not text or prepared[span[0] : span[1]].strip() in question or _quoted(prepared, span):
                continue  # what the question says, or a name's words (“两个健康”), is no answer
            if counted and _counts_another(prepared, span, counted):
                continue
            beside = any(_gap(span, f) == 0 and not _modifies(prepared, f) for f in focus)
            clause = _clause(prepared, span)
            near = any(_same_clause(prepared, span, f) for f in focus)
            score = whole + coverage(asked, clause) + BESIDE * beside + NEAR * near
            out.append((score, text, sentence))
    return out


def _counted_asked(question: str) -> str:
    """The thing a question counts, named right after its 多少家 or 几名 (多少家所属商会 -> 商会), or "" when
    it names none there (商会有多少家) or not as a plain noun (几家合作, 几名河南省创新高端人才)."""
    m = _HOW_MANY_THINGS.search(question)
    words = general_segmenter().cut(question[m.end() : m.end() + 12], HMM=False) if m else []
    for word in words:
        tag = word_tag(word) or ""
        if tag in _COUNTED_NOUNS:
            return word
        if tag not in _MODIFIERS:
            break
    return ""


def _counts_another(sentence: str, span: Span, counted_asked: str) -> bool:
    """Tell whether a count counts something other than what the question counts: the noun it counts is
    the one printed right after it (5家商会), or, where its clause ends with it, the run of nouns right
    before it (党组织8家, 会员企业达320家); neither holds the other."""
    if not counted_asked or sentence[span[1] - 1] not in _ENTITY_UNITS:
        return False  # occasions (两次企业大走访) are not counted things
    after = next(iter(general_segmenter().cut(sentence[span[1] : span[1] + 8], HMM=False)), "")
    if (word_tag(after) or "").startswith("n"):
        counted = after
    elif not after or _CLAUSE_BREAK.match(after):
        counted = _nouns_before(sentence[: span[0]])
    else:  # a modifier (在线骑手) or a verb follows: which noun it counts is not clear from here
        return False
    return bool(counted) and counted_asked not in counted and counted not in counted_asked


def _nouns_before(text: str) -> str:
    """The run of nouns that ends a text (its clause), a verb of stating a figure (达, 共有) skipped."""
    words = list(general_segmenter().cut(_CLAUSE_BREAK.split(text)[-1][-12:], HMM=False))
    while words and words[-1] in _STATING:
        words.pop()
    nouns: list[str] = []
    while words and (word_tag(words[-1]) or "").startswith("n") and word_tag(words[-1]) != "nr":
        nouns.insert(0, words.pop())
    return "".join(nouns)


def _owned_by_another(before_title: str, question: str) -> bool:
    """Tell whether the title a sentence prints is of an organisation printed right before it that the
    question, which names an organisation of its own, does not name (恒达房地产集团有限公司董事长 when
    the question asks about 胖子商贸有限公司's)."""
    owner = _OWNER.search(before_title)
    return owner is not None and _NAMES_A_COMPANY.search(question) is not None and owner[0] not in question


def _clearly_best(candidates: list[Candidate]) -> Candidate | None:
    """Return the best candidate, or None when another answer scores within MARGIN of it."""
    ranked = sorted(candidates, key=lambda c: -c[0])
    rival = next((c for c in ranked if c[1] != ranked[0][1]), None)
    return None if rival and rival[0] > ranked[0][0] - MARGIN else ranked[0]


def _clause(sentence: str, span: Span) -> str:
    """Return the clause of a sentence a span stands in."""
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(sentence, 0, span[0])]
    end = _CLAUSE_BREAK.search(sentence, span[1])
    return sentence[starts[-1] if starts else 0 : end.start() if end else len(sentence)]


def _modifies(sentence: str, focus: Span) -> bool:
    """Tell whether the focus word only qualifies the noun after it (3家商会会员企业 counts 会员企业, not
    商会), so an amount beside it is not of the focus."""
    following = next(iter(general_segmenter().cut(sentence[focus[1] : focus[1] + 8], HMM=False)), "")
    tag = word_tag(following) or ""  # the dictionary's tag: no tagging pass over the whole sentence
    return tag.startswith("n") and tag != "nr"


def _quoted(sentence: str, span: Span) -> bool:
    """Tell whether a span stands inside quotation marks or a title (‘两个健康’, 《18条措施》)."""
    before = sentence[: span[0]]
    return any(before.count(left) > before.count(right) for left, right in ("“”", "‘’", "《》"))


def _gap(a: Span, b: Span) -> int:
    """Characters between two spans (0 when they touch or overlap)."""
    return max(a[0] - b[1], b[0] - a[1], 0)


def _same_clause(sentence: str, a: Span, b: Span) -> bool:
    """Tell whether no clause break stands between two spans of a sentence."""
    lo, hi = min(a[1], b[1]), max(a[0], b[0])
    return lo >= hi or not _CLAUSE_BREAK.search(sentence, lo, hi)


def _original(sentence: str, prepared: str, span: Span) -> str | None:
    """Return the words of a span of the prepared sentence as the passage prints them."""
    text = prepared[span[0] : span[1]].strip()
    if len(prepared) == len(sentence) and sentence[span[0] : span[1]].strip().lower() == text:
        return sentence[span[0] : span[1]].strip()
    at = sentence.lower().find(text)
    return sentence[at : at + len(text)] if at >= 0 else None
