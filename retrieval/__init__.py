"""chamber-qa's retrieval: newspaper pages -> articles -> chunks -> BM25 index -> cited answers.

Knows nothing of Telegram. The public face is `Archive`; the stage functions are importable from
their modules (pages, articles, chunks, tokens, bm25, index, answer, evaluate).
"""

from retrieval.archive import Archive, ArchiveStats, is_english
from retrieval.config import Settings
from retrieval.models import Answer, Article, Chunk, Hit, Page, PageMeta, Paragraph
from retrieval.render import unstated_note
from retrieval.storage import current_snapshot_id

__all__ = [
    "Answer",
    "Archive",
    "ArchiveStats",
    "Article",
    "Chunk",
    "Hit",
    "Page",
    "PageMeta",
    "Paragraph",
    "Settings",
    "current_snapshot_id",
    "is_english",
    "unstated_note",
]
