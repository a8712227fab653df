"""Scale benchmark of issue 5 ("A million paragraphs"): tokenize, build, load and query 10k..1M chunks.

Run (the bench extra holds the peer engines; each missing one is skipped with a note):

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/scale.py --sizes 10000,100000 [--engines ours,rank-bm25,bm25s,tantivy]
    .venv/bin/python benchmarks/scale.py --sizes 1000000 --json > scale-1m.jsonl

The synthetic archives and questions are made by ``benchmarks/corpus.py`` (see its docstring): seed-page
chunks, CMRC 2018 and DRCD passages split into sentences and recombined at random (fixed seed) into ~150-char
chunks; 200 questions from the CMRC/DRCD query files and eval/questions.jsonl. They are tokenized once with
the project's tokenizer (``Tokenizer.tokenize`` for chunks, ``Tokenizer.query`` for questions, seed-derived
domain terms, on ``--workers`` processes; jieba throughput is measured there) and cached under
``--cache-dir``, so a rerun starts from the tokens. Every engine gets the same tokens:

* ``ours``: ``retrieval.index.bm25.build`` with the Settings model (lucene, k1 1.2, b 0.75), written with
  ``retrieval.index.storage.write_snapshot`` and opened with ``read_snapshot`` (np.load mmap_mode="r"); the
  ``load_s`` column skips the sha256 check, ``load_verify_s`` is the project's default path with it;
* ``rank-bm25``: ``retrieval.index.bm25.reference_model`` (BM25Lucene), ``get_scores`` + top 5, on the first 200,
  50 or 20 questions at <= 10k, <= 100k, larger (it has no on-disk form: build_s is its constructor);
* ``bm25s`` / ``bm25s-numba``: ``bm25s.BM25(method="lucene")`` indexed from the token lists, saved, loaded
  with mmap; numba's first query (JIT compile) is reported as ``first_ms``, not in the percentiles;
* ``tantivy``: tokens joined by spaces into a whitespace-tokenized field (freqs, no positions), BM25 (its
  only similarity, k1 1.2, b 0.75), 2 indexing threads; a query is a boolean OR of term queries.

Build and serve run in a fresh subprocess per engine and size, so one engine's memory never counts for
another's: ``rss_mb`` is VmRSS after loading and running the queries (file-backed mmap pages included;
ours releases its mapped pages past ``Settings.max_rss_mb`` after a question, as the product does;
``anon_mb`` and ``base_mb``, the interpreter with the engine's imports before loading, are in --json;
ours imports the whole ``retrieval`` package). ``load_s`` starts after the imports. Latency is the wall
time of one top-5 query from its token list to ids, after one warm-up query. ``same_top5``: share of queries
whose top-5 ids (in order) equal rank-bm25's, or ours' where rank-bm25 did not run that query (for ours:
vs rank-bm25 only). Ties are broken by lower chunk id in ours and in our rank-bm25 top 5; bm25s (float32,
argpartition) and tantivy (1-byte quantized lengths, segment order) break them otherwise, so
``same_scores`` (in --json) also counts a top 5 as equal when ours scores its chunks the same (rel. 1e-6).
No timing is asserted anywhere; the machine is printed with the table. Linux only (/proc).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from corpus import BENCH_DIR, TokenCache, load_sources, tokenize_archive

if TYPE_CHECKING:  # imported where used, so a peer's serving process does not carry retrieval's imports
    from retrieval.index.bm25 import SparseBM25

log = logging.getLogger("scale")

ENGINES = ("ours", "rank-bm25", "bm25s", "bm25s-numba", "tantivy")
NEEDS = {"bm25s": ("bm25s",), "bm25s-numba": ("bm25s", "numba"), "tantivy": ("tantivy",)}
# Imported before the base memory reading and before load_s starts: an import is not a load.
IMPORTS = {
    "ours": ("retrieval.index.bm25", "retrieval.index.storage"),
    "rank-bm25": ("retrieval.index.bm25",),
    "bm25s": ("bm25s",),
    "bm25s-numba": ("bm25s", "numba", "bm25s.numba.retrieve_utils"),
    "tantivy": ("tantivy",),
}
INDEX_OF = {"ours": "ours", "bm25s": "bm25s", "bm25s-numba": "bm25s", "tantivy": "tantivy"}
TOP_K = 5
TANTIVY_HEAP = 1_000_000_000  # bytes shared by the indexing threads: fewer, larger segments
TANTIVY_THREADS = 2
SAME_RTOL = 1e-6

Search = Callable[[list[str]], tuple[list[int], list[float]]]
FloatArray = npt.NDArray[np.float64]


def rank_bm25_queries(size: int) -> int:
    """Return how many questions rank-bm25 runs at this size (its get_scores costs seconds at 1M)."""
    return 200 if size <= 10_000 else 50 if size <= 100_000 else 20


def memory_mb() -> dict[str, float]:
    """Return this process's resident memory from /proc/self/status, in MB."""
    fields = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb", "VmHWM": "peak_mb"}
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in fields:
            out[fields[key]] = round(int(value.split()[0]) / 1024, 1)
    return out


def dir_mb(path: Path) -> float:
    """Return the size of the files under path, in MB."""
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def top_from_scores(scores: FloatArray, k: int = TOP_K) -> tuple[list[int], list[float]]:
    """Return the k best documents with a positive score, best first, ties by lower id (as ours)."""
    cand = np.flatnonzero(scores > 0)
    s = scores[cand]
    if len(cand) > k:
        keep = s >= s[np.argpartition(-s, k - 1)[:k]].min()
        cand, s = cand[keep], s[keep]
    order = np.lexsort((cand, -s))[:k]
    return cand[order].tolist(), s[order].tolist()


# ---- engines: build writes an index folder; open returns a search function and load measurements.


@dataclass
class Opened:
    """An engine ready to serve, what loading it cost, and measurements to take after the RSS reading."""

    search: Search
    info: dict[str, Any] = field(default_factory=dict)
    after: Callable[[], dict[str, Any]] | None = None


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def ours_params() -> dict[str, Any]:
    """Return the project's default BM25 model and parameters (retrieval/config.py Settings).

    Read once by the main process and handed to every task, so all engines of a run score alike.
    """
    from retrieval import Settings

    settings = Settings()
    return {"model": settings.model, "k1": settings.k1, "b": settings.b}


def build_ours(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Build our BM25 postings from the cached tokens and write them as a storage snapshot."""
    from retrieval.index import bm25
    from retrieval.index.storage import write_snapshot

    docs = cache.docs()
    start = time.perf_counter()
    index = bm25.build(docs, **params)
    build_s = time.perf_counter() - start
    del docs
    documents = {
        "vocab.json": json.dumps(index.vocab, ensure_ascii=False),
        "bm25.json": json.dumps(index.meta()),
    }
    _, save_s = _timed(lambda: write_snapshot(out, index.to_arrays(), documents, {"bench": "scale"}))
    return {"build_mem_s": build_s, "save_s": save_s, "postings": sum(len(s.indices) for s in index.segments)}


def load_ours(path: Path, verify: bool, mmap: bool) -> SparseBM25:
    """Open our snapshot as the project does: storage.read_snapshot, vocab JSON, SparseBM25.from_arrays."""
    from retrieval.index import bm25
    from retrieval.index.storage import read_snapshot

    snap = read_snapshot(path, verify=verify, mmap=mmap)
    vocab = json.loads(snap.read_text("vocab.json"))
    return bm25.SparseBM25.from_arrays(snap.arrays, vocab, json.loads(snap.read_text("bm25.json")))


def open_ours(path: Path) -> Opened:
    """Open our snapshot memory-mapped; also time the sha256-verified and the eager loads.

    Served as the product serves (``Archive.ask``): once resident memory passes ``Settings.max_rss_mb``
    after a question, the mapped index pages are released (they stay in the page cache).
    """
    from retrieval import Settings
    from retrieval.index.storage import release, resident_mb

    index, load_s = _timed(lambda: load_ours(path, verify=False, mmap=True))
    _, verify_s = _timed(lambda: load_ours(path, verify=True, mmap=True))
    mapped = [arr for seg in index.segments for arr in seg.to_arrays().values()]
    limit = Settings().max_rss_mb

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        ids, scores = index.top_k(q, TOP_K)
        if limit > 0 and resident_mb() > limit:
            release(mapped)
        return ids.tolist(), scores.tolist()

    def eager() -> dict[str, Any]:
        return {"load_eager_s": _timed(lambda: load_ours(path, verify=False, mmap=False))[1]}

    return Opened(search, {"load_s": load_s, "load_verify_s": verify_s}, eager)


def open_rank_bm25(cache: TokenCache, params: dict[str, Any]) -> Opened:
    """Build rank-bm25's model in this process (it has no file format but pickle) from the cached tokens."""
    from retrieval.index.bm25 import reference_model

    p = params
    model, build_s = _timed(lambda: reference_model(p["model"], cache.lazy_docs(), k1=p["k1"], b=p["b"]))
    return Opened(lambda q: top_from_scores(model.get_scores(q)), {"build_s": build_s})


def build_bm25s(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Index the token lists with bm25s (method lucene, numpy backend) and save it."""
    import bm25s

    docs = cache.docs()
    retriever = bm25s.BM25(method="lucene", k1=params["k1"], b=params["b"], backend="numpy")
    start = time.perf_counter()
    retriever.index(docs, show_progress=False)
    build_s = time.perf_counter() - start
    del docs
    _, save_s = _timed(lambda: retriever.save(str(out), show_progress=False))
    return {"build_mem_s": build_s, "save_s": save_s}


def open_bm25s(path: Path, numba: bool) -> Opened:
    """Load a bm25s index memory-mapped, with the numpy or the numba backend."""
    import bm25s

    backend = "numba" if numba else "numpy"

    def load(mmap: bool) -> bm25s.BM25:
        return bm25s.BM25.load(str(path), mmap=mmap, show_progress=False, backend=backend)

    retriever, load_s = _timed(lambda: load(True))
    vocab = retriever.vocab_dict
    opts: dict[str, Any] = {"n_threads": 1} if numba else {"n_threads": 0, "backend_selection": "numpy"}

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        if not any(t in vocab for t in q):
            return [], []
        res = retriever.retrieve([q], k=TOP_K, show_progress=False, **opts)
        ids, scores = res.documents[0], res.scores[0]
        return ids[scores > 0].tolist(), scores[scores > 0].tolist()

    return Opened(search, {"load_s": load_s}, lambda: {"load_eager_s": _timed(lambda: load(False))[1]})


def _tantivy_analyzer() -> Any:
    import tantivy

    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def build_tantivy(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Index space-joined tokens in tantivy (whitespace tokenizer, term frequencies, no positions).

    tantivy's BM25 has k1 1.2 and b 0.75 built in: ``params`` cannot change them.
    """
    import tantivy

    schema = tantivy.SchemaBuilder()
    schema.add_text_field("body", stored=False, tokenizer_name="ws", index_option="freq")
    schema.add_unsigned_field("id", stored=False, fast=True)
    out.mkdir(parents=True)
    index = tantivy.Index(schema.build(), path=str(out))
    index.register_tokenizer("ws", _tantivy_analyzer())
    docs = cache.docs()

    def run() -> None:
        writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=TANTIVY_THREADS)
        for i, tokens in enumerate(docs):
            doc = tantivy.Document()
            doc.add_unsigned("id", i)
            doc.add_text("body", " ".join(tokens))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    _, build_s = _timed(run)
    return {"build_mem_s": build_s, "save_s": 0.0, "threads": TANTIVY_THREADS}


def open_tantivy(path: Path) -> Opened:
    """Open a tantivy index and search it with an OR of term queries over the query tokens."""
    import tantivy

    def load() -> Any:
        index = tantivy.Index.open(str(path))
        index.register_tokenizer("ws", _tantivy_analyzer())
        return index, index.searcher()

    (index, searcher), load_s = _timed(load)
    schema, should = index.schema, tantivy.Occur.Should

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        terms = [(should, tantivy.Query.term_query(schema, "body", t, index_option="freq")) for t in q]
        hits = searcher.search(tantivy.Query.boolean_query(terms), limit=TOP_K, count=False).hits
        ids = searcher.fast_field_values("id", [addr for _, addr in hits])
        return [int(i) for i in ids], [float(s) for s, _ in hits]

    return Opened(search, {"load_s": load_s, "segments": searcher.num_segments})


BUILDERS: dict[str, Callable[[TokenCache, Path, dict[str, Any]], dict[str, Any]]] = {
    "ours": build_ours,
    "bm25s": build_bm25s,
    "tantivy": build_tantivy,
}


def open_engine(engine: str, cache: TokenCache, path: Path, params: dict[str, Any]) -> Opened:
    """Open one engine's index (rank-bm25: build it) for serving."""
    if engine == "ours":
        return open_ours(path)
    if engine == "rank-bm25":
        return open_rank_bm25(cache, params)
    if engine in ("bm25s", "bm25s-numba"):
        return open_bm25s(path, numba=engine == "bm25s-numba")
    if engine == "tantivy":
        return open_tantivy(path)
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


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
    _, first_s = _timed(lambda: opened.search(queries[0]))
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
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
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


def run_size(size: int, engines: list[str], sources: Any, args: argparse.Namespace) -> SizeRun:
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
    agreement(served, cache.queries, load_ours(paths["ours"], verify=False, mmap=True) if ours_ok else None)
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


def machine() -> dict[str, Any]:
    """Describe the machine: CPU model, cores, RAM, Python and library versions, load."""
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in ln
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(ln.split()[1])
        for ln in Path("/proc/meminfo").read_text().splitlines()
        if ln.startswith("MemTotal")
    )
    versions = {}
    for pkg in ("numpy", "jieba", "rank-bm25", "bm25s", "numba", "tantivy"):
        try:
            versions[pkg] = version(pkg)
        except PackageNotFoundError:
            versions[pkg] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": versions,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def _cell(value: Any, digits: int = 2) -> str:
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
    v = info["versions"]
    out = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['python']}; "
        + ", ".join(f"{k} {val}" for k, val in v.items() if val)
        + f"; load average at start {info['loadavg']}",
        "",
        "BM25 of ours, rank-bm25 and bm25s: {model}, k1 {k1}, b {b} (Settings at run time); ".format(
            **info["bm25"]
        )
        + "tantivy: its fixed k1 1.2, b 0.75.",
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
    cols = ("build_s", "size_mb", "load_s", "rss_mb", "p50_ms", "p99_ms", "same_top5")
    out += ["", "| engine | size | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
    for r in runs:
        for row in r.rows:
            cells = [_cell(row.get(c), 3 if c in ("p50_ms", "p99_ms", "same_top5") else 2) for c in cols]
            note = f" ({row['error']})" if "error" in row else ""
            out.append(f"| {row['engine']}{note} | {r.size:,} | " + " | ".join(cells) + " |")
    out += ["", *[line for r in runs for line in ratio_lines(r)], *target_lines(runs)]
    return "\n".join(out)


def target_lines(runs: list[SizeRun]) -> list[str]:
    """Say where ours stands against issue 5's targets (context for a reader, never a pass/fail)."""
    lines = []
    for r in runs:
        rows = {row["engine"]: row for row in r.rows}
        ours = rows.get("ours")
        if ours is None or "error" in ours:
            continue
        if r.size >= 1_000_000:
            checks = [("p50_ms", 2), ("p99_ms", 10), ("load_s", 1), ("load_verify_s", 1), ("rss_mb", 1200)]
            got = ", ".join(f"{k} {ours.get(k)} (target <= {t})" for k, t in checks)
            lines.append(f"- issue 5 targets at {r.size:,}: ours {got}")
        if r.size == 100_000 and r.latencies.get("rank-bm25"):
            lat = r.latencies["rank-bm25"]
            speedup = float(np.median(lat)) / float(np.median(r.latencies["ours"][: len(lat)]))
            same = rows["ours"].get("same_top5")
            lines.append(
                f"- issue 5 target at 100,000: >= 300x rank-bm25 with the same top 5: {speedup:,.0f}x, {same}"
            )
    return lines


def available(engines: list[str]) -> list[str]:
    """Keep the engines whose libraries are installed, warning about the others."""
    out = []
    for engine in engines:
        if engine not in ENGINES:
            raise SystemExit(f"unknown engine {engine!r}; choose from {', '.join(ENGINES)}")
        missing = [m for m in NEEDS.get(engine, ()) if importlib.util.find_spec(m) is None]
        if missing:
            log.warning(
                "skipping %s: %s not installed (pip install -e '.[bench]')", engine, ", ".join(missing)
            )
        else:
            out.append(engine)
    return out


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
    p.add_argument("--worker", help=argparse.SUPPRESS)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the Markdown report (or JSON lines)."""
    args = parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    info = machine()
    args.params = info["bm25"] = ours_params()
    engines = available([e.strip() for e in args.engines.split(",") if e.strip()])
    sources = load_sources(args.bench_dir, args.cache_dir)
    runs = []
    for size in (int(s) for s in args.sizes.split(",")):
        runs.append(run_size(size, engines, sources, args))
        log.info("size %d done in %.0f s", size, runs[-1].wall_s)
    if args.json:
        for r in runs:
            for row in r.rows:
                print(json.dumps({**row, "tokens": r.tokens, "wall_s": round(r.wall_s, 1), "machine": info}))
        log.info("report:\n%s", report(info, runs))  # the readable form goes to stderr beside the JSON
    else:
        print(report(info, runs))


if __name__ == "__main__":
    main()
