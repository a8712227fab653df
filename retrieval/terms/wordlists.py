"""The hand-kept word lists shipped in `retrieval/data/`: file name -> lines, and the lists built on them.

One reader for every list, so a comment or a blank line means the same in each: lines starting with `#`
and blank lines are skipped.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent.parent / "data"  # package data (pyproject: retrieval/data/*)


def data_lines(name: str) -> list[str]:
    """Return the lines of a word list in `retrieval/data/`, without blank lines and `#` comment lines."""
    text = (DATA_DIR / name).read_text(encoding="utf-8")
    return [ln.rstrip("\r") for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


@cache
def stopwords() -> frozenset[str]:
    """Return the function words dropped from pages and questions."""
    return frozenset(w for ln in data_lines("stopwords.txt") for w in ln.split())


@cache
def question_words() -> frozenset[str]:
    """Return the words that only make a question a question (什么, 多少, 吗 ...)."""
    return frozenset(w for ln in data_lines("question_words.txt") for w in ln.split())


@cache
def hand_terms() -> tuple[str, ...]:
    """Return the hand-kept domain terms."""
    return tuple(ln.strip() for ln in data_lines("terms.txt"))


@cache
def alias_groups() -> tuple[tuple[str, ...], ...]:
    """Return groups of names that mean the same thing."""
    return tuple(tuple(ln.split()) for ln in data_lines("aliases.txt"))
