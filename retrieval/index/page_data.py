"""One page file -> what the index keeps of it: its page-table entry, article and chunk records, and the
evidence it gives for domain terms (read, hashed, parsed and chunked; tokenized later, in a segment).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from retrieval.errors import PageUnreadable
from retrieval.index.segments import PageEntry, chunk_record
from retrieval.parse.articles import split_articles
from retrieval.parse.chunks import chunk_articles
from retrieval.parse.pages import SIDECAR_SUFFIX, Stat, page_of, read_sidecar
from retrieval.terms.dictionary import TermEvidence, term_evidence

log = logging.getLogger(__name__)


@dataclass
class PageData:
    """What one indexed page contributes: its entry, articles, chunks and term evidence."""

    entry: PageEntry
    articles: list[dict[str, Any]]  # as stored (asdict of Article)
    chunks: list[dict[str, Any]]  # as stored (asdict of Chunk without its archive-wide id)
    evidence: TermEvidence


def read_page_data(path: Path, stat: Stat, page_names: str = "") -> PageData:
    """Read, hash, parse and chunk one page file (``page_names``: the settings' file-name pattern); a
    page that cannot be read is an entry 'refused'."""
    try:
        data = path.read_bytes()
        sidecar = path.with_suffix(SIDECAR_SUFFIX)
        side = sidecar.read_bytes() if sidecar.exists() else b""
    except OSError as exc:
        return _refused(path.name, stat, f"{path.name}: cannot be read ({exc.strerror})")
    sha = hashlib.sha256(data + b"\0" + side).hexdigest()
    try:
        page = page_of(path.name, data, read_sidecar(path), page_names)
    except PageUnreadable as exc:
        return _refused(path.name, stat, str(exc), sha)
    parse = split_articles(page)
    if not any(a.paragraphs for a in parse.articles):
        return _refused(path.name, stat, f"{path.name}: no article text found on the page", sha)
    chunks = chunk_articles(parse.articles)
    evidence = term_evidence(
        (p.text for a in parse.articles for p in a.paragraphs),
        (t for a in parse.articles for t in a.headline),
    )
    meta = parse.articles[0].meta  # with what the page prints of itself (paper, date) where no sidecar says
    entry = PageEntry(
        source=path.name,
        stat=stat,
        status="indexed",
        sha256=sha,
        paper=meta.paper,
        date=meta.date,
        n_articles=len(parse.articles),
        n_chunks=len(chunks),
    )
    return PageData(entry, [asdict(a) for a in parse.articles], [chunk_record(c) for c in chunks], evidence)


def read_named(item: tuple[Path, Stat, str]) -> PageData:
    """``read_page_data`` of one (path, stat, page-name pattern): what a worker process is sent."""
    return read_page_data(*item)


def _refused(name: str, stat: Stat, reason: str, sha: str = "") -> PageData:
    log.warning("skipped %s", reason)
    return PageData(PageEntry(name, stat, "refused", sha, reason), [], [], TermEvidence())
