"""The sparse BM25 index must score like rank-bm25, to the last bits float64 rounding allows, for every
model and for the product's own settings, on awkward corpora."""

from __future__ import annotations

import copy
import inspect
import json
import math
from collections import Counter
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

from retrieval.config import Settings
from retrieval.errors import CorpusEmpty, IndexDamaged, RetrievalError
from retrieval.index import topk
from retrieval.index.bm25 import SparseBM25, build
from retrieval.index.postings import Counts, Postings, combine, count, encode, relabel
from retrieval.index.publish import write_snapshot
from retrieval.index.reference import BM25Lucene, reference_model
from retrieval.index.scoring import MODELS, BM25Params
from retrieval.index.snapshot import (
    bm25_documents,
    load_postings,
    open_bm25,
    postings_files,
    read_bm25_description,
)
from retrieval.index.storage import read_snapshot

EPS = float(np.finfo(np.float64).eps)
PRODUCT = Settings().bm25  # the scoring function the archive is built and searched with


def zipf_corpus(seed: int) -> tuple[list[list[str]], list[str]]:
    """A random corpus with Zipf-ish term frequencies (head terms in most docs) and some empty docs."""
    rng = np.random.default_rng(seed)
    n_terms = int(rng.integers(5, 201))
    n_docs = int(rng.integers(3, 301))
    terms = [f"t{i}" for i in range(n_terms - 2)] + ["商会", "工商联"]
    weights = 1.0 / np.arange(1, n_terms + 1) ** rng.uniform(0.8, 1.6)
    weights /= weights.sum()
    lengths = rng.integers(0, 40, size=n_docs)
    lengths[rng.random(n_docs) < 0.1] = 0  # empty documents happen (e.g. a chunk of punctuation)
    lengths[0] = max(int(lengths[0]), 1)  # at least one token, else the corpus is refused
    corpus = [[terms[i] for i in rng.choice(n_terms, size=int(n), p=weights)] for n in lengths]
    return corpus, terms


def queries_for(terms: list[str], seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed + 1000)
    head, tail = terms[:3], terms[-5:]
    return [
        [head[0]],  # the commonest term: in more than half the documents
        [tail[-1]],  # a rare or absent term
        [head[0], head[0], tail[0]],  # repeated token counts twice
        [str(t) for t in rng.choice(terms, size=5)],
        ["zz-not-in-vocab", head[1]],
        ["zz-not-in-vocab"],
        [],
    ]


def idf_magnitudes(ref: BM25) -> dict[str, float]:
    """Per term, the size of the numbers its idf is computed from (see rounding_bound)."""
    n = ref.corpus_size
    df = Counter(term for doc in ref.doc_freqs for term in doc)
    if isinstance(ref, BM25Lucene | BM25Plus):  # one logarithm: the idf itself
        return {term: abs(idf) for term, idf in ref.idf.items()}
    if isinstance(ref, BM25L):  # ln(N + 1) - ln(df + 0.5)
        return {term: math.log(n + 1) + abs(math.log(d + 0.5)) for term, d in df.items()}
    # Okapi: ln(N - df + 0.5) - ln(df + 0.5), and for terms in over half the documents the floor, epsilon
    # times the average of those differences over the whole vocabulary.
    logs = {term: abs(math.log(n - d + 0.5)) + abs(math.log(d + 0.5)) for term, d in df.items()}
    floor = abs(ref.epsilon) * math.fsum(logs.values())
    return {term: floor if 2 * d > n else logs[term] for term, d in df.items()}


def rounding_bound(ref: BM25, query: Sequence[str]) -> np.ndarray:
    """Per document, the most our score may differ from rank-bm25's by float64 rounding alone.

    Both sides evaluate the same float64 expressions (scoring.py); they round differently in three places.
    With eps the machine epsilon, m the number of query tokens and p a token's tf-part in a document
    (bit-identical on both sides, and what get_scores gives with every idf set to 1):

    * The idf: np.log here, math.log in rank-bm25; the two may differ in the last bit (<= eps * |ln x|).
      An idf that is one logarithm (Lucene, Plus) then differs by <= eps * |idf|; one that is a difference
      of two (Okapi, L) by <= 2 eps * (|ln a| + |ln b|), which does not shrink when the two nearly cancel.
      Okapi's floor averages the whole vocabulary, exactly here (fsum), in dict order there; a sum of V
      terms errs by <= V * eps/2 times their magnitudes, so the floors differ by <= 3 eps * |epsilon| *
      the vocabulary's sum of (|ln a| + |ln b|). With I the magnitude idf_magnitudes gives, each idf is
      within 3 eps * I of rank-bm25's.
    * A token's contribution idf * p takes at most four more roundings on each side (BM25L's chain;
      BM25Plus's idf * delta is added separately here), each <= eps/2: the contributions differ by
      <= (3 + 4) eps * I * p.
    * The sum: rank-bm25 adds the m contributions one by one in query order; we add weight * repeats per
      distinct term in order of first occurrence, then (BM25Plus) the constants: at most 4m roundings
      here and m there, each <= eps/2 times the sum of the magnitudes I * p.

    Hence |ours - rank-bm25's| <= (2.5m + 7) eps * sum(I * p) <= (3m + 8) eps * sum(I * p), the margin
    covering second-order terms: a few ulps of the sum of magnitudes. For Lucene and Plus, whose
    contributions are all positive, sum(I * p) is the score, so the bound is (3m + 8) eps relative (about
    5e-15 for five words); the differences seen on random corpora stay below a fifth of it. A document
    without a query term gets exactly 0 on both sides (bound 0), except BM25Plus's constant.
    """
    unit = copy.copy(ref)
    unit.idf = dict.fromkeys(ref.idf, 1.0)  # get_scores([token]) is then the token's p
    magnitudes = idf_magnitudes(ref)
    absent = ref.delta if isinstance(ref, BM25Plus) else 0.0
    total = np.zeros(ref.corpus_size)
    for token in query:
        if token in magnitudes:
            with np.errstate(invalid="ignore"):
                p = np.asarray(unit.get_scores([token]))
            # Where rank-bm25 divides 0 by 0 (k1 = 0, or b = 1 and an empty document) we give a document
            # without the token the value of an absent term (see bm25.py).
            total += magnitudes[token] * np.abs(np.where(np.isnan(p), absent, p))
    return (3 * len(query) + 8) * EPS * total


def assert_within(got: np.ndarray, want: np.ndarray, bound: np.ndarray, what: str = "") -> None:
    """Assert |got - want| <= bound, document by document (NaN never passes)."""
    diff = np.abs(np.asarray(got) - np.asarray(want))
    bad = np.flatnonzero(~(diff <= bound))[:5]
    assert bad.size == 0, f"{what}: documents {bad.tolist()} off by {diff[bad]} > {bound[bad]}"


def assert_scores_like(
    index: SparseBM25, ref: BM25, query: list[str], what: str = ""
) -> tuple[np.ndarray, np.ndarray]:
    """Assert our scores are rank-bm25's up to rounding; return rank-bm25's scores and the bound."""
    ref_scores = np.asarray(ref.get_scores(query), dtype=np.float64)
    bound = rounding_bound(ref, query)
    got = index.scores(query)
    assert got.shape == ref_scores.shape
    assert_within(got, ref_scores, bound, f"{what} {query}")
    return ref_scores, bound


def forced_pruning() -> AbstractContextManager[object]:
    """Make top_k take its pruned path even on a small corpus."""
    return mock.patch.multiple(topk, EXHAUSTIVE_COST=0, SEED_POSTINGS=4, PROBES=1, ESSENTIAL_COST=0)


def assert_top_k_matches(
    index: SparseBM25,
    ref_scores: np.ndarray,
    bound: np.ndarray,
    corpus: Sequence[Sequence[str]],
    query: list[str],
    k: int,
) -> None:
    """The k best documents holding a query term, best first, ties by lower id, scored as rank-bm25 does."""
    ids, scores = index.top_k(query, k)
    qset = set(query)
    matching = np.array([i for i, doc in enumerate(corpus) if qset.intersection(doc)], dtype=np.int64)
    full = index.scores(query)
    # Exactly our own ranking of the matching documents: score descending, ties by lower doc id ...
    np.testing.assert_array_equal(ids, matching[np.lexsort((matching, -full[matching]))][:k])
    np.testing.assert_array_equal(scores, full[ids])  # one arithmetic, two entry points
    # ... with rank-bm25's scores, up to rounding: each document's, and the k best of rank-bm25's ranking
    # (if every score is within its bound, the i-th best is within the largest bound).
    assert_within(scores, ref_scores[ids], bound[ids], f"top {k} of {query}")
    best = np.sort(ref_scores[matching])[::-1][: len(ids)]
    assert_within(scores, best, np.full(len(ids), bound[matching].max(initial=0.0)), f"top {k} of {query}")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("seed", range(12))
def test_scores_and_top_k_equal_rank_bm25_on_random_corpora(model: str, seed: int) -> None:
    corpus, terms = zipf_corpus(seed)
    index = build(corpus, model)
    ref = reference_model(model, corpus)
    for query in queries_for(terms, seed):
        ref_scores, bound = assert_scores_like(index, ref, query, model)
        for k in (1, 5, len(corpus) + 3):
            assert_top_k_matches(index, ref_scores, bound, corpus, query, k)


@pytest.mark.parametrize("model", MODELS)
def test_common_term_is_in_more_than_half_the_docs_so_okapi_floor_is_exercised(model: str) -> None:
    corpus, terms = zipf_corpus(3)
    index = build(corpus, model)
    assert index.doc_freq(terms[0]) > len(corpus) / 2
    if model == "okapi":
        ref = reference_model("okapi", corpus)
        raw = math.log(len(corpus) - index.doc_freq(terms[0]) + 0.5) - math.log(
            index.doc_freq(terms[0]) + 0.5
        )
        assert raw < 0
        assert index.idf(terms[0]) == pytest.approx(0.25 * ref.average_idf)


def test_okapi_idf_exactly_zero_is_not_floored_and_floor_can_be_negative() -> None:
    # df = N/2 gives idf 0, which rank-bm25 keeps (it floors idf < 0 only) ...
    corpus = [["a", "b"], ["a"], ["c"], ["c", "d"]]
    assert build(corpus, "okapi").idf("a") == 0.0 == reference_model("okapi", corpus).idf["a"]
    # ... and when most terms are in over half the docs, the average idf and so the "floor" are negative.
    corpus = [["a", "b"], ["a", "b"], ["a", "c"]]
    ref = reference_model("okapi", corpus)
    index = build(corpus, "okapi")
    assert ref.average_idf < 0
    assert index.idf("a") == pytest.approx(0.25 * ref.average_idf)
    assert_scores_like(index, ref, ["a"])
    ids, scores = index.top_k(["a", "c"], 3)
    assert ids.tolist() == [2, 0, 1] and scores[1] < 0  # matching docs are hits even with negative scores


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    corpus=st.lists(st.lists(st.sampled_from("abcdefg"), max_size=8), min_size=1, max_size=12).filter(
        lambda c: any(c)
    ),
    query=st.lists(st.sampled_from("abcdefgxy"), max_size=6),
    model=st.sampled_from(MODELS),
)
def test_scores_equal_rank_bm25_on_tiny_corpora(
    corpus: list[list[str]], query: list[str], model: str
) -> None:
    # Tiny corpora reach the corners: N = 1, every term in every doc, idf exactly 0 (df = N/2) ...
    assert_scores_like(build(corpus, model), reference_model(model, corpus), query, model)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("k1", "b"), [(0.5, 0.0), (1.2, 1.0), (2.0, 0.3)])
def test_non_default_parameters(model: str, k1: float, b: float) -> None:
    corpus, terms = zipf_corpus(7)
    corpus = [doc or ["filler"] for doc in corpus]  # b = 1 with an empty doc is NaN in rank-bm25
    extra = {"okapi": {"epsilon": 0.5}, "l": {"delta": 0.8}, "plus": {"delta": 0.3}, "lucene": {}}[model]
    index = build(corpus, model, k1=k1, b=b, **extra)
    ref = reference_model(model, corpus, k1=k1, b=b, **extra)
    for query in queries_for(terms, 7):
        assert_scores_like(index, ref, query, f"{model} k1={k1} b={b}")


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("k1", "b"), [(0.0, 0.75), (1.5, 1.0)])
def test_finite_where_rank_bm25_divides_zero_by_zero(model: str, k1: float, b: float) -> None:
    # rank-bm25 evaluates the tf-part for documents *without* the term too: with k1 = 0, or b = 1 and an
    # empty document, that is 0/0 = NaN. We give those documents the value of an absent term instead.
    corpus = [["a", "b"], [], ["b", "c", "c"], ["a"]]
    index = build(corpus, model, k1=k1, b=b)
    ref = reference_model(model, corpus, k1=k1, b=b)
    expected = np.zeros(len(corpus))
    saw_nan = False
    for term in ("a", "c"):
        with np.errstate(invalid="ignore"):
            part = np.asarray(ref.get_scores([term]))
        nan = np.isnan(part)
        saw_nan |= bool(nan.any())
        assert not any(term in corpus[i] for i in np.flatnonzero(nan))  # only docs without the term
        part[nan] = index.term_const[index.vocab.index(term)]
        expected += part
    # BM25L with k1 = 0 is the one combination without a 0/0 (its ctd has no k1 in the divisor).
    assert saw_nan != (model == "l" and k1 == 0.0)
    got = index.scores(["a", "c"])
    assert np.all(np.isfinite(got))
    assert_within(got, expected, rounding_bound(ref, ["a", "c"]))


def test_bm25plus_constant_reaches_documents_without_the_term() -> None:
    corpus = [["a"], ["b"], ["b", "b"]]
    index = build(corpus, "plus")
    ref = reference_model("plus", corpus)
    got = index.scores(["a", "a"])
    assert got[1] == pytest.approx(2 * index.idf("a") * 1.0) and got[1] > 0
    assert_scores_like(index, ref, ["a", "a"])
    ids, _ = index.top_k(["a"], 10)
    assert ids.tolist() == [0]  # only documents that contain a query term are hits


def test_bm25l_gives_zero_without_the_term() -> None:
    corpus = [["a"], ["b"], ["b", "c"]]
    assert build(corpus, "l").scores(["a"])[1:].tolist() == [0.0, 0.0]
    assert reference_model("l", corpus).get_scores(["a"])[1:].tolist() == [0.0, 0.0]


def test_empty_and_unknown_queries() -> None:
    corpus = [["a", "b"], ["b"], []]
    for model in MODELS:
        index = build(corpus, model)
        for query in ([], ["zz"], ["zz", "zz"]):
            assert index.scores(query).tolist() == [0.0, 0.0, 0.0]
            ids, scores = index.top_k(query, 5)
            assert ids.size == 0 and scores.size == 0
        assert index.top_k(["a"], 0)[0].size == 0


def test_ties_are_broken_by_lower_doc_id() -> None:
    # Docs 1, 3, 4 are identical, so their scores are bit-identical; k = 2 cuts through the tie.
    corpus = [["x", "y"], ["a", "b"], ["b", "c", "d"], ["a", "b"], ["a", "b"], ["a", "a", "a"]]
    index = build(corpus, "lucene")
    ids, scores = index.top_k(["a"], 6)
    assert ids.tolist() == [5, 1, 3, 4]
    assert scores[1] == scores[2] == scores[3]
    assert index.top_k(["a"], 2)[0].tolist() == [5, 1]
    assert index.top_k(["a"], 3)[0].tolist() == [5, 1, 3]
    np.testing.assert_array_equal(index.scores(["a"])[ids], scores)


@pytest.mark.parametrize("model", MODELS)
def test_top_k_sparse_and_dense_paths(model: str) -> None:
    # Rare query terms take the sort-the-postings path, common ones the dense pass: same contract.
    rng = np.random.default_rng(2)
    corpus = [[f"f{i}" for i in rng.integers(0, 30, size=8)] for _ in range(1000)]
    for doc_id, extra in {3: ["a"], 500: ["a", "b"], 501: ["a", "b"], 700: ["a", "a"], 999: ["b"]}.items():
        corpus[doc_id] = corpus[doc_id][:2] + extra
    ref = reference_model(model, corpus)
    index = build(corpus, model)
    for query in (["a", "b"], ["b", "a", "zz"], ["f1", "f2", "a"], ["f0", "f0"]):
        ref_scores, bound = assert_scores_like(index, ref, query, model)
        for k in (1, 2, 3, 10, 2000):
            assert_top_k_matches(index, ref_scores, bound, corpus, query, k)


def test_accessors_match_rank_bm25() -> None:
    corpus, terms = zipf_corpus(5)
    for model in MODELS:
        index = build(corpus, model)
        ref = reference_model(model, corpus)
        for term in terms:
            assert index.doc_freq(term) == sum(term in doc for doc in ref.doc_freqs)
            assert index.idf(term) == pytest.approx(ref.idf.get(term, 0.0), rel=1e-12, abs=1e-12)
        assert index.doc_freq("zz") == 0 and index.idf("zz") == 0.0
        assert index.n_docs == len(corpus)
        assert index.avgdl == pytest.approx(ref.avgdl)


def test_lucene_idf_is_positive_and_lucene_reference_is_an_okapi() -> None:
    corpus = [["a", "b"], ["a"], ["a", "c"]]
    ref = BM25Lucene(corpus)
    assert isinstance(ref, BM25Okapi)
    assert ref.idf["a"] == pytest.approx(math.log(1 + 0.5 / 3.5))  # df = N: still > 0, no epsilon floor
    assert build(corpus, "lucene").idf("a") == pytest.approx(ref.idf["a"])
    assert all(v > 0 for v in ref.idf.values())


def test_defaults_are_rank_bm25s() -> None:
    def default(cls: type, name: str) -> float:
        return inspect.signature(cls.__init__).parameters[name].default

    corpus = [["a"]]
    for model, cls in (("okapi", BM25Okapi), ("l", BM25L), ("plus", BM25Plus), ("lucene", BM25Okapi)):
        params = build(corpus, model).params
        assert (params.k1, params.b) == (default(cls, "k1"), default(cls, "b"))
    assert build(corpus, "okapi").params.epsilon == default(BM25Okapi, "epsilon")
    assert build(corpus, "l").params.delta == default(BM25L, "delta")
    assert build(corpus, "plus").params.delta == default(BM25Plus, "delta")
    assert inspect.signature(build).parameters["model"].default == "lucene"


def test_bad_input_is_refused_clearly() -> None:
    with pytest.raises(CorpusEmpty, match="empty corpus"):
        build([])
    with pytest.raises(CorpusEmpty, match="none of the 3 documents"):
        build([[], [], []])
    assert issubclass(CorpusEmpty, RetrievalError)
    with pytest.raises(ValueError, match="unknown BM25 model"):
        build([["a"]], "bm42")
    with pytest.raises(ValueError, match="delta does not apply"):
        build([["a"]], "okapi", delta=1.0)
    with pytest.raises(ValueError, match="epsilon does not apply"):
        build([["a"]], "plus", epsilon=0.1)
    with pytest.raises(ValueError, match="b must lie"):
        build([["a"]], b=1.5)


def product_files(index: SparseBM25) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """The searcher's arrays and documents as the product saves them (index/snapshot.py)."""
    arrays: dict[str, np.ndarray] = {"df": index.df}
    for s, postings in enumerate(index.segments):
        arrays.update(postings_files(f"s{s}", postings))
    return arrays, bm25_documents(index)


def open_saved(
    root: Path, arrays: dict[str, np.ndarray], documents: dict[str, str], live: list | None = None
) -> SparseBM25:
    """Write a snapshot and open its searcher as the product does (index/snapshot.py)."""
    write_snapshot(root, arrays, documents, {})
    snap = read_snapshot(root)
    description = read_bm25_description(snap)
    postings = [load_postings(snap, f"s{s}", ref) for s, ref in enumerate(description.ref_avgdls)]
    return open_bm25(snap, description, postings, live or [None] * len(postings))


@pytest.mark.parametrize("model", MODELS)
def test_saved_index_round_trips(model: str, tmp_path: Path) -> None:
    corpus, terms = zipf_corpus(11)
    index = build(corpus, model)
    arrays, documents = product_files(index)
    again = open_saved(tmp_path, arrays, documents)
    assert again.params == index.params and again.avgdl == index.avgdl
    assert arrays["s0.indptr"].dtype == np.int64 and arrays["s0.indices"].dtype == np.int32
    assert set(arrays) == {"df", "s0.indptr", "s0.indices", "s0.tf", "s0.doc_len", "s0.tfmax"}  # no weights
    for query in queries_for(terms, 11):
        np.testing.assert_array_equal(again.scores(query), index.scores(query))
        for a, b in zip(again.top_k(query, 7), index.top_k(query, 7), strict=True):
            np.testing.assert_array_equal(a, b)


def test_opening_refuses_inconsistent_arrays(tmp_path: Path) -> None:
    index = build([["a", "b"], ["b"]], "okapi")
    arrays, documents = product_files(index)
    vocab = json.loads(documents["vocab.json"])
    with pytest.raises(IndexDamaged, match="lacks postings arrays tfmax"):
        open_saved(tmp_path, {k: v for k, v in arrays.items() if k != "s0.tfmax"}, documents)
    with pytest.raises(IndexDamaged, match="'tf': expected 1-d int32"):
        open_saved(tmp_path, {**arrays, "s0.tf": arrays["s0.tf"].astype(np.float64)}, documents)
    with pytest.raises(IndexDamaged, match="do not fit the 3 terms"):
        open_saved(tmp_path, arrays, {**documents, "vocab.json": json.dumps([*vocab, "c"])})
    with pytest.raises(IndexDamaged, match="duplicate"):
        open_saved(tmp_path, arrays, {**documents, "vocab.json": json.dumps(["a", "a"])})
    with pytest.raises(IndexDamaged, match="monotone"):
        open_saved(tmp_path, {**arrays, "s0.indptr": arrays["s0.indptr"][::-1].copy()}, documents)
    description = json.loads(documents["bm25.json"])
    bad = {**description, "params": {**description["params"], "model": "bm42"}}
    with pytest.raises(IndexDamaged, match="parameters"):
        open_saved(tmp_path, arrays, {**documents, "bm25.json": json.dumps(bad)})
    with pytest.raises(IndexDamaged, match="live mask"):
        open_saved(tmp_path, arrays, documents, live=[np.ones(3, dtype=bool)])


def segmented(
    runs: list[list[list[str]]],
    live: list[np.ndarray | None],
    model: str | BM25Params,
    merge: bool = False,
    ref_avgdl: float = 2.5,
) -> SparseBM25:
    """An archive of several segments (one per run of documents) with dead documents, as ingest makes;
    `model` names a model with rank-bm25's defaults, or gives the whole scoring function."""
    params = model if isinstance(model, BM25Params) else BM25Params.of(model)
    vocab: list[str] = []
    counts = []
    for run in runs:
        c, vocab = relabel(count(*encode(run)), vocab)
        counts.append(c)
    df = np.zeros(len(vocab), dtype=np.int64)
    n_tokens, segments = 0, []
    for c, mask in zip(counts, live, strict=True):
        # The tf-part bounds are computed at a reference avgdl, as of when a segment was written.
        seg = Postings.of(c, params, ref_avgdl)
        segments.append(seg)
        seg_df = seg.df(mask)
        df[: len(seg_df)] += seg_df
        n_tokens += int(seg.doc_len[mask].sum() if mask is not None else seg.doc_len.sum())
    if merge:
        joined = combine(list(zip(segments, live, strict=True)), len(vocab))
        return SparseBM25.of(Counts(joined.indptr, joined.indices, joined.tf, joined.doc_len, vocab), params)
    return SparseBM25(tuple(segments), tuple(live), vocab, df, n_tokens, params)


def runs_with_deletions(
    corpus: list[list[str]], rng: np.random.Generator
) -> tuple[list[list[list[str]]], list[np.ndarray | None]]:
    """Cut a corpus into three runs (segments), about 30% of the first two's documents dead."""
    cuts = sorted(rng.choice(np.arange(1, len(corpus)), size=2, replace=False).tolist())
    runs = [corpus[: cuts[0]], corpus[cuts[0] : cuts[1]], corpus[cuts[1] :]]
    live: list[np.ndarray | None] = [rng.random(len(r)) < 0.7 for r in runs]
    live[0][0] = True  # type: ignore[index]  # the corpus's first document has a token
    live[2] = None  # a segment without deletions
    return runs, live


def live_documents(runs: list[list[list[str]]], live: list[np.ndarray | None]) -> list[list[str]]:
    """The documents of the runs that are not dead, in id order."""
    return [
        doc
        for run, mask in zip(runs, live, strict=True)
        for i, doc in enumerate(run)
        if mask is None or mask[i]
    ]


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("merge", "ref_avgdl"), [(False, 0.5), (False, 100.0), (True, 2.5)])
def test_segments_with_dead_documents_score_exactly_like_a_fresh_build(
    model: str, seed: int, merge: bool, ref_avgdl: float
) -> None:
    """Runs of documents in segments, some dead (an archive's adds and removes), or merged into one
    segment, give the scores and top k of one build over the live documents, bit for bit; also when
    the segments' bounds were computed at an average length far from today's, and pruning is forced."""
    corpus, terms = zipf_corpus(seed)
    runs, live = runs_with_deletions(corpus, np.random.default_rng(seed))
    index = segmented(runs, live, model, merge, ref_avgdl)
    kept = live_documents(runs, live)
    fresh = build(kept, model)
    assert index.n_docs == len(kept) and index.term_counts() == fresh.term_counts()
    for query in queries_for(terms, seed):
        np.testing.assert_array_equal(index.scores(query), fresh.scores(query))
        for k in (1, 5, 1000):
            with forced_pruning():
                pruned = index.top_k(query, k)
            for got, want in zip(pruned, fresh.top_k(query, k), strict=True):
                np.testing.assert_array_equal(got, want)
        for term in query:
            assert index.docs_with(term).tolist() == [i for i, doc in enumerate(kept) if term in doc]


def test_a_term_only_dead_documents_hold_is_unknown() -> None:
    index = segmented([[["a", "b"], ["b", "c"]], [["c"]]], [np.array([True, False]), None], "plus")
    assert index.doc_freq("c") == 1 and index.doc_freq("a") == 1 and index.docs_with("c").tolist() == [1]
    index = segmented([[["a", "b"], ["z"]], [["c"]]], [np.array([True, False]), None], "plus")
    assert "z" in index.vocab and index.doc_freq("z") == 0 and index.idf("z") == 0.0
    assert np.isfinite(index.scores(["z", "a"])).all()  # BM25Plus's log((N+1)/df) would divide by 0
    assert index.top_k(["z"], 3)[0].size == 0 and "z" not in index.term_counts()


# --- the product's scoring function: Settings().bm25, not rank-bm25's defaults -----------------------


def product_searcher(corpus: Sequence[Sequence[str]]) -> SparseBM25:
    """Our searcher over a corpus, with the scoring function of the product's settings."""
    p = PRODUCT
    return build(corpus, p.model, k1=p.k1, b=p.b, delta=p.delta, epsilon=p.epsilon)


def product_reference(corpus: Sequence[Sequence[str]]) -> BM25:
    """rank-bm25's model of the product's settings."""
    p = PRODUCT
    return reference_model(p.model, corpus, k1=p.k1, b=p.b, delta=p.delta, epsilon=p.epsilon)


tiny_corpora = st.lists(st.lists(st.sampled_from("abcdefg"), max_size=8), min_size=1, max_size=12).filter(any)
zipf_corpora = st.integers(0, 2**32 - 1).map(lambda seed: zipf_corpus(seed)[0])


def queries_of(corpus: Sequence[Sequence[str]]) -> st.SearchStrategy[list[str]]:
    """Questions over a corpus's terms, repeats and an unknown word included."""
    vocab = sorted({term for doc in corpus for term in doc})
    return st.lists(st.sampled_from([*vocab, "zz-not-in-vocab"]), max_size=12)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(corpus=st.one_of(zipf_corpora, tiny_corpora), data=st.data())
def test_product_scoring_equals_rank_bm25_on_random_corpora(
    corpus: list[list[str]], data: st.DataObject
) -> None:
    """Scores and top k (ids, scores, ties by lower id) of the product's settings, by both top-k paths,
    are rank-bm25's to within rounding_bound: (3m + 8) eps of the score for Lucene."""
    index, ref = product_searcher(corpus), product_reference(corpus)
    assert index.params == PRODUCT
    query = data.draw(queries_of(corpus))
    ref_scores, bound = assert_scores_like(index, ref, query, str(PRODUCT))
    for k in (1, 3, 10, len(corpus) + 3):
        for pruning in (nullcontext(), forced_pruning()):
            with pruning:
                assert_top_k_matches(index, ref_scores, bound, corpus, query, k)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    merge=st.booleans(),
    ref_avgdl=st.sampled_from([0.5, 2.5, 100.0]),
    data=st.data(),
)
def test_product_scoring_of_segments_with_dead_documents_equals_rank_bm25(
    seed: int, merge: bool, ref_avgdl: float, data: st.DataObject
) -> None:
    """An archive's segments, some documents dead, searched with the product's settings, score like
    rank-bm25 over the live documents (and bit for bit like a fresh build of them)."""
    corpus, _ = zipf_corpus(seed)
    runs, live = runs_with_deletions(corpus, np.random.default_rng(seed))
    index = segmented(runs, live, PRODUCT, merge, ref_avgdl)
    kept = live_documents(runs, live)
    query = data.draw(queries_of(kept))
    ref_scores, bound = assert_scores_like(index, product_reference(kept), query, str(PRODUCT))
    np.testing.assert_array_equal(index.scores(query), product_searcher(kept).scores(query))
    for k in (1, 5, len(kept) + 3):
        for pruning in (nullcontext(), forced_pruning()):
            with pruning:
                assert_top_k_matches(index, ref_scores, bound, kept, query, k)
