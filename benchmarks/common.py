"""What the benchmarks share: the repository's folders, the evaluation questions, JSONL files, wall time,
memory and folder sizes, and the machine a table was measured on (Linux: read from /proc)."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from retrieval.terms.tokens import TokenizerConfig

T = TypeVar("T")

REPO = Path(__file__).resolve().parent.parent
BENCH_DIR = REPO.parent / "shared" / "bench"  # CMRC 2018 and DRCD as passages and queries (its README)
QUESTION_FILES = (REPO / "eval" / "questions.jsonl", REPO / "eval" / "heldout.jsonl")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the objects of a JSON Lines file, blank lines skipped."""
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def eval_questions(files: Sequence[Path] = QUESTION_FILES) -> list[str]:
    """Return the distinct questions (``q`` fields) of the evaluation files, in file order."""
    found = (row["q"].strip() for path in files for row in read_jsonl(path))
    return list(dict.fromkeys(q for q in found if q))


def tokenizer_label(config: TokenizerConfig) -> str:
    """Name a tokenizer config as the tables do: jieba mode, then +bigrams and +hmm when on."""
    return config.mode + ("+bigrams" if config.bigrams else "") + ("+hmm" if config.hmm else "")


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Call fn; return what it returned and the wall time it took, in seconds."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def memory_mb() -> dict[str, float]:
    """Return this process's resident memory (all, anonymous, file-backed, peak) from /proc, in MB."""
    fields = {"VmRSS": "rss_mb", "RssAnon": "anon_mb", "RssFile": "file_mb", "VmHWM": "peak_mb"}
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in fields:
            out[fields[key]] = round(int(value.split()[0]) / 1024, 1)
    return out


def dir_mb(path: Path) -> float:
    """Return the size of the files under path, in MB."""
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6, 1)


def machine(libraries: Sequence[str] = ()) -> dict[str, Any]:
    """Describe the machine: CPU model, cores, RAM, Python, the given libraries' versions, load average."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.exists() else []
    models = (line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    versions = {}
    for name in libraries:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": next(models, platform.processor()),
        "cores": os.cpu_count(),
        "ram_gb": round(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 2**30, 1),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": versions,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
    }


def machine_line(info: dict[str, Any]) -> str:
    """Return the machine in one line, as every benchmark table is captioned."""
    libraries = "".join(f", {name} {v}" for name, v in info["versions"].items() if v)
    load = " ".join(map(str, info["loadavg"]))
    return (
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['ram_gb']} GB RAM, {info['python']}"
        f"{libraries}; load average {load}"
    )
