"""Synthetic newspaper pages for benchmarks: real sentences → ``*.txt`` pages in the seeds' format.

Each page holds several articles laid out as the e-paper dumps in ``seeds/`` are: the body first, its
first paragraph opening ``本报讯（记者 …）``, paragraphs hard-wrapped at 16 characters with a blank line
between them, each ending in sentence punctuation; then the headline block (main title, subtitle,
``本报记者 …`` byline). The product's own parser reads them (``Archive.open``), and each paragraph becomes
about one chunk: paragraphs are ``corpus.make_chunks`` chunks, whole real sentences drawn at random until
80..170 characters (mean ~150), so a page folder asked for N chunks indexes into about N chunks.

Sentences come from ``corpus.load_sources``, exactly as the scale benchmark gets them: the seed pages'
chunks plus the CMRC 2018 and DRCD passages in ``../shared/bench``. Headlines are CJK runs of the
article's own first paragraph. Everything is deterministic for a seed: page ``i`` depends only on the
seed, ``i`` and the sentence list, so a smaller archive's pages (all but its last) are a bigger one's
first pages. Pages are written on a fork pool (one process per core): a million chunks is ~36k pages,
465 MB, in ~20 s on 2 cores.

    .venv/bin/python -m benchmarks.pages /tmp/pages-1m --chunks 1000000 --seed 0
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import os
import random
import re
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import BENCH_DIR
from benchmarks.corpus import load_sources, make_chunks

LINE_CHARS = 16  # characters per printed line, as in the seed pages
ARTICLES_PER_PAGE = (3, 7)
PARAGRAPHS_PER_ARTICLE = (3, 8)
PAGES_PER_TASK = 200  # pages a worker writes per task: few enough tasks to stay cheap, enough to balance
REPORTERS = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴昊", "徐丽", "孙强")
SENTENCE_END = "。！？!?；;…"
CLOSERS = "”’」』）)》"
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{4,}")
# A headline line starting like a byline or a photo credit would be read as one, not as a title.
BYLINE_STARTS = ("记者", "本报", "通讯员", "摄")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PagePlan:
    """What page `number` holds: the paragraph count of each of its articles."""

    number: int
    paragraphs: tuple[int, ...]

    @property
    def n_chunks(self) -> int:
        """Paragraphs on the page, each about one chunk."""
        return sum(self.paragraphs)


def plan_pages(n_chunks: int, seed: int = 0) -> list[PagePlan]:
    """Return the pages that hold n_chunks paragraphs, their articles drawn with a fixed seed."""
    rng = random.Random(f"plan-{seed}")
    plans: list[PagePlan] = []
    left = n_chunks
    while left > 0:
        counts = []
        for _ in range(rng.randint(*ARTICLES_PER_PAGE)):
            count = min(rng.randint(*PARAGRAPHS_PER_ARTICLE), left)
            counts.append(count)
            left -= count
            if not left:
                break
        plans.append(PagePlan(len(plans), tuple(counts)))
    return plans


def clean_sentences(sentences: Sequence[str]) -> tuple[str, ...]:
    """Keep sentences that read as body text: one line each, not a dispatch opener or a photo credit."""
    kept = (_SPACES.sub(" ", s).strip() for s in sentences)
    return tuple(s for s in kept if s and not s.startswith("本报讯") and not s.endswith("摄"))


def ended(paragraph: str) -> str:
    """Return the paragraph ending in sentence punctuation (a sentence cut at 150 characters has none)."""
    bare = paragraph.rstrip(CLOSERS)
    return paragraph if bare and bare[-1] in SENTENCE_END else paragraph + "。"


def wrapped(paragraph: str) -> str:
    """Hard-wrap a paragraph at LINE_CHARS, as the PDF extraction printed it."""
    return "\n".join(paragraph[i : i + LINE_CHARS] for i in range(0, len(paragraph), LINE_CHARS))


def headline(first_paragraph: str, reporter: str) -> list[str]:
    """Return the headline block printed after an article: main title, subtitle, byline."""
    runs = [run[:14] for run in _CJK_RUN.findall(first_paragraph) if not run.startswith(BYLINE_STARTS)]
    return [*(runs[:2] or ["综合消息"]), f"本报记者 {reporter}"]


def page_text(plan: PagePlan, sentences: Sequence[str], seed: int) -> str:
    """Return the text of one page: its articles, each body then headline block."""
    rng = random.Random(f"page-{seed}-{plan.number}")
    paragraphs = iter(make_chunks(sentences, plan.n_chunks, seed=rng.getrandbits(64)))
    blocks: list[str] = []
    for count in plan.paragraphs:
        body = [ended(p) for p in itertools.islice(paragraphs, count)]
        reporter = rng.choice(REPORTERS)
        title = headline(body[0], reporter)
        body[0] = f"本报讯（记者 {reporter}）{body[0]}"
        blocks += [wrapped(p) for p in body]
        blocks.append("\n".join(title))
    return "\n\n".join(blocks) + "\n"


def page_path(out: Path, plan: PagePlan) -> Path:
    """Return where a page is written: numbered so that page order is file order."""
    return out / f"{plan.number:07d}_synthetic.txt"


# Inherited by the forked workers, so the sentence list is not pickled once per task.
_WORK: tuple[Path, tuple[str, ...], int] | None = None


def _write_batch(plans: list[PagePlan]) -> int:
    """Write a batch of pages (in a worker); return how many."""
    if _WORK is None:  # pragma: no cover - only when the start method is not fork
        raise RuntimeError("pages worker not set up")
    out, sentences, seed = _WORK
    for plan in plans:
        page_path(out, plan).write_text(page_text(plan, sentences, seed), encoding="utf-8")
    return len(plans)


def write_pages(
    out: Path,
    n_chunks: int,
    seed: int = 0,
    sentences: Sequence[str] | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write pages holding about n_chunks chunks into `out` (created); return their paths in order.

    Args:
        out: the folder of pages (synthetic pages already there are replaced).
        n_chunks: how many paragraphs, hence about how many chunks, the pages hold.
        seed: the same seed writes the same pages.
        sentences: the sentences to recombine; by default those of the scale benchmark (seed pages,
            CMRC 2018, DRCD), which needs ../shared/bench.
        workers: processes writing pages; one per core by default (1 writes in this process).
    """
    global _WORK
    pool_sentences = clean_sentences(sentences if sentences is not None else default_sentences())
    if not pool_sentences:
        raise ValueError("no sentences to write pages from")
    out.mkdir(parents=True, exist_ok=True)
    plans = plan_pages(n_chunks, seed)
    _remove_stale(out, {page_path(out, plan) for plan in plans})
    batches = [plans[i : i + PAGES_PER_TASK] for i in range(0, len(plans), PAGES_PER_TASK)]
    _WORK = (out, pool_sentences, seed)
    workers = min(workers or os.cpu_count() or 1, len(batches))
    try:
        if workers <= 1:  # in this process: no fork (a test suite may have threads running)
            sum(map(_write_batch, batches))
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                sum(pool.imap_unordered(_write_batch, batches))
    finally:
        _WORK = None
    return [page_path(out, plan) for plan in plans]


def _remove_stale(out: Path, keep: set[Path]) -> None:
    """Delete synthetic pages of an earlier, bigger run: the folder must hold what was asked for."""
    for page in out.glob("*_synthetic.txt"):
        if page not in keep:
            page.unlink()


def default_sentences(bench_dir: Path = BENCH_DIR) -> tuple[str, ...]:
    """Return the scale benchmark's sentences (its seed index is built in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="chamber-qa-pages-") as cache:
        return load_sources(bench_dir, Path(cache)).sentences


def main(argv: Sequence[str] | None = None) -> int:
    """Write the pages the command line asks for and say how many and how fast."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="folder to write the *.txt pages into")
    parser.add_argument("--chunks", type=int, default=100_000, help="about how many chunks (default 100000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--workers", type=int, default=None, help="writer processes (default: one per core)")
    parser.add_argument("--bench-dir", type=Path, default=BENCH_DIR, help="CMRC/DRCD data (../shared/bench)")
    args = parser.parse_args(argv)
    if args.chunks < 1:
        parser.error("--chunks must be at least 1")
    start = time.perf_counter()
    sentences = default_sentences(args.bench_dir)
    loaded = time.perf_counter()
    paths = write_pages(args.out, args.chunks, args.seed, sentences, args.workers)
    done = time.perf_counter()
    size = sum(p.stat().st_size for p in paths)
    print(
        f"{len(paths)} pages, about {args.chunks} chunks, {size / 1e6:.0f} MB in {args.out}: "
        f"sentences {loaded - start:.1f} s, pages {done - loaded:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
