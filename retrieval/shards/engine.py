"""Xapian, the shards' engine: imported on first use, so the embedded index serves without it."""

from __future__ import annotations

import importlib
from functools import cache
from types import ModuleType
from typing import Any

from retrieval.errors import RetrievalError
from retrieval.index.scoring import BM25Params

# rank-bm25 scores a question token once per repeat; Xapian saturates a repeated query term by k3. A k3
# this large makes Xapian's query part (k3+1)·q/(k3+q) equal to q for any count a question has.
QUERY_SATURATION = 1e9
# Xapian floors a document's length norm at this share of the average; rank-bm25 has no floor.
MIN_NORMLEN = 0.0


class ShardsUnavailable(RetrievalError):
    """The shards cannot serve: Xapian is not installed, no shard answers, or a shard is not one."""


class ShardsChanged(RetrievalError):
    """A shard failed or came back during a question: the ids it was answered with mean other documents."""


@cache
def xapian() -> ModuleType:
    """The xapian module (xapian-bindings-binary)."""
    try:
        return importlib.import_module("xapian")
    except ImportError as exc:
        raise ShardsUnavailable(
            "the archive on Xapian shards needs the xapian-bindings-binary package "
            "(installed with chamber-qa; missing here)"
        ) from exc


def weight(params: BM25Params) -> Any:
    """The Xapian weighting scheme nearest the archive's BM25 (docs/shards.md measures the choice).

    BM25+ with delta 0 is Okapi BM25 with the idf log((N + 1) / n): Lucene's log((N + 1) / (n + 0.5))
    but for the half, where Xapian's plain BM25 idf log((N - n + 0.5) / (n + 0.5)) turns small or
    negative for a term in half the archive (商会 in a chambers' archive).
    """
    return xapian().BM25PlusWeight(params.k1, 0.0, QUERY_SATURATION, params.b, MIN_NORMLEN, 0.0)
