"""The BM25 engines of the scale benchmark: how each builds an index folder from token lists and opens it to
serve top-5 queries. Every engine gets the same tokens and the product's BM25 settings where it can take them.

* ``ours``: saved and opened exactly as the product saves and opens the BM25 part of an index
  (``retrieval.index.snapshot``): ``bm25.build`` gives one segment of postings, written by
  ``publish.write_snapshot`` as ``postings_files`` + the ``df`` array + ``bm25_documents``; opened by
  ``storage.read_snapshot`` (memory-mapped), ``read_bm25_description``, ``load_postings`` and ``open_bm25``.
  Served as ``Archive.ask`` serves: once resident memory passes ``Settings.max_rss_mb`` after a question,
  the snapshot's mapped pages are released (they stay in the page cache).
* ``rank-bm25``: ``retrieval.index.reference.reference_model``, ``get_scores`` + top 5; it has no on-disk
  form, so it is built in the serving process.
* ``bm25s`` / ``bm25s-numba``: ``bm25s.BM25`` (the method matching the model, see ``BM25S_METHODS``, at
  float32) indexed from the token lists, saved, loaded with mmap, numpy or numba backend. Its lucene method
  leaves out rank-bm25's constant factor (k1 + 1): the same order, every score scaled alike.
* ``tantivy``: tokens joined by spaces into a whitespace-tokenized field (freqs, no positions), 2 indexing
  threads; a query is a boolean OR of term queries. Its BM25 is fixed: k1 1.2, b 0.75, field lengths
  quantized to one byte.

Each import of a library happens inside the functions, so a serving process carries only its engine's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from benchmarks.common import timed
from benchmarks.corpus import TokenCache
from benchmarks.shard_engines import SHARDS, build_xapian, open_xapian

if TYPE_CHECKING:
    from retrieval.index.bm25 import SparseBM25
    from retrieval.index.storage import Snapshot

ENGINES = ("ours", "rank-bm25", "bm25s", "bm25s-numba", "tantivy", *SHARDS)
NEEDS = {
    "bm25s": ("bm25s",),
    "bm25s-numba": ("bm25s", "numba"),
    "tantivy": ("tantivy",),
    **{name: ("xapian",) for name in SHARDS},
}
# Imported before the base memory reading and before load_s starts: an import is not a load.
IMPORTS = {
    "ours": ("retrieval.index.snapshot", "retrieval.index.storage"),
    "rank-bm25": ("retrieval.index.reference",),
    "bm25s": ("bm25s",),
    "bm25s-numba": ("bm25s", "numba", "bm25s.numba.retrieve_utils"),
    "tantivy": ("tantivy",),
    **{name: ("xapian", "retrieval.shards.search") for name in SHARDS},
}
INDEX_OF = {
    "ours": "ours",
    "bm25s": "bm25s",
    "bm25s-numba": "bm25s",
    "tantivy": "tantivy",
    **{n: n for n in SHARDS},
}
# bm25s's method per model; its "robertson" floors no negative idf, unlike rank-bm25's okapi (epsilon).
BM25S_METHODS = {"lucene": "lucene", "l": "bm25l", "plus": "bm25+", "okapi": "robertson"}
TOP_K = 5
SEGMENT = "s000001"  # the name the product gives an index's first segment
TANTIVY_HEAP = 1_000_000_000  # bytes shared by the indexing threads: fewer, larger segments
TANTIVY_THREADS = 2

Search = Callable[[list[str]], tuple[list[int], list[float]]]
FloatArray = npt.NDArray[np.float64]


@dataclass
class Opened:
    """An engine ready to serve, what loading it cost, and measurements to take after the RSS reading."""

    search: Search
    info: dict[str, Any] = field(default_factory=dict)
    after: Callable[[], dict[str, Any]] | None = None


def bm25_params() -> dict[str, Any]:
    """Return the product's BM25 scoring function (``Settings().bm25``) as JSON, for every engine of a run."""
    from retrieval.config import Settings

    return Settings().bm25.to_json()


def top_from_scores(scores: FloatArray, k: int = TOP_K) -> tuple[list[int], list[float]]:
    """Return the k best documents with a positive score, best first, ties by lower id (as ours)."""
    cand = np.flatnonzero(scores > 0)
    s = scores[cand]
    if len(cand) > k:
        keep = s >= s[np.argpartition(-s, k - 1)[:k]].min()
        cand, s = cand[keep], s[keep]
    order = np.lexsort((cand, -s))[:k]
    return cand[order].tolist(), s[order].tolist()


def build_ours(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Build our postings from the cached tokens and write them as the product writes an index's BM25."""
    from retrieval.index import bm25
    from retrieval.index.publish import write_snapshot
    from retrieval.index.scoring import BM25Params
    from retrieval.index.snapshot import bm25_documents, postings_files

    p = BM25Params.from_json(params)
    docs = cache.docs()
    index, build_s = timed(partial(bm25.build, docs, p.model, p.k1, p.b, p.delta, p.epsilon))
    del docs
    arrays = {"df": index.df, **postings_files(SEGMENT, index.segments[0])}
    manifest = {"segments": [SEGMENT]}
    _, save_s = timed(lambda: write_snapshot(out, arrays, bm25_documents(index), manifest))
    return {"build_mem_s": build_s, "save_s": save_s, "postings": sum(len(s.indices) for s in index.segments)}


def load_ours(path: Path, *, verify: bool, mmap: bool) -> tuple[SparseBM25, Snapshot]:
    """Open our snapshot as the product opens an index's BM25; return the searcher and its snapshot."""
    from retrieval.index.snapshot import load_postings, open_bm25, read_bm25_description
    from retrieval.index.storage import read_snapshot

    snap = read_snapshot(path, verify=verify, mmap=mmap)
    names = snap.manifest["segments"]
    description = read_bm25_description(snap)
    postings = [load_postings(snap, n, ref) for n, ref in zip(names, description.ref_avgdls, strict=True)]
    return open_bm25(snap, description, postings, [None] * len(postings)), snap


def open_ours(path: Path) -> Opened:
    """Open our snapshot memory-mapped; also time the sha256-verified and the eager loads."""
    from retrieval.config import Settings
    from retrieval.index.storage import resident_mb

    (index, snap), load_s = timed(lambda: load_ours(path, verify=False, mmap=True))
    _, verify_s = timed(lambda: load_ours(path, verify=True, mmap=True))
    limit = Settings().max_rss_mb

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        ids, scores = index.top_k(q, TOP_K)
        if limit > 0 and resident_mb() > limit:
            snap.release()
        return ids.tolist(), scores.tolist()

    def eager() -> dict[str, Any]:
        return {"load_eager_s": timed(lambda: load_ours(path, verify=False, mmap=False))[1]}

    return Opened(search, {"load_s": load_s, "load_verify_s": verify_s}, eager)


def open_rank_bm25(cache: TokenCache, params: dict[str, Any]) -> Opened:
    """Build rank-bm25's model in this process (it has no file format but pickle) from the cached tokens."""
    from retrieval.index.reference import reference_model

    p = {k: params[k] for k in ("k1", "b", "delta", "epsilon")}
    model, build_s = timed(lambda: reference_model(params["model"], cache.lazy_docs(), **p))
    return Opened(lambda q: top_from_scores(model.get_scores(q)), {"build_s": build_s})


def build_bm25s(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Index the token lists with bm25s (numpy backend) and save it."""
    import bm25s

    method = BM25S_METHODS[params["model"]]
    delta = {"delta": params["delta"]} if params["delta"] is not None else {}
    retriever = bm25s.BM25(method=method, k1=params["k1"], b=params["b"], backend="numpy", **delta)
    docs = cache.docs()
    _, build_s = timed(partial(retriever.index, docs, show_progress=False))
    del docs
    _, save_s = timed(lambda: retriever.save(str(out), show_progress=False))
    return {"build_mem_s": build_s, "save_s": save_s}


def open_bm25s(path: Path, *, numba: bool) -> Opened:
    """Load a bm25s index memory-mapped, with the numpy or the numba backend."""
    import bm25s

    backend = "numba" if numba else "numpy"

    def load(*, mmap: bool) -> bm25s.BM25:
        return bm25s.BM25.load(str(path), mmap=mmap, show_progress=False, backend=backend)

    retriever, load_s = timed(lambda: load(mmap=True))
    vocab = retriever.vocab_dict
    opts: dict[str, Any] = {"n_threads": 1} if numba else {"n_threads": 0, "backend_selection": "numpy"}

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        if not any(t in vocab for t in q):
            return [], []
        res = retriever.retrieve([q], k=TOP_K, show_progress=False, **opts)
        ids, scores = res.documents[0], res.scores[0]
        return ids[scores > 0].tolist(), scores[scores > 0].tolist()

    return Opened(search, {"load_s": load_s}, lambda: {"load_eager_s": timed(lambda: load(mmap=False))[1]})


def _tantivy_analyzer() -> Any:
    import tantivy

    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def build_tantivy(cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Index space-joined tokens in tantivy (whitespace tokenizer, term frequencies, no positions).

    tantivy's BM25 has k1 1.2 and b 0.75 built in: ``params`` cannot change them.
    """
    import tantivy

    schema = tantivy.SchemaBuilder()
    schema.add_text_field("body", stored=False, tokenizer_name="ws", index_option="freq")
    schema.add_unsigned_field("id", stored=False, fast=True)
    out.mkdir(parents=True)
    index = tantivy.Index(schema.build(), path=str(out))
    index.register_tokenizer("ws", _tantivy_analyzer())
    docs = cache.docs()

    def run() -> None:
        writer = index.writer(heap_size=TANTIVY_HEAP, num_threads=TANTIVY_THREADS)
        for i, tokens in enumerate(docs):
            doc = tantivy.Document()
            doc.add_unsigned("id", i)
            doc.add_text("body", " ".join(tokens))
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()

    _, build_s = timed(run)
    return {"build_mem_s": build_s, "save_s": 0.0, "threads": TANTIVY_THREADS}


def open_tantivy(path: Path) -> Opened:
    """Open a tantivy index and search it with an OR of term queries over the query tokens."""
    import tantivy

    def load() -> Any:
        index = tantivy.Index.open(str(path))
        index.register_tokenizer("ws", _tantivy_analyzer())
        return index, index.searcher()

    (index, searcher), load_s = timed(load)
    schema, should = index.schema, tantivy.Occur.Should

    def search(q: list[str]) -> tuple[list[int], list[float]]:
        terms = [(should, tantivy.Query.term_query(schema, "body", t, index_option="freq")) for t in q]
        hits = searcher.search(tantivy.Query.boolean_query(terms), limit=TOP_K, count=False).hits
        ids = searcher.fast_field_values("id", [addr for _, addr in hits])
        return [int(i) for i in ids], [float(s) for s, _ in hits]

    return Opened(search, {"load_s": load_s, "segments": searcher.num_segments})


BUILDERS: dict[str, Callable[[TokenCache, Path, dict[str, Any]], dict[str, Any]]] = {
    "ours": build_ours,
    "bm25s": build_bm25s,
    "tantivy": build_tantivy,
    **{name: partial(build_xapian, n) for name, n in SHARDS.items()},
}


def open_engine(engine: str, cache: TokenCache, path: Path, params: dict[str, Any]) -> Opened:
    """Open one engine's index (rank-bm25: build it) for serving."""
    if engine == "ours":
        return open_ours(path)
    if engine == "rank-bm25":
        return open_rank_bm25(cache, params)
    if engine in ("bm25s", "bm25s-numba"):
        return open_bm25s(path, numba=engine == "bm25s-numba")
    if engine == "tantivy":
        return open_tantivy(path)
    if engine in SHARDS:
        return open_xapian(SHARDS[engine], path, params)
    raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")


def describe(params: dict[str, Any]) -> str:
    """Say which BM25 each engine scores with, for the report."""
    extra = "".join(f", {k} {params[k]}" for k in ("delta", "epsilon") if params.get(k) is not None)
    return (
        f"BM25 of ours and rank-bm25: {params['model']}, k1 {params['k1']}, b {params['b']}{extra} "
        f"(the product's Settings); bm25s: method {BM25S_METHODS[params['model']]} with the same k1 and b, "
        "float32; tantivy: its fixed k1 1.2, b 0.75; xapian: the product's shard weight (BM25+ with delta 0, "
        "the same k1 and b; idf log((N+1)/n))."
    )
