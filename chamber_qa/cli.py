"""The chamber-qa command line: the composition root that wires retrieval (and, lazily, the bot)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click
from dotenv import load_dotenv

import usage
from chamber_qa.options import CONTEXT, DEFAULTS, corpus_options
from chamber_qa.shards import keep_in_step, shards
from replies import words
from replies.json_contract import answer_json, article_json
from replies.text import answer_text
from replies.usage import report_lines
from retrieval import Archive, Conversation, Settings
from retrieval.errors import RetrievalError
from retrieval.evaluate import MRR_DEPTH, evaluate, read_questions
from retrieval.parse.folder import FolderChange, add_pages, remove_pages


def _open(settings: Settings, *, rebuild: bool = False, embed: bool = True) -> Archive:
    """Open the archive (refreshing its index); ``embed``: give new passages their vectors now, with a
    progress bar (a server embeds in the background instead)."""
    try:
        archive = Archive.open(settings, rebuild=rebuild)
        if embed:
            archive.embed(progress=True)
    except RetrievalError as exc:
        raise click.ClickException(str(exc)) from exc
    except OSError as exc:  # the vectors could not be written: BM25 alone still answers
        click.echo(f"warning: semantic signal off, {exc}", err=True)
    for refusal in archive.refused:
        click.echo(f"warning: skipped {refusal.reason}", err=True)
    return archive


@click.group(context_settings=CONTEXT)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (INFO).")
def cli(*, verbose: bool) -> None:
    """Ask a Chinese local-news archive questions; get cited passages back.

    \b
    Example:
        chamber-qa ask "长葛市工商联组织了哪些培训？"
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # Before any command's options are read: .env (in the working folder, as the bot reads it) may set
    # their environment variables too.
    load_dotenv(Path(".env"))


@cli.command(context_settings=CONTEXT)
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per question.")
@click.option(
    "--top",
    "top_k",
    type=click.IntRange(1, 50),
    default=DEFAULTS.top_k,
    show_default=True,
    help="Passages per answer.",
)
@click.option(
    "--dialogue", is_flag=True, help="Read stdin lines as one conversation (a blank line starts anew)."
)
@corpus_options
def ask(*, question: str | None, as_json: bool, dialogue: bool, top_k: int, settings: Settings) -> None:
    """Answer a question (or one question per line of stdin) with its short answer and cited passages.

    With --dialogue, each stdin line is read in the light of the lines before it (她, 那长葛呢？); a blank
    line starts a new conversation.

    \b
    Example:
        chamber-qa ask "莲城智能体"
        printf '万人助企\\n银商联通工程\\n' | chamber-qa ask --json
        printf '许昌市企业家协会秘书长是谁？\\n她还有什么职务？\\n' | chamber-qa ask --dialogue
    """
    archive = _open(settings)
    examples = archive.example_questions()
    questions = [question] if question is not None else (ln.rstrip("\n") for ln in sys.stdin)
    conversation: Conversation | None = None
    for q in questions:
        if dialogue and not q.strip():
            conversation = None
            continue
        answer = archive.ask(q, top_k=top_k, conversation=conversation if dialogue else None)
        conversation = answer.conversation
        click.echo(
            json.dumps(answer_json(answer), ensure_ascii=False) if as_json else answer_text(answer, examples)
        )


@cli.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per article.")
@corpus_options
def articles(*, as_json: bool, settings: Settings) -> None:
    """List every article and photo caption of the archive.

    An article continued on another page (下转第3版) is listed once, whole, with both page files.

    \b
    Example:
        chamber-qa articles --json
    """
    for _, article in _open(settings, embed=False).listing():
        if as_json:
            click.echo(json.dumps(article_json(article), ensure_ascii=False))
        else:
            title = article.title or words.ZH.photo_cited
            click.echo(f"{article.id}\t{article.kind}\t{title}\t{len(article.paragraphs)}段")


@cli.command(context_settings=CONTEXT)
@click.option("--rebuild", is_flag=True, help="Rebuild even when the index is up to date.")
@corpus_options
def index(*, rebuild: bool, settings: Settings) -> None:
    """Build or refresh the index of the pages folder.

    \b
    Example:
        chamber-qa index --rebuild
    """
    started = time.perf_counter()
    archive = _open(dataclasses.replace(settings, shards=()), rebuild=rebuild)
    _report([], archive, started)
    keep_in_step(archive, settings)


def _report(changes: list[FolderChange], archive: Archive, started: float) -> None:
    for change in changes:
        click.echo(f"{change.change}: {change.name}")
        if change.change != "removed":
            _report_page(change.name, archive)
    for duplicate in archive.duplicates:
        click.echo(f"warning: not indexed twice: {duplicate.source}, {duplicate.reason}", err=True)
    stats = archive.stats
    click.echo(
        f"index {stats.index_version}: {stats.n_pages} pages, {stats.n_articles} articles, "
        f"{stats.n_chunks} chunks ({time.perf_counter() - started:.1f} s)"
    )


def _report_page(name: str, archive: Archive) -> None:
    """Say what a page turned into, and what in it looks wrong, by source line, for a sidecar to fix."""
    found = archive.page_articles(name)
    photos = sum(a.kind == "photo" for a in found)
    articles = len(found) - photos
    click.echo(f"  {articles} article{'s' * (articles != 1)}, {photos} photo caption{'s' * (photos != 1)}")
    for doubt in archive.page_doubts(name):
        click.echo(f"warning: {name}: {doubt}; a sidecar's [parser] table fixes it (see README)", err=True)


def _change_folder(change: Callable[[], list[FolderChange]], settings: Settings) -> None:
    """Change the pages folder, then bring the index up to date and say what happened."""
    started = time.perf_counter()
    try:
        changes = change()
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    archive = _open(dataclasses.replace(settings, shards=()))
    _report(changes, archive, started)
    keep_in_step(archive, settings)


@cli.command(context_settings=CONTEXT)
@click.argument("pages", nargs=-1, required=True, type=click.Path(path_type=Path))
@corpus_options
def add(pages: tuple[Path, ...], settings: Settings) -> None:
    """Add page files (*.txt, or e-paper *.pdf read by their layout; with their .toml sidecars) to the
    archive and update the index. A PDF without a text layer (a scan) is reported by name, not indexed.

    The pages are copied into the pages folder; a page of the same name is replaced. Only the new pages
    are tokenized, and the new index replaces the old one atomically: a running bot keeps answering
    and picks it up (see /reload). Same text under another name is indexed once.

    \b
    Example:
        chamber-qa add ~/incoming/2024-05-01_*.txt
        chamber-qa add --page-names '(?P<paper>[a-z]+)-(?P<date>\\d{8})-(?P<page>\\d+)' xcrb-20210903-05.pdf
    """
    _change_folder(lambda: add_pages(list(pages), settings.seeds_dir), settings)


@cli.command(context_settings=CONTEXT)
@click.argument("pages", nargs=-1, required=True)
@corpus_options
def remove(pages: tuple[str, ...], settings: Settings) -> None:
    """Remove pages (by file name) from the archive and update the index.

    \b
    Example:
        chamber-qa remove 001_73203bc2ffbfe497.txt
    """
    _change_folder(lambda: remove_pages(list(pages), settings.seeds_dir), settings)


@cli.command(context_settings=CONTEXT)
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=usage.DEFAULT_DAYS,
    show_default=True,
    help="Days to report.",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    envvar="USAGE_DB",
    help="The bot's question log [default: usage.sqlite beside the index folder].",
)
@corpus_options
def stats(*, as_json: bool, days: int, db: Path | None, settings: Settings) -> None:
    """What readers asked the bot: questions per day, the most asked, the refused ones (the archive's
    gaps) and the answers marked 👎. The bot keeps no names or user ids (see the README).

    \b
    Example:
        chamber-qa stats --days 7
    """
    path = db or usage.default_path(settings.index_dir)
    found = usage.report_file(path, days)
    if found is None:
        raise click.ClickException(f"no question log at {path}: the bot writes it as people ask")
    if as_json:
        click.echo(json.dumps(found.as_json(), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(report_lines(found)))


@cli.command(context_settings=CONTEXT)
@corpus_options
def chat(settings: Settings) -> None:
    """Ask questions in the terminal, one per line (empty line or Ctrl-D ends).

    \b
    Example:
        chamber-qa chat
    """
    archive = _open(settings, embed=False)
    archive.embed_in_background()  # BM25 alone answers the first questions on a new archive
    stats = archive.stats
    click.echo(words.CHAT_INTRO.format(pages=stats.n_pages, articles=stats.n_articles))
    examples = archive.example_questions()
    click.echo(words.CHAT_EXAMPLES.format(examples=" / ".join(examples)))
    conversation: Conversation | None = None  # a follow-up is read in the light of the questions before
    while True:
        try:
            question = input(words.CHAT_PROMPT)
        except (EOFError, KeyboardInterrupt):
            break
        if not question.strip():
            break
        answer = archive.ask(question, conversation=conversation)
        conversation = answer.conversation
        click.echo(answer_text(answer, examples) + "\n")


@cli.command("eval", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
@corpus_options
def eval_command(*, file: Path, as_json: bool, settings: Settings) -> None:
    """Score the archive on a question file (JSONL: q, evidence, title, kind).

    \b
    Example:
        chamber-qa eval eval/questions.jsonl
    """
    try:
        questions = read_questions(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    archive = _open(settings)
    report = evaluate(questions, lambda q, c: archive.ask(q, top_k=MRR_DEPTH, conversation=c))
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    metrics = list(report["overall"])
    click.echo("kind".ljust(14) + "".join(m.rjust(22) for m in metrics))
    for kind, row in report.items():
        click.echo(
            kind.ljust(14) + "".join(("-" if row[m] is None else str(row[m])).rjust(22) for m in metrics)
        )


@cli.command(context_settings=CONTEXT)
@corpus_options
def bot(settings: Settings) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN in the environment or .env).

    \b
    Example:
        TELEGRAM_BOT_TOKEN=123:abc chamber-qa bot
    """
    from bot.app import run as run_bot  # PTB is imported only when the bot runs
    from bot.settings import BotConfigError, BotSettings

    try:
        bot_settings = BotSettings.from_env()
    except BotConfigError as exc:
        raise click.ClickException(f"{exc} See .env.example.") from exc
    # A service logs its start, its errors and its reloads: INFO even without --verbose.
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    try:
        run_bot(settings, bot_settings)
    except RetrievalError as exc:
        raise click.ClickException(str(exc)) from exc


@cli.command(context_settings=CONTEXT)
@click.pass_context
@corpus_options
def run(ctx: click.Context, settings: Settings) -> None:
    """Run the product: the bot when a token is set, else the terminal chat.

    \b
    Example:
        chamber-qa run
    """
    if os.environ.get("TELEGRAM_BOT_TOKEN"):
        ctx.invoke(bot, **ctx.params)
        return
    click.echo(words.NO_TOKEN)
    ctx.invoke(chat, **ctx.params)


cli.add_command(shards)


def main() -> None:
    """Run the command line."""
    cli()
