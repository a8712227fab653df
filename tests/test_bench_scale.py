"""benchmarks.scale, .engines and .corpus on a 300-chunk archive: a deterministic synthetic corpus; ours saved
and opened as the product saves and opens an index's BM25, equal to rank-bm25; and every peer engine (bm25s
with numpy and with numba, tantivy) built, served and reported, agreeing with ours as far as its arithmetic
allows. The peers are the bench extra, which the dev extra (what CI installs) includes: a missing one fails.

No timing is asserted. The sentences are the seed pages' own (the CMRC/DRCD data of ../shared may be absent).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pytest

from benchmarks import corpus, engines, scale, vector_costs
from benchmarks.common import machine
from benchmarks.shard_engines import PROGRAMS
from retrieval import Archive
from retrieval.evaluate import read_questions
from retrieval.index import bm25
from retrieval.index.postings import POSTINGS_DTYPES
from retrieval.index.storage import read_snapshot

ROOT = Path(__file__).resolve().parent.parent
N_CHUNKS = 300
N_QUESTIONS = 10
FLOAT32_RTOL = 1e-5  # bm25s scores in float32
# tantivy keeps each document's length in one byte (exact up to 40 tokens, coarser above): its scores
# stray from the exact formula by a few percent (about 5% on this archive).
TANTIVY_RTOL = 0.1
TANTIVY_K1, TANTIVY_B = 1.2, 0.75


@pytest.fixture(scope="module")
def sources(seed_archive: Archive) -> corpus.Sources:
    """Sentences of the seed pages' chunks and the first questions of eval/, with the seed tokenizer."""
    sentences = tuple(s for c in seed_archive.index.chunks for s in corpus.split_sentences(c.text))
    questions = tuple(q.q for q in read_questions(ROOT / "eval" / "questions.jsonl")[:N_QUESTIONS])
    return corpus.Sources(sentences, questions, seed_archive.index.tokenizer)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scale")


@pytest.fixture(scope="module")
def tokens(sources: corpus.Sources, cache_dir: Path) -> corpus.TokenCache:
    """The tokenized 300-chunk archive, through the benchmark's own token cache."""
    # One worker: tokenize in this process, since forking a test process that may run threads is unsafe.
    return corpus.tokenize_archive(sources, N_CHUNKS, cache_dir, workers=1)


def test_split_sentences_cuts_long_sentences() -> None:
    text = "商会成立。" + "甲" * 320 + "！ 尾句"
    assert corpus.split_sentences(text) == ["商会成立。", "甲" * 150, "甲" * 150, "甲" * 20 + "！", "尾句"]


def test_make_chunks_deterministic_and_sized(sources: corpus.Sources) -> None:
    sentences = sources.sentences
    chunks = corpus.make_chunks(sentences, N_CHUNKS, seed=7)
    assert chunks == corpus.make_chunks(sentences, N_CHUNKS, seed=7)
    assert chunks[:100] == corpus.make_chunks(sentences, 100, seed=7)  # smaller archives are prefixes
    assert chunks != corpus.make_chunks(sentences, N_CHUNKS, seed=8)
    assert len(chunks) == N_CHUNKS
    mean = sum(map(len, chunks)) / len(chunks)
    assert 130 <= mean <= 175, mean
    assert all(len(c) >= corpus.TARGET_CHARS[0] for c in chunks)


def test_pick_questions_fixed_counts_and_order() -> None:
    pools = {name: [f"{name} 问题 {i}" for i in range(300)] for name in corpus.QUESTIONS_PER_SOURCE}
    picked = corpus.pick_questions(pools)
    assert picked == corpus.pick_questions(pools)
    assert len(picked) == len(set(picked)) == 200
    counts = {name: sum(q.startswith(name + " ") for q in picked) for name in pools}
    assert counts == corpus.QUESTIONS_PER_SOURCE


def test_token_cache_reused(sources: corpus.Sources, tokens: corpus.TokenCache, cache_dir: Path) -> None:
    assert len(tokens) == N_CHUNKS
    assert tokens.meta["tokens"] == len(tokens.ids) == int(tokens.offsets[-1])
    assert len(tokens.queries) == N_QUESTIONS and all(tokens.queries)
    again = corpus.TokenCache.open(tokens.path)
    assert again.docs() == tokens.docs() == list(tokens.lazy_docs())
    assert corpus.tokenize_archive(sources, N_CHUNKS, cache_dir, workers=1).path == tokens.path


def test_ours_is_saved_as_the_product_saves_and_equals_rank_bm25(
    tokens: corpus.TokenCache, tmp_path: Path
) -> None:
    params = engines.bm25_params()
    built = scale.run_build("ours", tokens, tmp_path / "ours", params)
    assert built["size_mb"] > 0 and built["postings"] > 0
    snap = read_snapshot(tmp_path / "ours")
    files = {f"{engines.SEGMENT}.{k}.npy" for k in POSTINGS_DTYPES} | {"df.npy", "vocab.json", "bm25.json"}
    assert set(snap.manifest["files"]) == files
    index, _ = engines.load_ours(tmp_path / "ours", verify=True, mmap=True)
    assert index.params.to_json() == params  # the product's Settings, read back from the snapshot
    results = {
        "ours": scale.run_serve("ours", tokens, tmp_path / "ours", N_QUESTIONS, params),
        "rank-bm25": scale.run_serve("rank-bm25", tokens, tmp_path, N_QUESTIONS, params),
    }
    assert results["ours"]["top_ids"] == results["rank-bm25"]["top_ids"]
    assert all(len(ids) == engines.TOP_K for ids in results["ours"]["top_ids"])
    scale.agreement(results, tokens.queries, None)
    assert [results[e]["same_top5"] for e in results] == [1.0, 1.0]


def _reference(tokens: corpus.TokenCache, engine: str, params: dict[str, object]) -> bm25.SparseBM25:
    """Return ours scoring as the engine should: the product's settings, or tantivy's fixed k1 and b."""
    if engine == "tantivy":
        return bm25.build(tokens.docs(), model="lucene", k1=TANTIVY_K1, b=TANTIVY_B)
    return bm25.build(tokens.docs(), model=str(params["model"]), k1=float(params["k1"]), b=float(params["b"]))


# bm25s-numba searches the bm25s index with compiled code (compiling takes seconds): its top 5 are checked
# against ours in test_scale_run_reports_every_engine.
@pytest.mark.parametrize("engine", ["bm25s", "tantivy"])
def test_peer_engine_ranks_as_ours_within_its_arithmetic(
    tokens: corpus.TokenCache, tmp_path: Path, engine: str
) -> None:
    params = engines.bm25_params()
    folder = tmp_path / engines.INDEX_OF[engine]
    scale.run_build(engines.INDEX_OF[engine], tokens, folder, params)
    served = scale.run_serve(engine, tokens, folder, N_QUESTIONS, params)
    reference = _reference(tokens, engine, params)
    # bm25s's lucene method leaves out rank-bm25's constant factor (k1 + 1): the same order, scaled scores.
    scale_by = 1 + float(params["k1"]) if engine.startswith("bm25s") else 1.0
    rtol = TANTIVY_RTOL if engine == "tantivy" else FLOAT32_RTOL
    assert len(served["top_ids"]) == N_QUESTIONS
    for query, ids, scores in zip(tokens.queries, served["top_ids"], served["top_scores"], strict=True):
        exact = reference.scores(query)
        _, best = reference.top_k(query, engines.TOP_K)
        assert 0 < len(ids) == len(best) and all(0 <= i < N_CHUNKS for i in ids)
        np.testing.assert_allclose(np.asarray(scores) * scale_by, exact[ids], rtol=rtol)
        # Its top 5 are ours' top 5, but for ties and near-ties its arithmetic cannot tell apart.
        np.testing.assert_allclose(np.sort(exact[ids])[::-1], best, rtol=rtol)


def test_scale_run_reports_every_engine(
    sources: corpus.Sources, tokens: corpus.TokenCache, cache_dir: Path
) -> None:
    """The benchmark's own path: each engine built and served in its own subprocess, compared, reported."""
    args = argparse.Namespace(
        cache_dir=cache_dir, workers=1, params=engines.bm25_params(), keep_indexes=False
    )
    engines_run = scale.available(list(engines.ENGINES))
    # Every peer installed; the shard servers where Xapian's server is (make test installs it as root).
    served = [e for e in engines.ENGINES if shutil.which(PROGRAMS.get(e, "python3")) is not None]
    assert engines_run == served
    run = scale.run_size(N_CHUNKS, engines_run, sources, args)
    rows = {row["engine"]: row for row in run.rows}
    assert list(rows) == served
    for engine, row in rows.items():
        assert "error" not in row, row
        assert row["n_queries"] == row["same_n"] == N_QUESTIONS, row
        assert (
            row["p50_ms"] > 0 and row["rss_mb"] > 0 and row["load_s" if engine != "rank-bm25" else "build_s"]
        )
        if engine != "rank-bm25":
            assert row["size_mb"] > 0 and row["build_s"] > 0
    assert rows["ours"]["same_top5"] == rows["rank-bm25"]["same_top5"] == 1.0
    # bm25s ranks in float32: its top 5 may order ties otherwise, never pick a worse chunk.
    assert rows["bm25s"]["same_scores"] == rows["bm25s-numba"]["same_scores"] == 1.0
    assert 0 <= rows["tantivy"]["same_top5"] <= 1  # other k1 and b: compared, not expected equal
    info = {**machine(scale.LIBRARIES), "bm25": args.params}
    report = scale.report(info, [run])
    assert all(f"| {engine} | {N_CHUNKS:,} |" in report for engine in engines.ENGINES), report
    assert "lucene, k1 0.5, b 0.5" in report and "tantivy 0.27.0" in report


def test_vector_costs_measure_the_model_and_every_size(sources: corpus.Sources, tmp_path: Path) -> None:
    """scale.py --vectors: the real model's rate on a few chunks, float16 files served at two sizes."""
    costs = vector_costs.run(sources, [500, 2000], 4, tmp_path)
    assert costs is not None and costs["embedding"].sample == 4 and costs["embedding"].passages_per_s > 0
    small, large = costs["serving"]
    assert (small.size, large.size) == (500, 2000)
    assert large.disk_mb > small.disk_mb >= 500 * 384 * 2 / 2**20  # float16 rows, keys beside
    assert 0 < large.rerank_ms[0] <= large.rerank_ms[1]
    report = vector_costs.report(costs, {500: 1.5})
    assert "| 500 |" in report and "| 2,000 |" in report and "(extrapolated)" in report
