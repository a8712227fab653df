"""The archive on Xapian shards: written from the index, kept in step with the pages, served from
folders and from xapian-tcpsrv on 127.0.0.1, answering as the embedded index does, and going on when
a shard is down or hangs."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from shard_servers import Server, needed

from benchmarks.shard_engines import free_port, wait_for_port
from chamber_qa.cli import cli
from replies.json_contract import answer_json
from replies.text import answer_text
from retrieval import Archive, Settings
from retrieval.shards import connect, engine
from retrieval.shards import documents as docs
from retrieval.shards.compare import shard_contents
from retrieval.shards.engine import ShardsUnavailable
from retrieval.shards.write import write_shards

pytest_plugins = ["conftest_bot"]

ROOT = Path(__file__).resolve().parent.parent
SEED_QUESTIONS = [
    json.loads(line)["q"] for line in (ROOT / "eval" / "questions.jsonl").open(encoding="utf-8")
]
QUESTION = "许昌市有几家商会入选全国四好商会？"
N_SHARDS = 3
ALICE = 101


@pytest.fixture(scope="module")
def folders(seed_archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The seed archive written to three shard folders."""
    base = tmp_path_factory.mktemp("shards")
    paths = [base / str(n) for n in range(N_SHARDS)]
    write_shards(seed_archive.index, paths, seed_archive.vectors)  # type: ignore[arg-type]
    return paths


def _on(settings: Settings, shards: list[str]) -> Archive:
    archive = Archive.open(replace(settings, shards=tuple(shards)))
    archive.open_vectors()
    return archive


@pytest.fixture
def servers(folders: list[Path]) -> Iterator[list[Server]]:
    running = [Server(folder) for folder in folders]
    for server in running:
        server.start()
    yield running
    for server in running:
        server.stop()


def _private_copy(seed_settings: Settings, tmp_path: Path) -> Settings:
    """Settings over a copy of the seed pages that a test may change (BM25 alone: quicker)."""
    settings = replace(seed_settings, seeds_dir=tmp_path / "pages", index_dir=tmp_path / "index")
    shutil.copytree(seed_settings.seeds_dir, settings.seeds_dir)
    return replace(settings, vectors=False)


def _found(archive: Archive, question: str) -> tuple[object, ...]:
    a = archive.ask(question)
    hits = tuple((h.chunk.article_id, h.chunk.paragraph, h.chunk.text) for h in a.hits)
    items = tuple((i.text, i.article_id, i.paragraph) for i in a.items)  # chunk ids are each engine's own
    return a.answered, a.short_answer.text if a.short_answer else None, hits, items


def test_every_page_lives_on_the_one_shard_its_name_hashes_to(
    seed_archive: Archive, folders: list[Path]
) -> None:
    xapian = engine.xapian()
    held: dict[str, int] = {}
    total = 0
    for n, folder in enumerate(folders):
        db = xapian.Database(str(folder))
        total += db.get_doccount()
        for key in db.metadata_keys(docs.PAGE_KEY):
            source = key.decode()[len(docs.PAGE_KEY) :]
            assert source not in held
            held[source] = n
            assert docs.shard_of(source, N_SHARDS) == n
    assert sorted(held) == sorted(p.source for p in seed_archive.index.pages if p.status == "indexed")
    assert total == seed_archive.stats.n_chunks


def test_shards_answer_the_seed_questions_as_the_index_does(
    seed_archive: Archive, seed_settings: Settings, folders: list[Path]
) -> None:
    """Same passages in the same order, same short answers, lists and refusals: Xapian's BM25+ (delta 0)
    ranks as the index's BM25 does on every seed question."""
    sharded = _on(seed_settings, [str(f) for f in folders])
    assert sharded.vectors is not None  # the vectors travel in the documents
    differing = [q for q in SEED_QUESTIONS if _found(seed_archive, q) != _found(sharded, q)]
    assert differing == []
    assert sharded.stats.n_chunks == seed_archive.stats.n_chunks
    assert [a.id for a in sharded.articles] == sorted(
        (a.id for a in seed_archive.articles), key=lambda i: (i.rsplit("#", 1)[0], int(i.rsplit("#", 1)[1]))
    )
    first = seed_archive.articles[0]
    assert sharded.article(first.id) == first
    assert sharded.page_articles(first.source) == seed_archive.page_articles(first.source)


def test_rewriting_touches_only_pages_that_changed(seed_settings: Settings, tmp_path: Path) -> None:
    settings = _private_copy(seed_settings, tmp_path)
    paths = [tmp_path / "s0", tmp_path / "s1"]
    first = write_shards(Archive.open(settings).index, paths)
    assert sum(s.written for s in first) == 2
    again = write_shards(Archive.open(settings).index, paths)
    assert [s.written for s in again] == [0, 0] and [s.deleted for s in again] == [0, 0]
    gone = sorted(settings.seeds_dir.glob("*.txt"))[0]
    gone.unlink()
    after = write_shards(Archive.open(settings).index, paths)
    assert sum(s.deleted for s in after) == 1 and sum(s.pages for s in after) == 1
    sharded = _on(settings, [str(p) for p in paths])
    assert all(a.source != gone.name for a in sharded.articles)
    assert sharded.stats.n_chunks == sum(s.documents for s in after)


def test_a_serving_archive_sees_pages_written_to_its_shards_meanwhile(
    seed_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No restart: a page added and written while the archive serves is answered within seconds."""
    monkeypatch.setattr(connect, "REOPEN_SECONDS", 0.0)
    settings = _private_copy(seed_settings, tmp_path)
    paths = [tmp_path / "s0", tmp_path / "s1"]
    write_shards(Archive.open(settings).index, paths)
    serving = _on(settings, [str(p) for p in paths])
    question = "魏都区民营企业家培训班邀请专家围绕什么授课？"
    assert all(h.chunk.source != "new_page.txt" for h in serving.ask(question).hits)
    shutil.copy(ROOT / "tests" / "pages" / "02_headline_first.txt", settings.seeds_dir / "new_page.txt")
    write_shards(Archive.open(settings).index, paths)
    found = serving.ask(question)
    assert found.answered and found.hits[0].chunk.source == "new_page.txt"
    assert any(a.source == "new_page.txt" for a in serving.articles)


def test_a_failed_write_leaves_the_shard_as_it_was(
    seed_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(seed_settings, vectors=False)
    archive = Archive.open(settings)
    paths = [tmp_path / "s0"]
    write_shards(archive.index, paths)
    before = _found(_on(settings, [str(paths[0])]), QUESTION)
    db = engine.xapian().WritableDatabase(str(paths[0]), engine.xapian().DB_OPEN)
    db.set_metadata(docs.HEADER, "{}")  # as if written by another version: every page is written again
    db.commit()
    db.close()
    calls = 0

    def failing(*args: object) -> object:
        nonlocal calls
        calls += 1
        if calls > 10:
            raise OSError("disk full")
        return original(*args)

    original = docs.chunk_document
    monkeypatch.setattr(docs, "chunk_document", failing)
    with pytest.raises(OSError, match="disk full"):
        write_shards(archive.index, paths)
    db = engine.xapian().Database(str(paths[0]))
    assert db.get_doccount() == archive.stats.n_chunks
    assert db.get_metadata(docs.HEADER) == b"{}"
    monkeypatch.undo()
    write_shards(archive.index, paths)
    assert _found(_on(settings, [str(paths[0])]), QUESTION) == before


def test_remote_shards_answer_and_a_dead_one_is_left_out_then_rejoins(
    seed_archive: Archive,
    seed_settings: Settings,
    servers: list[Server],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(connect, "RETRY_SECONDS", 0.0)
    sharded = _on(seed_settings, [s.address for s in servers])
    whole = sharded.ask(QUESTION)
    assert whole.answered and not whole.partial
    assert _found(sharded, QUESTION) == _found(seed_archive, QUESTION)
    holding = next(s for s in servers if engine.xapian().Database(str(s.folder)).get_doccount())
    holding.stop()  # between two questions
    partial = sharded.ask("长葛市工商联举办了哪些培训？")
    assert partial.partial
    assert any(f"shard {holding.address} does not answer" in r.getMessage() for r in caplog.records)
    assert "部分档案暂时不可用" in answer_text(partial)
    assert answer_json(partial)["partial"] is True
    served = {h.chunk.source for h in partial.hits}
    held = {
        k.decode()[len(docs.PAGE_KEY) :]
        for k in engine.xapian().Database(str(holding.folder)).metadata_keys(docs.PAGE_KEY)
    }
    assert not served & held
    holding.start()
    back = sharded.ask(QUESTION)
    assert not back.partial
    assert _found(sharded, QUESTION) == _found(seed_archive, QUESTION)


def test_a_hung_shard_times_out_and_the_others_answer(
    seed_settings: Settings, servers: list[Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server that accepts and never speaks: the question waits one bounded timeout, not forever."""
    monkeypatch.setattr(connect, "TIMEOUT_MS", 300)
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(hung.accept()[0]), daemon=True).start()
    try:
        address = f"127.0.0.1:{hung.getsockname()[1]}"
        started = time.monotonic()
        sharded = _on(seed_settings, [*(s.address for s in servers), address])
        found = sharded.ask(QUESTION)
        assert found.answered and found.partial
        assert time.monotonic() - started < 30
    finally:
        hung.close()
        for conn in accepted:
            conn.close()


def test_no_shard_answering_is_a_clear_error(seed_settings: Settings) -> None:
    with pytest.raises(ShardsUnavailable, match="no shard answers"):
        Archive.open(replace(seed_settings, shards=(f"127.0.0.1:{free_port()}",)))


def test_without_xapian_the_shards_say_what_is_missing(
    seed_settings: Settings, folders: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    real = importlib.import_module

    def no_xapian(name: str, *args: object) -> object:
        if name == "xapian":
            raise ImportError("No module named 'xapian'")
        return real(name, *args)

    engine.xapian.cache_clear()
    monkeypatch.setattr(importlib, "import_module", no_xapian)
    try:
        with pytest.raises(ShardsUnavailable, match="xapian-bindings-binary"):
            Archive.open(replace(seed_settings, shards=(str(folders[0]),)))
    finally:
        monkeypatch.undo()
        engine.xapian.cache_clear()


def test_the_cli_writes_shards_and_answers_from_them(seed_settings: Settings, tmp_path: Path) -> None:
    runner = CliRunner()
    common = [
        "--seeds",
        str(seed_settings.seeds_dir),
        "--index-dir",
        str(seed_settings.index_dir),
        "--no-vectors",
    ]
    paths = [str(tmp_path / "a"), str(tmp_path / "b")]
    wrote = runner.invoke(cli, ["shards", "write", *paths, *common])
    assert wrote.exit_code == 0, wrote.output
    assert wrote.output.count("shard ") == 2
    asked = runner.invoke(cli, ["ask", "--json", QUESTION, *common], env={"XAPIAN_SHARDS": ",".join(paths)})
    assert asked.exit_code == 0, asked.output
    assert json.loads(asked.output)["short_answer"]["text"] == "5家"
    kept = runner.invoke(cli, ["index", *common], env={"XAPIAN_SHARD_DIRS": ",".join(paths)})
    assert kept.exit_code == 0 and "(0 pages written, 0 deleted)" in kept.output


async def test_the_bot_answers_from_shards_and_says_when_part_of_the_archive_is_missing(
    start_bot: Any,
    emulator: Any,
    seed_settings: Settings,
    servers: list[Server],
    monkeypatch: pytest.MonkeyPatch,
    log_lines: list[str],
) -> None:
    """The real Application over HTTP against the Bot API emulator, its archive on three xapian-tcpsrv."""
    monkeypatch.setattr(connect, "RETRY_SECONDS", 3600.0)  # a shard that fails stays out for the test
    sharded = await asyncio.to_thread(_on, seed_settings, [s.address for s in servers])

    async def ask(text: str) -> str:
        user = emulator.user(ALICE, language_code="zh-hans")
        sent = emulator.send_text(emulator.private_chat(user), user, text)["message"]["message_id"]
        reply = await emulator.wait_for(
            "sendMessage",
            lambda c: int(c.params["chat_id"]) == ALICE and c.response["result"]["message_id"] > sent,
        )
        return str(reply.response["result"]["text"])

    async with start_bot(sharded):
        whole = await ask(QUESTION)
        assert whole.startswith("答：5家") and "部分档案" not in whole
        holding = next(s for s in servers if engine.xapian().Database(str(s.folder)).get_doccount())
        holding.stop()
        part = await ask("长葛市工商联举办了哪些培训？")
        assert "部分档案暂时不可用" in part and "第" in part and "段" in part
    assert any(f"shard {holding.address} does not answer" in line for line in log_lines)


def _replicate(port: int, master: str, replica: Path) -> None:
    """One pass of xapian-replicate: the replica brought up to the master's last commit."""
    args = [
        needed("xapian-replicate"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-m",
        master,
        "-o",
        "-q",
        str(replica),
    ]
    subprocess.run(args, check=True, timeout=60)


def test_a_read_replica_follows_its_shard_through_xapian_replicate(
    seed_settings: Settings, tmp_path: Path
) -> None:
    """The replica serves the same answers, and after the shard changes, the changed archive."""
    settings = _private_copy(seed_settings, tmp_path)
    masters, replica = tmp_path / "masters", tmp_path / "replica"
    write_shards(Archive.open(settings).index, [masters / "s0"])
    port = free_port()
    serve = needed("xapian-replicate-server")
    server = subprocess.Popen(
        [serve, "-I", "127.0.0.1", "-p", str(port), str(masters)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        _replicate(port, "s0", replica)
        master = _on(settings, [str(masters / "s0")])
        assert _found(_on(settings, [str(replica)]), QUESTION) == _found(master, QUESTION)
        gone = sorted(settings.seeds_dir.glob("*.txt"))[0]
        gone.unlink()
        write_shards(Archive.open(settings).index, [masters / "s0"])
        _replicate(port, "s0", replica)
        followed = _on(settings, [str(replica)])
        assert followed.stats.n_chunks == _on(settings, [str(masters / "s0")]).stats.n_chunks
        assert all(a.source != gone.name for a in followed.articles)
    finally:
        server.kill()
        server.wait(5)


def test_add_and_remove_keep_the_shard_dirs_in_step(seed_settings: Settings, tmp_path: Path) -> None:
    settings = _private_copy(seed_settings, tmp_path)
    common = ["--seeds", str(settings.seeds_dir), "--index-dir", str(settings.index_dir), "--no-vectors"]
    paths = [tmp_path / "a", tmp_path / "b"]
    env = {"XAPIAN_SHARD_DIRS": ",".join(map(str, paths))}
    runner = CliRunner()
    assert runner.invoke(cli, ["index", *common], env=env).exit_code == 0
    page = tmp_path / "new_page.txt"
    shutil.copy(ROOT / "tests" / "pages" / "02_headline_first.txt", page)
    added = runner.invoke(cli, ["add", str(page), *common], env=env)
    assert added.exit_code == 0, added.output
    assert "(1 pages written, 0 deleted)" in added.output
    assert any(a.source == "new_page.txt" for a in _on(settings, list(map(str, paths))).articles)
    _same_as_written_afresh(settings, paths, tmp_path / "afresh-after-add")
    removed = runner.invoke(cli, ["remove", "new_page.txt", *common], env=env)
    assert removed.exit_code == 0 and "1 deleted)" in removed.output, removed.output
    assert all(a.source != "new_page.txt" for a in _on(settings, list(map(str, paths))).articles)
    _same_as_written_afresh(settings, paths, tmp_path / "afresh-after-remove")


def _same_as_written_afresh(settings: Settings, paths: list[Path], fresh: Path) -> None:
    """Shards kept in step hold what shards written anew from the same index hold (in another order:
    a page written again goes to the end)."""
    anew = [fresh / p.name for p in paths]
    write_shards(Archive.open(settings).index, anew)
    for kept, new in zip(paths, anew, strict=True):
        (kept_docs, kept_meta), (new_docs, new_meta) = shard_contents(kept), shard_contents(new)
        assert sorted(kept_docs) == sorted(new_docs) and kept_meta == new_meta
