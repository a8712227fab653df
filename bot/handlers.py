"""Telegram handlers: Update → question → archive.ask → replies → Telegram. Each one stays small."""

from __future__ import annotations

import asyncio
import html
import logging
import re
from contextlib import suppress
from typing import TYPE_CHECKING

from telegram import ChatMember, InlineQueryResultsButton, Message, Update
from telegram.constants import ChatAction, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from bot import browse, buttons, conversations, documents, messages, paging, questions
from bot import reload as reloading
from bot.logs import describe
from bot.state import BotState, Edition, state_of
from replies import words
from replies.controls import controls_for

if TYPE_CHECKING:
    from replies.words import Lang
    from retrieval import Answer, Conversation

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
INLINE_TOP_K = 5
INLINE_CACHE_SECONDS = 30
TYPING_AFTER_SECONDS = 0.5  # a search slower than this shows "typing…"
START_FULL = re.compile(buttons.START_FULL.format(ask=r"(\d{1,15})", screen=r"(\d{1,2})"))


# --- commands ---------------------------------------------------------------------------------


def user_screens(update: Update) -> words.Screens:
    """The bot's words without a question, in the user's Telegram language."""
    return words.screens_for(questions.user_lang(update.effective_user))


async def start(update: Update, context: Context) -> None:
    """Say what the archive holds and offer three example questions; /start full_<ask>_<screen> (the link
    a group's 全文 button gives) sends that article instead."""
    if context.args and (full := START_FULL.fullmatch(context.args[0])):
        await buttons.full_from_start(update, context, int(full[1]), int(full[2]))
        return
    edition = state_of(context).edition
    start_text = browse.format_start(edition.stats, edition.examples, user_screens(update))
    await update.effective_message.reply_text(start_text)


async def help_command(update: Update, context: Context) -> None:
    """Explain how to ask, in private chats, groups and inline mode."""
    await update.effective_message.reply_text(browse.format_help(context.bot.username, user_screens(update)))


async def about(update: Update, context: Context) -> None:
    """Give the archive's coverage (and, to admins, its size and index version)."""
    state = state_of(context)
    admin = state.is_admin(update.effective_user)
    await update.effective_message.reply_text(
        browse.format_about(state.edition.stats, user_screens(update), admin=admin)
    )


async def articles(update: Update, context: Context) -> None:
    """List the headlines, each with the /a_<n> command that opens it."""
    archive = state_of(context).edition.archive
    await send_parts(update, browse.format_article_list(archive.listing(), archive.listed_count))


async def open_article(update: Update, context: Context) -> None:
    """Send the whole article an /a_<n> command names."""
    number = questions.article_number(update.effective_message.text, context.bot.username)
    if number is None:  # /a_<n>@another_bot
        return
    edition = state_of(context).edition
    article = edition.article_at(number)
    article = edition.archive.whole(article) if article else None  # both parts of a continued one
    await send_parts(
        update,
        browse.format_article(article) if article else [html.escape(user_screens(update).article_missing)],
    )


async def ask(update: Update, context: Context) -> None:
    """Answer the question after /ask."""
    question = questions.command_argument(update.effective_message.text)
    if not question:
        example = next(iter(state_of(context).edition.examples), "")
        await update.effective_message.reply_text(
            html.escape(user_screens(update).ask_usage.format(example=example))
        )
        return
    await answer_question(update, context, question)


# --- plain messages ---------------------------------------------------------------------------


async def private_text(update: Update, context: Context) -> None:
    """In a private chat any text is a question."""
    await answer_question(update, context, update.effective_message.text)


async def group_text(update: Update, context: Context) -> None:
    """In a group answer mentions and replies to the bot (in text or a photo's caption); leave other
    chatter alone."""
    message = update.effective_message
    text = message.text or message.caption  # a photo whose caption mentions the bot asks it too
    replied = message.reply_to_message
    to_me = bool(replied and replied.from_user and replied.from_user.id == context.bot.id)
    question = questions.group_question(text, context.bot.username, replying_to_me=to_me)
    if question:
        await answer_question(update, context, question)
    elif questions.is_bare_mention(text, context.bot.username):  # called, but asked nothing
        hint = user_screens(update).mention_hint.format(username=context.bot.username)
        await message.reply_text(html.escape(hint))


async def not_text(update: Update, context: Context) -> None:
    """In a private chat: an admin's page file joins the archive; a photo's (or file's) caption is a
    question; a reader's file gets a word on who adds pages; stickers, voice and uncaptioned media are
    told what the bot reads."""
    if await documents.add_document(update, context):
        return
    message = update.effective_message
    caption = (message.caption or "").strip()
    if caption:
        await answer_question(update, context, caption)
    elif message.document is not None:
        await documents.refuse_document(update, context)
    else:
        example = next(iter(state_of(context).edition.examples), "")
        await message.reply_text(html.escape(user_screens(update).non_text.format(example=example)))


async def joined_group(update: Update, context: Context) -> None:
    """Added to a group: say once, briefly, how to ask there (in the language of whoever added the bot)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    was_out = change.old_chat_member.status in (ChatMember.LEFT, ChatMember.BANNED)
    now_in = change.new_chat_member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR)
    if was_out and now_in:
        greeting = controls_for(questions.user_lang(change.from_user)).greeting.format(
            username=context.bot.username
        )
        with suppress(TelegramError):  # a group that forbids the bot to write: nothing to say there
            await context.bot.send_message(change.chat.id, html.escape(greeting))


async def unknown_command(update: Update, context: Context) -> None:
    """Point to /help when a command meant for this bot is not one it knows."""
    message = update.effective_message
    addressed = questions.command_target(message.text) is not None
    if message.chat.type == ChatType.PRIVATE or (
        addressed and questions.is_for_me(message.text, context.bot.username)
    ):
        await message.reply_text(html.escape(user_screens(update).unknown_command))


# --- admin ---------------------------------------------------------------------------------------


async def reload_index(update: Update, context: Context) -> None:
    """Admins only: load the current index now (the old one serves meanwhile) and say what changed."""
    state, message = state_of(context), update.effective_message
    if not state.is_admin(update.effective_user):
        await message.reply_text(html.escape(words.RELOAD_REFUSED))
        return
    await show_typing(update)
    try:
        done = await reloading.reload(state)
    except reloading.ReloadRunning:
        await message.reply_text(html.escape(words.RELOAD_RUNNING))
    except Exception as error:  # any failure to load: the old archive keeps serving, the admin is told
        version = state.edition.stats.index_version
        logger.error("/reload failed; still serving %s", version, exc_info=True)
        await message.reply_text(browse.format_reload_failed(version, describe(error, context.bot.token)))
    else:
        await message.reply_text(browse.format_reloaded(done.old.stats, done.new.stats))


async def stats(update: Update, context: Context) -> None:
    """Admins only: what readers asked in the last days, the questions the archive could not answer,
    and the answers marked 👎."""
    state, message = state_of(context), update.effective_message
    if not state.is_admin(update.effective_user):
        await message.reply_text(html.escape(words.STATS_REFUSED))
        return
    report = state.log.report()
    await send_parts(update, browse.format_stats(report, state.settings.usage_days))


# --- answering --------------------------------------------------------------------------------


async def answer_question(update: Update, context: Context, text: str | None) -> None:
    """Search the archive off the event loop, in the light of the conversation the message goes on, log
    the question, and reply with the answer's first screen and its buttons; keep the conversation for the
    next follow-up."""
    state, message = state_of(context), update.effective_message
    edition = state.edition  # this question's archive to the end, whatever a reload does meanwhile
    limit = edition.archive.settings.max_question_chars
    question, truncated = questions.clean(text, limit)
    lang = words.lang_of(question)
    thread = conversation_thread(message, context.bot.id)
    conversation = state.conversations.recall(*thread) if thread else None
    answer = await ask_showing_typing(update, edition, question, conversation)
    note = words.for_lang(lang).truncated.format(n=limit) if truncated else ""
    private = message.chat.type == ChatType.PRIVATE
    ask = log_question(state, answer, question, message.chat.type, lang)
    asker = 0 if private or update.effective_user is None else update.effective_user.id
    buttons.record_screen(state, answer, ask, 0)  # before sending: a press may come at once
    sent = await message.reply_text(
        messages.format_answer(answer, lang, 0, note, edition.examples),
        reply_markup=buttons.answer_markup(answer, ask, 0, asker, lang),
    )
    ids = (sent.message_id, conversations.CHAT) if private else (sent.message_id,)
    state.conversations.keep(answer.conversation, message.chat_id, *ids)


def log_question(state: BotState, answer: Answer, question: str, chat_type: str, lang: Lang) -> int:
    """Log a question for the editors and for its buttons; return its id."""
    return state.log.record(
        question,
        answer.searched_as or question,  # the buttons page the question as searched
        answered=answer.answered,
        kind="small_talk" if answer.small_talk else "",
        chat_type=chat_type,
        lang=lang,
    )


def conversation_thread(message: Message, bot_id: int) -> tuple[int, int] | None:
    """Return which kept conversation a message goes on: the answer it replies to, else a private chat's
    latest; a group message that replies to no answer starts afresh (members talk over each other)."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return message.chat_id, replied.message_id
    if message.chat.type == ChatType.PRIVATE:
        return message.chat_id, conversations.CHAT
    return None


async def ask_showing_typing(
    update: Update, edition: Edition, question: str, conversation: Conversation | None = None
) -> Answer:
    """Search; show "typing…" only if the search is slow.

    A search takes milliseconds, and each chat action is one of the 30 requests a second Telegram allows
    a bot (PTB's rate limiter enforces it): sending one with every answer would halve how many answers
    the bot can send under load.
    """
    search = asyncio.ensure_future(edition.ask(question, paging.PER_ASK, 0, conversation))
    done, _ = await asyncio.wait({search}, timeout=TYPING_AFTER_SECONDS)
    if not done:
        await show_typing(update)
    return await search


async def show_typing(update: Update) -> None:
    """Show "typing…" while searching; it is cosmetic, so a failure here must not lose the answer."""
    with suppress(TelegramError):
        await update.effective_chat.send_action(ChatAction.TYPING)


async def send_parts(update: Update, parts: list[str]) -> None:
    """Send a reply of several messages: the first quotes the request, the rest follow it."""
    for i, part in enumerate(parts):
        if i == 0:
            await update.effective_message.reply_text(part)
        else:
            await update.effective_chat.send_message(part)


# --- buttons and inline mode -------------------------------------------------------------------


async def inline_query(update: Update, context: Context) -> None:
    """Offer the top passages for `@bot question`, each inserting a cited passage."""
    query, edition = update.inline_query, state_of(context).edition
    question, _ = questions.clean(query.query, edition.archive.settings.max_question_chars)
    if not question:
        await query.answer([], cache_time=INLINE_CACHE_SECONDS)
        return
    answer = await edition.ask(question, INLINE_TOP_K)
    lang = words.lang_of(question)
    results = messages.inline_results(answer, lang)
    # Nothing to insert: a button that opens a private chat (/start ask), where the bot can explain.
    button = (
        None if results else InlineQueryResultsButton(words.for_lang(lang).inline_none, start_parameter="ask")
    )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, button=button)


# --- gate and errors ------------------------------------------------------------------------


async def gate(update: Update, context: Context) -> None:
    """Stop updates from chats outside the allowlist, after one polite refusal per chat."""
    state = state_of(context)
    chat_id = update.effective_chat.id if update.effective_chat else None
    if state.settings.is_allowed(chat_id, update.effective_user.id if update.effective_user else None):
        return
    if chat_id is not None and chat_id not in state.refused_chats and update.message:
        state.refused_chats.add(chat_id)  # before awaiting, so concurrent updates refuse only once
        await update.message.reply_text(html.escape(user_screens(update).not_allowed))
    raise ApplicationHandlerStop


async def error_handler(update: object, context: Context) -> None:
    """Log the error (the token is redacted by bot.logs), tell the user, tell the admins, go on."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Error while handling update %s", update_id, exc_info=context.error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None:
        with suppress(TelegramError):
            await context.bot.send_message(chat.id, html.escape(user_screens(update).something_wrong))
    await notify_admins(context)


async def notify_admins(context: Context) -> None:
    """Send the error's type and message (never a traceback, never the token) to each admin."""
    error = describe(context.error, context.bot.token)
    for admin in state_of(context).settings.admin_user_ids:
        with suppress(TelegramError):
            await context.bot.send_message(admin, html.escape(words.ADMIN_ERROR.format(error=error)))
