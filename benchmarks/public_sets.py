"""The public benchmark sets of ../shared/bench (CMRC 2018, DRCD; see its README): passages with their
headlines, questions with their gold passages, and the stable split of questions into two halves."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from benchmarks.common import read_jsonl

SETS = ("cmrc2018", "drcd", "cmrc2018_chunk150", "drcd_chunk150")
Half = Literal["tune", "test"]


@dataclass(frozen=True)
class Passage:
    """One passage: a paragraph, or a ~150-character chunk of one (``parent`` names the paragraph)."""

    id: str
    title: str
    text: str
    parent: str | None = None


@dataclass(frozen=True)
class Query:
    """One question and the ids of the passages that answer it."""

    id: str
    query: str
    gold: tuple[str, ...]


@dataclass(frozen=True)
class BenchSet:
    """One benchmark: its passages and questions."""

    name: str
    passages: tuple[Passage, ...]
    queries: tuple[Query, ...]


def load_set(root: Path, name: str, limit: int | None = None) -> BenchSet:
    """Read one benchmark folder (corpus.jsonl + queries.jsonl); keep the first ``limit`` questions."""
    passages = tuple(
        Passage(r["id"], r.get("title") or "", r["text"], r.get("parent"))
        for r in read_jsonl(root / "corpus.jsonl")
    )
    queries = tuple(Query(r["id"], r["query"], tuple(r["gold"])) for r in read_jsonl(root / "queries.jsonl"))
    return BenchSet(name, passages, queries[:limit] if limit is not None else queries)


def half_of(query_id: str) -> Half:
    """Assign a question to a half by a hash of its id that is stable across runs and machines.

    SHA-256 rather than hash() (salted per process) or crc32 (linear: its low bit follows the id's digits,
    so whole runs of neighbouring ids would land in the same half).
    """
    return "tune" if hashlib.sha256(query_id.encode("utf-8")).digest()[0] % 2 == 0 else "test"
