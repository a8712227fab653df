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

from bot import callbacks
from bot.telegram_text import MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, clip, utf16_len, visible_length
from replies import citation as plain
from replies.words import Lang, for_lang

if TYPE_CHECKING:
    from retrieval import Answer, Chunk, Hit

MAX_PASSAGE_CHARS = 900  # a passage longer than this is shown around its evidence sentence
MIN_PASSAGE_CHARS = 200
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
    lead = max(0, (limit - len(sentence)) // 2)  # centre the sentence when it is short enough
    begin = max(0, min(start - lead, len(text) - limit))
    head = "…" if begin > 0 else ""
    return clip(head + text[begin:], limit)


def citation(chunk: Chunk, lang: Lang) -> str:
    """Return the escaped citation line, clipped to MAX_CITATION_CHARS."""
    return html.escape(clip(plain.citation(chunk, lang), MAX_CITATION_CHARS))


def format_hit(hit: Hit, number: int, lang: Lang, max_chars: int = MAX_PASSAGE_CHARS) -> str:
    """Return one passage: its number, the text with evidence and terms marked, and its citation."""
    passage = marked_passage(hit, max_chars)
    return f"<b>{number}.</b> {passage}\n<i>{citation(hit.chunk, lang)}</i>\n{term_line(hit, lang)}"


def marked_passage(hit: Hit, max_chars: int = MAX_PASSAGE_CHARS) -> str:
    """Return the passage's window around its evidence sentence, evidence and terms marked (HTML)."""
    text = hit.chunk.text
    if hit.answer_sentence and hit.answer_sentence not in text:  # show the evidence even so
        text = f"{hit.answer_sentence}\n{text}"
    return mark(window(text, hit.answer_sentence, max_chars), hit.answer_sentence, hit.highlights)


def format_inserted(answer: Answer, hit: Hit, lang: Lang) -> str:
    """Return what an inline result inserts into a chat: the short answer where it stands in this
    passage, the passage and its citation; no result number, no matched-words line."""
    short = answer.short_answer
    lead = (
        f"<b>{html.escape(for_lang(lang).short_answer.format(text=short.text))}</b>\n"
        if short and short.rank == hit.rank
        else ""
    )
    return f"{lead}{marked_passage(hit)}\n<i>{citation(hit.chunk, lang)}</i>"


def term_line(hit: Hit, lang: Lang) -> str:
    """Return the escaped line saying which of the question's words the passage holds and which not."""
    return html.escape(clip(plain.term_line(hit, lang), MAX_TERMS_CHARS))


def format_answer(
    answer: Answer, lang: Lang, offset: int = 0, note: str = "", examples: Sequence[str] = ()
) -> str:
    """Return the one message of an answer page: the short answer or the list the archive prints, how
    the question was searched, then results offset+1 …; or the small-talk reply, or the refusal."""
    w = for_lang(lang)
    if answer.small_talk:
        return html.escape(w.small_talk[answer.small_talk].format(example=next(iter(examples), "")))
    if not answer.answered or not answer.hits:
        return format_no_answer(answer, lang, note)
    header = html.escape(w.passages.format(first=offset + 1, last=offset + len(answer.hits)))
    blocks = [*answer_lead(answer, lang), *searched_for(answer, lang), header]
    blocks += [html.escape(note)] if note else []
    room = MAX_MESSAGE_CHARS - sum(visible_length(b) + 2 for b in blocks)
    per_hit = room // len(answer.hits) - 2 - MAX_CITATION_CHARS - MAX_TERMS_CHARS - 10  # and separators
    size = max(MIN_PASSAGE_CHARS, min(MAX_PASSAGE_CHARS, per_hit))
    blocks += [format_hit(hit, offset + i, lang, size) for i, hit in enumerate(answer.hits, start=1)]
    return "\n\n".join(blocks)


def answer_lead(answer: Answer, lang: Lang) -> list[str]:
    """Return what stands above the passages: the short answer (bold, naming the passage it stands in) or
    the list the archive prints, clipped so that the passages keep their room."""
    w = for_lang(lang)
    if answer.short_answer:
        short = answer.short_answer
        line = f"<b>{html.escape(w.short_answer.format(text=short.text))}</b>"
        return [line + html.escape(w.short_answer_in.format(rank=short.rank))]
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
    read as, and a follow-up as the conversation rewrote it."""
    w = for_lang(lang)
    lines = [w.searched_for.format(terms=answer.searched_for)] if answer.searched_for else []
    lines += [w.searched_as.format(question=answer.searched_as)] if answer.searched_as else []
    return [f"<i>{html.escape(clip(line, MAX_CITATION_CHARS))}</i>" for line in lines]


def answer_keyboard(
    lang: Lang, full: Sequence[tuple[int, callbacks.Full]], more: callbacks.More | None
) -> InlineKeyboardMarkup | None:
    """Return the "全文" buttons (one per article, numbered when several) and the "更多" button."""
    w = for_lang(lang)
    first_number: dict[callbacks.Full, int] = {}
    for number, payload in full:
        first_number.setdefault(payload, number)
    one = len(first_number) == 1
    rows = [
        [
            InlineKeyboardButton(w.full if one else f"{w.full} {n}", callback_data=callbacks.encode(payload))
            for payload, n in first_number.items()
        ]
    ]
    if more is not None:
        rows.append([InlineKeyboardButton(w.more, callback_data=callbacks.encode(more))])
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


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
