"""An admin sends a page file: it joins the archive through the same path as `chamber-qa add` (copied
atomically into the pages folder, the index refreshed and published, the bot reloaded), and the admin is
told what was added. Anyone else sending a file gets a polite refusal (or, with a caption, an answer)."""

from __future__ import annotations

import asyncio
import html
import logging
import tempfile
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from telegram import Document, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot import questions
from bot import reload as reloading
from bot.logs import describe
from bot.state import BotState, state_of
from replies import words
from retrieval import PAGE_SUFFIXES, add_pages

if TYPE_CHECKING:
    from retrieval import ArchiveStats, Doubt

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Telegram's getFile limit for bots
RELOAD_WAIT_SECONDS = 60.0  # how long an upload waits for a reload already running


async def add_document(update: Update, context: Context) -> bool:
    """Add an admin's page file to the archive and report; return False when the file is not an admin's
    page (the caller treats it as any other file)."""
    state, message = state_of(context), update.effective_message
    document = message.document
    if document is None or not state.is_admin(update.effective_user):
        return False
    name = PurePath(document.file_name or "").name
    if not name.lower().endswith(PAGE_SUFFIXES):
        await message.reply_text(html.escape(words.DOCUMENT_NOT_A_PAGE.format(name=name or "?")))
        return True
    if (document.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await message.reply_text(html.escape(words.DOCUMENT_TOO_BIG.format(name=name)))
        return True
    try:
        old, new, change = await _add(context, state, document, name)
    except Exception as error:  # the archive keeps serving what it had; the admin is told why
        logger.error("Adding the page %s failed", name, exc_info=True)
        reason = describe(error, context.bot.token)
        await message.reply_text(html.escape(words.DOCUMENT_FAILED.format(name=name, error=reason)))
        return True
    refused = [r.reason for r in state.edition.archive.refused if r.source == name]
    if refused:  # in the folder, but nothing of it could be indexed (a scan, a damaged PDF ...)
        await message.reply_text(html.escape(words.DOCUMENT_UNREADABLE.format(name=name, reason=refused[0])))
        return True
    report = added_report(name, change, old, new)
    doubts = state.edition.archive.page_doubts(name)
    if doubts:
        report += "\n" + "\n".join([words.DOCUMENT_DOUBTS.format(n=len(doubts)), *map(doubt_line, doubts)])
    await message.reply_text(html.escape(report))
    return True


async def _add(
    context: Context, state: BotState, document: Document, name: str
) -> tuple[ArchiveStats, ArchiveStats, str]:
    """Download the file, copy it into the pages folder and serve the refreshed index."""
    data = await (await context.bot.get_file(document.file_id)).download_as_bytearray()
    old = state.edition.stats
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(bytes(data))
        (change,) = await asyncio.to_thread(add_pages, [path], state.index_settings.seeds_dir)
    await _reload_when_free(state)
    return old, state.edition.stats, change.change


async def _reload_when_free(state: BotState) -> None:
    """Reload (the index is rebuilt for the changed folder), waiting for a reload already running."""
    deadline = asyncio.get_running_loop().time() + RELOAD_WAIT_SECONDS
    while True:
        try:
            await reloading.reload(state)
            return
        except reloading.ReloadRunning:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.5)


def added_report(name: str, change: str, old: ArchiveStats, new: ArchiveStats) -> str:
    """Say what the page brought: how it changed the folder and the archive's counts, and the version."""
    return words.DOCUMENT_ADDED.format(
        name=name,
        change=words.FOLDER_CHANGES.get(change, change),
        pages=new.n_pages - old.n_pages,
        articles=new.n_articles - old.n_articles,
        chunks=new.n_chunks - old.n_chunks,
        total_pages=new.n_pages,
        total_articles=new.n_articles,
        version=new.index_version,
    )


def doubt_line(doubt: Doubt) -> str:
    """One doubtful item of a page, in the admin's words."""
    problems = "、".join(words.DOUBT_PROBLEMS.get(p, p) for p in doubt.problems)
    return words.DOCUMENT_DOUBT.format(
        item=doubt.item, first=doubt.first_line, last=doubt.last_line, problems=problems
    )


async def refuse_document(update: Update, context: Context) -> None:
    """Tell a reader who sent a file without a question that only admins add pages."""
    example = next(iter(state_of(context).edition.examples), "")
    screens = words.screens_for(questions.user_lang(update.effective_user))
    try:
        await update.effective_message.reply_text(
            html.escape(screens.document_refused.format(example=example))
        )
    except TelegramError:
        logger.warning("Could not answer a file sent by a reader")
