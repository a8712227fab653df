"""Render answers as plain text and JSON: Answer -> str / dict, for the CLI and the terminal chat."""

from __future__ import annotations

from retrieval.models import Answer, Article, Chunk, Hit


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


def citation(chunk: Chunk) -> str:
    """Return the citation line: 《headline》 · section · paper, date, page · paragraph N · file."""
    where = ", ".join(p for p in (chunk.paper, chunk.date, chunk.page) if p)
    parts = [
        f"《{chunk.title}》" if chunk.title else "（图片说明）",
        chunk.section,
        where,
        f"第{chunk.paragraph}段",
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
    if not answer.answered:
        out["near_titles"] = list(answer.near_titles)
    return out


def answer_text(answer: Answer) -> str:
    """Return a readable answer: each passage with its marked evidence sentence and citation."""
    if not answer.answered:
        lines = ["档案中没有找到答案。"]
        if answer.near_titles:
            lines.append("最接近的文章：" + "；".join(f"《{t}》" for t in answer.near_titles))
        lines.append("可用 `chamber-qa articles` 查看全部文章。")
        return "\n".join(lines)
    blocks = []
    for hit in answer.hits:
        evidence = mark_terms(hit.answer_sentence, hit.highlights)
        lines = [f"{hit.rank}. {evidence}", hit.chunk.text, f"—— {citation(hit.chunk)}", term_line(hit)]
        blocks.append("\n   ".join(line for line in lines if line))
    return "\n\n".join(blocks)


def term_line(hit: Hit) -> str:
    """Return which of the question's words a passage holds and which it does not."""
    parts = [
        f"{label}：{'、'.join(terms)}"
        for label, terms in (("匹配", hit.matched_terms), ("未匹配", hit.unmatched_terms))
        if terms
    ]
    return "；".join(parts)


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
