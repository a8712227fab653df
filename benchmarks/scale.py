"""Scale benchmark: tokenize, build, load and query 10k..1M chunks with ours and peer BM25 engines.

Run from the repository root (the peer engines are the bench extra, which the dev extra includes):

    .venv/bin/python -m benchmarks.scale --sizes 10000,100000 [--engines ours,rank-bm25,bm25s,tantivy]
    .venv/bin/python -m benchmarks.scale --sizes 1000000 --json > scale-1m.jsonl

The synthetic archives and questions are made by ``benchmarks/corpus.py`` (see its docstring): seed-page
chunks, CMRC 2018 and DRCD passages split into sentences and recombined at random (fixed seed) into ~150-char
chunks; 200 questions from the CMRC/DRCD query files and eval/questions.jsonl. They are tokenized once with
the project's tokenizer (``Tokenizer.tokenize`` for chunks, ``Tokenizer.query`` for questions, seed-derived
domain terms, on ``--workers`` processes; jieba throughput is measured there) and cached under
``--cache-dir``, so a rerun starts from the tokens. Every engine gets the same tokens and, where it can take
it, the product's BM25: ``Settings().bm25`` (model, k1, b), printed above the table. ``benchmarks/engines.py``
says how each engine builds and opens its index:

* ``ours``: saved and opened exactly as the product saves and opens the BM25 part of an index
  (``retrieval.index.snapshot``'s ``postings_files`` and ``bm25_documents`` written by
  ``publish.write_snapshot``; ``storage.read_snapshot`` memory-mapped, ``read_bm25_description``,
  ``load_postings``, ``open_bm25``); ``load_s`` skips the sha256 check, ``load_verify_s`` makes it;
* ``rank-bm25``: ``retrieval.index.reference.reference_model`` with the same settings, ``get_scores`` +
  top 5, on the first 200, 50 or 20 questions at <= 10k, <= 100k, larger (build_s is its constructor);
* ``bm25s`` / ``bm25s-numba``: the same model, k1 and b at float32, saved, loaded with mmap; numba's first
  query (JIT compile) is reported as ``first_ms``, not in the percentiles;
* ``tantivy``: its own BM25, fixed at k1 1.2 and b 0.75, with lengths quantized to one byte.

Build and serve run in a fresh subprocess per engine and size, so one engine's memory never counts for
another's: ``rss_mb`` is VmRSS after loading and running the queries (file-backed mmap pages included;
ours releases its mapped pages past ``Settings.max_rss_mb`` after a question, as the product does;
``anon_mb`` and ``base_mb``, the interpreter with the engine's imports before loading, are in --json;
ours imports the product's index reader, which brings the tokenizer's jieba and OpenCC). ``load_s`` starts
after the imports. Latency is the wall time of one top-5 query from its token list to ids, after one warm-up
query. ``same_top5``: share of queries whose top-5 ids (in order) equal rank-bm25's, or ours' where
rank-bm25 did not run that query (for ours: vs rank-bm25 only). Ties are broken by lower chunk id in ours
and in our rank-bm25 top 5; bm25s (float32, argpartition) breaks them otherwise, so ``same_scores``
also counts a top 5 as equal when ours scores its chunks the same (rel. 1e-6); tantivy scores with
other parameters, so its agreement says how far apart the two scorings rank, not whether it is right.
No timing is asserted anywhere; the machine is printed with the table. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from benchmarks import vector_costs
from benchmarks.common import BENCH_DIR, REPO, dir_mb, machine, machine_line, memory_mb, timed
from benchmarks.corpus import Sources, TokenCache, load_sources, tokenize_archive
from benchmarks.engines import (
    BUILDERS,
    ENGINES,
    IMPORTS,
    INDEX_OF,
    NEEDS,
    bm25_params,
    describe,
    load_ours,
    open_engine,
)
from benchmarks.shard_engines import PROGRAMS

if TYPE_CHECKING:  # imported where used, so a peer's serving process does not carry retrieval's imports
    from retrieval.index.bm25 import SparseBM25

log = logging.getLogger("scale")

LIBRARIES = ("numpy", "jieba", "rank-bm25", "bm25s", "numba", "tantivy")
SAME_RTOL = 1e-6


def rank_bm25_queries(size: int) -> int:
    """Return how many questions rank-bm25 runs at this size (its get_scores costs seconds at 1M)."""
    return 200 if size <= 10_000 else 50 if size <= 100_000 else 20


# ---- tasks: what one subprocess does.


def run_build(engine: str, cache: TokenCache, path: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Build one index folder from scratch; return its timings and size."""
    shutil.rmtree(path, ignore_errors=True)
    info = BUILDERS[engine](cache, path, params)
    info["build_s"] = info["build_mem_s"] + info["save_s"]
    return {**info, "size_mb": dir_mb(path), "build_peak_mb": memory_mb()["peak_mb"]}


def run_serve(
    engine: str, cache: TokenCache, path: Path, n_queries: int, params: dict[str, Any]
) -> dict[str, Any]:
    """Open an engine, run n_queries questions (after one warm-up), and read the memory."""
    for module in IMPORTS[engine]:
        importlib.import_module(module)
    base = memory_mb()["rss_mb"]
    opened = open_engine(engine, cache, path, params)
    loaded = memory_mb()["rss_mb"]
    queries = cache.queries[:n_queries]
    _, first_s = timed(lambda: opened.search(queries[0]))
    latencies, top_ids, top_scores = [], [], []
    for q in queries:
        start = time.perf_counter_ns()
        ids, scores = opened.search(q)
        latencies.append((time.perf_counter_ns() - start) / 1e6)
        top_ids.append(ids)
        top_scores.append(scores)
    out = {**opened.info, **memory_mb(), "base_mb": base, "rss_load_mb": loaded, "first_ms": first_s * 1e3}
    if opened.after is not None:
        out.update(opened.after())
    return {**out, "latencies_ms": latencies, "top_ids": top_ids, "top_scores": top_scores}


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one task described by spec (task, engine, tokens, index, params, n_queries) in this process."""
    cache = TokenCache.open(Path(spec["tokens"]))
    if spec["task"] == "build":
        return run_build(spec["engine"], cache, Path(spec["index"]), spec["params"])
    return run_serve(spec["engine"], cache, Path(spec["index"]), spec["n_queries"], spec["params"])


def spawn(spec: dict[str, Any]) -> dict[str, Any]:
    """Run a task in a fresh interpreter; a crash becomes an {"error": ...} result, not a dead run."""
    cmd = [sys.executable, "-m", "benchmarks.scale", "--worker", json.dumps(spec)]
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        log.error(
            "%s %s %s failed with exit code %s", spec["task"], spec["engine"], spec["size"], proc.returncode
        )
        return {"error": f"exit code {proc.returncode}"}
    return json.loads(lines[-1])


# ---- the run: per size, tokenize (cached), build and serve each engine in subprocesses, compare.


def _reference(results: dict[str, dict[str, Any]], engine: str, q: int) -> list[int] | None:
    """Return the top 5 an engine's top 5 is compared with on question q (rank-bm25, else ours)."""
    rank, ours = results.get("rank-bm25", {}), results.get("ours", {})
    if engine != "rank-bm25" and q < len(rank.get("top_ids", ())):
        return rank["top_ids"][q]
    if engine != "ours" and q < len(ours.get("top_ids", ())):
        return ours["top_ids"][q]
    return None


def agreement(results: dict[str, dict[str, Any]], queries: list[list[str]], ours: SparseBM25 | None) -> None:
    """Add same_top5 (ids in order) and same_scores (ours' scores of the 5 chunks) to every result."""
    for engine, res in results.items():
        same, same_scores = [], []
        for q, ids in enumerate(res.get("top_ids", ())):
            ref = _reference(results, engine, q)
            if ref is None:
                continue
            same.append(ids == ref)
            if ours is not None:
                s = ours.scores(queries[q])
                a, b = np.sort(s[ids])[::-1], np.sort(s[ref])[::-1]
                same_scores.append(len(a) == len(b) and bool(np.allclose(a, b, rtol=SAME_RTOL, atol=0)))
        res["same_n"] = len(same)
        res["same_top5"] = round(float(np.mean(same)), 3) if same else None
        res["same_scores"] = round(float(np.mean(same_scores)), 3) if same_scores else None


def _row(engine: str, size: int, built: dict[str, Any], served: dict[str, Any]) -> dict[str, Any]:
    """Merge an engine's build and serve results into one output row."""
    lat = served.get("latencies_ms") or []
    row: dict[str, Any] = {"engine": engine, "size": size, "build_s": None, "size_mb": None}
    row.update({k: v for k, v in built.items() if k in ("build_s", "size_mb", "build_mem_s", "save_s")})
    row.update({k: v for k, v in built.items() if k in ("build_peak_mb", "postings", "threads", "error")})
    skip = {"latencies_ms", "top_ids", "top_scores"}
    row.update({k: v for k, v in served.items() if k not in skip})
    if lat:
        row.update(p50_ms=float(np.percentile(lat, 50)), p99_ms=float(np.percentile(lat, 99)))
    row["n_queries"] = len(lat)
    if engine == "bm25s-numba":
        row["index_of"] = "bm25s"
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in row.items()}


@dataclass
class SizeRun:
    """Everything measured at one size."""

    size: int
    tokens: dict[str, Any]
    rows: list[dict[str, Any]]
    latencies: dict[str, list[float]]
    wall_s: float


def run_size(size: int, engines: list[str], sources: Sources, args: argparse.Namespace) -> SizeRun:
    """Tokenize (or reuse the cache), build and serve every engine at one size, then compare top 5s."""
    start = time.perf_counter()
    cache = tokenize_archive(sources, size, args.cache_dir, args.workers)
    log.info("size %d: tokens ready (%s)", size, cache.meta)
    spec = {"tokens": str(cache.path), "size": size, "params": args.params}
    paths = {name: args.cache_dir / "indexes" / f"{name}-{size}" for name in set(INDEX_OF.values())}
    built: dict[str, dict[str, Any]] = {}
    for name in sorted({INDEX_OF[e] for e in engines if e in INDEX_OF}):
        log.info("size %d: building %s", size, name)
        built[name] = spawn({**spec, "task": "build", "engine": name, "index": str(paths[name])})
    served: dict[str, dict[str, Any]] = {}
    for engine in engines:
        if "error" in built.get(INDEX_OF.get(engine, ""), {}):
            served[engine] = {"error": "build failed"}
            continue
        n = rank_bm25_queries(size) if engine == "rank-bm25" else len(cache.queries)
        path = paths.get(INDEX_OF.get(engine, ""), args.cache_dir)
        log.info("size %d: serving %s (%d questions)", size, engine, n)
        served[engine] = spawn(
            {**spec, "task": "serve", "engine": engine, "index": str(path), "n_queries": n}
        )
    ours_ok = "ours" in served and "error" not in served["ours"]
    agreement(
        served, cache.queries, load_ours(paths["ours"], verify=False, mmap=True)[0] if ours_ok else None
    )
    rows = []
    for engine in engines:
        b = built.get(INDEX_OF.get(engine, ""), {})
        if engine == "rank-bm25":
            b = {"build_s": served[engine].get("build_s")}
        rows.append(_row(engine, size, b, served[engine]))
    if not args.keep_indexes:
        shutil.rmtree(args.cache_dir / "indexes", ignore_errors=True)
    latencies = {e: r.get("latencies_ms", []) for e, r in served.items()}
    return SizeRun(size, cache.meta, rows, latencies, time.perf_counter() - start)


# ---- the report.


def _cell(value: Any, digits: int = 2) -> str:
    """Format one table cell: floats to ``digits`` places, thousands separated, a dash for none."""
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def ratio_lines(run: SizeRun) -> list[str]:
    """Quote each engine's median latency against ours, on the same questions."""
    ours = run.latencies.get("ours") or []
    lines = []
    for engine, lat in run.latencies.items():
        if engine == "ours" or not lat or not ours:
            continue
        mine, theirs = float(np.median(ours[: len(lat)])), float(np.median(lat))
        faster = f"{theirs / mine:,.1f}× faster" if theirs >= mine else f"{mine / theirs:,.1f}× slower"
        lines.append(
            f"- {run.size:,}: ours vs {engine}: p50 {mine:.3f} ms vs {theirs:.3f} ms on the same "
            f"{len(lat)} questions, ours is {faster}"
        )
    return lines


def report(info: dict[str, Any], runs: list[SizeRun]) -> str:
    """Render the machine, tokenization and engine tables and the ratios as Markdown."""
    out = [
        machine_line(info) + " (at the start)",
        "",
        describe(info["bm25"]),
        "",
        "| size | chars | chars/chunk | tokens | terms | workers | tokenize_s | chars/s | wall_s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in runs:
        t = r.tokens
        out.append(
            f"| {r.size:,} | {t['chars']:,} | {t['chars'] / r.size:.1f} | {t['tokens']:,} | {t['terms']:,} "
            f"| {t['workers']} | {t['tokenize_s']:,.1f} | {t['chars_per_s']:,} | {r.wall_s:,.0f} |"
        )
    cols = ("build_s", "size_mb", "load_s", "rss_mb", "p50_ms", "p99_ms", "same_top5", "same_scores")
    out += ["", "| engine | size | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for r in runs:
        for row in r.rows:
            cells = [
                _cell(row.get(c), 2 if c in ("build_s", "size_mb", "load_s", "rss_mb") else 3) for c in cols
            ]
            note = f" ({row['error']})" if "error" in row else ""
            out.append(f"| {row['engine']}{note} | {r.size:,} | " + " | ".join(cells) + " |")
    out += ["", *[line for r in runs for line in ratio_lines(r)], *target_lines(runs)]
    return "\n".join(out)


def target_lines(runs: list[SizeRun]) -> list[str]:
    """Say where ours stands against the scale targets (context for a reader, never a pass/fail)."""
    lines = []
    for r in runs:
        rows = {row["engine"]: row for row in r.rows}
        ours = rows.get("ours")
        if ours is None or "error" in ours:
            continue
        if r.size >= 1_000_000:
            checks = [("p50_ms", 2), ("p99_ms", 10), ("load_s", 1), ("load_verify_s", 1), ("rss_mb", 1200)]
            got = ", ".join(f"{k} {ours.get(k)} (target <= {t})" for k, t in checks)
            lines.append(f"- targets at {r.size:,}: ours {got}")
        if r.size == 100_000 and r.latencies.get("rank-bm25"):
            lat = r.latencies["rank-bm25"]
            speedup = float(np.median(lat)) / float(np.median(r.latencies["ours"][: len(lat)]))
            same = rows["ours"].get("same_top5")
            lines.append(
                f"- target at 100,000: >= 300x rank-bm25 with the same top 5: {speedup:,.0f}x, {same}"
            )
    return lines


def available(engines: list[str]) -> list[str]:
    """Keep the engines whose libraries are installed, warning about the others."""
    out = []
    for engine in engines:
        if engine not in ENGINES:
            raise SystemExit(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
        missing = [m for m in NEEDS.get(engine, ()) if importlib.util.find_spec(m) is None]
        program = PROGRAMS.get(engine)
        if missing:
            log.warning(
                "skipping %s: %s not installed (pip install -e '.[bench]')", engine, ", ".join(missing)
            )
        elif program and shutil.which(program) is None:
            log.warning("skipping %s: %s not installed (Debian package xapian-tools)", engine, program)
        else:
            out.append(engine)
    return out


def _ours(run: SizeRun) -> dict[str, Any] | None:
    """Our engine's row of a size, when it was built."""
    return next((r for r in run.rows if r["engine"] == "ours" and r.get("build_s") is not None), None)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated chunk counts")
    p.add_argument("--engines", default=",".join(ENGINES), help="comma-separated, of " + ", ".join(ENGINES))
    p.add_argument("--json", action="store_true", help="print one JSON object per engine and size per line")
    p.add_argument("--cache-dir", type=Path, default=Path(tempfile.gettempdir()) / "chamber-qa-scale")
    p.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="folder of cmrc2018/ and drcd/")
    p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="tokenizer processes")
    p.add_argument("--keep-indexes", action="store_true", help="keep the built indexes under --cache-dir")
    p.add_argument("--vectors", action="store_true", help="measure the semantic signal too (vector_costs.py)")
    p.add_argument("--embed-sample", type=int, default=2_000, help="chunks embedded to measure the model")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the Markdown report (or JSON lines)."""
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    info = machine(LIBRARIES)
    args.params = info["bm25"] = bm25_params()
    engines = available([e.strip() for e in args.engines.split(",") if e.strip()])
    sources = load_sources(args.bench_dir, args.cache_dir)
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        runs.append(run_size(size, engines, sources, args))
        log.info("size %d done in %.0f s", size, runs[-1].wall_s)
    if args.vectors:
        costs = vector_costs.run(
            sources, [r.size for r in runs], args.embed_sample, args.cache_dir / "vectors"
        )
        ingest = {r.size: r.tokens["tokenize_s"] + ours["build_s"] for r in runs if (ours := _ours(r))}
        print(vector_costs.report(costs, ingest) + "\n")
    if args.json:
        for r in runs:
            for row in r.rows:
                print(json.dumps({**row, "tokens": r.tokens, "wall_s": round(r.wall_s, 1), "machine": info}))
        log.info("report:\n%s", report(info, runs))  # the readable form goes to stderr beside the JSON
    else:
        print(report(info, runs))


if __name__ == "__main__":
    main()
