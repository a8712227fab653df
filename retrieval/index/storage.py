"""Index snapshots on disk, read side: an index directory, versioned, and verified before it is trusted.

Layout under ``root``::

    CURRENT                 "<snapshot-id>\\n<sha256 of its manifest.json>\\n", replaced atomically
    <snapshot-id>/          one complete snapshot, never modified once named
        manifest.json       format_version, the caller's fields, size + sha256 of every file
        <array>.npy         np.save(allow_pickle=False)
        <document>          raw bytes (str is stored as UTF-8)

A file that did not change since an earlier snapshot (a segment of a large index) is hard-linked into
the new one rather than written again: files are never modified once named, so sharing them is safe.

A snapshot is built in a hidden temporary directory next to its final place (same filesystem, so the
rename is atomic), fsynced, renamed, and only then published by replacing ``CURRENT``. A crash at any
point leaves the previous snapshot current. The previous snapshot is kept so a reader that opened it just
before the switch keeps working; older ones are deleted (best effort).

Writing a snapshot is publish.py's job; reading it needs nothing of that module. Nothing here knows what
the arrays or documents mean, and nothing is ever pickled: object arrays are refused on write and on load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from retrieval.errors import IndexDamaged

FORMAT_VERSION = 1

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK_FILE = ".lock"
TMP_PREFIX = ".tmp-"
# Names of arrays and documents become file names: keep them plain (no paths, no hidden files).
FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")
SNAPSHOT_ID = re.compile(r"snap-\d{8}T\d{6}\d{6}Z-[0-9a-f]{8}")
RESERVED_KEYS = frozenset({"format_version", "snapshot_id", "created_utc", "files"})
HASH_BLOCK = 1 << 20  # hash in 1 MiB reads: a 1 GB index verifies in about a second, in constant memory
STALE_TMP_SECONDS = 3600  # a temp dir this old belongs to a crashed writer, not a running one

Verify = bool | Literal["size"]


@dataclass(frozen=True)
class Snapshot:
    """One loaded snapshot: arrays (memory-mapped by default) and documents read on demand."""

    path: Path
    manifest: dict[str, Any]  # the whole manifest.json, caller's fields at top level
    arrays: dict[str, np.ndarray]
    documents: tuple[str, ...]  # names; read with read_bytes / read_text

    @property
    def snapshot_id(self) -> str:
        return self.path.name

    def release(self) -> None:
        """Drop this process's mappings of the arrays' pages, so they stop counting as its resident memory.

        The pages stay in the OS page cache (shared, reclaimable) and are mapped again, without disk
        reads, when next read; safe while other threads read the arrays (MADV_DONTNEED on a read-only
        file mapping never loses data).
        """
        release(self.arrays.values())

    def read_bytes(self, name: str) -> bytes:
        if name not in self.documents:
            raise KeyError(f"no document {name!r} in snapshot {self.path}")
        try:
            return (self.path / name).read_bytes()
        except OSError as exc:
            raise IndexDamaged(f"{self.path / name}: cannot read document ({exc})") from exc

    def read_text(self, name: str) -> str:
        data = self.read_bytes(name)
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise IndexDamaged(f"{self.path / name}: not valid UTF-8 ({exc})") from exc


def read_current(root: Path) -> tuple[str, str]:
    """(snapshot id, manifest sha256) named by CURRENT, or IndexDamaged."""
    pointer = root / CURRENT
    try:
        text = pointer.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise IndexDamaged(f"{pointer}: missing, so there is no current index in {root}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"{pointer}: unreadable ({exc})") from exc
    lines = text.split("\n")
    if len(lines) != 3 or lines[2] != "" or not SNAPSHOT_ID.fullmatch(lines[0]):
        raise IndexDamaged(f"{pointer}: expected '<snapshot-id>\\n<sha256>\\n', got {text[:200]!r}")
    if not re.fullmatch(r"[0-9a-f]{64}", lines[1]):
        raise IndexDamaged(f"{pointer}: second line is not a sha256 hex digest: {lines[1][:100]!r}")
    return lines[0], lines[1]


def current_snapshot_id(root: Path) -> str | None:
    """Return the id of the snapshot CURRENT names, or None when there is none or CURRENT is unreadable.

    Cheap (one small file read), so a server may poll it to notice that another process published a new
    index; ``read_snapshot`` still verifies whatever it then opens.
    """
    try:
        return read_current(Path(root))[0]
    except IndexDamaged:
        return None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(HASH_BLOCK):
            digest.update(chunk)
    return digest.hexdigest()


def _advise(arr: np.ndarray, advice: str) -> None:
    """Give the kernel advice (an ``mmap.MADV_*`` name) about a memory-mapped array; no-op elsewhere.

    ``MADV_RANDOM`` on open: a query touches a few postings and records, and without it every page fault
    also maps the pages around it (readahead, fault-around): serving 242 questions from a million-chunk
    index once kept 1.1 GB of index pages resident instead of 0.28 GB. Files cached in large folios are
    still mapped a folio at a time, which ``Snapshot.release`` undoes.
    """
    mapping = getattr(arr, "_mmap", None)  # np.memmap keeps its mmap.mmap here
    if mapping is not None and hasattr(mmap, advice):
        with contextlib.suppress(OSError, ValueError):
            mapping.madvise(getattr(mmap, advice))


def release(arrays: Iterable[np.ndarray]) -> None:
    """Drop this process's mappings of memory-mapped arrays' pages (see ``Snapshot.release``)."""
    for arr in arrays:
        _advise(arr, "MADV_DONTNEED")


def resident_mb() -> float:
    """This process's resident memory in MB, mapped file pages included (Linux; 0.0 where unknown)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * mmap.PAGESIZE / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _verify_file(file: Path, entry: dict[str, Any], *, checksum: bool) -> None:
    """Check a snapshot file's size (and sha256) against its manifest entry; raise IndexDamaged."""
    try:
        size = file.stat().st_size
    except FileNotFoundError as exc:
        raise IndexDamaged(f"{file}: missing (listed in {MANIFEST})") from exc
    except OSError as exc:
        raise IndexDamaged(f"{file}: cannot stat ({exc})") from exc
    if size != entry["size"]:
        raise IndexDamaged(f"{file}: size {size} bytes, manifest says {entry['size']}")
    if checksum:
        try:
            digest = sha256_file(file)
        except OSError as exc:
            raise IndexDamaged(f"{file}: unreadable ({exc})") from exc
        if digest != entry["sha256"]:
            raise IndexDamaged(f"{file}: sha256 mismatch, the file is corrupt")


def verify_snapshot(snapshot: Snapshot) -> None:
    """Checksum every file of an opened snapshot (on all cores: hashlib releases the GIL); raise IndexDamaged.

    For a snapshot opened with ``verify="size"``: a server starts at once and checks in the background.
    """
    _verify_files(snapshot.path, snapshot.manifest["files"], checksum=True)


def _verify_files(path: Path, files: dict[str, Any], *, checksum: bool) -> None:
    """Check every file's size (and sha256), on all cores; raise IndexDamaged naming the first bad one."""
    if not checksum:  # a stat per file: not worth threads
        for name, entry in files.items():
            _verify_file(path / name, entry, checksum=False)
        return
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        jobs = [pool.submit(_verify_file, path / n, e, checksum=True) for n, e in files.items()]
        for job in jobs:
            job.result()


def _parse_manifest(path: Path, body: bytes, snapshot_id: str) -> dict[str, Any]:
    try:
        manifest = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexDamaged(f"{path}: not valid JSON ({exc})") from exc
    if not isinstance(manifest, dict):
        raise IndexDamaged(f"{path}: expected a JSON object, got {type(manifest).__name__}")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexDamaged(f"{path}: format_version {version!r}, this code reads {FORMAT_VERSION}")
    if manifest.get("snapshot_id") != snapshot_id:
        raise IndexDamaged(f"{path}: snapshot_id {manifest.get('snapshot_id')!r} != {snapshot_id!r}")
    files = manifest.get("files")
    if not isinstance(files, dict):
        raise IndexDamaged(f"{path}: 'files' is missing or not an object")
    for name, entry in files.items():
        ok = (
            isinstance(entry, dict)
            and entry.get("kind") in ("array", "document")
            and (entry.get("kind") == "array") == name.endswith(".npy")
            and FILE_NAME.fullmatch(name) is not None
            and name != MANIFEST
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
        )
        if not ok:
            raise IndexDamaged(f"{path}: malformed entry for file {name!r}: {entry!r}")
    return manifest


def read_snapshot(root: Path, *, verify: Verify = True, mmap: bool = True) -> Snapshot:
    """Open the current snapshot under ``root``; raises IndexDamaged naming the file at fault.

    ``verify=True`` checks the size and sha256 of every file (reads everything once: about a second per
    GB); ``verify="size"`` checks presence and sizes only, for a fast start when the index was verified
    recently; ``verify=False`` trusts the files (loading errors still become IndexDamaged). The manifest
    itself is always checked against the digest in CURRENT, except with ``verify=False``.
    ``mmap=True`` memory-maps arrays read-only; ``mmap=False`` loads them into memory.
    """
    if verify not in (True, False, "size"):
        raise ValueError(f"verify must be True, False or 'size', got {verify!r}")
    root = Path(root)
    snapshot_id, manifest_sha256 = read_current(root)
    path = root / snapshot_id
    if not path.is_dir():
        raise IndexDamaged(f"{root / CURRENT}: points to {snapshot_id}, which is not a directory in {root}")
    manifest_path = path / MANIFEST
    try:
        body = manifest_path.read_bytes()
    except OSError as exc:
        raise IndexDamaged(f"{manifest_path}: unreadable ({exc})") from exc
    if verify is not False and hashlib.sha256(body).hexdigest() != manifest_sha256:
        raise IndexDamaged(f"{manifest_path}: sha256 differs from the digest recorded in {root / CURRENT}")
    manifest = _parse_manifest(manifest_path, body, snapshot_id)

    if verify is not False:
        _verify_files(path, manifest["files"], checksum=verify is True)
    arrays: dict[str, np.ndarray] = {}
    documents: list[str] = []
    for name, entry in manifest["files"].items():
        file = path / name
        if entry["kind"] == "document":
            documents.append(name)
            continue
        try:
            # allow_pickle=False refuses object arrays, so a planted .npy cannot run code.
            arr = np.load(file, mmap_mode="r" if mmap else None, allow_pickle=False)
        except (OSError, ValueError, EOFError) as exc:
            raise IndexDamaged(f"{file}: cannot load array ({exc})") from exc
        _advise(arr, "MADV_RANDOM")
        if not isinstance(arr, np.ndarray) or arr.dtype.hasobject:
            raise IndexDamaged(f"{file}: not a plain numeric array")
        arrays[name.removesuffix(".npy")] = arr
    return Snapshot(path=path, manifest=manifest, arrays=arrays, documents=tuple(documents))
