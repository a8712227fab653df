"""Postings: tokenized documents -> term-major (doc id, term frequency) arrays, one ``Postings`` per segment.

An archive is a list of *segments*, as in Lucene: each holds the postings of a run of documents over the
archive's shared term ids, and never changes once written. What is stored is model-free counts (term
frequencies and document lengths); the BM25 weights are computed from them and the corpus statistics of
the moment when a query reads a posting (bm25.py), so adding a page to a million-chunk archive, which
changes N, df and avgdl, does not mean re-weighing and rewriting every posting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.errors import IndexDamaged
from retrieval.index.scoring import BM25Params, FloatArray, IdArray

Mask = npt.NDArray[np.bool_]
BLOCK = 1 << 20  # postings handled at a time by the passes over a whole segment

# A segment's postings arrays, with their dtypes. tfmax bounds what a term's tf-part can be in the segment
# at the average document length it was computed with (``Postings.ref_avgdl``): the pruned top-k needs it.
POSTINGS_DTYPES: dict[str, np.dtype[Any]] = {
    "indptr": np.dtype(np.int64),
    "indices": np.dtype(np.int32),
    "tf": np.dtype(np.int32),
    "doc_len": np.dtype(np.int32),
    "tfmax": np.dtype(np.float64),
}


@dataclass(frozen=True, eq=False)
class Counts:
    """Model-free postings: which documents hold which terms, how often, and how long each document is.

    The BM25 weights are a function of these counts and corpus-wide statistics (N, df, avgdl); keeping
    the counts lets an archive add or drop documents and re-weigh, instead of re-tokenizing everything.
    """

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int32]
    tf: npt.NDArray[np.int32]
    doc_len: npt.NDArray[np.int32]
    vocab: list[str]

    @property
    def n_docs(self) -> int:
        return len(self.doc_len)


def encode(corpus_tokens: Iterable[Sequence[str]]) -> tuple[list[str], IdArray, IdArray]:
    """Number the terms of tokenized documents in first-seen order: (vocab, term id per token, doc lengths).

    The one unavoidable Python step per token is this dict lookup; the rest of indexing is numpy.
    """
    first_seen: dict[str, int] = {}
    ids: list[int] = []
    lengths: list[int] = []
    for doc in corpus_tokens:
        ids.extend(first_seen.setdefault(tok, len(first_seen)) for tok in doc)
        lengths.append(len(doc))
    return list(first_seen), np.asarray(ids, dtype=np.int64), np.asarray(lengths, dtype=np.int64)


def count(vocab: list[str], term_of_token: IdArray, doc_len: IdArray) -> Counts:
    """Group a flat term-id stream (documents one after another) into term-major postings with tf."""
    n_docs, n_tokens = len(doc_len), int(doc_len.sum())
    if n_docs >= 2**31:
        raise ValueError(f"{n_docs} documents exceed the int32 doc ids of the index")
    # One int64 key per token, term-major; sorting it in place groups (term, doc) pairs and counting run
    # lengths gives tf, with one array of the corpus's size alive rather than several (np.unique copies).
    keys = term_of_token.astype(np.int64, copy=True)
    keys *= max(n_docs, 1)
    keys += np.repeat(np.arange(n_docs, dtype=np.int64), doc_len)
    keys.sort()
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if n_tokens else np.empty(0, int)
    tf = np.diff(np.append(starts, n_tokens)).astype(np.int32)
    pair = keys[starts]
    del keys
    term = pair // max(n_docs, 1)
    docs = (pair - term * max(n_docs, 1)).astype(np.int32)
    indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term, minlength=len(vocab)), out=indptr[1:])
    return Counts(indptr, docs, tf, doc_len.astype(np.int32), vocab)


def per_term(
    indptr: IdArray, values: Callable[[int, int], npt.NDArray[Any]], ufunc: np.ufunc, dtype: type
) -> npt.NDArray[Any]:
    """Reduce each term's posting values with ``ufunc`` (np.maximum, np.add), a block of postings at a time.

    ``values(lo, hi)`` returns the values of postings lo..hi-1. Terms without postings get 0. Blocks keep
    the temporaries in the CPU cache: a million-chunk segment has some 200M postings.
    """
    n_terms = len(indptr) - 1
    out = np.zeros(n_terms, dtype=dtype)
    seen = np.zeros(n_terms, dtype=bool)  # a term's first block sets its value (maxima may be negative)
    n = int(indptr[-1]) if n_terms else 0
    for lo in range(0, n, BLOCK):
        hi = min(lo + BLOCK, n)
        first = int(np.searchsorted(indptr, lo, side="right")) - 1  # the term of posting lo
        last = int(np.searchsorted(indptr, hi - 1, side="right")) - 1
        starts = np.clip(indptr[first : last + 1], lo, hi) - lo
        ends = np.clip(indptr[first + 1 : last + 2], lo, hi) - lo
        nonempty = np.flatnonzero(ends > starts)
        part = ufunc.reduceat(values(lo, hi), starts[nonempty])
        terms = first + nonempty
        out[terms] = np.where(seen[terms], ufunc(out[terms], part), part)
        seen[terms] = True
    return out


@dataclass(frozen=True, eq=False)
class Postings:
    """Term-major postings of a run of documents (numbered from 0 here) over the archive's term ids.

    Term ids past ``n_terms`` (terms that came after the segment was written) have no postings here.
    """

    indptr: IdArray  # term t's postings are [indptr[t], indptr[t+1])
    indices: npt.NDArray[np.int32]  # doc ids, ascending within a term
    tf: npt.NDArray[np.int32]  # term frequency of each posting
    doc_len: npt.NDArray[np.int32]  # tokens per document
    tfmax: FloatArray  # per term, the largest tf-part of its postings at ref_avgdl (a bound for pruning)
    ref_avgdl: float

    def __post_init__(self) -> None:
        _check_postings(self)

    @property
    def n_docs(self) -> int:
        return len(self.doc_len)

    @property
    def n_terms(self) -> int:
        return len(self.indptr) - 1

    def span(self, tid: int) -> tuple[int, int]:
        if tid >= self.n_terms:
            return 0, 0
        return int(self.indptr[tid]), int(self.indptr[tid + 1])

    def df(self, live: Mask | None = None) -> IdArray:
        """Documents holding each term, counting only the live ones when a mask is given."""
        if live is None:
            return np.diff(self.indptr)
        return per_term(
            self.indptr, lambda lo, hi: live[self.indices[lo:hi]].astype(np.int64), np.add, np.int64
        )

    def bound_scale(self, avgdl: float) -> float:
        """How much larger a tf-part can be at ``avgdl`` than at ``ref_avgdl``.

        ``tfmax`` times this stays a valid bound as the archive's average document length drifts.
        """
        return max(1.0, avgdl / self.ref_avgdl) * (1 + 1e-9)

    @classmethod
    def of(cls, counts: Counts, params: BM25Params, avgdl: float) -> Postings:
        """A segment of counts whose term ids are the archive's, with its tf-part bounds at ``avgdl``."""
        norm = params.norms(counts.doc_len, avgdl)
        tfmax = per_term(
            counts.indptr,
            lambda lo, hi: params.weights(1.0, counts.tf[lo:hi], norm[counts.indices[lo:hi]]),
            np.maximum,
            np.float64,
        )
        return cls(counts.indptr, counts.indices, counts.tf, counts.doc_len, tfmax, float(avgdl))


def _check_postings(seg: Postings) -> None:
    """Cheap consistency checks (O(terms), never O(postings)): the storage layer checksums the bytes."""
    problems = []
    for name, dtype in POSTINGS_DTYPES.items():
        arr = getattr(seg, name)
        if not isinstance(arr, np.ndarray) or arr.dtype != dtype or arr.ndim != 1:
            got = f"{arr.dtype}, ndim {arr.ndim}" if isinstance(arr, np.ndarray) else type(arr).__name__
            raise IndexDamaged(f"BM25 array {name!r}: expected 1-d {dtype}, got {got}")
    n_postings = len(seg.indices)
    indptr = seg.indptr
    if len(indptr) == 0 or indptr[0] != 0 or indptr[-1] != n_postings or np.any(np.diff(indptr) < 0):
        problems.append("indptr is not a monotone 0..len(indices) offset array")
    if len(seg.tf) != n_postings:
        problems.append(f"tf has {len(seg.tf)} entries, indices {n_postings}")
    if len(seg.tfmax) != len(seg.indptr) - 1:
        problems.append(f"tfmax has {len(seg.tfmax)} entries for {len(seg.indptr) - 1} terms")
    if not (seg.ref_avgdl > 0 and math.isfinite(seg.ref_avgdl)):
        problems.append(f"reference avgdl {seg.ref_avgdl!r}")
    if problems:
        raise IndexDamaged("BM25 arrays inconsistent: " + "; ".join(problems))


def relabel(counts: Counts, vocab: list[str]) -> tuple[Counts, list[str]]:
    """Renumber counts' terms into an archive's vocabulary, appending the terms it lacks.

    Returns the counts over the archive's term ids (indptr as long as the grown vocabulary) and that
    vocabulary; ``vocab`` itself is not changed.
    """
    ids = {t: i for i, t in enumerate(vocab)}
    grown = list(vocab)
    for term in counts.vocab:
        if term not in ids:
            ids[term] = len(grown)
            grown.append(term)
    to_global = np.fromiter((ids[t] for t in counts.vocab), dtype=np.int64, count=len(counts.vocab))
    term = to_global[np.repeat(np.arange(len(counts.vocab)), np.diff(counts.indptr))]
    order = np.argsort(term, kind="stable")  # term-major; docs stay ascending within a term
    indptr = np.zeros(len(grown) + 1, dtype=np.int64)
    np.cumsum(np.bincount(term, minlength=len(grown)), out=indptr[1:])
    return Counts(indptr, counts.indices[order], counts.tf[order], counts.doc_len, grown), grown


def combine(parts: Sequence[tuple[Postings, Mask | None]], n_terms: int) -> Counts:
    """Join segments' live documents, in order, into one run of counts over ``n_terms`` term ids.

    What merging segments (and dropping the dead documents they carry) costs: a few passes over their
    postings, then one sort of (term, document) keys, as in ``count``.
    """
    terms, docs, tfs, lens = [], [], [], []
    offset = 0
    for seg, live in parts:
        term = np.repeat(np.arange(seg.n_terms, dtype=np.int64), np.diff(seg.indptr))
        local, tf = seg.indices, seg.tf
        if live is not None:
            keep = live[local]
            term, local, tf = term[keep], local[keep], tf[keep]
            renumber = np.cumsum(live, dtype=np.int64) - 1
            docs.append(renumber[local] + offset)
            lens.append(seg.doc_len[live])
            offset += int(live.sum())
        else:
            docs.append(local.astype(np.int64) + offset)
            lens.append(seg.doc_len)
            offset += seg.n_docs
        terms.append(term)
        tfs.append(tf)
    n_docs = max(offset, 1)
    keys = np.concatenate(terms) * n_docs + np.concatenate(docs) if terms else np.empty(0, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    term = keys // n_docs
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(np.bincount(term, minlength=n_terms), out=indptr[1:])
    doc_len = np.concatenate(lens).astype(np.int32) if lens else np.empty(0, dtype=np.int32)
    tf_all = np.concatenate(tfs)[order] if tfs else np.empty(0, dtype=np.int32)
    return Counts(indptr, (keys - term * n_docs).astype(np.int32), tf_all.astype(np.int32), doc_len, [])
