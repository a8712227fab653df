"""BM25 over the shards: the candidates of a question and the term statistics answering reads, with the
same signatures as the embedded index's ``SparseBM25`` (ids are the joined shards' document ids)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from retrieval.index.scoring import BM25Params, FloatArray, IdArray
from retrieval.models import Chunk
from retrieval.shards import documents as docs
from retrieval.shards.connect import Handle, ShardSet
from retrieval.shards.engine import weight, xapian


class ShardSearch:
    """BM25 candidates and statistics, Xapian combining the shards' statistics (so a ranking does not
    depend on how many shards there are)."""

    def __init__(self, shards: ShardSet, params: BM25Params) -> None:
        self.shards = shards
        self.params = params

    @property
    def n_docs(self) -> int:
        return int(self.shards.call(lambda h: h.joined.get_doccount()))

    def doc_freq(self, term: str) -> int:
        """How many chunks hold ``term`` (0 for a term Xapian could not hold)."""
        return int(self.shards.call(lambda h: h.term_freq(term))) if docs.holdable(term) else 0

    def term_counts(self) -> dict[str, int]:
        """Every index term with its document frequency (read once, for the English reader)."""

        def read(h: Handle) -> dict[str, int]:
            return {
                t.term.decode(): t.termfreq
                for t in h.joined.allterms()
                if not t.term.startswith(docs.PAGE_PREFIX.encode())
            }

        return self.shards.call(read)

    def top_k(self, query_tokens: Iterable[str], k: int) -> tuple[IdArray, FloatArray]:
        """The best ``k`` chunks holding a query term, best first, ties by lower id."""
        counts = Counter(t for t in query_tokens if docs.holdable(t))
        if k <= 0 or not counts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        return self.shards.call(lambda h: _top_k(h, counts, k, self.params))


def _top_k(handle: Handle, counts: Counter[str], k: int, params: BM25Params) -> tuple[IdArray, FloatArray]:
    x = xapian()
    enquire = x.Enquire(handle.joined)
    enquire.set_weighting_scheme(weight(params))
    enquire.set_docid_order(x.Enquire.ASCENDING)
    enquire.set_query(x.Query(x.Query.OP_OR, [x.Query(term, n) for term, n in counts.items()]))
    found = enquire.get_mset(0, k)
    ids = np.fromiter((m.docid for m in found), dtype=np.int64, count=found.size())
    scores = np.fromiter((m.weight for m in found), dtype=np.float64, count=found.size())
    return ids, scores


class ShardChunks:
    """The chunks by id, each read from its document (once per question)."""

    def __init__(self, shards: ShardSet) -> None:
        self.shards = shards

    def __getitem__(self, docid: int) -> Chunk:
        return self.shards.call(lambda h: docs.chunk_of(h.document(docid), docid))


class ShardVectors:
    """The chunks' vectors, stored in their documents (``ChunkVectors.of``'s signature)."""

    def __init__(self, shards: ShardSet) -> None:
        self.shards = shards

    def of(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        """The vectors of these chunks, (len(ids), dim); a chunk written without one is all zeros."""
        rows = self.shards.call(lambda h: [docs.vector_of(h.document(int(i))) for i in ids])
        dim = next((len(r) for r in rows if r is not None), 0)
        return np.asarray([np.zeros(dim, np.float32) if r is None else r for r in rows], dtype=np.float32)

    def release(self) -> None:
        """Nothing is mapped into this process."""
