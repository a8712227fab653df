"""Index stage: BM25 served from a precomputed inverted index, scoring exactly like rank-bm25.

rank-bm25 scores a query by looping over every document in Python. Here each term's postings (doc ids and
the term's full contribution to each document, ``idf * tf-part``) are computed once, so a query costs only
the postings of its terms, and the arrays can be saved as ``.npy`` files and memory-mapped.

The score of a document is the same number rank-bm25's ``get_scores`` gives (up to float32 storage of the
weights), including two of its quirks that matter for equality:

* BM25Plus adds ``idf * delta`` for every query term to *every* document, even those without the term;
  that part is kept per term in ``term_const`` and added to the whole score vector.
* BM25L in rank-bm25 multiplies its tf-part by tf once more (``idf * tf * (k1+1)(ctd+δ)/(k1+ctd+δ)``), so a
  document without the term gets 0 rather than the paper's constant; we reproduce that.

Where rank-bm25 fails we fail clearly instead: an empty corpus (ZeroDivisionError there) or one without a
single token (ZeroDivisionError for Okapi, NaN scores for L/Plus) raises ``CorpusEmpty``. And where
rank-bm25 evaluates 0/0 for a document *without* a query term (k1 = 0, or b = 1 and an empty document) and
returns NaN, such documents get the value of an absent term here (0, or ``idf * delta`` for BM25Plus).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

from retrieval import topk
from retrieval.errors import CorpusEmpty, IndexDamaged

ModelName = Literal["okapi", "l", "plus", "lucene"]
MODELS: tuple[ModelName, ...] = ("okapi", "l", "plus", "lucene")

# rank-bm25's constructor defaults per model (k1=1.5 and b=0.75 everywhere); the tests check them against
# the installed library's signatures so a new release cannot silently change what "default" means.
_DEFAULT_DELTA: dict[str, float] = {"l": 0.5, "plus": 1.0}
_DEFAULT_EPSILON: dict[str, float] = {"okapi": 0.25}
WEIGH_BLOCK = 1 << 20  # postings weighed at a time

# Names and dtypes of the arrays that make an index; float64 for the per-term values because there are
# few of them and they are added to every score (Plus), where float32 error would not cancel.
# tf and doc_len are the raw counts the weights come from: an archive that grows re-weighs them instead
# of re-tokenizing its pages. term_max bounds what a term can add to any score (for pruned top-k).
ARRAY_DTYPES: dict[str, np.dtype[Any]] = {
    "indptr": np.dtype(np.int64),
    "indices": np.dtype(np.int32),
    "data": np.dtype(np.float32),
    "tf": np.dtype(np.int32),
    "doc_len": np.dtype(np.int32),
    "term_idf": np.dtype(np.float64),
    "term_const": np.dtype(np.float64),
    "term_max": np.dtype(np.float32),
}


class BM25Lucene(BM25Okapi):
    """Okapi scoring with Lucene's idf ``log(1 + (N - df + 0.5) / (df + 0.5))``: always positive, no floor."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))
        # Kept for parity with BM25Okapi's attributes; Lucene needs no epsilon floor.
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


@dataclass(frozen=True)
class BM25Params:
    """The scoring function and the corpus statistics its weights were computed with."""

    model: ModelName
    k1: float
    b: float
    delta: float | None  # only for "l" and "plus"
    epsilon: float | None  # only for "okapi"
    n_docs: int
    avgdl: float

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BM25Params:
        try:
            model = raw["model"]
            if model not in MODELS:
                raise ValueError(f"unknown model {model!r}")
            delta, epsilon = raw.get("delta"), raw.get("epsilon")
            return cls(
                model=model,
                k1=float(raw["k1"]),
                b=float(raw["b"]),
                delta=None if delta is None else float(delta),
                epsilon=None if epsilon is None else float(epsilon),
                n_docs=int(raw["n_docs"]),
                avgdl=float(raw["avgdl"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexDamaged(f"BM25 parameters unusable: {exc!r} in {dict(raw)!r}") from exc


def _resolve(
    model: str, k1: float, b: float, delta: float | None, epsilon: float | None
) -> tuple[ModelName, float | None, float | None]:
    """Check parameters and fill in rank-bm25's per-model defaults."""
    if model not in MODELS:
        raise ValueError(f"unknown BM25 model {model!r}; expected one of {MODELS}")
    if not (k1 >= 0 and math.isfinite(k1)):
        raise ValueError(f"k1 must be a finite number >= 0, got {k1!r}")
    # b > 1 makes the length norm negative for short documents and b = NaN poisons everything.
    if not 0 <= b <= 1:
        raise ValueError(f"b must lie in [0, 1], got {b!r}")
    if model in _DEFAULT_DELTA:
        delta = _DEFAULT_DELTA[model] if delta is None else float(delta)
        if not (delta >= 0 and math.isfinite(delta)):
            raise ValueError(f"delta must be a finite number >= 0, got {delta!r}")
    elif delta is not None:
        raise ValueError(f"delta does not apply to model {model!r}")
    if model in _DEFAULT_EPSILON:
        epsilon = _DEFAULT_EPSILON[model] if epsilon is None else float(epsilon)
        if not math.isfinite(epsilon):
            raise ValueError(f"epsilon must be finite, got {epsilon!r}")
    elif epsilon is not None:
        raise ValueError(f"epsilon does not apply to model {model!r}")
    return cast(ModelName, model), delta, epsilon


def reference_model(
    name: str,
    corpus_tokens: Sequence[Sequence[str]],
    k1: float = 1.5,
    b: float = 0.75,
    delta: float | None = None,
    epsilon: float | None = None,
) -> BM25:
    """The rank-bm25 object that ``build`` with the same arguments must score like (tests, benchmarks)."""
    model, delta, epsilon = _resolve(name, k1, b, delta, epsilon)
    corpus = [list(doc) for doc in corpus_tokens]
    if model == "okapi":
        return BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    if model == "lucene":
        return BM25Lucene(corpus, k1=k1, b=b)
    if model == "l":
        return BM25L(corpus, k1=k1, b=b, delta=delta)
    return BM25Plus(corpus, k1=k1, b=b, delta=delta)


FloatArray = npt.NDArray[np.float64]
IdArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class SparseBM25:
    """Term-major postings (CSC of the doc x term weight matrix) plus what scoring needs beside them."""

    indptr: npt.NDArray[np.int64]  # term t's postings are [indptr[t], indptr[t+1])
    indices: npt.NDArray[np.int32]  # doc ids, ascending within a term
    data: npt.NDArray[np.float32]  # idf(t) * tf-part(t, d), i.e. everything but term_const
    tf: npt.NDArray[np.int32]  # term frequency of each posting
    doc_len: npt.NDArray[np.int32]  # tokens per document
    term_idf: FloatArray  # per term, after rank-bm25's flooring (Okapi)
    term_const: FloatArray  # per term, added to every document's score (BM25Plus: idf * delta)
    term_max: npt.NDArray[np.float32]  # per term, the largest of its postings' data
    vocab: Sequence[str]  # terms in id order
    params: BM25Params
    _term_ids: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        _check_arrays({n: getattr(self, n) for n in ARRAY_DTYPES}, len(self.vocab), self.params.n_docs)
        term_ids = {term: i for i, term in enumerate(self.vocab)}
        if len(term_ids) != len(self.vocab):
            raise IndexDamaged("BM25 vocabulary has duplicate terms")
        object.__setattr__(self, "_term_ids", term_ids)

    @property
    def n_docs(self) -> int:
        return self.params.n_docs

    def doc_freq(self, term: str) -> int:
        """Number of documents containing ``term`` (0 when unknown)."""
        tid = self._term_ids.get(term)
        return 0 if tid is None else int(self.indptr[tid + 1] - self.indptr[tid])

    def docs_with(self, term: str) -> npt.NDArray[np.int32]:
        """Return the ascending ids of the documents holding ``term`` (empty when unknown)."""
        tid = self._term_ids.get(term)
        return self.indices[:0] if tid is None else self.indices[self.indptr[tid] : self.indptr[tid + 1]]

    def idf(self, term: str) -> float:
        """idf of ``term`` as rank-bm25 uses it (after Okapi's epsilon floor); 0.0 when unknown."""
        tid = self._term_ids.get(term)
        return 0.0 if tid is None else float(self.term_idf[tid])

    def _query_terms(self, query_tokens: Iterable[str]) -> list[tuple[int, int]]:
        """Known query terms as (term id, multiplicity): rank-bm25 adds a repeated token once per repeat."""
        counts = Counter(query_tokens)
        return [(tid, n) for tok, n in counts.items() if (tid := self._term_ids.get(tok)) is not None]

    def _postings(self, tid: int, times: int) -> tuple[npt.NDArray[np.int32], FloatArray]:
        lo, hi = int(self.indptr[tid]), int(self.indptr[tid + 1])
        return self.indices[lo:hi], self.data[lo:hi].astype(np.float64) * times

    def _const(self, terms: list[tuple[int, int]]) -> float:
        return float(sum(float(self.term_const[tid]) * n for tid, n in terms))

    def scores(self, query_tokens: Iterable[str]) -> FloatArray:
        """Full score vector (length ``n_docs``), equal to rank-bm25's ``get_scores``."""
        terms = self._query_terms(query_tokens)
        out = np.zeros(self.n_docs, dtype=np.float64)
        for tid, times in terms:
            docs, weights = self._postings(tid, times)
            # Doc ids are unique within one term's postings, so fancy-index += cannot lose an update.
            out[docs] += weights
        # Added last, as in top_k, so both give bit-identical scores for the same document.
        out += self._const(terms)
        return out

    def top_k(self, query_tokens: Iterable[str], k: int) -> tuple[IdArray, FloatArray]:
        """The best ``k`` documents containing at least one query term, best first, ties by lower doc id.

        Documents without any query term are not hits, although ``scores`` gives them a value (BM25Plus's
        constant, or 0, which can exceed an Okapi hit's score when a floored idf is negative). The returned
        scores are bit-identical to ``scores(query)[ids]``; most documents are never scored (topk.py).
        """
        terms = self._query_terms(query_tokens)
        return topk.top_k(self.indptr, self.indices, self.data, self.term_max, terms, self._const(terms), k)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays to persist (names and dtypes as in ``ARRAY_DTYPES``); vocab and params go beside."""
        return {name: getattr(self, name) for name in ARRAY_DTYPES}

    @classmethod
    def from_arrays(
        cls,
        arrays: Mapping[str, np.ndarray],
        vocab: Sequence[str],
        params: BM25Params | Mapping[str, Any],
    ) -> SparseBM25:
        """Rebuild from ``to_arrays`` output (possibly memory-mapped); raises IndexDamaged if inconsistent."""
        if not isinstance(params, BM25Params):
            params = BM25Params.from_json(params)
        missing = sorted(set(ARRAY_DTYPES) - set(arrays))
        if missing:
            raise IndexDamaged(f"BM25 arrays missing: {', '.join(missing)}")
        return cls(**{name: arrays[name] for name in ARRAY_DTYPES}, vocab=list(vocab), params=params)

    @property
    def counts(self) -> Counts:
        """The raw counts behind the weights (shares the arrays)."""
        return Counts(self.indptr, self.indices, self.tf, self.doc_len, list(self.vocab))


def _check_arrays(arrays: Mapping[str, np.ndarray], n_terms: int, n_docs: int) -> None:
    """Cheap consistency checks (O(terms), never O(postings)): the storage layer checksums the bytes."""
    for name, dtype in ARRAY_DTYPES.items():
        arr = arrays[name]
        if not isinstance(arr, np.ndarray) or arr.dtype != dtype or arr.ndim != 1:
            got = f"{arr.dtype}, ndim {arr.ndim}" if isinstance(arr, np.ndarray) else type(arr).__name__
            raise IndexDamaged(f"BM25 array {name!r}: expected 1-d {dtype}, got {got}")
    indptr = arrays["indptr"]
    n_postings = len(arrays["indices"])
    problems = []
    if n_docs <= 0:
        problems.append(f"n_docs is {n_docs}")
    if len(indptr) != n_terms + 1:
        problems.append(f"indptr has {len(indptr)} entries for {n_terms} terms")
    elif indptr[0] != 0 or indptr[-1] != n_postings or np.any(np.diff(indptr) < 0):
        problems.append("indptr is not a monotone 0..len(indices) offset array")
    for name in ("data", "tf"):
        if len(arrays[name]) != n_postings:
            problems.append(f"{name} has {len(arrays[name])} entries, indices {n_postings}")
    if len(arrays["doc_len"]) != n_docs:
        problems.append(f"doc_len has {len(arrays['doc_len'])} entries for {n_docs} documents")
    for name in ("term_idf", "term_const", "term_max"):
        if len(arrays[name]) != n_terms:
            problems.append(f"{name} has {len(arrays[name])} entries for {n_terms} terms")
    if problems:
        raise IndexDamaged("BM25 arrays inconsistent: " + "; ".join(problems))


def _idf(model: ModelName, n_docs: int, df: FloatArray, epsilon: float | None) -> FloatArray:
    """Per-term idf exactly as each rank-bm25 class's ``_calc_idf`` computes it, vectorized."""
    if model == "okapi":
        raw = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        # rank-bm25 averages the idf *before* flooring and replaces idf < 0 (not <= 0) by epsilon * average;
        # when most terms are in over half the documents that average, hence the floor, is itself negative.
        floor = cast(float, epsilon) * float(raw.mean())
        return np.where(raw < 0, floor, raw)
    if model == "lucene":
        return np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
    if model == "l":
        return np.log(n_docs + 1) - np.log(df + 0.5)
    return np.log((n_docs + 1) / df)


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


def merge(old: Counts, keep: npt.NDArray[np.bool_], new: Counts) -> Counts:
    """Keep the old documents where ``keep`` is true (renumbered in order), append the new ones after them.

    Terms no document holds any more are dropped; the new documents' terms join the vocabulary. Costs a
    few passes over the postings, with no Python loop over them: this is what makes adding a page to a
    large archive take seconds.
    """
    term_ids = {t: i for i, t in enumerate(old.vocab)}
    extra = [t for t in new.vocab if t not in term_ids]
    term_ids.update((t, len(old.vocab) + i) for i, t in enumerate(extra))
    vocab = [*old.vocab, *extra]
    n_terms = len(vocab)

    n_kept = int(keep.sum())
    if n_kept == len(keep):  # nothing removed (an add): the old postings stay as they are
        kept_indices, kept_tf = old.indices, old.tf
        kept_df = np.diff(old.indptr)
    else:
        doc_map = (np.cumsum(keep) - 1).astype(np.int32)
        kept = keep[old.indices]
        # Kept postings per term from a running count, without expanding term ids per posting.
        running = np.concatenate(([0], np.cumsum(kept, dtype=np.int64)))
        kept_df = running[old.indptr[1:]] - running[old.indptr[:-1]]
        kept_indices, kept_tf = doc_map[old.indices[kept]], old.tf[kept]
        del kept, running
    kept_df = np.concatenate([kept_df, np.zeros(len(extra), dtype=np.int64)])

    new_term = np.asarray([term_ids[t] for t in new.vocab], dtype=np.int64)[
        np.repeat(np.arange(len(new.vocab)), np.diff(new.indptr))
    ]
    order = np.argsort(new_term, kind="stable")  # term-major; docs stay ascending within a term
    new_term = new_term[order]
    # Each new posting goes after the kept postings of its term (new documents come after kept ones).
    at = np.cumsum(kept_df)[new_term]  # np.insert puts values sharing a position in their given order
    indices = np.insert(kept_indices, at, (new.indices[order] + n_kept).astype(np.int32))
    tf = np.insert(kept_tf, at, new.tf[order])
    df = kept_df + np.bincount(new_term, minlength=n_terms)
    live = df > 0
    indptr = np.zeros(int(live.sum()) + 1, dtype=np.int64)
    np.cumsum(df[live], out=indptr[1:])
    doc_len = np.concatenate([old.doc_len[keep], new.doc_len]).astype(np.int32)
    vocab = vocab if live.all() else [t for t, ok in zip(vocab, live, strict=True) if ok]
    return Counts(
        indptr, indices.astype(np.int32, copy=False), tf.astype(np.int32, copy=False), doc_len, vocab
    )


def _weights(
    name: ModelName,
    idf_p: FloatArray,
    tf_int: npt.NDArray[np.int32],
    norm: FloatArray,
    k1: float,
    delta: float | None,
) -> FloatArray:
    """Each posting's weight, the float64 expression of the rank-bm25 class, term by term in its order."""
    tf = tf_int.astype(np.float64)
    if name == "l":
        ctd = tf / norm
        d = cast(float, delta)
        return idf_p * tf * (k1 + 1) * (ctd + d) / (k1 + ctd + d)
    if name == "plus":
        return idf_p * ((tf * (k1 + 1)) / (k1 * norm + tf))
    return idf_p * (tf * (k1 + 1) / (tf + k1 * norm))


def weigh(
    counts: Counts,
    model: str = "lucene",
    k1: float = 1.5,
    b: float = 0.75,
    delta: float | None = None,
    epsilon: float | None = None,
) -> SparseBM25:
    """Turn counts into BM25 weights, exactly as rank-bm25's model of that name scores."""
    name, delta, epsilon = _resolve(model, k1, b, delta, epsilon)
    n_docs = counts.n_docs
    if n_docs == 0:
        raise CorpusEmpty("cannot build a BM25 index over an empty corpus (0 documents)")
    doc_len = counts.doc_len.astype(np.int64)
    n_tokens = int(doc_len.sum())
    if n_tokens == 0:
        raise CorpusEmpty(f"cannot build a BM25 index: none of the {n_docs} documents has a token")
    df_int = np.diff(counts.indptr)
    df = df_int.astype(np.float64)
    idf = _idf(name, n_docs, df, epsilon)

    avgdl = n_tokens / n_docs
    # The per-document length norm, the same float64 expression rank-bm25 evaluates.
    doc_norm = 1 - b + b * doc_len / avgdl
    data = np.empty(len(counts.indices), dtype=np.float32)
    term_of = np.repeat(np.arange(len(df_int), dtype=np.int32), df_int)
    # In blocks that fit in the CPU cache: a million-chunk archive has ~200M postings, and whole-array
    # float64 temporaries would cost gigabytes and many passes through memory.
    for lo in range(0, len(data), WEIGH_BLOCK):
        hi = min(lo + WEIGH_BLOCK, len(data))
        data[lo:hi] = _weights(
            name, idf[term_of[lo:hi]], counts.tf[lo:hi], doc_norm[counts.indices[lo:hi]], k1, delta
        )
    del term_of
    term_const = idf * cast(float, delta) if name == "plus" else np.zeros(len(df), dtype=np.float64)
    params = BM25Params(
        model=name, k1=float(k1), b=float(b), delta=delta, epsilon=epsilon, n_docs=n_docs, avgdl=avgdl
    )
    return SparseBM25(
        indptr=counts.indptr,
        indices=counts.indices,
        data=data,
        tf=counts.tf,
        doc_len=counts.doc_len,
        term_idf=idf,
        term_const=term_const,
        term_max=topk.term_maxima(counts.indptr, data),
        vocab=counts.vocab,
        params=params,
    )


def build(
    corpus_tokens: Sequence[Sequence[str]],
    model: str = "lucene",
    k1: float = 1.5,
    b: float = 0.75,
    delta: float | None = None,
    epsilon: float | None = None,
) -> SparseBM25:
    """Index tokenized documents (doc id = position); ``delta``/``epsilon`` default per model as rank-bm25.

    ``delta`` applies to "l" (default 0.5) and "plus" (default 1), ``epsilon`` to "okapi" (default 0.25);
    passing one to a model that ignores it is an error rather than a silent no-op.
    """
    _resolve(model, k1, b, delta, epsilon)
    if len(corpus_tokens) == 0:
        raise CorpusEmpty("cannot build a BM25 index over an empty corpus (0 documents)")
    vocab, term_of_token, doc_len = encode(corpus_tokens)
    # Renumber terms in sorted order: the vocabulary then does not depend on document order.
    order = sorted(range(len(vocab)), key=vocab.__getitem__)
    renumber = np.empty(len(vocab), dtype=np.int64)
    renumber[np.asarray(order, dtype=np.int64)] = np.arange(len(vocab), dtype=np.int64)
    counts = count([vocab[i] for i in order], renumber[term_of_token], doc_len)
    return weigh(counts, model, k1, b, delta, epsilon)
