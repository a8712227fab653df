"""Pruned top-k (retrieval/topk.py) must return exactly what exhaustive scoring returns, bit for bit.

Every result is compared with two references: ``SparseBM25.top_k`` and an independent one built from the
full score vector ``SparseBM25.scores`` (documents holding a query term, score descending, lower doc id
first). The corpora are small, so most tests shrink the module's budgets to force the pruned path, and
several threshold rounds, on them; ``test_pruning_is_exercised`` checks that it really runs to the end.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retrieval.index import topk
from retrieval.index.bm25 import SparseBM25, build
from retrieval.index.postings import per_term
from retrieval.index.scoring import MODELS

Result = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]
FloatArray = npt.NDArray[np.float64]

# Budgets small enough that a corpus of a few hundred documents takes the pruned path, with several
# threshold rounds (tiny seed budget, growth 2) and probes too few to find a good threshold at once.
TINY = {"EXHAUSTIVE_COST": 0, "SEED_POSTINGS": 4, "PROBES": 1, "GROWTH": 2, "ESSENTIAL_COST": 0}
# The shipped budgets, except that pruning is tried on corpora this small (the exhaustive method is
# cheaper there, so by default they would hardly ever be pruned).
EAGER = {"EXHAUSTIVE_COST": 0}
BUDGETS = {"tiny": TINY, "eager": EAGER, "default": {}}
KS = (1, 5, 60)


@contextmanager
def budgets(name: str) -> Iterator[None]:
    """Set the module's tuning constants for the duration of a block (the defaults for "default")."""
    if not BUDGETS[name]:
        yield
        return
    with mock.patch.multiple(topk, **BUDGETS[name]):  # type: ignore[arg-type]
        yield


# ---- corpora and queries


def zipf_corpus(rng: np.random.Generator, n_docs: int, n_terms: int, max_len: int = 30) -> list[list[str]]:
    """Documents drawn from a Zipf-like vocabulary: head terms in most documents, a long rare tail."""
    terms = [f"t{i}" for i in range(n_terms)]
    p = 1.0 / np.arange(1, n_terms + 1) ** rng.uniform(0.8, 1.4)
    p /= p.sum()
    lengths = rng.integers(0, max_len, size=n_docs)
    lengths[0] = max(int(lengths[0]), 1)  # at least one token, else build refuses the corpus
    return [[terms[i] for i in rng.choice(n_terms, size=int(n), p=p)] for n in lengths]


def duplicated_corpus(rng: np.random.Generator, n_distinct: int, copies: int) -> list[list[str]]:
    """A few distinct documents, each repeated many times and shuffled: ties everywhere."""
    distinct = zipf_corpus(rng, n_distinct, int(rng.integers(4, 12)))
    docs = [list(d) for d in distinct for _ in range(copies)]
    order = rng.permutation(len(docs))
    return [docs[i] for i in order]


def okapi_negative_corpus(rng: np.random.Generator, n_docs: int) -> list[list[str]]:
    """Mostly terms in over half the documents, so Okapi's floored idf (and weights) turn negative."""
    head = ["a", "b", "c", "d", "e", "f", "g", "h"]
    docs = []
    for _ in range(n_docs):
        doc = [t for t in head if rng.random() < 0.8]
        if rng.random() < 0.3:
            doc.append(f"r{int(rng.integers(0, 2))}")
        docs.append(doc or ["a"])
    return docs


def random_queries(rng: np.random.Generator, corpus: Sequence[Sequence[str]], n: int) -> list[list[str]]:
    """Queries mixing common and rare terms, repeated tokens, unknown tokens, single terms."""
    counts: dict[str, int] = {}
    for doc in corpus:
        for tok in set(doc):
            counts[tok] = counts.get(tok, 0) + 1
    by_df = sorted(counts, key=lambda t: (-counts[t], t))
    head, tail = by_df[: max(1, len(by_df) // 10)], by_df[len(by_df) // 2 :] or by_df
    out: list[list[str]] = [
        [by_df[0]],  # the commonest term alone
        [by_df[-1]],  # the rarest term alone
        head[:6],  # only common terms
        [by_df[0], by_df[0], by_df[-1], by_df[-1], by_df[-1]],  # repeats count once per repeat
        ["zz-unknown", by_df[len(by_df) // 2], "zz-unknown"],
        ["zz-unknown"],
        [],
    ]
    for _ in range(n):
        size = int(rng.integers(1, 14))
        pools = [head, tail, by_df]
        query = [str(rng.choice(pools[int(rng.integers(0, 3))])) for _ in range(size)]
        if rng.random() < 0.3:
            query += query[: int(rng.integers(1, len(query) + 1))]  # repeated tokens
        if rng.random() < 0.2:
            query.append("zz-unknown")
        out.append(query)
    return out


# ---- references and the function under test


def reference_top_k(index: SparseBM25, query: Sequence[str], k: int) -> Result:
    """The contract from first principles: hits ranked by the full score vector, ties by lower id."""
    terms = index._query_terms(query)
    if k <= 0 or not terms:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    scores = index.scores(query)
    hit = np.zeros(index.n_docs, dtype=bool)
    for tid, _ in terms:
        hit[index.docs_with(index.vocab[tid])] = True
    cand = np.flatnonzero(hit)
    order = np.lexsort((cand, -scores[cand]))[:k]
    return cand[order].astype(np.int64), scores[cand][order]


def stored(data: npt.NDArray[np.floating]) -> topk.Weights:
    """Weights given per posting (``topk.Weights`` over an array rather than computed from counts)."""

    def weights(i: int, lo: int, hi: int, docs: npt.NDArray[np.int32], pos: object = None) -> FloatArray:
        out = data[lo:hi].astype(np.float64)
        return out if pos is None else out[pos]

    return weights


def maxima_of(indptr: npt.NDArray[np.int64], data: npt.NDArray[np.floating]) -> npt.NDArray[np.float64]:
    """Each term's largest weight, exactly (0 for terms without postings)."""
    return per_term(indptr, lambda lo, hi: data[lo:hi].astype(np.float64), np.maximum, np.float64)


class Pruned:
    """``topk.top_k`` over an index's weights, with each term's exact largest weight as its bound.

    ``SparseBM25.top_k`` bounds a term by a looser product (idf x the tf-part bound): both must agree.
    """

    def __init__(self, index: SparseBM25) -> None:
        self.index = index
        self.indptr, self.indices, self.data = index.posting_weights()
        self.term_max = maxima_of(self.indptr, self.data)

    def __call__(self, query: Sequence[str], k: int) -> Result:
        terms = self.index._query_terms(query)
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1])) for t, _ in terms]
        maxima = [float(self.term_max[t]) for t, _ in terms]
        const = self.index._const(terms)
        return topk.top_k(self.indices, spans, [n for _, n in terms], maxima, stored(self.data), const, k)


def assert_same(got: Result, want: Result, context: object) -> None:
    """Identical ids and scores: same length, order, dtype and float64 values (no tolerance)."""
    ids, scores = got
    assert ids.dtype == np.int64 and scores.dtype == np.float64, context
    assert np.array_equal(ids, want[0]), (context, ids, want[0])
    assert np.array_equal(scores, want[1]), (context, scores, want[1])


def check_queries(index: SparseBM25, queries: Sequence[Sequence[str]], ks: Sequence[int]) -> None:
    """Compare the pruned top-k with both references for every query and k."""
    pruned = Pruned(index)
    for query in queries:
        for k in (*ks, index.n_docs + 5):
            want = reference_top_k(index, query, k)
            got = pruned(query, k)
            assert_same(got, want, (index.params.model, query, k))
            assert_same(index.top_k(query, k), want, ("SparseBM25.top_k", index.params.model, query, k))
            # One arithmetic, two entry points: the scores are those of the full score vector.
            assert np.array_equal(got[1], index.scores(query)[got[0]])


# ---- tests


@pytest.mark.parametrize("budget", sorted(BUDGETS))
@pytest.mark.parametrize("model", MODELS)
def test_zipf_corpora_every_model(model: str, budget: str) -> None:
    """Random corpora and parameters, every model, forced and default pruning budgets."""
    rng = np.random.default_rng(MODELS.index(model))
    for _ in range(3):
        corpus = zipf_corpus(rng, int(rng.integers(150, 600)), int(rng.integers(30, 400)))
        index = build(corpus, model=model, k1=float(rng.uniform(0.3, 2.0)), b=float(rng.uniform(0, 1)))
        with budgets(budget):
            check_queries(index, random_queries(rng, corpus, 12), KS)


@pytest.mark.parametrize("model", MODELS)
def test_heavy_ties(model: str) -> None:
    """Few distinct documents copied many times: the k-th score is shared by many, lowest ids win."""
    rng = np.random.default_rng(100 + MODELS.index(model))
    for n_distinct, copies in ((3, 80), (6, 40), (12, 25)):
        corpus = duplicated_corpus(rng, n_distinct, copies)
        index = build(corpus, model=model)
        with budgets("tiny"):
            check_queries(index, random_queries(rng, corpus, 8), KS)


@pytest.mark.parametrize("model", MODELS)
def test_long_documents_many_terms(model: str) -> None:
    """Long queries over long documents: the top documents hold many query terms, and many survive."""
    rng = np.random.default_rng(200 + MODELS.index(model))
    corpus = zipf_corpus(rng, 400, 150, max_len=200)
    index = build(corpus, model=model)
    vocab = sorted(set(index.vocab))
    queries = [[str(t) for t in rng.choice(vocab, size=int(rng.integers(8, 30)))] for _ in range(25)]
    with budgets("tiny"):
        check_queries(index, queries, KS)


def dense_reference(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int32],
    data: npt.NDArray[np.float32],
    terms: Sequence[tuple[int, int]],
    const: float,
    k: int,
) -> Result:
    """``SparseBM25.scores`` arithmetic on raw arrays: 0.0, each term's weight in query order, const."""
    n_docs = int(indices.max()) + 1 if len(indices) else 0
    out = np.zeros(n_docs, dtype=np.float64)
    hit = np.zeros(n_docs, dtype=bool)
    for tid, n in terms:
        docs = indices[indptr[tid] : indptr[tid + 1]]
        out[docs] += data[indptr[tid] : indptr[tid + 1]].astype(np.float64) * n
        hit[docs] = True
    cand = np.flatnonzero(hit)
    scores = out[cand] + const
    order = np.lexsort((cand, -scores))[: max(k, 0)]
    return cand[order].astype(np.int64), scores[order]


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), budget=st.sampled_from(sorted(BUDGETS)))
def test_synthetic_weights_of_any_magnitude(seed: int, budget: str) -> None:
    """BM25 weights are float32, so float64 sums of a few of them are exact in any order; weights 2**40
    apart are not, and would catch a sum taken in another order than the query's."""
    rng = np.random.default_rng(seed)
    n_docs, n_terms = int(rng.integers(1, 300)), int(rng.integers(1, 20))
    postings = [np.flatnonzero(rng.random(n_docs) < rng.uniform(0, 1)) for _ in range(n_terms)]
    indptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum([len(p) for p in postings], out=indptr[1:])
    indices = np.concatenate(postings).astype(np.int32)
    scale = 2.0 ** rng.integers(-40, 10, size=len(indices))
    data = (scale * rng.uniform(1, 2, size=len(indices))).astype(np.float32)
    data[rng.random(len(data)) < 0.1] = 0.0  # zero weights still make hits
    data[rng.random(len(data)) < 0.2] = 1.5  # and equal weights make ties
    term_max = maxima_of(indptr, data)
    ids = rng.choice(n_terms, size=int(rng.integers(1, n_terms + 1)), replace=False)
    terms = [(int(t), int(rng.integers(1, 4))) for t in ids]
    const = float(rng.choice([0.0, rng.uniform(0, 3)]))
    with budgets(budget):
        for k in (1, 2, 5, 60, n_docs + 1):
            want = dense_reference(indptr, indices, data, terms, const, k)
            spans = [(int(indptr[t]), int(indptr[t + 1])) for t, _ in terms]
            maxima = [float(term_max[t]) for t, _ in terms]
            got = topk.top_k(indices, spans, [n for _, n in terms], maxima, stored(data), const, k)
            assert_same(got, want, (terms, k))


def test_okapi_negative_weights_fall_back() -> None:
    """Okapi's floored idf is negative when most terms are in over half the documents: exhaustive path."""
    rng = np.random.default_rng(7)
    corpus = okapi_negative_corpus(rng, 400)
    index = build(corpus, model="okapi")
    assert index.idf("a") < 0 < index.idf("r0")  # the case this test is about
    queries = [["a", "b"], ["a", "r1"], ["r0", "r1", "c", "c"], ["a", "b", "c", "d", "r0"], ["r0", "r1"]]
    with budgets("tiny"):
        check_queries(index, queries + random_queries(rng, corpus, 10), KS)


def test_zero_idf_terms() -> None:
    """Okapi gives idf 0 to a term in exactly half the documents: weights 0, still hits."""
    corpus = [["x", "y"] if i % 2 else ["z", "y"] for i in range(200)]  # x, z: half the documents each
    index = build(corpus, model="okapi")
    assert index.idf("x") == 0.0
    with budgets("tiny"):
        check_queries(index, [["x"], ["x", "z"], ["x", "y"], ["y", "z", "x"]], KS)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    model=st.sampled_from(MODELS),
    n_docs=st.integers(1, 250),
    n_terms=st.integers(1, 60),
    budget=st.sampled_from(sorted(BUDGETS)),
)
def test_random_corpora(seed: int, model: str, n_docs: int, n_terms: int, budget: str) -> None:
    """Corpora from one document to a few hundred, k1 from 0 (no tf saturation) up, b from 0 to 1."""
    rng = np.random.default_rng(seed)
    corpus = zipf_corpus(rng, n_docs, n_terms)
    index = build(corpus, model=model, k1=float(rng.uniform(0, 2.5)), b=float(rng.uniform(0, 1)))
    with budgets(budget):
        check_queries(index, random_queries(rng, corpus, 6), (1, 2, 5, 60))


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    model=st.sampled_from(MODELS),
    n_distinct=st.integers(1, 8),
    copies=st.integers(1, 60),
)
def test_random_duplicates(seed: int, model: str, n_distinct: int, copies: int) -> None:
    """Ties of every size, down to a corpus of one document copied many times."""
    rng = np.random.default_rng(seed)
    corpus = duplicated_corpus(rng, n_distinct, copies)
    index = build(corpus, model=model)
    with budgets("tiny"):
        check_queries(index, random_queries(rng, corpus, 4), (1, 3, 5, 60))


def realistic_queries(rng: np.random.Generator, index: SparseBM25, n: int) -> list[list[str]]:
    """Questions as users ask them: one to three middling terms among several of the commonest words.

    The exhaustive method reads every posting of the common words; pruning skips nearly all of them.
    """
    by_df = [index.vocab[i] for i in np.argsort(-index.df, kind="stable")]
    head, middle = by_df[:30], by_df[len(by_df) // 20 : len(by_df) // 5]
    return [
        [str(t) for t in rng.choice(middle, size=int(rng.integers(1, 4)))]
        + [str(t) for t in rng.choice(head, size=int(rng.integers(3, 9)))]
        for _ in range(n)
    ]


@pytest.fixture(scope="module")
def large_corpus() -> list[list[str]]:
    """5000 documents, 200k postings: the shipped budgets prune here once allowed to try."""
    return zipf_corpus(np.random.default_rng(11), 5000, 5000, max_len=100)


@pytest.mark.parametrize("budget", ["eager", "default"])
@pytest.mark.parametrize("model", MODELS)
def test_large_corpus(large_corpus: list[list[str]], model: str, budget: str) -> None:
    """The shipped budgets (and pruning tried at once) on realistic and random queries."""
    rng = np.random.default_rng(12)
    index = build(large_corpus, model=model)
    queries = realistic_queries(rng, index, 20) + random_queries(rng, large_corpus, 10)
    with budgets(budget):
        check_queries(index, queries, KS)


def test_pruning_is_exercised(large_corpus: list[list[str]]) -> None:
    """The tests above would pass vacuously if every query fell back to the exhaustive method."""
    rng = np.random.default_rng(3)
    index = build(large_corpus, model="lucene")
    pruned = Pruned(index)
    queries = realistic_queries(rng, index, 20)
    for name in ("tiny", "eager"):
        ran_to_end = 0
        for query in queries:
            for k in (5, 60):
                with (
                    budgets(name),
                    mock.patch.object(topk, "exhaustive_top_k", wraps=topk.exhaustive_top_k) as exhaustive,
                ):
                    got = pruned(query, k)
                assert_same(got, reference_top_k(index, query, k), query)
                ran_to_end += not exhaustive.called
        assert ran_to_end >= len(queries) // 2, name


def test_empty_spans() -> None:
    """A query term without postings (in this segment) adds nothing and is never looked up wrong."""
    rng = np.random.default_rng(5)
    corpus = zipf_corpus(rng, 300, 50)
    index = build(corpus, model="plus")
    indptr, indices, data = index.posting_weights()
    term_max = maxima_of(indptr, data)
    with budgets("tiny"):
        for query in random_queries(rng, corpus, 12):
            terms = index._query_terms(query)
            const = index._const(terms)
            # Each term followed by an empty one: same weights, twice the terms.
            spans = [s for t, _ in terms for s in ((int(indptr[t]), int(indptr[t + 1])), (0, 0))]
            times = [n for _, n in terms for _ in range(2)]
            maxima = [m for t, _ in terms for m in (float(term_max[t]), 0.0)]
            weights = stored(data)
            for k in KS:
                got = topk.top_k(indices, spans, times, maxima, weights, const, k)
                assert_same(got, reference_top_k(index, query, k), query)


def test_per_term_reductions() -> None:
    """Per-term maxima and sums across blocks, 0 for terms without postings, negative maxima kept."""
    indptr = np.array([0, 0, 3, 3, 4, 6, 6], dtype=np.int64)
    data = np.array([1.5, 0.25, 3.0, -2.0, 0.5, 0.75])
    assert maxima_of(indptr, data).tolist() == [0.0, 3.0, 0.0, -2.0, 0.75, 0.0]
    with mock.patch("retrieval.index.postings.BLOCK", 2):  # terms cut across blocks
        assert maxima_of(indptr, data).tolist() == [0.0, 3.0, 0.0, -2.0, 0.75, 0.0]
        sums = per_term(indptr, lambda lo, hi: data[lo:hi], np.add, np.float64)
        assert sums.tolist() == [0.0, 4.75, 0.0, -2.0, 1.25, 0.0]
    assert maxima_of(np.zeros(1, dtype=np.int64), data[:0]).shape == (0,)


def test_degenerate_arguments() -> None:
    """No positive k, or no known query term: empty results of the right dtypes."""
    index = build([["a", "b"], ["b"], ["c"]], model="lucene")
    pruned = Pruned(index)
    for query, k in ((["a"], 0), (["a"], -3), ([], 5), (["zz"], 5)):
        ids, scores = pruned(query, k)
        assert len(ids) == len(scores) == 0
        assert ids.dtype == np.int64 and scores.dtype == np.float64


def test_threads_agree(large_corpus: list[list[str]]) -> None:
    """Concurrent queries share nothing mutable: each thread gets the single-threaded results."""
    rng = np.random.default_rng(9)
    index = build(large_corpus, model="lucene")
    pruned = Pruned(index)
    queries = realistic_queries(rng, index, 30) + random_queries(rng, large_corpus, 10)
    want: list[Result] = []
    failures: list[object] = []

    def worker(offset: int) -> None:
        for i in range(len(queries)):
            j = (i + offset) % len(queries)
            got = pruned(queries[j], 5)
            if not (np.array_equal(got[0], want[j][0]) and np.array_equal(got[1], want[j][1])):
                failures.append(queries[j])

    threads = [threading.Thread(target=worker, args=(7 * n,)) for n in range(4)]
    with budgets("eager"):  # set before the threads start and reset after they end
        want[:] = [pruned(q, 5) for q in queries]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not failures
