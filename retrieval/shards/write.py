"""Pages to shards: each page on the shard its name hashes to, kept in step with the pages folder.

The shards are written from the embedded index (its records, tokenizer and vectors), so both serve the
same chunks scored the same way. Each shard is changed in one Xapian transaction: a page that changed
has its documents replaced, a page gone has them deleted, and a failed write leaves the shard as it was
(Xapian readers, xapian-tcpsrv among them, go on serving the last committed revision meanwhile).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.index.segments import PageEntry
from retrieval.index.snapshot import Index
from retrieval.models import Article, Chunk
from retrieval.parse.chunks import indexed_text
from retrieval.shards import documents as docs
from retrieval.shards.engine import ShardsUnavailable, xapian
from retrieval.terms.tokens import Tokenizer
from retrieval.vectors.chunks import ChunkVectors

log = logging.getLogger(__name__)
# What of the index's manifest a shard repeats, so that any shard that answers can describe the archive.
ARCHIVE_FIELDS = ("n_pages", "n_articles", "n_chunks", "papers", "dates", "refused", "duplicates")


@dataclass(frozen=True)
class ShardWrite:
    """What writing changed on one shard."""

    path: Path
    pages: int  # pages the shard holds now
    written: int  # pages whose documents were (re)written
    deleted: int  # pages whose documents were deleted (gone from the folder, or moved)
    documents: int  # chunks the shard holds now


@dataclass(frozen=True)
class _Page:
    entry: PageEntry
    first_chunk: int  # the page's first chunk id in the index
    first_article: int
    tokens: str  # where its tokens come from: its segment, by name and content


def write_shards(
    index: Index, paths: Sequence[Path], vectors: ChunkVectors | None = None
) -> list[ShardWrite]:
    """Bring every shard at ``paths`` in step with the index (a shard is created where none is)."""
    if not paths:
        raise ShardsUnavailable("no shard to write: give one folder per shard")
    pages = _pages(index)
    header = _header(index, len(paths), vectors)
    written = []
    for n, path in enumerate(paths):
        mine = [p for p in pages if docs.shard_of(p.entry.source, len(paths)) == n]
        written.append(_write_shard(index, Path(path), mine, header, vectors))
    return written


def _pages(index: Index) -> list[_Page]:
    """The index's live pages with where their chunks and articles start."""
    out, chunk, article = [], 0, 0
    files = index.snapshot.manifest["files"]
    for placed in index.placed:
        name = index.segments[placed.segment].name
        # A segment's files never change once named, and a page whose tokens change moves to a new one.
        digests = (files[f"{name}.{part}.npy"]["sha256"][:16] for part in ("indices", "tf"))
        out.append(_Page(placed.entry, chunk, article, ":".join((name, *digests))))
        chunk += placed.entry.n_chunks
        article += placed.entry.n_articles
    return out


def _header(index: Index, n_shards: int, vectors: ChunkVectors | None) -> dict[str, Any]:
    manifest = {**index.manifest, "snapshot_id": index.snapshot.snapshot_id}
    figures = {name: manifest.get(name) for name in ARCHIVE_FIELDS}
    return shard_header(manifest, index.tokenizer.terms, figures, n_shards, vectors=vectors is not None)


def shard_header(
    manifest: dict[str, Any], terms: Sequence[str], figures: dict[str, Any], n_shards: int, *, vectors: bool
) -> dict[str, Any]:
    """What every shard says of the archive: settings and dictionary it was tokenized with, whether it
    carries vectors, and the archive's figures (``manifest``: settings, index_version, snapshot_id)."""
    return {
        "format": docs.FORMAT,
        "n_shards": n_shards,
        "settings": manifest["settings"],
        "terms_digest": docs.terms_digest(terms),
        "vectors": vectors,
        "index_version": manifest["index_version"],
        "snapshot_id": manifest["snapshot_id"],
        "archive": figures,
    }


def _write_shard(
    index: Index, path: Path, mine: list[_Page], header: dict[str, Any], vectors: ChunkVectors | None
) -> ShardWrite:
    x = xapian()
    path.parent.mkdir(parents=True, exist_ok=True)
    db = x.WritableDatabase(str(path), x.DB_CREATE_OR_OPEN)
    try:
        held = _held(db)
        old = json.loads(db.get_metadata(docs.HEADER) or "{}")
        # A page is kept where its text and its tokens (a page the index tokenized again under new domain
        # terms is in a new segment) are those written, under the same settings.
        same = all(old.get(key) == header[key] for key in ("settings", "vectors"))
        keep = {p.entry.source for p in mine if same and held.get(p.entry.source) == _written(p)}
        gone = [source for source in held if source not in keep]
        new = [p for p in mine if p.entry.source not in keep]
        db.begin_transaction()
        try:
            for source in gone:
                db.delete_document(docs.page_term(source))
                db.set_metadata(docs.PAGE_KEY + source, "")  # an empty value deletes a key
                db.set_metadata(docs.ARTICLES_KEY + source, "")
                db.set_metadata(docs.TOKENS_KEY + source, "")
            for page in new:
                _add_page(db, index, page, vectors)
            set_header(db, index.tokenizer.terms, header)
            db.commit_transaction()
        except BaseException:
            db.cancel_transaction()
            raise
        deleted = len(set(gone) - {p.entry.source for p in mine})
        log.info("shard %s: %d pages written, %d deleted", path, len(new), deleted)
        return ShardWrite(path, len(mine), len(new), deleted, db.get_doccount())
    finally:
        db.close()


def _written(page: _Page) -> tuple[str, str]:
    return page.entry.sha256, page.tokens


def _held(db: Any) -> dict[str, tuple[str, str]]:
    """The pages a shard holds, with their hashes and where their tokens came from."""
    held = {}
    for key in db.metadata_keys(docs.PAGE_KEY):
        value = db.get_metadata(key)
        if value:
            source = key.decode()[len(docs.PAGE_KEY) :]
            tokens = db.get_metadata(docs.TOKENS_KEY + source).decode()
            held[source] = (docs.page_entry(value).sha256, tokens)
    return held


def _add_page(db: Any, index: Index, page: _Page, vectors: ChunkVectors | None) -> None:
    ids = range(page.first_chunk, page.first_chunk + page.entry.n_chunks)
    rows = vectors.of(list(ids)) if vectors is not None and len(ids) else None
    first = page.first_article
    articles = [index.articles[i] for i in range(first, first + page.entry.n_articles)]
    add_page(db, page.entry, [index.chunks[i] for i in ids], articles, index.tokenizer, rows, page.tokens)


def add_page(
    db: Any,
    entry: PageEntry,
    chunks: Sequence[Chunk],
    articles: Sequence[Article],
    tokenizer: Tokenizer,
    vectors: npt.NDArray[np.float32] | None = None,
    cut_by: str = "",
) -> None:
    """Add one page to a shard: a document per chunk (``vectors``: a row per chunk), its entry, articles
    and what its text was tokenized by (``cut_by``) in the metadata."""
    for j, chunk in enumerate(chunks):
        tokens = tokenizer.tokenize(indexed_text(chunk))
        db.add_document(docs.chunk_document(chunk, tokens, None if vectors is None else vectors[j]))
    db.set_metadata(docs.PAGE_KEY + entry.source, docs.entry_value(entry))
    db.set_metadata(docs.ARTICLES_KEY + entry.source, docs.articles_value(articles))
    db.set_metadata(docs.TOKENS_KEY + entry.source, cut_by or "-")


def set_header(db: Any, terms: Sequence[str], header: dict[str, Any]) -> None:
    """Write the shard's dictionary and header (last: a shard without them holds no archive yet)."""
    db.set_metadata(docs.TERMS, json.dumps(list(terms), ensure_ascii=False))
    db.set_metadata(docs.HEADER, json.dumps(header, ensure_ascii=False))
