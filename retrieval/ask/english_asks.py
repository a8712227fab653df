"""What an English question asks for, by its question words: "how many" a count, "how long" a duration
... The Chinese it is read as (english.py) has no asking phrase, so this serves the short answer only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.ask.answer_types import ANSWER_TYPES, AnswerAsked, Asked, counted
from retrieval.ask.which import Which

# What an English question asks for, by its question words (the Chinese it is read as has none).
_ENGLISH_ASKS = (
    ("title", re.compile(r"\bwhat (?:position|post|title|job|role)s?\b", re.I)),
    ("year", re.compile(r"\b(?:what|which) year\b|\bsince when\b", re.I)),
    ("date", re.compile(r"\bwhen\b|\b(?:what|which) (?:date|day|month)\b|\bon what day\b", re.I)),
    ("time", re.compile(r"\bwhat time\b", re.I)),
    ("duration", re.compile(r"\bhow long\b", re.I)),
    ("size", re.compile(r"\bhow (?:large|big)\b|\bwhat (?:area|size)\b", re.I)),
    ("rate", re.compile(r"\bwhat (?:percentage|proportion|share|rate)\b|\bhow many percent\b", re.I)),
    (
        "money",
        re.compile(
            r"\bhow much\b(?=.*\b(?:money|yuan|donat|invest|financ|capital|sales|cost|fund|loan|borrow|rais|"
            r"revenue|income|spen|worth|paid|pay|subsid|tax)\w*)|\bhow much (?:money|yuan)\b"
            r"|\bwhat (?:were|was|are|is) the\b.*\b(?:sales|revenue|income|turnover|investment|donations?)\b",
            re.I,
        ),
    ),
    ("count", re.compile(r"\bhow many\b", re.I)),
)


def english_asked(question: str, focus: Sequence[str], weight: float) -> Asked | None:
    """Return the typed answer an English question asks for, about any of the Chinese ``focus`` words it
    was read as (its counted noun is not known): for the short answer, not for ranking."""
    kind = next((k for k, pattern in _ENGLISH_ASKS if pattern.search(question)), None)
    if kind is None or not focus:
        return None
    spans = counted("个") if kind == "count" else next(t.spans for t in ANSWER_TYPES if t.kind == kind)
    return Asked((AnswerAsked(kind, spans, tuple(focus)),), weight)


# "Which bank", "what magazine": the head noun read into the Chinese one which.py knows.
_ENGLISH_WHICH = re.compile(r"\b(?:which|what)\s+(?:\w+\s+){0,2}?(?P<head>\w+)\b", re.I)
_HEADS = {
    "bank": Which("organisation", "银行"),
    "company": Which("organisation", "公司"),
    "firm": Which("organisation", "公司"),
    "enterprise": Which("organisation", "企业"),
    "association": Which("organisation", "协会"),
    "chamber": Which("organisation", "商会"),
    "department": Which("organisation", "部门"),
    "agency": Which("organisation", "机构"),
    "bureau": Which("organisation", "单位"),
    "organisation": Which("organisation", "机构"),
    "organization": Which("organisation", "机构"),
    "magazine": Which("document"),
    "journal": Which("document"),
    "document": Which("document"),
    "policy": Which("document"),
    "book": Which("document"),
    "honour": Which("title"),
    "honor": Which("title"),
    "title": Which("title"),
    "award": Which("title"),
}


def english_which(question: str) -> Which | None:
    """Return the organisation, document or title an English which-question asks for, if it asks one."""
    for m in _ENGLISH_WHICH.finditer(question):
        head = m["head"].lower()
        if (head.endswith("s") and head[:-1] in _HEADS) or head.endswith("ies"):
            return None  # which chambers, which companies: a list, not one name
        if found := _HEADS.get(head):
            return found
    return None


# "Which areas", "what services": the plural head noun of an English list question, read into the Chinese
# words a printed list is said of (…等方面, …等12项事项).
_ENGLISH_LIST = re.compile(
    r"\b(?:which|what)\s+(?:are\s+|were\s+)?(?:the\s+)?(?:\w+\s+){0,2}?(?P<head>\w+s)\b", re.I
)
_LIST_HEADS = {
    "areas": ("方面", "领域"),
    "aspects": ("方面",),
    "fields": ("领域", "方面"),
    "sectors": ("行业", "领域"),
    "measures": ("措施", "举措"),
    "steps": ("措施", "举措"),
    "services": ("服务",),
    "problems": ("问题",),
    "issues": ("问题",),
    "difficulties": ("困难", "难题"),
    "cities": ("城市", "市"),
    "courses": ("课程",),
    "projects": ("项目",),
    "companies": ("企业", "公司"),
    "enterprises": ("企业",),
    "firms": ("企业", "公司"),
    "chambers": ("商会",),
    "matters": ("事项",),
    "items": ("事项",),
    "tasks": ("事项", "任务"),
    "standards": ("标准",),
    "activities": ("活动",),
    "forms": ("形式",),
    "platforms": ("平台",),
    "mechanisms": ("机制",),
}


def english_list_heads(question: str) -> list[str]:
    """Return the Chinese words an English list question asks the items of (which areas -> 方面, 领域), or
    nothing."""
    for m in _ENGLISH_LIST.finditer(question):
        if heads := _LIST_HEADS.get(m["head"].lower()):
            return list(heads)
    return []
