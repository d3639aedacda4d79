import numpy as np
import pytest

from experiments.eventgen.auc_uncertainty import hanley_mcneil_std
from experiments.eventgen.two_sample_classifier import (
    MIN_EVENTS_PER_SAMPLE,
    TwoSampleTestUnavailable,
    classifier_two_sample_auc,
)


def test_identical_distributions_give_auc_near_one_half_within_its_error():
    rng = np.random.default_rng(0)
    result = classifier_two_sample_auc(rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4)), seed=0, max_iter=30)
    assert result.n_test == 2000
    # Hanley-McNeil at A = 0.5 with 1000 events of each class: sqrt(1 / 6000).
    assert result.std == pytest.approx(np.sqrt(1 / 6000), rel=0.05)
    assert abs(result.auc - 0.5) < 4 * result.std


def test_different_distributions_are_separated():
    rng = np.random.default_rng(1)
    true = rng.normal(size=(1500, 4))
    generated = rng.normal(size=(2000, 4))
    generated[:, 2] += 1.0
    result = classifier_two_sample_auc(true, generated, seed=0, max_iter=30)
    # The optimal classifier reaches Phi(1 / sqrt(2)) = 0.76.
    assert 0.7 < result.auc < 0.8
    assert 0.005 < result.std < 0.02


def test_too_few_events_are_refused_instead_of_reporting_one_half():
    rng = np.random.default_rng(2)
    with pytest.raises(TwoSampleTestUnavailable, match=r">= 100 events per sample, got 30 true and 500 generated"):
        classifier_two_sample_auc(rng.normal(size=(30, 3)), rng.normal(size=(500, 3)) + 3.0)
    n = MIN_EVENTS_PER_SAMPLE
    clearly_different = classifier_two_sample_auc(rng.normal(size=(n, 3)), rng.normal(size=(n, 3)) + 3.0, max_iter=20)
    assert clearly_different.auc > 0.9


def test_a_classifier_without_any_split_is_refused():
    with pytest.raises(TwoSampleTestUnavailable, match="same score"):
        classifier_two_sample_auc(np.zeros((200, 3)), np.zeros((200, 3)), max_iter=5)


def test_hanley_mcneil_limits():
    # A perfect separation has no spread; the A = 0.5 formula reduces to (1 + 2(n-1)/6)/(4 n^2).
    assert hanley_mcneil_std(1.0, 10, 10) == 0.0
    assert hanley_mcneil_std(0.5, 50, 50) == pytest.approx(np.sqrt((0.25 + 98 / 12) / 2500))
    with pytest.raises(ValueError, match="both classes"):
        hanley_mcneil_std(0.5, 0, 10)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="equal F"):
        classifier_two_sample_auc(np.zeros((50, 3)), np.zeros((50, 4)))
    with pytest.raises(ValueError, match="generated features contain NaN"):
        classifier_two_sample_auc(np.zeros((50, 3)), np.full((50, 3), np.nan))


def test_hanley_mcneil_with_unequal_class_counts():
    # Eq. (1) of Hanley and McNeil (1982) by hand for A = 0.8, 2 positives, 4 negatives:
    # Q1 - A^2 = 2/3 - 16/25 = 2/75, Q2 - A^2 = 32/45 - 16/25 = 16/75,
    # SE^2 = (4/25 + 1 * 2/75 + 3 * 16/75) / (2 * 4) = (30/75) / 8 = 1/20.
    assert hanley_mcneil_std(0.8, 2, 4) == pytest.approx(np.sqrt(1 / 20), rel=1e-12)
    # Their exponential model (negatives ~ Exp(1), positives ~ Exp(1/4): A = 1 / (1 + 1/4) = 0.8)
    # has Q1 and Q2 exactly, so the spread of the measured AUC over many test sets is the SE.
    rng = np.random.default_rng(0)
    positive = rng.exponential(4.0, size=(200_000, 2, 1))
    negative = rng.exponential(1.0, size=(200_000, 1, 4))
    aucs = (positive > negative).mean(axis=(1, 2))
    assert aucs.mean() == pytest.approx(0.8, abs=2e-3)
    assert aucs.std() == pytest.approx(hanley_mcneil_std(0.8, 2, 4), rel=0.01)
