"""What readers ask, kept for the archive's editors: questions, whether they were answered, what was shown,
feedback. No names, no user ids; rows expire after a retention period. SQLite (WAL) beside the index."""

from pathlib import Path

from usage.log import AskLog, Shown
from usage.report import DEFAULT_DAYS, UsageReport, report, report_file

FILE_NAME = "usage.sqlite"  # the log's default name, beside the index folder


def default_path(index_dir: Path) -> Path:
    """Where the question log lives unless a setting says otherwise: beside the index folder."""
    return index_dir.parent / FILE_NAME


__all__ = ["DEFAULT_DAYS", "AskLog", "Shown", "UsageReport", "default_path", "report", "report_file"]
