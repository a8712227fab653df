"""Change the pages folder: add and remove page files (with their sidecars), each file replaced atomically.

The folder is the archive's source of truth and the index follows it (index/sync.py). A file is copied
under a temporary name that no reader lists (hidden, not ``*.txt`` or ``*.pdf``) and renamed into
place, so an add killed half-way leaves whole pages or none, never half a page, and the index still
serving is untouched.
"""

from __future__ import annotations

import filecmp
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from retrieval.parse.pages import PAGE_SUFFIXES, SIDECAR_SUFFIX, is_page_name

Change = Literal["added", "replaced", "unchanged", "removed"]


@dataclass(frozen=True)
class FolderChange:
    """What happened to one page file."""

    name: str
    change: Change


def _sidecar(path: Path) -> Path:
    return path.with_suffix(SIDECAR_SUFFIX)


def _copy_atomically(src: Path, dest: Path) -> None:
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.part")
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _same(a: Path, b: Path) -> bool:
    return a.exists() == b.exists() and (not a.exists() or filecmp.cmp(a, b, shallow=False))


def add_pages(paths: list[Path], folder: Path) -> list[FolderChange]:
    """Copy page files and their sidecars into the folder; a page of the same name is replaced.

    Raises ValueError, before copying anything, for a path that is not a ``*.txt`` or ``*.pdf`` file.
    """
    bad = [str(p) for p in paths if not is_page_name(p.name) or not p.is_file()]
    if bad:
        kinds = " or ".join(f"*{s}" for s in PAGE_SUFFIXES)
        raise ValueError(f"not a page file ({kinds}): {', '.join(bad)}")
    folder.mkdir(parents=True, exist_ok=True)
    changes = []
    for src in paths:
        dest = folder / src.name
        if dest.exists() and _same(src, dest) and _same(_sidecar(src), _sidecar(dest)):
            changes.append(FolderChange(src.name, "unchanged"))
            continue
        existed = dest.exists()
        # The sidecar first: a page must never be seen without the metadata that goes with it.
        if _sidecar(src).exists():
            _copy_atomically(_sidecar(src), _sidecar(dest))
        else:
            _sidecar(dest).unlink(missing_ok=True)
        _copy_atomically(src, dest)
        changes.append(FolderChange(src.name, "replaced" if existed else "added"))
    return changes


def remove_pages(names: list[str], folder: Path) -> list[FolderChange]:
    """Delete pages (by file name, or a path whose name is used) and their sidecars from the folder.

    Raises ValueError, before deleting anything, naming the pages the folder does not hold.
    """
    targets = [folder / Path(name).name for name in names]
    missing = [t.name for t in targets if not is_page_name(t.name) or not t.is_file()]
    if missing:
        raise ValueError(f"no such page in {folder}: {', '.join(missing)}")
    for target in targets:
        target.unlink()  # the page first: a sidecar without its page is ignored
        _sidecar(target).unlink(missing_ok=True)
    return [FolderChange(t.name, "removed") for t in targets]
