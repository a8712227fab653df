"""Work spread over processes: tokenize chunks (texts -> term ids) and read pages, on every core when many.

Below a size where starting worker processes costs more than it saves, the same functions run in this
process. Workers are spawned, not forked: the bot may refresh its index from a thread, and forking a
threaded process can deadlock.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

import numpy as np
from tqdm import tqdm

from retrieval.index.postings import encode
from retrieval.terms.tokens import Tokenizer, TokenizerConfig

T = TypeVar("T")
R = TypeVar("R")

PROGRESS_MIN_CHUNKS = 5_000  # show a progress bar when tokenizing more chunks than this
PARALLEL_MIN_CHUNKS = 20_000  # below this, starting worker processes costs more than it saves
BATCH_CHUNKS = 2_000  # chunks per task sent to a tokenizing worker

_worker_tokenizer: Tokenizer | None = None


def _init_worker(terms: tuple[str, ...], config: TokenizerConfig, ready: Tokenizer | None = None) -> None:
    """Give this process (a worker, or the parent for a few texts) the tokenizer of the index."""
    global _worker_tokenizer
    _worker_tokenizer = ready or Tokenizer(terms, config)


def _tokenize_batch(texts: list[str]) -> tuple[list[str], np.ndarray, np.ndarray]:
    if _worker_tokenizer is None:
        raise RuntimeError("a tokenizing worker runs only after _init_worker")
    vocab, ids, lens = encode(_worker_tokenizer.tokenize(t) for t in texts)
    # Send int32 ids and a small vocabulary back, not millions of strings.
    return vocab, ids.astype(np.int32), lens


def tokenize_all(texts: list[str], tokenizer: Tokenizer) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokenize texts into postings.count's input (vocab, term id per token, tokens per text)."""
    batches = [texts[lo : lo + BATCH_CHUNKS] for lo in range(0, len(texts), BATCH_CHUNKS)]
    if len(texts) < PARALLEL_MIN_CHUNKS:
        _init_worker(tokenizer.terms, tokenizer.config, tokenizer)
    results = parallel_map(
        _tokenize_batch,
        batches,
        parallel=len(texts) >= PARALLEL_MIN_CHUNKS,
        progress=tqdm(
            total=len(texts), desc="tokenizing", unit="chunk", disable=len(texts) < PROGRESS_MIN_CHUNKS
        ),
        size=len,
        initializer=_init_worker,
        initargs=(tokenizer.terms, tokenizer.config),
    )
    return _join_batches(results)


def parallel_map(
    fn: Callable[[T], R],
    items: list[T],
    *,
    parallel: bool,
    progress: tqdm,
    size: Callable[[T], int] = lambda _: 1,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> list[R]:
    """Map fn over items in order, on every core when ``parallel``, advancing the progress bar."""
    out: list[R] = []
    workers = min(os.cpu_count() or 1, 8)
    if not parallel or workers < 2 or len(items) < 2:
        for item in items:
            out.append(fn(item))
            progress.update(size(item))
    else:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(
            workers, mp_context=context, initializer=initializer, initargs=initargs
        ) as pool:
            for item, result in zip(items, pool.map(fn, items), strict=True):
                out.append(result)
                progress.update(size(item))
    progress.close()
    return out


def _join_batches(
    batches: list[tuple[list[str], np.ndarray, np.ndarray]],
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Renumber each batch's first-seen term ids into one vocabulary."""
    ids_of: dict[str, int] = {}
    parts, lens = [], []
    for vocab, ids, lengths in batches:
        mapping = np.fromiter(
            (ids_of.setdefault(t, len(ids_of)) for t in vocab), dtype=np.int64, count=len(vocab)
        )
        parts.append(mapping[ids] if len(ids) else np.empty(0, dtype=np.int64))
        lens.append(lengths)
    flat = np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)
    doc_len = np.concatenate(lens).astype(np.int64) if lens else np.empty(0, dtype=np.int64)
    return list(ids_of), flat, doc_len
