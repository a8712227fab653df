"""benchmarks/scale.py and benchmarks/corpus.py: a deterministic synthetic corpus, ours equal to rank-bm25.

Peer engines (bench extra) are tried only when installed; CI installs the main and dev dependencies only.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from retrieval import Archive
from retrieval.evaluate import read_questions

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
N_CHUNKS = 300
N_QUESTIONS = 10


@pytest.fixture(scope="module")
def bench() -> tuple[ModuleType, ModuleType]:
    """The benchmark modules (corpus, scale), imported as the script imports them."""
    sys.path.insert(0, str(BENCH))
    try:
        return importlib.import_module("corpus"), importlib.import_module("scale")
    finally:
        sys.path.remove(str(BENCH))


@pytest.fixture(scope="module")
def sentences(bench: tuple[ModuleType, ModuleType], seed_archive: Archive) -> list[str]:
    """Sentences of the seed pages' chunks (the bench data of ../shared may be absent in CI)."""
    corpus, _ = bench
    return [s for c in seed_archive.index.chunks for s in corpus.split_sentences(c.text)]


@pytest.fixture(scope="module")
def tokens(
    bench: tuple[ModuleType, ModuleType],
    sentences: list[str],
    seed_archive: Archive,
    tmp_path_factory: pytest.TempPathFactory,
) -> Any:
    """A tokenized 300-chunk archive with 10 questions, through the script's own token cache."""
    corpus, _ = bench
    questions = tuple(q.q for q in read_questions(ROOT / "eval" / "questions.jsonl")[:N_QUESTIONS])
    sources = corpus.Sources(tuple(sentences), questions, seed_archive.index.tokenizer)
    # One worker: tokenize in this process, since forking a test process that may run threads is unsafe.
    return corpus.tokenize_archive(sources, N_CHUNKS, tmp_path_factory.mktemp("scale"), workers=1)


def test_split_sentences_cuts_long_sentences(bench: tuple[ModuleType, ModuleType]) -> None:
    corpus, _ = bench
    text = "商会成立。" + "甲" * 320 + "！ 尾句"
    assert corpus.split_sentences(text) == ["商会成立。", "甲" * 150, "甲" * 150, "甲" * 20 + "！", "尾句"]


def test_make_chunks_deterministic_and_sized(
    bench: tuple[ModuleType, ModuleType], sentences: list[str]
) -> None:
    corpus, _ = bench
    chunks = corpus.make_chunks(sentences, N_CHUNKS, seed=7)
    assert chunks == corpus.make_chunks(sentences, N_CHUNKS, seed=7)
    assert chunks[:100] == corpus.make_chunks(sentences, 100, seed=7)  # smaller archives are prefixes
    assert chunks != corpus.make_chunks(sentences, N_CHUNKS, seed=8)
    assert len(chunks) == N_CHUNKS
    mean = sum(map(len, chunks)) / len(chunks)
    assert 130 <= mean <= 175, mean
    assert all(len(c) >= corpus.TARGET_CHARS[0] for c in chunks)


def test_pick_questions_fixed_counts_and_order(bench: tuple[ModuleType, ModuleType]) -> None:
    corpus, _ = bench
    pools = {name: [f"{name} 问题 {i}" for i in range(300)] for name in corpus.QUESTIONS_PER_SOURCE}
    picked = corpus.pick_questions(pools)
    assert picked == corpus.pick_questions(pools)
    assert len(picked) == len(set(picked)) == 200
    counts = {name: sum(q.startswith(name + " ") for q in picked) for name in pools}
    assert counts == corpus.QUESTIONS_PER_SOURCE


def test_token_cache_reused(bench: tuple[ModuleType, ModuleType], tokens: Any) -> None:
    corpus, _ = bench
    assert len(tokens) == N_CHUNKS
    assert tokens.meta["tokens"] == len(tokens.ids) == int(tokens.offsets[-1])
    assert len(tokens.queries) == N_QUESTIONS and all(tokens.queries)
    again = corpus.TokenCache.open(tokens.path)
    assert again.docs() == tokens.docs() == list(tokens.lazy_docs())


def test_scale_ours_equals_rank_bm25_top5(
    bench: tuple[ModuleType, ModuleType], tokens: Any, tmp_path: Path
) -> None:
    _, scale = bench
    params = scale.ours_params()
    built = scale.run_build("ours", tokens, tmp_path / "ours", params)
    assert built["size_mb"] > 0
    results = {
        "ours": scale.run_serve("ours", tokens, tmp_path / "ours", N_QUESTIONS, params),
        "rank-bm25": scale.run_serve("rank-bm25", tokens, tmp_path, N_QUESTIONS, params),
    }
    assert results["ours"]["top_ids"] == results["rank-bm25"]["top_ids"]
    assert all(len(ids) == scale.TOP_K for ids in results["ours"]["top_ids"])
    scale.agreement(results, tokens.queries, None)
    assert [results[e]["same_top5"] for e in results] == [1.0, 1.0]


@pytest.mark.parametrize("engine", ["bm25s", "tantivy"])
def test_scale_peer_engine_serves_top5(
    bench: tuple[ModuleType, ModuleType], tokens: Any, tmp_path: Path, engine: str
) -> None:
    pytest.importorskip(engine)
    _, scale = bench
    params = scale.ours_params()
    scale.run_build(engine, tokens, tmp_path / engine, params)
    served = scale.run_serve(engine, tokens, tmp_path / engine, N_QUESTIONS, params)
    assert len(served["top_ids"]) == N_QUESTIONS
    assert all(
        0 < len(ids) <= scale.TOP_K and all(0 <= i < N_CHUNKS for i in ids) for ids in served["top_ids"]
    )
