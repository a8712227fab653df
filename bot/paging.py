"""Which passage an answer screen shows: one passage per screen, the short answer's first.

The archive is asked for PER_ASK results at a time; screen n shows result n of the ranked list, except
that the first batch puts the passage holding the short answer in front. Pure functions over Answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retrieval import Answer, Hit

PER_ASK = 3  # results fetched per search: the first holds what the short answer and lists look at
MAX_SCREENS = 60  # "更多" pages through the first results only; deeper is rarely useful


def batch_start(screen: int) -> int:
    """Return the offset of the search that holds a screen's result."""
    return screen - screen % PER_ASK


def ordered(answer: Answer) -> list[Hit]:
    """Return the answer's passages in screen order: in the first batch, the short answer's first."""
    hits = list(answer.hits)
    short = answer.short_answer
    if short is not None and hits and hits[0].rank == 1:
        at = next((i for i, hit in enumerate(hits) if hit.rank == short.rank), 0)
        hits.insert(0, hits.pop(at))
    return hits


def screen_hit(answer: Answer, screen: int) -> Hit | None:
    """Return the passage a screen shows, from the answer of its batch's search (None past the end)."""
    hits = ordered(answer)
    at = screen - batch_start(screen)
    return hits[at] if 0 <= at < len(hits) else None


def screens(answer: Answer) -> int:
    """Return how many screens an answer has (its relevant passages, up to MAX_SCREENS)."""
    return min(max(answer.relevant, len(answer.hits)), MAX_SCREENS)
