"""Index stage, on disk: ``Built`` index -> snapshot (save_index), snapshot -> ``Index`` (load_index).

An index holds the BM25 postings, the chunks and articles they point to, the page table and the domain
dictionary the tokenizer used, so loading it never re-parses or re-tokenizes the corpus. A snapshot whose
format, settings or pipeline fingerprint differ from what is asked for is refused as stale, a damaged one
as damaged (``IndexDamaged``): sync.py then rebuilds it. Loading imports nothing of the writer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, cached_property
from pathlib import Path, PurePath
from typing import Any

import numpy as np

from retrieval.config import Settings
from retrieval.errors import IndexDamaged
from retrieval.index.bm25 import SparseBM25
from retrieval.index.postings import POSTINGS_DTYPES, Mask, Postings
from retrieval.index.publish import write_snapshot
from retrieval.index.records import Joined, Records
from retrieval.index.scoring import BM25Params
from retrieval.index.segments import (
    RECORD_KINDS,
    Built,
    PageEntry,
    Placed,
    Segment,
    article_from,
    chunk_from,
    evidence_from,
    live_masks,
    place,
    runs,
)
from retrieval.index.storage import Snapshot, Verify, read_snapshot
from retrieval.models import Article, Chunk
from retrieval.terms.dictionary import TermEvidence
from retrieval.terms.tagging import SEGMENTER_VERSION
from retrieval.terms.tokens import Tokenizer, TokenizerConfig

# Bump when the index's file layout changes; code and word-list changes are caught by pipeline_fingerprint.
INDEX_VERSION = 3
# The modules and word lists that turn pages into an index (paths under retrieval/): when one changes, the
# same pages make a different index, and a version number bumped by hand is too easy to forget.
PIPELINE_MODULES = (
    "models.py",
    *(f"parse/{name}.py" for name in ("pages", "text", "lines", "layout", "masthead", "articles")),
    *(f"parse/{name}.py" for name in ("chunks", "bylines", "naming")),
    *(f"parse/{name}.py" for name in ("pdf", "pdf_layout", "pdf_page")),
    *(f"terms/{name}.py" for name in ("wordlists", "tagging", "tokens", "dictionary")),
    *(f"index/{name}.py" for name in ("scoring", "postings", "bm25", "records", "segments", "page_data")),
    *(f"index/{name}.py" for name in ("draft", "writer", "workers", "snapshot")),
)
# Word lists read when pages are indexed (synonyms.txt, glossary.txt ... are read only for questions).
PIPELINE_DATA = ("terms.txt", "stopwords.txt")
_RECORD_MAKERS = {"chunks": chunk_from, "articles": article_from, "evidence": evidence_from}


@dataclass(frozen=True, eq=False)
class Index:
    """A searchable archive: BM25 postings, the chunks and articles they point to, and the page table.

    Chunks and articles are decoded on demand from memory-mapped records, so opening a large archive
    costs little time and memory. Both are numbered over the live pages, segment after segment.
    """

    bm25: SparseBM25
    chunks: Sequence[Chunk]
    articles: Sequence[Article]
    tokenizer: Tokenizer
    manifest: dict[str, Any]
    pages: tuple[PageEntry, ...]
    segments: tuple[Segment, ...]
    placed: tuple[Placed, ...]  # the live pages in document order, and where they are
    snapshot: Snapshot

    def article(self, article_id: str) -> Article | None:
        """Return an article by id ("<page stem>#<n>"), or None."""
        position = self.article_position(article_id)
        return None if position is None else self.articles[position]

    def page_articles(self, source: str) -> list[Article]:
        """Return the articles of one page file, in page order (none for a page not indexed)."""
        start, count = self._page_articles.get(PurePath(source).stem, (0, 0))
        return [self.articles[i] for i in range(start, start + count)]

    def article_position(self, article_id: str) -> int | None:
        """Return where an article stands in ``articles``, reading only its own page's articles."""
        start, count = self._page_articles.get(article_id.rsplit("#", 1)[0], (0, 0))
        return next((i for i in range(start, start + count) if self.articles[i].id == article_id), None)

    @cached_property
    def _page_articles(self) -> dict[str, tuple[int, int]]:
        """Page stem -> (first article's position, number of articles)."""
        out, start = {}, 0
        for p in self.placed:
            out[PurePath(p.entry.source).stem] = (start, p.entry.n_articles)
            start += p.entry.n_articles
        return out

    def term_evidence(self) -> TermEvidence:
        """Return the archive's total term evidence (read from disk: only a refresh needs it)."""
        try:
            return TermEvidence.from_json(json.loads(self.snapshot.read_text("evidence_total.json")))
        except (ValueError, TypeError, AttributeError) as exc:
            raise IndexDamaged(f"{self.snapshot.path.name}: unreadable term evidence ({exc})") from exc


@cache
def pipeline_fingerprint() -> str:
    """Return a hash of the code and word lists that shape an index, and of jieba's version."""
    here = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(SEGMENTER_VERSION.encode())
    for path in [*(here / name for name in PIPELINE_MODULES), *(here / "data" / n for n in PIPELINE_DATA)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def settings_key(settings: Settings) -> dict[str, object]:
    """Return what an index depends on besides the pages, as stored in its manifest."""
    return {
        "bm25": settings.bm25.to_json(),
        "tokenizer": asdict(settings.tokenizer),
        "pipeline": pipeline_fingerprint(),
        "page_names": settings.page_names,
    }


def save_index(built: Built, root: Path, settings: Settings) -> Path:
    """Write a built archive as a new snapshot under root and make it current, atomically.

    Segments the previous snapshot already holds are linked, not written again.
    """
    documents: dict[str, str] = {
        **bm25_documents(built.bm25),
        "terms.json": json.dumps(list(built.tokenizer.terms), ensure_ascii=False),
        "pages.json": json.dumps([p.to_json() for p in built.pages], ensure_ascii=False),
        "evidence_total.json": json.dumps(built.total.to_json(), ensure_ascii=False),
    }
    arrays: dict[str, Any] = {"df": built.bm25.df}
    reuse: dict[str, Snapshot] = {}
    for seg in built.segments:
        files = segment_files(seg)
        if seg.saved_in is not None:
            reuse.update(dict.fromkeys([f"{n}.npy" for n in files], seg.saved_in))
        else:
            arrays.update(files)
    return write_snapshot(root, arrays, documents, _manifest(built, settings), reuse)


def _manifest(built: Built, settings: Settings) -> dict[str, Any]:
    """The index's fields of the snapshot manifest: format, settings, segments and what the archive holds."""
    return {
        "index_version": INDEX_VERSION,
        "settings": settings_key(settings),
        "segments": [seg.name for seg in built.segments],
        "last_segment": built.last_segment,
        **archive_figures(built.pages),
    }


def archive_figures(pages: Sequence[PageEntry]) -> dict[str, Any]:
    """What an archive of these page entries holds: pages, articles, chunks, papers, dates, and the page
    files not indexed (refused, or duplicates of another)."""
    indexed = [p for p in pages if p.status == "indexed"]
    return {
        "n_pages": len(indexed),
        "n_articles": sum(p.n_articles for p in indexed),
        "n_chunks": sum(p.n_chunks for p in indexed),
        "papers": sorted({p.paper for p in indexed if p.paper}),
        "dates": sorted({p.date for p in indexed if p.date}),
        "refused": [{"source": p.source, "reason": p.reason} for p in pages if p.status == "refused"],
        "duplicates": [{"source": p.source, "reason": p.reason} for p in pages if p.status == "duplicate"],
    }


def bm25_documents(index: SparseBM25) -> dict[str, str]:
    """The searcher's own documents of a snapshot: its vocabulary, its parameters and statistics."""
    description = {
        "params": index.params.to_json(),
        "n_tokens": index.n_tokens,
        "segments": [{"ref_avgdl": p.ref_avgdl} for p in index.segments],
    }
    return {
        "vocab.json": json.dumps(list(index.vocab), ensure_ascii=False),
        "bm25.json": json.dumps(description),
    }


def postings_files(name: str, postings: Postings) -> dict[str, Any]:
    """A segment's postings arrays by file name (without their .npy)."""
    return {f"{name}.{k}": getattr(postings, k) for k in POSTINGS_DTYPES}


def segment_files(seg: Segment) -> dict[str, Any]:
    """A segment's arrays by file name (without their .npy): postings, records and page starts."""
    arrays = postings_files(seg.name, seg.postings)
    for kind in RECORD_KINDS:
        held = getattr(seg, kind)
        arrays[f"{seg.name}.{kind}_blob"] = held.blob
        arrays[f"{seg.name}.{kind}_offsets"] = held.offsets
    arrays[f"{seg.name}.chunk_starts"] = seg.chunk_starts
    arrays[f"{seg.name}.article_starts"] = seg.article_starts
    return arrays


def load_postings(snap: Snapshot, name: str, ref_avgdl: float) -> Postings:
    """Open a segment's postings arrays (memory-mapped); IndexDamaged when one is missing or unfit."""
    missing = [k for k in POSTINGS_DTYPES if f"{name}.{k}" not in snap.arrays]
    if missing:
        raise IndexDamaged(f"{snap.path.name}: segment {name} lacks postings arrays {', '.join(missing)}")
    return Postings(**{k: snap.arrays[f"{name}.{k}"] for k in POSTINGS_DTYPES}, ref_avgdl=float(ref_avgdl))


@dataclass(frozen=True)
class BM25Description:
    """What a snapshot's bm25.json says: the scoring function, the live tokens, each segment's reference
    average document length (its postings' bounds were computed at it)."""

    params: BM25Params
    n_tokens: int
    ref_avgdls: tuple[float, ...]


def read_bm25_description(snap: Snapshot) -> BM25Description:
    """Read a snapshot's bm25.json; IndexDamaged when it is unreadable or its parameters unusable."""
    try:
        raw = json.loads(snap.read_text("bm25.json"))
        refs = tuple(float(s["ref_avgdl"]) for s in raw["segments"])
        return BM25Description(BM25Params.from_json(raw["params"]), int(raw["n_tokens"]), refs)
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"{snap.path.name}: unreadable BM25 description ({exc})") from exc


def open_bm25(
    snap: Snapshot, description: BM25Description, postings: Sequence[Postings], live: Sequence[Mask | None]
) -> SparseBM25:
    """Open the searcher over a snapshot's segments: vocabulary and document frequencies from its files."""
    try:
        vocab = json.loads(snap.read_text("vocab.json"))
    except ValueError as exc:
        raise IndexDamaged(f"{snap.path.name}: unreadable vocabulary ({exc})") from exc
    df = snap.arrays.get("df")
    if df is None or df.dtype != np.int64:
        raise IndexDamaged(f"{snap.path.name}: BM25 array 'df' missing or not int64")
    params, n_tokens = description.params, description.n_tokens
    return SparseBM25(tuple(postings), tuple(live), vocab, np.asarray(df), n_tokens, params)


def _load_segment(snap: Snapshot, name: str, ref_avgdl: float) -> Segment:
    a = snap.arrays
    postings = load_postings(snap, name, ref_avgdl)
    held = [
        Records(a[f"{name}.{k}_blob"], a[f"{name}.{k}_offsets"], make) for k, make in _RECORD_MAKERS.items()
    ]
    starts = [np.asarray(a[f"{name}.{k}_starts"]) for k in ("chunk", "article")]
    if any(s.dtype != np.int64 or s.ndim != 1 or len(s) == 0 for s in starts):
        raise IndexDamaged(f"{snap.path.name}: segment {name} has unusable page starts")
    segment = Segment(name, postings, *starts, *held, saved_in=snap)
    segment.check()
    return segment


def load_index(root: Path, settings: Settings, *, verify: Verify = True) -> Index:
    """Load the current snapshot; raise IndexDamaged when it is damaged or stale for these settings."""
    snap = read_snapshot(root, verify=verify)
    manifest = snap.manifest
    if manifest.get("index_version") != INDEX_VERSION or manifest.get("settings") != settings_key(settings):
        raise IndexDamaged(f"{snap.path.name}: built by other code or word lists, or with other settings")
    description = read_bm25_description(snap)
    try:
        terms = json.loads(snap.read_text("terms.json"))
        pages = tuple(PageEntry.from_json(p) for p in json.loads(snap.read_text("pages.json")))
        names, refs = manifest["segments"], description.ref_avgdls
        if len(names) != len(refs):
            raise ValueError(f"{len(names)} segments named, {len(refs)} described")
        segments = [_load_segment(snap, name, ref) for name, ref in zip(names, refs, strict=True)]
        placed = place(pages, segments)
        chunks = Joined(runs(placed, segments, "chunks"), chunk_from)
        articles = Joined(runs(placed, segments, "articles"), article_from)
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"{snap.path.name}: unreadable records ({exc})") from exc
    postings = open_bm25(snap, description, [s.postings for s in segments], live_masks(placed, segments))
    if len(chunks) != postings.n_docs:
        raise IndexDamaged(f"{snap.path.name}: {len(chunks)} chunks for {postings.n_docs} documents")
    tokenizer = Tokenizer(terms, TokenizerConfig(**manifest["settings"]["tokenizer"]))
    return Index(postings, chunks, articles, tokenizer, manifest, pages, tuple(segments), tuple(placed), snap)
