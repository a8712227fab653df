"""The chamber-qa command line: the contract other parts and checks rely on."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from chamber_qa.cli import cli
from retrieval import Archive, Settings

ROOT = Path(__file__).resolve().parent.parent


def invoke(settings: Settings, *args: str, stdin: str | None = None) -> str:
    corpus = ["--seeds", str(settings.seeds_dir), "--index-dir", str(settings.index_dir)]
    result = CliRunner().invoke(cli, [*args, *corpus], input=stdin, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_ask_json_follows_the_contract(seed_settings: Settings) -> None:
    out = json.loads(invoke(seed_settings, "ask", "--json", "--top", "2", "莲城智能体"))
    assert set(out) >= {"question", "answered", "results"}
    assert out["question"] == "莲城智能体" and out["answered"] is True
    assert [r["rank"] for r in out["results"]] == [1, 2]
    first = out["results"][0]
    keys = {
        "rank",
        "score",
        "article_id",
        "title",
        "source",
        "section",
        "paragraph",
        "text",
        "answer_sentence",
    }
    assert keys <= set(first)
    assert "莲城智能体" in first["title"] and first["answer_sentence"] in first["text"]


def test_ask_json_reads_questions_from_stdin_in_order(seed_settings: Settings) -> None:
    lines = invoke(
        seed_settings, "ask", "--json", stdin="万人助企\n河南建业足球队比赛结果\n银商联通工程\n"
    ).splitlines()
    objs = [json.loads(ln) for ln in lines]
    assert [o["question"] for o in objs] == ["万人助企", "河南建业足球队比赛结果", "银商联通工程"]
    assert [o["answered"] for o in objs] == [True, False, True]


def test_ask_prints_a_readable_cited_answer(seed_settings: Settings) -> None:
    out = invoke(seed_settings, "ask", "长葛市工商联举办了哪些培训？")
    assert out.startswith("原文列出：\n1. “葛商学院”（第16段）\n"), (
        "the five training modes the archive lists"
    )
    assert "\n\n1. " in out, "then the passages, numbered"
    assert "《长葛市工商联（总商会） “六抓六促”激发商会活力》" in out
    assert "日期不详" in out and "73203bc2ffbfe497" not in out and "【" in out  # no hash as a page name


def test_articles_json_lists_every_article(seed_settings: Settings) -> None:
    objs = [json.loads(ln) for ln in invoke(seed_settings, "articles", "--json").splitlines()]
    assert len(objs) == 8
    assert {o["kind"] for o in objs} == {"article", "photo"}
    keys = {"id", "title", "source", "byline", "contributors", "kind", "sections", "paragraphs"}
    assert all(set(o) == keys for o in objs)


def test_index_reports_its_counts(seed_settings: Settings) -> None:
    out = invoke(seed_settings, "index", "--rebuild")
    assert re.search(r"2 pages, 8 articles, \d+ chunks", out)


def test_eval_prints_metrics_per_kind(seed_settings: Settings, tmp_path: Path) -> None:
    qfile = tmp_path / "q.jsonl"
    rows = [
        {"q": "莲城智能体", "evidence": ["莲城智能体"], "title": "莲城智能体", "kind": "keyword"},
        {"q": "河南建业足球队比赛结果", "evidence": [], "title": None, "kind": "unanswerable"},
    ]
    qfile.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    report = json.loads(invoke(seed_settings, "eval", str(qfile), "--json"))
    assert report["overall"]["hit@1"] == 1.0
    assert report["overall"]["refused_unanswerable"] == 1.0
    assert set(report) == {"overall", "keyword", "unanswerable"}


def test_chat_answers_until_an_empty_line(seed_settings: Settings) -> None:
    out = invoke(seed_settings, "chat", stdin="莲城智能体\n\n")
    assert "莲城智能体" in out and "问> " in out


def test_run_without_token_falls_back_to_chat(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(seed_settings.seeds_dir)  # no .env here
    out = invoke(seed_settings, "run", stdin="\n")
    assert "TELEGRAM_BOT_TOKEN" in out


@pytest.mark.parametrize("command", sorted(cli.commands))
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = CliRunner().invoke(cli, [command, "-h"])
    assert result.exit_code == 0 and "Example:" in result.output
    assert f"chamber-qa {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_semantic_signal_is_turned_off_by_flag_environment_or_dotenv(
    seed_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[bool] = []  # Archive.embed's own behaviour when off: tests/test_vectors.py
    monkeypatch.setattr(Archive, "embed", lambda self, progress=False: asked.append(self.settings.vectors))
    invoke(seed_settings, "index")
    invoke(seed_settings, "index", "--no-vectors")
    monkeypatch.setenv("CHAMBER_QA_VECTORS", "0")
    invoke(seed_settings, "index")
    # .env is read before the options; monkeypatch restores the variable it saw unset.
    monkeypatch.delenv("CHAMBER_QA_VECTORS")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("CHAMBER_QA_VECTORS=false\n", encoding="utf-8")
    invoke(seed_settings, "index")
    assert asked == [True, False, False, False]
