"""What a shard keeps of a page: one Xapian document per chunk (its index terms with their counts, its
record, its vector), and in the shard's metadata the page's entry and articles and the archive's header.

Only chunks are documents, so Xapian's document count and average length are BM25's. A document's id is
Xapian's: in the database that joins the shards, the id of a chunk is its chunk id while serving.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.index.segments import PageEntry, article_from, chunk_from, chunk_record
from retrieval.models import Article, Chunk
from retrieval.shards.engine import xapian

VECTOR_SLOT = 0  # the chunk's vector, float16 little-endian
PAGE_PREFIX = "XP"  # boolean term naming the page a chunk comes from (a hash: names may be long)
MAX_TERM_BYTES = 245  # Xapian refuses longer terms
HEADER = "chamber-qa"  # metadata: format, tokenizer, BM25 parameters, the archive's figures
TERMS = "terms"  # metadata: the tokenizer's domain terms
PAGE_KEY = "page:"  # metadata prefix: one page's entry (small: the page table is read at start)
ARTICLES_KEY = "articles:"  # metadata prefix: one page's articles (read when first asked)
TOKENS_KEY = "tokens:"  # metadata prefix: where a page's tokens came from (a segment of the index)
FORMAT = 1


def page_term(source: str) -> str:
    """The boolean term every chunk of a page carries."""
    return PAGE_PREFIX + hashlib.sha256(source.encode()).hexdigest()[:24]


def shard_of(source: str, n_shards: int) -> int:
    """The shard a page lives on: a stable hash of its file name, the same on every machine and run."""
    digest = hashlib.blake2b(source.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % n_shards


def holdable(term: str) -> bool:
    """Tell whether Xapian can hold a term (none is empty or longer than it allows)."""
    return 0 < len(term.encode()) <= MAX_TERM_BYTES


def add_terms(doc: Any, tokens: Sequence[str]) -> None:
    """Give a Xapian document each index term with its count (BM25's term frequency)."""
    for term, count in Counter(tokens).items():
        if holdable(term):
            doc.add_term(term, count)


def chunk_document(chunk: Chunk, tokens: Sequence[str], vector: npt.NDArray[np.float32] | None) -> Any:
    """A chunk as a Xapian document: its index terms, its record and its vector."""
    doc = xapian().Document()
    add_terms(doc, tokens)
    doc.add_boolean_term(page_term(chunk.source))
    doc.set_data(json.dumps(chunk_record(chunk), ensure_ascii=False))
    if vector is not None:
        doc.add_value(VECTOR_SLOT, np.asarray(vector, dtype="<f2").tobytes())
    return doc


def chunk_of(doc: Any, docid: int) -> Chunk:
    """A document's chunk, numbered by its id in the joined shards."""
    return chunk_from(json.loads(doc.get_data()), docid)


def vector_of(doc: Any) -> npt.NDArray[np.float32] | None:
    """A document's vector, or None when the shards were written without them."""
    raw = doc.get_value(VECTOR_SLOT)
    return np.frombuffer(raw, dtype="<f2").astype(np.float32) if raw else None


def entry_value(entry: PageEntry) -> str:
    """A page's entry as its shard keeps it: where the embedded index placed it is no part of it."""
    return json.dumps(replace(entry, segment="", position=0).to_json(), ensure_ascii=False)


def page_entry(value: bytes | str) -> PageEntry:
    return PageEntry.from_json(json.loads(value))


def articles_value(articles: Sequence[Article]) -> str:
    return json.dumps([asdict(a) for a in articles], ensure_ascii=False)


def page_articles(value: bytes | str) -> list[Article]:
    """A page's articles, in page order."""
    return [article_from(raw) for raw in json.loads(value)]


def terms_digest(terms: Sequence[str]) -> str:
    """A digest of the tokenizer's terms: pages tokenized under other terms are written again."""
    return hashlib.sha256("\n".join(terms).encode()).hexdigest()[:16]
