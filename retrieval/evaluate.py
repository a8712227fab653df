"""Score the archive on a question file: JSONL questions -> hit@1, hit@3, MRR, citations, refusals, short
answers, lists and follow-ups.

A question is `{"q", "evidence": [...], "title", "kind"}`; `title` null means the archive cannot answer
it and should refuse. A result is a hit when its passage contains one of the evidence strings
(whitespace ignored); its citation is right when its headline contains `title` (`"photo"` for a caption).
Optional fields: `answer`, the short answer's accepted cores (["5家"]), and `items`, a list's items.
A line `{"dialogue": [question, ...]}` is a conversation: its questions are asked in order, each in the
light of the earlier ones; those after the first are scored as follow-ups.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.models import Answer, Conversation, Hit

MRR_DEPTH = 10
# A short answer is right when it holds an accepted core and adds at most this many characters to it
# (仅需5分钟 for 5分钟, 近30家 for 30家); a whole clause around the core is no short answer.
SHORT_ANSWER_SLACK = 8


@dataclass(frozen=True)
class Question:
    """One line of a question file."""

    q: str
    evidence: tuple[str, ...]
    title: str | None
    kind: str = "other"
    answer: tuple[str, ...] = ()  # the short answer's accepted cores, when it asks for one
    items: tuple[str, ...] = ()  # a list's items, when it asks for one
    turn: int = 0  # its place in a conversation (0: asked on its own or first)
    dialogue: int = -1  # which conversation of the file (-1: none)


@dataclass(frozen=True)
class Outcome:
    """How the archive did on one question."""

    question: Question
    answered: bool
    first_hit: int | None  # rank of the first passage holding the evidence, within MRR_DEPTH
    cited_right: bool | None  # the first hit's headline is the expected one (None if no hit)
    short_answer: str | None = None  # what the archive gave as the short answer
    items_found: int = 0  # of the question's list items, how many the answer's list holds


def read_questions(path: Path) -> list[Question]:
    """Read a JSONL question file; a conversation's questions come in order, numbered by turn."""
    out: list[Question] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            if "dialogue" in raw:
                out += [_question(turn, t, n) for t, turn in enumerate(raw["dialogue"])]
            else:
                out.append(_question(raw))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {n}: not a question object ({exc})") from exc
    return out


def _question(raw: dict[str, object], turn: int = 0, dialogue: int = -1) -> Question:
    def strings(key: str) -> tuple[str, ...]:
        value = raw.get(key) or ()
        return (value,) if isinstance(value, str) else tuple(str(v) for v in value)  # type: ignore[attr-defined]

    kind = str(raw.get("kind", "other"))
    return Question(
        str(raw["q"]),
        strings("evidence"),
        None if kind == "unanswerable" else raw.get("title"),  # type: ignore[arg-type]  # no title to find
        kind,
        strings("answer"),
        strings("items"),
        turn,
        dialogue,
    )


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


def is_right_short(given: str, accepted: Iterable[str]) -> bool:
    """Tell whether a short answer holds an accepted core and little more (SHORT_ANSWER_SLACK)."""
    given = _squash(given)
    return any(_squash(a) in given and len(given) - len(_squash(a)) <= SHORT_ANSWER_SLACK for a in accepted)


def judge(question: Question, answer: Answer) -> Outcome:
    """Judge one answer (asked with at least MRR_DEPTH results)."""
    first = next((h for h in answer.hits if is_hit(h, question)), None)
    listed = [_squash(item.text) for item in answer.items]
    return Outcome(
        question,
        answer.answered,
        first.rank if first else None,
        is_cited_right(first, question) if first else None,
        answer.short_answer.text if answer.short_answer else None,
        sum(any(_squash(i) in text or text in _squash(i) for text in listed) for i in question.items),
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
        **_short_answers(answerable),
        "list_recall": _ratio(
            sum(o.items_found for o in outcomes), sum(len(o.question.items) for o in outcomes)
        ),
    }


def _short_answers(answerable: list[Outcome]) -> dict[str, float | int | None]:
    """Return the share of questions with an expected short answer that got it right, wrong, or none."""
    typed = [o for o in answerable if o.question.answer]
    given = [o for o in typed if o.short_answer]
    right = sum(is_right_short(o.short_answer or "", o.question.answer) for o in given)
    return {
        "short_questions": len(typed),
        "short_right": _ratio(right, len(typed)),
        "short_wrong": _ratio(len(given) - right, len(typed)),
        "short_none": _ratio(len(typed) - len(given), len(typed)),
    }


def evaluate(
    questions: list[Question], ask: Callable[[str, Conversation | None], Answer]
) -> dict[str, dict[str, float | int | None]]:
    """Ask every question (a conversation's in the light of its earlier turns) and return metrics overall,
    per kind, and for the follow-ups (every turn of a conversation after the first)."""
    outcomes = []
    conversation: Conversation | None = None
    for q in questions:
        answer = ask(q.q, conversation if q.turn else None)
        conversation = answer.conversation
        outcomes.append(judge(q, answer))
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_kind[o.question.kind].append(o)
    report = {"overall": summarize(outcomes)}
    report.update({kind: summarize(group) for kind, group in sorted(by_kind.items())})
    if follow_ups := [o for o in outcomes if o.question.turn]:
        report["all follow-ups"] = summarize(follow_ups)
    return report
