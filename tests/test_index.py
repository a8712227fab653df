"""The index on disk: built once, loaded without re-tokenizing, rebuilt when stale or damaged."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import Archive, Settings
from retrieval import archive as archive_module
from retrieval.index import snapshot as index_module
from retrieval.index import writer
from retrieval.index.reference import reference_model
from retrieval.index.storage import Snapshot, read_snapshot
from retrieval.parse.chunks import indexed_text


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", tmp_path / "seeds")
    return Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index")


def test_open_loads_the_saved_index_without_rebuilding(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = Archive.open(settings)
    monkeypatch.setattr(writer, "refresh", lambda *a, **k: pytest.fail("rebuilt a fresh index"))
    again = Archive.open(settings)
    assert again.stats.n_chunks == first.stats.n_chunks
    assert again.ask("莲城智能体").hits[0].chunk == first.ask("莲城智能体").hits[0].chunk


def test_open_rebuilds_when_a_page_changes(settings: Settings) -> None:
    before = Archive.open(settings).stats.n_articles
    page = settings.seeds_dir / "002_new.txt"
    page.write_text(
        "本报讯（记者 张三）许昌市工商联召开座谈会，研究部署莲花节工作。\n\n莲花节\n", encoding="utf-8"
    )
    after = Archive.open(settings)
    assert after.stats.n_articles == before + 1
    assert after.ask("莲花节").answered


def test_open_rebuilds_a_damaged_index(settings: Settings, caplog: pytest.LogCaptureFixture) -> None:
    Archive.open(settings)
    snap = read_snapshot(settings.index_dir)
    victim = snap.path / f"{snap.manifest['segments'][0]}.chunks_blob.npy"
    data = victim.read_bytes()
    victim.write_bytes(data[:-7] + b"garbage")
    archive = Archive.open(settings)
    assert "rebuilding the index" in caplog.text
    assert archive.ask("莲城智能体").answered


def test_open_reports_a_broken_page_and_indexes_the_rest(settings: Settings) -> None:
    (settings.seeds_dir / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    archive = Archive.open(settings)
    assert [r.source for r in archive.refused] == ["broken.txt"]
    assert "broken.txt" in archive.refused[0].reason
    assert archive.stats.n_pages == 2


def test_index_scores_equal_rank_bm25_on_the_seed_chunks(seed_archive: Archive) -> None:
    index = seed_archive.index
    corpus = [index.tokenizer.tokenize(indexed_text(c)) for c in index.chunks]
    s = seed_archive.settings
    reference = reference_model(s.model, corpus, k1=s.k1, b=s.b)
    query = index.tokenizer.query("长葛市工商联举办了哪些培训")
    assert index.bm25.scores(query) == pytest.approx(reference.get_scores(query), rel=1e-4, abs=1e-5)


def test_open_rebuilds_when_the_parsing_code_or_word_lists_change(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    Archive.open(settings)
    monkeypatch.setattr(index_module, "pipeline_fingerprint", lambda: "another-dictionary")
    rebuilt = []
    real_refresh = writer.refresh
    monkeypatch.setattr(writer, "refresh", lambda *a, **k: rebuilt.append(a[3]) or real_refresh(*a, **k))
    Archive.open(settings)
    assert rebuilt == [None]  # from nothing: the old tokens were made by other code


def test_pipeline_fingerprint_covers_the_tokenizer_and_its_word_lists() -> None:
    covered = set(index_module.PIPELINE_MODULES)
    assert {"terms/tokens.py", "terms/dictionary.py", "parse/articles.py"} <= covered
    here = Path(index_module.__file__).parent.parent
    assert all((here / name).is_file() for name in index_module.PIPELINE_MODULES)
    assert all((here / "data" / name).is_file() for name in index_module.PIPELINE_DATA)


def test_resident_memory_is_bounded_by_releasing_index_pages(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[str] = []
    monkeypatch.setattr(Snapshot, "release", lambda self: released.append(self.snapshot_id))
    monkeypatch.setattr(archive_module, "resident_mb", lambda: 900.0)
    roomy = Archive.open(replace(settings, max_rss_mb=1024))
    assert roomy.ask("莲城智能体").answered and released == []
    tight = Archive.open(replace(settings, max_rss_mb=800))
    assert tight.ask("莲城智能体").answered and tight.ask("没有这回事的问题").question
    assert len(released) == 2  # after every question, answered or not
    never = Archive.open(replace(settings, max_rss_mb=0))
    never.ask("莲城智能体")
    assert len(released) == 2
