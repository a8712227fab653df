"""Settings of the retrieval side: one frozen dataclass, every field with a default and a help string."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path

from retrieval.bm25 import ModelName
from retrieval.tokens import TokenizerConfig


def _setting(default: object, help: str) -> object:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Where the corpus and index live and how questions are answered."""

    seeds_dir: Path = _setting(Path("seeds"), "folder of page files (*.txt, optional *.toml sidecars)")  # type: ignore[assignment]
    index_dir: Path = _setting(Path("var/index"), "folder of index snapshots, rebuilt when stale")  # type: ignore[assignment]
    model: ModelName = _setting("lucene", "BM25 variant: okapi, l, plus or lucene (see README)")  # type: ignore[assignment]
    k1: float = _setting(1.2, "BM25 term-frequency saturation")  # type: ignore[assignment]
    b: float = _setting(0.75, "BM25 length normalisation")  # type: ignore[assignment]
    tokenizer: TokenizerConfig = _setting(TokenizerConfig(), "jieba mode, bigrams, HMM")  # type: ignore[assignment]
    top_k: int = _setting(3, "passages per answer")  # type: ignore[assignment]
    min_coverage: float = _setting(
        0.5, "refuse when the best passage matches less than this share of the question's weighted terms"
    )  # type: ignore[assignment]
    max_question_chars: int = _setting(500, "longer questions are cut to this many characters")  # type: ignore[assignment]


def describe() -> dict[str, str]:
    """Return each setting's help text by name (the docs test checks README against it)."""
    return {f.name: f.metadata["help"] for f in fields(Settings)}
