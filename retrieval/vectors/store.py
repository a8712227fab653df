"""Vectors on disk: named files of (text keys, float16 vectors), one row per passage, memory-mapped.

A file is written once under its name (for an index segment: the segment and a digest of its chunks, see
``segment_file``) and never changed: ``<name>.vecs.npy`` then ``<name>.keys.npy``, each through a
temporary file and a rename, so a crash leaves no pair that looks whole. The keys are hashes of the
embedded texts: any file's rows serve as a cache for another, so a refresh embeds only new passages and a
rebuild none. A pair that does not agree (a crash, a truncated disk) is reported, deleted and made again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from tqdm import tqdm

log = logging.getLogger(__name__)
KEY_BYTES = 16
STORED = np.float16  # half the memory of float32; the loss is measured in docs/quality.md
BATCH = 32  # passages per call to the model: the progress bar's step
Keys = npt.NDArray[np.bytes_]
Embed = Callable[[Sequence[str]], npt.NDArray[np.float32]]
_TMP = ".tmp-"


def text_key(text: str) -> bytes:
    """The cache key of an embedded text."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=KEY_BYTES).digest()


@dataclass(frozen=True)
class VectorFile:
    """One file's rows: keys (n,) and float16 unit vectors (n, dim), memory-mapped."""

    name: str
    keys: Keys
    vectors: npt.NDArray[np.float16]

    def __len__(self) -> int:
        return len(self.keys)


class VectorStore:
    """The vector files of one model in one folder."""

    def __init__(self, folder: Path, model: str, dim: int) -> None:
        self.folder = folder / model
        self.dim = dim

    def _paths(self, name: str) -> tuple[Path, Path]:
        return self.folder / f"{name}.vecs.npy", self.folder / f"{name}.keys.npy"

    def names(self) -> list[str]:
        """The names of the whole files in the folder."""
        if not self.folder.is_dir():
            return []
        return sorted(p.name[: -len(".keys.npy")] for p in self.folder.glob("*.keys.npy"))

    def read(self, name: str) -> VectorFile | None:
        """Open a file memory-mapped; None when it is missing, or damaged (then reported and deleted)."""
        vecs_path, keys_path = self._paths(name)
        if not keys_path.exists():
            return None
        try:
            keys = np.load(keys_path, mmap_mode="r", allow_pickle=False)
            vectors = np.load(vecs_path, mmap_mode="r", allow_pickle=False)
            whole = (
                keys.dtype == np.dtype(f"S{KEY_BYTES}")
                and vectors.dtype == STORED
                and vectors.shape == (len(keys), self.dim)
            )
        except (OSError, ValueError) as exc:
            whole, keys, vectors = False, None, str(exc)
        if not whole:
            log.warning("vector file %s is damaged (%s): it will be made again", keys_path, vectors)
            self.remove(name)
            return None
        return VectorFile(name, keys, vectors)

    def write(self, name: str, keys: Keys, vectors: npt.NDArray[np.floating]) -> VectorFile:
        """Write a file atomically (vectors first, keys last: the keys make a pair whole) and open it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for path, array in zip(self._paths(name), (vectors.astype(STORED), keys), strict=True):
            tmp = path.with_name(f"{_TMP}{secrets.token_hex(4)}-{path.name}")
            with open(tmp, "xb") as f:
                np.save(f, array, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        written = self.read(name)
        if written is None:
            raise OSError(f"vector file {name} unreadable right after writing")
        return written

    def remove(self, name: str) -> None:
        for path in self._paths(name)[::-1]:
            path.unlink(missing_ok=True)

    def cached(self, wanted: Iterable[bytes]) -> dict[bytes, npt.NDArray[np.float16]]:
        """The stored vectors of the wanted keys, from any file."""
        wanted = set(wanted)
        found: dict[bytes, npt.NDArray[np.float16]] = {}
        for name in self.names():
            held = self.read(name) if wanted else None
            if held is None:
                continue
            for row, key in enumerate(held.keys.tolist()):
                if key in wanted:
                    found[key] = held.vectors[row]
                    wanted.discard(key)
        return found

    def fill(self, name: str, texts: Sequence[str], embed: Embed, *, progress: bool = False) -> VectorFile:
        """Return the file of these texts' vectors (``embed``: a model's ``passages`` or ``questions``),
        embedding only those no file holds yet."""
        keys = np.array([text_key(t) for t in texts], dtype=f"S{KEY_BYTES}")
        held = self.read(name)
        if held is not None and np.array_equal(held.keys, keys):
            return held
        known = self.cached(keys.tolist())
        vectors = np.zeros((len(texts), self.dim), dtype=STORED)
        missing = []
        for row, key in enumerate(keys.tolist()):
            if key in known:
                vectors[row] = known[key]
            else:
                missing.append(row)
        embed_rows(vectors, missing, texts, embed, progress=progress, label=name)
        return self.write(name, keys, vectors)

    def prune(self, keep: set[str]) -> None:
        """Delete the files not in ``keep`` whose every row a kept file holds (a refresh's leftovers)."""
        kept = [f for f in (self.read(n) for n in keep) if f is not None]
        held = {key for f in kept for key in f.keys.tolist()}
        for name in self.names():
            old = self.read(name) if name not in keep else None
            if old is not None and held.issuperset(old.keys.tolist()):
                self.remove(name)
        for tmp in self.folder.glob(f"{_TMP}*") if self.folder.is_dir() else ():
            tmp.unlink(missing_ok=True)


def embed_rows(
    out: npt.NDArray[np.float16],
    rows: Sequence[int],
    texts: Sequence[str],
    embed: Embed,
    *,
    progress: bool,
    label: str,
) -> None:
    """Embed ``texts[rows]`` into ``out[rows]`` in batches, with a progress bar and its ETA when asked."""
    if not rows:
        return
    bar = tqdm(total=len(rows), desc=f"embedding {label}", unit="passage", disable=not progress, leave=False)
    with bar:
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            out[batch] = embed([texts[i] for i in batch])
            bar.update(len(batch))
