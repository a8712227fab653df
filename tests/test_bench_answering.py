"""benchmarks.answering: its question loading, statistics and table, and the "after" side on a few questions.

No timing is asserted and no git worktree is made here; the real run (both versions) is in its docstring.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from benchmarks import answering
from benchmarks.common import machine

QUESTIONS = ["许昌市企业家协会秘书长是谁？", "许昌市工商联商会培训"]
DIALOGUE = ["许昌市企业家协会秘书长是谁？", "她们协会被民政部门评为几级社会组织？"]


def test_questions_skip_dialogues_and_repeats(tmp_path: Path) -> None:
    lines = [{"q": " 甲？ "}, {"dialogue": [{"q": "乙？"}, {"q": "丙？"}]}, {"q": "甲？"}, {"q": "丁？"}]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n\n", encoding="utf-8")
    assert answering.load_questions([path]) == ["甲？", "丁？"]
    assert answering.load_dialogues(path) == [["乙？", "丙？"]]


def test_the_real_question_files_are_read_and_reserve_is_not() -> None:
    assert not any("reserve" in path.name for path in answering.QUESTION_FILES)
    questions = answering.load_questions()
    assert len(questions) > 300 and all(isinstance(q, str) and q for q in questions)
    assert len(answering.load_dialogues()) > 5


def test_percentiles_interpolate_like_numpy() -> None:
    values = [4.0, 1.0, 3.0, 2.0]
    assert answering.percentile(values, 50) == pytest.approx(2.5)
    assert answering.percentile(values, 90) == pytest.approx(3.7)
    assert answering.percentile(values, 0) == 1.0 and answering.percentile(values, 100) == 4.0
    assert answering.percentile([7.0], 99) == 7.0
    got = answering.summary(values)
    assert got["n"] == 4 and got["mean_ms"] == pytest.approx(2.5) and got["p99_ms"] == pytest.approx(3.97)


def test_table_has_one_row_per_version() -> None:
    rows = [
        answering.row("before", "0d6dd71", [1.0, 2.0], 0.5),
        answering.row("after", "c223410", [2.0, 4.0], 0.7),
    ]
    text = answering.report(rows, machine(), "python -m benchmarks.answering", 5)
    assert "| before | 0d6dd71 | 2 | 1.50 |" in text and "| after | c223410 | 2 | 3.00 |" in text
    assert "Machine:" in text and "after / before: p50 2.00×, mean 2.00×" in text
    assert "python -m benchmarks.answering" in text


def test_after_side_runs_in_a_subprocess_on_a_few_questions(tmp_path: Path) -> None:
    shutil.copytree(answering.REPO / "seeds", tmp_path / "seeds")
    spec = {
        "seeds": str(tmp_path / "seeds"),
        "index": str(tmp_path / "index"),
        "questions": QUESTIONS,
        "repeat": 2,
        "dialogues": [DIALOGUE],
        "vectors": True,  # the seed pages' 66 chunks embedded by the real model: a few seconds
    }
    result = answering.run_version(answering.REPO, spec)
    assert Path(result["module"]).is_relative_to(answering.REPO)
    assert len(result["ms"]) == len(QUESTIONS) and all(ms > 0 for ms in result["ms"])
    assert len(result["follow_up_ms"]) == len(DIALOGUE) - 1
    assert len(result["semantic_ms"]) == len(QUESTIONS) and all(ms > 0 for ms in result["semantic_ms"])
