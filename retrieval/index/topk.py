"""Exact top-k BM25 over term-major postings with MaxScore-style dynamic pruning, in numpy only.

Scoring every posting of every query term into a dense vector is exact but slow: at a million
documents a question's common words ("的", "是", "什么") bring hundreds of thousands of postings, yet with
Lucene's idf each of them can add only a few tenths to a score while the top documents score 10 or more.
``top_k`` here proves that most documents cannot reach the top k and never scores them:

1. Terms are ranked by their upper bound ``maxima[i] * multiplicity`` (rare terms bound high).
2. *Threshold*: the union of the postings of the highest-bound terms, within a small postings budget,
   gives candidate documents and their partial scores; the best few hundred by partial score are
   completed with the other terms' weights (pruning as below), and the k-th best of them, ``theta``, is
   a lower bound of the true k-th best score. When that threshold still leaves far more postings to read
   (step 3) than the budget, another round with a larger budget usually finds a better one.
3. *Essential terms*: the lowest-bound terms whose bounds together (plus ``const``) stay below ``theta``
   are non-essential: a document containing only those cannot reach the top k. The union of the
   essential terms' postings is the candidate set, with each candidate's partial score.
4. *Pruning*: a candidate's partial score plus the bounds of the terms not yet added is an upper bound of
   its score; candidates whose bound stays below ``theta`` are dropped, then the non-essential terms are
   looked up for the survivors one term at a time (highest bound first, ``np.searchsorted`` in the
   term's ascending doc ids), tightening the bounds, raising ``theta`` to the k-th best partial score
   and dropping more.
5. The few survivors are scored exactly and ranked; every document that could be in the top k survived.

At a million documents this reads under a tenth of the postings the exhaustive method reads (the 200
questions of ``benchmarks/scale.py``, whose top 5 drop from 3.3 to under 1 ms at the median), and the
pruned path never allocates a vector of ``n_docs`` entries.

Exactness: the final scores are computed the way ``SparseBM25.scores`` computes them, each term's float64
contribution (``weights(...) * multiplicity``) added in query-term order starting from 0.0, then
``const``; the ranking is score descending, ties by lower doc id, over documents holding at least one query
term. Pruning decisions compare floating-point bounds, so each comparison carries a slack larger than any
rounding error of a sum of the query's terms (see ``_slack``): a document is dropped only when it is
certainly below ``theta``, and ``theta`` is only ever raised to values certainly reached by k documents.

The pruning needs every weight of a query term to be >= 0. For all models of ``retrieval.index.bm25`` that
holds whenever the term's bound is >= 0: a weight is ``idf(t) * tf-part`` with a positive
tf-part, so one term's weights share the sign of its idf. A query term with a negative (BM25Okapi's
floored idf) or non-finite bound makes the query take the exhaustive path, as do queries too small to
gain from pruning.

The weights are not stored: ``weights(i, lo, hi, docs, pos)`` computes query term i's weights of its
postings lo..hi-1 (``docs`` their doc ids), or of the positions ``pos`` among them (``docs`` then the
documents asked about), from term frequencies and the corpus statistics of the moment (see bm25). A
``live`` mask leaves out deleted documents.

Nothing is cached or shared between calls, so concurrent queries from several threads are safe; the
arrays may be read-only memory maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Docs = npt.NDArray[np.int32]
Mask = npt.NDArray[np.bool_]


class Weights(Protocol):
    """Query term i's float64 weights of postings lo..hi-1, or of positions ``pos`` among them."""

    def __call__(
        self, i: int, lo: int, hi: int, docs: Docs, pos: npt.NDArray[np.intp] | None = None
    ) -> FloatArray: ...


# When the exhaustive method would take less than about 0.3 ms (in the units of _exhaustive_cost), finding
# a threshold alone would cost as much: pruning is not tried.
EXHAUSTIVE_COST = 40_000
# The threshold pass reads the highest-bound terms while their postings add up to at most this many
# (always at least one term, and enough for k documents): cheap, and these rare terms hold the best
# documents, so the threshold they give is usually close to the final k-th score.
SEED_POSTINGS = 16384
# ... and at most this fraction of all the query's postings.
SEED_SHARE = 4
# How many of the best seed documents (by their seed terms' weights) are completed to find the threshold;
# at least 4 * k. More find a higher threshold but cost a lookup each in every other term.
PROBES = 256
# A threshold round that leaves more than GROWTH times its own postings budget in the essential terms is
# followed by one with GROWTH times the budget.
GROWTH = 8
# Cost of the pruned path per essential posting (union, then lookups of the candidates), in the units of
# _exhaustive_cost; both fitted on the 200 benchmark questions at 100k and 1M documents.
ESSENTIAL_COST = 5
_EPS = float(np.finfo(np.float64).eps)


def top_k(
    indices: Docs,
    spans: Sequence[tuple[int, int]],
    times: Sequence[int],
    maxima: Sequence[float],
    weights: Weights,
    const: float,
    k: int,
    live: Mask | None = None,
) -> tuple[IdArray, FloatArray]:
    """Return the ``k`` best live documents holding at least one query term, best first, ties by lower id.

    ``indices`` are the doc ids of term-major postings (ascending within a term); query term i holds
    postings ``spans[i]`` (an empty span when the term has none), counts ``times[i]`` times, and none of
    its weights exceeds ``maxima[i]``: a smaller value loses results silently. ``const`` is added to every
    score. Returns int64 doc ids and float64 scores, equal (bit for bit) to what the exhaustive method
    returns.
    """
    if k <= 0 or not spans:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    # A plain ndarray view: slicing a np.memmap subclass costs several microseconds per slice.
    indices = np.asarray(indices)
    spans, times = list(spans), list(times)
    bounds = [m * n for m, n in zip(maxima, times, strict=True)]
    n_postings = sum(hi - lo for lo, hi in spans)
    # Doc ids ascend within a term, so the last ones bound the number of documents.
    n_docs = max((int(indices[hi - 1]) + 1 for lo, hi in spans if hi > lo), default=0)
    prunable = all(b >= 0 and b != float("inf") for b in bounds) and np.isfinite(const)
    cheap = _exhaustive_cost(n_postings, n_docs) <= EXHAUSTIVE_COST or n_postings <= 4 * k
    # (n_postings < 2**32 keeps the int64 sort keys of _Query.union from overflowing.)
    if len(spans) == 1 or cheap or not prunable or n_postings >= 2**32:
        return exhaustive_top_k(indices, weights, spans, times, const, k, live)
    return _pruned_top_k(_Query(indices, weights, spans, times, bounds, const, k, live), n_docs)


def _exhaustive_cost(n_postings: int, n_docs: int) -> float:
    """Rough time of ``exhaustive_top_k`` in units of about 8 ns (one posting of its dense pass)."""
    if n_postings * 16 >= n_docs:
        return n_postings + n_docs / 4  # the dense pass: postings, plus zeroing and scanning n_docs
    return 3 * n_postings  # sorting the postings


def _slack(bounds: Sequence[float], const: float) -> float:
    """A margin larger than the rounding error of any float64 sum of the query's terms (and const).

    Summing m numbers of total magnitude S in any order errs by at most (m - 1) * eps/2 * S; the bound
    side and the score side of a comparison each have such an error. Four times m * eps * S covers both
    with room to spare, and is still some 1e-13 of a score: it never costs measurable pruning.
    """
    return 4.0 * (len(bounds) + 2) * _EPS * (sum(bounds) + abs(const))


def _pruned_top_k(q: _Query, n_docs: int) -> tuple[IdArray, FloatArray]:
    """MaxScore over nonnegative weights; see the module docstring for the steps."""
    spans, bounds, const, k = q.spans, q.bounds, q.const, q.k
    m = len(spans)
    df = [hi - lo for lo, hi in spans]
    # Highest bound first; among equal bounds the rarer term first, as it brings fewer candidates.
    by_bound = sorted(range(m), key=lambda i: (-bounds[i], df[i]))

    # 2. Threshold: union the highest-bound terms within a postings budget, complete the best of those
    # documents with the other terms' weights (pruning as it goes): k of them reach ``theta``. If the
    # threshold still leaves many essential postings, a bigger budget is likely to find a better one.
    theta = -np.inf
    # A budget that covers most of the postings would make pruning pointless: keep it to a share.
    budget = max(1, min(SEED_POSTINGS, sum(df) // SEED_SHARE))
    n_seed, seed_postings = 0, 0
    while True:
        grown = n_seed
        while grown < m and (
            grown == n_seed or seed_postings + df[by_bound[grown]] <= budget or seed_postings < 2 * k
        ):
            seed_postings += df[by_bound[grown]]
            grown += 1
        n_seed = grown
        seed_docs, seed_partial = q.union(sorted(by_bound[:n_seed]))
        if len(seed_docs) >= k:
            probe = _best(seed_partial, max(PROBES, 4 * k))
            probe.sort()  # lookups need ascending doc ids
            theta = q.refine(seed_docs[probe], seed_partial[probe], by_bound[n_seed:], theta)[2]
        # 3. Essential terms: all but the longest run of lowest-bound terms whose bounds (with const)
        # stay below theta; a document holding none of them cannot reach the top k.
        n_essential, rest = m, 0.0
        for j in range(m - 1, n_seed - 1, -1):
            if rest + bounds[by_bound[j]] + const + q.slack >= theta:
                break
            rest += bounds[by_bound[j]]
            n_essential = j
        essential_postings = sum(df[by_bound[j]] for j in range(n_essential))
        if n_essential == n_seed or essential_postings <= GROWTH * budget:
            break
        budget *= GROWTH
    # Many essential postings mean many candidates to look up: past a point, scoring every posting is
    # cheaper (mostly at small corpora, where the exhaustive method's dense pass is short).
    if n_essential == m or ESSENTIAL_COST * essential_postings > _exhaustive_cost(sum(df), n_docs):
        return exhaustive_top_k(q.indices, q.weights, spans, q.times, const, k, q.live)
    if n_essential == n_seed:
        docs, partial = seed_docs, seed_partial
    else:
        docs, partial = q.union(sorted(by_bound[:n_essential]))

    # 4. Candidates: every document holding an essential term; the others are looked up, pruning.
    # Down to k candidates nothing more can be pruned, and the exact pass looks every term up anyway.
    docs, partial, _ = q.refine(docs, partial, by_bound[n_essential:], theta, stop_at=k)

    # 5. Exact scores of the survivors; every possible top-k document is among them.
    scores = q.exact_scores(docs)
    order = np.lexsort((docs, -scores))[:k]
    return docs[order].astype(np.int64), scores[order]


class _Query:
    """One query's terms over the postings, and the operations of the pruned search (no state shared)."""

    def __init__(
        self,
        indices: Docs,
        weights: Weights,
        spans: list[tuple[int, int]],
        times: list[int],
        bounds: list[float],
        const: float,
        k: int,
        live: Mask | None,
    ) -> None:
        self.indices, self.weights, self.spans, self.times = indices, weights, spans, times
        self.bounds, self.const, self.k, self.live = bounds, const, k, live
        self.slack = _slack(bounds, const)

    def union(self, chosen: list[int]) -> tuple[npt.NDArray[np.int32], FloatArray]:
        """Return the ascending union of the chosen terms' doc ids and each doc's sum of their weights.

        The pairs are sorted as one int64 key ``doc * L + position`` (L postings in all): numpy's value
        sort of int64 is vectorized and several times faster than an argsort, and the position recovers
        each posting's weight. The sums are only used in bounds: ``np.add.reduceat`` may add a document's
        weights in another order (pairwise) than the query's, which can differ in the last bit.
        """
        spans = [self.spans[i] for i in chosen]
        weights = np.concatenate(
            [
                self.weights(i, lo, hi, self.indices[lo:hi]) * self.times[i]
                for i, (lo, hi) in zip(chosen, spans, strict=True)
            ]
        )
        total = len(weights)
        keys = np.concatenate([self.indices[lo:hi] for lo, hi in spans]).astype(np.int64)
        keys *= total
        keys += np.arange(total, dtype=np.int64)
        keys.sort()
        docs = keys // total
        pos = keys - docs * total
        starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
        docs, sums = docs[starts].astype(np.int32), np.add.reduceat(weights[pos], starts)
        if self.live is not None:  # deleted documents are no candidates
            keep = self.live[docs]
            docs, sums = docs[keep], sums[keep]
        return docs, sums

    def lookup(self, i: int, docs: npt.NDArray[np.int32]) -> FloatArray:
        """Return term i's float64 contribution to each of ``docs`` (int32, ascending), 0.0 where absent."""
        lo, hi = self.spans[i]
        if lo == hi:  # a term without postings (possible in a vocabulary after deletions)
            return np.zeros(len(docs), dtype=np.float64)
        ids = self.indices[lo:hi]
        # docs must be int32 like ids: mixed dtypes would make searchsorted convert the whole postings.
        pos = np.searchsorted(ids, docs)
        np.minimum(pos, hi - lo - 1, out=pos)
        out = self.weights(i, lo, hi, docs, pos)
        # Zero where absent by multiplying with the match mask: the pruned path only runs on finite
        # weights, and w * 1.0 is w exactly.
        out *= ids[pos] == docs
        times = self.times[i]
        if times != 1:
            out *= times  # float64(w) * times, the product SparseBM25 adds
        return out

    def refine(
        self,
        docs: npt.NDArray[np.int32],
        partial: FloatArray,
        pending: list[int],
        theta: float,
        stop_at: int = 0,
    ) -> tuple[npt.NDArray[np.int32], FloatArray, float]:
        """Add the pending terms' weights to candidates' partial scores, dropping hopeless candidates.

        ``partial`` holds what the candidates got from the other terms. Before each pending term (highest
        bound first) a candidate is dropped when its partial score plus the bounds of the terms still
        pending stays below ``theta``; ``theta`` rises to the k-th best partial score, which k candidates
        certainly reach. Returns the survivors and their partial sums (complete, in no particular term
        order, unless it stopped early: at ``stop_at`` candidates or fewer) and the final ``theta``, a
        lower bound of the k-th best score.
        """
        const, slack, k = self.const, self.slack, self.k
        rest = sum(self.bounds[i] for i in pending)
        for i in [*pending, None]:
            if len(docs) >= k:
                kth = float(np.partition(partial, len(partial) - k)[len(partial) - k])
                theta = max(theta, kth + const - slack)
                # k candidates back theta and keep their place: only a surplus can be pruned.
                if len(docs) > k:
                    keep = partial >= theta - (max(rest, 0.0) + const + slack)
                    if not keep.all():
                        docs, partial = docs[keep], partial[keep]
            if i is None or len(docs) <= stop_at:
                break
            partial = partial + self.lookup(i, docs)
            rest -= self.bounds[i]
        return docs, partial, theta

    def exact_scores(self, docs: npt.NDArray[np.int32]) -> FloatArray:
        """Return the scores of ``docs`` as ``SparseBM25.scores`` computes them, bit for bit.

        That is 0.0, plus each term's contribution in query order, plus const. Adding 0.0 for an absent
        term leaves a sum unchanged, so this equals adding only the present terms.
        """
        acc = np.zeros(len(docs), dtype=np.float64)
        for i in range(len(self.spans)):
            acc += self.lookup(i, docs)
        return acc + self.const


def _best(values: FloatArray, n: int) -> npt.NDArray[np.intp]:
    """Return the positions of n largest values (any n of them on ties: they only seed the threshold)."""
    if n >= len(values):
        return np.arange(len(values))
    return np.argpartition(values, len(values) - n)[len(values) - n :]


def exhaustive_top_k(
    indices: Docs,
    weights: Weights,
    spans: Sequence[tuple[int, int]],
    times: Sequence[int],
    const: float,
    k: int,
    live: Mask | None = None,
) -> tuple[IdArray, FloatArray]:
    """Score every posting of every query term, the exact method the pruned one must agree with.

    Kept for the queries pruning cannot help (one term, few postings) or must not touch (negative or
    non-finite weights). ``spans`` are the terms' [lo, hi) ranges in the postings, ``times`` their
    multiplicities, both in query order.
    """
    parts = [
        (indices[lo:hi], weights(i, lo, hi, indices[lo:hi]) * n)
        for i, ((lo, hi), n) in enumerate(zip(spans, times, strict=True))
    ]
    n_postings = sum(len(docs) for docs, _ in parts)
    # Doc ids ascend within a term, so the last ones give the size a dense vector needs.
    n_docs = max((int(docs[-1]) + 1 for docs, _ in parts if len(docs)), default=0)
    if len(parts) == 1:
        cand = parts[0][0].astype(np.int64)
        acc = parts[0][1]
    elif n_postings * 16 >= n_docs:
        # Common terms: a dense pass over all documents is cheaper than sorting the postings.
        dense = np.zeros(n_docs, dtype=np.float64)
        hit = np.zeros(n_docs, dtype=bool)
        for docs, weights in parts:
            # Doc ids are unique within one term's postings, so fancy-index += cannot lose an update.
            dense[docs] += weights
            hit[docs] = True
        cand = np.flatnonzero(hit)
        acc = dense[cand]
    else:
        all_docs = np.concatenate([p[0] for p in parts])
        uniq, inverse = np.unique(all_docs, return_inverse=True)
        cand = uniq.astype(np.int64)
        # bincount sums each document's contributions in query-term order, as the dense pass does.
        acc = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]), minlength=len(cand))
    if live is not None:
        keep = live[cand]
        cand, acc = cand[keep], acc[keep]
    scores = acc + const
    if k < len(cand):
        kth = np.argpartition(-scores, k - 1)[:k]
        threshold = scores[kth].min()
        # argpartition picks arbitrary members of a tie at the threshold; take the lowest doc ids
        # (cand is ascending) so results do not depend on numpy's partition algorithm.
        above = np.flatnonzero(scores > threshold)
        tied = np.flatnonzero(scores == threshold)[: k - len(above)]
        sel = np.concatenate([above, tied])
    else:
        sel = np.arange(len(cand))
    order = sel[np.lexsort((cand[sel], -scores[sel]))]
    return cand[order], scores[order]
