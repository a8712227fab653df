"""Build, save and load the searchable index: list[Page] -> Index -> snapshot on disk -> Index.

An index holds the BM25 postings, the chunks and articles they point to, and the domain dictionary the
tokenizer used, so loading it never re-parses or re-tokenizes the corpus. A snapshot whose format,
settings or seed fingerprint differ from what is asked for is stale and rebuilt; a damaged one is
rebuilt too, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, cached_property
from pathlib import Path, PurePath
from typing import Any

import jieba
import numpy as np

from retrieval import bm25, ingest
from retrieval.config import Settings
from retrieval.dictionary import TermEvidence
from retrieval.errors import IndexDamaged
from retrieval.ingest import PageEntry
from retrieval.models import Article, Chunk
from retrieval.records import Joined, Records
from retrieval.storage import Snapshot, Verify, read_snapshot, write_snapshot
from retrieval.tokens import Tokenizer, TokenizerConfig

log = logging.getLogger(__name__)

# Bump when the index's file layout changes; code and word-list changes are caught by pipeline_fingerprint.
INDEX_VERSION = 3
# The modules and word lists that turn pages into index terms: when one changes, the same pages make a
# different index, and a version number bumped by hand is too easy to forget.
PIPELINE_MODULES = (
    "text.py", "layout.py", "articles.py", "pages.py", "chunks.py", "tokens.py", "dictionary.py", "bm25.py",
    "models.py", "index.py", "ingest.py", "records.py",
)  # fmt: skip
# Word lists read when pages are indexed (synonyms.txt, glossary.txt ... are read only for questions).
PIPELINE_DATA = ("terms.txt", "stopwords.txt")
# Records of a segment: (blob, offsets) array pairs per kind.
RECORD_KINDS = ("chunks", "articles", "evidence")


@dataclass(frozen=True, eq=False)
class Index:
    """A searchable archive: BM25 postings, the chunks and articles they point to, and the page table.

    Chunks and articles are decoded on demand from memory-mapped records, so opening a large archive
    costs little time and memory. Both are numbered over the live pages, segment after segment.
    """

    bm25: bm25.SparseBM25
    chunks: Sequence[Chunk]
    articles: Sequence[Article]
    tokenizer: Tokenizer
    manifest: dict[str, Any]
    pages: tuple[PageEntry, ...]
    segments: tuple[ingest.StoredSegment, ...]
    placed: tuple[ingest.Placed, ...]  # the live pages in document order, and where they are
    snapshot: Snapshot | None = None

    def article(self, article_id: str) -> Article | None:
        """Return an article by id ("<page stem>#<n>"), or None."""
        position = self.article_position(article_id)
        return None if position is None else self.articles[position]

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

    def previous(self) -> ingest.Previous:
        """Return what a refresh reuses of this index (reads the archive's total term evidence)."""
        if self.snapshot is None:
            raise ValueError("only an index loaded from disk can be refreshed")
        try:
            total = TermEvidence.from_json(json.loads(self.snapshot.read_text("evidence_total.json")))
        except (ValueError, TypeError, AttributeError) as exc:
            raise IndexDamaged(f"{self.snapshot.path.name}: unreadable term evidence ({exc})") from exc
        last = int(self.manifest.get("last_segment", 0))
        return ingest.Previous(
            list(self.placed), list(self.segments), self.bm25, self.tokenizer, self.chunks, total, last
        )


@cache
def pipeline_fingerprint() -> str:
    """Return a hash of the code and word lists that shape an index, and of jieba's version."""
    here = Path(__file__).parent
    digest = hashlib.sha256(jieba.__version__.encode())
    for path in [*(here / name for name in PIPELINE_MODULES), *(here / "data" / n for n in PIPELINE_DATA)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def settings_key(settings: Settings) -> dict[str, object]:
    """Return what an index depends on besides the pages, as stored in its manifest."""
    return {
        "model": settings.model,
        "k1": settings.k1,
        "b": settings.b,
        "tokenizer": asdict(settings.tokenizer),
        "pipeline": pipeline_fingerprint(),
    }


def save_index(built: ingest.Built, root: Path, settings: Settings) -> Path:
    """Write a built archive as a new snapshot under root and make it current, atomically.

    Segments the previous snapshot already holds are linked, not written again.
    """
    indexed = built.indexed
    documents: dict[str, str] = {
        "vocab.json": json.dumps(list(built.bm25.vocab), ensure_ascii=False),
        "bm25.json": json.dumps(built.bm25.meta()),
        "terms.json": json.dumps(list(built.tokenizer.terms), ensure_ascii=False),
        "pages.json": json.dumps([p.to_json() for p in built.pages], ensure_ascii=False),
        "evidence_total.json": json.dumps(built.total.to_json(), ensure_ascii=False),
    }
    arrays: dict[str, Any] = {"df": built.bm25.df}
    reuse: dict[str, Snapshot] = {}
    for seg in built.segments:
        files = segment_files(seg)
        if seg.source is not None:
            reuse.update(dict.fromkeys([f"{n}.npy" for n in files], seg.source))
        else:
            arrays.update(files)
    manifest = {
        "index_version": INDEX_VERSION,
        "settings": settings_key(settings),
        "segments": [seg.name for seg in built.segments],
        "last_segment": built.last_segment,
        "n_pages": len(indexed),
        "n_articles": sum(p.n_articles for p in indexed),
        "n_chunks": sum(p.n_chunks for p in indexed),
        "papers": sorted({p.paper for p in indexed if p.paper}),
        "dates": sorted({p.date for p in indexed if p.date}),
        "refused": [{"source": p.source, "reason": p.reason} for p in built.pages if p.status == "refused"],
        "duplicates": [
            {"source": p.source, "reason": p.reason} for p in built.pages if p.status == "duplicate"
        ],
    }
    return write_snapshot(root, arrays, documents, manifest, reuse)


def segment_files(seg: ingest.StoredSegment) -> dict[str, Any]:
    """A segment's arrays by file name (without their .npy)."""
    arrays: dict[str, Any] = {f"{seg.name}.{k}": v for k, v in seg.postings.to_arrays().items()}
    for kind in RECORD_KINDS:
        held = getattr(seg, kind)
        arrays[f"{seg.name}.{kind}_blob"] = held.blob
        arrays[f"{seg.name}.{kind}_offsets"] = held.offsets
    arrays[f"{seg.name}.chunk_starts"] = seg.chunk_starts
    arrays[f"{seg.name}.article_starts"] = seg.article_starts
    return arrays


def _load_segment(snap: Snapshot, name: str, ref_avgdl: float) -> ingest.StoredSegment:
    a = snap.arrays
    postings = bm25.Segment.from_arrays(
        {k: a[f"{name}.{k}"] for k in bm25.SEGMENT_DTYPES if f"{name}.{k}" in a}, ref_avgdl
    )
    held = [Records(a[f"{name}.{k}_blob"], a[f"{name}.{k}_offsets"], make) for k, make in _MAKERS.items()]
    starts = [np.asarray(a[f"{name}.{k}_starts"]) for k in ("chunk", "article")]
    if any(s.dtype != np.int64 or s.ndim != 1 or len(s) == 0 for s in starts):
        raise IndexDamaged(f"{snap.path.name}: segment {name} has unusable page starts")
    segment = ingest.StoredSegment(name, postings, *starts, *held, source=snap)
    segment.check()
    return segment


_MAKERS = {"chunks": ingest.chunk_from, "articles": ingest.article_from, "evidence": ingest.evidence_from}


def load_index(root: Path, settings: Settings, verify: Verify = True) -> Index:
    """Load the current snapshot; raise IndexDamaged when it is damaged or stale for these settings."""
    snap = read_snapshot(root, verify=verify)
    manifest = snap.manifest
    if manifest.get("index_version") != INDEX_VERSION or manifest.get("settings") != settings_key(settings):
        raise IndexDamaged(f"{snap.path.name}: built by other code or word lists, or with other settings")
    try:
        vocab = json.loads(snap.read_text("vocab.json"))
        meta = json.loads(snap.read_text("bm25.json"))
        terms = json.loads(snap.read_text("terms.json"))
        pages = tuple(PageEntry.from_json(p) for p in json.loads(snap.read_text("pages.json")))
        names = manifest["segments"]
        refs = [s["ref_avgdl"] for s in meta["segments"]]
        if len(names) != len(refs):
            raise ValueError(f"{len(names)} segments named, {len(refs)} described")
        segments = [_load_segment(snap, name, ref) for name, ref in zip(names, refs, strict=True)]
        placed = ingest.place(pages, segments)
        chunks = Joined(ingest.runs(placed, segments, "chunks"), ingest.chunk_from)
        articles = Joined(ingest.runs(placed, segments, "articles"), ingest.article_from)
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"{snap.path.name}: unreadable records ({exc})") from exc
    live = ingest.live_masks(placed, segments)
    postings = bm25.SparseBM25(
        tuple(s.postings for s in segments),
        tuple(live),
        vocab,
        np.asarray(snap.arrays["df"]) if "df" in snap.arrays else np.zeros(0, dtype=np.int64),
        int(meta.get("n_tokens", 0)),
        bm25.BM25Params.from_json(meta.get("params", {})),
    )
    if len(chunks) != postings.n_docs:
        raise IndexDamaged(f"{snap.path.name}: {len(chunks)} chunks for {postings.n_docs} documents")
    tokenizer = Tokenizer(terms, TokenizerConfig(**manifest["settings"]["tokenizer"]))
    manifest = {**manifest, "snapshot_id": snap.snapshot_id}
    return Index(postings, chunks, articles, tokenizer, manifest, pages, tuple(segments), tuple(placed), snap)


def scoring(settings: Settings) -> dict[str, Any]:
    return {"model": settings.model, "k1": settings.k1, "b": settings.b}


def open_index(settings: Settings, *, rebuild: bool = False, verify: Verify = True) -> Index:
    """Load the index of the settings' pages; refresh it when pages changed, rebuild it when unusable.

    A refresh reuses the current index (see ingest); ``rebuild`` or an index from other code or settings
    starts from nothing. ``verify="size"`` skips the checksums for a fast start (see Archive.check).
    """
    index: Index | None = None
    try:
        index = load_index(settings.index_dir, settings, verify)
    except IndexDamaged as exc:
        if (settings.index_dir / "CURRENT").exists():
            log.warning("rebuilding the index: %s", exc)
    if index is not None and not rebuild and ingest.is_current(index.pages, settings.seeds_dir):
        return index
    previous = None
    if index is not None and not rebuild:
        try:
            previous = index.previous()
        except IndexDamaged as exc:
            log.warning("rebuilding the index: %s", exc)
    built = ingest.refresh(settings.seeds_dir, settings.tokenizer, scoring(settings), previous)
    save_index(built, settings.index_dir, settings)
    return load_index(settings.index_dir, settings, verify="size")
