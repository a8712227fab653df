"""Page text -> measured lines: each non-blank line squeezed of layout spaces, with its number, its width,
the column measure around it and whether it opens with a paragraph indent; grouped where blank lines
part them. What the layout reading (layout.py) and the masthead (masthead.py) both look at."""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass

from retrieval.parse.text import squeeze_line, width

# Title lines are short phrases: no sentence or clause punctuation outside quotes.
CLAUSE_PUNCT = re.compile(r"[。！？；;，,、：:]")
# A paragraph indent: the line opens with an ideographic space or with two spaces or more.
_INDENT = re.compile(r"^(?:\s*\u3000|[ \t]{2,})")


@dataclass(frozen=True)
class Line:
    """A non-blank source line, squeezed of layout spaces, with its 1-based number."""

    no: int
    text: str
    width: float
    full_width: float  # the typical width of a full line around it (the column measure)
    indented: bool = False  # printed with a paragraph indent: it opens a paragraph

    @property
    def is_short(self) -> bool:
        """Shorter than a full line by more than a paragraph indent."""
        return self.width <= self.full_width - 1.5


def _column_widths(widths: list[float], window: int = 20) -> list[float]:
    """Estimate the column measure around each line: the upper quartile of nearby line widths."""
    out = []
    for i in range(len(widths)):
        near = [w for w in widths[max(0, i - window) : i + window + 1] if w >= 6]
        out.append(statistics.quantiles(near, n=4)[2] if len(near) >= 4 else max(near, default=16.0))
    return out


def read_lines(text: str) -> list[list[Line]]:
    """Split page text into groups of consecutive non-blank lines, each line squeezed and measured."""
    raw = text.splitlines()
    squeezed = [squeeze_line(r) for r in raw]
    numbered = [(i + 1, s) for i, s in enumerate(squeezed) if s]
    measures = _column_widths([width(s) for _, s in numbered])
    lines = {
        no: Line(no, s, width(s), m, bool(_INDENT.match(raw[no - 1])))
        for (no, s), m in zip(numbered, measures, strict=True)
    }
    groups: list[list[Line]] = [[]]
    for no in range(1, len(raw) + 1):
        if no in lines:
            groups[-1].append(lines[no])
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]
