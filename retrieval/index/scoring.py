"""The BM25 scoring function: model, k1, b (and delta, epsilon) -> idf, length norms, posting weights.

Each formula is the float64 expression rank-bm25 evaluates, in its order, so an index built here scores
exactly like rank-bm25's ``get_scores`` (the reference models are in reference.py; tests compare them).
Two of rank-bm25's quirks matter for that equality:

* BM25Plus adds ``idf * delta`` for every query term to *every* document, even those without the term;
  ``const`` gives that part per term, and the searcher adds it to the whole score vector.
* BM25L in rank-bm25 multiplies its tf-part by tf once more (``idf * tf * (k1+1)(ctd+δ)/(k1+ctd+δ)``), so a
  document without the term gets 0 rather than the paper's constant; ``weights`` reproduces that.

``lucene`` is Okapi's tf-part with Lucene's idf ``log(1 + (N - df + 0.5) / (df + 0.5))``: always positive,
no floor (the product's model; see docs/decisions.md).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal, cast

import numpy as np
import numpy.typing as npt

from retrieval.errors import IndexDamaged

ModelName = Literal["okapi", "l", "plus", "lucene"]
MODELS: tuple[ModelName, ...] = ("okapi", "l", "plus", "lucene")

# rank-bm25's constructor defaults per model (k1=1.5 and b=0.75 everywhere); the tests check them against
# the installed library's signatures so a new release cannot silently change what "default" means.
DEFAULT_K1, DEFAULT_B = 1.5, 0.75
DEFAULT_DELTA: dict[str, float] = {"l": 0.5, "plus": 1.0}
DEFAULT_EPSILON: dict[str, float] = {"okapi": 0.25}

FloatArray = npt.NDArray[np.float64]
IdArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class BM25Params:
    """The scoring function: model and parameters (the corpus statistics live in ``SparseBM25``)."""

    model: ModelName
    k1: float
    b: float
    delta: float | None  # only for "l" and "plus"
    epsilon: float | None  # only for "okapi"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BM25Params:
        try:
            model, k1, b = raw["model"], float(raw["k1"]), float(raw["b"])
            name, delta, epsilon = resolve(model, k1, b, raw.get("delta"), raw.get("epsilon"))
            return cls(model=name, k1=k1, b=b, delta=delta, epsilon=epsilon)
        except (KeyError, TypeError, ValueError) as exc:
            raise IndexDamaged(f"BM25 parameters unusable: {exc!r} in {dict(raw)!r}") from exc

    @classmethod
    def of(
        cls,
        model: str,
        k1: float = DEFAULT_K1,
        b: float = DEFAULT_B,
        delta: float | None = None,
        epsilon: float | None = None,
    ) -> BM25Params:
        """Check parameters and fill in rank-bm25's per-model defaults."""
        name, delta, epsilon = resolve(model, k1, b, delta, epsilon)
        return cls(model=name, k1=float(k1), b=float(b), delta=delta, epsilon=epsilon)

    def norms(self, doc_len: npt.NDArray[np.integer], avgdl: float) -> FloatArray:
        """The per-document length norm, the same float64 expression rank-bm25 evaluates."""
        return 1 - self.b + self.b * doc_len.astype(np.int64) / avgdl

    def weights(
        self, idf: float | FloatArray, tf_int: npt.NDArray[np.integer], norm: FloatArray
    ) -> FloatArray:
        """Postings' weights ``idf * tf-part``: rank-bm25's float64 expression, in its order."""
        tf = tf_int.astype(np.float64)
        k1 = self.k1
        if self.model == "l":
            ctd = tf / norm
            d = cast(float, self.delta)
            return idf * tf * (k1 + 1) * (ctd + d) / (k1 + ctd + d)
        if self.model == "plus":
            return idf * ((tf * (k1 + 1)) / (k1 * norm + tf))
        return idf * (tf * (k1 + 1) / (tf + k1 * norm))

    def idf(self, df: IdArray, n_docs: int) -> FloatArray:
        """Per-term idf exactly as each rank-bm25 class's ``_calc_idf`` computes it, vectorized.

        Terms no live document holds (df 0: left in the vocabulary by deletions) get 0 and are never
        searched; they take no part in Okapi's average either, as rank-bm25 never sees them.
        """
        present = df > 0
        d = df[present].astype(np.float64)
        out = np.zeros(len(df), dtype=np.float64)
        if self.model == "okapi":
            raw = np.log(n_docs - d + 0.5) - np.log(d + 0.5)
            # rank-bm25 averages the idf *before* flooring and replaces idf < 0 (not <= 0) by epsilon *
            # average; when most terms are in over half the documents that average, hence the floor, is
            # itself negative.
            # fsum: the exact sum, so the floor does not depend on the order of the vocabulary.
            floor = cast(float, self.epsilon) * (math.fsum(raw.tolist()) / len(raw)) if len(raw) else 0.0
            out[present] = np.where(raw < 0, floor, raw)
        elif self.model == "lucene":
            out[present] = np.log(1 + (n_docs - d + 0.5) / (d + 0.5))
        elif self.model == "l":
            out[present] = np.log(n_docs + 1) - np.log(d + 0.5)
        else:
            out[present] = np.log((n_docs + 1) / d)
        return out

    def const(self, idf: FloatArray) -> FloatArray:
        """Per term, what the model adds to every document's score (BM25Plus: idf * delta)."""
        return idf * cast(float, self.delta) if self.model == "plus" else np.zeros(len(idf), dtype=np.float64)


def resolve(
    model: str, k1: float, b: float, delta: float | None, epsilon: float | None
) -> tuple[ModelName, float | None, float | None]:
    """Check parameters and fill in rank-bm25's per-model defaults."""
    if model not in MODELS:
        raise ValueError(f"unknown BM25 model {model!r}; expected one of {MODELS}")
    if not (k1 >= 0 and math.isfinite(k1)):
        raise ValueError(f"k1 must be a finite number >= 0, got {k1!r}")
    # b > 1 makes the length norm negative for short documents and b = NaN poisons everything.
    if not 0 <= b <= 1:
        raise ValueError(f"b must lie in [0, 1], got {b!r}")
    if model in DEFAULT_DELTA:
        delta = DEFAULT_DELTA[model] if delta is None else float(delta)
        if not (delta >= 0 and math.isfinite(delta)):
            raise ValueError(f"delta must be a finite number >= 0, got {delta!r}")
    elif delta is not None:
        raise ValueError(f"delta does not apply to model {model!r}")
    if model in DEFAULT_EPSILON:
        epsilon = DEFAULT_EPSILON[model] if epsilon is None else float(epsilon)
        if not math.isfinite(epsilon):
            raise ValueError(f"epsilon must be finite, got {epsilon!r}")
    elif epsilon is not None:
        raise ValueError(f"epsilon does not apply to model {model!r}")
    return cast(ModelName, model), delta, epsilon
