"""Index stage: BM25 served from inverted indexes (segments), scoring exactly like rank-bm25.

rank-bm25 scores a query by looping over every document in Python. Here each term's postings (doc ids and
term frequencies) are grouped once, so a query costs only the postings of its terms, and the arrays can be
saved as ``.npy`` files and memory-mapped.

An archive is a list of *segments*, as in Lucene: each holds the postings of a run of documents over the
archive's shared term ids, and never changes once written. A new page becomes a new small segment;
a removed page is only marked dead in its segment (a live mask); small segments are merged now and then
(see ingest). The corpus-wide statistics (live document frequencies, the number of live documents and
tokens) are kept beside the segments, and the weights are computed from them *when a query reads a
posting*: adding a page to a million-chunk archive changes N, df and avgdl, and with stored weights it
would mean re-weighing and rewriting every posting.

The score of a document is the float64 number rank-bm25's ``get_scores`` gives, including two of its
quirks that matter for equality:

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
from collections.abc import Callable, Iterable, Mapping, Sequence
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
BLOCK = 1 << 20  # postings handled at a time by the passes over a whole segment

FloatArray = npt.NDArray[np.float64]
IdArray = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

# A segment's arrays, with their dtypes. tfmax bounds what a term's tf-part can be in the segment at the
# average document length it was computed with (``Segment.ref_avgdl``): the pruned top-k needs a bound.
SEGMENT_DTYPES: dict[str, np.dtype[Any]] = {
    "indptr": np.dtype(np.int64),
    "indices": np.dtype(np.int32),
    "tf": np.dtype(np.int32),
    "doc_len": np.dtype(np.int32),
    "tfmax": np.dtype(np.float64),
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
    """The scoring function: model and parameters (the corpus statistics live in ``SparseBM25``)."""

    model: ModelName
    k1: float
    b: float
    delta: float | None  # only for "l" and "plus"
    epsilon: float | None  # only for "okapi"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BM25Params:
        try:
            model, k1, b = raw["model"], float(raw["k1"]), float(raw["b"])
            name, delta, epsilon = _resolve(model, k1, b, raw.get("delta"), raw.get("epsilon"))
            return cls(model=name, k1=k1, b=b, delta=delta, epsilon=epsilon)
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexDamaged(f"BM25 parameters unusable: {exc!r} in {dict(raw)!r}") from exc

    @classmethod
    def of(
        cls,
        model: str,
        k1: float = 1.5,
        b: float = 0.75,
        delta: float | None = None,
        epsilon: float | None = None,
    ) -> BM25Params:
        """Check parameters and fill in rank-bm25's per-model defaults."""
        name, delta, epsilon = _resolve(model, k1, b, delta, epsilon)
        return cls(model=name, k1=float(k1), b=float(b), delta=delta, epsilon=epsilon)

    def norms(self, doc_len: npt.NDArray[np.integer], avgdl: float) -> FloatArray:
        """The per-document length norm, the same float64 expression rank-bm25 evaluates."""
        return 1 - self.b + self.b * doc_len.astype(np.int64) / avgdl

    def weights(
        self, idf: float | FloatArray, tf_int: npt.NDArray[np.integer], norm: FloatArray
    ) -> FloatArray:
        """Postings' weights ``idf * tf-part``: rank-bm25's float64 expression, in its order."""
        tf = tf_int.astype(np.float64)
        k1 = self.k1
        if self.model == "l":
            ctd = tf / norm
            d = cast(float, self.delta)
            return idf * tf * (k1 + 1) * (ctd + d) / (k1 + ctd + d)
        if self.model == "plus":
            return idf * ((tf * (k1 + 1)) / (k1 * norm + tf))
        return idf * (tf * (k1 + 1) / (tf + k1 * norm))

    def idf(self, df: IdArray, n_docs: int) -> FloatArray:
        """Per-term idf exactly as each rank-bm25 class's ``_calc_idf`` computes it, vectorized.

        Terms no live document holds (df 0: left in the vocabulary by deletions) get 0 and are never
        searched; they take no part in Okapi's average either, as rank-bm25 never sees them.
        """
        present = df > 0
        d = df[present].astype(np.float64)
        out = np.zeros(len(df), dtype=np.float64)
        if self.model == "okapi":
            raw = np.log(n_docs - d + 0.5) - np.log(d + 0.5)
            # rank-bm25 averages the idf *before* flooring and replaces idf < 0 (not <= 0) by epsilon *
            # average; when most terms are in over half the documents that average, hence the floor, is
            # itself negative.
            # fsum: the exact sum, so the floor does not depend on the order of the vocabulary.
            floor = cast(float, self.epsilon) * (math.fsum(raw.tolist()) / len(raw)) if len(raw) else 0.0
            out[present] = np.where(raw < 0, floor, raw)
        elif self.model == "lucene":
            out[present] = np.log(1 + (n_docs - d + 0.5) / (d + 0.5))
        elif self.model == "l":
            out[present] = np.log(n_docs + 1) - np.log(d + 0.5)
        else:
            out[present] = np.log((n_docs + 1) / d)
        return out

    def const(self, idf: FloatArray) -> FloatArray:
        """Per term, what the model adds to every document's score (BM25Plus: idf * delta)."""
        return idf * cast(float, self.delta) if self.model == "plus" else np.zeros(len(idf), dtype=np.float64)


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
class Segment:
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
        _check_segment(self)

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
        """How much larger a tf-part can be at ``avgdl`` than at ``ref_avgdl`` (see ``tf_part_bound``)."""
        return max(1.0, avgdl / self.ref_avgdl) * (1 + 1e-9)

    def to_arrays(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in SEGMENT_DTYPES}

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], ref_avgdl: float) -> Segment:
        missing = sorted(set(SEGMENT_DTYPES) - set(arrays))
        if missing:
            raise IndexDamaged(f"segment arrays missing: {', '.join(missing)}")
        return cls(**{name: arrays[name] for name in SEGMENT_DTYPES}, ref_avgdl=float(ref_avgdl))

    @classmethod
    def of(cls, counts: Counts, params: BM25Params, avgdl: float) -> Segment:
        """A segment of counts whose term ids are the archive's, with its tf-part bounds at ``avgdl``."""
        norm = params.norms(counts.doc_len, avgdl)
        tfmax = per_term(
            counts.indptr,
            lambda lo, hi: params.weights(1.0, counts.tf[lo:hi], norm[counts.indices[lo:hi]]),
            np.maximum,
            np.float64,
        )
        return cls(counts.indptr, counts.indices, counts.tf, counts.doc_len, tfmax, float(avgdl))


def _check_segment(seg: Segment) -> None:
    """Cheap consistency checks (O(terms), never O(postings)): the storage layer checksums the bytes."""
    problems = []
    for name, dtype in SEGMENT_DTYPES.items():
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


def _avgdl(n_docs: int, n_tokens: int) -> float:
    """The average document length, or CorpusEmpty where rank-bm25 would divide by zero."""
    if n_docs == 0:
        raise CorpusEmpty("cannot build a BM25 index over an empty corpus (0 documents)")
    if n_tokens <= 0:
        raise CorpusEmpty(f"cannot build a BM25 index: none of the {n_docs} documents has a token")
    return n_tokens / n_docs


@dataclass(frozen=True, eq=False)
class SparseBM25:
    """An archive's segments, which of their documents are live, and the corpus statistics.

    Documents are numbered 0..n_docs-1 over the live ones, segment after segment: these are the ids
    ``scores`` and ``top_k`` use, and the positions of the chunks in the index.
    """

    segments: tuple[Segment, ...]
    live: tuple[Mask | None, ...]  # per segment; None when all its documents are live
    vocab: Sequence[str]  # terms in id order, shared by all segments
    df: IdArray  # per term, live documents holding it
    n_tokens: int  # in live documents
    params: BM25Params
    n_docs: int = field(init=False)
    avgdl: float = field(init=False)
    term_idf: FloatArray = field(init=False, repr=False)  # per term, after rank-bm25's flooring (Okapi)
    term_const: FloatArray = field(init=False, repr=False)  # per term, added to every document (Plus)
    _term_ids: dict[str, int] = field(init=False, repr=False)
    _norms: list[FloatArray] = field(init=False, repr=False)
    _live_ids: list[IdArray | int] = field(init=False, repr=False)  # local -> live id (or the offset)

    def __post_init__(self) -> None:
        if len(self.live) != len(self.segments):
            raise IndexDamaged(f"{len(self.live)} live masks for {len(self.segments)} segments")
        if len(self.df) != len(self.vocab) or any(s.n_terms > len(self.vocab) for s in self.segments):
            raise IndexDamaged(f"document frequencies or segments do not fit the {len(self.vocab)} terms")
        term_ids = {term: i for i, term in enumerate(self.vocab)}
        if len(term_ids) != len(self.vocab):
            raise IndexDamaged("BM25 vocabulary has duplicate terms")
        n_docs, live_ids = 0, []
        for seg, live in zip(self.segments, self.live, strict=True):
            if live is None:
                live_ids.append(n_docs)
                n_docs += seg.n_docs
            else:
                if len(live) != seg.n_docs:
                    raise IndexDamaged(f"live mask of {len(live)} for a segment of {seg.n_docs} documents")
                ids = np.cumsum(live, dtype=np.int64) - 1 + n_docs
                live_ids.append(ids)
                n_docs += int(live.sum())
        avgdl = _avgdl(n_docs, self.n_tokens)
        idf = self.params.idf(self.df, n_docs)
        derived = {
            "n_docs": n_docs,
            "avgdl": avgdl,
            "term_idf": idf,
            "term_const": self.params.const(idf),
            "_term_ids": term_ids,
            "_norms": [self.params.norms(s.doc_len, avgdl) for s in self.segments],
            "_live_ids": live_ids,
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)

    @classmethod
    def of(cls, counts: Counts, params: BM25Params) -> SparseBM25:
        """One segment of counts, every document live."""
        n_tokens = int(counts.doc_len.astype(np.int64).sum())
        segment = Segment.of(counts, params, _avgdl(counts.n_docs, n_tokens))
        return cls((segment,), (None,), counts.vocab, np.diff(counts.indptr), n_tokens, params)

    def doc_freq(self, term: str) -> int:
        """Number of documents containing ``term`` (0 when unknown)."""
        tid = self._term_ids.get(term)
        return 0 if tid is None else int(self.df[tid])

    def idf(self, term: str) -> float:
        """idf of ``term`` as rank-bm25 uses it (after Okapi's epsilon floor); 0.0 when unknown."""
        tid = self._term_ids.get(term)
        return 0.0 if tid is None or self.df[tid] == 0 else float(self.term_idf[tid])

    def term_counts(self) -> dict[str, int]:
        """Every term a live document holds, with its document frequency."""
        present = np.flatnonzero(self.df > 0)
        return dict(zip((self.vocab[i] for i in present), self.df[present].tolist(), strict=True))

    def docs_with(self, term: str) -> IdArray:
        """Return the ascending ids of the documents holding ``term`` (empty when unknown)."""
        tid = self._term_ids.get(term)
        parts = []
        if tid is not None:
            for seg, live, ids in zip(self.segments, self.live, self._live_ids, strict=True):
                lo, hi = seg.span(tid)
                docs = seg.indices[lo:hi]
                if live is not None:
                    parts.append(cast(IdArray, ids)[docs[live[docs]]])
                else:
                    parts.append(docs.astype(np.int64) + cast(int, ids))
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _query_terms(self, query_tokens: Iterable[str]) -> list[tuple[int, int]]:
        """Known query terms as (term id, multiplicity): rank-bm25 adds a repeated token once per repeat."""
        counts = Counter(query_tokens)
        return [
            (tid, n)
            for tok, n in counts.items()
            if (tid := self._term_ids.get(tok)) is not None and self.df[tid]
        ]

    def _const(self, terms: list[tuple[int, int]]) -> float:
        return float(sum(float(self.term_const[tid]) * n for tid, n in terms))

    def _weigher(self, s: int, terms: list[tuple[int, int]]) -> topk.Weights:
        seg, norm, params = self.segments[s], self._norms[s], self.params
        idfs = [float(self.term_idf[tid]) for tid, _ in terms]

        def weights(i: int, lo: int, hi: int, docs: npt.NDArray[np.int32], pos: Any = None) -> FloatArray:
            tf = seg.tf[lo:hi] if pos is None else seg.tf[lo:hi][pos]
            return params.weights(idfs[i], tf, norm[docs])

        return weights

    def _to_live(self, s: int, local: npt.NDArray[np.integer]) -> IdArray:
        ids = self._live_ids[s]
        return local.astype(np.int64) + ids if isinstance(ids, int) else ids[local]

    def scores(self, query_tokens: Iterable[str]) -> FloatArray:
        """Full score vector (length ``n_docs``), equal to rank-bm25's ``get_scores``."""
        terms = self._query_terms(query_tokens)
        parts = []
        for s, seg in enumerate(self.segments):
            out = np.zeros(seg.n_docs, dtype=np.float64)
            weights = self._weigher(s, terms)
            for i, (tid, times) in enumerate(terms):
                lo, hi = seg.span(tid)
                docs = seg.indices[lo:hi]
                # Doc ids are unique within one term's postings, so fancy-index += cannot lose an update.
                out[docs] += weights(i, lo, hi, docs) * times
            live = self.live[s]
            parts.append(out if live is None else out[live])
        # Added last, as in top_k, so both give bit-identical scores for the same document.
        return np.concatenate(parts) + self._const(terms)

    def top_k(self, query_tokens: Iterable[str], k: int) -> tuple[IdArray, FloatArray]:
        """The best ``k`` documents containing at least one query term, best first, ties by lower doc id.

        Documents without any query term are not hits, although ``scores`` gives them a value (BM25Plus's
        constant, or 0, which can exceed an Okapi hit's score when a floored idf is negative). The returned
        scores are bit-identical to ``scores(query)[ids]``; most documents are never scored (topk.py).
        Each segment gives its own top k (exact: the statistics are the archive's), and the best k win.
        """
        terms = self._query_terms(query_tokens)
        if k <= 0 or not terms:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        const = self._const(terms)
        ids, scores = [], []
        for s, seg in enumerate(self.segments):
            spans = [seg.span(tid) for tid, _ in terms]
            if all(lo == hi for lo, hi in spans):
                continue
            scale = seg.bound_scale(self.avgdl)
            maxima = [
                float(self.term_idf[tid]) * float(seg.tfmax[tid]) * scale if tid < seg.n_terms else 0.0
                for tid, _ in terms
            ]
            local, got = topk.top_k(
                seg.indices, spans, [n for _, n in terms], maxima, self._weigher(s, terms), const, k,
                self.live[s],
            )  # fmt: skip
            ids.append(self._to_live(s, local))
            scores.append(got)
        if len(ids) == 1:
            return ids[0], scores[0]
        if not ids:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        all_ids, all_scores = np.concatenate(ids), np.concatenate(scores)
        order = np.lexsort((all_ids, -all_scores))[:k]
        return all_ids[order], all_scores[order]

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The arrays to persist: each segment's as ``<segment number>.<name>``, live masks, df."""
        out: dict[str, np.ndarray] = {"df": self.df}
        for s, (seg, live) in enumerate(zip(self.segments, self.live, strict=True)):
            out.update({f"{s}.{name}": arr for name, arr in seg.to_arrays().items()})
            if live is not None:
                out[f"{s}.live"] = live
        return out

    def meta(self) -> dict[str, Any]:
        """What ``from_arrays`` needs besides the arrays and the vocabulary (JSON-able)."""
        return {
            "params": self.params.to_json(),
            "n_tokens": self.n_tokens,
            "segments": [{"ref_avgdl": s.ref_avgdl} for s in self.segments],
        }

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], vocab: Sequence[str], meta: Mapping[str, Any]
    ) -> SparseBM25:
        """Rebuild from ``to_arrays`` and ``meta`` (arrays may be memory-mapped); IndexDamaged if unfit."""
        try:
            params = BM25Params.from_json(meta["params"])
            refs = [float(s["ref_avgdl"]) for s in meta["segments"]]
            n_tokens = int(meta["n_tokens"])
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexDamaged(f"BM25 description unusable: {exc!r}") from exc
        if "df" not in arrays or arrays["df"].dtype != np.int64:
            raise IndexDamaged("BM25 array 'df' missing or not int64")
        segments, live = [], []
        for s, ref in enumerate(refs):
            mine = {name: arrays[f"{s}.{name}"] for name in SEGMENT_DTYPES if f"{s}.{name}" in arrays}
            segments.append(Segment.from_arrays(mine, ref))
            mask = arrays.get(f"{s}.live")
            if mask is not None and mask.dtype != np.bool_:
                raise IndexDamaged(f"live mask of segment {s} is {mask.dtype}, not bool")
            live.append(None if mask is None else np.asarray(mask))
        return cls(tuple(segments), tuple(live), list(vocab), np.asarray(arrays["df"]), n_tokens, params)

    def posting_weights(self) -> tuple[IdArray, npt.NDArray[np.int32], FloatArray]:
        """(indptr, indices, weights) of a one-segment index with every document live (for batch scoring)."""
        if len(self.segments) != 1 or self.live[0] is not None:
            raise ValueError("posting_weights needs an index of one segment without deletions")
        seg = self.segments[0]
        idf = self.term_idf[np.repeat(np.arange(seg.n_terms), np.diff(seg.indptr))]
        return seg.indptr, seg.indices, self.params.weights(idf, seg.tf, self._norms[0][seg.indices])


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


def combine(parts: Sequence[tuple[Segment, Mask | None]], n_terms: int) -> Counts:
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
    params = BM25Params.of(model, k1, b, delta, epsilon)
    vocab, term_of_token, doc_len = encode(corpus_tokens)
    # Renumber terms in sorted order: the vocabulary then does not depend on document order.
    order = sorted(range(len(vocab)), key=vocab.__getitem__)
    renumber = np.empty(len(vocab), dtype=np.int64)
    renumber[np.asarray(order, dtype=np.int64)] = np.arange(len(vocab), dtype=np.int64)
    counts = count([vocab[i] for i in order], renumber[term_of_token], doc_len)
    return SparseBM25.of(counts, params)
