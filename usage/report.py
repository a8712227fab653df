"""What the log says to the archive's editors: questions per day, the most asked, the refused ones (the
archive's gaps) and the answers readers marked 👎. One read of the SQLite file → UsageReport."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

DEFAULT_DAYS = 30
TOP = 10  # questions listed per table


@dataclass(frozen=True)
class Count:
    """A question (as searched) and how many times it was asked."""

    question: str
    times: int


@dataclass(frozen=True)
class UsageReport:
    """The editors' view of the last ``days`` days."""

    days: int
    questions: int  # questions searched (small talk not counted)
    answered: int
    small_talk: int
    up: int
    down: int
    per_day: tuple[tuple[str, int], ...]  # (YYYY-MM-DD in UTC, questions), oldest first
    most_asked: tuple[Count, ...]
    refused: tuple[Count, ...]  # asked and not answered: what the archive lacks
    disliked: tuple[Count, ...]  # answers marked 👎, by question

    def as_json(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return asdict(self)


def report(db: sqlite3.Connection, days: int = DEFAULT_DAYS, now: float | None = None) -> UsageReport:
    """Read the report of the last ``days`` days from the log's connection."""
    since = (time.time() if now is None else now) - days * 86_400
    totals = db.execute(
        "SELECT COALESCE(SUM(kind = ''), 0), COALESCE(SUM(kind = '' AND answered), 0),"
        " COALESCE(SUM(kind != ''), 0), COALESCE(SUM(feedback = 1), 0), COALESCE(SUM(feedback = -1), 0)"
        " FROM asks WHERE asked_at >= ?",
        (since,),
    ).fetchone()
    per_day = db.execute(
        "SELECT date(asked_at, 'unixepoch'), COUNT(*) FROM asks WHERE asked_at >= ? AND kind = ''"
        " GROUP BY 1 ORDER BY 1",
        (since,),
    ).fetchall()
    return UsageReport(
        days,
        *(int(n) for n in totals),
        per_day=tuple((str(day), int(n)) for day, n in per_day),
        most_asked=_counted(db, since, "1"),
        refused=_counted(db, since, "NOT answered"),
        disliked=_counted(db, since, "feedback = -1"),
    )


def _counted(db: sqlite3.Connection, since: float, where: str) -> tuple[Count, ...]:
    """The questions (as searched) matching ``where`` (one of this module's fixed fragments, never input),
    most frequent first, then most recent."""
    rows = db.execute(
        f"SELECT searched, COUNT(*), MAX(asked_at) FROM asks WHERE asked_at >= ? AND kind = '' AND {where}"
        " GROUP BY searched ORDER BY 2 DESC, 3 DESC LIMIT ?",
        (since, TOP),
    ).fetchall()
    return tuple(Count(str(q), int(n)) for q, n, _ in rows)


def report_file(path: Path, days: int = DEFAULT_DAYS) -> UsageReport | None:
    """Read the report from a log file (only reads; WAL lets the bot write meanwhile); None when there is
    none."""
    if not path.is_file():
        return None
    db = sqlite3.connect(path, timeout=5.0)
    try:
        return report(db, days)
    finally:
        db.close()
