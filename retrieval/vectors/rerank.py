"""Mix the semantic signal into BM25's order: each candidate gains a share of the best BM25 score in
proportion to its similarity to the question, scaled over the candidates (the most similar gains
``weight`` x best, the least nothing). The same additive form as the coverage order, so later stages
that compare scores with the best (near-equal passages, typed answers) keep their meaning.

The weight and the depth were chosen on the tune half of the public benchmarks (docs/quality.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np
import numpy.typing as npt

T = TypeVar("T")
WEIGHT = 1.5
DEPTH = 30  # BM25's candidates re-ranked; those below keep their order after them


def mixed_order(
    ranked: Sequence[tuple[T, float]], similarity: npt.NDArray[np.float32], weight: float = WEIGHT
) -> list[tuple[T, float]]:
    """Re-rank the first ``len(similarity)`` candidates (BM25 scores, best first) by score plus
    ``weight`` x best score x similarity scaled to [0, 1] over them; a stable sort."""
    head = list(ranked[: len(similarity)])
    if len(head) < 2:
        return list(ranked)
    top = max(score for _, score in head)
    low, high = float(similarity.min()), float(similarity.max())
    scaled = (similarity - low) / (high - low) if high > low else np.zeros_like(similarity)
    moved = [(item, score + weight * top * float(s)) for (item, score), s in zip(head, scaled, strict=True)]
    return sorted(moved, key=lambda pair: -pair[1]) + list(ranked[len(head) :])
