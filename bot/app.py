"""Compose the bot: BotSettings + Archive → a PTB Application, run by long polling or by webhook."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import buttons, handlers
from bot import reload as reloading
from bot.logs import protect_token
from bot.settings import BotSettings
from bot.state import STATE_KEY, BotState
from replies import words

if TYPE_CHECKING:
    from retrieval import Archive, Settings

logger = logging.getLogger(__name__)
RATE_LIMIT_RETRIES = 3  # AIORateLimiter waits out Telegram's 429 retry_after this many times
ARTICLE_COMMAND = r"^/a_\d+(@\w+)?$"


def build_application(
    bot_settings: BotSettings, archive: Archive, settings: Settings | None = None
) -> Application:
    """Return the Application: one builder chain, the shared state, the handlers.

    Args:
        bot_settings: the Telegram settings.
        archive: the opened archive to serve first.
        settings: where /reload and the index poller open the archive again; the archive's own
            settings when None.
    """
    protect_token(bot_settings.token)  # before the builder: PTB logs the API URL (with token) at DEBUG
    application = (
        ApplicationBuilder()
        .token(bot_settings.token)
        .base_url(bot_settings.base_url)
        .base_file_url(bot_settings.base_file_url)
        .rate_limiter(AIORateLimiter(max_retries=RATE_LIMIT_RETRIES))
        .concurrent_updates(True)  # noqa: FBT003 (PTB's builder) one user's search never waits behind another's
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                allow_sending_without_reply=True,  # a deleted question must not lose its answer
            )
        )
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    index_settings = settings or archive.settings
    application.bot_data[STATE_KEY] = BotState.create(archive, bot_settings, index_settings)
    add_handlers(application)
    return application


def add_handlers(application: Application) -> None:
    """Register the allowlist gate, the handlers in order of precedence, and the error handler."""
    new, edited = filters.UpdateType.MESSAGE, filters.UpdateType.EDITED_MESSAGE
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    application.add_handlers(
        [
            CommandHandler("start", handlers.start, filters=new),
            CommandHandler("help", handlers.help_command, filters=new),
            CommandHandler("about", handlers.about, filters=new),
            CommandHandler("articles", handlers.articles, filters=new),
            CommandHandler("ask", handlers.ask, filters=new),
            CommandHandler("reload", handlers.reload_index, filters=new),
            CommandHandler("stats", handlers.stats, filters=new),
            MessageHandler(new & filters.Regex(ARTICLE_COMMAND), handlers.open_article),
            MessageHandler(new & filters.COMMAND, handlers.unknown_command),
            MessageHandler(new & private & filters.TEXT, handlers.private_text),
            MessageHandler(new & groups & (filters.TEXT | filters.CAPTION), handlers.group_text),
            MessageHandler(edited & private & filters.TEXT & ~filters.COMMAND, handlers.private_text),
            MessageHandler(new & private & ~filters.TEXT, handlers.not_text),
            CallbackQueryHandler(buttons.button),
            ChatMemberHandler(handlers.joined_group, ChatMemberHandler.MY_CHAT_MEMBER),
            InlineQueryHandler(handlers.inline_query),
        ]
    )
    application.add_error_handler(handlers.error_handler)


async def post_init(application: Application) -> None:
    """At start: warm the archive up and checksum its index in the background, register the command
    menu, log what the bot serves, start watching the index. Polling starts without waiting for the
    warm-up: a question asked meanwhile loads what it needs itself (each table loads once, whoever asks
    first), so the first answer comes as soon as a question's own needs are loaded."""
    state: BotState = application.bot_data[STATE_KEY]
    archive = state.edition.archive

    async def warm_then_check() -> None:
        try:  # what a question would otherwise wait for: jieba, the thesaurus, CC-CEDICT, the model
            await asyncio.to_thread(archive.warm)
        except Exception:  # every question still loads what it needs; the log says why warming failed
            logger.exception("Warming the archive up failed")
        await check_index(state)

    state.checker = asyncio.create_task(warm_then_check(), name="chamber-qa warm-up and index check")
    for lang, commands in words.COMMANDS.items():
        try:
            await application.bot.set_my_commands(
                [BotCommand(name, text) for name, text in commands],
                language_code=None if lang == "zh" else lang,
            )
        except TelegramError as error:  # the menu is a convenience; answering matters more
            logger.warning("Could not register the %s command menu: %s", lang, error)
    stats = state.edition.stats
    logger.info(
        "Serving %d articles (%d pages, %d chunks), index version %s, as @%s",
        stats.n_articles,
        stats.n_pages,
        stats.n_chunks,
        stats.index_version,
        application.bot.username,
    )
    reloading.start_watching(state)


async def check_index(state: BotState) -> None:
    """Checksum the served index in a thread; a damaged one is rebuilt (Archive.check) and loaded here."""
    try:
        if not await asyncio.to_thread(state.edition.archive.check):
            await reloading.reload(state)
    except Exception:  # the bot goes on serving what it has; the log says why the check failed
        logger.exception("Checking the index files failed")


async def post_shutdown(application: Application) -> None:
    """At the end: stop watching the index (a checksum pass still running is left to its thread)."""
    state: BotState = application.bot_data[STATE_KEY]
    if state.checker is not None:
        state.checker.cancel()
    await reloading.stop_watching(state)


def polling_options() -> dict[str, Any]:
    """Return the arguments of long polling, shared by run() and serving()."""
    return {"allowed_updates": Update.ALL_TYPES}


def webhook_options(bot_settings: BotSettings) -> dict[str, Any]:
    """Return the arguments of webhook mode, shared by run() and serving()."""
    return {
        "listen": bot_settings.webhook_listen,
        "port": bot_settings.webhook_port,
        "url_path": bot_settings.webhook_path,
        "webhook_url": bot_settings.webhook_url,
        "secret_token": bot_settings.webhook_secret,
        "allowed_updates": Update.ALL_TYPES,
    }


def run(settings: Settings, bot_settings: BotSettings | None = None) -> None:
    """Open the archive and serve Telegram until interrupted (webhook when WEBHOOK_URL is set).

    Args:
        settings: the retrieval settings (where the pages and the index live).
        bot_settings: the Telegram settings; read from the environment and `.env` when None.

    Raises:
        BotConfigError: when TELEGRAM_BOT_TOKEN is missing or another variable is malformed.
    """
    from retrieval import Archive  # the facade; imported here so `import bot.app` stays light

    bot_settings = bot_settings or BotSettings.from_env()
    protect_token(bot_settings.token)
    if bot_settings.max_rss_mb is not None:
        settings = replace(settings, max_rss_mb=bot_settings.max_rss_mb)
    if not bot_settings.vectors:  # off wins, whether the flag or the variable says so
        settings = replace(settings, vectors=False)
    if bot_settings.page_names and not settings.page_names:  # `python -m bot` reads it here
        settings = replace(settings, page_names=bot_settings.page_names)
    if bot_settings.shards and not settings.shards:
        settings = replace(settings, shards=bot_settings.shards)
    # Sizes only at start (a big index opens well under a second); post_init checksums it meanwhile.
    archive = Archive.open(settings, quick=True)
    archive.embed_in_background()  # new passages get their vectors meanwhile; BM25 alone answers until then
    application = build_application(bot_settings, archive, settings)
    if bot_settings.webhook_url:
        application.run_webhook(**webhook_options(bot_settings))
    else:
        application.run_polling(**polling_options())


@asynccontextmanager
async def serving(application: Application) -> AsyncIterator[Application]:
    """Serve inside a running event loop (tests, embedding), as run_polling/run_webhook would."""
    bot_settings: BotSettings = application.bot_data[STATE_KEY].settings
    await application.initialize()
    try:
        await post_init(application)
        if bot_settings.webhook_url:
            await application.updater.start_webhook(**webhook_options(bot_settings))
        else:
            await application.updater.start_polling(**polling_options())
        await application.start()
        yield application
    finally:
        if application.updater.running:
            await application.updater.stop()
        if application.running:
            await application.stop()
        await application.shutdown()
        await post_shutdown(application)
