"""chamber-qa's retrieval: newspaper pages -> articles -> chunks -> BM25 index -> cited answers.

Knows nothing of Telegram, nor of how an answer is shown. The public face is `Archive`; the stages are
packages in the order the data flows: parse/ (files -> chunks), terms/ (text -> index terms), index/
(chunks -> searchable snapshots on disk) and ask/ (question -> Answer).
"""

from retrieval.archive import Archive, ArchiveStats
from retrieval.ask.english import is_english
from retrieval.config import Settings
from retrieval.index.storage import current_snapshot_id
from retrieval.models import (
    Answer,
    Article,
    Chunk,
    Conversation,
    Hit,
    ListItem,
    Page,
    PageMeta,
    Paragraph,
    ShortAnswer,
)
from retrieval.parse.doubts import Doubt
from retrieval.parse.folder import FolderChange, add_pages
from retrieval.parse.pages import PAGE_SUFFIXES
from retrieval.parse.text import without_links
from retrieval.terms.tokens import to_simplified, to_traditional

__all__ = [
    "PAGE_SUFFIXES",
    "Answer",
    "Archive",
    "ArchiveStats",
    "Article",
    "Chunk",
    "Conversation",
    "Doubt",
    "FolderChange",
    "Hit",
    "ListItem",
    "Page",
    "PageMeta",
    "Paragraph",
    "Settings",
    "ShortAnswer",
    "add_pages",
    "current_snapshot_id",
    "is_english",
    "to_simplified",
    "to_traditional",
    "without_links",
]
