"""The question log: one SQLite file (WAL), written by the bot, read by /stats and `chamber-qa stats`.

Each asked question is a row (the question as typed and as searched, answered or not, the chat's type,
the language, the time, the reader's 👍/👎); each answer screen shown is a row naming the article and
paragraph it quoted. Nothing names the reader: no user id, no chat id, no name. Rows older than the
retention period are deleted. Button presses name an ask by its row id, so "更多" and "全文" keep working
across restarts for as long as the row is kept.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from usage.report import DEFAULT_DAYS, UsageReport, report

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS asks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    asked_at REAL NOT NULL,          -- Unix time
    question TEXT NOT NULL,          -- as typed (cut to the archive's question limit)
    searched TEXT NOT NULL,          -- as searched: a follow-up as the conversation rewrote it
    answered INTEGER NOT NULL,       -- 1 answered, 0 refused
    kind TEXT NOT NULL DEFAULT '',   -- 'small_talk' for small talk, '' for questions
    chat_type TEXT NOT NULL,         -- private, group, supergroup
    lang TEXT NOT NULL,              -- zh, zh-hant, en
    feedback INTEGER                 -- 1 👍, -1 👎, NULL none
);
CREATE INDEX IF NOT EXISTS asks_time ON asks (asked_at);
CREATE TABLE IF NOT EXISTS shown (
    ask_id INTEGER NOT NULL REFERENCES asks (id) ON DELETE CASCADE,
    screen INTEGER NOT NULL,         -- 0-based position of the answer screen
    article_id TEXT NOT NULL,        -- "<page stem>#<n>", stable while the page does not change
    title TEXT NOT NULL,             -- the headline then: a changed article is told apart by it
    paragraph INTEGER NOT NULL,
    PRIMARY KEY (ask_id, screen)
);
"""
DEFAULT_RETENTION_DAYS = 90
PURGE_EVERY_SECONDS = 3600.0
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class Shown:
    """The passage an answer screen quoted: its article (for "全文") and paragraph."""

    article_id: str
    title: str
    paragraph: int


@dataclass(frozen=True)
class Asked:
    """A logged question, as a button press needs it back."""

    id: int
    searched: str
    lang: str


class AskLog:
    """The question log on one SQLite file; safe to call from the event loop and from worker threads.

    Calls take well under a millisecond (one indexed row), so the bot makes them inline; a lock keeps the
    one connection to one thread at a time.
    """

    def __init__(self, path: Path | str, retention_days: float = DEFAULT_RETENTION_DAYS) -> None:
        self.path = str(path)
        self.retention_seconds = retention_days * DAY_SECONDS
        self._lock = threading.Lock()
        self._last_purge = 0.0
        self._db = _connect(self.path)

    @classmethod
    def open(cls, path: Path | None, retention_days: float = DEFAULT_RETENTION_DAYS) -> AskLog:
        """Open (creating) the log at ``path``; in memory, with a log line, when it cannot be opened — the
        bot goes on answering, only nothing outlives the process."""
        if path is not None:
            try:
                return cls(path, retention_days)
            except (OSError, sqlite3.Error) as error:
                logger.error("Cannot open the question log %s (%s); keeping it in memory", path, error)
        return cls(":memory:", retention_days)

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def record(
        self, question: str, searched: str, *, answered: bool, kind: str, chat_type: str, lang: str
    ) -> int:
        """Log an asked question and return its id (which the answer's buttons carry)."""
        self.purge()
        with self._write() as db:
            cursor = db.execute(
                "INSERT INTO asks (asked_at, question, searched, answered, kind, chat_type, lang)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (time.time(), question, searched, int(answered), kind, chat_type, lang),
            )
            return int(cursor.lastrowid or 0)

    def record_shown(self, ask_id: int, screen: int, shown: Shown) -> None:
        """Log which passage an answer screen quoted (shown again: the newer one wins)."""
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO shown (ask_id, screen, article_id, title, paragraph)"
                " SELECT id, ?, ?, ?, ? FROM asks WHERE id = ?",
                (screen, shown.article_id, shown.title, shown.paragraph, ask_id),
            )

    def asked(self, ask_id: int) -> Asked | None:
        """Return a logged question, or None once it has expired."""
        with self._lock:
            row = self._db.execute("SELECT id, searched, lang FROM asks WHERE id = ?", (ask_id,)).fetchone()
        return Asked(*row) if row else None

    def shown(self, ask_id: int, screen: int) -> Shown | None:
        """Return the passage a screen of an answer quoted, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT article_id, title, paragraph FROM shown WHERE ask_id = ? AND screen = ?",
                (ask_id, screen),
            ).fetchone()
        return Shown(*row) if row else None

    def vote(self, ask_id: int, *, up: bool) -> bool:
        """Keep a reader's 👍 or 👎 on an answer (a second press replaces the first); False once expired."""
        with self._write() as db:
            cursor = db.execute("UPDATE asks SET feedback = ? WHERE id = ?", (1 if up else -1, ask_id))
            return cursor.rowcount > 0

    def purge(self, now: float | None = None) -> int:
        """Delete rows older than the retention period (at most once an hour unless ``now`` is given)."""
        current = time.time() if now is None else now
        if now is None and current - self._last_purge < PURGE_EVERY_SECONDS:
            return 0
        self._last_purge = current
        with self._write() as db:
            cursor = db.execute("DELETE FROM asks WHERE asked_at < ?", (current - self.retention_seconds,))
            return cursor.rowcount

    def report(self, days: int = DEFAULT_DAYS) -> UsageReport:
        """The editors' report of the last ``days`` days (usage.report)."""
        with self._lock:
            return report(self._db, days)

    def connection_mode(self) -> str:
        """The journal mode the file is in ("wal" on disk, "memory" when kept in memory)."""
        with self._lock:
            return str(self._db.execute("PRAGMA journal_mode").fetchone()[0])

    def close(self) -> None:
        """Close the file (the WAL is checkpointed into it)."""
        with self._lock:
            self._db.close()


def _connect(path: str) -> sqlite3.Connection:
    """Open the file in WAL mode (readers never block the bot's writes) with foreign keys on."""
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
    if path != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.executescript(SCHEMA)
    return db
