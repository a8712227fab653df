"""Records stored as one byte blob plus offsets: a sequence decoded one item at a time, on demand.

A million chunks decoded up front would take seconds and a gigabyte; memory-mapped, the blob costs
nothing until an answer reads its few passages. Items are JSON objects, one after another;
records moved into a new segment are copied as bytes, never re-encoded.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar, overload

import numpy as np
import numpy.typing as npt

from retrieval.errors import IndexDamaged

T = TypeVar("T")
Blob = npt.NDArray[np.uint8]
Offsets = npt.NDArray[np.int64]


def encode(items: Iterable[dict[str, Any]]) -> tuple[Blob, Offsets]:
    """Encode JSON-able dicts into (blob, offsets): item i is blob[offsets[i]:offsets[i+1]]."""
    parts = [json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode() for item in items]
    offsets = np.zeros(len(parts) + 1, dtype=np.int64)
    np.cumsum([len(p) for p in parts], out=offsets[1:])
    return np.frombuffer(b"".join(parts), dtype=np.uint8), offsets


def concat(pieces: Sequence[tuple[Blob, Offsets]]) -> tuple[Blob, Offsets]:
    """Join (blob, offsets) pieces into one, copying bytes without decoding them."""
    pieces = [(blob, offsets) for blob, offsets in pieces if len(offsets) > 1]
    blobs = [blob[offsets[0] : offsets[-1]] for blob, offsets in pieces]
    parts, start = [np.zeros(1, dtype=np.int64)], 0
    for (_, offsets), blob in zip(pieces, blobs, strict=True):
        parts.append(offsets[1:] - offsets[0] + start)
        start += len(blob)
    joined = np.concatenate(blobs) if blobs else np.empty(0, dtype=np.uint8)
    return joined, np.concatenate(parts).astype(np.int64)


class _Decoded(Sequence[T]):
    """A read-only sequence whose item i is ``make(raw(i), i)``: what Records and Joined share."""

    _make: Callable[[dict[str, Any], int], T]

    def raw(self, i: int) -> dict[str, Any]:
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> T: ...
    @overload
    def __getitem__(self, i: slice) -> list[T]: ...
    def __getitem__(self, i: int | slice) -> T | list[T]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(f"record {i} out of range ({len(self)} records)")
        try:
            return self._make(self.raw(i), i)
        except (TypeError, KeyError, ValueError) as exc:
            raise IndexDamaged(f"record {i} does not fit its type ({exc})") from exc

    def __iter__(self) -> Iterator[T]:
        return (self[i] for i in range(len(self)))


class Records(_Decoded[T]):
    """A read-only sequence over (blob, offsets); ``make(raw dict, position)`` builds each item."""

    def __init__(self, blob: Blob, offsets: Offsets, make: Callable[[dict[str, Any], int], T]) -> None:
        if offsets.ndim != 1 or len(offsets) == 0 or offsets[0] != 0 or offsets[-1] != len(blob):
            raise IndexDamaged(f"record offsets do not span the blob ({len(blob)} bytes)")
        # Plain ndarray views of memory maps: slicing a np.memmap costs microseconds per item.
        self.blob = np.asarray(blob)
        self.offsets = np.asarray(offsets)
        self._make = make

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def raw(self, i: int) -> dict[str, Any]:
        """Return item i as its stored dict."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        try:
            raw = json.loads(self.blob[lo:hi].tobytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise IndexDamaged(f"record {i} is unreadable ({exc})") from exc
        if not isinstance(raw, dict):
            raise IndexDamaged(f"record {i} is not an object")
        return raw

    def slice(self, lo: int, hi: int) -> tuple[Blob, Offsets]:
        """Return items lo..hi-1 as a (blob, offsets) piece for ``concat``."""
        return self.blob, self.offsets[lo : hi + 1]


class Joined(_Decoded[T]):
    """Runs of items of several ``Records``, read as one sequence numbered from 0.

    An archive's live chunks are runs of its segments' records (dead pages left out): ``runs`` are
    (records, lo, hi) in order, and item i is built with its position in the joined sequence.
    """

    def __init__(
        self, runs: Sequence[tuple[Records[Any], int, int]], make: Callable[[dict[str, Any], int], T]
    ):
        self.runs = [(r, lo, hi) for r, lo, hi in runs if hi > lo]
        self._starts = np.cumsum([0] + [hi - lo for _, lo, hi in self.runs]).tolist()
        self._make = make

    def __len__(self) -> int:
        return self._starts[-1]

    def locate(self, i: int) -> tuple[Records[Any], int]:
        """Return the records holding item i and its position there."""
        run = bisect.bisect_right(self._starts, i) - 1
        records, lo, _ = self.runs[run]
        return records, lo + i - self._starts[run]

    def raw(self, i: int) -> dict[str, Any]:
        records, local = self.locate(i)
        return records.raw(local)
