"""An index being changed, in memory: new segments written, dead pages masked, small segments merged.

``IndexDraft`` starts from the previous index's segments (``Previous``) with only the pages that stay,
its corpus statistics updated by difference; ``add_segment`` tokenizes new pages into one new segment and
``merge_small`` merges segments Lucene-style: when MERGE_FACTOR segments are of one size class (a power of
MERGE_FACTOR documents) they become one, and a segment more than half dead is rewritten. Each document is
rewritten a few times over the archive's life, and adding a page rewrites only small segments. Segments
already written are never changed: a merge writes a new one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.index import records
from retrieval.index.bm25 import SparseBM25
from retrieval.index.page_data import PageData
from retrieval.index.postings import Postings, combine, count, relabel
from retrieval.index.scoring import BM25Params
from retrieval.index.segments import (
    RECORD_KINDS,
    PageEntry,
    Placed,
    Segment,
    chunk_from,
    live_masks,
    page_starts,
)
from retrieval.index.snapshot import Index
from retrieval.index.workers import tokenize_all
from retrieval.models import Chunk
from retrieval.parse.chunks import indexed_text
from retrieval.terms.dictionary import TermEvidence
from retrieval.terms.tokens import Tokenizer

MERGE_FACTOR = 6  # this many segments of one size class are merged into one


@dataclass(frozen=True)
class Previous:
    """The parts of the current index a refresh reuses."""

    placed: list[Placed]  # the live pages in document order
    segments: list[Segment]
    bm25: SparseBM25
    tokenizer: Tokenizer
    chunks: Sequence[Chunk]  # live chunks in document order
    total: TermEvidence
    last_segment: int = 0

    @classmethod
    def of(cls, index: Index) -> Previous:
        """Return what a refresh reuses of an index loaded from disk (reads its total term evidence)."""
        last = int(index.manifest.get("last_segment", 0))
        return cls(
            list(index.placed), list(index.segments), index.bm25, index.tokenizer, index.chunks,
            index.term_evidence(), last,
        )  # fmt: skip

    @cached_property
    def indexed(self) -> list[PageEntry]:
        """The indexed pages, in document order."""
        return [p.entry for p in self.placed]

    @cached_property
    def chunk_starts(self) -> list[int]:
        """Where each indexed page's chunks start, plus the end."""
        return page_starts(self.indexed, "n_chunks")


@dataclass
class IndexDraft:
    """An index being changed: segments, live pages and corpus statistics, kept consistent."""

    segments: list[Segment]
    placed: list[Placed]
    vocab: list[str]
    df: npt.NDArray[np.int64]
    n_tokens: int
    last: int = 0  # the highest segment number used so far: names are never reused

    @classmethod
    def of(cls, previous: Previous | None, keep: list[int]) -> IndexDraft:
        """The previous archive with only the live pages at positions ``keep``; statistics by difference."""
        if previous is None:
            return cls([], [], [], np.zeros(0, dtype=np.int64), 0)
        old = previous.bm25
        placed = [previous.placed[i] for i in keep]
        df, n_tokens = old.df.copy(), old.n_tokens
        after = live_masks(placed, previous.segments)
        for seg, was, now in zip(previous.segments, old.live, after, strict=True):
            if now is None:
                continue
            died = ~now if was is None else was & ~now
            if died.any():
                dead_df = seg.postings.df(died)
                df[: len(dead_df)] -= dead_df
                n_tokens -= int(seg.postings.doc_len[died].astype(np.int64).sum())
        last = max([previous.last_segment, *(int(s.name[1:]) for s in previous.segments)])
        archive = cls(list(previous.segments), placed, list(old.vocab), df, n_tokens, last)
        archive.drop_empty()
        return archive

    @property
    def n_docs(self) -> int:
        return sum(p.entry.n_chunks for p in self.placed)

    def live_docs(self) -> list[int]:
        out = [0] * len(self.segments)
        for p in self.placed:
            out[p.segment] += p.entry.n_chunks
        return out

    def drop_empty(self) -> None:
        """Forget segments without a live page."""
        used = sorted({p.segment for p in self.placed})
        renumber = {old: new for new, old in enumerate(used)}
        self.segments = [self.segments[s] for s in used]
        self.placed = [replace(p, segment=renumber[p.segment]) for p in self.placed]

    def add_segment(
        self,
        moved: list[tuple[Segment, Placed]],
        added: list[PageData],
        tokenizer: Tokenizer,
        params: BM25Params,
    ) -> None:
        """Tokenize new pages, and live pages moved out of older segments, into a new segment."""
        if not moved and not added:
            return
        name = self.next_name()
        texts = [
            indexed_text(chunk_from(seg.chunks.raw(c), 0))
            for seg, p in moved
            for c in range(int(seg.chunk_starts[p.page]), int(seg.chunk_starts[p.page + 1]))
        ]
        texts += [indexed_text(chunk_from(c, 0)) for data in added for c in data.chunks]
        counts, self.vocab = relabel(count(*tokenize_all(texts, tokenizer)), self.vocab)
        self.df = np.concatenate([self.df, np.zeros(len(self.vocab) - len(self.df), dtype=np.int64)])
        self.df += np.diff(counts.indptr)
        self.n_tokens += int(counts.doc_len.astype(np.int64).sum())
        pages = [p.entry for _, p in moved] + [data.entry for data in added]
        pages = [replace(entry, segment=name, position=j) for j, entry in enumerate(pages)]
        stored = {
            kind: records.concat(
                [seg.page_records(kind, p.page) for seg, p in moved]
                + [records.encode(item for data in added for item in _new_items(data, kind))]
            )
            for kind in RECORD_KINDS
        }
        postings = Postings.of(counts, params, self.n_tokens / (self.n_docs + counts.n_docs))
        self.segments.append(Segment.of(name, postings, pages, stored))
        self.placed += [Placed(entry, len(self.segments) - 1, j) for j, entry in enumerate(pages)]

    def next_name(self) -> str:
        self.last += 1
        return f"s{self.last:06d}"

    def merge_small(self, params: BM25Params) -> None:
        """Merge segments by size class, and rewrite half-dead ones, until no rule applies (see above)."""
        while True:
            sizes = self.live_docs()
            total = [seg.postings.n_docs for seg in self.segments]
            dead = [s for s in range(len(sizes)) if sizes[s] * 2 < total[s]]
            if dead:
                self.merge(dead[0], dead[0] + 1, params)
                continue
            tiers = [int(math.log(max(n, 1), MERGE_FACTOR)) for n in sizes]
            lo = len(tiers)
            while lo > 0 and tiers[lo - 1] <= tiers[-1]:
                lo -= 1
            if len(tiers) - lo < MERGE_FACTOR:
                return
            self.merge(lo, len(tiers), params)

    def merge(self, lo: int, hi: int, params: BM25Params) -> None:
        """Rewrite segments lo..hi-1 as one, with their live pages only."""
        name = self.next_name()
        segments = self.segments[lo:hi]
        masks = live_masks(
            [replace(p, segment=p.segment - lo) for p in self.placed if lo <= p.segment < hi], segments
        )
        counts = combine([(seg.postings, m) for seg, m in zip(segments, masks, strict=True)], len(self.vocab))
        mine = [p for p in self.placed if lo <= p.segment < hi]
        pages = [replace(p.entry, segment=name, position=j) for j, p in enumerate(mine)]
        stored = {
            kind: records.concat([self.segments[p.segment].page_records(kind, p.page) for p in mine])
            for kind in RECORD_KINDS
        }
        postings = Postings.of(counts, params, self.n_tokens / self.n_docs)
        merged = Segment.of(name, postings, pages, stored)
        self.segments[lo:hi] = [merged]
        shift = hi - lo - 1
        out, at = [], None
        for p in self.placed:
            if p.segment < lo:
                out.append(p)
            elif p.segment >= hi:
                out.append(replace(p, segment=p.segment - shift))
            elif at is None:
                at = len(out)
                out += [Placed(entry, lo, j) for j, entry in enumerate(pages)]
        self.placed = out

    def searcher(self, params: BM25Params) -> SparseBM25:
        return SparseBM25(
            tuple(seg.postings for seg in self.segments),
            tuple(live_masks(self.placed, self.segments)),
            self.vocab,
            self.df,
            self.n_tokens,
            params,
        )


def _new_items(data: PageData, kind: str) -> list[dict[str, Any]]:
    """A new page's records of a kind, as dicts to encode."""
    if kind == "evidence":
        return [data.evidence.to_json()]
    return data.chunks if kind == "chunks" else data.articles
