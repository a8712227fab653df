"""One vector per chunk of an index: a vector file per segment (store.py), named by the segment and a
digest of its chunks so that a file never serves other text, and read through the archive's chunk ids.

``open_vectors`` only opens what is on disk (instant); ``embed_index`` makes what is missing (minutes
for thousands of new chunks on two cores), reusing every stored vector of the same text.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from retrieval.index.segments import Segment
from retrieval.index.snapshot import Index
from retrieval.index.storage import release
from retrieval.parse.chunks import indexed_text
from retrieval.vectors.model import Embedder
from retrieval.vectors.store import VectorFile, VectorStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, eq=False)
class ChunkVectors:
    """The vectors of an index's live chunks, by chunk id (memory-mapped, float16 on disk)."""

    index: Index
    files: dict[int, VectorFile]  # id() of a segment's chunk records -> that segment's vectors

    def of(self, ids: Sequence[int]) -> npt.NDArray[np.float32]:
        """The vectors of these chunks, (len(ids), dim)."""
        rows = []
        for i in ids:
            records, local = self.index.chunks.locate(int(i))  # type: ignore[attr-defined]
            rows.append(self.files[id(records)].vectors[local])
        return np.asarray(rows, dtype=np.float32)

    def release(self) -> None:
        """Drop this process's mappings of the vectors' pages (as ``Snapshot.release`` does the index's)."""
        release(f.vectors for f in self.files.values())

    def nearest(self, question: npt.NDArray[np.float32], k: int) -> list[tuple[int, float]]:
        """The ``k`` live chunks most similar to a question vector (an exhaustive scan), best first."""
        found: list[tuple[int, float]] = []
        start = 0
        for records, lo, hi in self.index.chunks.runs:  # type: ignore[attr-defined]
            sims = self.files[id(records)].vectors[lo:hi] @ question.astype(np.float16)
            best = np.argsort(-sims)[:k]
            found.extend((start + int(j), float(sims[j])) for j in best)
            start += hi - lo
        return sorted(found, key=lambda pair: -pair[1])[:k]


def store_of(index_dir: Path, model: Embedder) -> VectorStore:
    """The vector files of a model beside an index's snapshots."""
    return VectorStore(index_dir / "vectors", model.name, model.dim)


def file_name(index: Index, segment: Segment) -> str:
    """A segment's vector file name: its name and the sha256 of its chunk records (a rebuilt index may
    reuse a segment name for other pages; never the digest)."""
    digest = index.snapshot.manifest["files"][f"{segment.name}.chunks_blob.npy"]["sha256"]
    return f"{segment.name}-{digest[:16]}"


def segment_texts(segment: Segment) -> list[str]:
    """What is embedded of a segment's chunks, in its order: the text BM25 indexes (headline in front)."""
    return [indexed_text(segment.chunks[i]) for i in range(len(segment.chunks))]


def open_vectors(index: Index, store: VectorStore) -> ChunkVectors | None:
    """The index's chunk vectors when every segment has its file; None until then."""
    files = {}
    for segment in index.segments:
        held = store.read(file_name(index, segment))
        if held is None or len(held) != len(segment.chunks):
            return None
        files[id(segment.chunks)] = held
    return ChunkVectors(index, files)


def missing_chunks(index: Index, store: VectorStore) -> int:
    """How many chunks of segments without a vector file there are (each may still be cached)."""
    return sum(len(s.chunks) for s in index.segments if store.read(file_name(index, s)) is None)


def embed_index(index: Index, store: VectorStore, model: Embedder, *, progress: bool = False) -> ChunkVectors:
    """Make the vector files the index lacks, then delete those it no longer needs; return its vectors."""
    for segment in index.segments:
        name = file_name(index, segment)
        if store.read(name) is None:
            store.fill(name, segment_texts(segment), model.passages, progress=progress)
    store.prune({file_name(index, s) for s in index.segments})
    vectors = open_vectors(index, store)
    if vectors is None:
        raise OSError(f"vector files under {store.folder} unreadable right after writing")
    return vectors
