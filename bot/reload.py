"""Serve a new index version without a restart: load it in a worker thread, then swap one reference.

Two ways in: the admin command /reload (bot/handlers.py) and `watch_index`, a task that polls which
index snapshot is current every INDEX_POLL_SECONDS and reloads when another process published a new
one. Either way the old archive answers every question until the new one is completely loaded, a
question already running keeps the archive it started with, and a lock keeps two reloads from loading
at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.state import BotState, Edition
from retrieval import current_snapshot_id

if TYPE_CHECKING:
    from retrieval import Settings

logger = logging.getLogger(__name__)
SnapshotProbe = Callable[[Path], str | None]


class ReloadRunning(Exception):
    """Another reload is loading right now; this one did nothing."""


@dataclass(frozen=True)
class Reloaded:
    """The edition that served before a reload and the one that serves now."""

    old: Edition
    new: Edition

    @property
    def changed(self) -> bool:
        """Tell whether the reload brought another index version."""
        return self.old.stats.index_version != self.new.stats.index_version


def open_edition(settings: Settings) -> Edition:
    """Open the archive (building it when missing or stale), warm it and read it; blocking."""
    from retrieval import Archive  # looked up at call time, so tests can slow Archive.open down

    archive = Archive.open(settings)
    archive.embed_in_background()  # the new pages' vectors: BM25 alone ranks them until they are made
    archive.warm()  # the first English question after the swap must not pay for this
    return Edition.of(archive)


async def reload(state: BotState) -> Reloaded:
    """Load the current index in a worker thread and swap it in; the old one serves until then.

    Raises:
        ReloadRunning: when another reload is loading (nothing is done).
        Exception: whatever loading raised (RetrievalError, OSError, …); the old archive keeps serving.
    """
    if state.reload_lock.locked():  # no await between this check and the acquire: no race
        raise ReloadRunning("a reload is already running")
    async with state.reload_lock:
        old = state.edition
        new = await asyncio.to_thread(open_edition, state.index_settings)
        state.edition = new  # the swap: handlers that already read state.edition keep theirs
    stats = new.stats
    logger.info(
        "Reloaded the index: %s -> %s (%d pages, %d articles, %d chunks)",
        old.stats.index_version,
        stats.index_version,
        stats.n_pages,
        stats.n_articles,
        stats.n_chunks,
    )
    return Reloaded(old, new)


async def watch_index(state: BotState, interval: float, probe: SnapshotProbe = current_snapshot_id) -> None:
    """Every `interval` seconds, reload when the current snapshot is not the one served; until cancelled."""
    attempted: str | None = None  # a snapshot that failed to load is not retried until another appears
    while True:
        await asyncio.sleep(interval)
        try:
            attempted = await _check_once(state, probe, attempted)
        except Exception:  # the watcher must outlive any one failure; the next poll tries again
            logger.exception("Checking for a new index version failed")


async def _check_once(state: BotState, probe: SnapshotProbe, attempted: str | None) -> str | None:
    """Reload if a new snapshot is current; return the snapshot id attempted (or still pending)."""
    current = await asyncio.to_thread(probe, state.index_settings.index_dir)
    if current is None or current in (state.edition.snapshot_id, attempted):
        return attempted
    try:
        await reload(state)
    except ReloadRunning:  # /reload is on it; look again at the next poll
        return attempted
    except Exception as error:
        logger.error(
            "Could not load index snapshot %s, still serving %s: %s",
            current,
            _version(state),
            error,
            exc_info=True,
        )
    return current


def _version(state: BotState) -> str:
    """Return the index version being served."""
    return state.edition.stats.index_version


def start_watching(state: BotState) -> None:
    """Start the index poller (post_init), unless INDEX_POLL_SECONDS is 0."""
    interval = state.settings.index_poll_seconds
    if interval > 0 and state.watcher is None:
        state.watcher = asyncio.create_task(watch_index(state, interval), name="chamber-qa index watcher")


async def stop_watching(state: BotState) -> None:
    """Cancel the index poller and wait for it to end (post_shutdown)."""
    watcher, state.watcher = state.watcher, None
    if watcher is not None:
        watcher.cancel()
        with suppress(asyncio.CancelledError):
            await watcher
