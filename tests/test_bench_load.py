"""benchmarks.pages and benchmarks.load on tiny archives: pages the product parses, every question replied.

No timing is asserted; the real run (100k chunks, 50 users) is in the README. The sentences are the seed
pages' own (the CMRC/DRCD data of ../shared may be absent in CI).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import load, pages
from benchmarks.common import eval_questions, machine
from benchmarks.corpus import split_sentences
from retrieval import Archive, Settings

PAGE_CHUNKS = 2_000
LOAD_CHUNKS = 300
USERS, PER_USER = 5, 2
PHASE_FIELDS = {"phase", "users", "questions", "replies", "answers", "wall_s", "per_s", "p50_ms", "p95_ms"}
PHASE_FIELDS |= {"max_ms", "mean_ms", "cpu_ms", "harness_cpu_ms", "archive", "machine"}


@pytest.fixture(scope="module")
def sentences(seed_archive: Archive) -> list[str]:
    """Sentences of the seed pages' paragraphs."""
    paragraphs = [p.text for article in seed_archive.articles for p in article.paragraphs]
    return [s for text in paragraphs for s in split_sentences(text)]


def test_pages_parse_into_about_the_requested_chunks(sentences: list[str], tmp_path: Path) -> None:
    paths = pages.write_pages(tmp_path / "pages", PAGE_CHUNKS, seed=3, sentences=sentences)
    archive = Archive.open(Settings(seeds_dir=tmp_path / "pages", index_dir=tmp_path / "index"))
    assert archive.refused == [] and archive.stats.n_pages == len(paths)
    assert abs(archive.stats.n_chunks - PAGE_CHUNKS) <= PAGE_CHUNKS * 0.05, archive.stats
    articles = archive.articles
    assert {a.kind for a in articles} == {"article"}
    assert all(a.headline and a.byline and a.byline.startswith("本报记者") for a in articles)
    assert all(a.paragraphs[0].text.startswith("本报讯（记者") for a in articles)


def test_pages_are_the_same_for_the_same_seed(sentences: list[str], tmp_path: Path) -> None:
    def texts(folder: str, seed: int) -> list[str]:
        return [
            p.read_text(encoding="utf-8") for p in pages.write_pages(tmp_path / folder, 500, seed, sentences)
        ]

    assert texts("a", 1) == texts("b", 1) != texts("c", 2)


async def test_load_benchmark_replies_to_every_question(sentences: list[str], tmp_path: Path) -> None:
    run, archive = load.prepare_archive(tmp_path, LOAD_CHUNKS, sentences=sentences)
    assert abs(archive["chunks"] - LOAD_CHUNKS) <= LOAD_CHUNKS * 0.1
    questions = eval_questions()
    assert len(questions) > 200 and all(isinstance(q, str) and q for q in questions)
    phases = await load.benchmark(run, USERS, PER_USER, questions)
    assert [(p.phase, p.users, p.questions) for p in phases] == [
        ("bot, 1 user", 1, USERS * PER_USER),
        (f"bot, {USERS} users", USERS, USERS * PER_USER),
        ("search only, 1 user", 1, USERS * PER_USER),
        (f"search only, {USERS} users", USERS, USERS * PER_USER),
    ]
    assert all(p.replies == p.answers == p.questions for p in phases), phases
    assert [p.harness_cpu_ms is None for p in phases] == [False, False, True, True]
    rows = [json.loads(line) for line in load.json_lines(phases, machine(), archive).splitlines()]
    assert len(rows) == 4 and all(row.keys() >= PHASE_FIELDS for row in rows)
    assert {"cpu", "cores"} <= rows[0]["machine"].keys() and rows[0]["archive"]["chunks"] == archive["chunks"]
    table = load.table(phases, machine(), archive)
    assert all(f"| {p.phase} |" in table for p in phases) and "cores" in table
    assert load.TOKEN not in (run / "bot.log").read_text(encoding="utf-8")
