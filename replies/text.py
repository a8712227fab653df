"""Answers as plain text, for the CLI and the terminal chat: Answer -> str (the bot's skin is bot/replies.py).

The evidence sentence comes first with the matched words in 【】, then the passage and its citation.
"""

from __future__ import annotations

from collections.abc import Sequence

from replies.citation import (
    citation,
    list_lines,
    refusal_opening,
    term_line,
    term_spans,
    unstated_note,
    whole_terms,
)
from replies.words import Lang, for_lang, lang_of
from retrieval import Answer

LIST_ARTICLES = "`chamber-qa articles`"  # how the CLI lists every article


def mark_terms(sentence: str, terms: Sequence[str], left: str = "【", right: str = "】") -> str:
    """Wrap each occurrence of the matched terms in a sentence with markers."""
    out, last = [], 0
    for start, end in term_spans(sentence, terms):
        out += [sentence[last:start], left, sentence[start:end], right]
        last = end
    return "".join([*out, sentence[last:]])


def answer_text(answer: Answer, examples: Sequence[str] = ()) -> str:
    """Return a readable answer: the short answer or the list first, then each passage with its marked
    evidence sentence and citation; small talk and refusals in a few lines."""
    lang = lang_of(answer.question)
    w = for_lang(lang)
    if answer.small_talk:
        return w.small_talk[answer.small_talk].format(example=examples[0] if examples else "")
    head = [w.searched_for.format(terms=answer.searched_for)] if answer.searched_for else []
    if answer.searched_as:
        head.append(w.searched_as.format(question=answer.searched_as))
    if answer.partial:
        head.append(w.partial)
    if not answer.answered:
        return "\n".join([*head, *refusal_lines(answer, lang, LIST_ARTICLES)])
    if answer.short_answer:
        head.insert(0, w.short_answer.format(text=answer.short_answer.text))
    head += list_lines(answer, lang)
    blocks = ["\n".join(head)] if head else []
    asked = answer.searched_as or answer.question
    for hit in answer.hits:
        marked = whole_terms(hit.answer_sentence, hit.highlights, asked)
        lines = [
            f"{hit.rank}. {mark_terms(hit.answer_sentence, marked)}",
            hit.chunk.text,
            f"—— {citation(hit.chunk, lang)}",
            term_line(hit, lang),
        ]
        blocks.append("\n   ".join(line for line in lines if line))
    return "\n\n".join(blocks)


def refusal_lines(answer: Answer, lang: Lang, articles_command: str) -> list[str]:
    """Return why a question was not answered and where to look instead, one line each."""
    w = for_lang(lang)
    lines = [refusal_opening(answer, lang)]
    if note := unstated_note(answer, lang):
        lines.append(note)
    if answer.near_terms:
        lines.append(w.near_terms.format(terms=w.separator.join(answer.near_terms)))
    if answer.near_titles:
        lines.append(w.closest + w.separator.join(f"《{t}》" for t in answer.near_titles))
    lines.append(w.see_articles.format(command=articles_command))
    return lines
