"""Xapian as an engine of the scale benchmark: the archive's own shard format (``retrieval/shards``),
built from the same token lists, served in process from one folder (``xapian``) or from 2 or 4 shards,
each behind its own ``xapian-tcpsrv`` on 127.0.0.1 (``xapian-remote``, ``xapian-4``), joined as the product
joins them (``retrieval.shards.connect``) and weighted as it weights them (``engine.weight``).

Chunk i goes to shard i mod n, so the joined database's document id is i + 1 and top-5 ids compare with
the other engines'. ``rss_mb`` is the serving process; ``servers_mb``, the shard servers' resident
memory (each with its forked connection handler), is read after the queries.
"""

from __future__ import annotations

import atexit
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.common import timed
from benchmarks.corpus import TokenCache

if TYPE_CHECKING:
    from benchmarks.engines import Opened

SHARDS = {"xapian": 1, "xapian-remote": 2, "xapian-4": 4}
# The engines served by xapian-tcpsrv: without it installed they are left out, with a warning.
PROGRAMS = {"xapian-remote": "xapian-tcpsrv", "xapian-4": "xapian-tcpsrv"}
BATCH = 100_000  # documents per commit while building: Xapian holds a batch in memory


def build_xapian(n_shards: int, cache: TokenCache, out: Path, params: dict[str, Any]) -> dict[str, Any]:
    """Write the cached token lists into ``n_shards`` Xapian databases (chunk i on shard i mod n)."""
    from retrieval.shards.documents import add_terms
    from retrieval.shards.engine import xapian

    x = xapian()
    out.mkdir(parents=True, exist_ok=True)
    dbs = [x.WritableDatabase(str(out / str(s)), x.DB_CREATE_OR_OPEN) for s in range(n_shards)]

    def run() -> None:
        for start in range(0, len(cache), BATCH):
            for i, tokens in enumerate(cache.docs(start, min(start + BATCH, len(cache))), start):
                doc = x.Document()
                add_terms(doc, tokens)
                dbs[i % n_shards].add_document(doc)
            for db in dbs:
                db.commit()
        for db in dbs:
            db.close()

    _, build_s = timed(run)
    return {"build_mem_s": build_s, "save_s": 0.0, "shards": n_shards}


def free_port() -> int:
    """A port nothing listens on at 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 10) -> None:
    """Wait until a server listens on 127.0.0.1:port."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def start_server(binary: str, folder: Path, port: int) -> subprocess.Popen[bytes]:
    """xapian-tcpsrv serving a shard folder on 127.0.0.1:port, listening when this returns. In a process
    group of its own: it forks a handler per connection, which a stop (killpg) must take down too."""
    args = [binary, "--port", str(port), "--interface", "127.0.0.1", str(folder)]
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    wait_for_port(port, 30)
    return proc


def _serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = start_server(shutil.which("xapian-tcpsrv") or "xapian-tcpsrv", folder, port)
    atexit.register(proc.kill)
    return proc, f"127.0.0.1:{port}"


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (a server and its connection handlers), in MB."""
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for p in [pid, *(int(c) for c in (children.read_text().split() if children.exists() else []))]:
        status = Path(f"/proc/{p}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
    return round(total, 1)


def open_xapian(n_shards: int, path: Path, params: dict[str, Any]) -> Opened:
    """Serve the shards: in process from the folder (one shard), else each behind xapian-tcpsrv."""
    from benchmarks.engines import TOP_K, Opened  # engines.py imports this module
    from retrieval.index.scoring import BM25Params
    from retrieval.shards.connect import ShardSet
    from retrieval.shards.search import ShardSearch

    folders = [path / str(s) for s in range(n_shards)]
    servers = [_serve(f) for f in folders] if n_shards > 1 else []
    addresses = [a for _, a in servers] or [str(folders[0])]

    def load() -> ShardSearch:
        shards = ShardSet(addresses)
        shards.handle()  # connected, each shard's tables opened
        return ShardSearch(shards, BM25Params.from_json(params))

    search, load_s = timed(load)

    def top(q: list[str]) -> tuple[list[int], list[float]]:
        ids, scores = search.top_k(q, TOP_K)
        return [int(i) - 1 for i in ids], scores.tolist()

    def after() -> dict[str, Any]:
        return {"servers_mb": round(sum(_tree_rss_mb(p.pid) for p, _ in servers), 1)}

    return Opened(top, {"load_s": load_s}, after)
