"""benchmarks.startup once, with the semantic signal off, on a throwaway copy of the seeds: the bot
launched as a process of its own answers the question queued at its spawn, and the CLI answers cold.

No timing is asserted; the measured table is in docs/scale.md.
"""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks import startup
from benchmarks.common import machine


def test_startup_benchmark_launches_the_product_and_gets_answers(tmp_path: Path) -> None:
    run = startup.prepare(tmp_path / "work", vectors=False)
    assert (run / "seeds").is_dir() and (run / "var" / "index" / "CURRENT").is_file()
    rows = startup.benchmark(run, runs=1, vectors=(False,), warm_up=False)
    assert [(r.command, r.vectors, r.runs) for r in rows] == [
        ("python -m bot", False, 1),
        ("chamber-qa ask", False, 1),
    ]
    bot, cli = rows
    assert (bot.answered, cli.answered) == (1, 1), (run / "bot.log").read_text(encoding="utf-8")
    assert bot.get_me_s and bot.first_poll_s and bot.answer_s
    # The order of events (not their timing): settings and archive, then polling, then the answer.
    assert bot.get_me_s[0] <= bot.first_poll_s[0] <= bot.answer_s[0]
    assert cli.get_me_s is None and cli.first_poll_s is None and cli.answer_s
    host = machine(startup.LIBRARIES)
    table = startup.table(rows, host)
    assert "| python -m bot | off | 1 |" in table and "| chamber-qa ask | off | 1 |" in table
    assert "cores" in table
    lines = [json.loads(line) for line in startup.json_lines(rows, host).splitlines()]
    assert [row["command"] for row in lines] == ["python -m bot", "chamber-qa ask"]
    assert all({"cpu", "cores"} <= row["machine"].keys() for row in lines)
    assert startup.TOKEN not in (run / "bot.log").read_text(encoding="utf-8")
