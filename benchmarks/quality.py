"""Measure retrieval quality on public Chinese benchmarks (CMRC 2018, DRCD): Recall@1, Recall@5, MRR@10.

Run from the repository root:
.venv/bin/python -m benchmarks.quality [--sets cmrc2018_chunk150 drcd_chunk150] [--limit N] [--json]
(about 4 minutes for all four sets on a 2-core machine; ``--limit 300`` about 2).

Every set of ../shared/bench (see its README) is ranked by
(a) chamber-qa's own pipeline, as the index writer builds it (``retrieval.index.writer.refresh``) and
    ``retrieval.ask.answer`` uses it: the domain terms derived from the paragraphs
    (``retrieval.terms.dictionary``) plus the headlines (titles) loaded into the ``Tokenizer``, each
    passage indexed like ``retrieval.parse.chunks.indexed_text`` (headline in front of the text), each
    question turned into ``Tokenizer.query``, scored by ``retrieval.index.bm25``'s postings; with the
    ``Settings`` defaults, and with settings chosen on half of the questions; and as answers order passages:
    the defaults' top ``TYPED_DEPTH`` reordered by ``coverage_order`` (what users get, refusals aside);
(b) the plain baseline: BM25Okapi (rank-bm25 defaults) over ``jieba.lcut`` tokens of passage and question,
    given each passage in two forms: its text alone ("baseline (text)"), and the very string chamber-qa
    indexes, headline then text ("baseline (title + text)": the fair comparison, the same input). It is
    scored by our SparseBM25 with model "okapi", which tests/test_bm25.py proves equal to rank-bm25's
    ``BM25Okapi.get_scores`` (much faster); each run re-checks that against rank-bm25 on a few questions.

How ranks are computed: benchmarks/ranking.py. Honest tuning: questions are split into halves by a stable
hash of their id. Settings are chosen on the "tune" half (best Recall@1, then MRR@10; the defaults win
ties), per set and once for all sets together (what a product would ship), and the main table reports the
"test" half. The search: tokenizer (jieba mode, bigrams) x BM25 model at the current k1 and b, then k1 x b
for the best pair, repeated until stable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import jieba

from benchmarks.common import BENCH_DIR, machine, machine_line, tokenizer_label
from benchmarks.meaning import choose_mix, meaning_rows, mix_line, similarity
from benchmarks.public_sets import SETS, BenchSet, Half, Passage, half_of, load_set
from benchmarks.ranking import (
    CHECK_QUERIES,
    Metrics,
    Searched,
    Semantic,
    answer_ranks,
    check_baseline,
    gold_ranks,
    summarize,
)
from benchmarks.vectors import CACHE, SetVectors, set_vectors
from retrieval.config import Settings
from retrieval.index import bm25
from retrieval.index.scoring import ModelName
from retrieval.terms.dictionary import derive_terms
from retrieval.terms.tokens import Tokenizer, TokenizerConfig, prepare
from retrieval.vectors import rerank
from retrieval.vectors.model import Embedder, load_model

TOKENIZERS = (
    TokenizerConfig(mode="search", bigrams=True),
    TokenizerConfig(mode="cut", bigrams=True),
    TokenizerConfig(mode="search", bigrams=False),
    TokenizerConfig(mode="cut", bigrams=False),
)
MODELS: tuple[ModelName, ...] = ("lucene", "okapi", "plus", "l")
K1S = (0.3, 0.5, 0.9, 1.2, 1.5)
MAX_ROUNDS = 3
BS = (0.3, 0.5, 0.75, 0.9)
BASELINE_TEXT, BASELINE_TITLED = "baseline (text)", "baseline (title + text)"
DEFAULTS, PER_SET, SHARED = "chamber-qa defaults", "chamber-qa tuned for this set", "chamber-qa tuned, shared"
ANSWERS = "chamber-qa answers (defaults + coverage order)"


@dataclass(frozen=True)
class Setting:
    """One point of the grid: how text becomes terms and how BM25 scores them."""

    tokenizer: TokenizerConfig
    model: ModelName
    k1: float
    b: float

    def label(self) -> str:
        """Name the setting as the report does."""
        return f"{tokenizer_label(self.tokenizer)}, {self.model} k1={self.k1} b={self.b}"


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


# --- tokenizing ------------------------------------------------------------------------------------------


def domain_terms(bench: BenchSet) -> list[str]:
    """Return the dictionary the index writer gives the Tokenizer: terms derived from the paragraphs, then
    the headlines (``terms_from`` of the pages' evidence, headlines included, in ``writer.refresh``)."""
    paragraphs: dict[str, list[str]] = {}
    for p in bench.passages:  # chunks joined back into their paragraphs, which the writer reads
        paragraphs.setdefault(p.parent or p.id, []).append(p.text)
    titles = dict.fromkeys(p.title for p in bench.passages if p.title)
    return derive_terms("".join(parts) for parts in paragraphs.values()) + list(titles)


def product_text(passage: Passage) -> str:
    """Return what the index sees of a passage, as ``parse.chunks.indexed_text``: headline, then the text."""
    return " ".join(part for part in (passage.title, passage.text) if part)


def tokenize_product(bench: BenchSet, terms: Sequence[str], config: TokenizerConfig) -> Tokenized:
    """Tokenize passages and questions as the product does (terms interned: many tokenizers stay cached)."""
    tok = Tokenizer(terms, config)
    return Tokenized(
        [list(map(sys.intern, tok.tokenize(product_text(p)))) for p in bench.passages],
        [tok.query(q.query) for q in bench.queries],
    )


def text_only(passage: Passage) -> str:
    """Return a passage's text without its headline."""
    return passage.text


# The baseline's two forms of a passage: the text alone, and what chamber-qa indexes (the fair comparison).
BASELINES: dict[str, Callable[[Passage], str]] = {BASELINE_TEXT: text_only, BASELINE_TITLED: product_text}


def tokenize_baseline(bench: BenchSet, form: Callable[[Passage], str]) -> Tokenized:
    """Tokenize a form of each passage, and the questions, with plain ``jieba.lcut``: punctuation and all."""
    return Tokenized(
        [list(map(sys.intern, jieba.lcut(form(p)))) for p in bench.passages],
        [jieba.lcut(q.query) for q in bench.queries],
    )


# --- one set, many settings ------------------------------------------------------------------------------


class Prepared:
    """One benchmark set ready to score: gold ids, halves, and tokens per tokenizer (made on demand)."""

    def __init__(self, bench: BenchSet, model: Embedder | None = None, cache: Path = CACHE) -> None:
        self.bench = bench
        self.vectors: SetVectors | None = set_vectors(bench, model, cache) if model else None
        position = {p.id: i for i, p in enumerate(bench.passages)}
        self.gold = [[position[g] for g in q.gold] for q in bench.queries]
        self.halves: dict[Half, list[int]] = {"tune": [], "test": []}
        for i, q in enumerate(bench.queries):
            self.halves[half_of(q.id)].append(i)
        self.terms = domain_terms(bench)
        self.baselines = {name: tokenize_baseline(bench, form) for name, form in BASELINES.items()}
        for tokens in self.baselines.values():
            check_baseline(tokens.passages, tokens.queries)
        self._tokens: dict[TokenizerConfig, Tokenized] = {}
        self._metrics: dict[tuple[Setting, Half, str | None], Metrics] = {}

    def tokens(self, config: TokenizerConfig) -> Tokenized:
        """Return the product's tokens for one tokenizer config, tokenizing the set on first use."""
        if config not in self._tokens:
            self._tokens[config] = tokenize_product(self.bench, self.terms, config)
        return self._tokens[config]

    def metrics(self, setting: Setting, half: Half, *, baseline: str | None = None) -> Metrics:
        """Build the index for a setting and measure it on one half (cached); ``baseline`` names a form of
        the passages (a key of BASELINES) to score as jieba.lcut tokens instead of the product's."""
        key = (setting, half, baseline)
        if key not in self._metrics:
            tokens = self.baselines[baseline] if baseline else self.tokens(setting.tokenizer)
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

    def answer_metrics(self, half: Half, mix: tuple[float, int] | None = None) -> Metrics:
        """Measure the order answers come in (the defaults, re-ranked by meaning at ``mix`` = (weight,
        depth) when given, then ``coverage_order``) on one half (cached)."""
        key = (DEFAULTS, half, f"answers {mix}")
        if key not in self._metrics:
            searched, texts = self._answering
            queries = self.tokens(default_setting().tokenizer).queries
            picked = self.halves[half]
            semantic = Semantic(similarity(self.vectors, picked), *mix) if mix and self.vectors else None
            ranks = answer_ranks(
                searched,
                [self.bench.queries[i].query for i in picked],
                [queries[i] for i in picked],
                [self.gold[i] for i in picked],
                texts,
                semantic,
            )
            self._metrics[key] = summarize(ranks)
        return self._metrics[key]

    def meaning_metrics(self, half: Half) -> dict[str, Metrics]:
        """The semantic signal's rows on one half (benchmarks/meaning.py); none without the model."""
        if self.vectors is None:
            return {}
        baseline = self.baselines[BASELINE_TITLED]
        with_meaning = self.answer_metrics(half, (rerank.WEIGHT, rerank.DEPTH))
        picked = self.halves[half]
        return meaning_rows(
            self.vectors, picked, self.gold, (baseline.passages, baseline.queries), with_meaning
        )


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
    """Measure both baselines, defaults, answers, per-set and shared choices on both halves of every set."""
    out = []
    for s in sets:
        chosen = choose([s])
        log(f"{s.bench.name}: chose {chosen.label()}")
        metrics: dict[Half, dict[str, Metrics]] = {
            half: {
                **{name: s.metrics(BASELINE_SETTING, half, baseline=name) for name in BASELINES},
                DEFAULTS: s.metrics(default_setting(), half),
                ANSWERS: s.answer_metrics(half),
                PER_SET: s.metrics(chosen, half),
                SHARED: s.metrics(shared, half),
                **s.meaning_metrics(half),
            }
            for half in ("test", "tune")
        }
        out.append(SetResult(s.bench.name, len(s.bench.passages), chosen, metrics))
    return out


# --- output ----------------------------------------------------------------------------------------------


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
        f"{machine_line(machine())}; wall time {seconds:.0f} s\n\n"
        f"### Test half (settings chosen on the other half)\n\n{table(rows, 'test')}\n\n"
        f"- {DEFAULTS}: {default_setting().label()}\n- {SHARED} (one setting for all sets above): "
        f"{shared.label()}\n- {PER_SET}:\n" + chosen.replace("- ", "  - ") + "\n\n"
        f"### Tune half (where settings were chosen: optimistic)\n\n{table(rows, 'tune')}\n\n"
        f"{BASELINE_TEXT} and {BASELINE_TITLED}: rank-bm25 defaults (k1=1.5, b=0.75, epsilon=0.25) over "
        "jieba.lcut tokens of the passage's text alone, or of its headline then text, the string chamber-qa "
        "indexes (the fair comparison); scored by retrieval.index.bm25 model okapi (equal to "
        "BM25Okapi.get_scores: tests/test_bm25.py, and re-checked against rank-bm25 on "
        f"{CHECK_QUERIES} questions per set and form in this run)."
    )


def _positive(text: str) -> int:
    """Parse a positive number of questions for --limit."""
    value = int(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of questions, got {value}")
    return value


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=SETS, default=list(SETS), help="benchmarks to run")
    parser.add_argument("--limit", type=_positive, default=None, help="first N questions per set (quick run)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="folder holding the sets")
    parser.add_argument("--no-vectors", action="store_true", help="leave out the semantic signal's rows")
    parser.add_argument("--vector-cache", type=Path, default=CACHE, help="folder of the sets' cached vectors")
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

    model = None if args.no_vectors else load_model()
    sets = []
    for name in args.sets:
        sets.append(Prepared(load_set(args.bench_dir / name, name, args.limit), model, args.vector_cache))
        log(f"{name}: {len(sets[-1].bench.passages)} passages, {len(sets[-1].bench.queries)} questions")
    shared = choose(sets)
    log(f"shared: chose {shared.label()}")
    mix = None if model is None else choose_mix(lambda m: [s.answer_metrics("tune", m) for s in sets])
    log(f"semantic mix chosen on the tune half: {mix}")
    rows = results(sets, shared, log)
    seconds = time.perf_counter() - started
    if args.json:
        out = {
            "machine": machine(["jieba", "rank-bm25"]),
            "seconds": round(seconds, 1),
            "defaults": default_setting().label(),
            "shared": shared.label(),
            "semantic_mix": {"chosen": mix, "shipped": (rerank.WEIGHT, rerank.DEPTH)},
            "sets": {r.name: r.to_json() for r in rows},
        }
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(report(rows, shared, seconds) + mix_line(mix))
    return 0


if __name__ == "__main__":
    sys.exit(main())
