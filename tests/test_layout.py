"""The tree is the architecture: dependencies point one way, each library has one entry point, and no
module or function outgrows what a reader takes in at once."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from retrieval import Archive

ROOT = Path(__file__).resolve().parent.parent
CODE = ("retrieval", "replies", "usage", "bot", "chamber_qa", "benchmarks", "emulator")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# What each package may not import: data flows retrieval -> replies -> bot, and chamber_qa wires them.
FORBIDDEN = {
    "retrieval": ("telegram", "bot", "replies", "chamber_qa", "benchmarks"),
    "replies": ("telegram", "bot", "chamber_qa", "benchmarks"),
    "usage": ("telegram", "bot", "replies", "chamber_qa", "benchmarks", "retrieval"),
    "bot": ("chamber_qa", "benchmarks"),
}
# Each third-party library has one entry point in the product (tests and benchmarks aside).
ENTRY_POINTS = {
    "jieba": ("retrieval/terms/",),
    "opencc": ("retrieval/terms/",),
    "rank_bm25": ("retrieval/index/reference.py",),
    "telegram": ("bot/",),
    "sqlite3": ("usage/",),
    "pdfplumber": ("retrieval/parse/pdf.py",),
}
# Modules that write an index: a server opening an index that is up to date loads none of them.
WRITER = (
    "retrieval.index.writer",
    "retrieval.index.draft",
    "retrieval.index.workers",
    "retrieval.index.page_data",
)


def modules(*packages: str) -> list[Path]:
    """Return the Python files of the given top-level folders that exist."""
    return sorted(p for pkg in packages if (ROOT / pkg).is_dir() for p in (ROOT / pkg).rglob("*.py"))


def imported(path: Path) -> set[str]:
    """Return the top-level and dotted names a module imports (relative imports are not used here)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_no_module_or_function_is_too_long() -> None:
    long_modules, long_functions = [], []
    for path in modules(*CODE):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long_modules.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length}")
    assert long_modules == [] and long_functions == []


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependencies_point_one_way(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(package)
        for name in imported(path)
        if name.split(".")[0] in FORBIDDEN[package]
    }
    assert wrong == set()


@pytest.mark.parametrize("library", sorted(ENTRY_POINTS))
def test_each_library_has_one_entry_point(library: str) -> None:
    importers = {
        str(path.relative_to(ROOT))
        for path in modules("retrieval", "replies", "usage", "bot", "chamber_qa")
        if any(name.split(".")[0] == library for name in imported(path))
    }
    assert importers
    assert all(p.startswith(ENTRY_POINTS[library]) for p in importers), importers


def test_serving_a_current_index_loads_neither_the_writer_nor_rank_bm25(seed_archive: Archive) -> None:
    """Open the (already built) seed index in a fresh process, answer, and list what was imported."""
    settings = seed_archive.settings
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from retrieval import Archive, Settings\n"
        f"archive = Archive.open(Settings(seeds_dir=Path({str(settings.seeds_dir)!r}), "
        f"index_dir=Path({str(settings.index_dir)!r})))\n"
        "assert archive.ask('长葛市工商联举办了哪些培训？').answered\n"
        "archive.ask('Which trainings did the Changge federation hold?')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], check=True, capture_output=True).stdout
    )
    assert "rank_bm25" not in loaded
    assert [m for m in WRITER if m in loaded] == []
    assert "retrieval.index.snapshot" in loaded  # the reader was what opened it
