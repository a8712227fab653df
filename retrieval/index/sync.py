"""Keep the index in step with the pages folder: load the current snapshot, refresh it when pages changed,
rebuild it when it is missing, stale or damaged. The one entry point to the index for the archive.

The writer (writer.py, draft.py, workers.py) is imported only when something must be written: a server
opening an index that is up to date loads none of it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

from retrieval.config import Settings
from retrieval.errors import IndexDamaged
from retrieval.index.segments import PageEntry
from retrieval.index.snapshot import Index, load_index, save_index
from retrieval.index.storage import CURRENT, Verify
from retrieval.parse.pages import scan

log = logging.getLogger(__name__)


def open_index(settings: Settings, *, rebuild: bool = False, verify: Verify = True) -> Index:
    """Load the index of the settings' pages; refresh it when pages changed, rebuild it when unusable.

    A refresh reuses the current index (see writer.py); ``rebuild`` or an index from other code or
    settings starts from nothing. ``verify="size"`` skips the checksums for a fast start (see
    Archive.check).
    """
    index: Index | None = None
    try:
        index = load_index(settings.index_dir, settings, verify=verify)
    except IndexDamaged as exc:
        if (settings.index_dir / CURRENT).exists():
            log.warning("rebuilding the index: %s", exc)
    if index is not None and not rebuild and is_current(index.pages, settings.seeds_dir):
        return index
    return _write(settings, None if rebuild else index)


def is_current(pages: Sequence[PageEntry], folder: Path) -> bool:
    """Tell whether the index's page table still describes the folder (names, sizes, mtimes)."""
    return {p.source: p.stat for p in pages} == scan(folder)


def _write(settings: Settings, index: Index | None) -> Index:
    """Refresh ``index`` (or build from nothing when None), publish it as a new snapshot and load it."""
    from retrieval.index.draft import Previous
    from retrieval.index.writer import refresh

    previous = None
    if index is not None:
        try:
            previous = Previous.of(index)
        except IndexDamaged as exc:
            log.warning("rebuilding the index: %s", exc)
    built = refresh(settings.seeds_dir, settings.tokenizer, settings.bm25, previous, settings.page_names)
    save_index(built, settings.index_dir, settings)
    return load_index(settings.index_dir, settings, verify="size")
