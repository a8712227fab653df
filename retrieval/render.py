"""Render answers as plain text and JSON: Answer -> str / dict, for the CLI and the terminal chat."""

from __future__ import annotations

from typing import Literal

from retrieval.answer_type import KIND_NAMES
from retrieval.archive import is_english
from retrieval.models import Answer, Article, Chunk, Hit

Lang = Literal["zh", "en"]
# The renderer's own words; the passages stay as printed, in Chinese.
LABELS: dict[Lang, dict[str, str]] = {
    "zh": {
        "photo": "（图片说明）",
        "paragraph": "第{n}段",
        "searched_for": "检索词：",
        "not_found": "档案中没有找到答案。",
        "near_terms": "档案里相近的词：",
        "near_titles": "最接近的文章：",
        "unstated": "档案里有提到「{about}」的原文，但没有一篇写明所问的{kind}。",
        "see_articles": "可用 `chamber-qa articles` 查看全部文章。",
        "matched": "匹配：",
        "unmatched": "未匹配：",
        "sep": "、",
        "sep2": "；",
    },
    "en": {
        "photo": "(photo caption)",
        "paragraph": "para. {n}",
        "searched_for": "Searched for: ",
        "not_found": "The archive has no passage that answers this.",
        "near_terms": "Close words in the archive: ",
        "near_titles": "Closest articles: ",
        "unstated": "Passages mention “{about}”, but none states the {kind} asked for.",
        "see_articles": "Run `chamber-qa articles` to see every article.",
        "matched": "Matched: ",
        "unmatched": "not matched: ",
        "sep": ", ",
        "sep2": "; ",
    },
}


def mark_terms(sentence: str, terms: tuple[str, ...], left: str = "【", right: str = "】") -> str:
    """Wrap each occurrence of the matched terms in a sentence with markers (longest terms first)."""
    spans: list[tuple[int, int]] = []
    for term in sorted(set(terms), key=len, reverse=True):
        start = 0
        while term and (pos := sentence.find(term, start)) >= 0:
            end = pos + len(term)
            if not any(pos < e and s < end for s, e in spans):
                spans.append((pos, end))
            start = end
    out, last = [], 0
    for s, e in sorted(spans):
        out += [sentence[last:s], left, sentence[s:e], right]
        last = e
    return "".join([*out, sentence[last:]])


def citation(chunk: Chunk, lang: Lang = "zh") -> str:
    """Return the citation line: 《headline》 · section · paper, date, page · paragraph N · byline · file."""
    words = LABELS[lang]
    where = ", ".join(p for p in (chunk.paper, chunk.date, chunk.page) if p)
    parts = [
        f"《{chunk.title}》" if chunk.title else words["photo"],
        chunk.section,
        where,
        words["paragraph"].format(n=chunk.paragraph),
        chunk.byline,
        chunk.source,
    ]
    return " · ".join(p for p in parts if p)


def hit_json(hit: Hit) -> dict[str, object]:
    """Return one result in the CLI's JSON contract."""
    c = hit.chunk
    return {
        "rank": hit.rank,
        "score": round(hit.score, 4),
        "article_id": c.article_id,
        "title": c.title,
        "source": c.source,
        "section": c.section,
        "paragraph": c.paragraph,
        "byline": c.byline,
        "text": c.text,
        "answer_sentence": hit.answer_sentence,
        "matched_terms": list(hit.matched_terms),
        "unmatched_terms": list(hit.unmatched_terms),
    }


def answer_json(answer: Answer) -> dict[str, object]:
    """Return an answer in the CLI's JSON contract."""
    out: dict[str, object] = {
        "question": answer.question,
        "answered": answer.answered,
        "results": [hit_json(h) for h in answer.hits],
    }
    if answer.searched_for:
        out["searched_for"] = answer.searched_for
    if not answer.answered:
        if answer.unstated_kind:
            out["unstated"] = {"kind": answer.unstated_kind, "about": answer.unstated_about}
        out["near_titles"] = list(answer.near_titles)
        out["near_terms"] = list(answer.near_terms)
    return out


def unstated_note(answer: Answer, lang: Lang) -> str:
    """Say what a near miss lacks (passages mention 会长 but name no one), or "" for other refusals."""
    names = KIND_NAMES.get(answer.unstated_kind)
    if names is None:
        return ""
    kind = names[0] if lang == "zh" else names[1]
    return LABELS[lang]["unstated"].format(about=answer.unstated_about, kind=kind)


def answer_text(answer: Answer) -> str:
    """Return a readable answer: each passage with its marked evidence sentence and citation."""
    lang: Lang = "en" if is_english(answer.question) else "zh"
    words = LABELS[lang]
    head = [words["searched_for"] + answer.searched_for] if answer.searched_for else []
    if not answer.answered:
        lines = [*head, words["not_found"]]
        if note := unstated_note(answer, lang):
            lines.append(note)
        if answer.near_terms:
            lines.append(words["near_terms"] + words["sep"].join(answer.near_terms))
        if answer.near_titles:
            lines.append(words["near_titles"] + words["sep"].join(f"《{t}》" for t in answer.near_titles))
        lines.append(words["see_articles"])
        return "\n".join(lines)
    blocks = ["\n".join(head)] if head else []
    for hit in answer.hits:
        evidence = mark_terms(hit.answer_sentence, hit.highlights)
        lines = [
            f"{hit.rank}. {evidence}",
            hit.chunk.text,
            f"—— {citation(hit.chunk, lang)}",
            term_line(hit, lang),
        ]
        blocks.append("\n   ".join(line for line in lines if line))
    return "\n\n".join(blocks)


def term_line(hit: Hit, lang: Lang = "zh") -> str:
    """Return which of the question's words a passage holds and which it does not."""
    words = LABELS[lang]
    parts = [
        words[label] + words["sep"].join(terms)
        for label, terms in (("matched", hit.matched_terms), ("unmatched", hit.unmatched_terms))
        if terms
    ]
    return words["sep2"].join(parts)


def article_json(article: Article) -> dict[str, object]:
    """Return an article in the CLI's JSON contract."""
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "byline": article.byline,
        "kind": article.kind,
        "sections": article.sections,
        "paragraphs": [p.text for p in article.paragraphs],
    }
