"""Reading order of a PDF page: glyphs -> text rows, column by column (pure geometry, no text rules).

A recursive XY cut. A region's glyphs fall into strips (runs of lines that overlap vertically); strips
with the same column gutters form a band; a band with gutters is cut into columns, each read as a
region of its own, and a band without is read row by row. So a headline spanning two columns is read
before both, the columns one after the other, and two articles side by side one after the other.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count

from retrieval.parse.pdf import Glyph

Interval = tuple[float, float]
# A gutter is at least this wide relative to the type beside it (and to the body type).
_GUTTER_EM = 1.0
_MIN_GUTTER_BODY = 0.6
# White space this tall across a whole region (in body ems) parts what is above from what is below.
_BREAK_EM = 2.0
# A space is written between two glyphs of a row this far apart (in ems).
_SPACE_EM = 0.15


@dataclass(frozen=True)
class Row:
    """One printed line of a column, left to right, with the bounds of the column it stands in."""

    glyphs: tuple[Glyph, ...]
    column: int  # rows of one column (or one full-width run) share this number
    left: float  # the column's bounds
    right: float

    @property
    def text(self) -> str:
        """The row's characters, a space where the print leaves one."""
        out: list[str] = []
        for prev, g in zip((None, *self.glyphs), self.glyphs, strict=False):
            if prev is not None and g.x0 - prev.x1 > _SPACE_EM * max(g.size, prev.size):
                out.append(" ")
            out.append(g.text)
        return "".join(out)

    @property
    def size(self) -> float:
        """The row's type size (the median of its glyphs')."""
        return statistics.median(g.size for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def top(self) -> float:
        return min(g.top for g in self.glyphs)

    @property
    def bottom(self) -> float:
        return max(g.bottom for g in self.glyphs)


@dataclass
class _Band:
    strips: list[list[Glyph]]
    free: list[Interval]
    lo: float
    hi: float
    cuts: list[Interval] = field(default_factory=list)


def body_size(glyphs: Sequence[Glyph]) -> float:
    """The body type's size: the size most characters are printed in."""
    return statistics.mode(round(g.size * 2) / 2 for g in glyphs)


def strips(glyphs: Sequence[Glyph]) -> list[list[Glyph]]:
    """Group glyphs into horizontal strips whose (slightly shrunk) vertical extents overlap."""
    out: list[list[Glyph]] = []
    end = float("-inf")
    for g in sorted(glyphs, key=lambda g: g.top):
        pad = 0.15 * (g.bottom - g.top)
        if out and g.top + pad < end:
            out[-1].append(g)
            end = max(end, g.bottom - pad)
        else:
            out.append([g])
            end = g.bottom - pad
    return out


def _free(strip: Sequence[Glyph], lo: float, hi: float, body: float) -> list[Interval]:
    """The strip's free x-intervals within [lo, hi]: its margins and the gaps wide enough for a gutter."""
    xs = sorted(strip, key=lambda g: g.x0)
    free: list[Interval] = [(lo, xs[0].x0)]
    reach, size = xs[0].x1, xs[0].size
    for g in xs[1:]:
        if g.x0 - reach >= max(_GUTTER_EM * max(size, g.size), _MIN_GUTTER_BODY * body):
            free.append((reach, g.x0))
        if g.x1 > reach:
            reach, size = g.x1, g.size
    free.append((reach, hi))
    return free


def _intersect(a: list[Interval], b: list[Interval]) -> list[Interval]:
    return [(max(x0, y0), min(x1, y1)) for x0, x1 in a for y0, y1 in b if min(x1, y1) > max(x0, y0)]


def _cuts(free: list[Interval], lo: float, hi: float, body: float) -> list[Interval]:
    """The free intervals strictly inside [lo, hi] wide enough to be a gutter."""
    return [(a, b) for a, b in free if a > lo and b < hi and b - a >= _MIN_GUTTER_BODY * body]


def _bands(region: list[list[Glyph]], lo: float, hi: float, body: float) -> list[_Band]:
    """Group consecutive strips that share their column gutters (or, having none, share that), unless
    a wide white space parts them."""
    bands: list[_Band] = []
    end = float("inf")
    for strip in region:
        free = _free(strip, lo, hi, body)
        s_lo, s_hi = min(g.x0 for g in strip), max(g.x1 for g in strip)
        mine = _cuts(free, s_lo, s_hi, body)
        parted = min(g.top for g in strip) - end >= _BREAK_EM * body
        end = max(g.bottom for g in strip)
        if bands and not parted:
            band = bands[-1]
            merged = _intersect(band.free, free)
            m_lo, m_hi = min(band.lo, s_lo), max(band.hi, s_hi)
            together = _cuts(merged, m_lo, m_hi, body)
            if (not band.cuts and not mine) or (band.cuts and together):
                band.strips.append(strip)
                band.free, band.lo, band.hi = merged, m_lo, m_hi
                band.cuts = together if band.cuts else []
                continue
        bands.append(_Band([strip], free, s_lo, s_hi, mine))
    return bands


def _lines(strip: list[Glyph]) -> list[list[Glyph]]:
    """Split a strip into printed lines by the glyphs' vertical centres, each left to right."""
    lines: list[list[Glyph]] = []
    for g in sorted(strip, key=lambda g: (g.top + g.bottom) / 2):
        centre = (g.top + g.bottom) / 2
        if lines and abs(centre - _centre(lines[-1])) < 0.5 * g.size:
            lines[-1].append(g)
        else:
            lines.append([g])
    return [sorted(line, key=lambda g: g.x0) for line in lines]


def _centre(line: list[Glyph]) -> float:
    return statistics.median((g.top + g.bottom) / 2 for g in line)


def reading_order(glyphs: Sequence[Glyph], body: float, ids: count | None = None) -> list[Row]:
    """Return a region's rows in reading order: bands top to bottom, a band's columns left to right."""
    ids = ids if ids is not None else count()
    if not glyphs:
        return []
    lo, hi = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
    rows: list[Row] = []
    for band in _bands(strips(glyphs), lo, hi, body):
        members = [g for s in band.strips for g in s]
        if band.cuts:
            edges = [band.lo, *(x for cut in band.cuts for x in cut), band.hi]
            for a, b in zip(edges[::2], edges[1::2], strict=True):
                part = [g for g in members if a <= (g.x0 + g.x1) / 2 <= b]
                if part:
                    rows.extend(reading_order(part, body, ids))
            continue
        column = next(ids)
        rows.extend(
            Row(tuple(line), column, band.lo, band.hi) for strip in band.strips for line in _lines(strip)
        )
    return rows
