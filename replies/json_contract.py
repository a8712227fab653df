"""Answers and articles as the CLI's JSON contract: Answer -> dict, Article -> dict (documented in README)."""

from __future__ import annotations

from retrieval import Answer, Article, Hit


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
        "contributors": c.contributors,
        "text": c.text,
        "answer_sentence": hit.answer_sentence,
        "matched_terms": list(hit.matched_terms),
        "unmatched_terms": list(hit.unmatched_terms),
    }


def answer_json(answer: Answer) -> dict[str, object]:
    """Return an answer in the CLI's JSON contract."""
    short = answer.short_answer
    out: dict[str, object] = {
        "question": answer.question,
        "searched_as": answer.searched_as or answer.question,
        "answered": answer.answered,
        "small_talk": bool(answer.small_talk),
        "short_answer": {"text": short.text, "rank": short.rank, "kind": short.kind} if short else None,
        "list": [
            {"text": item.text, "article_id": item.article_id, "paragraph": item.paragraph}
            for item in answer.items
        ]
        or None,
        "results": [hit_json(h) for h in answer.hits],
        "relevant": answer.relevant,
    }
    if answer.searched_for:
        out["searched_for"] = answer.searched_for
    if answer.partial:
        out["partial"] = True  # some shards did not answer
    if not answer.answered:
        if answer.unstated_kind:
            out["unstated"] = {"kind": answer.unstated_kind, "about": answer.unstated_about}
        out["missing"] = list(answer.missing)
        out["near_titles"] = list(answer.near_titles)
        out["near_terms"] = list(answer.near_terms)
    return out


def article_json(article: Article) -> dict[str, object]:
    """Return an article in the CLI's JSON contract."""
    return {
        "id": article.id,
        "title": article.title,
        "source": article.source,
        "byline": article.byline,
        "contributors": article.contributors,
        "kind": article.kind,
        "sections": article.sections,
        "paragraphs": [p.text for p in article.paragraphs],
    }
