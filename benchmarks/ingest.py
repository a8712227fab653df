"""Archive-scale benchmark of the product itself: build, grow, shrink, open and answer at 10k..1M chunks.

    .venv/bin/python -m benchmarks.ingest --sizes 10000,100000,1000000 [--work DIR] [--json]
    .venv/bin/python -m benchmarks.ingest --sizes 10000,100000 --cluster [--vectors]

``benchmarks/scale.py`` compares BM25 engines on the same tokens; this measures what a user of
chamber-qa waits for, through the same code as ``chamber-qa index``, ``add``, ``remove`` and the bot.
With ``--cluster`` it measures ingest to shards instead, locally and on a Dask cluster of 1 and 2
workers, with the memory of each (``benchmarks/cluster_ingest.py``; ``--vectors`` embeds too):

* ``build``: ``open_index(rebuild=True)`` over a folder of synthetic pages (benchmarks/pages.py: real
  sentences of seeds/ and ../shared/bench recombined into newspaper pages): read, parse, derive the
  dictionary, tokenize on all cores, count, weigh, write the snapshot.
* ``add 1 page`` / ``remove 1 page``: ``chamber-qa add`` / ``remove`` of one new page against that index
  (an incremental refresh: only the new page, and pages holding a dictionary term that came or went,
  are tokenized).
* ``open``: ``Archive.open(quick=True)`` as the bot starts (sizes checked, checksums left to ``check``),
  timed after the imports; ``check`` is that background checksum pass.
* ``first`` / ``ask p50/p99``: ``Archive.ask`` over the 242 questions of eval/ (whole answers: BM25 top
  60, coverage, evidence sentences), the first one after ``warm()``.
* ``rss``: resident memory of the serving process after the questions, and its peak (VmHWM, from start
  to end); ``anon`` is the part that is not memory-mapped index files (those pages are the OS page cache:
  shared between processes, reclaimable). The archive releases its mapped index pages after a question
  once resident memory passes ``Settings.max_rss_mb``, as the bot does.

Each step runs in its own process, so memory and time are not inherited. No network. Timings are
medians of one run on a shared machine: read them as orders of magnitude and ratios.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import cluster_ingest
from benchmarks.common import REPO, dir_mb, eval_questions, machine, machine_line, memory_mb
from benchmarks.pages import write_pages
from retrieval import Archive, Settings
from retrieval.index.sync import open_index
from retrieval.parse.folder import add_pages, remove_pages

NEW_PAGE = "zz_new_page.txt"


def settings_for(work: Path, size: int) -> Settings:
    """Return the settings of the size-chunk archive: its pages and its index under ``work``."""
    return Settings(seeds_dir=work / f"pages-{size}", index_dir=work / f"index-{size}")


def step(name: str, work: Path, size: int) -> dict[str, Any]:
    """Run one measured step in this process and return its figures."""
    settings = settings_for(work, size)
    start = time.perf_counter()
    if name == "build":
        index = open_index(settings, rebuild=True)
        out = {"chunks": len(index.chunks), "pages": sum(p.status == "indexed" for p in index.pages)}
    elif name == "add":
        extra = work / "extra"
        add_pages([extra / NEW_PAGE], settings.seeds_dir)
        open_index(settings)
        out = {}
    elif name == "remove":
        remove_pages([NEW_PAGE], settings.seeds_dir)
        open_index(settings)
        out = {}
    elif name == "serve":
        return serve(settings)
    else:
        raise ValueError(name)
    return {**out, "seconds": time.perf_counter() - start, "peak_mb": memory_mb().get("peak_mb")}


def serve(settings: Settings) -> dict[str, Any]:
    """Open the archive as the bot does, answer every evaluation question, check it; return the figures."""
    start = time.perf_counter()
    archive = Archive.open(settings, quick=True)
    open_s = time.perf_counter() - start
    rss_open = memory_mb()["rss_mb"]
    start = time.perf_counter()
    archive.warm()
    warm_s = time.perf_counter() - start
    latencies = []
    for q in eval_questions():
        t = time.perf_counter()
        archive.ask(q, top_k=3)
        latencies.append((time.perf_counter() - t) * 1e3)
    start = time.perf_counter()
    ok = archive.check()
    check_s = time.perf_counter() - start
    q = statistics.quantiles(latencies, n=100)
    return {
        "open_s": open_s,
        "warm_s": warm_s,
        "first_ms": latencies[0],
        "p50_ms": statistics.median(latencies),
        "p99_ms": q[98],
        "check_s": check_s,
        "check_ok": ok,
        "rss_open_mb": rss_open,
        **memory_mb(),
    }


def spawn(name: str, work: Path, size: int) -> dict[str, Any]:
    """Run one step in a fresh interpreter, so it inherits neither memory nor warm caches."""
    args = ["--step", name, "--work", str(work), "--sizes", str(size)]
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.ingest", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"step {name} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def prepare(work: Path, size: int) -> None:
    """Write the synthetic pages once (kept between runs) and the one page that `add` brings."""
    folder = settings_for(work, size).seeds_dir
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        write_pages(folder, size, seed=0)
        (folder / ".complete").write_text("")
    extra = work / "extra"
    if not (extra / NEW_PAGE).exists():
        tmp = work / "extra-tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        first = write_pages(tmp, 30, seed=1)[0]
        extra.mkdir(parents=True, exist_ok=True)
        shutil.copy(first, extra / NEW_PAGE)
    (folder / NEW_PAGE).unlink(missing_ok=True)


def run_size(work: Path, size: int) -> dict[str, Any]:
    """Measure every step at one size; return one row of the table."""
    prepare(work, size)
    row: dict[str, Any] = {"size": size}
    built = spawn("build", work, size)
    row.update(
        chunks=built["chunks"], pages=built["pages"], build_s=built["seconds"], build_peak_mb=built["peak_mb"]
    )
    index_dir = settings_for(work, size).index_dir
    row["index_mb"] = dir_mb(index_dir / (index_dir / "CURRENT").read_text().split()[0])
    added = spawn("add", work, size)
    row.update(add_s=added["seconds"], add_peak_mb=added["peak_mb"])
    row["remove_s"] = spawn("remove", work, size)["seconds"]
    row.update(spawn("serve", work, size))
    return row


COLUMNS = (
    ("chunks", "chunks", "{:,}"),
    ("pages", "pages", "{:,}"),
    ("build_s", "build s", "{:.1f}"),
    ("build_peak_mb", "build peak MB", "{:,.0f}"),
    ("index_mb", "index MB", "{:,.0f}"),
    ("add_s", "add 1 page s", "{:.1f}"),
    ("remove_s", "remove 1 page s", "{:.1f}"),
    ("open_s", "open s", "{:.2f}"),
    ("check_s", "check s", "{:.2f}"),
    ("first_ms", "first ms", "{:.1f}"),
    ("p50_ms", "ask p50 ms", "{:.1f}"),
    ("p99_ms", "ask p99 ms", "{:.1f}"),
    ("rss_mb", "RSS MB", "{:,.0f}"),
    ("peak_mb", "RSS peak MB", "{:,.0f}"),
    ("anon_mb", "of which anon MB", "{:,.0f}"),
)


def table(rows: list[dict[str, Any]]) -> str:
    """Return the Markdown table of the rows."""
    head = "| " + " | ".join(title for _, title, _ in COLUMNS) + " |"
    rule = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(fmt.format(r[key]) for key, _, fmt in COLUMNS) + " |" for r in rows]
    return "\n".join([head, rule, *body])


def main(argv: list[str] | None = None) -> None:
    """Run every size (or, with --step, one step of one size) and print the table or JSON lines."""
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="chunk counts, comma-separated")
    p.add_argument("--work", type=Path, default=Path("/tmp/chamber-qa-ingest"), help="pages and indexes")
    p.add_argument("--json", action="store_true", help="one JSON object per size")
    p.add_argument("--cluster", action="store_true", help="ingest to shards, locally and on 1 and 2 workers")
    p.add_argument("--vectors", action="store_true", help="with --cluster: embed the passages too")
    p.add_argument("--step", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.cluster:
        cluster_ingest.main(
            ["--sizes", args.sizes, "--workers", "1,2", *(["--vectors"] if args.vectors else [])]
        )
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.step:
        print(json.dumps(step(args.step, args.work, sizes[0])))
        return
    info = machine()
    rows = []
    for size in sizes:
        rows.append(run_size(args.work, size))
        if args.json:
            print(json.dumps({**rows[-1], "machine": info}), flush=True)
    if not args.json:
        print(machine_line(info) + "\n")
        print(table(rows))


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
