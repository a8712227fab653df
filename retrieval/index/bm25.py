"""Search stage: BM25 served from inverted indexes (segments of postings), scoring exactly like rank-bm25.

rank-bm25 scores a query by looping over every document in Python. Here each term's postings are grouped
once (postings.py), so a query costs only the postings of its terms, which may be memory-mapped files.
``SparseBM25`` is an archive's segments, which of their documents are live, and the corpus statistics
(live document frequencies, the number of live documents and tokens), kept beside the segments; the
weights are computed from them as a query reads a posting (scoring.py), and ``top_k`` prunes (topk.py).

The score of a document is the float64 number rank-bm25's ``get_scores`` gives (the reference models are in
reference.py). Where rank-bm25 fails we fail clearly instead: an empty corpus (ZeroDivisionError there) or
one without a single token (ZeroDivisionError for Okapi, NaN scores for L/Plus) raises ``CorpusEmpty``.
And where rank-bm25 evaluates 0/0 for a document *without* a query term (k1 = 0, or b = 1 and an empty
document) and returns NaN, such documents get the value of an absent term here (0, or ``idf * delta`` for
BM25Plus).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from retrieval.errors import CorpusEmpty, IndexDamaged
from retrieval.index import topk
from retrieval.index.postings import Counts, Mask, Postings, count, encode
from retrieval.index.scoring import DEFAULT_B, DEFAULT_K1, BM25Params, FloatArray, IdArray


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

    segments: tuple[Postings, ...]
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
        segment = Postings.of(counts, params, _avgdl(counts.n_docs, n_tokens))
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

    def posting_weights(self) -> tuple[IdArray, npt.NDArray[np.int32], FloatArray]:
        """(indptr, indices, weights) of a one-segment index with every document live (for batch scoring)."""
        if len(self.segments) != 1 or self.live[0] is not None:
            raise ValueError("posting_weights needs an index of one segment without deletions")
        seg = self.segments[0]
        idf = self.term_idf[np.repeat(np.arange(seg.n_terms), np.diff(seg.indptr))]
        return seg.indptr, seg.indices, self.params.weights(idf, seg.tf, self._norms[0][seg.indices])


def build(
    corpus_tokens: Sequence[Sequence[str]],
    model: str = "lucene",
    k1: float = DEFAULT_K1,
    b: float = DEFAULT_B,
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
