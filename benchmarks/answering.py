"""Answering benchmark: milliseconds per question of ``Archive.ask`` on the seed archive, two code versions.

Run from the repository root:

    .venv/bin/python -m benchmarks.answering [--before 0d6dd71] [--repeat 5]

"after" is the working tree's code; "before" is the code at git revision ``--before`` (default 0d6dd71,
answering without short answers, lists or follow-ups), checked out into a temporary ``git worktree`` and
removed afterwards. Each version runs in a fresh subprocess of the same interpreter with its own tree as
``cwd`` and ``PYTHONPATH``, so it imports its own ``retrieval`` (the worker reports which file it imported
and a version that imported the wrong tree is an error). The worker is this file's ``worker`` function,
loaded by path, so it imports nothing but the standard library and ``retrieval``.

Both versions get the same input: one temporary copy of ``seeds/``, each with its own index folder built
by ``Archive.open``, and the distinct ``q`` fields of eval/questions, heldout, unseen, blind and final
(dialogue lines skipped). Every question is asked once untimed (warm-up: jieba, the thesaurus, the index
pages), then timed ``--repeat`` times with ``time.perf_counter`` in rounds over all the questions; a
question's cost is the median of its rounds, and the table gives p50/p90/p99/mean over questions. The
"after, follow-ups" row asks the turns after the first of eval/dialogues.jsonl, each with the
conversation its earlier turns left (``Archive.ask(q, conversation=...)``; only the new code has it).
No timing is asserted anywhere (tests/test_bench_answering.py runs the "after" side on a few questions).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Only the standard library at the top: the worker loads this file by path inside the old tree, where
# ``benchmarks`` may be missing or different; the parent's helpers are imported where they are used.
REPO = Path(__file__).resolve().parent.parent
EVAL = REPO / "eval"
QUESTION_FILES = tuple(
    EVAL / f"{name}.jsonl" for name in ("questions", "heldout", "unseen", "blind", "final")
)
DIALOGUE_FILE = EVAL / "dialogues.jsonl"
BEFORE = "0d6dd71"  # the commit before short answers, lists and follow-ups
LIBRARIES = ("jieba", "numpy", "opencc")
# Runs the worker of this file (argv[1]) on a JSON spec (argv[2]) and prints its JSON result.
BOOTSTRAP = (
    "import json, runpy, sys; "
    "print(json.dumps(runpy.run_path(sys.argv[1])['worker'](json.loads(sys.argv[2]))))"
)


# ---- inputs and statistics (pure).


def load_questions(files: Sequence[Path] = QUESTION_FILES) -> list[str]:
    """Return the distinct questions (``q`` fields) of the files in file order, dialogue lines skipped."""
    from benchmarks.common import read_jsonl

    found = (row["q"].strip() for path in files for row in read_jsonl(path) if "dialogue" not in row)
    return list(dict.fromkeys(q for q in found if q))


def load_dialogues(path: Path = DIALOGUE_FILE) -> list[list[str]]:
    """Return each conversation of a dialogue file as its questions in order."""
    from benchmarks.common import read_jsonl

    return [[turn["q"] for turn in row["dialogue"]] for row in read_jsonl(path) if "dialogue" in row]


def percentile(values: Sequence[float], p: float) -> float:
    """Return the p-th percentile, interpolating linearly between the nearest ranks (numpy's default)."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(ms: Sequence[float]) -> dict[str, float]:
    """Return p50, p90, p99 and mean of per-question milliseconds, and how many questions."""
    stats = {f"p{p}_ms": percentile(ms, p) for p in (50, 90, 99)}
    return {**stats, "mean_ms": statistics.fmean(ms), "n": len(ms)}


def table(rows: Sequence[dict[str, Any]]) -> str:
    """Render rows (label, code, n, p50/p90/p99/mean ms, open_s) as a Markdown table."""
    out = [
        "| code | revision | questions | p50 ms | p90 ms | p99 ms | mean ms | index build+open s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = [f"{r[k]:.2f}" for k in ("p50_ms", "p90_ms", "p99_ms", "mean_ms")]
        out.append(
            f"| {r['label']} | {r['code']} | {r['n']} | " + " | ".join(cells) + f" | {r['open_s']:.2f} |"
        )
    return "\n".join(out)


# ---- the worker: runs inside the version under test (stdlib and that version's retrieval only).


def timed_rounds(
    calls: Sequence[Callable[[], object]], repeat: int, untimed: Callable[[], object] = lambda: None
) -> list[float]:
    """Call each function ``repeat`` times in rounds over all of them, ``untimed`` before each call; return
    each one's median in ms."""
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(repeat):
        for spent, call in zip(times, calls, strict=True):
            untimed()
            start = time.perf_counter()
            call()
            spent.append((time.perf_counter() - start) * 1e3)
    return [statistics.median(spent) for spent in times]


def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Open the seed archive, warm up on every question, then time them (and the follow-ups, if given)."""
    import retrieval
    from retrieval import Archive, Settings

    start = time.perf_counter()
    archive = Archive.open(Settings(seeds_dir=Path(spec["seeds"]), index_dir=Path(spec["index"])))
    out: dict[str, Any] = {"module": retrieval.__file__, "open_s": time.perf_counter() - start}
    questions, repeat = spec["questions"], spec["repeat"]
    for q in questions:
        archive.ask(q)
    out["ms"] = timed_rounds([lambda q=q: archive.ask(q) for q in questions], repeat)
    caches = bounded_caches("retrieval")
    if caches:  # the same questions again, each with the passage and tagging caches emptied first
        out["cold_ms"] = timed_rounds(
            [lambda q=q: archive.ask(q) for q in questions], repeat, lambda: [c.cache_clear() for c in caches]
        )
    turns = []  # (question, the conversation before it), for every turn after a dialogue's first
    for dialogue in spec.get("dialogues", ()):
        conversation = None
        for n, q in enumerate(dialogue):  # asking them in order is also their warm-up
            if n:
                turns.append((q, conversation))
            conversation = archive.ask(q, conversation=conversation).conversation
    if turns:
        out["follow_up_ms"] = timed_rounds(
            [lambda q=q, c=c: archive.ask(q, conversation=c) for q, c in turns], repeat
        )
    if spec.get("vectors") and archive.embed():  # the same questions, re-ranked by meaning too
        out["semantic_ms"] = timed_rounds([lambda q=q: archive.ask(q) for q in questions], repeat)
    return out


def bounded_caches(package: str) -> list[Any]:
    """Return the size-bounded ``functools.lru_cache`` functions of a package's loaded modules: what
    answering remembers between questions (prepared passages, tagged sentences). Unbounded caches hold
    loaded resources (dictionaries, taggers) and stay."""
    found = {}
    for name, module in list(sys.modules.items()):
        if name == package or name.startswith(package + "."):
            for value in vars(module).values():
                info = getattr(value, "cache_info", None)
                if callable(info) and info().maxsize is not None:
                    found[id(value)] = value
    return list(found.values())


# ---- the parent: trees, subprocesses, report.


def run_version(tree: Path, spec: dict[str, Any]) -> dict[str, Any]:
    """Run the worker in a fresh interpreter importing ``retrieval`` from ``tree``; return its result."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, "-c", BOOTSTRAP, str(Path(__file__).resolve()), json.dumps(spec)]
    proc = subprocess.run(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"the worker in {tree} failed with exit code {proc.returncode}")
    result = json.loads(lines[-1])
    if not Path(result["module"]).resolve().is_relative_to(tree.resolve()):
        raise SystemExit(f"the worker for {tree} imported {result['module']}, not that tree's retrieval")
    return result


@contextmanager
def worktree(rev: str) -> Iterator[Path]:
    """Check ``rev`` out into a temporary detached worktree; remove it afterwards."""
    path = Path(tempfile.mkdtemp(prefix="chamber-qa-before-"))
    add = ["git", "worktree", "add", "--detach", str(path), rev]
    subprocess.run(add, cwd=REPO, stdout=sys.stderr, check=True)  # git's chatter stays off the table
    try:
        yield path
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(path)], cwd=REPO, check=False)
        shutil.rmtree(path, ignore_errors=True)


def git(*args: str) -> str:
    """Return the output of a git command in the repository, stripped."""
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()


def row(label: str, code: str, ms: Sequence[float], open_s: float) -> dict[str, Any]:
    """One table row: what ran, and the summary of its per-question milliseconds."""
    return {"label": label, "code": code, **summary(ms), "open_s": open_s}


def benchmark(
    work: Path, questions: list[str], dialogues: list[list[str]], repeat: int, before: str | None
) -> list[dict[str, Any]]:
    """Time the "before" version (when given a revision) and the working tree on the same seed copy."""
    seeds = work / "seeds"
    shutil.copytree(REPO / "seeds", seeds)
    spec = {"seeds": str(seeds), "questions": questions, "repeat": repeat}
    rows = []
    if before is not None:
        with worktree(before) as tree:
            old = run_version(tree, {**spec, "index": str(work / "index-before")})
        rows.append(row("before", git("rev-parse", "--short", before), old["ms"], old["open_s"]))
    after = {**spec, "index": str(work / "index-after"), "dialogues": dialogues, "vectors": True}
    new = run_version(REPO, after)
    code = git("describe", "--always", "--dirty=+working tree")
    rows.append(row("after", code, new["ms"], new["open_s"]))
    if new.get("cold_ms"):
        rows.append(row("after, caches emptied before each question", code, new["cold_ms"], new["open_s"]))
    if new.get("follow_up_ms"):
        rows.append(row("after, follow-ups", code, new["follow_up_ms"], new["open_s"]))
    if new.get("semantic_ms"):
        rows.append(row("after, with the semantic signal", code, new["semantic_ms"], new["open_s"]))
    return rows


def report(rows: Sequence[dict[str, Any]], info: dict[str, Any], command: str, repeat: int) -> str:
    """The header, the machine, the table and the after/before ratios, as Markdown."""
    from benchmarks.common import machine_line

    out = [
        "Cost per question of `Archive.ask(question)` on the seed archive (seeds/), in milliseconds: "
        f"the median of {repeat} timed asks per question after one untimed warm-up ask, then p50/p90/p99/"
        "mean over the distinct questions of eval/{questions,heldout,unseen,blind,final}.jsonl; follow-ups: "
        "the turns after the first of eval/dialogues.jsonl, asked with their conversation; the semantic "
        "signal: the same questions once the archive's vectors are made (each question embedded as asked).",
        f"Command: `{command}`",
        "",
        machine_line(info) + " (at the start)",
        "",
        table(rows),
    ]
    by = {r["label"]: r for r in rows}
    if "before" in by:
        ratios = ", ".join(f"{k[:-3]} {by['after'][k] / by['before'][k]:.2f}×" for k in ("p50_ms", "mean_ms"))
        out += ["", f"after / before: {ratios}"]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print the Markdown report."""
    from benchmarks.common import machine

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--before", default=BEFORE, help="git revision of the 'before' code (default %(default)s)")
    p.add_argument("--repeat", type=int, default=5, help="timed asks per question (default %(default)s)")
    args = p.parse_args(argv)
    info = machine(LIBRARIES)
    with tempfile.TemporaryDirectory(prefix="chamber-qa-answering-") as work:
        rows = benchmark(Path(work), load_questions(), load_dialogues(), args.repeat, args.before)
    command = f".venv/bin/python -m benchmarks.answering --before {args.before} --repeat {args.repeat}"
    print(report(rows, info, command, args.repeat))


if __name__ == "__main__":
    main()
