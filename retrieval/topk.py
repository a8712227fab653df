"""Exact top-k BM25 over term-major postings with MaxScore-style dynamic pruning, in numpy only.

``SparseBM25.top_k`` used to add every posting of every query term into a dense score vector. At a million
documents a question's common words ("的", "是", "什么") bring hundreds of thousands of postings, yet with
Lucene's idf each of them can add only a few tenths to a score while the top documents score 10 or more.
``top_k`` here proves that most documents cannot reach the top k and never scores them:

1. Terms are ranked by their upper bound ``term_max[t] * multiplicity`` (rare terms bound high).
2. *Threshold*: the postings of the highest-bound terms (a small budget of them) give candidate documents;
   the best few of those by partial score are scored exactly, and the k-th best exact score ``theta`` is
   a lower bound of the true k-th best score.
3. *Essential terms*: the lowest-bound terms whose bounds together (plus ``const``) stay below ``theta``
   are non-essential: a document containing only those cannot reach the top k. Every other term is
   essential and the union of the essential postings is the candidate set, with a partial score each.
4. *Pruning*: a candidate's partial score plus the bounds of the non-essential terms is an upper bound of
   its score; candidates whose bound stays below ``theta`` are dropped, then the non-essential terms are
   looked up (``np.searchsorted`` in their ascending doc ids) for the survivors one term at a time,
   tightening the bounds and dropping more.
5. The few survivors are scored exactly and ranked; every document that could be in the top k survived.

Exactness: the final scores are computed the way ``SparseBM25.scores`` computes them, each term's float64
contribution (``float64(data) * multiplicity``) added in query-term order starting from 0.0, then
``const``; the ranking is score descending, ties by lower doc id, over documents holding at least one query
term. Pruning decisions compare floating-point bounds, so each comparison carries a slack larger than any
rounding error of a sum of the query's terms (see ``_slack``): a document is dropped only when it is
certainly below ``theta``, and ``theta`` is only ever raised to values certainly reached by k documents.

The pruning needs every weight of a query term to be >= 0. That holds whenever the term's ``term_max`` is
>= 0 for all models of ``retrieval.bm25``: a weight is ``idf(t) * tf-part`` with a positive tf-part, so
one term's weights share the sign of its idf. A query term with a negative (BM25Okapi's floored idf) or
non-finite bound makes the query take the exhaustive path, as do queries too small to gain from pruning.

Nothing is cached or shared between calls, so concurrent queries from several threads are safe; the
arrays may be read-only memory maps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

IdArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Below this many postings in all the query's terms the exhaustive method costs a few tens of
# microseconds, less than the bookkeeping of pruning.
EXHAUSTIVE_POSTINGS = 4096
# The threshold pass reads the highest-bound terms while their postings add up to at most this many
# (always at least one term, and enough for k documents): cheap, and these rare terms hold the best
# documents, so the threshold they give is usually close to the final k-th score.
SEED_POSTINGS = 8192
# Beyond this many survivors of the pruning, looking each one up in a common term's postings costs more
# than reading the term's postings: the term is then merged in as an essential term would be.
_EPS = float(np.finfo(np.float64).eps)


def term_maxima(indptr: npt.NDArray[np.int64], data: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    """Return each term's largest posting value, as float32 (exact: the values are float32); 0 if none.

    This is the ``term_max`` that ``top_k`` expects, to be computed when the index is built and stored
    beside ``data``. Terms without postings get 0 (``np.maximum.reduceat`` would return the next term's
    first value for an empty segment, so they are left out of the reduction).
    """
    out = np.zeros(len(indptr) - 1, dtype=np.float32)
    nonempty = np.flatnonzero(np.diff(indptr) > 0)
    if len(nonempty):
        out[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
    return out


def top_k(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    term_max: npt.NDArray[np.floating],
    terms: Sequence[tuple[int, int]],
    const: float,
    k: int,
) -> tuple[IdArray, FloatArray]:
    """Return the ``k`` best documents holding at least one query term, best first, ties by lower doc id.

    ``indptr``/``indices``/``data`` are the term-major postings of ``SparseBM25`` (doc ids ascending within
    a term); ``term_max[t]`` is the largest value of ``data`` in term t's postings (``term_maxima``; any
    float dtype; it must not be smaller than the true maximum, or results may be wrong); ``terms`` are
    (term id, multiplicity) pairs in query order as ``SparseBM25._query_terms`` gives them; ``const`` is
    ``SparseBM25._const(terms)``, added to every score. Returns int64 doc ids and float64 scores, equal
    (bit for bit) to what the exhaustive method returns.
    """
    if k <= 0 or not terms:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    # Plain ndarray views: slicing a np.memmap subclass costs several microseconds per slice.
    indptr, indices, data = np.asarray(indptr), np.asarray(indices), np.asarray(data)
    spans = [(int(indptr[t]), int(indptr[t + 1])) for t, _ in terms]
    times = [n for _, n in terms]
    bounds = [float(term_max[t]) * n for t, n in terms]
    n_postings = sum(hi - lo for lo, hi in spans)
    prunable = all(b >= 0 and b != float("inf") for b in bounds) and np.isfinite(const)
    if len(terms) == 1 or n_postings <= max(EXHAUSTIVE_POSTINGS, 4 * k) or not prunable:
        return exhaustive_top_k(indices, data, spans, times, const, k)
    return _pruned_top_k(indices, data, spans, times, bounds, const, k)


def _slack(bounds: Sequence[float], const: float) -> float:
    """A margin larger than the rounding error of any float64 sum of the query's terms (and const).

    Summing m numbers of total magnitude S in any order errs by at most (m - 1) * eps/2 * S; the bound
    side and the score side of a comparison each have such an error. Four times m * eps * S covers both
    with room to spare, and is still some 1e-13 of a score: it never costs measurable pruning.
    """
    return 4.0 * (len(bounds) + 2) * _EPS * (sum(bounds) + abs(const))


def _pruned_top_k(
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    spans: list[tuple[int, int]],
    times: list[int],
    bounds: list[float],
    const: float,
    k: int,
) -> tuple[IdArray, FloatArray]:
    """MaxScore over nonnegative weights; see the module docstring for the steps."""
    m = len(spans)
    slack = _slack(bounds, const)
    df = [hi - lo for lo, hi in spans]
    # Highest bound first; among equal bounds the rarer term first, as it brings fewer candidates.
    by_bound = sorted(range(m), key=lambda i: (-bounds[i], df[i]))

    # 2. Threshold from the highest-bound terms.
    n_seed, seed_postings = 1, df[by_bound[0]]
    while n_seed < m and (
        seed_postings + df[by_bound[n_seed]] <= SEED_POSTINGS or seed_postings < 2 * k
    ):
        seed_postings += df[by_bound[n_seed]]
        n_seed += 1
    seed = sorted(by_bound[:n_seed])  # query order, so partial sums add terms in query order
    seed_docs, seed_partial = _union(indices, data, spans, times, seed)
    if len(seed_docs) < k:
        # Fewer than k documents in the seed postings: no threshold, so nothing can be pruned.
        return exhaustive_top_k(indices, data, spans, times, const, k)
    n_probe = min(len(seed_docs), 2 * k + 8)
    probe = np.sort(seed_docs[_best(seed_partial, n_probe)])
    probe_scores = _exact_scores(indices, data, spans, times, const, probe)
    theta = float(np.partition(probe_scores, len(probe_scores) - k)[len(probe_scores) - k])

    # 3. Essential terms: all but the longest run of lowest-bound terms whose bounds stay below theta.
    n_essential = m
    rest = 0.0
    for j in range(m - 1, n_seed - 1, -1):
        if rest + bounds[by_bound[j]] + const + slack >= theta:
            break
        rest += bounds[by_bound[j]]
        n_essential = j
    if n_essential == m:
        return exhaustive_top_k(indices, data, spans, times, const, k)
    if n_essential == n_seed:
        docs, partial = seed_docs, seed_partial
    else:
        docs, partial = _union(indices, data, spans, times, sorted(by_bound[:n_essential]))

    # Every candidate's exact score is at least its partial score (weights are >= 0), so k of them
    # certainly reach the k-th best partial score (less the slack): a threshold at least as good.
    if len(docs) > k:
        kth_partial = float(np.partition(partial, len(partial) - k)[len(partial) - k])
        theta = max(theta, kth_partial + const - slack)

    # 4. Prune on partial + bound of the non-essential terms, then look those terms up one at a time,
    # highest bound first, for the survivors only.
    keep = partial + (rest + const + slack) >= theta
    docs, partial = docs[keep], partial[keep]
    for j in range(n_essential, m):
        i = by_bound[j]
        rest -= bounds[i]
        partial = partial + _lookup(indices, data, spans[i], times[i], docs)
        keep = partial + (max(rest, 0.0) + const + slack) >= theta
        docs, partial = docs[keep], partial[keep]

    # 5. Exact scores of the survivors; every possible top-k document is among them.
    scores = _exact_scores(indices, data, spans, times, const, docs)
    order = np.lexsort((docs, -scores))[:k]
    return docs[order].astype(np.int64), scores[order]


def _union(
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    spans: list[tuple[int, int]],
    times: list[int],
    chosen: list[int],
) -> tuple[npt.NDArray[np.int32], FloatArray]:
    """Return the ascending union of the chosen terms' doc ids and each doc's sum of their weights.

    The pairs are sorted as one int64 key ``doc * L + position`` (L postings in all): numpy's value sort
    of int64 is vectorized and several times faster than an argsort, and the position recovers each
    posting's weight. Within a document positions ascend, so the sums add terms in ``chosen`` order.
    """
    doc_parts = [indices[spans[i][0] : spans[i][1]] for i in chosen]
    weights = np.concatenate(
        [data[spans[i][0] : spans[i][1]].astype(np.float64) * times[i] for i in chosen]
    )
    total = len(weights)
    keys = np.concatenate(doc_parts).astype(np.int64)
    keys *= total
    keys += np.arange(total, dtype=np.int64)
    keys.sort()
    docs = keys // total
    pos = keys - docs * total
    starts = np.flatnonzero(np.concatenate(([True], docs[1:] != docs[:-1])))
    return docs[starts].astype(np.int32), np.add.reduceat(weights[pos], starts)


def _best(values: FloatArray, n: int) -> npt.NDArray[np.intp]:
    """Return the positions of n largest values (any n of them on ties: they only seed the threshold)."""
    if n >= len(values):
        return np.arange(len(values))
    return np.argpartition(values, len(values) - n)[len(values) - n :]


def _lookup(
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    span: tuple[int, int],
    times: int,
    docs: npt.NDArray[np.int32],
) -> FloatArray:
    """Return one term's float64 contribution to each of ``docs`` (int32, ascending), 0.0 where absent."""
    lo, hi = span
    ids = indices[lo:hi]
    # docs must be int32 like ids: mixed dtypes would make searchsorted convert the whole postings.
    pos = np.searchsorted(ids, docs)
    pos_in = np.minimum(pos, hi - lo - 1)
    found = ids[pos_in] == docs
    out = np.zeros(len(docs), dtype=np.float64)
    out[found] = data[lo + pos_in[found]].astype(np.float64) * times
    return out


def _exact_scores(
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    spans: list[tuple[int, int]],
    times: list[int],
    const: float,
    docs: npt.NDArray[np.int32],
) -> FloatArray:
    """Scores of ``docs`` with the arithmetic of ``SparseBM25.scores``: 0.0 + terms in query order + const.

    Adding 0.0 for an absent term leaves a sum unchanged, so this equals adding only the present terms.
    """
    acc = np.zeros(len(docs), dtype=np.float64)
    for span, n in zip(spans, times, strict=True):
        acc += _lookup(indices, data, span, n, docs)
    return acc + const


def exhaustive_top_k(
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    spans: Sequence[tuple[int, int]],
    times: Sequence[int],
    const: float,
    k: int,
) -> tuple[IdArray, FloatArray]:
    """Score every posting of every query term (the method ``SparseBM25.top_k`` used before pruning).

    Kept for the queries pruning cannot help: one term, few postings, or negative weights.
    """
    parts = [
        (indices[lo:hi], data[lo:hi].astype(np.float64) * n) for (lo, hi), n in zip(spans, times, strict=True)
    ]
    if len(parts) == 1:
        cand = parts[0][0].astype(np.int64)
        acc = parts[0][1]
    else:
        all_docs = np.concatenate([p[0] for p in parts])
        uniq, inverse = np.unique(all_docs, return_inverse=True)
        cand = uniq.astype(np.int64)
        # bincount sums each document's contributions in query-term order, as scores() does.
        acc = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]), minlength=len(cand))
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
