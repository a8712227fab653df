"""Ingest on a cluster against the local build: a pages folder to Xapian shards, both ways, with the time
and the peak memory of every process involved.

Run from the repository root:

    .venv/bin/python -m benchmarks.cluster_ingest --sizes 10000,100000 [--workers 2] [--shards 2]

For each size, synthetic pages of real sentences (``benchmarks/pages.py``, the ingest benchmark's) are
indexed two ways, each step in a fresh interpreter:

* local: ``chamber-qa index`` (the embedded index built from scratch), then ``shards write`` of it;
* cluster: ``shards build`` on a Dask ``LocalCluster`` of ``--workers`` processes on 127.0.0.1, each
  with one thread and a 2 GB memory limit (past it Dask restarts the worker and runs its task again).

Reported: seconds, the peak resident memory (VmHWM) of the process that builds (the client, for the
cluster) and the largest worker's, and whether the shards are equal document for document (the
header's snapshot name aside). No semantic signal: embedding a large archive is the same work on each
side and takes hours on two cores (README). Workers share this machine's two cores, so the cluster's
time here says what the fan-out costs, not what more machines gain.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, machine, machine_line, memory_mb
from benchmarks.pages import write_pages
from retrieval import Archive, Settings

WORKER_MEMORY = "2GB"


def _settings(work: Path, size: int) -> Settings:
    return Settings(seeds_dir=work / f"pages-{size}", index_dir=work / f"index-{size}", vectors=False)


def _shards(work: Path, way: str, n: int) -> list[Path]:
    return [work / f"{way}-shards" / str(i) for i in range(n)]


def step(name: str, work: Path, size: int, n_shards: int, workers: int) -> dict[str, Any]:
    """One measured step, in this process."""
    settings = _settings(work, size)
    start = time.perf_counter()
    if name == "index":
        Archive.open(settings, rebuild=True)
    elif name == "write":
        from retrieval.shards.write import write_shards

        write_shards(Archive.open(settings).index, _shards(work, "local", n_shards))
    elif name == "cluster":
        return {
            **_cluster(settings, _shards(work, "cluster", n_shards), workers),
            "seconds": time.perf_counter() - start,
        }
    return {"seconds": time.perf_counter() - start, "peak_mb": memory_mb()["peak_mb"]}


def _cluster(settings: Settings, paths: list[Path], workers: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from retrieval.shards.cluster import build_shards

    settings = replace(settings, index_dir=settings.index_dir.with_name("cluster-index"))
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            memory_limit=WORKER_MEMORY,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        build_shards(settings, paths, client)
        peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"peak_mb": memory_mb()["peak_mb"], "worker_peak_mb": round(max(peaks.values()), 1)}


def _spawn(name: str, work: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.cluster_ingest", "--step", name, "--work", str(work)]
    cmd += ["--sizes", str(size), "--shards", str(args.shards), "--workers", str(args.workers)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(work: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = _settings(work, size).seeds_dir
    write_pages(folder, size, seed=0)
    row: dict[str, Any] = {"size": size, "pages": len(list(folder.glob("*.txt")))}
    for name in ("index", "write", "cluster"):
        row[name] = _spawn(name, work, size, args)
    row["equal"] = shards_equal(_shards(work, "local", args.shards), _shards(work, "cluster", args.shards))
    return row


def shards_equal(a: list[Path], b: list[Path]) -> bool:
    """Tell whether two sets of shards hold the same documents and metadata (the snapshot name aside)."""
    from retrieval.shards.compare import shard_contents

    return all(shard_contents(x) == shard_contents(y) for x, y in zip(a, b, strict=True))


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    lines = [
        machine_line(machine(("xapian-bindings-binary", "distributed"))),
        "",
        f"{args.shards} shards; the cluster: {args.workers} worker processes on this machine, "
        f"{WORKER_MEMORY} memory limit each.",
        "",
        "| chunks | pages | local: index s | peak MB | + shards write s | peak MB | cluster build s "
        "| client peak MB | largest worker peak MB | shards equal |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        i, w, c = r["index"], r["write"], r["cluster"]
        lines.append(
            f"| {r['size']:,} | {r['pages']:,} | {i['seconds']:.1f} | {i['peak_mb']:,.0f} "
            f"| {w['seconds']:.1f} | {w['peak_mb']:,.0f} | {c['seconds']:.1f} | {c['peak_mb']:,.0f} "
            f"| {c['worker_peak_mb']:,.0f} | {'yes' if r['equal'] else 'NO'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="comma-separated chunk counts")
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, args.work, int(args.sizes), args.shards, args.workers)))
        return
    with tempfile.TemporaryDirectory(prefix="chamber-qa-cluster-") as tmp:
        work = args.work or Path(tmp)
        rows = [run_size(work, int(s), args) for s in args.sizes.split(",")]
        shutil.rmtree(work / "local-shards", ignore_errors=True)
    print(table(rows, args))


if __name__ == "__main__":
    main()
