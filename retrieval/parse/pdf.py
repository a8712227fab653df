"""Read an e-paper PDF: bytes -> the glyphs of its text layer with their positions and font sizes, the
boxes of its images, and its document metadata. The one entry point to pdfplumber.

pdfplumber (over pdfminer.six) is optional at run time: without it a PDF page is refused by name, with
the reason, and text pages are read as before.
"""

from __future__ import annotations

import functools
import io
import logging
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from retrieval.errors import PageUnreadable

log = logging.getLogger(__name__)


# A page with fewer characters than this in its text layer is a scan (an image of text), not text.
MIN_TEXT_CHARS = 20


@dataclass(frozen=True)
class Glyph:
    """One character of the text layer: its text, box (points, y down from the page top) and size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float


@dataclass(frozen=True)
class Box:
    """A rectangle on a page (an image), in the glyphs' coordinates."""

    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class PdfPage:
    """One page of a PDF: its glyphs and image boxes."""

    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    images: tuple[Box, ...]


@dataclass(frozen=True)
class PdfDocument:
    """A PDF's pages and its document information (Title, Subject, CreationDate ... as text)."""

    pages: tuple[PdfPage, ...]
    info: dict[str, str]


def _glyph(char: dict[str, Any]) -> Glyph:
    return Glyph(
        str(char["text"]),
        float(char["x0"]),
        float(char["x1"]),
        float(char["top"]),
        float(char["bottom"]),
        round(float(char["size"]), 1),
    )


def _info_text(value: object) -> str:
    """A metadata value as text (pdfminer hands out bytes for some producers' strings)."""
    if isinstance(value, bytes):
        for encoding in ("utf-16", "utf-8", "gb18030"):
            try:
                return value.decode(encoding).strip("\x00 ")
            except UnicodeDecodeError:
                continue
        return ""
    return str(value).strip()


def _page(page: Any) -> PdfPage:
    glyphs = tuple(_glyph(c) for c in page.chars if str(c.get("text", "")).strip())
    images = tuple(
        Box(float(i["x0"]), float(i["x1"]), float(i["top"]), float(i["bottom"])) for i in page.images
    )
    return PdfPage(float(page.width), float(page.height), glyphs, images)


@functools.cache
def pdfplumber() -> ModuleType | None:
    """pdfplumber, imported when the first PDF is read (it is heavy, and text pages never need it);
    None, with a log line, where it is not installed."""
    try:
        import pdfplumber
    except ImportError:
        log.warning("pdfplumber is not installed: PDF pages are refused (pip install pdfplumber)")
        return None
    return pdfplumber


def read_pdf(data: bytes, name: str) -> PdfDocument:
    """Read a PDF's text layer; raise PageUnreadable naming the file when it is corrupt, encrypted, a
    scan without text, or when pdfplumber is missing."""
    library = pdfplumber()
    if library is None:
        raise PageUnreadable(f"{name}: PDF pages need pdfplumber, which is not installed")
    try:
        with library.open(io.BytesIO(data)) as pdf:
            pages = tuple(_page(p) for p in pdf.pages)
            info = {str(k): _info_text(v) for k, v in (pdf.metadata or {}).items()}
    except Exception as exc:  # pdfminer raises many kinds on damaged files; none may stop an index build
        reason = f"{type(exc).__name__}: {exc}"[:200]
        raise PageUnreadable(f"{name}: not a readable PDF, the file is damaged ({reason})") from exc
    if not pages:
        raise PageUnreadable(f"{name}: the PDF has no pages")
    glyphs = [g for p in pages for g in p.glyphs]
    if len(glyphs) < MIN_TEXT_CHARS:
        raise PageUnreadable(
            f"{name}: the PDF has no text layer (a scanned image?); OCR is not supported: "
            "add the page as extracted text instead"
        )
    if sum(g.text.startswith("(cid:") for g in glyphs) > len(glyphs) / 2:
        raise PageUnreadable(
            f"{name}: the PDF's fonts do not say which characters they draw (no ToUnicode map): "
            "add the page as extracted text instead"
        )
    return PdfDocument(pages, info)
