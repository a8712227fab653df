"""Ingest on a cluster against the local build: a pages folder to Xapian shards, both ways, with the time
and the peak memory of every process involved.

Run from the repository root:

    .venv/bin/python -m benchmarks.cluster_ingest --sizes 10000,100000 [--workers 1,2] [--shards 2]
    .venv/bin/python -m benchmarks.cluster_ingest --sizes 2000 --vectors

For each size, synthetic pages of real sentences (``benchmarks/pages.py``, the ingest benchmark's) are
indexed two ways, each step in a fresh interpreter:

* local: ``chamber-qa index`` (the embedded index built from scratch), then ``shards write`` of it;
* cluster: ``shards build`` on a Dask ``LocalCluster`` of each ``--workers`` count of processes on
  127.0.0.1, each with one thread and a 2 GB memory limit (past it Dask restarts the worker and runs
  its task again).

Reported: seconds, the peak resident memory (VmHWM) of the process that builds (the client, for the
cluster) and the largest worker's, and whether the shards are equal document for document (the
header's snapshot name aside). ``--vectors`` turns the semantic signal on for both ways (the local build
embeds in its process, the workers in theirs; no vector is reused between them); embedding is about
ten passages a second per core, so keep the sizes small. Workers share this machine's two cores, so
the cluster's time here says what the fan-out costs, not what more machines gain.
"""

from __future__ import annotations

import argparse
import json
import resource
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


def _settings(work: Path, size: int, *, vectors: bool = False) -> Settings:
    return Settings(seeds_dir=work / f"pages-{size}", index_dir=work / f"index-{size}", vectors=vectors)


def _shards(work: Path, way: str, n: int) -> list[Path]:
    return [work / f"{way}-shards" / str(i) for i in range(n)]


def step(name: str, work: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    """One measured step, in this process."""
    settings = _settings(work, size, vectors=args.vectors)
    start = time.perf_counter()
    if name == "index":
        Archive.open(settings, rebuild=True).embed()
    elif name == "write":
        from retrieval.shards.write import write_shards

        archive = Archive.open(settings)
        archive.open_vectors()
        write_shards(archive.index, _shards(work, "local", args.shards), archive.vectors)  # type: ignore[arg-type]
    elif name == "cluster":
        built = _cluster(settings, _shards(work, f"cluster-{args.workers}", args.shards), int(args.workers))
        return {**built, "seconds": time.perf_counter() - start}
    return {"seconds": time.perf_counter() - start, "peak_mb": memory_mb()["peak_mb"]}


def _cluster(settings: Settings, paths: list[Path], workers: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    from retrieval.shards.cluster import build_shards

    settings = replace(settings, index_dir=settings.index_dir.with_name(f"cluster-index-{workers}"))
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


def _spawn(name: str, work: Path, size: int, args: argparse.Namespace, workers: str = "1") -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks.cluster_ingest", "--step", name, "--work", str(work)]
    cmd += ["--sizes", str(size), "--shards", str(args.shards), "--workers", workers]
    cmd += ["--vectors"] if args.vectors else []
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{name} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_size(work: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    folder = _settings(work, size).seeds_dir
    write_pages(folder, size, seed=0)
    row: dict[str, Any] = {"size": size, "pages": len(list(folder.glob("*.txt"))), "cluster": {}}
    row["index"] = _spawn("index", work, size, args)
    row["write"] = _spawn("write", work, size, args)
    local = _shards(work, "local", args.shards)
    for n in args.workers.split(","):
        built = _spawn("cluster", work, size, args, n)
        built["equal"] = shards_equal(local, _shards(work, f"cluster-{n}", args.shards))
        row["cluster"][n] = built
    return row


def shards_equal(a: list[Path], b: list[Path]) -> bool:
    """Tell whether two sets of shards hold the same documents and metadata (the snapshot name aside)."""
    from retrieval.shards.compare import shard_contents

    return all(shard_contents(x) == shard_contents(y) for x, y in zip(a, b, strict=True))


def table(rows: list[dict[str, Any]], args: argparse.Namespace) -> str:
    counts = args.workers.split(",")
    cluster_cols = "".join(f" | {n} worker{'s' * (n != '1')}: s | worker peak MB | equal" for n in counts)
    client_mb = max(c["peak_mb"] for r in rows for c in r["cluster"].values())
    lines = [
        machine_line(machine(("xapian-bindings-binary", "distributed"))),
        "",
        f"{args.shards} shards; semantic signal {'on' if args.vectors else 'off'}; cluster workers on this "
        f"machine, one thread and a {WORKER_MEMORY} memory limit each; the client's peak at most "
        f"{client_mb:,.0f} MB.",
        "",
        "| chunks | pages | local: index s | peak MB | + shards write s | peak MB" + cluster_cols + " |",
        "|---|---|---|---|---|---|" + "---|---|---|" * len(counts),
    ]
    for r in rows:
        i, w = r["index"], r["write"]
        cells = [f"{r['size']:,}", f"{r['pages']:,}", f"{i['seconds']:.1f}", f"{i['peak_mb']:,.0f}"]
        cells += [f"{w['seconds']:.1f}", f"{w['peak_mb']:,.0f}"]
        for n in counts:
            c = r["cluster"][n]
            cells += [f"{c['seconds']:.1f}", f"{c['worker_peak_mb']:,.0f}", "yes" if c["equal"] else "NO"]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="comma-separated chunk counts")
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--workers", default="1,2", help="comma-separated worker counts of the cluster")
    p.add_argument("--vectors", action="store_true", help="the semantic signal on, both ways")
    p.add_argument("--work", type=Path, help="working folder (default: a temporary one)")
    p.add_argument("--step", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.step:
        print(json.dumps(step(args.step, args.work, int(args.sizes), args)))
        return
    with tempfile.TemporaryDirectory(prefix="chamber-qa-cluster-") as tmp:
        work = args.work or Path(tmp)
        rows = [run_size(work, int(s), args) for s in args.sizes.split(",")]
    print(table(rows, args))


if __name__ == "__main__":
    main()
