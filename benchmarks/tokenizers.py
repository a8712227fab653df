"""Compare tokenizer settings and BM25 variants on a question file (ranking only, refusals off).

Run from the repository root: .venv/bin/python -m benchmarks.tokenizers eval/questions.jsonl

Each row changes one thing of the product's ``Settings`` (the tokenizer, or the BM25 model at the same k1
and b), builds the index of seeds/ with it in a temporary folder, and asks every answerable question of the
file (``title`` not null) through ``Archive.ask`` for 10 passages, with ``min_coverage`` 0 so that nothing is
refused: hit@1, hit@3 and MRR@10 as ``retrieval.evaluate`` counts them.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from benchmarks.common import machine, machine_line, tokenizer_label
from retrieval import Archive, Settings
from retrieval.evaluate import Question, evaluate, read_questions
from retrieval.index.scoring import MODELS
from retrieval.terms.tokens import TokenizerConfig

TOKENIZERS = {
    "cut": TokenizerConfig(mode="cut", bigrams=False),
    "cut+hmm": TokenizerConfig(mode="cut", bigrams=False, hmm=True),
    "search": TokenizerConfig(mode="search", bigrams=False),
    "cut+bigrams": TokenizerConfig(mode="cut", bigrams=True),
    "search+bigrams": TokenizerConfig(mode="search", bigrams=True),
}
DEPTH = 10  # passages asked for: MRR@10


def row(name: str, settings: Settings, questions: Sequence[Question]) -> str:
    """Build the index with these settings, ask every question, and return the table row."""
    archive = Archive.open(settings)
    metrics = evaluate(list(questions), lambda q: archive.ask(q, top_k=DEPTH))["overall"]
    return f"| {name} | {metrics['hit@1']} | {metrics['hit@3']} | {metrics['mrr']} |"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the machine, how many questions were used, and one row per setting."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("questions", type=Path, nargs="?", default=Path("eval/questions.jsonl"))
    path = parser.parse_args(argv).questions
    questions = [q for q in read_questions(path) if q.title is not None]
    defaults = Settings()
    print(machine_line(machine(["jieba"])))
    print(f"{len(questions)} answerable questions from {path}; k1 {defaults.k1}, b {defaults.b} (Settings)\n")
    print("| setting | hit@1 | hit@3 | MRR@10 |\n|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="chamber-qa-tokenizers-") as tmp:
        base = dataclasses.replace(defaults, min_coverage=0.0)
        for name, config in TOKENIZERS.items():
            settings = dataclasses.replace(base, index_dir=Path(tmp) / name, tokenizer=config)
            print(row(f"{defaults.model}, {name}", settings, questions), flush=True)
        for model in MODELS:
            settings = dataclasses.replace(base, index_dir=Path(tmp) / model, model=model)
            print(row(f"{model}, {tokenizer_label(defaults.tokenizer)}", settings, questions), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
