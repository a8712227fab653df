"""An archive that grows or shrinks a page at a time must equal one built from scratch, and do less work."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import Archive, Settings
from retrieval.errors import IndexDamaged
from retrieval.index import draft, workers, writer
from retrieval.index.records import Records, concat, encode
from retrieval.parse.chunks import indexed_text

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUERIES = [
    "党建引领",
    "营商环境",
    "长葛市工商联培训",
    "莲城智能体",
    "青瓷产业商会",
    "万人助企 银行",
    "商会 党建",
]

NEW_PAGE = (
    "本报讯（记者 张三）近日，许昌市青瓷产业商会召开会员大会。会议强调，要坚持“党建引领”，"
    "服务会员企业发展，推动青瓷产业做大做强。\n\n"
    "与会会员表示，将积极参与“万人助万企”活动，为许昌经济发展贡献力量。\n\n"
    "许昌市青瓷产业商会\n召开会员大会\n本报记者 张三\n"
)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index")


def scores_by_passage(archive: Archive) -> dict[str, dict[tuple[str, int, str], float]]:
    """Every chunk's score for every query, keyed by what the chunk is rather than where it sits."""
    index = archive.index
    keys = [(c.article_id, c.paragraph, c.text) for c in index.chunks]
    out = {}
    for q in QUERIES:
        scores = index.bm25.scores(index.tokenizer.query(q))
        out[q] = dict(zip(keys, scores.tolist(), strict=True))
    return out


def assert_same_as_fresh_build(archive: Archive, tmp_path: Path) -> None:
    fresh = Archive.open(Settings(seeds_dir=archive.settings.seeds_dir, index_dir=tmp_path / "fresh"))
    assert archive.index.tokenizer.terms == fresh.index.tokenizer.terms
    # Terms only dead documents hold stay in the vocabulary (df 0) until their segment is merged.
    assert archive.index.bm25.term_counts() == fresh.index.bm25.term_counts()
    assert archive.index.bm25.n_tokens == fresh.index.bm25.n_tokens
    assert scores_by_passage(archive) == scores_by_passage(fresh)  # exact floats, not approx
    assert archive.stats.n_articles == fresh.stats.n_articles
    assert sorted(a.id for a in archive.articles) == sorted(a.id for a in fresh.articles)


def count_tokenized(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    seen: list[int] = []
    real = workers.tokenize_all
    monkeypatch.setattr(draft, "tokenize_all", lambda texts, tok: seen.append(len(texts)) or real(texts, tok))
    return seen


def test_adding_a_page_tokenizes_only_what_it_must_and_equals_a_fresh_build(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = Archive.open(settings)
    (settings.seeds_dir / "002_new.txt").write_text(NEW_PAGE, encoding="utf-8")
    seen = count_tokenized(monkeypatch)
    after = Archive.open(settings)
    # The new page brings a term (党建引领) that a seed page prints too: that page is
    # tokenized again, the other is kept as it was.
    seed_chunks = [c for c in after.index.chunks if c.source.startswith("00") and c.source != "002_new.txt"]
    assert 2 <= seen[0] < len(seed_chunks)
    assert after.ask("青瓷产业商会会员大会").hits[0].chunk.source == "002_new.txt"
    assert after.stats.n_pages == before.stats.n_pages + 1
    monkeypatch.undo()
    assert_same_as_fresh_build(after, tmp_path)


def test_removing_a_page_equals_a_fresh_build(settings: Settings, tmp_path: Path) -> None:
    (settings.seeds_dir / "002_new.txt").write_text(NEW_PAGE, encoding="utf-8")
    Archive.open(settings)
    (settings.seeds_dir / "001_73203bc2ffbfe497.txt").unlink()
    after = Archive.open(settings)
    assert {c.source for c in after.index.chunks} == {"000_ceb8d8b2816fae3d.txt", "002_new.txt"}
    assert_same_as_fresh_build(after, tmp_path)


def test_an_unchanged_folder_is_not_read_again(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    Archive.open(settings)
    monkeypatch.setattr(writer, "refresh", lambda *a, **k: pytest.fail("refreshed an up-to-date index"))
    Archive.open(settings)


def test_a_duplicate_page_is_indexed_once_and_reported(settings: Settings) -> None:
    before = Archive.open(settings)
    shutil.copy(settings.seeds_dir / "000_ceb8d8b2816fae3d.txt", settings.seeds_dir / "zz_copy.txt")
    after = Archive.open(settings)
    assert after.stats.n_chunks == before.stats.n_chunks
    assert [(d.source, d.reason) for d in after.duplicates] == [
        ("zz_copy.txt", "same text as 000_ceb8d8b2816fae3d.txt")
    ]
    # When the original goes, the copy takes its place.
    (settings.seeds_dir / "000_ceb8d8b2816fae3d.txt").unlink()
    again = Archive.open(settings)
    assert again.stats.n_chunks == before.stats.n_chunks and not again.duplicates
    assert {c.source for c in again.index.chunks} >= {"zz_copy.txt"}


def test_duplicates_within_one_batch_of_new_pages(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("a.txt", "b.txt"):
        (seeds / name).write_text(NEW_PAGE, encoding="utf-8")
    archive = Archive.open(Settings(seeds_dir=seeds, index_dir=tmp_path / "index"))
    assert [d.source for d in archive.duplicates] == ["b.txt"]
    assert {c.source for c in archive.index.chunks} == {"a.txt"}


def test_a_changed_sidecar_refreshes_the_page(settings: Settings) -> None:
    Archive.open(settings)
    sidecar = settings.seeds_dir / "000_ceb8d8b2816fae3d.toml"
    sidecar.write_text('paper = "许昌日报"\ndate = "2024-01-02"\n', encoding="utf-8")
    archive = Archive.open(settings)
    assert "许昌日报" in archive.stats.papers
    assert any(c.paper == "许昌日报" for c in archive.index.chunks)


def test_a_broken_page_added_later_is_reported_and_the_rest_kept(settings: Settings) -> None:
    before = Archive.open(settings)
    (settings.seeds_dir / "bad.txt").write_bytes(b"\x00\x01binary")
    after = Archive.open(settings)
    assert [r.source for r in after.refused] == ["bad.txt"]
    assert after.stats.n_chunks == before.stats.n_chunks


def test_quick_open_then_check_catches_damage_and_rebuilds(settings: Settings) -> None:
    Archive.open(settings)
    archive = Archive.open(settings, quick=True)
    assert archive.check()
    snapshot = archive.index.snapshot
    assert snapshot is not None
    victim = snapshot.path / f"{snapshot.manifest['segments'][0]}.tf.npy"
    data = bytearray(victim.read_bytes())
    data[-3] ^= 0xFF  # same size: only a checksum can tell
    victim.write_bytes(bytes(data))
    damaged = Archive.open(settings, quick=True)  # a quick open trusts the sizes ...
    assert not damaged.check()  # ... and the check catches it and publishes a rebuilt index
    rebuilt = Archive.open(settings)
    assert rebuilt.stats.index_version != damaged.stats.index_version
    assert rebuilt.ask("莲城智能体").answered


def test_article_lookup_by_id(settings: Settings) -> None:
    archive = Archive.open(settings)
    for article in list(archive.articles)[::5]:
        assert archive.article(article.id) == article
    assert archive.article("nope#1") is None


def test_records_are_decoded_on_demand_and_damage_is_named() -> None:
    items = [{"n": i, "text": "商会" * i} for i in range(5)]
    blob, offsets = encode(items)
    store = Records(blob, offsets, lambda raw, i: (i, raw["text"]))
    assert store[3] == (3, "商会商会商会") and store[-1][0] == 4 and len(store) == 5
    joined = Records(
        *concat([store.slice(3, 5), encode([{"n": 9, "text": "x"}]), store.slice(0, 1)]), lambda raw, i: raw
    )
    assert [r["n"] for r in joined] == [3, 4, 9, 0]
    broken = blob.copy()
    broken[offsets[2]] = ord("!")
    with pytest.raises(IndexDamaged, match="record 2"):
        Records(broken, offsets, lambda raw, i: raw)[2]
    with pytest.raises(IndexDamaged, match="offsets"):
        Records(blob, offsets[:-1], lambda raw, i: raw)


def test_tokenizing_on_several_processes_gives_the_same_counts(
    seed_archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive_texts = [indexed_text(c) for c in seed_archive.index.chunks]
    tokenizer = seed_archive.index.tokenizer
    serial = workers.tokenize_all(archive_texts, tokenizer)
    monkeypatch.setattr(workers, "PARALLEL_MIN_CHUNKS", 1)
    monkeypatch.setattr(workers, "BATCH_CHUNKS", 7)
    parallel = workers.tokenize_all(archive_texts, tokenizer)
    assert serial[0] == parallel[0]
    np.testing.assert_array_equal(serial[1], parallel[1])
    np.testing.assert_array_equal(serial[2], parallel[2])


def test_reading_pages_on_several_processes_gives_the_same_archive(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "PARALLEL_MIN_PAGES", 1)
    archive = Archive.open(settings)
    monkeypatch.undo()
    assert_same_as_fresh_build(archive, tmp_path)


# ---- segments: what a change rewrites, and what it leaves alone


def small_page(n: int) -> str:
    """A page of one article whose words are its own (so adding it shifts no dictionary term)."""
    return (
        f"本报讯（记者 王{n}）第{n}号测试园区近日举办第{n}期企业座谈会，{n}家企业参加。\n\n"
        f"座谈会上，企业代表围绕第{n}号园区的融资、用工等问题发言。\n\n"
        f"第{n}号园区\n举办企业座谈会\n"
    )


def segment_files(archive: Archive) -> dict[str, int]:
    """The current snapshot's segment files by name, with their inode numbers."""
    snapshot = archive.index.snapshot
    assert snapshot is not None
    return {
        f.name: f.stat().st_ino
        for f in snapshot.path.iterdir()
        if any(f.name.startswith(s + ".") for s in snapshot.manifest["segments"])
    }


@pytest.fixture
def small(tmp_path: Path) -> Settings:
    folder = tmp_path / "pages"
    folder.mkdir()
    for n in range(6):
        (folder / f"p{n:03d}.txt").write_text(small_page(n), encoding="utf-8")
    return Settings(seeds_dir=folder, index_dir=tmp_path / "index")


def test_adding_a_page_writes_one_small_segment_and_links_the_others(small: Settings, tmp_path: Path) -> None:
    before = Archive.open(small)
    old_files = segment_files(before)
    (small.seeds_dir / "p100.txt").write_text(small_page(100), encoding="utf-8")
    after = Archive.open(small)
    first, _ = after.index.manifest["segments"]
    assert first == before.index.manifest["segments"][0]
    files = segment_files(after)
    # The old segment's files are the same files (hard links), not copies.
    assert {n: i for n, i in files.items() if n.startswith(first)} == old_files
    (added,) = [p for p in after.index.pages if p.segment == after.index.segments[1].name]
    assert added.source == "p100.txt" and added.position == 0
    assert after.index.bm25.segments[1].n_docs == added.n_chunks
    assert_same_as_fresh_build(after, tmp_path)


def test_removing_a_page_marks_it_dead_without_rewriting(small: Settings, tmp_path: Path) -> None:
    before = Archive.open(small)
    (small.seeds_dir / "p002.txt").unlink()
    after = Archive.open(small)
    assert segment_files(after) == segment_files(before)  # nothing rewritten: one page is now dead
    assert after.index.bm25.live[0] is not None and not after.index.bm25.live[0].all()
    assert "p002.txt" not in {c.source for c in after.index.chunks}
    assert all(h.chunk.source != "p002.txt" for h in after.ask("第2号测试园区 座谈会").hits)
    assert_same_as_fresh_build(after, tmp_path)


def test_a_mostly_dead_segment_is_rewritten(small: Settings, tmp_path: Path) -> None:
    Archive.open(small)
    for n in range(4):
        (small.seeds_dir / f"p{n:03d}.txt").unlink()
    after = Archive.open(small)
    (segment,) = after.index.segments
    assert segment.name != "s000001" and segment.n_pages == 2
    assert [(p.source, p.segment, p.position) for p in after.index.pages] == [
        ("p004.txt", segment.name, 0),
        ("p005.txt", segment.name, 1),
    ]
    assert after.index.bm25.live == (None,)
    assert_same_as_fresh_build(after, tmp_path)


def test_small_segments_are_merged_by_size_class(
    small: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One page at a time: the segments stay few (merged MERGE_FACTOR at a time), the scores exact."""
    monkeypatch.setattr(draft, "MERGE_FACTOR", 2)
    Archive.open(small)
    counts = []
    for n in range(100, 108):
        (small.seeds_dir / f"p{n}.txt").write_text(small_page(n), encoding="utf-8")
        counts.append(len(Archive.open(small).index.segments))
    # With a factor of 2, two segments of one size class merge, and the merged one may merge on.
    assert max(counts) <= 4 and counts[-1] < len(counts)
    archive = Archive.open(small)
    assert archive.ask("第105号测试园区").hits[0].chunk.source == "p105.txt"
    assert_same_as_fresh_build(archive, tmp_path)


def test_segment_names_are_never_reused(small: Settings) -> None:
    """A name stands for one set of files: a dropped segment's name is not given to a new one."""
    Archive.open(small)
    (small.seeds_dir / "p100.txt").write_text(small_page(100), encoding="utf-8")
    assert Archive.open(small).index.manifest["segments"] == ["s000001", "s000002"]
    (small.seeds_dir / "p100.txt").unlink()  # s000002 holds no live page any more: dropped
    assert Archive.open(small).index.manifest["segments"] == ["s000001"]
    (small.seeds_dir / "p101.txt").write_text(small_page(101), encoding="utf-8")
    assert Archive.open(small).index.manifest["segments"] == ["s000001", "s000003"]
