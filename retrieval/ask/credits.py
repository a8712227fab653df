"""Questions about who wrote what (徐鼎烨写了哪些报道？): the passages a question's names are credited on.

A reporter's or contributor's name is searched like any word (the index holds each chunk's byline and
contributors), but a name that bylines several articles weighs little against a common word of the
question (报道); the passages crediting the person asked about are what the question wants.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from retrieval.models import Chunk

T = TypeVar("T")
# Words of a byline that are roles, not names.
BYLINE_ROLES = frozenset({"本报记者", "记者", "通讯员", "实习生", "摄影", "本报讯", "见习记者", "评论员"})


def credits_named(chunk: Chunk, question: str) -> bool:
    """Tell whether a chunk's byline or contributors name someone the question prints (本报记者 魏东雅 ->
    魏东雅), the question prepared as passages are."""
    names = re.findall(r"[\u4e00-\u9fff]{2,4}", chunk.credits)
    return any(name in question for name in names if name not in BYLINE_ROLES)


def credited_first(ranked: Sequence[tuple[Chunk, T]], question: str) -> list[tuple[Chunk, T]]:
    """Put the passages crediting a person the question names before the others, each side in order."""
    named = [credits_named(chunk, question) for chunk, _ in ranked]
    return [item for _, item in sorted(zip(named, ranked, strict=True), key=lambda pair: not pair[0])]
