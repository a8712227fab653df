"""Index snapshots on disk, write side: write a new snapshot atomically, then make it current.

A snapshot is built in a hidden temporary directory next to its final place (same filesystem, so the
rename is atomic), fsynced, renamed, and only then published by replacing ``CURRENT``; a crash at any
point leaves the previous snapshot current. Files of an earlier snapshot that did not change are
hard-linked, not written again. The previous snapshot is kept so a reader that opened it just before the
switch keeps working; older ones are deleted (best effort). The layout is described in storage.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from retrieval.errors import IndexDamaged
from retrieval.index.storage import (
    CURRENT,
    FILE_NAME,
    FORMAT_VERSION,
    LOCK_FILE,
    MANIFEST,
    RESERVED_KEYS,
    SNAPSHOT_ID,
    STALE_TMP_SECONDS,
    TMP_PREFIX,
    Snapshot,
    read_current,
    sha256_file,
)

try:  # POSIX only; elsewhere concurrent writers are simply not serialized.
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


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
    if not FILE_NAME.fullmatch(name) or name == MANIFEST:
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
    with open(root / LOCK_FILE, "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _new_snapshot_id() -> str:
    # Sorts chronologically for humans; the random tail keeps two writes in one microsecond apart.
    return f"snap-{datetime.now(UTC):%Y%m%dT%H%M%S%f}Z-{secrets.token_hex(4)}"


def _point_current(root: Path, snapshot_id: str, manifest_sha256: str) -> None:
    """Publish a snapshot: write CURRENT beside itself, then atomically replace it."""
    tmp = root / f"{TMP_PREFIX}{CURRENT}-{secrets.token_hex(4)}"
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
            if SNAPSHOT_ID.fullmatch(entry.name) and entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(TMP_PREFIX):
                with contextlib.suppress(OSError):
                    if now - entry.lstat().st_mtime > STALE_TMP_SECONDS:
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
    reuse = reuse or {}
    files = _payloads(arrays, documents, manifest, reuse)
    root.mkdir(parents=True, exist_ok=True)
    with _writer_lock(root):
        previous = None
        with contextlib.suppress(IndexDamaged):
            previous = read_current(root)[0]
        snapshot_id = _new_snapshot_id()
        tmp = root / f"{TMP_PREFIX}{snapshot_id}"
        tmp.mkdir()
        try:
            body = _fill(tmp, snapshot_id, files, reuse, manifest)
            final = root / snapshot_id
            os.rename(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        _fsync_dir(root)
        _point_current(root, snapshot_id, hashlib.sha256(body).hexdigest())
        _cleanup(root, keep={snapshot_id} | ({previous} if previous else set()))
    return final


def _payloads(
    arrays: Mapping[str, np.ndarray],
    documents: Mapping[str, bytes | str],
    manifest: Mapping[str, Any],
    reuse: Mapping[str, Snapshot],
) -> dict[str, bytes | np.ndarray]:
    """Return the files to write by file name, checked: plain names, no pickle, no clash."""
    clash = RESERVED_KEYS.intersection(manifest)
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
    for name in reuse:
        if name in files:
            raise ValueError(f"file {name!r} is both written and reused")
    return files


def _fill(
    tmp: Path,
    snapshot_id: str,
    files: Mapping[str, bytes | np.ndarray],
    reuse: Mapping[str, Snapshot],
    manifest: Mapping[str, Any],
) -> bytes:
    """Write the files, link the reused ones and write the manifest into ``tmp``; return the manifest."""
    entries = {}
    for name, payload in files.items():
        entries[name] = {
            "kind": "array" if isinstance(payload, np.ndarray) else "document",
            **_write_file(tmp / name, payload),
        }
    for name, source in reuse.items():
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
    return body


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
        if sha256_file(dest) != entry["sha256"]:
            raise IndexDamaged(f"{src}: sha256 mismatch, the file is corrupt") from None
    if dest.stat().st_size != entry["size"]:
        raise IndexDamaged(f"{src}: size {dest.stat().st_size} bytes, manifest says {entry['size']}")
    return dict(entry)
