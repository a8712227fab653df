"""Ingest on a cluster: the seed pages and a synthetic archive built into shards on a Dask cluster of two
worker processes on 127.0.0.1 equal the shards written from a local build — the same documents (records,
terms and counts, vectors), page entries, articles, dictionary and figures — and a build that fails
leaves the shards as they were."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from benchmarks import cluster_ingest
from benchmarks.corpus import split_sentences
from benchmarks.pages import write_pages
from retrieval import Archive, Settings
from retrieval.errors import RetrievalError
from retrieval.shards import documents as docs
from retrieval.shards.cluster import ShardJob, build_shards, write_shard
from retrieval.shards.compare import shard_contents
from retrieval.shards.engine import xapian
from retrieval.shards.write import ShardWrite, write_shards

N_SHARDS = 2


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes, one thread each, on loopback."""
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def both_ways(settings: Settings, client: Client, tmp_path: Path) -> tuple[list[Path], list[Path]]:
    """The shards written from a local build, and those built on the cluster."""
    archive = Archive.open(settings)
    archive.embed()
    local = [tmp_path / "local" / str(n) for n in range(N_SHARDS)]
    write_shards(archive.index, local, archive.vectors)  # type: ignore[arg-type]
    built = [tmp_path / "cluster" / str(n) for n in range(N_SHARDS)]
    # Its own index folder: the workers embed every passage rather than reuse the local build's vectors.
    build_shards(replace(settings, index_dir=tmp_path / "cluster-index"), built, client)
    return local, built


def test_the_seed_pages_built_on_the_cluster_equal_a_local_build(
    seed_settings: Settings, client: Client, tmp_path: Path
) -> None:
    settings = replace(seed_settings, index_dir=tmp_path / "index")
    local, built = both_ways(settings, client, tmp_path)
    for a, b in zip(local, built, strict=True):
        assert shard_contents(a) == shard_contents(b)
    dbs = [xapian().Database(str(p)) for p in built]
    assert sum(db.get_doccount() for db in dbs) == Archive.open(settings).stats.n_chunks
    vectors = [docs.vector_of(db.get_document(p.docid)) for db in dbs for p in db.postlist("")]
    assert all(v is not None and len(v) == 384 for v in vectors), "every chunk carries its vector"
    sharded = Archive.open(replace(settings, shards=tuple(map(str, built))))
    assert sharded.ask("许昌市有几家商会入选全国四好商会？").short_answer.text == "5家"  # type: ignore[union-attr]


def test_a_synthetic_archive_with_a_duplicate_and_a_broken_page_builds_alike(
    seed_archive: Archive, client: Client, tmp_path: Path
) -> None:
    sentences = [s for c in seed_archive.articles for p in c.paragraphs for s in split_sentences(p.text)]
    pages = write_pages(tmp_path / "pages", 600, seed=5, sentences=sentences, workers=1)
    shutil.copy(pages[0], tmp_path / "pages" / "zz_copy_of_first.txt")
    (tmp_path / "pages" / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    settings = Settings(seeds_dir=tmp_path / "pages", index_dir=tmp_path / "index", vectors=False)
    local, built = both_ways(settings, client, tmp_path)
    for a, b in zip(local, built, strict=True):
        assert shard_contents(a) == shard_contents(b)
    header = json.loads(xapian().Database(str(built[0])).get_metadata(docs.HEADER))
    assert [d["source"] for d in header["archive"]["duplicates"]] == ["zz_copy_of_first.txt"]
    assert [d["source"] for d in header["archive"]["refused"]] == ["broken.txt"]
    assert header["archive"]["n_pages"] == len(pages)


def dying_write(job: ShardJob, marker: Path) -> ShardWrite:
    """Write a shard, but the first time, die half-way through like a machine pulled from the rack."""
    if not marker.exists():
        marker.write_text("died")
        job.path.parent.mkdir(parents=True, exist_ok=True)
        x = xapian()
        half = x.WritableDatabase(str(job.path.with_name(f".{job.path.name}.new-dead")), x.DB_CREATE_OR_OPEN)
        half.commit()
        os._exit(1)
    return write_shard(job)


class Meddling:
    """A client that passes everything to the real one; subclasses meddle with what ``map`` runs."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def map(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        return self.client.map(function, *args, **kwargs)

    def gather(self, futures: Any) -> Any:
        return self.client.gather(futures)


class DyingWorker(Meddling):
    """A client whose shard-writing tasks kill their worker on the first attempt."""

    def __init__(self, client: Client, marker: Path) -> None:
        super().__init__(client)
        self.marker = marker

    def map(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        if function is write_shard:
            return super().map(dying_write, *args, marker=self.marker, **kwargs)
        return super().map(function, *args, **kwargs)


def test_a_worker_that_dies_writing_a_shard_is_replaced_and_the_shards_still_equal(
    seed_settings: Settings, client: Client, tmp_path: Path
) -> None:
    """Dask runs the task again on a live worker; the dead one's half-written folder is cleared."""
    settings = replace(seed_settings, index_dir=tmp_path / "index", vectors=False)
    calm = [tmp_path / "calm" / str(n) for n in range(N_SHARDS)]
    build_shards(settings, calm, client)
    survived = [tmp_path / "survived" / str(n) for n in range(N_SHARDS)]
    build_shards(settings, survived, DyingWorker(client, tmp_path / "marker"))
    assert (tmp_path / "marker").exists()
    for a, b in zip(calm, survived, strict=True):
        assert shard_contents(a) == shard_contents(b)
    assert sorted(p.name for p in (tmp_path / "survived").iterdir()) == ["0", "1"]


class ChangingPages(Meddling):
    """A client that lets the survey run, then changes a page before the shards are written."""

    def __init__(self, client: Client, page: Path) -> None:
        super().__init__(client)
        self.page = page

    def map(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        if function is write_shard:
            self.page.write_text(self.page.read_text(encoding="utf-8") + "\n新加的一段。\n", encoding="utf-8")
        return super().map(function, *args, **kwargs)


def test_a_build_that_fails_leaves_the_shards_as_they_were(
    seed_settings: Settings, client: Client, tmp_path: Path
) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(seed_settings.seeds_dir, pages)
    settings = Settings(seeds_dir=pages, index_dir=tmp_path / "index", vectors=False)
    built = [tmp_path / "shards" / str(n) for n in range(N_SHARDS)]
    build_shards(settings, built, client)
    before = [shard_contents(p) for p in built]
    changing = ChangingPages(client, sorted(pages.glob("*.txt"))[0])
    with pytest.raises(RetrievalError, match="changed during the build"):
        build_shards(settings, built, changing)
    assert [shard_contents(p) for p in built] == before
    assert sorted(p.name for p in (tmp_path / "shards").iterdir()) == ["0", "1"], (
        "no half-written folder left"
    )


def test_the_cluster_ingest_benchmark_reports_both_ways(capsys: pytest.CaptureFixture[str]) -> None:
    """The benchmark's own path: pages written, built locally and on one worker, compared, reported."""
    cluster_ingest.main(["--sizes", "300", "--workers", "1"])
    table = capsys.readouterr().out
    row = next(line for line in table.splitlines() if line.startswith("| 300 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[-1] == "yes" and all(float(c.replace(",", "")) > 0 for c in cells[2:-1])
