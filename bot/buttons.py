"""What an answer's buttons do: ‹ 上一条 / 更多 › edit the screen in place, 全文 sends the article (in a
group, to the asker in private), 👍 / 👎 are kept for the editors. In a group only the asker pages or opens.

Every payload names a logged question (usage.AskLog), so a press works after a restart as before it.
"""

from __future__ import annotations

import html
import logging
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ContextTypes

from bot import browse, callbacks, messages, paging, questions
from bot.state import BotState, state_of
from replies import words
from replies.controls import controls_for
from usage import Shown

if TYPE_CHECKING:
    from replies.words import Lang
    from retrieval import Answer, Article

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE
START_FULL = "full_{ask}_{screen}"  # the /start parameter that opens an answer's article in private


def answer_markup(
    answer: Answer, ask: int, screen: int, asker: int, lang: Lang
) -> InlineKeyboardMarkup | None:
    """Return an answer screen's buttons: paging, 全文, 👍 / 👎; none for small talk and refusals (the
    refused questions are what /stats lists as the archive's gaps)."""
    shows = answer.answered and not answer.small_talk and paging.screen_hit(answer, screen) is not None
    if not shows:
        return None
    total = paging.screens(answer)
    buttons = callbacks.Buttons(
        ask=ask,
        previous=callbacks.Page(ask, screen - 1, asker) if screen > 0 else None,
        full=callbacks.Full(ask, screen, asker),
        next=callbacks.Page(ask, screen + 1, asker) if screen + 1 < total else None,
    )
    return messages.answer_keyboard(lang, buttons)


def record_screen(state: BotState, answer: Answer, ask: int, screen: int) -> None:
    """Log which article and paragraph a screen quoted (what its 全文 opens)."""
    hit = paging.screen_hit(answer, screen) if answer.answered else None
    if hit is not None:
        state.log.record_shown(ask, screen, Shown(hit.chunk.article_id, hit.chunk.title, hit.chunk.paragraph))


async def button(update: Update, context: Context) -> None:
    """Dispatch a button press; a forged or stale one gets a polite answer and nothing else."""
    query = update.callback_query
    payload = callbacks.decode(query.data)
    if isinstance(payload, callbacks.Vote):
        await vote(update, context, payload)
    elif payload is not None and payload.asker not in (0, query.from_user.id):
        await query.answer(controls_for(questions.user_lang(query.from_user)).asker_only)
    elif isinstance(payload, callbacks.Page):
        await show_page(update, context, payload)
    elif isinstance(payload, callbacks.Full):
        await send_full(update, context, payload)
    else:
        await query.answer(words.BUTTON_EXPIRED)


async def show_page(update: Update, context: Context, payload: callbacks.Page) -> None:
    """Replace an answer screen by the one the button names, editing the message in place."""
    state, query = state_of(context), update.callback_query
    asked = state.log.asked(payload.ask)
    if asked is None or not isinstance(query.message, Message):
        await query.answer(words.BUTTON_EXPIRED)
        return
    lang, edition = words.lang_of(asked.searched), state.edition
    answer = await edition.ask(asked.searched, paging.PER_ASK, paging.batch_start(payload.screen))
    if not answer.answered or paging.screen_hit(answer, payload.screen) is None:
        await query.answer(words.for_lang(lang).no_more)
        return
    await query.answer()
    note = controls_for(lang).results_changed if results_changed(state, answer, payload.ask) else ""
    record_screen(state, answer, payload.ask, payload.screen)
    markup = answer_markup(answer, payload.ask, payload.screen, payload.asker, lang)
    try:
        await query.edit_message_text(
            messages.format_answer(answer, lang, payload.screen, note), reply_markup=markup
        )
    except BadRequest as error:  # a double tap: the first press already showed this screen
        if "not modified" not in str(error).lower():
            raise


def results_changed(state: BotState, answer: Answer, ask: int) -> bool:
    """Tell whether the archive has changed under an answer being paged: a screen of this search that was
    shown before now shows another passage (the index was rebuilt with other pages meanwhile)."""
    start = paging.batch_start(answer.hits[0].rank - 1) if answer.hits else 0
    for screen in range(start, start + len(answer.hits)):
        shown, hit = state.log.shown(ask, screen), paging.screen_hit(answer, screen)
        if shown is None or hit is None:
            continue
        if (shown.article_id, shown.paragraph) != (hit.chunk.article_id, hit.chunk.paragraph):
            return True
    return False


def article_of(state: BotState, ask: int, screen: int) -> Article | None:
    """Return the article a screen quoted, whole (both parts of one continued on another page), or None
    when it has changed or gone since (or expired)."""
    shown = state.log.shown(ask, screen)
    archive = state.edition.archive
    article = archive.article(shown.article_id) if shown else None
    if article is None or shown is None or article.title != shown.title:
        return None
    return archive.whole(article)  # with its part on another page, if it jumps


async def send_full(update: Update, context: Context, payload: callbacks.Full) -> None:
    """Send the whole article a 全文 button names: here in a private chat; in a group to the asker in
    private, or, when the asker has not opened a private chat yet, a link that opens one and sends it."""
    state, query = state_of(context), update.callback_query
    controls = controls_for(questions.user_lang(query.from_user))
    article = article_of(state, payload.ask, payload.screen)
    if article is None:
        await query.answer(controls.article_changed if state.log.asked(payload.ask) else words.BUTTON_EXPIRED)
        return
    if payload.asker == 0:
        await query.answer()
        for part in browse.format_article(article):
            await context.bot.send_message(update.effective_chat.id, part)
        return
    try:
        for part in browse.format_article(article):
            await context.bot.send_message(payload.asker, part)
    except Forbidden:  # the asker never opened a private chat: Telegram lets a link open one
        start = START_FULL.format(ask=payload.ask, screen=payload.screen)
        await query.answer(controls.full_open, url=f"https://t.me/{context.bot.username}?start={start}")
    else:
        await query.answer(controls.full_sent)


async def full_from_start(update: Update, context: Context, ask: int, screen: int) -> None:
    """/start full_<ask>_<screen> (the link a group's 全文 gave): send that article in this private chat."""
    state, message = state_of(context), update.effective_message
    article = article_of(state, ask, screen)
    if article is None:
        controls = controls_for(questions.user_lang(update.effective_user))
        await message.reply_text(html.escape(controls.article_changed))
        return
    for part in browse.format_article(article):
        await update.effective_chat.send_message(part)


async def vote(update: Update, context: Context, payload: callbacks.Vote) -> None:
    """Keep a reader's 👍 or 👎 for the editors (/stats) and thank them."""
    query = update.callback_query
    if not state_of(context).log.vote(payload.ask, up=payload.up):
        await query.answer(words.BUTTON_EXPIRED)
        return
    await query.answer(controls_for(questions.user_lang(query.from_user)).voted)
