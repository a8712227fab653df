"""Synthetic archives for benchmarks/scale.py: sentences -> ~150-character chunks, questions -> query tokens.

How the corpus is made: every paragraph of the sources is split into sentences at ``。！？!?；;`` (a sentence
over 150 characters is cut every 150); a chunk is whole sentences drawn at random (with replacement, one
``random.Random(seed)`` stream) until it reaches a target length drawn uniformly from 80..170 characters,
which gives a mean of about 150. Chunk ``i`` depends only on the seed and the sentence list, so the
10k archive is the first 10k chunks of the 1M one. The sources:

* the chunk texts of the seed pages (``Archive.open`` on ``seeds/``: the project's own parser and chunker);
* the passages of CMRC 2018 (Simplified) and DRCD (Traditional) in ``../shared/bench/{cmrc2018,drcd}``.
  DRCD stays Traditional: the project's tokenizer converts it with OpenCC, as it would a Traditional page,
  and that conversion is part of the measured tokenization throughput.

About 35k distinct sentences feed any size, so the vocabulary stops growing early and a 1M archive reuses
each sentence ~100 times: posting lists grow linearly with the size (what query time depends on), but
rare terms are rarer in a real archive of that size. Questions: 80 CMRC and 80 DRCD ``query`` fields plus
40 of ``eval/questions.jsonl``, drawn with a fixed seed. Nothing derived from them is written into the repo:
token caches live under ``--cache-dir`` (a temp folder by default).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import multiprocessing
import random
import re
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from benchmarks.common import QUESTION_FILES, REPO, read_jsonl

if TYPE_CHECKING:  # retrieval is imported where used: a serving subprocess of a peer engine never loads it
    from retrieval.terms.tokens import Tokenizer

log = logging.getLogger(__name__)

BENCH_SETS = ("cmrc2018", "drcd")  # the paragraph versions; *_chunk150 hold the same text
QUESTION_FILE = QUESTION_FILES[0]
QUESTIONS_PER_SOURCE = {"cmrc2018": 80, "drcd": 80, "eval": 40}
SEED = 20240505
MAX_SENTENCE_CHARS = 150
TARGET_CHARS = (80, 170)  # chunk target length, uniform: mean chunk length lands near 150
CACHE_VERSION = 1  # bump when chunks or tokens would change for the same inputs
BATCH_CHUNKS = 1_000  # chunks per task sent to a tokenizer process

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])")


@dataclass(frozen=True)
class Sources:
    """What synthetic archives are made of: sentences, candidate questions, and the tokenizer."""

    sentences: tuple[str, ...]
    questions: tuple[str, ...]  # the 200 benchmark questions, in a fixed shuffled order
    tokenizer: Tokenizer


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, cutting any over MAX_SENTENCE_CHARS into pieces."""
    out = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        out.extend(sentence[i : i + MAX_SENTENCE_CHARS] for i in range(0, len(sentence), MAX_SENTENCE_CHARS))
    return out


def make_chunks(sentences: Sequence[str], n: int, seed: int = SEED) -> list[str]:
    """Return n chunks of random whole sentences, about 150 characters each, the same for the same seed."""
    if not sentences:
        raise ValueError("no sentences to build chunks from")
    rng = random.Random(seed)
    n_sentences = len(sentences)
    chunks = []
    for _ in range(n):
        target = rng.randint(*TARGET_CHARS)
        parts, length = [], 0
        while length < target:
            sentence = sentences[rng.randrange(n_sentences)]
            parts.append(sentence)
            length += len(sentence)
        chunks.append("".join(parts))
    return chunks


def pick_questions(pools: dict[str, list[str]], seed: int = SEED) -> list[str]:
    """Draw QUESTIONS_PER_SOURCE questions from each pool (deduplicated, fixed seed), then shuffle them."""
    rng = random.Random(seed)
    picked: list[str] = []
    for name, n in QUESTIONS_PER_SOURCE.items():
        pool = list(dict.fromkeys(q for q in pools[name] if q.strip()))
        picked.extend(rng.sample(pool, min(n, len(pool))))
    rng.shuffle(picked)
    return picked


def load_sources(bench_dir: Path, cache_dir: Path) -> Sources:
    """Read seed chunks, benchmark passages and questions; the seed index is built under cache_dir."""
    missing = [n for n in BENCH_SETS if not (bench_dir / n / "corpus.jsonl").is_file()]
    if missing:
        raise FileNotFoundError(f"{bench_dir}: no {', '.join(missing)} corpus.jsonl; pass --bench-dir")
    from retrieval import Archive, Settings

    archive = Archive.open(Settings(seeds_dir=REPO / "seeds", index_dir=cache_dir / "seed-index"))
    paragraphs = [c.text for c in archive.index.chunks]
    for name in BENCH_SETS:
        paragraphs.extend(row["text"] for row in read_jsonl(bench_dir / name / "corpus.jsonl"))
    sentences = tuple(s for p in paragraphs for s in split_sentences(p))
    pools = {
        name: [row["query"] for row in read_jsonl(bench_dir / name / "queries.jsonl")] for name in BENCH_SETS
    }
    pools["eval"] = [row["q"] for row in read_jsonl(QUESTION_FILE)]
    return Sources(sentences, tuple(pick_questions(pools)), archive.index.tokenizer)


def cache_key(sources: Sources, size: int) -> str:
    """Return a digest of everything a token cache depends on: the inputs, and the code and word lists
    behind the tokenizer (the index's pipeline fingerprint, and every word list questions may read)."""
    from retrieval.index.snapshot import pipeline_fingerprint

    digest = hashlib.sha256(pipeline_fingerprint().encode())
    tok = sources.tokenizer
    head = {
        "v": CACHE_VERSION,
        "size": size,
        "seed": SEED,
        "target": TARGET_CHARS,
        "config": repr(tok.config),
    }
    head["libs"] = [version("jieba"), version("OpenCC")]
    for path in sorted((REPO / "retrieval" / "data").glob("*.txt")):
        digest.update(path.read_bytes())
    for part in (json.dumps(head), *tok.terms, "\x00", *sources.sentences, "\x00", *sources.questions):
        digest.update(part.encode("utf-8") + b"\n")
    return digest.hexdigest()[:16]


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class TokenCache:
    """One tokenized archive on disk: term ids of every chunk, offsets, vocabulary, query tokens, meta."""

    path: Path
    ids: npt.NDArray[np.int32]  # term ids of all chunks, concatenated
    offsets: IntArray  # chunk i is ids[offsets[i]:offsets[i+1]]
    vocab: list[str]
    queries: list[list[str]]
    meta: dict[str, Any]

    @classmethod
    def open(cls, path: Path) -> TokenCache:
        """Open a cache written by tokenize_archive (ids memory-mapped)."""
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        return cls(
            path=path,
            ids=np.load(path / "ids.npy", mmap_mode="r"),
            offsets=np.load(path / "offsets.npy"),
            vocab=json.loads((path / "vocab.json").read_text(encoding="utf-8")),
            queries=json.loads((path / "queries.json").read_text(encoding="utf-8")),
            meta=meta,
        )

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def docs(self, start: int = 0, stop: int | None = None) -> list[list[str]]:
        """Return chunks start..stop as lists of token strings (sharing the vocabulary's str objects)."""
        stop = len(self) if stop is None else stop
        words = np.array(self.vocab, dtype=object)
        out: list[list[str]] = []
        for lo in range(start, stop, 10_000):  # in blocks: never an object array of the whole corpus
            hi = min(lo + 10_000, stop)
            base = int(self.offsets[lo])
            block = words[self.ids[base : int(self.offsets[hi])]]
            bounds = (self.offsets[lo : hi + 1] - base).tolist()
            out.extend(block[a:b].tolist() for a, b in itertools.pairwise(bounds))
        return out

    def lazy_docs(self) -> LazyDocs:
        """Return the chunks as a sequence that makes each token list only when asked for it."""
        return LazyDocs(self)


class LazyDocs(Sequence[list[str]]):
    """Token lists made on access, so a consumer that copies them does not hold the corpus twice."""

    def __init__(self, cache: TokenCache) -> None:
        self._cache = cache

    def __len__(self) -> int:
        return len(self._cache)

    def __getitem__(self, i: int) -> list[str]:  # type: ignore[override]
        c = self._cache
        return [c.vocab[t] for t in c.ids[int(c.offsets[i]) : int(c.offsets[i + 1])].tolist()]

    def __iter__(self) -> Iterator[list[str]]:
        for lo in range(0, len(self), 10_000):
            yield from self._cache.docs(lo, min(lo + 10_000, len(self)))


# The tokenizer of the worker processes: set before the pool forks, so jieba's dictionary is inherited.
_WORKER_TOKENIZER: Tokenizer | None = None


def _tokenize_batch(texts: list[str]) -> tuple[list[str], npt.NDArray[np.int32], IntArray]:
    """Tokenize chunks; return the batch's own vocabulary, term ids and chunk lengths (compact to pickle)."""
    if _WORKER_TOKENIZER is None:  # pragma: no cover - only when the start method is not fork
        raise RuntimeError("tokenizer not set in this worker")
    local: dict[str, int] = {}
    ids: list[int] = []
    lengths = []
    for text in texts:
        tokens = _WORKER_TOKENIZER.tokenize(text)
        ids.extend(local.setdefault(t, len(local)) for t in tokens)
        lengths.append(len(tokens))
    return list(local), np.asarray(ids, dtype=np.int32), np.asarray(lengths, dtype=np.int64)


def _tokenize_all(tokenizer: Tokenizer, chunks: list[str], workers: int) -> tuple[list[str], list, list]:
    """Tokenize chunks on a fork pool (in this process for one worker): vocabulary, id and length blocks."""
    global _WORKER_TOKENIZER
    tokenizer.tokenize("预热")  # load jieba before forking, so workers share it
    _WORKER_TOKENIZER = tokenizer
    batches = [chunks[i : i + BATCH_CHUNKS] for i in range(0, len(chunks), BATCH_CHUNKS)]
    vocab: dict[str, int] = {}
    id_blocks, len_blocks = [], []

    def collect(results: Iterable[tuple[list[str], npt.NDArray[np.int32], IntArray]]) -> None:
        for local, ids, lengths in results:
            remap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in local), np.int32, len(local))
            id_blocks.append(remap[ids])
            len_blocks.append(lengths)

    if workers <= 1:  # in this process: no fork (the test suite may have threads running)
        collect(map(_tokenize_batch, batches))
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            collect(pool.imap(_tokenize_batch, batches))
    return list(vocab), id_blocks, len_blocks


def tokenize_archive(sources: Sources, size: int, cache_dir: Path, workers: int) -> TokenCache:
    """Return the token cache of the size-chunk archive, tokenizing it (on `workers` processes) if needed."""
    path = cache_dir / f"tokens-{size}-{cache_key(sources, size)}"
    if (path / "meta.json").is_file():
        return TokenCache.open(path)
    chunks = make_chunks(sources.sentences, size)
    n_chars = sum(map(len, chunks))
    start = time.perf_counter()
    vocab, id_blocks, len_blocks = _tokenize_all(sources.tokenizer, chunks, workers)
    seconds = time.perf_counter() - start
    lengths = np.concatenate(len_blocks)
    offsets = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    meta = {
        "size": size,
        "chars": n_chars,
        "tokens": int(offsets[-1]),
        "terms": len(vocab),
        "tokenize_s": round(seconds, 3),
        "chars_per_s": round(n_chars / seconds),
        "workers": workers,
    }
    tmp = cache_dir / f".tmp-{path.name}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    np.save(tmp / "ids.npy", np.concatenate(id_blocks))
    np.save(tmp / "offsets.npy", offsets)
    (tmp / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    queries = [sources.tokenizer.query(q) for q in sources.questions]
    (tmp / "queries.json").write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    tmp.rename(path)
    return TokenCache.open(path)
