"""The public face of retrieval: an opened archive that answers questions and lists its articles."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from retrieval.ask.answer import answer
from retrieval.ask.cedict import dictionary
from retrieval.ask.english import EnglishReader
from retrieval.config import Settings
from retrieval.errors import IndexDamaged
from retrieval.index.snapshot import Index
from retrieval.index.storage import resident_mb, verify_snapshot
from retrieval.index.sync import open_index
from retrieval.models import Answer, Article, Conversation
from retrieval.parse.doubts import Doubt, doubts
from retrieval.parse.jumps import continuation, joined, jumps_from, jumps_to
from retrieval.parse.pages import Refusal
from retrieval.shards.index import ShardIndex
from retrieval.terms.synonyms import synonyms
from retrieval.terms.tagging import tagged_words, word_tag
from retrieval.vectors.chunks import ChunkVectors, embed_index, missing_chunks, open_vectors, store_of
from retrieval.vectors.model import load_model, shared_model

log = logging.getLogger(__name__)
EXAMPLE_POOL = 200  # example questions are made from the headlines of the first this many articles


@dataclass(frozen=True)
class ArchiveStats:
    """What the archive holds, for /start, /about and logs."""

    n_pages: int
    n_articles: int
    n_chunks: int
    papers: tuple[str, ...]
    dates: tuple[str, ...]
    format_version: int  # of the index's file layout
    snapshot_id: str  # the snapshot on disk being served

    @property
    def index_version(self) -> str:
        """The index version as shown to people and in logs: "<format>/<snapshot id>"."""
        return f"{self.format_version}/{self.snapshot_id}"


class Archive:
    """An opened, searchable archive; safe to share between threads once opened."""

    def __init__(self, index: Index | ShardIndex, settings: Settings) -> None:
        self.index = index
        self.settings = settings
        self._reader: EnglishReader | None = None
        self._reader_lock = threading.Lock()
        self._vectors: ChunkVectors | None = None
        self._embedding: threading.Thread | None = None

    @property
    def english(self) -> EnglishReader:
        """Return the reader of English questions, built from this archive's words on first use."""
        with self._reader_lock:
            if self._reader is None:
                self._reader = EnglishReader(self.index.bm25.term_counts(), preload=False)
            return self._reader

    @property
    def vectors(self) -> ChunkVectors | None:
        """The chunks' vectors once every segment has them (and the signal is on); None until then."""
        return self._vectors

    def question_vector(self, text: str) -> npt.NDArray[np.float32] | None:
        """A question's vector, from the process's model; None without one."""
        model = shared_model()
        return None if model is None else model.question(text)

    def open_vectors(self) -> bool:
        """Use the vectors already on disk (instant); tell whether every chunk has one."""
        model = shared_model() if self.settings.vectors else None
        if model is not None and isinstance(self.index, ShardIndex):  # written into the shards
            self._vectors = self.index.vectors  # type: ignore[assignment]
        elif model is not None:
            self._vectors = open_vectors(self.index, store_of(self.settings.index_dir, model))
        return self._vectors is not None

    def embed(self, *, progress: bool = False) -> bool:
        """Embed the chunks that have no vector yet, now (a progress bar with its ETA on stderr when
        asked), and use them; tell whether the signal is on."""
        if self.open_vectors() or not self.settings.vectors or isinstance(self.index, ShardIndex):
            return self._vectors is not None
        model = load_model()  # its own engine: questions go on being answered meanwhile
        if model is None:
            return False
        store = store_of(self.settings.index_dir, model)
        log.info("embedding %d passages for the semantic signal", missing_chunks(self.index, store))
        self._vectors = embed_index(self.index, store, model, progress=progress)
        return True

    def embed_in_background(self) -> threading.Thread | None:
        """Embed what is missing in a daemon thread; BM25 alone answers until it is done."""
        # Shards carry the vectors they were written with: nothing to embed here.
        shards = isinstance(self.index, ShardIndex)
        if self.open_vectors() or not self.settings.vectors or shards or shared_model() is None:
            return None
        self._embedding = threading.Thread(target=self._embed_logged, name="embedding", daemon=True)
        self._embedding.start()
        return self._embedding

    def _embed_logged(self) -> None:
        try:
            self.embed()
        except OSError as exc:  # a full disk, say: the archive goes on answering on BM25 alone
            log.error("semantic signal off, the vectors could not be written: %s", exc)
        else:
            log.info("semantic signal on: every passage has its vector")

    def warm(self) -> None:
        """Load now what the first question would otherwise wait for: jieba's dictionaries, the reader
        of English questions, the index pages of common terms (a server calls this at start)."""
        self.ask("许昌市工商联商会培训")
        word_tag("商会")  # jieba's part-of-speech table, read when a question has an everyday word
        tagged_words("会长黄玉霞")  # its HMM tagger (~0.7 s), run when a question asks who holds a title
        dictionary()  # CC-CEDICT reversed, read when an English word is not in the glossary
        synonyms("地方")  # the Cilin thesaurus, read when a question word is not in the archive
        self.index.tokenizer.is_domain_term("商会")  # the normalised domain terms: 0.4 s at 1M chunks
        self.english.read("chamber of commerce training")
        if self.settings.vectors:
            shared_model()  # the semantic model (about 0.5 s), loaded by the first question re-ranked

    @classmethod
    def open(cls, settings: Settings | None = None, *, rebuild: bool = False, quick: bool = False) -> Archive:
        """Load the index for the settings' pages, refreshing it first when missing, stale or damaged.

        ``quick`` skips the checksums of the index files (a large archive opens in well under a second);
        a server then calls ``check`` in the background.
        """
        settings = settings or Settings()
        if settings.shards:  # the shards' writer keeps them in step with the pages
            return cls(ShardIndex.open(settings), settings)
        return cls(open_index(settings, rebuild=rebuild, verify="size" if quick else True), settings)

    def check(self) -> bool:
        """Checksum every index file of this archive; on damage, log it, rebuild the index and say False.

        The rebuilt index is published as a new snapshot, which a server notices and loads; this archive
        object keeps serving what it has until then.
        """
        if isinstance(self.index, ShardIndex):  # Xapian checks its own tables
            return True
        try:
            verify_snapshot(self.index.snapshot)
        except IndexDamaged as exc:
            log.error("the index on disk is damaged, rebuilding it: %s", exc)
            open_index(self.settings, rebuild=True)
            return False
        return True

    def ask(
        self,
        question: str,
        top_k: int | None = None,
        offset: int = 0,
        conversation: Conversation | None = None,
    ) -> Answer:
        """Answer a question (a follow-up in the light of ``conversation``) with its short answer or list and
        cited passages, or refuse it; the answer carries the conversation for the next question."""

        def ask() -> Answer:
            return answer(self, question, top_k=top_k, offset=offset, conversation=conversation)

        found = self.index.serve(ask) if isinstance(self.index, ShardIndex) else ask()
        self._bound_memory()
        return found

    def _bound_memory(self) -> None:
        """Keep resident memory under ``max_rss_mb``: the mapped pages (index, vectors) are what grows."""
        limit = self.settings.max_rss_mb
        if limit > 0 and resident_mb() > limit:
            self.index.snapshot.release()
            if self._vectors is not None:
                self._vectors.release()

    @property
    def articles(self) -> Sequence[Article]:
        """Return every article and photo caption, in page order (read from disk as they are used)."""
        return self.index.articles

    def article(self, article_id: str) -> Article | None:
        """Return one article by id, or None."""
        return self.index.article(article_id)

    def page_articles(self, source: str) -> list[Article]:
        """Return the articles and photo captions of one page file (by file name), in page order."""
        return self.index.page_articles(source)

    def whole(self, article: Article) -> Article:
        """The article as a reader sees it: joined with its part on another page (（下转第3版）)."""
        if jumps_to(article) is not None:
            rest = continuation(article, self._jumping_in)
            return joined(article, rest) if rest else article
        if jumps_from(article) is not None:
            first = next((a for a in self._jumping_out if continuation(a, [article]) is not None), None)
            return joined(first, article) if first else article
        return article

    def listing(self) -> Iterator[tuple[int, Article]]:
        """Every article as a reader sees it, with its /a_<n> number: one continued on another page once,
        whole, under the number of its first part (its other part opens the same whole by its own)."""
        parts, firsts = self._continued_parts, self._continuations
        for number, article in enumerate(self.articles, 1):
            if article.id not in parts:
                yield number, self.whole(article) if article.id in firsts else article

    @property
    def listed_count(self) -> int:
        """How many articles ``listing`` gives."""
        return len(self.articles) - len(self._continued_parts)

    @cached_property
    def _continuations(self) -> dict[str, str]:
        """The id of each first part that has its continuation in the archive, to the continuation's."""
        rests = ((a.id, continuation(a, self._jumping_in)) for a in self._jumping_out)
        return {first: rest.id for first, rest in rests if rest is not None}

    @cached_property
    def _continued_parts(self) -> set[str]:
        """The ids of the second parts whose first part is in the archive (listed with it)."""
        return set(self._continuations.values())

    @cached_property
    def _jumping_in(self) -> list[Article]:
        """The articles that come from another page (read once, when a jump is first followed)."""
        return [a for a in self.index.articles if jumps_from(a) is not None]

    @cached_property
    def _jumping_out(self) -> list[Article]:
        """The articles that go on to another page."""
        return [a for a in self.index.articles if jumps_to(a) is not None]

    def page_doubts(self, source: str) -> list[Doubt]:
        """Return what looks wrong in how one page file was read (retrieval/parse/doubts.py)."""
        return doubts(self.page_articles(source))

    def article_number(self, article_id: str) -> int | None:
        """Return an article's 1-based number in ``articles`` (as in the bot's /a_<n>), or None."""
        position = self.index.article_position(article_id)
        return None if position is None else position + 1

    @property
    def refused(self) -> list[Refusal]:
        """Return the page files that could not be indexed, and why."""
        return [Refusal(**r) for r in self.index.manifest.get("refused", [])]

    @property
    def duplicates(self) -> list[Refusal]:
        """Return the page files not indexed because another file has the same text."""
        return [Refusal(**r) for r in self.index.manifest.get("duplicates", [])]

    @cached_property
    def stats(self) -> ArchiveStats:
        """Return what the archive holds."""
        m = self.index.manifest
        return ArchiveStats(
            n_pages=int(m["n_pages"]),
            n_articles=int(m["n_articles"]),
            n_chunks=int(m["n_chunks"]),
            papers=tuple(m.get("papers", ())),
            dates=tuple(m.get("dates", ())),
            format_version=int(m["index_version"]),
            snapshot_id=self.index.snapshot.snapshot_id,
        )

    def example_questions(self, n: int = 3) -> list[str]:
        """Return n questions this archive answers, made from its own headlines (among the first 200)."""
        first = self.index.articles[:EXAMPLE_POOL]
        titled = [a for a in first if a.kind == "article" and a.headline]
        picks = titled[:: max(1, len(titled) // n)][:n]
        return [f"{_main_title(a)}是怎么回事？" for a in picks]


def _main_title(article: Article) -> str:
    """Return the main title line: the longest headline line that is not a `——…` subtitle."""
    lines = [ln for ln in article.headline if not ln.startswith("—")] or list(article.headline)
    return max(lines, key=len)
