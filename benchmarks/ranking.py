"""How a benchmark's questions rank their gold passages, and the metrics of those ranks.

Ranks are what ``SparseBM25.top_k`` would give, computed for many questions at once as sparse products
(question x term counts times the index's term x passage weights): a passage sharing no term with the
question is never ranked, ties go to the lower passage number. Answers' order is the top ``TYPED_DEPTH`` of
that ranking reordered by ``retrieval.ask.coverage.coverage_order``, as ``retrieval.ask.answer`` does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

from retrieval.ask.answer import CANDIDATES, TYPED_DEPTH
from retrieval.ask.coverage import asked_of, coverage_order
from retrieval.index import bm25
from retrieval.terms.tokens import Tokenizer
from retrieval.vectors import rerank

MRR_DEPTH = 10
BLOCK = 256  # questions scored per sparse product: bounds the dense (questions x passages) block
CHECK_QUERIES = 5  # baseline questions per set re-scored by rank-bm25 itself


@dataclass(frozen=True)
class Metrics:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float


def first_relevant_rank(ranking: Sequence[str], gold: Iterable[str]) -> int | None:
    """Return the 1-based rank of the first gold passage in a ranking, or None when none is there."""
    wanted = set(gold)
    return next((i for i, pid in enumerate(ranking, start=1) if pid in wanted), None)


def summarize(ranks: Sequence[int | None]) -> Metrics:
    """Return Recall@1, Recall@5 and MRR@10 of the gold passages' ranks (None: not ranked)."""
    n = len(ranks)
    found = [r for r in ranks if r is not None]
    if n == 0:
        return Metrics(0, 0.0, 0.0, 0.0)
    return Metrics(
        questions=n,
        recall_at_1=sum(r <= 1 for r in found) / n,
        recall_at_5=sum(r <= 5 for r in found) / n,
        mrr_at_10=sum(1 / r for r in found if r <= MRR_DEPTH) / n,
    )


def _query_matrix(queries: Sequence[Sequence[str]], term_ids: dict[str, int]) -> sparse.csr_matrix:
    """Return (question x term) counts: a repeated query token adds its weight again, as in rank-bm25."""
    rows, cols, vals = [], [], []
    for row, tokens in enumerate(queries):
        for term, n in Counter(tokens).items():
            if (tid := term_ids.get(term)) is not None:
                rows.append(row)
                cols.append(tid)
                vals.append(float(n))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(queries), len(term_ids)))


def _rank_in_row(scores: np.ndarray, hit: np.ndarray, gold: Sequence[int]) -> int | None:
    """Return the rank of the best gold passage among those hit: best score first, ties to the lower id."""
    ranks = []
    for g in gold:
        if hit[g]:
            above = np.count_nonzero(hit & (scores > scores[g]))
            tied_before = np.count_nonzero(hit[:g] & (scores[:g] == scores[g]))
            ranks.append(1 + int(above) + int(tied_before))
    return min(ranks, default=None)


def _scored(
    index: bm25.SparseBM25, queries: Sequence[Sequence[str]]
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield each question's BM25 scores over all passages and which passages share a term with it,
    scored in sparse blocks.

    BM25Plus's per-question constant is left out: it is the same for every passage, so it reorders none.
    """
    n_terms = len(index.vocab)
    indptr, indices, data = index.posting_weights()
    weights = sparse.csc_matrix((data, indices, indptr), shape=(index.n_docs, n_terms)).T.tocsr()
    present = weights.copy()
    present.data = np.ones_like(present.data)
    qm = _query_matrix(queries, {t: i for i, t in enumerate(index.vocab)})
    for start in range(0, len(queries), BLOCK):
        block = qm[start : start + BLOCK]
        scores = (block @ weights).toarray()
        hits = (block @ present).toarray() > 0  # counts are positive: > 0 means a shared term
        yield from zip(scores, hits, strict=True)


def gold_ranks(
    index: bm25.SparseBM25, queries: Sequence[Sequence[str]], gold: Sequence[Sequence[int]]
) -> list[int | None]:
    """Return each question's gold rank as ``index.top_k`` would rank it."""
    return [
        _rank_in_row(scores, hit, g) for (scores, hit), g in zip(_scored(index, queries), gold, strict=True)
    ]


@dataclass(frozen=True)
class Searched:
    """The two parts of an index that ``asked_of`` reads."""

    bm25: bm25.SparseBM25
    tokenizer: Tokenizer


@dataclass(frozen=True)
class Semantic:
    """The semantic signal as answers mix it in: (question x passage) similarities, weight and depth."""

    similarity: np.ndarray
    weight: float = rerank.WEIGHT
    depth: int = rerank.DEPTH


def answer_ranks(
    searched: Searched,
    questions: Sequence[str],
    queries: Sequence[Sequence[str]],
    gold: Sequence[Sequence[int]],
    texts: Sequence[str],
    semantic: Semantic | None = None,
) -> list[int | None]:
    """Return each question's gold rank as ``retrieval.ask.answer`` orders passages: BM25's first CANDIDATES,
    re-ranked by meaning when ``semantic`` is given (its rows follow ``questions``), the first TYPED_DEPTH
    of those reordered by ``coverage_order`` (prepared ``texts`` per passage); below them BM25's ranks.

    Refusals and the typed-answer promotion are left out: this measures ranking, as for BM25 alone.
    """
    ranks: list[int | None] = []
    scored = _scored(searched.bm25, queries)
    for row, ((scores, hit), question, g) in enumerate(zip(scored, questions, gold, strict=True)):
        ids = np.flatnonzero(hit)
        best = ids[np.lexsort((ids, -scores[ids]))][:CANDIDATES]  # as top_k: best first, ties to lower ids
        ranked = [(int(i), float(scores[i])) for i in best]
        if semantic is not None:
            head = [i for i, _ in ranked[: semantic.depth]]
            ranked = rerank.mixed_order(ranked, semantic.similarity[row, head], semantic.weight)
        top = ranked[:TYPED_DEPTH]
        _, asked = asked_of(searched, question)
        moved = coverage_order(asked, question, [texts[i] for i, _ in top], [score for _, score in top])
        order = [top[i][0] for i, _ in moved] + [i for i, _ in ranked[TYPED_DEPTH:]]
        in_top = [order.index(p) + 1 for p in g if p in order]
        ranks.append(min(in_top) if in_top else _rank_in_row(scores, hit, g))
    return ranks


def similarity_ranks(similarity: np.ndarray, gold: Sequence[Sequence[int]]) -> list[int | None]:
    """Return each question's gold rank by similarity alone (rows: questions, columns: passages)."""
    ranks: list[int | None] = []
    for sims, g in zip(similarity, gold, strict=True):
        ranks.append(1 + min(int(np.count_nonzero(sims > sims[p])) for p in g) if g else None)
    return ranks


def fused_ranks(
    index: bm25.SparseBM25,
    queries: Sequence[Sequence[str]],
    similarity: np.ndarray,
    gold: Sequence[Sequence[int]],
    k: int = 60,
) -> list[int | None]:
    """Return each question's gold rank by reciprocal-rank fusion (1/(k + rank) summed) of BM25's ranking
    of the passages sharing a term and the similarity ranking of all passages, k=60 as Cormack et al."""
    ranks: list[int | None] = []
    for (scores, hit), sims, g in zip(_scored(index, queries), similarity, gold, strict=True):
        fused = np.zeros(len(sims))
        ids = np.flatnonzero(hit)
        by_bm25 = ids[np.lexsort((ids, -scores[ids]))]
        fused[by_bm25] += 1.0 / (k + np.arange(1, len(by_bm25) + 1))
        by_meaning = np.argsort(-sims, kind="stable")
        fused[by_meaning] += 1.0 / (k + np.arange(1, len(sims) + 1))
        ranks.append(1 + min(int(np.count_nonzero(fused > fused[p])) for p in g) if g else None)
    return ranks


def check_baseline(
    passages: Sequence[Sequence[str]], queries: Sequence[Sequence[str]], n: int = CHECK_QUERIES
) -> None:
    """Re-score a few baseline questions with rank-bm25's BM25Okapi itself; raise if any score differs."""
    reference = BM25Okapi(passages)
    index = bm25.build(passages, model="okapi", k1=reference.k1, b=reference.b)
    for query in queries[:n]:
        if not np.allclose(index.scores(query), reference.get_scores(query), rtol=1e-5, atol=1e-6):
            raise RuntimeError(f"SparseBM25 okapi disagrees with rank-bm25 BM25Okapi on {query!r}")
