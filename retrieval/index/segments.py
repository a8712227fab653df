"""The index's page table and segments: the types a snapshot is made of, and the codecs of their records.

Every file of the pages folder has a ``PageEntry`` (indexed, refused or a duplicate). An indexed page's
chunks, articles and term evidence are records in one ``Segment`` (with the segment's postings), at a
position among the pages written into it; the page table says where, and ``place`` finds the live pages
in document order. Shared by the reader (snapshot.py) and the writer (writer.py, draft.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from retrieval.errors import IndexDamaged
from retrieval.index.bm25 import SparseBM25
from retrieval.index.postings import Postings
from retrieval.index.records import Blob, Offsets, Records
from retrieval.index.storage import Snapshot
from retrieval.models import Article, Chunk, PageMeta, Paragraph
from retrieval.parse.pages import Stat
from retrieval.terms.dictionary import TermEvidence
from retrieval.terms.tokens import Tokenizer

Status = Literal["indexed", "refused", "duplicate"]
RECORD_KINDS = ("chunks", "articles", "evidence")  # a segment's records, each a (blob, offsets) pair


@dataclass(frozen=True)
class PageEntry:
    """One file of the pages folder as the index knows it."""

    source: str
    stat: Stat
    status: Status
    sha256: str = ""  # of the page's bytes and its sidecar's
    reason: str = ""  # why a page was refused, or which page it duplicates
    paper: str | None = None
    date: str | None = None
    n_articles: int = 0
    n_chunks: int = 0
    segment: str = ""  # the segment an indexed page's chunks are in ...
    position: int = 0  # ... and its place among the pages written into that segment

    def to_json(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in _ENTRY_FIELDS}  # asdict deep-copies: slow for 40k pages

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> PageEntry:
        return cls(**{**raw, "stat": tuple(raw["stat"])})


_ENTRY_FIELDS = tuple(f.name for f in fields(PageEntry))


@dataclass(frozen=True, eq=False)
class Segment:
    """A segment as an index holds it: postings, records and pages, never changed once written."""

    name: str
    postings: Postings
    # Where each page written into it (live or not, in document order) starts, plus the end.
    chunk_starts: npt.NDArray[np.int64]
    article_starts: npt.NDArray[np.int64]
    chunks: Records[Chunk]
    articles: Records[Article]
    evidence: Records[TermEvidence]  # per page
    saved_in: Snapshot | None = None  # the snapshot its files are in; None while only in memory

    @classmethod
    def of(
        cls,
        name: str,
        postings: Postings,
        pages: Sequence[PageEntry],
        stored: Mapping[str, tuple[Blob, Offsets]],
    ) -> Segment:
        """A new segment: postings, the pages written into it (in order) and their records by kind."""
        return cls(
            name,
            postings,
            np.asarray(page_starts(pages, "n_chunks"), dtype=np.int64),
            np.asarray(page_starts(pages, "n_articles"), dtype=np.int64),
            Records(*stored["chunks"], chunk_from),
            Records(*stored["articles"], article_from),
            Records(*stored["evidence"], evidence_from),
        )

    @property
    def n_pages(self) -> int:
        return len(self.chunk_starts) - 1

    def page_records(self, kind: str, page: int) -> tuple[Blob, Offsets]:
        """One page's records of a kind (see RECORD_KINDS), as a piece for records.concat."""
        if kind == "evidence":
            return self.evidence.slice(page, page + 1)
        starts = self.chunk_starts if kind == "chunks" else self.article_starts
        return getattr(self, kind).slice(starts[page], starts[page + 1])

    def check(self) -> None:
        """Raise IndexDamaged unless the postings, records and page starts agree."""
        ok = (
            len(self.article_starts) == len(self.chunk_starts) == len(self.evidence) + 1
            and self.chunk_starts[-1] == len(self.chunks) == self.postings.n_docs
            and self.article_starts[-1] == len(self.articles)
        )
        if not ok:
            raise IndexDamaged(f"segment {self.name}: postings, records and page starts disagree")

    def live_mask(self, live_pages: Iterable[int]) -> npt.NDArray[np.bool_] | None:
        """The live mask of the documents of these pages (positions in the segment); None when all are."""
        alive = np.zeros(self.n_pages, dtype=bool)
        alive[list(live_pages)] = True
        if alive.all():
            return None
        return np.repeat(alive, np.diff(self.chunk_starts))


@dataclass(frozen=True)
class Placed:
    """A live page: its entry, and where its items are (segment, page position there)."""

    entry: PageEntry
    segment: int
    page: int


@dataclass
class Built:
    """A complete archive, ready to be saved: snapshot.save_index writes exactly this."""

    pages: list[PageEntry]  # every file of the folder: indexed ones first, in doc order, then the rest
    segments: list[Segment]
    bm25: SparseBM25
    tokenizer: Tokenizer
    total: TermEvidence = field(default_factory=TermEvidence)
    last_segment: int = 0  # the highest segment number ever used (names are never reused)

    @property
    def indexed(self) -> list[PageEntry]:
        return [p for p in self.pages if p.status == "indexed"]


def place(pages: Sequence[PageEntry], segments: Sequence[Segment]) -> list[Placed]:
    """Return the live pages in document order (segment by segment), from the page table."""
    number = {seg.name: s for s, seg in enumerate(segments)}
    starts = [seg.chunk_starts.tolist() for seg in segments]
    out = []
    for entry in pages:
        if entry.status != "indexed":
            continue
        s = number.get(entry.segment)
        i = entry.position
        if s is None or not 0 <= i < len(starts[s]) - 1 or starts[s][i + 1] - starts[s][i] != entry.n_chunks:
            raise IndexDamaged(f"page {entry.source} is not where the table says ({entry.segment}, {i})")
        out.append(Placed(entry, s, i))
    out.sort(key=lambda p: (p.segment, p.page))
    return out


def live_masks(placed: Sequence[Placed], segments: Sequence[Segment]) -> list[npt.NDArray[np.bool_] | None]:
    alive: list[list[int]] = [[] for _ in segments]
    for p in placed:
        alive[p.segment].append(p.page)
    return [seg.live_mask(pages) for seg, pages in zip(segments, alive, strict=True)]


def runs(placed: Sequence[Placed], segments: Sequence[Segment], kind: str) -> list[tuple[Any, int, int]]:
    """The (records, lo, hi) runs of the live pages' chunks or articles, neighbours joined."""
    out: list[tuple[Any, int, int]] = []
    starts_of = [(s.chunk_starts if kind == "chunks" else s.article_starts).tolist() for s in segments]
    for p in placed:
        seg, starts = segments[p.segment], starts_of[p.segment]
        lo, hi = starts[p.page], starts[p.page + 1]
        if out and out[-1][0] is getattr(seg, kind) and out[-1][2] == lo:
            out[-1] = (out[-1][0], out[-1][1], hi)
        else:
            out.append((getattr(seg, kind), lo, hi))
    return out


def evidence_from(raw: dict[str, Any], _: int = 0) -> TermEvidence:
    return TermEvidence.from_json(raw)


def chunk_record(chunk: Chunk) -> dict[str, Any]:
    """A chunk as stored: its id is its position in the archive, given when it is read."""
    raw = asdict(chunk)
    del raw["id"]
    return raw


def chunk_from(raw: dict[str, Any], position: int) -> Chunk:
    return Chunk(id=position, **raw)


def article_from(raw: dict[str, Any], _: int = 0) -> Article:
    return Article(
        **{
            **raw,
            "headline": tuple(raw["headline"]),
            "paragraphs": tuple(Paragraph(**p) for p in raw["paragraphs"]),
            "meta": PageMeta(**raw["meta"]),
            "subheads": tuple(tuple(s) for s in raw["subheads"]),
            "headline_span": tuple(raw["headline_span"]),
        }
    )


def page_starts(pages: Sequence[PageEntry], field_name: str) -> list[int]:
    """Return where each page's items start in the archive's order, plus the end."""
    out = [0]
    for page in pages:
        out.append(out[-1] + getattr(page, field_name))
    return out
