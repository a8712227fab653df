"""Build, save and load the searchable index: list[Page] -> Index -> snapshot on disk -> Index.

An index holds the BM25 postings, the chunks and articles they point to, and the domain dictionary the
tokenizer used, so loading it never re-parses or re-tokenizes the corpus. A snapshot whose format,
settings or seed fingerprint differ from what is asked for is stale and rebuilt; a damaged one is
rebuilt too, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import jieba
from tqdm import tqdm

from retrieval import bm25
from retrieval.articles import split_articles
from retrieval.chunks import chunk_articles, indexed_text
from retrieval.config import Settings
from retrieval.dictionary import derive_terms
from retrieval.errors import CorpusEmpty, IndexDamaged
from retrieval.models import Article, Chunk, Page, PageMeta, PageParse, Paragraph
from retrieval.pages import Refusal, fingerprint, read_pages
from retrieval.storage import read_snapshot, write_snapshot
from retrieval.tokens import Tokenizer, TokenizerConfig

log = logging.getLogger(__name__)

# Bump when the index's file layout changes; code and word-list changes are caught by pipeline_fingerprint.
INDEX_VERSION = 1
# The modules and word lists that turn pages into index terms: when one changes, the same pages make a
# different index, and a version number bumped by hand is too easy to forget.
PIPELINE_MODULES = (
    "text.py", "layout.py", "articles.py", "pages.py", "chunks.py", "tokens.py", "dictionary.py", "bm25.py",
    "models.py", "index.py",
)  # fmt: skip
# Word lists read when pages are indexed (synonyms.txt, glossary.txt ... are read only for questions).
PIPELINE_DATA = ("terms.txt", "stopwords.txt")
PROGRESS_MIN_CHUNKS = 5_000  # show a progress bar when tokenizing more chunks than this


@dataclass(frozen=True)
class Corpus:
    """The parsed archive: pages turned into articles and chunks, plus the files refused."""

    parses: tuple[PageParse, ...]
    chunks: tuple[Chunk, ...]
    refused: tuple[Refusal, ...] = ()

    @property
    def articles(self) -> list[Article]:
        """Return every article and photo caption in page order."""
        return [a for p in self.parses for a in p.articles]


@dataclass(frozen=True)
class Index:
    """A searchable archive in memory."""

    bm25: bm25.SparseBM25
    chunks: tuple[Chunk, ...]
    articles: tuple[Article, ...]
    tokenizer: Tokenizer
    manifest: dict[str, object]


def parse_corpus(pages: list[Page], refused: list[Refusal] = ()) -> Corpus:  # type: ignore[assignment]
    """Parse pages into articles and chunks; a page the parser cannot read is refused by name."""
    parses, refusals = [], list(refused)
    for page in pages:
        parse = split_articles(page)
        if not any(a.paragraphs for a in parse.articles):
            log.warning("skipped %s: no article text found on the page", page.source)
            refusals.append(Refusal(page.source, f"{page.source}: no article text found on the page"))
            continue
        parses.append(parse)
    articles = [a for p in parses for a in p.articles]
    return Corpus(tuple(parses), tuple(chunk_articles(articles)), tuple(refusals))


def build_index(corpus: Corpus, settings: Settings) -> Index:
    """Tokenize the chunks with the corpus's own dictionary and build the BM25 postings."""
    if not corpus.chunks:
        raise CorpusEmpty("no page yielded any text to index: check the pages folder and the warnings above")
    terms = derive_terms(p.text for a in corpus.articles for p in a.paragraphs)
    terms += [t for a in corpus.articles for t in a.headline]
    tokenizer = Tokenizer(terms, settings.tokenizer)
    progress = tqdm(
        corpus.chunks, desc="tokenizing", unit="chunk", disable=len(corpus.chunks) < PROGRESS_MIN_CHUNKS
    )
    tokens = [tokenizer.tokenize(indexed_text(c)) for c in progress]
    postings = bm25.build(tokens, model=settings.model, k1=settings.k1, b=settings.b)
    manifest = {
        "index_version": INDEX_VERSION,
        "settings": settings_key(settings),
        "n_pages": len(corpus.parses),
        "n_articles": len(corpus.articles),
        "n_chunks": len(corpus.chunks),
        "refused": [asdict(r) for r in corpus.refused],
    }
    return Index(postings, corpus.chunks, tuple(corpus.articles), tokenizer, manifest)


@cache
def pipeline_fingerprint() -> str:
    """Return a hash of the code and word lists that shape an index, and of jieba's version."""
    here = Path(__file__).parent
    digest = hashlib.sha256(jieba.__version__.encode())
    for path in [*(here / name for name in PIPELINE_MODULES), *(here / "data" / n for n in PIPELINE_DATA)]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def settings_key(settings: Settings) -> dict[str, object]:
    """Return what an index depends on besides the pages, as stored in its manifest."""
    return {
        "model": settings.model,
        "k1": settings.k1,
        "b": settings.b,
        "tokenizer": asdict(settings.tokenizer),
        "pipeline": pipeline_fingerprint(),
    }


def save_index(index: Index, root: Path, seeds_fingerprint: str) -> Path:
    """Write an index as a new snapshot under root and make it current, atomically."""
    documents = {
        "vocab.json": json.dumps(index.bm25.vocab, ensure_ascii=False),
        "params.json": json.dumps(index.bm25.params.to_json()),
        "terms.json": json.dumps(list(index.tokenizer.terms), ensure_ascii=False),
        "chunks.jsonl": "\n".join(json.dumps(asdict(c), ensure_ascii=False) for c in index.chunks),
        "articles.jsonl": "\n".join(json.dumps(asdict(a), ensure_ascii=False) for a in index.articles),
    }
    manifest = {**index.manifest, "seeds_fingerprint": seeds_fingerprint}
    return write_snapshot(root, index.bm25.to_arrays(), documents, manifest)


def _article(raw: dict) -> Article:
    return Article(
        **{
            **raw,
            "headline": tuple(raw["headline"]),
            "paragraphs": tuple(Paragraph(**p) for p in raw["paragraphs"]),
            "meta": PageMeta(**raw["meta"]),
            "subheads": tuple(tuple(s) for s in raw["subheads"]),
            "headline_span": tuple(raw["headline_span"]),
        }
    )


def load_index(root: Path, settings: Settings, seeds_fingerprint: str | None) -> Index:
    """Load the current snapshot; raise IndexDamaged when it is damaged or stale for these settings."""
    snap = read_snapshot(root)
    manifest = snap.manifest
    if manifest.get("index_version") != INDEX_VERSION or manifest.get("settings") != settings_key(settings):
        raise IndexDamaged(f"{snap.path.name}: built by other code or word lists, or with other settings")
    if seeds_fingerprint is not None and manifest.get("seeds_fingerprint") != seeds_fingerprint:
        raise IndexDamaged(f"{snap.path.name}: the pages have changed since it was built")
    try:
        vocab = json.loads(snap.read_text("vocab.json"))
        params = json.loads(snap.read_text("params.json"))
        terms = json.loads(snap.read_text("terms.json"))
        chunks = tuple(Chunk(**json.loads(ln)) for ln in snap.read_text("chunks.jsonl").splitlines())
        articles = tuple(_article(json.loads(ln)) for ln in snap.read_text("articles.jsonl").splitlines())
    except (ValueError, TypeError, KeyError) as exc:
        raise IndexDamaged(f"{snap.path.name}: unreadable records ({exc})") from exc
    postings = bm25.SparseBM25.from_arrays(snap.arrays, vocab, params)
    tokenizer = Tokenizer(terms, TokenizerConfig(**manifest["settings"]["tokenizer"]))  # type: ignore[index]
    return Index(postings, chunks, articles, tokenizer, manifest)


def open_index(settings: Settings, *, rebuild: bool = False) -> tuple[Index, Corpus | None]:
    """Load the index for the settings' pages, building it when missing, stale or damaged."""
    seeds = fingerprint(settings.seeds_dir)
    if not rebuild:
        try:
            return load_index(settings.index_dir, settings, seeds), None
        except IndexDamaged as exc:
            if (settings.index_dir / "CURRENT").exists():
                log.warning("rebuilding the index: %s", exc)
    pages, refused = read_pages(settings.seeds_dir)
    corpus = parse_corpus(pages, refused)
    index = build_index(corpus, settings)
    path = save_index(index, settings.index_dir, seeds)
    index.manifest["snapshot_id"] = path.name
    return index, corpus
