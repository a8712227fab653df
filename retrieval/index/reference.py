"""The rank-bm25 models chamber-qa's scores are checked against: imported by tests and benchmarks only.

The serving path never imports rank_bm25: ``retrieval.index.bm25`` reproduces these models' scores from
postings (tests/test_bm25.py compares them on random corpora). rank-bm25 has no Lucene idf, so
``BM25Lucene`` adds it as a ``BM25Okapi`` subclass.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rank_bm25 import BM25, BM25L, BM25Okapi, BM25Plus

from retrieval.index.scoring import DEFAULT_B, DEFAULT_K1, resolve


class BM25Lucene(BM25Okapi):
    """Okapi scoring with Lucene's idf ``log(1 + (N - df + 0.5) / (df + 0.5))``: always positive, no floor."""

    def _calc_idf(self, nd: dict[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))
        # Kept for parity with BM25Okapi's attributes; Lucene needs no epsilon floor.
        self.average_idf = sum(self.idf.values()) / len(self.idf) if self.idf else 0.0


def reference_model(
    name: str,
    corpus_tokens: Sequence[Sequence[str]],
    k1: float = DEFAULT_K1,
    b: float = DEFAULT_B,
    delta: float | None = None,
    epsilon: float | None = None,
) -> BM25:
    """The rank-bm25 object that ``build`` with the same arguments must score like (tests, benchmarks)."""
    model, delta, epsilon = resolve(name, k1, b, delta, epsilon)
    corpus = [list(doc) for doc in corpus_tokens]
    if model == "okapi":
        return BM25Okapi(corpus, k1=k1, b=b, epsilon=epsilon)
    if model == "lucene":
        return BM25Lucene(corpus, k1=k1, b=b)
    if model == "l":
        return BM25L(corpus, k1=k1, b=b, delta=delta)
    return BM25Plus(corpus, k1=k1, b=b, delta=delta)
