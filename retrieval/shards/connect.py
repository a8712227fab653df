"""The shards as one Xapian database per thread (Xapian's objects are not to be shared between threads).

A shard is a folder or a ``host:port`` served by ``xapian-tcpsrv``. Each read has a bounded timeout. A
shard that fails or times out is left out, with a log line, and the question starts again on the others
(its ids would otherwise name other documents); the failed shard is tried again every ``retry_seconds``
and joins again when it answers. Only when no shard answers does a question fail.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from retrieval.shards.engine import ShardsChanged, ShardsUnavailable, xapian

log = logging.getLogger(__name__)
T = TypeVar("T")
TIMEOUT_MS = 2000  # a shard slower than this, for one read, is taken as down
RETRY_SECONDS = 10.0  # how often a shard that failed is tried again
REOPEN_SECONDS = 2.0  # how often a thread looks for a newer committed revision of the shards


def open_shard(address: str, timeout_ms: int = TIMEOUT_MS) -> Any:
    """Open one shard read-only: ``host:port`` (xapian-tcpsrv) or a folder."""
    x = xapian()
    host, sep, port = address.rpartition(":")
    if sep and host and port.isdigit():
        return x.remote_open(host.strip("[]"), int(port), timeout_ms, timeout_ms)
    return x.Database(address)


@dataclass
class Handle:
    """One thread's open shards: each one that answered, and the database joining them."""

    shards: dict[str, Any]  # address -> database, in the order given
    joined: Any
    generation: int  # of the set of shards left out when this was opened
    opened: float = field(default_factory=time.monotonic)
    documents: dict[int, Any] = field(default_factory=dict)  # read during this question
    term_freqs: dict[str, int] = field(default_factory=dict)

    def document(self, docid: int) -> Any:
        doc = self.documents.get(docid)
        if doc is None:
            doc = self.documents[docid] = self.joined.get_document(docid)
        return doc

    def term_freq(self, term: str) -> int:
        freq = self.term_freqs.get(term)
        if freq is None:
            freq = self.term_freqs[term] = self.joined.get_termfreq(term)
        return freq


class ShardSet:
    """The archive's shards, for every thread of a process."""

    def __init__(
        self, addresses: Sequence[str], timeout_ms: int | None = None, retry_seconds: float | None = None
    ) -> None:
        if not addresses:
            raise ShardsUnavailable("no shard given: XAPIAN_SHARDS is a comma-separated list of host:port")
        self.addresses = tuple(addresses)
        self.timeout_ms = TIMEOUT_MS if timeout_ms is None else timeout_ms
        self.retry_seconds = RETRY_SECONDS if retry_seconds is None else retry_seconds
        self._down: dict[str, float] = {}  # address -> when it last failed
        self._generation = 0
        self._rewrites = 0  # newer revisions seen: the page table is read again
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def unavailable(self) -> tuple[str, ...]:
        """The shards left out now."""
        with self._lock:
            return tuple(a for a in self.addresses if a in self._down)

    @property
    def state(self) -> tuple[int, int]:
        """Changes when a shard is left out or back, or a newer revision was opened."""
        with self._lock:
            return self._generation, self._rewrites

    def handle(self) -> Handle:
        """This thread's open shards for a new question: a failed shard tried again when due, a newer
        revision opened, what the previous question read forgotten."""
        self._retry_due()
        handle: Handle | None = getattr(self._local, "handle", None)
        if handle is None or handle.generation != self._generation:
            handle = self._local.handle = self._connect()
        elif time.monotonic() - handle.opened >= REOPEN_SECONDS:
            handle.opened = time.monotonic()
            if self.call(lambda h: h.joined.reopen(), handle):
                with self._lock:
                    self._rewrites += 1
        handle.documents.clear()
        handle.term_freqs.clear()
        return handle

    def call(self, read: Callable[[Handle], T], handle: Handle | None = None) -> T:
        """Run one read on this thread's shards.

        Raises:
            ShardsChanged: a shard failed (it is left out from now on) or the shards were rewritten
                meanwhile (reopened): the question must start again.
        """
        x = xapian()
        handle = handle or getattr(self._local, "handle", None) or self.handle()
        try:
            return read(handle)
        except x.DatabaseModifiedError as exc:
            handle.joined.reopen()
            raise ShardsChanged("the shards were rewritten during the question") from exc
        except x.Error as exc:
            self._find_down(handle, exc)
            raise ShardsChanged(f"a shard failed during the question: {exc}") from exc

    def _connect(self) -> Handle:
        x = xapian()
        generation = self._generation
        shards = {}
        for address in self.addresses:
            if address in self._down:
                continue
            try:
                shards[address] = open_shard(address, self.timeout_ms)
            except x.Error as exc:
                self._mark_down(address, exc)
        if not shards:
            raise ShardsUnavailable(f"no shard answers ({', '.join(self.addresses)})")
        joined = x.Database()
        for db in shards.values():
            joined.add_database(db)
        return Handle(shards, joined, generation)

    def _retry_due(self) -> None:
        now = time.monotonic()
        with self._lock:
            due = [a for a, since in self._down.items() if now - since >= self.retry_seconds]
            for address in due:  # one thread tries each at a time
                self._down[address] = now
        for address in due:
            try:
                open_shard(address, self.timeout_ms).close()
            except xapian().Error:
                continue
            with self._lock:
                self._down.pop(address, None)
                self._generation += 1
            log.info("shard %s answers again", address)

    def _find_down(self, handle: Handle, exc: Exception) -> None:
        """Tell which shard failed: each is asked something small."""
        for address, db in handle.shards.items():
            try:
                db.reopen()
                db.get_doccount()
            except xapian().Error:
                self._mark_down(address, exc)
        if handle.generation == self._generation:  # none found: open anew all the same
            with self._lock:
                self._generation += 1

    def _mark_down(self, address: str, exc: Exception) -> None:
        with self._lock:
            if address not in self._down:
                self._generation += 1
                log.warning("shard %s does not answer, answering from the others: %s", address, exc)
            self._down[address] = time.monotonic()
