"""benchmarks/blind_pages.py on a one-page folder written here: what it counts as found, extra and right."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import blind_pages

PAGE = (
    "本报讯（记者 张三 通讯员 李四）近日，\n某市青瓷产业商会召开会员大会，选举\n产生新一届理事会。\n\n"
    "会议由商会秘书长主持，二百余名会员\n参加。\n\n青瓷产业商会召开会员大会\n"
)


def test_parsing_is_counted_against_the_expected_items(tmp_path: Path) -> None:
    (tmp_path / "x-20240101-01.txt").write_text(PAGE, encoding="utf-8")
    item = {
        "kind": "article",
        "headline": ["青瓷产业商会召开会员大会"],
        "reporters": ["张三"],
        "contributors": ["李四"],
        "first_words": "近日，某市青瓷产",
        "last_words": "百余名会员参加。",
    }
    missing = {**item, "headline": ["从未印过的标题"]}
    expected = {"x-20240101-01.txt": [item, missing]}
    (tmp_path / "expected.json").write_text(json.dumps(expected, ensure_ascii=False), encoding="utf-8")
    notes: list[str] = []
    parsing = blind_pages.parse_pages(tmp_path, notes)
    assert (parsing.pages, parsing.expected, parsing.found, parsing.extra) == (1, 2, 1, 0)
    assert notes == ["x-20240101-01.txt: missing article ['从未印过的标题']"]  # --details, for study sets
    assert (parsing.headlines_right, parsing.bylines_right, parsing.bodies_right) == (1, 1, 1)
    info = {"cpu": "x", "cores": 2, "ram_gb": 1, "python": "3.11", "versions": {}, "loadavg": [0]}
    text = blind_pages.table(parsing, {"hit@1": 0.5}, {"hit@1": 0.9}, info)
    assert "| 1 | 2 | 1 | 0 | 1 | 1 | 1 |" in text and "| blind pages | None | 0.5 |" in text


def test_a_question_of_kind_unanswerable_is_unanswerable_whatever_its_title(tmp_path: Path) -> None:
    from retrieval.evaluate import read_questions

    path = tmp_path / "q.jsonl"
    lines = [
        {"q": "漯河市温州商会的会长是谁？", "kind": "unanswerable", "evidence": [], "title": ""},
        {"q": "谁主持了会议？", "kind": "name", "evidence": ["秘书长"], "title": "青瓷产业商会召开会员大会"},
    ]
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    assert [q.title for q in read_questions(path)] == [None, "青瓷产业商会召开会员大会"]
