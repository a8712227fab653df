"""benchmarks/screens.py on the seed archive: its rows, and the one-screen target it reports."""

from __future__ import annotations

from benchmarks import screens
from benchmarks.common import REPO, eval_questions
from retrieval import Archive


def test_first_messages_are_one_screen_with_the_answer_in_them(seed_archive: Archive) -> None:
    questions = eval_questions([REPO / "eval" / "questions.jsonl"])
    row = screens.measure(seed_archive, "questions", questions)
    assert row.questions == len(questions) and 0 < row.answered <= 1
    assert row.median <= screens.TARGET, "the issue's target: a median first message of one phone screen"
    assert row.longest < 4096 and row.median < row.former_median
    text = screens.table(
        [row], {"cpu": "x", "cores": 2, "ram_gb": 1, "python": "3.11", "versions": {}, "loadavg": [0]}
    )
    assert text.splitlines()[2].startswith("| questions | ")
