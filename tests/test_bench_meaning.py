"""The semantic signal's benchmark helpers: the mix grid, storage precision, refusal separation."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import meaning, precision, refusal_signal
from benchmarks.ranking import Metrics


def test_auc_is_the_chance_an_answerable_question_scores_higher() -> None:
    assert refusal_signal.auc([0.9, 0.8, 0.1, 0.2], [True, True, False, False]) == 1.0
    assert refusal_signal.auc([0.1, 0.2, 0.9, 0.8], [True, True, False, False]) == 0.0
    assert refusal_signal.auc([0.5, 0.5], [True, False]) == 0.5  # a tie counts half


def test_the_signals_are_compared_at_equal_cost_to_answerable_questions() -> None:
    scores, answerable = [0.1, 0.3, 0.6, 0.9, 0.2, 0.4], [True, True, True, True, False, False]
    # Refusing one answerable question (0.1) means refusing below 0.3: one unanswerable (0.2) goes too.
    assert refusal_signal.refused_at_equal_cost(scores, answerable, 1) == 1
    assert refusal_signal.refused_at_equal_cost(scores, answerable, 0) == 0
    assert refusal_signal.refused_at_equal_cost(scores, answerable, 4) == 2


def test_int8_storage_rounds_unit_vectors_within_half_a_step() -> None:
    rng = np.random.default_rng(1)
    v = rng.standard_normal((20, 384)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    step = np.abs(v).max(axis=1, keepdims=True) / 127
    assert np.all(np.abs(precision.as_int8(v) - v) <= step / 2 + 1e-7)
    assert np.abs(precision.as_float16(v) - v).max() < 1e-3


def test_the_mix_chosen_is_the_best_mean_recall_then_mrr() -> None:
    def tune(mix: meaning.Mix) -> list[Metrics]:
        recall = 0.9 if mix == (1.5, 30) else 0.8
        return [Metrics(10, recall, 1.0, recall), Metrics(10, recall, 1.0, recall)]

    assert meaning.choose_mix(tune) == (1.5, 30)
    assert (1.5, 30) in [(w, d) for w in meaning.WEIGHTS for d in meaning.DEPTHS]


@pytest.mark.parametrize("mix", [None, (1.5, 30)])
def test_the_mix_line_names_the_choice_and_the_shipped_mix(mix: meaning.Mix | None) -> None:
    line = meaning.mix_line(mix)
    assert ("not installed" in line) == (mix is None)
    if mix:
        assert "weight=1.5 depth=30" in line and "retrieval/vectors/rerank.py" in line
