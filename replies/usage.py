"""The editors' report as plain text, for /stats (escaped into HTML by the bot) and `chamber-qa stats`.
Admin screens are in Chinese, as the other admin messages are."""

from __future__ import annotations

from usage import UsageReport
from usage.report import Count

HEADER = (
    "最近 {days} 天：提问 {questions} 次，有答案 {answered} 次，未找到 {refused} 次；"
    "闲聊 {small_talk} 次；👍 {up} · 👎 {down}"
)
EMPTY = "最近 {days} 天没有人提问。"
PER_DAY = "每天提问："
MOST_ASKED = "问得最多："
REFUSED = "没找到答案的问题（档案的空白）："
DISLIKED = "读者点了 👎 的回答："
NOTHING = "（无）"
STORED = "只记录问题、是否回答、显示的原文、反馈、时间和聊天类型，不记录用户名或用户 ID；保留 {days} 天。"


def report_lines(report: UsageReport, retention_days: float | None = None) -> list[str]:
    """Return the report as lines of plain text."""
    if not report.questions and not report.small_talk:
        lines = [EMPTY.format(days=report.days)]
    else:
        refused = report.questions - report.answered
        lines = [HEADER.format(refused=refused, **{k: getattr(report, k) for k in _HEADER_FIELDS})]
        lines += ["", PER_DAY, *(f"{day}  {n}" for day, n in report.per_day)]
        for title, counts in (
            (MOST_ASKED, report.most_asked),
            (REFUSED, report.refused),
            (DISLIKED, report.disliked),
        ):
            lines += ["", title, *_counts(counts)]
    if retention_days is not None:
        lines += ["", STORED.format(days=f"{retention_days:g}")]
    return lines


_HEADER_FIELDS = ("days", "questions", "answered", "small_talk", "up", "down")


def _counts(counts: tuple[Count, ...]) -> list[str]:
    """One line per question: how many times, then the question."""
    return [f"{c.times:>4} × {c.question}" for c in counts] or [NOTHING]
