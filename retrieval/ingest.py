"""Ingest stage: a folder of pages -> an index, built whole or refreshed from the previous index.

An archive grows a page at a time, and re-reading a million chunks for each new page would take many
minutes. So the index keeps, per page, what its content hash, parse and tokens gave (the page table,
the term evidence, the chunk records and the BM25 counts), in segments that are never rewritten for a
small change (see bm25), and a refresh does only what changed:

1. Scan the folder: a page whose file and sidecar have the size and mtime the table recorded is kept as
   it is; any other file is read, hashed, parsed and chunked. A page with the same text as another
   (same hash under a second name) is indexed once and reported as a duplicate.
2. Re-derive the domain dictionary from the summed term evidence (kept pages' plus new pages').
3. A kept page must be tokenized again only if a dictionary term that came or went occurs in it: jieba
   cuts a text by the dictionary words it contains (see tokens.Tokenizer), so the others keep their
   tokens. The previous index's character-bigram postings find the few pages that hold such a term.
4. Tokenize the new and affected pages (on all cores when there are many) into one new segment; the
   pages removed, changed or affected are marked dead where they were. The corpus statistics are
   updated by difference, so the scores equal a from-scratch build's.
5. Merge small segments, Lucene-style: when MERGE_FACTOR segments are of one size class (a power of
   MERGE_FACTOR documents), they become one; a segment more than half dead is rewritten. Each document
   is rewritten a few times over the archive's life, and adding a page rewrites only small segments.

Publishing the result is index.save_index's job (atomic); nothing here writes to disk.
"""

from __future__ import annotations

import hashlib
import logging
import math
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

from retrieval import bm25, records
from retrieval.articles import split_articles
from retrieval.chunks import chunk_articles, indexed_text
from retrieval.dictionary import TermEvidence, term_evidence, terms_from
from retrieval.errors import CorpusEmpty, IndexDamaged, PageUnreadable
from retrieval.models import Article, Chunk, PageMeta, Paragraph
from retrieval.pages import PAGE_SUFFIX, decode, page_from, read_sidecar
from retrieval.storage import Snapshot
from retrieval.tokens import BIGRAM_MARK, CJK_RUN, Tokenizer, TokenizerConfig, prepare

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

PROGRESS_MIN_CHUNKS = 5_000  # show a progress bar when tokenizing more chunks than this
PARALLEL_MIN_CHUNKS = 20_000  # below this, starting worker processes costs more than it saves
PARALLEL_MIN_PAGES = 500  # the same for reading and parsing pages
BATCH_CHUNKS = 2_000  # chunks per task sent to a tokenizing worker
MERGE_FACTOR = 6  # this many segments of one size class are merged into one

Status = Literal["indexed", "refused", "duplicate"]
Stat = tuple[int, int, int, int]  # page size, page mtime_ns, sidecar size, sidecar mtime_ns (-1: none)


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


@dataclass
class PageData:
    """What one indexed page contributes: its entry, articles, chunks and term evidence."""

    entry: PageEntry
    articles: list[dict[str, Any]]  # as stored (asdict of Article)
    chunks: list[dict[str, Any]]  # as stored (asdict of Chunk without its archive-wide id)
    evidence: TermEvidence


@dataclass(frozen=True, eq=False)
class StoredSegment:
    """A segment as an index holds it: postings, records and pages, never changed once written."""

    name: str
    postings: bm25.Segment
    # Where each page written into it (live or not, in document order) starts, plus the end.
    chunk_starts: npt.NDArray[np.int64]
    article_starts: npt.NDArray[np.int64]
    chunks: records.Records[Chunk]
    articles: records.Records[Article]
    evidence: records.Records[TermEvidence]  # per page
    source: Snapshot | None = None  # the snapshot its files are in; None until saved

    @property
    def n_pages(self) -> int:
        return len(self.chunk_starts) - 1

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


def evidence_from(raw: dict[str, Any], _: int = 0) -> TermEvidence:
    return TermEvidence.from_json(raw)


@dataclass(frozen=True)
class Placed:
    """A live page: its entry, and where its items are (segment, page position there)."""

    entry: PageEntry
    segment: int
    page: int


@dataclass
class Built:
    """A complete archive, ready to be saved: index.save_index writes exactly this."""

    pages: list[PageEntry]  # every file of the folder: indexed ones first, in doc order, then the rest
    segments: list[StoredSegment]
    bm25: bm25.SparseBM25
    tokenizer: Tokenizer
    total: TermEvidence = field(default_factory=TermEvidence)
    last_segment: int = 0  # the highest segment number ever used (names are never reused)

    @property
    def indexed(self) -> list[PageEntry]:
        return [p for p in self.pages if p.status == "indexed"]


def place(pages: Sequence[PageEntry], segments: Sequence[StoredSegment]) -> list[Placed]:
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


def live_masks(
    placed: Sequence[Placed], segments: Sequence[StoredSegment]
) -> list[npt.NDArray[np.bool_] | None]:
    alive: list[list[int]] = [[] for _ in segments]
    for p in placed:
        alive[p.segment].append(p.page)
    return [seg.live_mask(pages) for seg, pages in zip(segments, alive, strict=True)]


def runs(
    placed: Sequence[Placed], segments: Sequence[StoredSegment], kind: str
) -> list[tuple[Any, int, int]]:
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


@dataclass(frozen=True)
class Previous:
    """The parts of the current index a refresh reuses."""

    placed: list[Placed]  # the live pages in document order
    segments: list[StoredSegment]
    bm25: bm25.SparseBM25
    tokenizer: Tokenizer
    chunks: Sequence[Chunk]  # live chunks in document order
    total: TermEvidence
    last_segment: int = 0

    @cached_property
    def indexed(self) -> list[PageEntry]:
        """The indexed pages, in document order."""
        return [p.entry for p in self.placed]

    @cached_property
    def chunk_starts(self) -> list[int]:
        """Where each indexed page's chunks start, plus the end."""
        return _starts(self.indexed, "n_chunks")


def scan(folder: Path) -> dict[str, Stat]:
    """Return each page file of the folder with its stat (and its sidecar's), in name order.

    One directory listing and one stat per file: a million-chunk archive has tens of thousands of pages,
    and this runs each time the archive opens.
    """
    try:
        entries = {e.name: e for e in os.scandir(folder) if not e.name.startswith(".")}
    except FileNotFoundError:
        return {}
    found: dict[str, Stat] = {}
    for name in sorted(n for n in entries if n.endswith(PAGE_SUFFIX)):
        try:
            if not entries[name].is_file():
                continue
            page = entries[name].stat()
            side = entries.get(name[: -len(PAGE_SUFFIX)] + ".toml")
            side_stat = (side.stat().st_size, side.stat().st_mtime_ns) if side is not None else (-1, -1)
        except OSError:  # deleted between listing and stat: not a page any more
            continue
        found[name] = (page.st_size, page.st_mtime_ns, *side_stat)
    return found


def is_current(pages: Sequence[PageEntry], folder: Path) -> bool:
    """Tell whether the index's page table still describes the folder (names, sizes, mtimes)."""
    return {p.source: p.stat for p in pages} == scan(folder)


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


def read_page_data(path: Path, stat: Stat) -> PageData:
    """Read, hash, parse and chunk one page file; a page that cannot be read is an entry 'refused'."""
    try:
        data = path.read_bytes()
        sidecar = path.with_suffix(".toml")
        side = sidecar.read_bytes() if sidecar.exists() else b""
    except OSError as exc:
        return _refused(path.name, stat, f"{path.name}: cannot be read ({exc.strerror})")
    sha = hashlib.sha256(data + b"\0" + side).hexdigest()
    try:
        page = page_from(path.name, decode(data, path.name), read_sidecar(path))
    except PageUnreadable as exc:
        return _refused(path.name, stat, str(exc), sha)
    parse = split_articles(page)
    if not any(a.paragraphs for a in parse.articles):
        return _refused(path.name, stat, f"{path.name}: no article text found on the page", sha)
    chunks = chunk_articles(parse.articles)
    evidence = term_evidence(
        (p.text for a in parse.articles for p in a.paragraphs),
        (t for a in parse.articles for t in a.headline),
    )
    entry = PageEntry(
        source=path.name,
        stat=stat,
        status="indexed",
        sha256=sha,
        paper=page.meta.paper,
        date=page.meta.date,
        n_articles=len(parse.articles),
        n_chunks=len(chunks),
    )
    return PageData(entry, [asdict(a) for a in parse.articles], [chunk_record(c) for c in chunks], evidence)


def _read_named(item: tuple[Path, Stat]) -> PageData:
    return read_page_data(*item)


def _refused(name: str, stat: Stat, reason: str, sha: str = "") -> PageData:
    log.warning("skipped %s", reason)
    return PageData(PageEntry(name, stat, "refused", sha, reason), [], [], TermEvidence())


def refresh(
    folder: Path,
    config: TokenizerConfig,
    scoring: dict[str, Any],
    previous: Previous | None = None,
) -> Built:
    """Index the pages of a folder, reusing what ``previous`` (built with the same settings) holds.

    ``scoring`` holds the BM25 model, k1 and b. Without ``previous`` every page is read.
    """
    found = scan(folder)
    prev_indexed = previous.indexed if previous else []
    kept = [i for i, p in enumerate(prev_indexed) if found.get(p.source) == p.stat]
    kept_names = {prev_indexed[i].source for i in kept}
    fresh_names = [name for name in found if name not in kept_names]
    fresh = parallel_map(
        _read_named,
        [(folder / name, found[name]) for name in fresh_names],
        parallel=len(fresh_names) >= PARALLEL_MIN_PAGES,
        progress=tqdm(
            total=len(fresh_names), desc="reading pages", unit="page", disable=len(fresh_names) < 200
        ),
    )

    added, others = _split_duplicates(fresh, {prev_indexed[i].sha256: prev_indexed[i].source for i in kept})
    total = _evidence_total(previous, kept, added)
    tokenizer = Tokenizer(terms_from(total), config)
    if not kept and not added:
        raise CorpusEmpty(
            f"no page in {folder} yielded any text to index: check the pages and the warnings above"
        )

    affected = _affected(previous, kept, tokenizer) if previous is not None and kept else set()
    retokenized = [i for i in kept if i in affected]
    if retokenized:
        log.info("%d kept pages hold dictionary terms that changed: tokenizing them again", len(retokenized))
    params = bm25.BM25Params.of(**scoring)
    archive = _Archive.of(previous, [i for i in kept if i not in affected])
    moved = []
    if previous is not None:
        moved = [(previous.segments[p.segment], p) for p in map(previous.placed.__getitem__, retokenized)]
    archive.add_segment(moved, added, tokenizer, params)
    archive.merge_small(params)
    return Built(
        pages=[p.entry for p in archive.placed] + sorted(others, key=lambda e: e.source),
        segments=archive.segments,
        bm25=archive.searcher(params),
        tokenizer=tokenizer,
        total=total,
        last_segment=archive.last,
    )


@dataclass
class _Archive:
    """An archive being changed: segments, live pages and corpus statistics, kept consistent."""

    segments: list[StoredSegment]
    placed: list[Placed]
    vocab: list[str]
    df: npt.NDArray[np.int64]
    n_tokens: int
    last: int = 0  # the highest segment number used so far: names are never reused

    @classmethod
    def of(cls, previous: Previous | None, keep: list[int]) -> _Archive:
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
        moved: list[tuple[StoredSegment, Placed]],
        added: list[PageData],
        tokenizer: Tokenizer,
        params: bm25.BM25Params,
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
        counts, self.vocab = bm25.relabel(bm25.count(*tokenize_all(texts, tokenizer)), self.vocab)
        self.df = np.concatenate([self.df, np.zeros(len(self.vocab) - len(self.df), dtype=np.int64)])
        self.df += np.diff(counts.indptr)
        self.n_tokens += int(counts.doc_len.astype(np.int64).sum())
        pages = [p.entry for _, p in moved] + [data.entry for data in added]
        pages = [replace(entry, segment=name, position=j) for j, entry in enumerate(pages)]
        stored = {
            kind: records.concat(
                [_page_items(seg, kind, p.page) for seg, p in moved]
                + [records.encode(item for data in added for item in _new_items(data, kind))]
            )
            for kind in ("chunks", "articles", "evidence")
        }
        postings = bm25.Segment.of(counts, params, self.n_tokens / (self.n_docs + counts.n_docs))
        self.segments.append(_segment(name, postings, pages, stored))
        self.placed += [Placed(entry, len(self.segments) - 1, j) for j, entry in enumerate(pages)]

    def next_name(self) -> str:
        self.last += 1
        return f"s{self.last:06d}"

    def merge_small(self, params: bm25.BM25Params) -> None:
        """Merge segments as the module docstring says, until no rule applies."""
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

    def merge(self, lo: int, hi: int, params: bm25.BM25Params) -> None:
        """Rewrite segments lo..hi-1 as one, with their live pages only."""
        name = self.next_name()
        segments = self.segments[lo:hi]
        masks = live_masks(
            [replace(p, segment=p.segment - lo) for p in self.placed if lo <= p.segment < hi], segments
        )
        counts = bm25.combine(
            [(seg.postings, m) for seg, m in zip(segments, masks, strict=True)], len(self.vocab)
        )
        mine = [p for p in self.placed if lo <= p.segment < hi]
        pages = [replace(p.entry, segment=name, position=j) for j, p in enumerate(mine)]
        stored = {
            kind: records.concat([_page_items(self.segments[p.segment], kind, p.page) for p in mine])
            for kind in ("chunks", "articles", "evidence")
        }
        postings = bm25.Segment.of(counts, params, self.n_tokens / self.n_docs)
        merged = _segment(name, postings, pages, stored)
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

    def searcher(self, params: bm25.BM25Params) -> bm25.SparseBM25:
        return bm25.SparseBM25(
            tuple(seg.postings for seg in self.segments),
            tuple(live_masks(self.placed, self.segments)),
            self.vocab,
            self.df,
            self.n_tokens,
            params,
        )


def _segment(
    name: str,
    postings: bm25.Segment,
    pages: list[PageEntry],
    stored: dict[str, tuple[records.Blob, records.Offsets]],
) -> StoredSegment:
    return StoredSegment(
        name,
        postings,
        np.asarray(_starts(pages, "n_chunks"), dtype=np.int64),
        np.asarray(_starts(pages, "n_articles"), dtype=np.int64),
        records.Records(*stored["chunks"], chunk_from),
        records.Records(*stored["articles"], article_from),
        records.Records(*stored["evidence"], evidence_from),
    )


def _page_items(seg: StoredSegment, kind: str, page: int) -> tuple[records.Blob, records.Offsets]:
    """One page's records of a kind, as a piece for records.concat."""
    if kind == "evidence":
        return seg.evidence.slice(page, page + 1)
    starts = seg.chunk_starts if kind == "chunks" else seg.article_starts
    return getattr(seg, kind).slice(starts[page], starts[page + 1])


def _new_items(data: PageData, kind: str) -> list[dict[str, Any]]:
    if kind == "evidence":
        return [data.evidence.to_json()]
    return data.chunks if kind == "chunks" else data.articles


def _evidence_total(previous: Previous | None, kept: list[int], added: list[PageData]) -> TermEvidence:
    """Return the archive's term evidence: the previous total, less dropped pages', plus new pages'."""
    total = TermEvidence()
    if previous is not None:
        total += previous.total
        for i in sorted(set(range(len(previous.indexed))) - set(kept)):
            p = previous.placed[i]
            total -= previous.segments[p.segment].evidence[p.page]
    for data in added:
        total += data.evidence
    return total


def _starts(pages: Sequence[PageEntry], field_name: str) -> list[int]:
    """Return where each page's items start in the archive's order, plus the end."""
    out = [0]
    for page in pages:
        out.append(out[-1] + getattr(page, field_name))
    return out


def _affected(previous: Previous, kept: list[int], tokenizer: Tokenizer) -> set[int]:
    """Return the kept pages (positions in the previous page table) that hold a term that came or went."""
    # Normalizing every term of a large dictionary takes a second: normalize only those that came or
    # went (a term renamed to the same normal form is then checked needlessly, which costs nothing).
    came_or_went = set(previous.tokenizer.terms).symmetric_difference(tokenizer.terms)
    changed = sorted({prepare(t) for t in came_or_went} - {""})
    if not changed:
        return set()
    starts = np.asarray(previous.chunk_starts)
    kept_set = set(kept)
    hit: set[int] = set()
    for term in changed:
        for doc in _docs_maybe_holding(previous.bm25, term, previous.tokenizer.config):
            page = int(np.searchsorted(starts, doc, side="right")) - 1
            if (
                page in kept_set
                and page not in hit
                and term in prepare(indexed_text(previous.chunks[int(doc)]))
            ):
                hit.add(page)
    return hit


def _split_duplicates(
    fresh: list[PageData], first_of: dict[str, str]
) -> tuple[list[PageData], list[PageEntry]]:
    """Return the fresh pages to index, and the entries of the others: refused, or duplicates of a page
    already indexed (``first_of``: sha256 -> name), which are reported and indexed once."""
    added: list[PageData] = []
    others: list[PageEntry] = []
    for data in fresh:
        entry = data.entry
        if entry.status == "indexed" and entry.sha256 in first_of:
            log.warning("skipped %s: same text as %s", entry.source, first_of[entry.sha256])
            others.append(replace(entry, status="duplicate", reason=f"same text as {first_of[entry.sha256]}"))
        elif entry.status == "indexed":
            first_of[entry.sha256] = entry.source
            added.append(data)
        else:
            others.append(entry)
    return added, others


def _docs_maybe_holding(index: bm25.SparseBM25, term: str, config: TokenizerConfig) -> Iterable[int]:
    """Return documents that may contain ``term``: those holding all its CJK bigrams, else all of them."""
    grams = [run[i : i + 2] for run in CJK_RUN.findall(term) for i in range(len(run) - 1)]
    if not (config.bigrams and grams):
        log.info("no bigram to find %r by: checking every chunk", term)
        return range(index.n_docs)
    docs: np.ndarray | None = None
    for gram in dict.fromkeys(grams):
        these = index.docs_with(BIGRAM_MARK + gram)
        if not len(these):
            return ()
        docs = these if docs is None else np.intersect1d(docs, these, assume_unique=True)
    return docs.tolist() if docs is not None else ()


# ---- tokenizing: in this process for a few pages, on every core for many.

_worker_tokenizer: Tokenizer | None = None


def _init_worker(terms: tuple[str, ...], config: TokenizerConfig, ready: Tokenizer | None = None) -> None:
    global _worker_tokenizer
    _worker_tokenizer = ready or Tokenizer(terms, config)


def _tokenize_batch(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    assert _worker_tokenizer is not None
    vocab, ids, lens = bm25.encode(_worker_tokenizer.tokenize(t) for t in texts)
    # Send int32 ids and a small vocabulary back, not millions of strings.
    return vocab, ids.astype(np.int32), lens


def tokenize_all(texts: list[str], tokenizer: Tokenizer) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokenize texts into bm25.count's input (vocab, term id per token, tokens per text)."""
    batches = [texts[lo : lo + BATCH_CHUNKS] for lo in range(0, len(texts), BATCH_CHUNKS)]
    if len(texts) < PARALLEL_MIN_CHUNKS:
        _init_worker(tokenizer.terms, tokenizer.config, tokenizer)
    results = parallel_map(
        _tokenize_batch,
        batches,
        parallel=len(texts) >= PARALLEL_MIN_CHUNKS,
        progress=tqdm(
            total=len(texts), desc="tokenizing", unit="chunk", disable=len(texts) < PROGRESS_MIN_CHUNKS
        ),
        size=len,
        initializer=_init_worker,
        initargs=(tokenizer.terms, tokenizer.config),
    )
    return _join_batches(results)


def parallel_map(
    fn: Callable[[T], R],
    items: list[T],
    *,
    parallel: bool,
    progress: tqdm,
    size: Callable[[T], int] = lambda _: 1,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[R]:
    """Map fn over items in order, on every core when ``parallel``, advancing the progress bar."""
    out: list[R] = []
    workers = min(os.cpu_count() or 1, 8)
    if not parallel or workers < 2 or len(items) < 2:
        for item in items:
            out.append(fn(item))
            progress.update(size(item))
    else:
        # spawn, not fork: the bot may refresh from a thread, and forking a threaded process can deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        ) as pool:
            for item, result in zip(items, pool.map(fn, items), strict=True):
                out.append(result)
                progress.update(size(item))
    progress.close()
    return out


def _join_batches(
    batches: list[tuple[list[str], np.ndarray, np.ndarray]],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Renumber each batch's first-seen term ids into one vocabulary."""
    ids_of: dict[str, int] = {}
    parts, lens = [], []
    for vocab, ids, lengths in batches:
        mapping = np.fromiter(
            (ids_of.setdefault(t, len(ids_of)) for t in vocab), dtype=np.int64, count=len(vocab)
        )
        parts.append(mapping[ids] if len(ids) else np.empty(0, dtype=np.int64))
        lens.append(lengths)
    flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    doc_len = np.concatenate(lens).astype(np.int64) if lens else np.empty(0, dtype=np.int64)
    return list(ids_of), flat, doc_len
