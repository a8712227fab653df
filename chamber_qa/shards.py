"""`chamber-qa shards`: the archive written to Xapian shards, for serving beyond one machine."""

from __future__ import annotations

import dataclasses
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
