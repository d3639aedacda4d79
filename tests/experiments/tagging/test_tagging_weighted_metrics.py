"""Weighted tagging metrics: hand-computed values, sklearn, and integer weights as repeated jets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from experiments.tagging.metrics import binary_metrics, multiclass_metrics, rejection_at_efficiency

# Signal scores 0.9, 0.8, 0.4 with weights 1, 1, 2 (sum 4); background 0.7, 0.3, 0.2, 0.1 with
# weights 1, 3, 0.5, 0.5 (sum 5).
LABELS = np.array([1, 1, 1, 0, 0, 0, 0])
SCORES = np.array([0.9, 0.8, 0.4, 0.7, 0.3, 0.2, 0.1])
WEIGHTS = np.array([1.0, 1.0, 2.0, 1.0, 3.0, 0.5, 0.5])


def test_weighted_binary_metrics_by_hand():
    weighted = binary_metrics(LABELS, SCORES, efficiencies=(0.75,), sample_weight=WEIGHTS)
    plain = binary_metrics(LABELS, SCORES, efficiencies=(0.75,))
    # Correct at 0.5: signal 0.9, 0.8 (weight 2) and background 0.3, 0.2, 0.1 (weight 4) of 9.
    assert weighted["accuracy"] == pytest.approx(6 / 9)
    assert plain["accuracy"] == pytest.approx(5 / 7)
    # Pairs signal > background: 0.9 and 0.8 beat all 5 background weight, 0.4 (weight 2) beats 4.
    assert weighted["auc"] == pytest.approx((5 + 5 + 2 * 4) / (4 * 5))
    assert plain["auc"] == pytest.approx(11 / 12)
    assert weighted["auc"] == pytest.approx(roc_auc_score(LABELS, SCORES, sample_weight=WEIGHTS))
    # eS = 0.75 lies between the cuts at 0.8 and 0.4, which both keep only the 0.7 background
    # jet: eB = 1/5 weighted, 1/4 unweighted.
    assert weighted["rej75"] == pytest.approx(5.0)
    assert plain["rej75"] == pytest.approx(4.0)


def test_integer_weights_equal_repeated_jets():
    rng = np.random.default_rng(0)
    labels = np.arange(200) % 2
    scores = np.clip(0.3 * labels + rng.uniform(size=200) * 0.7, 0, 1)
    counts = rng.integers(0, 5, size=200)
    weighted = binary_metrics(labels, scores, sample_weight=counts.astype(float))
    repeated = binary_metrics(np.repeat(labels, counts), np.repeat(scores, counts))
    assert weighted == pytest.approx(repeated, rel=1e-12)
    assert weighted != pytest.approx(binary_metrics(labels, scores), rel=1e-3)
    rejection = rejection_at_efficiency(labels, scores, [0.4, 0.6], sample_weight=counts)
    assert rejection == pytest.approx(
        rejection_at_efficiency(np.repeat(labels, counts), np.repeat(scores, counts), [0.4, 0.6])
    )


def test_unit_weights_change_nothing():
    plain = binary_metrics(LABELS, SCORES)
    assert binary_metrics(LABELS, SCORES, sample_weight=np.ones(7)) == pytest.approx(plain, rel=1e-12)


def test_weighted_multiclass_metrics():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, size=150)
    probabilities = rng.dirichlet(np.ones(3), size=150)
    probabilities[np.arange(150), labels] += 0.3
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    weights = rng.uniform(0.1, 3.0, size=150)
    metrics = multiclass_metrics(labels, probabilities, ["a", "b", "c"], sample_weight=weights)
    correct = probabilities.argmax(axis=1) == labels
    assert metrics["accuracy"] == pytest.approx((weights * correct).sum() / weights.sum())
    for index, name in enumerate("abc"):
        expected = roc_auc_score(labels == index, probabilities[:, index], sample_weight=weights)
        assert metrics[f"auc_{name}"] == pytest.approx(expected)
    assert metrics["auc_macro"] == pytest.approx(np.mean([metrics[f"auc_{n}"] for n in "abc"]))
    plain = multiclass_metrics(labels, probabilities, ["a", "b", "c"])
    assert metrics["auc_a"] != pytest.approx(plain["auc_a"], rel=1e-4)
    counts = rng.integers(0, 4, size=150)
    repeated = multiclass_metrics(np.repeat(labels, counts), np.repeat(probabilities, counts, axis=0), "abc")
    assert multiclass_metrics(labels, probabilities, "abc", sample_weight=counts) == pytest.approx(repeated)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        (np.ones(6), r"sample_weight has shape \(6,\), expected \(7,\)"),
        (np.where(np.arange(7) == 2, np.nan, 1.0), "finite and >= 0"),
        (-np.ones(7), "finite and >= 0"),
        (np.zeros(7), "positive sum"),
    ],
)
def test_bad_sample_weight(weights, message):
    with pytest.raises(ValueError, match=message):
        binary_metrics(LABELS, SCORES, sample_weight=weights)
