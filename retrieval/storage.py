"""Storage stage: an index directory written atomically, versioned, and verified before it is trusted.

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

Nothing here knows what the arrays or documents mean, and nothing is ever pickled: object arrays are
refused on write and on load.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal

import numpy as np

from retrieval.errors import IndexDamaged

try:  # POSIX only; elsewhere concurrent writers are simply not serialized.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

FORMAT_VERSION = 1

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
_LOCK = ".lock"
_TMP_PREFIX = ".tmp-"
# Names of arrays and documents become file names: keep them plain (no paths, no hidden files).
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}")
_SNAPSHOT = re.compile(r"snap-\d{8}T\d{6}\d{6}Z-[0-9a-f]{8}")
_RESERVED = frozenset({"format_version", "snapshot_id", "created_utc", "files"})
_CHUNK = 1 << 20  # hash in 1 MiB reads: a 1 GB index verifies in about a second, in constant memory
_STALE_TMP_SECONDS = 3600  # a temp dir this old belongs to a crashed writer, not a running one

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


class _HashingWriter:
    """A write-only file wrapper that hashes and counts what passes through, so nothing is read back."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes | memoryview) -> int:
        self.sha256.update(data)
        self.size += memoryview(data).nbytes
        return self._raw.write(data)


def _fsync_dir(path: Path) -> None:
    # A rename or a new entry is durable only once the directory itself is synced.
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_name(name: str, kind: str) -> None:
    if not _NAME.fullmatch(name) or name == MANIFEST:
        raise ValueError(f"unusable {kind} name {name!r}: want [A-Za-z0-9_][A-Za-z0-9_.-]*, not {MANIFEST}")
    if kind == "document" and name.endswith(".npy"):
        raise ValueError(f"document name {name!r} must not end in .npy (reserved for arrays)")


def _write_file(path: Path, payload: bytes | np.ndarray) -> dict[str, Any]:
    with open(path, "xb") as raw:
        out = _HashingWriter(raw)
        if isinstance(payload, np.ndarray):
            np.save(out, payload, allow_pickle=False)  # type: ignore[arg-type]
        else:
            out.write(payload)
        raw.flush()
        os.fsync(raw.fileno())
    return {"size": out.size, "sha256": out.sha256.hexdigest()}


@contextlib.contextmanager
def _writer_lock(root: Path) -> Iterator[None]:
    """Serialize writers: cleanup must not delete a snapshot another writer is about to publish."""
    if fcntl is None:  # pragma: no cover
        yield
        return
    with open(root / _LOCK, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _new_snapshot_id() -> str:
    # Sorts chronologically for humans; the random tail keeps two writes in one microsecond apart.
    return f"snap-{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"


def _read_current(root: Path) -> tuple[str, str]:
    """(snapshot id, manifest sha256) named by CURRENT, or IndexDamaged."""
    pointer = root / CURRENT
    try:
        text = pointer.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise IndexDamaged(f"{pointer}: missing, so there is no current index in {root}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise IndexDamaged(f"{pointer}: unreadable ({exc})") from exc
    lines = text.split("\n")
    if len(lines) != 3 or lines[2] != "" or not _SNAPSHOT.fullmatch(lines[0]):
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
        return _read_current(Path(root))[0]
    except IndexDamaged:
        return None


def _point_current(root: Path, snapshot_id: str, manifest_sha256: str) -> None:
    """Publish a snapshot: write CURRENT beside itself, then atomically replace it."""
    tmp = root / f"{_TMP_PREFIX}{CURRENT}-{secrets.token_hex(4)}"
    with open(tmp, "xb") as f:
        f.write(f"{snapshot_id}\n{manifest_sha256}\n".encode())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, root / CURRENT)
    _fsync_dir(root)


def _cleanup(root: Path, keep: set[str]) -> None:
    """Delete snapshots other than ``keep`` and temporaries of crashed writers; never raises."""
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in root.iterdir():
            if entry.name in keep:
                continue
            if _SNAPSHOT.fullmatch(entry.name) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(_TMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.lstat().st_mtime > _STALE_TMP_SECONDS:
                        if entry.is_dir() and not entry.is_symlink():
                            shutil.rmtree(entry, ignore_errors=True)
                        else:
                            entry.unlink()


def write_snapshot(
    root: Path,
    arrays: Mapping[str, np.ndarray],
    documents: Mapping[str, bytes | str],
    manifest: Mapping[str, Any],
    reuse: Mapping[str, Snapshot] | None = None,
) -> Path:
    """Write a new snapshot under ``root`` and make it current; returns its directory.

    ``arrays`` are saved as ``<name>.npy``; ``documents`` as files named ``<name>`` (str as UTF-8);
    ``reuse`` names files (``x.npy`` for an array) to take unchanged from an earlier snapshot.
    ``manifest`` fields must be JSON-serializable and must not use the reserved keys
    ``format_version``, ``snapshot_id``, ``created_utc``, ``files``.
    """
    root = Path(root)
    clash = _RESERVED.intersection(manifest)
    if clash:
        raise ValueError(f"manifest keys reserved by storage: {sorted(clash)}")
    files: dict[str, bytes | np.ndarray] = {}
    for name, arr in arrays.items():
        _check_name(name, "array")
        arr = np.asanyarray(arr)
        if arr.dtype.hasobject:
            raise ValueError(f"array {name!r} has dtype {arr.dtype}: object arrays would need pickle")
        files[name + ".npy"] = arr
    for name, doc in documents.items():
        _check_name(name, "document")
        if name in files:
            raise ValueError(f"document {name!r} collides with an array file")
        files[name] = doc.encode("utf-8") if isinstance(doc, str) else bytes(doc)

    for name in reuse or {}:
        if name in files:
            raise ValueError(f"file {name!r} is both written and reused")
    root.mkdir(parents=True, exist_ok=True)
    with _writer_lock(root):
        previous = None
        with contextlib.suppress(IndexDamaged):
            previous = _read_current(root)[0]
        snapshot_id = _new_snapshot_id()
        tmp = root / f"{_TMP_PREFIX}{snapshot_id}"
        tmp.mkdir()
        try:
            entries = {}
            for name, payload in files.items():
                entries[name] = {
                    "kind": "array" if isinstance(payload, np.ndarray) else "document",
                    **_write_file(tmp / name, payload),
                }
            for name, source in (reuse or {}).items():
                entries[name] = _reuse_file(source, name, tmp / name)
            full = {
                "format_version": FORMAT_VERSION,
                "snapshot_id": snapshot_id,
                "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
                **manifest,
                "files": entries,
            }
            body = (json.dumps(full, ensure_ascii=False, indent=2, allow_nan=False) + "\n").encode()
            _write_file(tmp / MANIFEST, body)
            _fsync_dir(tmp)
            final = root / snapshot_id
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(root)
        _point_current(root, snapshot_id, hashlib.sha256(body).hexdigest())
        _cleanup(root, keep={snapshot_id} | ({previous} if previous else set()))
    return final


def _reuse_file(source: Snapshot, name: str, dest: Path) -> dict[str, Any]:
    """Hard-link a file of an earlier snapshot into a new one (copy it where links fail); its entry."""
    entry = source.manifest["files"].get(name)
    if entry is None:
        raise KeyError(f"no file {name!r} in snapshot {source.path}")
    src = source.path / name
    try:
        os.link(src, dest)
    except FileNotFoundError as exc:
        raise IndexDamaged(f"{src}: gone (the snapshot was replaced meanwhile: run again)") from exc
    except OSError:  # a filesystem without hard links
        shutil.copyfile(src, dest)
        if _sha256_file(dest) != entry["sha256"]:
            raise IndexDamaged(f"{src}: sha256 mismatch, the file is corrupt") from None
    if dest.stat().st_size != entry["size"]:
        raise IndexDamaged(f"{src}: size {dest.stat().st_size} bytes, manifest says {entry['size']}")
    return dict(entry)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
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
            digest = _sha256_file(file)
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
            and _NAME.fullmatch(name) is not None
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
    snapshot_id, manifest_sha256 = _read_current(root)
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
