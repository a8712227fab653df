"""The bot's skin over replies/: Answer → one Telegram HTML message, its buttons, inline results.

The words and the pieces around a passage (citation, matched words, marks) are replies/'s, shared with
the CLI; here they are escaped into HTML and fitted to Telegram's limits. Handlers send what these
functions return and nothing else.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
)
from telegram.constants import ParseMode

from bot import callbacks, paging
from bot.telegram_text import MAX_TITLE_CHARS, clip, utf16_len
from replies import citation as plain
from replies.controls import controls_for
from replies.words import Lang, for_lang

if TYPE_CHECKING:
    from retrieval import Answer, Chunk, Hit

MAX_PASSAGE_CHARS = 900  # a passage longer than this is shown around its evidence sentence
# One answer screen's passage: the evidence sentence and what stands around it, so that the answer, its
# evidence and the citation fit on one phone screen (benchmarks/screens.py measures the messages).
SCREEN_PASSAGE_CHARS = 200
MAX_LIST_CHARS = 1200  # a longer list is cut: the passages below still cite every item
MAX_CITATION_CHARS = 300
MAX_TERMS_CHARS = 200
MAX_ECHO_CHARS = 60  # how much of a question a "no answer" reply repeats
MAX_NEAR_TITLES = 5
INLINE_TITLE_CHARS = 64
INLINE_DESCRIPTION_CHARS = 120


def mark(text: str, sentence: str, terms: Sequence[str]) -> str:
    """Escape text, bold the evidence sentence and underline the matched terms (tags nest, never cross)."""
    start = text.find(sentence) if sentence else -1
    if start < 0:
        return underline(text, terms)
    end = start + len(sentence)
    inside = underline(text[start:end], terms)
    return f"{underline(text[:start], terms)}<b>{inside}</b>{underline(text[end:], terms)}"


def underline(text: str, terms: Sequence[str]) -> str:
    """Escape text and underline each occurrence of a matched term."""
    out, last = [], 0
    for start, end in plain.term_spans(text, terms):
        out += [html.escape(text[last:start]), f"<u>{html.escape(text[start:end])}</u>"]
        last = end
    out.append(html.escape(text[last:]))
    return "".join(out)


def window(text: str, sentence: str, limit: int) -> str:
    """Return at most `limit` characters of text around the sentence, marking cuts with "…"."""
    if utf16_len(text) <= limit:
        return text
    start = max(text.find(sentence), 0)
    room = limit - 2  # what is left beside the two "…" that may mark the cuts
    lead = max(0, (room - len(sentence)) // 2)  # centre the sentence when it is short enough
    begin = max(0, min(start - lead, len(text) - room))
    head = "…" if begin > 0 else ""
    return clip(head + text[begin:], limit)


def citation(chunk: Chunk, lang: Lang) -> str:
    """Return the escaped citation line, clipped to MAX_CITATION_CHARS."""
    return html.escape(clip(plain.citation(chunk, lang), MAX_CITATION_CHARS))


def marked_passage(hit: Hit, max_chars: int = MAX_PASSAGE_CHARS, asked: str = "") -> str:
    """Return the passage's window around its evidence sentence, evidence and terms marked (HTML); a
    term is marked as widely as the question ``asked`` holds it (a cut name whole)."""
    text = hit.chunk.text
    if hit.answer_sentence and hit.answer_sentence not in text:  # show the evidence even so
        text = f"{hit.answer_sentence}\n{text}"
    shown = window(text, hit.answer_sentence, max_chars)
    return mark(shown, hit.answer_sentence, plain.whole_terms(shown, hit.highlights, asked))


def format_inserted(answer: Answer, hit: Hit, lang: Lang) -> str:
    """Return what an inline result inserts into a chat: the short answer where it stands in this
    passage, the passage and its citation; no result number, no matched-words line."""
    short = answer.short_answer
    lead = (
        f"<b>{html.escape(for_lang(lang).short_answer.format(text=short.text))}</b>\n"
        if short and short.rank == hit.rank
        else ""
    )
    return f"{lead}{marked_passage(hit, asked=answer.question)}\n<i>{citation(hit.chunk, lang)}</i>"


def format_answer(
    answer: Answer, lang: Lang, screen: int = 0, note: str = "", examples: Sequence[str] = ()
) -> str:
    """Return the one message of an answer screen: on the first, the short answer or the list the archive
    prints; how the question was searched; then one passage around its evidence, cited. Or the small-talk
    reply, or the refusal. ``answer`` is the search that holds the screen (bot.paging.batch_start)."""
    w = for_lang(lang)
    if answer.small_talk:
        return html.escape(w.small_talk[answer.small_talk].format(example=next(iter(examples), "")))
    hit = paging.screen_hit(answer, screen)
    if not answer.answered or hit is None:
        return format_no_answer(answer, lang, note)
    blocks = [*answer_lead(answer, lang)] if screen == 0 else []
    blocks += searched_for(answer, lang)
    blocks += [html.escape(note)] if note else []
    asked = answer.searched_as or answer.question
    blocks.append(format_passage(hit, lang, screen + 1, paging.screens(answer), asked))
    return "\n".join(blocks)


def format_passage(hit: Hit, lang: Lang, number: int, total: int, asked: str = "") -> str:
    """Return one screen's passage: a window around the evidence sentence (bold, matched words
    underlined), its citation (with the passage's place among the relevant ones) and, for a partial
    match only, the question's words it lacks."""
    cited = plain.citation(hit.chunk, lang)
    if total > 1:
        cited = f"{controls_for(lang).position.format(n=number, total=total)} · {cited}"
    lines = [
        marked_passage(hit, SCREEN_PASSAGE_CHARS, asked),
        f"<i>{html.escape(clip(cited, MAX_CITATION_CHARS))}</i>",
    ]
    if lacking := plain.unmatched_line(hit, lang):
        lines.append(f"<i>{html.escape(clip(lacking, MAX_TERMS_CHARS))}</i>")
    return "\n".join(lines)


def answer_lead(answer: Answer, lang: Lang) -> list[str]:
    """Return what stands above the passage: the short answer in bold, or the list the archive prints."""
    w = for_lang(lang)
    if answer.short_answer:
        return [f"<b>{html.escape(w.short_answer.format(text=answer.short_answer.text))}</b>"]
    lines = plain.list_lines(answer, lang)
    return [html.escape(clip("\n".join(lines), MAX_LIST_CHARS))] if lines else []


def format_no_answer(answer: Answer, lang: Lang, note: str = "") -> str:
    """Say plainly that the archive has no answer (or never mentions a name asked about), and point to the
    closest headlines."""
    w = for_lang(lang)
    lines = [html.escape(plain.refusal_opening(answer, lang, clip(answer.question, MAX_ECHO_CHARS)))]
    lines += searched_for(answer, lang)
    if note:
        lines.append(html.escape(note))
    if unstated := plain.unstated_note(answer, lang):
        lines.append(html.escape(unstated))
    if answer.near_terms:
        lines.append(html.escape(w.near_terms.format(terms=w.separator.join(answer.near_terms))))
    titles = [t for t in answer.near_titles if t][:MAX_NEAR_TITLES]
    if titles:
        lines.append("\n" + html.escape(w.closest))
        lines += [f"• 《{html.escape(clip(t, MAX_TITLE_CHARS))}》" for t in titles]
    lines.append("\n" + html.escape(w.see_articles.format(command="/articles")))
    return "\n".join(lines)


def searched_for(answer: Answer, lang: Lang) -> list[str]:
    """Return the escaped lines saying how the question was searched: the Chinese an English question was
    read as, a follow-up as the conversation rewrote it, and whether part of the archive was missing."""
    w = for_lang(lang)
    lines = [w.searched_for.format(terms=answer.searched_for)] if answer.searched_for else []
    lines += [w.searched_as.format(question=answer.searched_as)] if answer.searched_as else []
    lines += [w.partial] if answer.partial else []
    return [f"<i>{html.escape(clip(line, MAX_CITATION_CHARS))}</i>" for line in lines]


def answer_keyboard(lang: Lang, buttons: callbacks.Buttons) -> InlineKeyboardMarkup | None:
    """Return an answer screen's buttons: ‹ 上一条 · 全文 · 更多 ›, then 👍 👎."""
    c, w = controls_for(lang), for_lang(lang)
    row = [
        InlineKeyboardButton(text, callback_data=callbacks.encode(payload))
        for text, payload in ((c.previous, buttons.previous), (w.full, buttons.full), (c.next, buttons.next))
        if payload is not None
    ]
    votes = [
        InlineKeyboardButton(text, callback_data=callbacks.encode(callbacks.Vote(buttons.ask, up)))
        for text, up in ((c.up, True), (c.down, False))
    ]
    return InlineKeyboardMarkup([row, votes] if row else [votes])


def inline_description(answer: Answer, hit: Hit, lang: Lang) -> str:
    """Return what an inline result shows under its headline: the short answer where it stands in this
    passage, then the evidence sentence."""
    evidence = hit.answer_sentence or hit.chunk.text
    short = answer.short_answer
    if short is None or short.rank != hit.rank:
        return evidence
    return f"{for_lang(lang).short_answer.format(text=short.text)} · {evidence}"


def inline_results(answer: Answer, lang: Lang) -> list[InlineQueryResultArticle]:
    """Return one inline result per passage, each inserting the cited passage into the chat."""
    if not answer.answered:
        return []
    w = for_lang(lang)
    return [
        InlineQueryResultArticle(
            id=str(number),
            title=clip(hit.chunk.title or w.photo, INLINE_TITLE_CHARS),
            description=clip(inline_description(answer, hit, lang), INLINE_DESCRIPTION_CHARS),
            input_message_content=InputTextMessageContent(
                format_inserted(answer, hit, lang), parse_mode=ParseMode.HTML
            ),
        )
        for number, hit in enumerate(answer.hits, start=1)
    ]
