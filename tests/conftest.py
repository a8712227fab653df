"""Shared fixtures: the seed archive built once per test session into a temporary index folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval import Archive, Settings

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings over a private copy of seeds/ with its own index folder."""
    base = tmp_path_factory.mktemp("archive")
    shutil.copytree(SEEDS, base / "seeds")
    return Settings(seeds_dir=base / "seeds", index_dir=base / "index")


@pytest.fixture(scope="session")
def seed_archive(seed_settings: Settings) -> Archive:
    """The archive over the seed pages, built once."""
    return Archive.open(seed_settings)
