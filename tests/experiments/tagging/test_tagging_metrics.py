"""Tagging metrics: accuracy, AUC and interpolated background rejection."""

from __future__ import annotations

import numpy as np
import pytest

from experiments.tagging.metrics import binary_metrics, multiclass_metrics, rejection_at_efficiency


def test_rejection_interpolates_the_roc_curve():
    # Scores 0..9: signal at 9, 7, 5, 3, background at 8, 6, 4, 2, 1, 0.
    scores = np.arange(10.0)
    labels = np.array([0, 0, 0, 1, 0, 1, 0, 1, 0, 1])
    # ROC points (eS, eB): (0.25, 0), (0.25, 1/6), (0.5, 1/6), (0.5, 2/6), (0.75, 2/6), ...
    # At eS = 0.3 the curve is at the vertical step eS = 0.25 -> 0.5, interpolated at eB = 1/6.
    rejection = rejection_at_efficiency(labels, scores, [0.3, 0.5, 0.625])
    assert rejection[0.3] == pytest.approx(6.0)
    assert rejection[0.625] == pytest.approx(3.0)


def test_perfect_and_random_taggers():
    labels = np.array([0, 1] * 500)
    perfect = binary_metrics(labels, labels * 0.8 + 0.1)
    assert perfect["accuracy"] == 1.0 and perfect["auc"] == 1.0
    assert perfect["rej30"] == float("inf")
    rng = np.random.default_rng(0)
    many = np.array([0, 1] * 50000)
    random = binary_metrics(many, rng.uniform(size=len(many)))
    assert abs(random["auc"] - 0.5) < 0.01
    assert random["rej50"] == pytest.approx(2.0, rel=0.03)
    assert set(random) == {"accuracy", "auc", "rej30", "rej50", "rej80"}


def test_binary_metrics_need_both_classes():
    with pytest.raises(ValueError, match=r"labels 0 and 1.*\[1\]"):
        binary_metrics(np.ones(4, dtype=int), np.full(4, 0.5))


def test_multiclass_metrics():
    labels = np.array([0, 1, 2, 0, 1, 2])
    probabilities = np.eye(3)[labels] * 0.7 + 0.1
    metrics = multiclass_metrics(labels, probabilities, ["a", "b", "c", "d"])
    assert metrics["accuracy"] == 1.0
    assert metrics["auc_a"] == metrics["auc_macro"] == 1.0
    assert "auc_d" not in metrics
