"""The question log: what is kept (and what never is), for how long, and the editors' report from it."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from click.testing import CliRunner

from chamber_qa.cli import cli
from replies.usage import report_lines
from usage import AskLog, Shown, default_path, report_file


def ask(log: AskLog, question: str, *, answered: bool = True, kind: str = "") -> int:
    return log.record(question, question, answered=answered, kind=kind, chat_type="private", lang="zh")


def test_a_logged_question_comes_back_with_the_passages_its_screens_showed(tmp_path: Path) -> None:
    log = AskLog(tmp_path / "usage.sqlite")
    first = log.record(
        "她还有什么职务？", "黄玉霞还有什么职务？", answered=True, kind="", chat_type="group", lang="zh"
    )
    log.record_shown(first, 0, Shown("000_ceb8#1", "让党旗在商会组织高高飘扬", 1))
    asked = log.asked(first)
    assert asked is not None and (asked.searched, asked.lang) == ("黄玉霞还有什么职务？", "zh")
    assert log.shown(first, 0) == Shown("000_ceb8#1", "让党旗在商会组织高高飘扬", 1)
    assert log.shown(first, 1) is None and log.asked(first + 1) is None
    log.record_shown(first + 1, 0, Shown("x#1", "t", 1))  # no such question: nothing kept
    assert log.shown(first + 1, 0) is None


def test_the_log_outlives_the_process_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    log = AskLog(path)
    ask_id = ask(log, "许昌市有几家商会入选全国四好商会？")
    log.close()
    again = AskLog(path)
    assert again.asked(ask_id) is not None
    assert again.connection_mode() == "wal"


def test_no_names_no_user_ids_no_chat_ids_are_stored(tmp_path: Path) -> None:
    path = tmp_path / "usage.sqlite"
    AskLog(path).close()
    db = sqlite3.connect(path)
    tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    columns = {
        column
        for (table,) in db.execute(tables)
        for (_, column, *_) in db.execute(f"PRAGMA table_info({table})")
    }
    assert not {c for c in columns if "user" in c or "name" in c or c == "chat_id"}
    assert "chat_type" in columns


def test_questions_expire_after_the_retention_period(tmp_path: Path) -> None:
    log = AskLog(tmp_path / "usage.sqlite", retention_days=1)
    old = ask(log, "旧问题")
    log.record_shown(old, 0, Shown("a#1", "t", 1))
    assert log.purge(now=time.time() + 2 * 86_400) == 1
    assert log.asked(old) is None and log.shown(old, 0) is None, "its screens go with it"


def test_votes_replace_each_other_and_expired_ones_are_refused(tmp_path: Path) -> None:
    log = AskLog(tmp_path / "usage.sqlite")
    ask_id = ask(log, "问题")
    assert log.vote(ask_id, up=True) and log.vote(ask_id, up=False)
    report = log.report()
    assert (report.up, report.down) == (0, 1)
    assert not log.vote(ask_id + 1, up=True)


def test_the_report_counts_days_repeats_gaps_and_dislikes(tmp_path: Path) -> None:
    log = AskLog(tmp_path / "usage.sqlite")
    for _ in range(3):
        ask(log, "许昌市有几家商会入选全国四好商会？")
    gap = ask(log, "郑州市有多少家商会？", answered=False)
    disliked = ask(log, "驾驶员自助体检要多长时间？")
    log.vote(disliked, up=False)
    ask(log, "你好", kind="small_talk")
    report = log.report(days=30)
    assert (report.questions, report.answered, report.small_talk, report.down) == (5, 4, 1, 1)
    assert report.most_asked[0].question == "许昌市有几家商会入选全国四好商会？"
    assert report.most_asked[0].times == 3
    assert [c.question for c in report.refused] == ["郑州市有多少家商会？"]
    assert [c.question for c in report.disliked] == ["驾驶员自助体检要多长时间？"]
    assert sum(n for _, n in report.per_day) == 5
    text = "\n".join(report_lines(report, 90))
    assert "郑州市有多少家商会？" in text and "保留 90 天" in text
    assert gap > 0


def test_an_unwritable_log_is_kept_in_memory_and_the_bot_goes_on(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    log = AskLog.open(blocker / "usage.sqlite")
    assert log.path == ":memory:" and log.asked(ask(log, "问题")) is not None


def test_chamber_qa_stats_prints_the_report_and_json(tmp_path: Path) -> None:
    index_dir = tmp_path / "var" / "index"
    log = AskLog(default_path(index_dir))
    ask(log, "郑州市有多少家商会？", answered=False)
    log.close()
    runner = CliRunner()
    text = runner.invoke(cli, ["stats", "--index-dir", str(index_dir)])
    assert text.exit_code == 0 and "郑州市有多少家商会？" in text.output and "没找到答案" in text.output
    data = runner.invoke(cli, ["stats", "--json", "--db", str(default_path(index_dir))])
    assert json.loads(data.output)["refused"] == [{"question": "郑州市有多少家商会？", "times": 1}]
    missing = runner.invoke(cli, ["stats", "--db", str(tmp_path / "none.sqlite")])
    assert missing.exit_code != 0 and "no question log" in missing.output
    assert report_file(tmp_path / "none.sqlite") is None
