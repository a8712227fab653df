"""Index stage, writing: a folder of pages -> a ``Built`` index, whole or refreshed from the previous one.

An archive grows a page at a time, and re-reading a million chunks for each new page would take many
minutes. So the index keeps, per page, what its content hash, parse and tokens gave (the page table,
the term evidence, the chunk records and the BM25 counts), in segments that are never rewritten for a
small change (see postings.py), and a refresh does only what changed:

1. Scan the folder: a page whose file and sidecar have the size and mtime the table recorded is kept as
   it is; any other file is read, hashed, parsed and chunked. A page with the same text as another
   (same hash under a second name) is indexed once and reported as a duplicate.
2. Re-derive the domain dictionary from the summed term evidence (kept pages' plus new pages').
3. A kept page must be tokenized again only if a dictionary term that came or went occurs in it: jieba
   cuts a text by the dictionary words it contains (see terms/tokens.py), so the others keep their
   tokens. The previous index's character-bigram postings find the few pages that hold such a term.
4. Tokenize the new and affected pages (on all cores when there are many) into one new segment; the
   pages removed, changed or affected are marked dead where they were. The corpus statistics are
   updated by difference, so the scores equal a from-scratch build's.
5. Merge small segments, Lucene-style (draft.py).

Publishing the result is snapshot.save_index's job (atomic); nothing here writes to disk.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import numpy as np
from tqdm import tqdm

from retrieval.errors import CorpusEmpty
from retrieval.index.bm25 import SparseBM25
from retrieval.index.draft import IndexDraft, Previous
from retrieval.index.page_data import PageData, read_named
from retrieval.index.scoring import BM25Params
from retrieval.index.segments import Built, PageEntry
from retrieval.index.workers import parallel_map
from retrieval.parse.chunks import indexed_text
from retrieval.parse.pages import scan
from retrieval.terms.dictionary import TermEvidence, terms_from
from retrieval.terms.tokens import BIGRAM_MARK, CJK_RUN, Tokenizer, TokenizerConfig, prepare

log = logging.getLogger(__name__)
PARALLEL_MIN_PAGES = 500  # below this, reading and parsing pages in worker processes costs more than it saves
PROGRESS_MIN_PAGES = 200  # show a progress bar when reading more pages than this


def refresh(
    folder: Path,
    config: TokenizerConfig,
    params: BM25Params,
    previous: Previous | None = None,
    page_names: str = "",
) -> Built:
    """Index the pages of a folder, reusing what ``previous`` (built with the same settings) holds.

    Without ``previous`` every page is read; ``page_names`` is the settings' file-name pattern.
    """
    found = scan(folder)
    prev_indexed = previous.indexed if previous else []
    kept = [i for i, p in enumerate(prev_indexed) if found.get(p.source) == p.stat]
    kept_names = {prev_indexed[i].source for i in kept}
    fresh_names = [name for name in found if name not in kept_names]
    fresh = parallel_map(
        read_named,
        [(folder / name, found[name], page_names) for name in fresh_names],
        parallel=len(fresh_names) >= PARALLEL_MIN_PAGES,
        progress=tqdm(
            total=len(fresh_names),
            desc="reading pages",
            unit="page",
            disable=len(fresh_names) < PROGRESS_MIN_PAGES,
        ),
    )

    added, others = split_duplicates(fresh, {prev_indexed[i].sha256: prev_indexed[i].source for i in kept})
    total = _evidence_total(previous, kept, added)
    tokenizer = Tokenizer(terms_from(total), config)
    if not kept and not added:
        raise CorpusEmpty(
            f"no page in {folder} yielded any text to index: check the pages and the warnings above"
        )

    affected = _affected(previous, kept, tokenizer) if previous is not None and kept else set()
    retokenized = [i for i in kept if i in affected]
    if retokenized:
        log.info("%d kept pages hold dictionary terms that changed: tokenizing them again", len(retokenized))
    draft = IndexDraft.of(previous, [i for i in kept if i not in affected])
    moved = []
    if previous is not None:
        moved = [(previous.segments[p.segment], p) for p in map(previous.placed.__getitem__, retokenized)]
    draft.add_segment(moved, added, tokenizer, params)
    draft.merge_small(params)
    return Built(
        pages=[p.entry for p in draft.placed] + sorted(others, key=lambda e: e.source),
        segments=draft.segments,
        bm25=draft.searcher(params),
        tokenizer=tokenizer,
        total=total,
        last_segment=draft.last,
    )


def _evidence_total(previous: Previous | None, kept: list[int], added: list[PageData]) -> TermEvidence:
    """Return the archive's term evidence: the previous total, less dropped pages', plus new pages'."""
    total = TermEvidence()
    if previous is not None:
        total += previous.total
        for i in sorted(set(range(len(previous.indexed))) - set(kept)):
            p = previous.placed[i]
            total -= previous.segments[p.segment].evidence[p.page]
    for data in added:
        total += data.evidence
    return total


def _affected(previous: Previous, kept: list[int], tokenizer: Tokenizer) -> set[int]:
    """Return the kept pages (positions in the previous page table) that hold a term that came or went."""
    # Normalizing every term of a large dictionary takes a second: normalize only those that came or
    # went (a term renamed to the same normal form is then checked needlessly, which costs nothing).
    came_or_went = set(previous.tokenizer.terms).symmetric_difference(tokenizer.terms)
    changed = sorted({prepare(t) for t in came_or_went} - {""})
    if not changed:
        return set()
    starts = np.asarray(previous.chunk_starts)
    kept_set = set(kept)
    hit: set[int] = set()
    for term in changed:
        for doc in _docs_maybe_holding(previous.bm25, term, previous.tokenizer.config):
            page = int(np.searchsorted(starts, doc, side="right")) - 1
            if (
                page in kept_set
                and page not in hit
                and term in prepare(indexed_text(previous.chunks[int(doc)]))
            ):
                hit.add(page)
    return hit


def split_duplicates(
    fresh: list[PageData], first_of: dict[str, str]
) -> tuple[list[PageData], list[PageEntry]]:
    """Return the fresh pages to index, and the entries of the others: refused, or duplicates of a page
    already indexed (``first_of``: sha256 -> name), which are reported and indexed once."""
    added: list[PageData] = []
    others: list[PageEntry] = []
    for data in fresh:
        entry = data.entry
        if entry.status == "indexed" and entry.sha256 in first_of:
            log.warning("skipped %s: same text as %s", entry.source, first_of[entry.sha256])
            others.append(replace(entry, status="duplicate", reason=f"same text as {first_of[entry.sha256]}"))
        elif entry.status == "indexed":
            first_of[entry.sha256] = entry.source
            added.append(data)
        else:
            others.append(entry)
    return added, others


def _docs_maybe_holding(index: SparseBM25, term: str, config: TokenizerConfig) -> Iterable[int]:
    """Return documents that may contain ``term``: those holding all its CJK bigrams, else all of them."""
    grams = [run[i : i + 2] for run in CJK_RUN.findall(term) for i in range(len(run) - 1)]
    if not (config.bigrams and grams):
        log.info("no bigram to find %r by: checking every chunk", term)
        return range(index.n_docs)
    docs: np.ndarray | None = None
    for gram in dict.fromkeys(grams):
        these = index.docs_with(BIGRAM_MARK + gram)
        if not len(these):
            return ()
        docs = these if docs is None else np.intersect1d(docs, these, assume_unique=True)
    return docs.tolist() if docs is not None else ()
