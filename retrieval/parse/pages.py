"""Read page files from disk: a folder -> list[Page], plus a report of the files that were refused.

The I/O edge of the pipeline. Pages are plain text in UTF-8 or a legacy Chinese encoding (GB18030/GBK
and Big5 are common in archives: charset-normalizer detects them), or e-paper PDFs read by their layout
(pdf_page.py); a `<page>.toml` sidecar beside a page gives its metadata and parser overrides, a
file-name pattern in the settings and a PDF's own metadata what the sidecar leaves out (naming.py).
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from retrieval.errors import PageUnreadable
from retrieval.models import Page, PageMeta
from retrieval.parse.naming import from_name, from_pdf_info, merged
from retrieval.parse.pdf import read_pdf
from retrieval.parse.pdf_page import page_layout

log = logging.getLogger(__name__)

PAGE_SUFFIX = ".txt"
PDF_SUFFIX = ".pdf"
PAGE_SUFFIXES = (PAGE_SUFFIX, PDF_SUFFIX)  # what the pages folder takes (lower case)
SIDECAR_SUFFIX = ".toml"
Stat = tuple[int, int, int, int]  # page size, page mtime_ns, sidecar size, sidecar mtime_ns (-1: none)
_LAYOUTS = ("auto", "headline-after", "headline-first")
# Share of characters that must be CJK, Latin letters, digits or common punctuation for a decoding to
# count as text rather than binary noise.
_MIN_TEXT_SHARE = 0.85


@dataclass(frozen=True)
class Refusal:
    """A file that could not be read as a page, and why."""

    source: str
    reason: str


def decode(data: bytes, name: str) -> str:
    """Decode page bytes: UTF-8 first, else the detected legacy encoding; refuse binary data."""
    if not data.strip():
        raise PageUnreadable(f"{name}: the file is empty")
    if b"\x00" in data:
        raise PageUnreadable(f"{name}: the file is binary (it contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        best = from_bytes(data, cp_isolation=["gb18030", "big5", "utf_16", "cp1252"]).best()
        if best is None:
            raise PageUnreadable(f"{name}: not UTF-8 and no known Chinese encoding fits") from None
        text = str(best)
        if best.encoding.startswith("gb") or best.encoding == "big5":
            log.info("%s: decoded as %s", name, best.encoding)
    printable = sum(ch.isprintable() or ch.isspace() for ch in text)
    if printable / max(len(text), 1) < _MIN_TEXT_SHARE:
        raise PageUnreadable(f"{name}: the file does not look like text")
    return text


def read_sidecar(path: Path) -> dict[str, object]:
    """Read a page's TOML sidecar if there is one (a broken sidecar is reported and ignored)."""
    sidecar = path.with_suffix(SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        return tomllib.loads(sidecar.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        log.warning("%s: sidecar ignored: %s", sidecar.name, exc)
        return {}


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def page_from(name: str, text: str, sidecar: dict[str, object]) -> Page:
    """Build a Page from decoded text and sidecar fields (pure)."""
    meta = PageMeta(
        paper=_str(sidecar.get("paper")),
        date=_str(sidecar.get("date")),
        page_number=_str(sidecar.get("page_number")),
        page_name=_str(sidecar.get("page_name")),
        url=_str(sidecar.get("url")),
    )
    parser = sidecar.get("parser", {})
    if not isinstance(parser, dict):
        parser = {}
    layout = str(parser.get("layout", "auto"))
    if layout not in _LAYOUTS:
        log.warning("%s: unknown layout %r in sidecar, using auto", name, layout)
        layout = "auto"
    return Page(
        source=name,
        text=text,
        meta=meta,
        layout=layout,  # type: ignore[arg-type]
        article_starts=_line_numbers(name, parser, "article_starts"),
        headline_lines=_line_numbers(name, parser, "headline_lines"),
    )


def _line_numbers(name: str, parser: dict[str, object], key: str) -> tuple[int, ...]:
    """Read a list of line numbers from the sidecar's [parser] table; a malformed one is ignored."""
    value = parser.get(key, [])
    if isinstance(value, list) and all(isinstance(n, int) and not isinstance(n, bool) for n in value):
        return tuple(value)
    log.warning("%s: sidecar [parser] %s must be a list of line numbers; ignored", name, key)
    return ()


def is_page_name(name: str) -> bool:
    """Tell whether a file name is a page's: a text page or a PDF."""
    return name.lower().endswith(PAGE_SUFFIXES)


def page_of(name: str, data: bytes, sidecar: dict[str, object], page_names: str = "") -> Page:
    """Build a Page from a page file's bytes (text or PDF) and its sidecar; raise PageUnreadable.

    ``page_names`` is the settings' file-name pattern (naming.py): it and, for a PDF, the PDF's own
    metadata fill in what the sidecar leaves out.
    """
    by_name = from_name(name, page_names)
    if not name.lower().endswith(PDF_SUFFIX):
        return page_from(name, decode(data, name), merged(sidecar, by_name, {}))
    doc = read_pdf(data, name)
    laid = page_layout(doc)
    if not laid.lines:
        raise PageUnreadable(f"{name}: the PDF's text layer holds no readable text")
    marked: dict[str, object] = {
        "layout": "headline-first",
        "article_starts": laid.article_starts,
        "headline_lines": laid.headline_lines,
    }
    parser = sidecar.get("parser")
    # A sidecar's [parser] table replaces what the layout marked (its line numbers are the text's lines,
    # as `chamber-qa articles --json` shows them).
    fields = {**merged(sidecar, by_name, from_pdf_info(doc.info)), "parser": {**marked, **(parser or {})}}
    return page_from(name, "\n".join(laid.lines), fields)


def read_page(path: Path, page_names: str = "") -> Page:
    """Read one page file with its sidecar; raise PageUnreadable naming the file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PageUnreadable(f"{path.name}: cannot be read ({exc.strerror})") from exc
    return page_of(path.name, data, read_sidecar(path), page_names)


def scan(folder: Path) -> dict[str, Stat]:
    """Return each page file of a folder with its stat (and its sidecar's), in name order.

    A page file is a visible ``*.txt`` or ``*.pdf`` file: pages being copied in are hidden until renamed
    into place (parse/folder.py). One directory listing and one stat per file: a million-chunk archive
    has tens of thousands of pages, and this runs each time the archive opens.
    """
    try:
        entries = {e.name: e for e in os.scandir(folder) if not e.name.startswith(".")}
    except FileNotFoundError:
        return {}
    found: dict[str, Stat] = {}
    for name in sorted(n for n in entries if is_page_name(n)):
        try:
            if not entries[name].is_file():
                continue
            page = entries[name].stat()
            side = entries.get(str(Path(name).with_suffix(SIDECAR_SUFFIX)))
            side_stat = (side.stat().st_size, side.stat().st_mtime_ns) if side is not None else (-1, -1)
        except OSError:  # deleted between listing and stat: not a page any more
            continue
        found[name] = (page.st_size, page.st_mtime_ns, *side_stat)
    return found


def read_pages(folder: Path, page_names: str = "") -> tuple[list[Page], list[Refusal]]:
    """Read every page of a folder; a bad file is logged by name and the rest are still read."""
    pages: list[Page] = []
    refused: list[Refusal] = []
    for path in (folder / name for name in scan(folder)):
        try:
            pages.append(read_page(path, page_names))
        except PageUnreadable as exc:
            log.warning("skipped %s", exc)
            refused.append(Refusal(path.name, str(exc)))
    return pages, refused
