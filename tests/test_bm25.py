"""The sparse BM25 index must score exactly like rank-bm25, for every model, on awkward corpora."""

from __future__ import annotations

import inspect
import json
import math
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25L, BM25Okapi, BM25Plus

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
    reference_avgdls,
)
from retrieval.index.storage import read_snapshot

RTOL, ATOL = 1e-4, 1e-5


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


def assert_top_k_matches(
    index: SparseBM25, ref_scores: np.ndarray, corpus: list[list[str]], query: list[str], k: int
) -> None:
    """Tie-aware: same score sequence as rank-bm25's ranking of the matching docs, lower id first on ties."""
    ids, scores = index.top_k(query, k)
    qset = set(query)
    matching = np.array([i for i, doc in enumerate(corpus) if qset.intersection(doc)], dtype=np.int64)
    assert len(ids) == len(scores) == min(k, len(matching))
    assert set(ids.tolist()) <= set(matching.tolist())
    assert len(set(ids.tolist())) == len(ids)
    np.testing.assert_allclose(scores, ref_scores[ids], rtol=RTOL, atol=ATOL)
    np.testing.assert_array_equal(scores, index.scores(query)[ids])  # one arithmetic, two entry points
    expected = np.sort(ref_scores[matching])[::-1][: len(ids)]
    np.testing.assert_allclose(scores, expected, rtol=RTOL, atol=ATOL)
    assert np.all(np.diff(scores) <= 0), "not ranked best first"
    same = np.diff(scores) == 0
    assert np.all(np.diff(ids)[same] > 0), "ties not broken by lower doc id"
    if len(ids) and len(ids) < len(matching):
        # Whatever was left out scores no better than the last hit (within float32 tolerance) ...
        rest = np.setdiff1d(matching, ids)
        assert ref_scores[rest].max() <= scores[-1] + ATOL + RTOL * abs(scores[-1])
        # ... and an exact tie with the last hit that was left out has a higher doc id.
        full = index.scores(query)
        tied_out = rest[full[rest] == scores[-1]]
        assert np.all(tied_out > ids[-1])


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("seed", range(12))
def test_scores_and_top_k_equal_rank_bm25_on_random_corpora(model: str, seed: int) -> None:
    corpus, terms = zipf_corpus(seed)
    index = build(corpus, model)
    ref = reference_model(model, corpus)
    for query in queries_for(terms, seed):
        ref_scores = np.asarray(ref.get_scores(query))
        got = index.scores(query)
        assert got.shape == (len(corpus),)
        np.testing.assert_allclose(got, ref_scores, rtol=RTOL, atol=ATOL, err_msg=f"{model} {query}")
        for k in (1, 5, len(corpus) + 3):
            assert_top_k_matches(index, ref_scores, corpus, query, k)


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
    np.testing.assert_allclose(index.scores(["a"]), ref.get_scores(["a"]), rtol=RTOL)
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
    ref = np.asarray(reference_model(model, corpus).get_scores(query))
    np.testing.assert_allclose(build(corpus, model).scores(query), ref, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize(("k1", "b"), [(0.5, 0.0), (1.2, 1.0), (2.0, 0.3)])
def test_non_default_parameters(model: str, k1: float, b: float) -> None:
    corpus, terms = zipf_corpus(7)
    corpus = [doc or ["filler"] for doc in corpus]  # b = 1 with an empty doc is NaN in rank-bm25
    extra = {"okapi": {"epsilon": 0.5}, "l": {"delta": 0.8}, "plus": {"delta": 0.3}, "lucene": {}}[model]
    index = build(corpus, model, k1=k1, b=b, **extra)
    ref = reference_model(model, corpus, k1=k1, b=b, **extra)
    for query in queries_for(terms, 7):
        np.testing.assert_allclose(index.scores(query), ref.get_scores(query), rtol=RTOL, atol=ATOL)


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
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)


def test_bm25plus_constant_reaches_documents_without_the_term() -> None:
    corpus = [["a"], ["b"], ["b", "b"]]
    index = build(corpus, "plus")
    ref = reference_model("plus", corpus)
    got = index.scores(["a", "a"])
    assert got[1] == pytest.approx(2 * index.idf("a") * 1.0) and got[1] > 0
    np.testing.assert_allclose(got, ref.get_scores(["a", "a"]), rtol=RTOL)
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
        ref_scores = np.asarray(ref.get_scores(query))
        for k in (1, 2, 3, 10, 2000):
            assert_top_k_matches(index, ref_scores, corpus, query, k)


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
    postings = [load_postings(snap, f"s{s}", ref) for s, ref in enumerate(reference_avgdls(snap))]
    return open_bm25(snap, postings, live or [None] * len(postings))


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
    model: str,
    merge: bool = False,
    ref_avgdl: float = 2.5,
) -> SparseBM25:
    """An archive of several segments (one per run of documents) with dead documents, as ingest makes."""
    params = BM25Params.of(model)
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


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("merge", "ref_avgdl"), [(False, 0.5), (False, 100.0), (True, 2.5)])
def test_segments_with_dead_documents_score_exactly_like_a_fresh_build(
    model: str, seed: int, merge: bool, ref_avgdl: float
) -> None:
    """Runs of documents in segments, some dead (an archive's adds and removes), or merged into one
    segment, give the scores and top k of one build over the live documents, bit for bit; also when
    the segments' bounds were computed at an average length far from today's, and pruning is forced."""
    rng = np.random.default_rng(seed)
    corpus, terms = zipf_corpus(seed)
    cuts = sorted(rng.choice(np.arange(1, len(corpus)), size=2, replace=False).tolist())
    runs = [corpus[: cuts[0]], corpus[cuts[0] : cuts[1]], corpus[cuts[1] :]]
    live: list[np.ndarray | None] = [rng.random(len(r)) < 0.7 for r in runs]
    live[0][0] = True  # type: ignore[index]  # the corpus's first document has a token
    live[2] = None  # a segment without deletions
    index = segmented(runs, live, model, merge, ref_avgdl)
    kept = [
        doc
        for run, mask in zip(runs, live, strict=True)
        for i, doc in enumerate(run)
        if mask is None or mask[i]
    ]
    fresh = build(kept, model)
    assert index.n_docs == len(kept) and index.term_counts() == fresh.term_counts()
    for query in queries_for(terms, seed):
        np.testing.assert_array_equal(index.scores(query), fresh.scores(query))
        for k in (1, 5, 1000):
            with mock.patch.multiple(topk, EXHAUSTIVE_COST=0, SEED_POSTINGS=4, PROBES=1, ESSENTIAL_COST=0):
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
