"""Compare tokenizer settings and BM25 variants on a question file (ranking only, refusals off).

Run: .venv/bin/python benchmarks/tokenizers.py eval/questions.jsonl
Prints one row per setting: hit@1, hit@3 and MRR@10 over the answerable questions.
"""

from __future__ import annotations

import dataclasses
import platform
import sys
import tempfile
from pathlib import Path

from retrieval import Archive, Settings
from retrieval.evaluate import evaluate, read_questions
from retrieval.terms.tokens import TokenizerConfig

TOKENIZERS = {
    "cut": TokenizerConfig(mode="cut", bigrams=False),
    "cut+hmm": TokenizerConfig(mode="cut", bigrams=False, hmm=True),
    "search": TokenizerConfig(mode="search", bigrams=False),
    "cut+bigrams": TokenizerConfig(mode="cut", bigrams=True),
    "search+bigrams": TokenizerConfig(mode="search", bigrams=True),
}
MODELS = ("okapi", "l", "plus", "lucene")


def row(name: str, settings: Settings, questions: list) -> str:
    archive = Archive.open(settings)
    metrics = evaluate(questions, lambda q: archive.ask(q, top_k=10))["overall"]
    return f"| {name} | {metrics['hit@1']} | {metrics['hit@3']} | {metrics['mrr']} |"


def main(path: str) -> None:
    questions = [q for q in read_questions(Path(path)) if q.title is not None]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(f"{len(questions)} answerable questions from {path}\n")
    print("| setting | hit@1 | hit@3 | MRR@10 |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings(index_dir=Path(tmp) / "x", min_coverage=0.0)
        for name, config in TOKENIZERS.items():
            s = dataclasses.replace(base, index_dir=Path(tmp) / name, tokenizer=config)
            print(row(f"lucene, {name}", s, questions), flush=True)
        for model in MODELS:
            s = dataclasses.replace(base, index_dir=Path(tmp) / model, model=model)
            print(row(f"{model}, search+bigrams", s, questions), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "eval/questions.jsonl")
