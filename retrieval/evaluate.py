"""Score the archive on a question file: JSONL questions -> hit@1, hit@3, MRR, citations, refusals.

A question is `{"q", "evidence": [...], "title", "kind"}`; `title` null means the archive cannot answer
it and should refuse. A result is a hit when its passage contains one of the evidence strings
(whitespace ignored); its citation is right when its headline contains `title` (`"photo"` for a caption).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.models import Answer, Hit

MRR_DEPTH = 10


@dataclass(frozen=True)
class Question:
    """One line of a question file."""

    q: str
    evidence: tuple[str, ...]
    title: str | None
    kind: str = "other"


@dataclass(frozen=True)
class Outcome:
    """How the archive did on one question."""

    question: Question
    answered: bool
    first_hit: int | None  # rank of the first passage holding the evidence, within MRR_DEPTH
    cited_right: bool | None  # the first hit's headline is the expected one (None if no hit)


def read_questions(path: Path) -> list[Question]:
    """Read a JSONL question file."""
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            out.append(
                Question(
                    raw["q"], tuple(raw.get("evidence") or ()), raw.get("title"), raw.get("kind", "other")
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {n}: not a question object ({exc})") from exc
    return out


def _squash(text: str) -> str:
    return "".join(text.split())


def is_hit(hit: Hit, question: Question) -> bool:
    """Tell whether a passage, or the byline its citation shows (who wrote it, who took the photo), holds
    one of the question's evidence strings."""
    text = _squash(hit.chunk.text + (hit.chunk.byline or ""))
    return any(_squash(e) in text for e in question.evidence)


def is_cited_right(hit: Hit, question: Question) -> bool:
    """Tell whether a passage cites the expected article."""
    if question.title == "photo":
        return not hit.chunk.title
    return bool(question.title) and _squash(question.title) in _squash(hit.chunk.title)


def judge(question: Question, answer: Answer) -> Outcome:
    """Judge one answer (asked with at least MRR_DEPTH results)."""
    first = next((h for h in answer.hits if is_hit(h, question)), None)
    return Outcome(
        question,
        answer.answered,
        first.rank if first else None,
        is_cited_right(first, question) if first else None,
    )


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def summarize(outcomes: Iterable[Outcome]) -> dict[str, float | int | None]:
    """Return the metrics over a set of outcomes."""
    outcomes = list(outcomes)
    answerable = [o for o in outcomes if o.question.title is not None]
    unanswerable = [o for o in outcomes if o.question.title is None]
    shown = [o for o in answerable if o.answered]
    hits = [o for o in shown if o.first_hit is not None]
    return {
        "questions": len(outcomes),
        "hit@1": _ratio(sum(o.first_hit == 1 for o in shown), len(answerable)),
        "hit@3": _ratio(sum(o.first_hit is not None and o.first_hit <= 3 for o in shown), len(answerable)),
        "mrr": _ratio(0, 1)
        if not answerable
        else round(sum(1 / o.first_hit for o in hits) / len(answerable), 3),
        "citation_accuracy": _ratio(sum(bool(o.cited_right) for o in hits), len(hits)),
        "refused_unanswerable": _ratio(sum(not o.answered for o in unanswerable), len(unanswerable)),
        "refused_answerable": _ratio(sum(not o.answered for o in answerable), len(answerable)),
    }


def evaluate(
    questions: list[Question], ask: Callable[[str], Answer]
) -> dict[str, dict[str, float | int | None]]:
    """Ask every question and return metrics overall and per kind."""
    outcomes = [judge(q, ask(q.q)) for q in questions]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.question.kind].append(o)
    report = {"overall": summarize(outcomes)}
    report.update({kind: summarize(group) for kind, group in sorted(by_kind.items())})
    return report
