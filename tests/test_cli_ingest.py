"""`chamber-qa add` and `remove`: the archive changes page by page, and a killed ingest loses nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from chamber_qa.cli import cli
from retrieval import Archive, Settings
from retrieval.index.snapshot import load_index
from retrieval.index.storage import current_snapshot_id, read_snapshot

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
CLI = str(Path(sys.executable).with_name("chamber-qa"))
PAGE = (
    "本报讯（记者 张三）近日，许昌市青瓷产业商会召开会员大会，选举产生新一届理事会。会议指出，"
    "商会要团结会员企业，推动青瓷产业高质量发展。\n\n"
    "许昌市青瓷产业商会\n召开会员大会\n本报记者 张三\n"
)


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    return tmp_path / "seeds", tmp_path / "index", incoming


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_add_then_remove_a_page(folders: tuple[Path, Path, Path]) -> None:
    seeds, index, incoming = folders
    where = ["--seeds", str(seeds), "--index-dir", str(index)]
    invoke("index", *where)
    page = incoming / "002_qingci.txt"
    page.write_text(PAGE, encoding="utf-8")
    (incoming / "002_qingci.toml").write_text('paper = "许昌日报"\ndate = "2024-05-01"\n', encoding="utf-8")

    out = invoke("add", str(page), *where)
    assert "added: 002_qingci.txt" in out and "3 pages" in out
    assert (seeds / "002_qingci.toml").is_file()
    hit = Archive.open(Settings(seeds_dir=seeds, index_dir=index)).ask("青瓷产业商会选举理事会").hits[0]
    assert (hit.chunk.source, hit.chunk.paper) == ("002_qingci.txt", "许昌日报")
    assert "unchanged: 002_qingci.txt" in invoke("add", str(page), *where)

    out = invoke("remove", "002_qingci.txt", *where)
    assert "removed: 002_qingci.txt" in out and "2 pages" in out
    assert not (seeds / "002_qingci.txt").exists() and not (seeds / "002_qingci.toml").exists()
    archive = Archive.open(Settings(seeds_dir=seeds, index_dir=index))
    assert all(c.source != "002_qingci.txt" for c in archive.index.chunks)


def test_add_says_what_each_page_became_and_names_what_looks_wrong(folders: tuple[Path, Path, Path]) -> None:
    seeds, index, incoming = folders
    good, headless = incoming / "002_qingci.txt", incoming / "003_headless.txt"
    good.write_text(PAGE, encoding="utf-8")
    # A page whose layout defeats the parser: body text and no headline anywhere.
    headless.write_text(
        "本报讯（记者 张三）日前，某商会召开\n会员大会，选举产生新一届理事会。\n", encoding="utf-8"
    )
    where = ["--seeds", str(seeds), "--index-dir", str(index), "--no-vectors"]
    result = CliRunner().invoke(cli, ["add", str(good), str(headless), *where])
    assert result.exit_code == 0
    assert "added: 002_qingci.txt\n  1 article, 0 photo captions" in result.output
    assert "warning: 003_headless.txt: item 1 (lines 1–2): no headline;" in result.output
    assert "002_qingci.txt: item" not in result.output, "a page parsed well raises no doubt"
    # The sidecar override the warning points to: headline_lines names the page's first line a headline.
    (incoming / "003_headless.toml").write_text(
        '[parser]\nlayout = "headline-first"\nheadline_lines = [1]\n', encoding="utf-8"
    )
    fixed = CliRunner().invoke(cli, ["add", str(headless), *where])
    assert "replaced: 003_headless.txt" in fixed.output and "003_headless.txt: item" not in fixed.output


def test_add_reports_a_duplicate_and_bad_arguments_change_nothing(folders: tuple[Path, Path, Path]) -> None:
    seeds, index, incoming = folders
    where = ["--seeds", str(seeds), "--index-dir", str(index)]
    invoke("index", *where)
    before = current_snapshot_id(index)
    copy = incoming / "copy.txt"
    shutil.copy(seeds / "000_ceb8d8b2816fae3d.txt", copy)
    result = CliRunner().invoke(cli, ["add", str(copy), *where])
    assert result.exit_code == 0 and "copy.txt, same text as 000_ceb8d8b2816fae3d.txt" in result.output

    for args in (["add", str(incoming / "missing.txt")], ["add", str(seeds)], ["remove", "nope.txt"]):
        result = CliRunner().invoke(cli, [*args, *where])
        assert result.exit_code == 1 and "Error:" in result.output and "Traceback" not in result.output
    assert {p.name for p in seeds.glob("*.txt")} == {
        "000_ceb8d8b2816fae3d.txt",
        "001_73203bc2ffbfe497.txt",
        "copy.txt",
    }
    assert current_snapshot_id(index) != before  # only the duplicate's add published a new index


def many_pages(folder: Path, n: int) -> list[Path]:
    """Write n distinct pages made of the seed pages' sentences (an ingest that takes a few seconds)."""
    sentences = [
        s + "。" for p in SEEDS.glob("*.txt") for s in p.read_text(encoding="utf-8").split("。") if s
    ]
    paths = []
    for i in range(n):
        body = "".join(sentences[(i * 7 + j) % len(sentences)] for j in range(12)).replace("\n", "")
        text = f"本报讯（记者 李四）第{i}号报道。{body}\n\n第{i}号报道标题\n本报记者 李四\n"
        path = folder / f"{100 + i:04d}_batch.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def test_an_add_killed_half_way_leaves_the_previous_index_serving(folders: tuple[Path, Path, Path]) -> None:
    """Kill `chamber-qa add` at several moments: the current index is always whole, old or new."""
    seeds, index, incoming = folders
    settings = Settings(seeds_dir=seeds, index_dir=index)
    old = Archive.open(settings)
    old_id = current_snapshot_id(index)
    pages = many_pages(incoming, 300)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for delay in (0.3, 0.8, 1.5, 2.5, 4.0, 5.0):
        process = subprocess.Popen(
            # BM25's index is what is killed here; vector files are written the same atomic way.
            [CLI, "add", *map(str, pages), "--seeds", str(seeds), "--index-dir", str(index), "--no-vectors"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        read_snapshot(index, verify=True)  # whole: every file present, every checksum right
        if current_snapshot_id(index) == old_id:
            # The old index loads and answers as before: it is what a running bot keeps serving.
            again = load_index(index, settings, verify=True)
            assert len(again.chunks) == old.stats.n_chunks
        # Pages copied before the kill are whole copies, never half a file.
        for page in seeds.glob("*_batch.txt"):
            assert page.read_bytes() == (incoming / page.name).read_bytes()
    out = invoke("add", *map(str, pages), "--seeds", str(seeds), "--index-dir", str(index), "--no-vectors")
    assert f"{old.stats.n_pages + len(pages)} pages" in out
    assert Archive.open(settings).ask("第7号报道标题").answered
