"""Measure retrieval quality on public Chinese benchmarks (CMRC 2018, DRCD): Recall@1, Recall@5, MRR@10.

Run: .venv/bin/python benchmarks/quality.py [--sets cmrc2018_chunk150 drcd_chunk150] [--limit N] [--json]
(about 5 minutes for all four sets on a 2-core machine; ``--limit 300`` about 2).

Every set of ../shared/bench (see its README) is ranked by
(a) chamber-qa's own pipeline, as ``retrieval/index.py::build_index`` and ``answer.py`` use it: the
    corpus's derived dictionary plus the headlines (titles) loaded into the ``Tokenizer``, each passage
    indexed like ``chunks.indexed_text`` (headline in front of the text), each question turned into
    ``Tokenizer.query``, ranked by ``retrieval.index.bm25`` postings; with the ``Settings`` defaults, and with
    settings chosen on half of the questions; and as answers order passages: the defaults' top
    ``TYPED_DEPTH`` reordered by ``answer.coverage_order`` (what users get, refusals aside);
(b) the plain baseline: BM25Okapi (rank-bm25 defaults) over ``jieba.lcut`` tokens of passage and question.
    It is scored by our SparseBM25 with model "okapi", which tests/test_bm25.py proves equal to rank-bm25's
    ``BM25Okapi.get_scores`` (much faster); each run re-checks that against rank-bm25 on a few questions.

Honest tuning: questions are split into halves by a stable hash of their id. Settings are chosen on the
"tune" half (best Recall@1, then MRR@10; the defaults win ties), per set and once for all sets together
(what a product would ship), and the main table reports the "test" half. The search: tokenizer (jieba
mode, bigrams) x BM25 model at the current k1 and b, then k1 x b for the best pair, repeated until stable.
A passage sharing no term with the question is never ranked (as ``SparseBM25.top_k``); ties go to the
lower passage number.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import jieba
import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

from retrieval.ask.answer import TYPED_DEPTH, asked_of, coverage_order
from retrieval.config import Settings
from retrieval.index import bm25
from retrieval.terms.dictionary import derive_terms
from retrieval.terms.tokens import Tokenizer, TokenizerConfig, prepare

BENCH_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "bench"
SETS = ("cmrc2018", "drcd", "cmrc2018_chunk150", "drcd_chunk150")
MRR_DEPTH = 10
BLOCK = 256  # questions scored per sparse product: bounds the dense (questions x passages) block
CHECK_QUERIES = 5  # baseline questions per set re-scored by rank-bm25 itself
Half = Literal["tune", "test"]

TOKENIZERS = (
    TokenizerConfig(mode="search", bigrams=True),
    TokenizerConfig(mode="cut", bigrams=True),
    TokenizerConfig(mode="search", bigrams=False),
    TokenizerConfig(mode="cut", bigrams=False),
)
MODELS: tuple[bm25.ModelName, ...] = ("lucene", "okapi", "plus", "l")
K1S = (0.3, 0.5, 0.9, 1.2, 1.5)
MAX_ROUNDS = 3
BS = (0.3, 0.5, 0.75, 0.9)
BASELINE = "jieba + BM25Okapi"
DEFAULTS, PER_SET, SHARED = "chamber-qa defaults", "chamber-qa tuned for this set", "chamber-qa tuned, shared"
ANSWERS = "chamber-qa answers (defaults + coverage order)"


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    text: str
    parent: str | None = None


@dataclass(frozen=True)
class Query:
    id: str
    query: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class BenchSet:
    name: str
    passages: tuple[Passage, ...]
    queries: tuple[Query, ...]


@dataclass(frozen=True)
class Setting:
    """One point of the grid: how text becomes terms and how BM25 scores them."""

    tokenizer: TokenizerConfig
    model: bm25.ModelName
    k1: float
    b: float

    def label(self) -> str:
        t = self.tokenizer
        words = t.mode + ("+bigrams" if t.bigrams else "") + ("+hmm" if t.hmm else "")
        return f"{words}, {self.model} k1={self.k1} b={self.b}"


@dataclass(frozen=True)
class Metrics:
    questions: int
    recall_at_1: float
    recall_at_5: float
    mrr_at_10: float


@dataclass(frozen=True)
class Tokenized:
    """Passages and questions as terms, made once per tokenizer and reused for every BM25 setting."""

    passages: list[list[str]]
    queries: list[list[str]]


def default_setting() -> Setting:
    """Return what the product ships: the ``Settings`` defaults."""
    s = Settings()
    return Setting(s.tokenizer, s.model, s.k1, s.b)


# rank-bm25's BM25Okapi defaults; the tokenizer field is unused (the baseline has its own jieba.lcut tokens).
BASELINE_SETTING = Setting(TokenizerConfig(mode="cut", bigrams=False, hmm=True), "okapi", 1.5, 0.75)


# --- reading and splitting -------------------------------------------------------------------------------


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(ln) for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def load_set(root: Path, name: str, limit: int | None = None) -> BenchSet:
    """Read one benchmark folder (corpus.jsonl + queries.jsonl); keep the first ``limit`` questions."""
    passages = tuple(
        Passage(r["id"], r.get("title") or "", r["text"], r.get("parent"))
        for r in _jsonl(root / "corpus.jsonl")
    )
    queries = tuple(Query(r["id"], r["query"], tuple(r["gold"])) for r in _jsonl(root / "queries.jsonl"))
    return BenchSet(name, passages, queries[:limit] if limit is not None else queries)


def half_of(query_id: str) -> Half:
    """Assign a question to a half by a hash of its id that is stable across runs and machines.

    SHA-256 rather than hash() (salted per process) or crc32 (linear: its low bit follows the id's digits,
    so whole runs of neighbouring ids would land in the same half).
    """
    return "tune" if hashlib.sha256(query_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"


# --- metrics ---------------------------------------------------------------------------------------------


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


# --- tokenizing ------------------------------------------------------------------------------------------


def domain_terms(bench: BenchSet) -> list[str]:
    """Return the dictionary build_index gives the Tokenizer: terms derived from the paragraphs, headlines."""
    paragraphs: dict[str, list[str]] = {}
    for p in bench.passages:  # chunks joined back into their paragraphs, which build_index reads
        paragraphs.setdefault(p.parent or p.id, []).append(p.text)
    titles = dict.fromkeys(p.title for p in bench.passages if p.title)
    return derive_terms("".join(parts) for parts in paragraphs.values()) + list(titles)


def product_text(passage: Passage) -> str:
    """Return what the index sees of a passage, as ``chunks.indexed_text``: headline, then the text."""
    return " ".join(part for part in (passage.title, passage.text) if part)


def tokenize_product(bench: BenchSet, terms: Sequence[str], config: TokenizerConfig) -> Tokenized:
    """Tokenize passages and questions as the product does (terms interned: many tokenizers stay cached)."""
    tok = Tokenizer(terms, config)
    return Tokenized(
        [list(map(sys.intern, tok.tokenize(product_text(p)))) for p in bench.passages],
        [tok.query(q.query) for q in bench.queries],
    )


def tokenize_baseline(bench: BenchSet) -> Tokenized:
    """Tokenize passages and questions with plain ``jieba.lcut``: punctuation and all."""
    return Tokenized(
        [list(map(sys.intern, jieba.lcut(p.text))) for p in bench.passages],
        [jieba.lcut(q.query) for q in bench.queries],
    )


# --- ranking ---------------------------------------------------------------------------------------------


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
    """The two parts of an index that ``answer.asked_of`` reads."""

    bm25: bm25.SparseBM25
    tokenizer: Tokenizer


def answer_ranks(
    searched: Searched,
    questions: Sequence[str],
    queries: Sequence[Sequence[str]],
    gold: Sequence[Sequence[int]],
    texts: Sequence[str],
) -> list[int | None]:
    """Return each question's gold rank as ``answer.answer`` orders passages: BM25's first TYPED_DEPTH
    reordered by ``coverage_order`` (prepared ``texts`` per passage); below them BM25's ranks stand.

    Refusals and the typed-answer promotion are left out: this measures ranking, as for BM25 alone.
    """
    ranks: list[int | None] = []
    for (scores, hit), question, g in zip(_scored(searched.bm25, queries), questions, gold, strict=True):
        ids = np.flatnonzero(hit)
        top = ids[np.lexsort((ids, -scores[ids]))][:TYPED_DEPTH]  # as top_k: best first, ties to lower ids
        _, asked = asked_of(searched, question)
        moved = coverage_order(asked, question, [texts[i] for i in top], scores[top].tolist())
        order = [int(top[i]) for i, _ in moved]
        in_top = [order.index(p) + 1 for p in g if p in order]
        ranks.append(min(in_top) if in_top else _rank_in_row(scores, hit, g))
    return ranks


def check_baseline(tokens: Tokenized, n: int = CHECK_QUERIES) -> None:
    """Re-score a few baseline questions with rank-bm25's BM25Okapi itself; raise if any score differs."""
    reference = BM25Okapi(tokens.passages)
    index = bm25.build(tokens.passages, model="okapi", k1=reference.k1, b=reference.b)
    for query in tokens.queries[:n]:
        if not np.allclose(index.scores(query), reference.get_scores(query), rtol=1e-5, atol=1e-6):
            raise RuntimeError(f"SparseBM25 okapi disagrees with rank-bm25 BM25Okapi on {query!r}")


# --- one set, many settings ------------------------------------------------------------------------------


class Prepared:
    """One benchmark set ready to score: gold ids, halves, and tokens per tokenizer (made on demand)."""

    def __init__(self, bench: BenchSet) -> None:
        self.bench = bench
        position = {p.id: i for i, p in enumerate(bench.passages)}
        self.gold = [[position[g] for g in q.gold] for q in bench.queries]
        self.halves: dict[Half, list[int]] = {"tune": [], "test": []}
        for i, q in enumerate(bench.queries):
            self.halves[half_of(q.id)].append(i)
        self.terms = domain_terms(bench)
        self.baseline = tokenize_baseline(bench)
        check_baseline(self.baseline)
        self._tokens: dict[TokenizerConfig, Tokenized] = {}
        self._metrics: dict[tuple[Setting, Half, bool], Metrics] = {}

    def tokens(self, config: TokenizerConfig) -> Tokenized:
        """Return the product's tokens for one tokenizer config, tokenizing the set on first use."""
        if config not in self._tokens:
            self._tokens[config] = tokenize_product(self.bench, self.terms, config)
        return self._tokens[config]

    def metrics(self, setting: Setting, half: Half, *, baseline: bool = False) -> Metrics:
        """Build the index for a setting and measure it on one half (cached); baseline: jieba.lcut tokens."""
        key = (setting, half, baseline)
        if key not in self._metrics:
            tokens = self.baseline if baseline else self.tokens(setting.tokenizer)
            index = bm25.build(tokens.passages, model=setting.model, k1=setting.k1, b=setting.b)
            picked = self.halves[half]
            ranks = gold_ranks(index, [tokens.queries[i] for i in picked], [self.gold[i] for i in picked])
            self._metrics[key] = summarize(ranks)
        return self._metrics[key]

    @cached_property
    def _answering(self) -> tuple[Searched, list[str]]:
        """The defaults' index as answering reads it, and every passage's prepared text."""
        setting = default_setting()
        passages = self.tokens(setting.tokenizer).passages
        built = bm25.build(passages, model=setting.model, k1=setting.k1, b=setting.b)
        texts = [prepare(product_text(p)) for p in self.bench.passages]
        return Searched(built, Tokenizer(self.terms, setting.tokenizer)), texts

    def answer_metrics(self, half: Half) -> Metrics:
        """Measure the order answers come in (the defaults, then ``answer.coverage_order``) on one half."""
        searched, texts = self._answering
        queries = self.tokens(default_setting().tokenizer).queries
        picked = self.halves[half]
        ranks = answer_ranks(
            searched,
            [self.bench.queries[i].query for i in picked],
            [queries[i] for i in picked],
            [self.gold[i] for i in picked],
            texts,
        )
        return summarize(ranks)


def objective(sets: Sequence[Prepared], setting: Setting) -> tuple[float, float]:
    """Return the mean tune-half Recall@1 and MRR@10 of a setting over some sets."""
    ms = [s.metrics(setting, "tune") for s in sets]
    return sum(m.recall_at_1 for m in ms) / len(ms), sum(m.mrr_at_10 for m in ms) / len(ms)


def _improve(sets: Sequence[Prepared], best: Setting, candidates: Iterable[Setting]) -> Setting:
    """Return the best of the current setting and the candidates; a candidate must beat it strictly."""
    for candidate in candidates:
        if objective(sets, candidate) > objective(sets, best):
            best = candidate
    return best


def choose(sets: Sequence[Prepared]) -> Setting:
    """Pick the best setting on the tune half by coordinate search from the defaults (which win ties).

    Each round tries every tokenizer x model at the current k1 and b, then every k1 x b for the best
    pair; rounds repeat until nothing changes, at most MAX_ROUNDS times.
    """
    best = default_setting()
    for _ in range(MAX_ROUNDS):
        start = best
        best = _improve(sets, best, [replace(best, tokenizer=t, model=m) for t in TOKENIZERS for m in MODELS])
        best = _improve(sets, best, [replace(best, k1=k1, b=b) for k1 in K1S for b in BS])
        if best == start:
            break
    return best


@dataclass(frozen=True)
class SetResult:
    name: str
    passages: int
    chosen: Setting
    metrics: dict[Half, dict[str, Metrics]]

    def to_json(self) -> dict[str, Any]:
        return {
            "passages": self.passages,
            "chosen": self.chosen.label(),
            **{half: {k: asdict(v) for k, v in rows.items()} for half, rows in self.metrics.items()},
        }


def results(sets: Sequence[Prepared], shared: Setting, log: Callable[[str], None]) -> list[SetResult]:
    """Measure baseline, defaults, per-set and shared choices on both halves of every set."""
    out = []
    for s in sets:
        chosen = choose([s])
        log(f"{s.bench.name}: chose {chosen.label()}")
        metrics: dict[Half, dict[str, Metrics]] = {
            half: {
                BASELINE: s.metrics(BASELINE_SETTING, half, baseline=True),
                DEFAULTS: s.metrics(default_setting(), half),
                ANSWERS: s.answer_metrics(half),
                PER_SET: s.metrics(chosen, half),
                SHARED: s.metrics(shared, half),
            }
            for half in ("test", "tune")
        }
        out.append(SetResult(s.bench.name, len(s.bench.passages), chosen, metrics))
    return out


# --- output ----------------------------------------------------------------------------------------------


def machine() -> str:
    """Return the platform, CPU count and Python version, for the table's caption."""
    return (
        f"{platform.platform()}, {os.cpu_count()} CPUs, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def table(rows: Sequence[SetResult], half: Half) -> str:
    """Return a Markdown table of every set and system on one half."""
    lines = [
        "| set | passages | system | questions | Recall@1 | Recall@5 | MRR@10 |",
        "|---|---:|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        for system, m in r.metrics[half].items():
            lines.append(
                f"| {r.name} | {r.passages:,} | {system} | {m.questions:,} | "
                f"{m.recall_at_1:.3f} | {m.recall_at_5:.3f} | {m.mrr_at_10:.3f} |"
            )
    return "\n".join(lines)


def report(rows: Sequence[SetResult], shared: Setting, seconds: float) -> str:
    """Return the Markdown report: machine, test-half table, chosen settings, tune-half table."""
    chosen = "\n".join(f"- {r.name}: {r.chosen.label()}" for r in rows)
    return (
        f"machine: {machine()}; wall time {seconds:.0f} s\n\n"
        f"### Test half (settings chosen on the other half)\n\n{table(rows, 'test')}\n\n"
        f"- {DEFAULTS}: {default_setting().label()}\n- {SHARED} (one setting for all sets above): "
        f"{shared.label()}\n- {PER_SET}:\n" + chosen.replace("- ", "  - ") + "\n\n"
        f"### Tune half (where settings were chosen: optimistic)\n\n{table(rows, 'tune')}\n\n"
        f"{BASELINE}: rank-bm25 defaults (k1=1.5, b=0.75, epsilon=0.25) over jieba.lcut tokens, scored by "
        "retrieval.index.bm25 model okapi (equal to BM25Okapi.get_scores: tests/test_bm25.py, and re-checked "
        f"against rank-bm25 on {CHECK_QUERIES} questions per set in this run)."
    )


def _positive(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of questions, got {value}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS), help="benchmarks to run")
    parser.add_argument("--limit", type=_positive, default=None, help="first N questions per set (quick run)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="folder holding the sets")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the report; return the exit code."""
    args = parse_args(argv)
    missing = [n for n in args.sets if not (args.bench_dir / n / "queries.jsonl").is_file()]
    if missing:
        print(f"no benchmark {', '.join(missing)} in {args.bench_dir} (see ../shared/bench)", file=sys.stderr)
        return 2
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:5.0f} s] {message}", file=sys.stderr, flush=True)

    sets = []
    for name in args.sets:
        sets.append(Prepared(load_set(args.bench_dir / name, name, args.limit)))
        log(f"{name}: {len(sets[-1].bench.passages)} passages, {len(sets[-1].bench.queries)} questions")
    shared = choose(sets)
    log(f"shared: chose {shared.label()}")
    rows = results(sets, shared, log)
    seconds = time.perf_counter() - started
    if args.json:
        out = {
            "machine": machine(),
            "seconds": round(seconds, 1),
            "defaults": default_setting().label(),
            "shared": shared.label(),
            "sets": {r.name: r.to_json() for r in rows},
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(report(rows, shared, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
