"""Ingest stage: a folder of pages -> an index, built whole or refreshed from the previous index.

An archive grows a page at a time, and re-reading a million chunks for each new page would take many
minutes. So the index keeps, per page, what its content hash, parse and tokens gave (the page table,
the term evidence, the chunk records and the BM25 counts), and a refresh does only what changed:

1. Scan the folder: a page whose file and sidecar have the size and mtime the table recorded is kept as
   it is; any other file is read, hashed, parsed and chunked. A page with the same text as another
   (same hash under a second name) is indexed once and reported as a duplicate.
2. Re-derive the domain dictionary from the summed term evidence (kept pages' plus new pages').
3. A kept page must be tokenized again only if a dictionary term that came or went occurs in it: jieba
   cuts a text by the dictionary words it contains (see tokens.Tokenizer), so the others keep their
   tokens. The previous index's character-bigram postings find the few pages that hold such a term.
4. Tokenize the new and affected pages (on all cores when there are many), merge their counts with the
   kept ones, and re-weigh BM25 over the whole archive; the weights equal a from-scratch build's.

Publishing the result is index.save_index's job (atomic); nothing here writes to disk.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

import numpy as np
from tqdm import tqdm

from retrieval import bm25, records
from retrieval.articles import split_articles
from retrieval.chunks import chunk_articles, indexed_text
from retrieval.dictionary import TermEvidence, term_evidence, terms_from
from retrieval.errors import CorpusEmpty, PageUnreadable
from retrieval.models import Article, Chunk, PageMeta, Paragraph
from retrieval.pages import PAGE_SUFFIX, decode, page_from, read_sidecar
from retrieval.tokens import BIGRAM_MARK, CJK_RUN, Tokenizer, TokenizerConfig, prepare

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

PROGRESS_MIN_CHUNKS = 5_000  # show a progress bar when tokenizing more chunks than this
PARALLEL_MIN_CHUNKS = 20_000  # below this, starting worker processes costs more than it saves
PARALLEL_MIN_PAGES = 500  # the same for reading and parsing pages
BATCH_CHUNKS = 2_000  # chunks per task sent to a tokenizing worker

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


@dataclass
class Built:
    """A complete archive in memory, ready to be saved: index.save_index writes exactly this."""

    pages: list[PageEntry]  # every file of the folder: indexed ones first, in doc order, then the rest
    bm25: bm25.SparseBM25
    tokenizer: Tokenizer
    chunks: tuple[records.Blob, records.Offsets]
    articles: tuple[records.Blob, records.Offsets]
    evidence: list[TermEvidence]  # per indexed page, in page order
    total: TermEvidence = field(default_factory=TermEvidence)

    @property
    def indexed(self) -> list[PageEntry]:
        return [p for p in self.pages if p.status == "indexed"]


@dataclass(frozen=True)
class Previous:
    """The parts of the current index a refresh reuses."""

    pages: list[PageEntry]
    bm25: bm25.SparseBM25
    tokenizer: Tokenizer
    chunks: records.Records[Chunk]
    articles: records.Records[Article]
    evidence: list[TermEvidence]  # per indexed page, in page order
    total: TermEvidence

    @cached_property
    def indexed(self) -> list[PageEntry]:
        """The indexed pages, in document order (the page table's first entries)."""
        return [p for p in self.pages if p.status == "indexed"]

    @cached_property
    def chunk_starts(self) -> list[int]:
        """Where each indexed page's chunks start, plus the end."""
        return _starts(self.indexed, "n_chunks")

    @cached_property
    def article_starts(self) -> list[int]:
        """Where each indexed page's articles start, plus the end."""
        return _starts(self.indexed, "n_articles")


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

    ``scoring`` holds bm25.weigh's model, k1 and b. Without ``previous`` every page is read.
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
    unchanged = [i for i in kept if i not in affected]
    retokenized = [i for i in kept if i in affected]
    if retokenized:
        log.info("%d kept pages hold dictionary terms that changed: tokenizing them again", len(retokenized))

    # Document order: unchanged pages as before, then re-tokenized ones, then new ones.
    starts = previous.chunk_starts if previous else [0]
    texts = [
        indexed_text(previous.chunks[c])  # type: ignore[union-attr]
        for i in retokenized
        for c in range(starts[i], starts[i + 1])
    ]
    texts += [indexed_text(chunk_from(c, 0)) for data in added for c in data.chunks]
    new_counts = bm25.count(*tokenize_all(texts, tokenizer))
    if previous is not None:
        keep = np.zeros(previous.bm25.n_docs, dtype=bool)
        for i in unchanged:
            keep[starts[i] : starts[i + 1]] = True
        counts = bm25.merge(previous.bm25.counts, keep, new_counts)
    else:
        counts = new_counts
    weighted = bm25.weigh(counts, **scoring)

    order = [*unchanged, *retokenized]
    chunks, articles = _records(previous, order, added)
    pages = [prev_indexed[i] for i in order] + [d.entry for d in added]
    evidence = [previous.evidence[i] for i in order] if previous else []  # type: ignore[union-attr]
    return Built(
        pages=pages + sorted(others, key=lambda e: e.source),
        bm25=weighted,
        tokenizer=tokenizer,
        chunks=chunks,
        articles=articles,
        evidence=evidence + [d.evidence for d in added],
        total=total,
    )


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


def _evidence_total(previous: Previous | None, kept: list[int], added: list[PageData]) -> TermEvidence:
    """Return the archive's term evidence: the previous total, less dropped pages', plus new pages'."""
    total = TermEvidence()
    if previous is not None:
        total += previous.total
        for i in sorted(set(range(len(previous.indexed))) - set(kept)):
            total -= previous.evidence[i]
    for data in added:
        total += data.evidence
    return total


def _records(
    previous: Previous | None, order: list[int], added: list[PageData]
) -> tuple[tuple[records.Blob, records.Offsets], tuple[records.Blob, records.Offsets]]:
    """Return the chunk and article records: the kept pages' bytes copied in ``order``, then new ones."""
    out = []
    for kind in ("chunks", "articles"):
        pieces = []
        if previous is not None:
            old: records.Records[Any] = getattr(previous, kind)
            starts = previous.chunk_starts if kind == "chunks" else previous.article_starts
            pieces = [old.slice(lo, hi) for lo, hi in _ranges(order, starts)]
        pieces.append(records.encode(item for data in added for item in getattr(data, kind)))
        out.append(records.concat(pieces))
    return out[0], out[1]


def _starts(pages: Sequence[PageEntry], field_name: str) -> list[int]:
    """Return where each page's items start in the archive's order, plus the end."""
    out = [0]
    for page in pages:
        out.append(out[-1] + getattr(page, field_name))
    return out


def _ranges(order: list[int], starts: list[int]) -> list[tuple[int, int]]:
    """Return the item ranges of pages in this order, neighbours joined: few slices to copy."""
    out: list[tuple[int, int]] = []
    for page in order:
        lo, hi = starts[page], starts[page + 1]
        if out and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def _affected(previous: Previous, kept: list[int], tokenizer: Tokenizer) -> set[int]:
    """Return the kept pages (positions in the previous page table) that hold a term that came or went."""
    old = {prepare(t) for t in previous.tokenizer.terms}
    new = {prepare(t) for t in tokenizer.terms}
    changed = sorted(t for t in old ^ new if t)
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
