"""`chamber-qa shards`: the archive written to Xapian shards, for serving beyond one machine."""

from __future__ import annotations

import dataclasses
import logging
import time
from pathlib import Path

import click

from chamber_qa.options import CONTEXT, corpus_options
from retrieval import Archive, Settings
from retrieval.errors import RetrievalError
from retrieval.shards.write import write_shards


@click.group(context_settings=CONTEXT)
def shards() -> None:
    """The archive on Xapian shards: write them here, serve each with xapian-tcpsrv, and point the bot
    at them with XAPIAN_SHARDS (README, "Beyond one machine").

    \b
    Example:
        chamber-qa shards write var/shards/0 var/shards/1
        XAPIAN_SHARDS=var/shards/0,var/shards/1 chamber-qa ask "长葛市工商联举办了哪些培训？"
    """


@shards.command("write", context_settings=CONTEXT)
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@corpus_options
def write(folders: tuple[Path, ...], settings: Settings) -> None:
    """Write the pages folder's archive to shard FOLDERS (default: --shard-dirs), one page per shard by
    a stable hash of its name. Run again, it rewrites only pages that changed and deletes pages gone;
    each shard changes in one transaction, so a failed write leaves it as it was.

    \b
    Example:
        chamber-qa shards write var/shards/0 var/shards/1
        xapian-tcpsrv --port 33333 --interface 127.0.0.1 var/shards/0 &
    """
    settings = dataclasses.replace(settings, shard_dirs=folders or settings.shard_dirs)
    if not settings.shard_dirs:
        raise click.UsageError("name the shard folders (or set XAPIAN_SHARD_DIRS)")
    try:
        archive = Archive.open(dataclasses.replace(settings, shards=()))
        archive.embed(progress=True)
    except RetrievalError as exc:
        raise click.ClickException(str(exc)) from exc
    keep_in_step(archive, settings)


def keep_in_step(archive: Archive, settings: Settings) -> None:
    """Write the shard folders of the settings from an archive opened on the index, saying what changed."""
    if not settings.shard_dirs:
        return
    try:
        written = write_shards(archive.index, settings.shard_dirs, archive.vectors)  # type: ignore[arg-type]
    except RetrievalError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:
        raise click.ClickException(f"the shards could not be written: {exc}") from exc
    for shard in written:
        click.echo(
            f"shard {shard.path}: {shard.pages} pages, {shard.documents} chunks "
            f"({shard.written} pages written, {shard.deleted} deleted)"
        )


@shards.command("build", context_settings=CONTEXT)
@click.argument("folders", nargs=-1, type=click.Path(path_type=Path, file_okay=False))
@click.option("--scheduler", metavar="ADDRESS", help="A running Dask scheduler (tcp://host:8786).")
@click.option(
    "--workers",
    type=click.IntRange(1, 256),
    default=2,
    show_default=True,
    help="Local workers, without --scheduler.",
)
@corpus_options
def build(folders: tuple[Path, ...], scheduler: str | None, workers: int, settings: Settings) -> None:
    """Build the shard FOLDERS anew from the pages folder on a Dask cluster: pages read, parsed,
    tokenized and embedded on the workers, each shard written by one worker into a new folder that
    replaces the old one when complete. The shards equal those `shards write` makes from a local build.

    Without --scheduler, a cluster of --workers processes on this machine (127.0.0.1). Workers must see
    the pages folder and the shard folders at the same paths (one machine, or a shared file system).

    \b
    Example:
        chamber-qa shards build --workers 2 var/shards/0 var/shards/1
        dask scheduler & dask worker tcp://10.0.0.5:8786 --nthreads 1 --memory-limit 2GB &
        chamber-qa shards build --scheduler tcp://10.0.0.5:8786 /srv/shards/0 /srv/shards/1
    """
    from distributed import Client, LocalCluster  # the cluster engine, only for this command

    from retrieval.shards.cluster import build_shards

    # Dask configures its own loggers at INFO: they follow the command's -v like every other.
    logging.getLogger("distributed").setLevel(max(logging.getLogger().level, logging.INFO))
    paths = list(folders or settings.shard_dirs)
    if not paths:
        raise click.UsageError("name the shard folders (or set XAPIAN_SHARD_DIRS)")
    started = time.perf_counter()
    try:
        if scheduler:
            with Client(scheduler) as client:
                written = build_shards(settings, paths, client)
        else:
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
                ) as cluster,
                Client(cluster) as client,
            ):
                written = build_shards(settings, paths, client)
    except RetrievalError as exc:
        raise click.ClickException(str(exc)) from exc
    for shard in written:
        click.echo(f"shard {shard.path}: {shard.pages} pages, {shard.documents} chunks")
    click.echo(f"built in {time.perf_counter() - started:.1f} s")
