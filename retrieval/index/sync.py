"""Keep the index in step with the pages folder: load the current snapshot, refresh it when pages changed,
rebuild it when it is missing, stale or damaged. The one entry point to the index for the archive.
"""

from __future__ import annotations

import logging

from retrieval.config import Settings
from retrieval.errors import IndexDamaged
from retrieval.index.draft import Previous
from retrieval.index.snapshot import Index, load_index, save_index
from retrieval.index.storage import CURRENT, Verify
from retrieval.index.writer import is_current, refresh

log = logging.getLogger(__name__)


def open_index(settings: Settings, *, rebuild: bool = False, verify: Verify = True) -> Index:
    """Load the index of the settings' pages; refresh it when pages changed, rebuild it when unusable.

    A refresh reuses the current index (see writer.py); ``rebuild`` or an index from other code or
    settings starts from nothing. ``verify="size"`` skips the checksums for a fast start (see
    Archive.check).
    """
    index: Index | None = None
    try:
        index = load_index(settings.index_dir, settings, verify)
    except IndexDamaged as exc:
        if (settings.index_dir / CURRENT).exists():
            log.warning("rebuilding the index: %s", exc)
    if index is not None and not rebuild and is_current(index.pages, settings.seeds_dir):
        return index
    previous = None
    if index is not None and not rebuild:
        try:
            previous = Previous.of(index)
        except IndexDamaged as exc:
            log.warning("rebuilding the index: %s", exc)
    built = refresh(settings.seeds_dir, settings.tokenizer, settings.bm25, previous)
    save_index(built, settings.index_dir, settings)
    return load_index(settings.index_dir, settings, verify="size")
