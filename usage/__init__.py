"""What readers ask, kept for the archive's editors: questions, whether they were answered, what was shown,
feedback. No names, no user ids; rows expire after a retention period. SQLite (WAL) beside the index."""

from usage.log import AskLog, Shown
from usage.report import UsageReport, report

__all__ = ["AskLog", "Shown", "UsageReport", "report"]
