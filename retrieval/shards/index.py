"""The archive on its shards, as answering reads an index: BM25 candidates and statistics, chunks by id,
the tokenizer, the articles and pages, the archive's figures. The page table (entries only) is read when
the shards are opened and again when they were rewritten; a page's articles are read when first asked.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import PurePath
from typing import Any, TypeVar, overload

from retrieval.config import Settings
from retrieval.index.scoring import BM25Params
from retrieval.index.segments import PageEntry
from retrieval.models import Answer, Article
from retrieval.shards import documents as docs
from retrieval.shards.connect import Handle, ShardSet
from retrieval.shards.engine import ShardsChanged, ShardsUnavailable
from retrieval.shards.search import ShardChunks, ShardSearch, ShardVectors
from retrieval.terms.tokens import Tokenizer, TokenizerConfig

A = TypeVar("A", bound=Answer)


@dataclass(frozen=True)
class ShardsVersion:
    """What stands for an index snapshot: the snapshot the shards were written from."""

    snapshot_id: str

    def release(self) -> None:
        """Nothing of the shards is mapped into this process."""


@dataclass(frozen=True)
class Catalogue:
    """The pages the answering shards hold, in file-name order, and where each one's articles start."""

    header: dict[str, Any]
    pages: tuple[PageEntry, ...]
    home: dict[str, str]  # page file -> the shard holding it
    starts: tuple[int, ...]  # first article of each page, then the total

    @classmethod
    def read(cls, handle: Handle) -> Catalogue:
        headers = [json.loads(db.get_metadata(docs.HEADER) or "{}") for db in handle.shards.values()]
        header = next((h for h in headers if h), None)
        if header is None or header.get("format") != docs.FORMAT:
            raise ShardsUnavailable(
                "the shards hold no chamber-qa archive: write them with `chamber-qa shards write`"
            )
        found = []
        for address, db in handle.shards.items():
            for key in db.metadata_keys(docs.PAGE_KEY):
                value = db.get_metadata(key)
                if value:
                    found.append((docs.page_entry(value), address))
        found.sort(key=lambda pair: pair[0].source)
        starts = [0]
        for entry, _ in found:
            starts.append(starts[-1] + entry.n_articles)
        return cls(header, tuple(e for e, _ in found), {e.source: a for e, a in found}, tuple(starts))


class ShardArticles(Sequence[Article]):
    """Every article of the answering shards, in page order, each page's read when first asked."""

    def __init__(self, index: ShardIndex) -> None:
        self._index = index

    def __len__(self) -> int:
        return self._index.catalogue.starts[-1]

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> list[Article]: ...
    def __getitem__(self, i: int | slice) -> Article | list[Article]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        starts = self._index.catalogue.starts
        page = bisect.bisect_right(starts, i) - 1
        return self._index.page_articles(self._index.catalogue.pages[page].source)[i - starts[page]]


class ShardIndex:
    """The archive on Xapian shards, read as answering reads an embedded ``Index``."""

    def __init__(self, shards: ShardSet) -> None:
        self.shards = shards
        self._lock = threading.Lock()
        self._articles: dict[str, list[Article]] = {}
        handle = shards.handle()
        self.catalogue, self._read_at = shards.call(Catalogue.read, handle), shards.state
        self.tokenizer = _tokenizer(handle, self.catalogue.header)
        self.bm25 = ShardSearch(shards, BM25Params.from_json(self.catalogue.header["settings"]["bm25"]))
        self.chunks = ShardChunks(shards)
        self.articles = ShardArticles(self)

    @classmethod
    def open(cls, settings: Settings) -> ShardIndex:
        return cls(ShardSet(settings.shards))

    @property
    def manifest(self) -> dict[str, Any]:
        header = self.catalogue.header
        return {**header["archive"], "index_version": header["index_version"]}

    @property
    def snapshot(self) -> ShardsVersion:
        return ShardsVersion(self.catalogue.header["snapshot_id"])

    @property
    def pages(self) -> tuple[PageEntry, ...]:
        return self.catalogue.pages

    @property
    def vectors(self) -> ShardVectors | None:
        """The chunks' vectors, when the shards were written with them."""
        return ShardVectors(self.shards) if self.catalogue.header.get("vectors") else None

    def serve(self, answer: Callable[[], A]) -> A:
        """Answer on the shards that answer now: a question a shard failed during starts again on the
        others; the answer says when some shards were left out (``partial``)."""
        for _ in range(len(self.shards.addresses) + 1):
            try:
                handle = self.shards.handle()
                if self.shards.state != self._read_at:
                    self._reread(handle)
                found = answer()
            except ShardsChanged:
                continue
            return replace(found, partial=len(handle.shards) < len(self.shards.addresses))
        raise ShardsUnavailable("the shards kept failing during the question")

    def _reread(self, handle: Handle) -> None:
        """Read the page table again: shards left out or back, or rewritten."""
        state = self.shards.state
        catalogue = self.shards.call(Catalogue.read, handle)
        if catalogue.header["terms_digest"] != self.catalogue.header["terms_digest"]:
            self.tokenizer = _tokenizer(handle, catalogue.header)  # the pages were cut by new terms
        with self._lock:
            self.catalogue, self._read_at = catalogue, state
            self._articles.clear()

    def page_articles(self, source: str) -> list[Article]:
        """The articles of one page file, in page order (none for a page no answering shard holds)."""
        name = PurePath(source).name
        with self._lock:
            cached = self._articles.get(name)
        if cached is not None:
            return cached
        address = self.catalogue.home.get(name)
        if address is None:
            return []
        key = docs.ARTICLES_KEY + name
        value = self.shards.call(
            lambda h: h.shards[address].get_metadata(key) if address in h.shards else b""
        )
        articles = docs.page_articles(value) if value else []
        with self._lock:
            self._articles[name] = articles
        return articles

    def article(self, article_id: str) -> Article | None:
        position = self.article_position(article_id)
        return None if position is None else self.articles[position]

    def article_position(self, article_id: str) -> int | None:
        stem = article_id.rsplit("#", 1)[0]
        catalogue = self.catalogue
        for n, entry in enumerate(catalogue.pages):
            if PurePath(entry.source).stem == stem:
                found = [a.id for a in self.page_articles(entry.source)]
                return catalogue.starts[n] + found.index(article_id) if article_id in found else None
        return None


def _tokenizer(handle: Handle, header: dict[str, Any]) -> Tokenizer:
    """The tokenizer the shards were written with: their domain terms and settings."""
    raw = next(value for db in handle.shards.values() if (value := db.get_metadata(docs.TERMS)))
    return Tokenizer(json.loads(raw), TokenizerConfig(**header["settings"]["tokenizer"]))
