"""Load benchmark: many users asking at once, through Telegram (emulated), against a 100k-chunk archive.

Run:

    .venv/bin/python -m benchmarks.load [--users 50] [--questions-per-user 4] [--chunks 100000] [--json]

Setup. ``benchmarks/pages.py`` writes the synthetic pages (real sentences recombined into the seeds'
page format) and ``Archive.open`` builds their index, both cached under ``--work`` (default
/tmp/chamber-qa-load) and reused by later runs. The bot under test is the product itself: ``python -m bot``
in a subprocess, with that archive as its ``seeds/`` and ``var/index/``, a fake token and
TELEGRAM_BASE_URL pointing at the Bot API emulator (``emulator/``, which the bot's tests use too), which
this process serves on 127.0.0.1 (``benchmarks/timed_bot.py``). No other network is used.

How updates reach the bot. The emulator is a Telegram of its own: a user's message is queued as an
update and wakes the bot's pending long poll (``getUpdates`` with a timeout, PTB's default polling), so
delivery costs one loopback HTTP round trip and no polling interval. Running the bot in its own process
keeps the emulator's HTTP threads and the simulated users off the bot's interpreter lock; they still share
the machine's cores.

What is measured. A question's latency runs from the moment its message is queued in the emulator to the
moment the emulator accepts the bot's reply (``sendMessage``, timed in the emulator's HTTP thread): the
bot's getUpdates round trip, PTB's dispatch, the "typing" action, the search in a worker thread,
formatting, the reply request, and PTB's AIORateLimiter as the product configures it (30 requests/s for
the whole bot, Telegram's flood limit; the typing action and the reply are two requests per question).
The same questions (``q`` of eval/questions.jsonl and eval/heldout.jsonl, dealt out with a fixed seed) are
asked four ways, after a few unmeasured warm-up questions:

* ``bot, 1 user``: one user asks every question in turn (the baseline of one question alone);
* ``bot, N users``: N users start at once, each asking M questions, each waiting for the reply to one
  question before asking the next;
* ``search only, 1 user`` / ``N users``: the same, straight to ``Archive.ask`` in this process (in worker
  threads, as the bot calls it), after the bot has stopped: what the search alone costs and sustains.

Each row gives replies per second (replies / wall time of the phase), latency p50/p95/max, and CPU per
reply: of the bot's process (or of the search alone), and of this process (emulator and users: the
harness). Comparing the rows tells where a user waits. A bot that serves one question at a time, for
whatever reason (one search after another, or a budget of outgoing requests), shows an N-user median
latency near N times the single user's; the search-only rows tell whether the search is the reason: if
it sustains many times the bot's rate, users wait for something other than one another's searches.

The emulator listens with a large backlog: socketserver's default of 5 pending connections, with a new
connection per request, made 50 simultaneous users wait for TCP SYN retries (1 s, 3 s) that real
Telegram does not impose. No timing is asserted anywhere (tests/test_bench_load.py runs this on a tiny
archive).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import eval_questions, machine, machine_line
from benchmarks.pages import write_pages
from benchmarks.timed_bot import TOKEN, TimedEmulator, bot_process

if TYPE_CHECKING:
    from retrieval import Archive

WORK_DIR = Path("/tmp/chamber-qa-load")
FIRST_USER_ID = 10_001
WARM_UP_QUESTIONS = 5
SEED = 0
TOP_K = 3  # results per search: the bot's (bot.paging.PER_ASK)
# An answer screen cites its passage (第N段 / para. N); an honest "no answer" says so.
ANSWER_MARK = re.compile(r"第\d+段|para\. \d+|档案里没有找到|The archive has no passage")


# --- the archive -------------------------------------------------------------------------------------


def prepare_archive(
    work: Path, chunks: int, seed: int = SEED, sentences: Sequence[str] | None = None
) -> tuple[Path, dict[str, Any]]:
    """Return a folder holding `seeds/` (the pages) and `var/index/` (their index), and what it holds.

    Both are made once and reused: the pages are written beside their final place and renamed, so an
    existing `seeds/` is complete, and `Archive.open` rebuilds the index only when missing or stale.
    `sentences` default to the scale benchmark's (see benchmarks/pages.py).
    """
    from retrieval import Archive, Settings

    run = work / f"archive-{chunks}-s{seed}"
    seeds = run / "seeds"
    if not seeds.is_dir():
        partial = run / ".seeds-partial"
        shutil.rmtree(partial, ignore_errors=True)  # left by an interrupted run
        write_pages(partial, chunks, seed, sentences)
        partial.rename(seeds)
    stats = Archive.open(Settings(seeds_dir=seeds, index_dir=run / "var" / "index")).stats
    held = {"pages": stats.n_pages, "articles": stats.n_articles, "chunks": stats.n_chunks}
    return run, held | {"index_version": stats.index_version}


def deal(questions: Sequence[str], users: int, per_user: int, seed: int = SEED) -> list[list[str]]:
    """Give each user `per_user` questions: the pool shuffled with a fixed seed, dealt round the users."""
    pool = list(questions)
    random.Random(seed).shuffle(pool)
    return [[pool[(u * per_user + j) % len(pool)] for j in range(per_user)] for u in range(users)]


# --- the phases ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    """One phase of the benchmark: who asked how many questions, and how fast the replies came."""

    phase: str
    users: int
    questions: int
    replies: int  # questions that got a reply within REPLY_TIMEOUT_S
    answers: int  # replies that are an answer page or an honest "no answer" (never an error)
    wall_s: float
    per_s: float  # replies per second of wall time
    p50_ms: float
    p95_ms: float
    max_ms: float
    mean_ms: float
    cpu_ms: float  # CPU per reply of the code under test: the bot's process, or the search alone
    harness_cpu_ms: float | None  # CPU per reply of this process (emulator and users); bot rows only


@dataclass(frozen=True)
class CpuClock:
    """CPU time (user + system) used so far by the bot's process and by this one."""

    bot_s: float
    here_s: float

    @classmethod
    def now(cls, bot_pid: int | None = None) -> CpuClock:
        """Read both clocks (the bot's from /proc; 0 without a bot)."""
        here = os.times()
        return cls(_process_cpu_s(bot_pid) if bot_pid else 0.0, here.user + here.system)


def _process_cpu_s(pid: int) -> float:
    """Return the CPU seconds of another process: utime + stime of /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def user_session(
    emulator: TimedEmulator, user_id: int, questions: Sequence[str]
) -> list[tuple[float, str]]:
    """Ask the questions one after another, each after the reply to the one before.

    A user whose question got no reply in time gives up: a late reply must not pass for the next one's.
    """
    replies = []
    for question in questions:
        reply = await emulator.ask(user_id, question)
        if reply is None:
            break
        replies.append(reply)
    return replies


async def run_phase(
    emulator: TimedEmulator, name: str, questions: list[list[str]], first_id: int, bot_pid: int
) -> Phase:
    """Start one user per question list at once, through Telegram; return throughput and latencies."""
    cpu, start = CpuClock.now(bot_pid), time.perf_counter()
    sessions = [user_session(emulator, first_id + u, qs) for u, qs in enumerate(questions)]
    replies = [r for done in await asyncio.gather(*sessions) for r in done]
    wall, used = time.perf_counter() - start, CpuClock.now(bot_pid)
    timed = [(seconds, ANSWER_MARK.search(text) is not None) for seconds, text in replies]
    return summarize(name, questions, timed, wall, (used.bot_s - cpu.bot_s, used.here_s - cpu.here_s))


async def search_session(archive: Archive, questions: Sequence[str]) -> list[tuple[float, bool]]:
    """Ask the archive directly, one question after another, in a worker thread as the bot does."""
    timed = []
    for question in questions:
        start = time.perf_counter()
        await asyncio.to_thread(archive.ask, question, top_k=TOP_K)
        timed.append((time.perf_counter() - start, True))
    return timed


async def search_phase(archive: Archive, name: str, questions: list[list[str]]) -> Phase:
    """Run the search alone (no Telegram, no bot) for the same users and questions: its own capacity."""
    cpu, start = CpuClock.now(), time.perf_counter()
    sessions = [search_session(archive, qs) for qs in questions]
    timed = [t for done in await asyncio.gather(*sessions) for t in done]
    wall, used = time.perf_counter() - start, CpuClock.now()
    return summarize(name, questions, timed, wall, (used.here_s - cpu.here_s, None))


def summarize(
    name: str,
    questions: list[list[str]],
    timed: list[tuple[float, bool]],
    wall: float,
    cpu_s: tuple[float, float | None],
) -> Phase:
    """Return a phase's figures from (seconds, answered or honestly refused) per replied question.

    `cpu_s` is the CPU seconds of the code under test and of the harness (None when there is none).
    """
    latencies = sorted(seconds * 1000 for seconds, _ in timed) or [float("nan")]
    per_reply = 1000 / max(len(timed), 1)
    tested, harness = cpu_s
    return Phase(
        phase=name,
        users=len(questions),
        questions=sum(map(len, questions)),
        replies=len(timed),
        answers=sum(ok for _, ok in timed),
        wall_s=round(wall, 3),
        per_s=round(len(timed) / wall, 2),
        p50_ms=round(_quantile(latencies, 0.50), 1),
        p95_ms=round(_quantile(latencies, 0.95), 1),
        max_ms=round(latencies[-1], 1),
        mean_ms=round(statistics.fmean(latencies), 1),
        cpu_ms=round(tested * per_reply, 2),
        harness_cpu_ms=None if harness is None else round(harness * per_reply, 2),
    )


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Return the q-quantile of sorted values (nearest rank)."""
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


async def benchmark(run: Path, users: int, per_user: int, questions: Sequence[str]) -> list[Phase]:
    """Run the single-user and the N-user phases through the real bot, then the search alone."""
    dealt = deal(questions, users, per_user)
    alone, together = [[q for qs in dealt for q in qs]], dealt
    emulator = TimedEmulator(TOKEN, asyncio.get_running_loop())
    with emulator:
        async with bot_process(run, emulator) as bot:
            warm_up = [list(questions[:WARM_UP_QUESTIONS])]
            await run_phase(emulator, "warm-up", warm_up, FIRST_USER_ID, bot.pid)
            phases = [
                await run_phase(emulator, "bot, 1 user", alone, FIRST_USER_ID, bot.pid),
                await run_phase(emulator, f"bot, {users} users", together, FIRST_USER_ID + 1, bot.pid),
            ]
    # After the bot has stopped, so the two never compete for the cores.
    archive = await asyncio.to_thread(open_archive, run)
    await search_phase(archive, "warm-up", [list(questions[:WARM_UP_QUESTIONS])])
    phases.append(await search_phase(archive, "search only, 1 user", alone))
    phases.append(await search_phase(archive, f"search only, {users} users", together))
    return phases


def open_archive(run: Path) -> Archive:
    """Open the prepared archive in this process, warmed as the bot warms it."""
    from retrieval import Archive, Settings

    archive = Archive.open(Settings(seeds_dir=run / "seeds", index_dir=run / "var" / "index"))
    archive.warm()
    return archive


# --- reporting -------------------------------------------------------------------------------------------


def table(phases: Sequence[Phase], host: dict[str, Any], archive: dict[str, Any]) -> str:
    """Return the Markdown table of the phases, with the machine and the archive noted above it."""
    lines = [
        machine_line(host) + " (at the end)",
        f"Archive: {archive['chunks']} chunks, {archive['articles']} articles, {archive['pages']} pages "
        f"(index {archive['index_version']})",
        "",
        "| phase | users | questions | replied | q/s | p50 ms | p95 ms | max ms | CPU ms/q | harness ms/q |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in phases:
        cells = (p.users, p.questions, p.replies, p.per_s, p.p50_ms, p.p95_ms, p.max_ms, p.cpu_ms)
        harness = "–" if p.harness_cpu_ms is None else p.harness_cpu_ms
        lines.append(f"| {p.phase} | " + " | ".join(str(c) for c in cells) + f" | {harness} |")
    return "\n".join(lines)


def json_lines(phases: Sequence[Phase], host: dict[str, Any], archive: dict[str, Any]) -> str:
    """Return one JSON object per phase, each carrying the machine and the archive."""
    rows = [{**asdict(p), "archive": archive, "machine": host} for p in phases]
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Prepare the archive, run the phases, print the table (or JSON lines)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--users", type=int, default=50, help="users asking at once (default 50)")
    add("--questions-per-user", type=int, default=4, help="questions each user asks (default 4)")
    add("--chunks", type=int, default=100_000, help="chunks in the archive (default 100000)")
    add("--work", type=Path, default=WORK_DIR, help=f"cache of pages and index (default {WORK_DIR})")
    add("--json", action="store_true", help="print one JSON object per phase instead of the table")
    args = parser.parse_args(argv)
    if min(args.users, args.questions_per_user, args.chunks) < 1:
        parser.error("--users, --questions-per-user and --chunks must be at least 1")
    run, archive = prepare_archive(args.work, args.chunks)
    phases = asyncio.run(benchmark(run, args.users, args.questions_per_user, eval_questions()))
    host = machine()
    print(json_lines(phases, host, archive) if args.json else table(phases, host, archive))
    return 0


if __name__ == "__main__":
    sys.exit(main())
