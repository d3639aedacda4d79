import numpy as np
import pytest

from experiments.eventgen.two_sample_classifier import classifier_two_sample_auc


def test_identical_distributions_give_auc_near_one_half():
    rng = np.random.default_rng(0)
    auc = classifier_two_sample_auc(rng.normal(size=(2000, 4)), rng.normal(size=(2000, 4)), seed=0, max_iter=30)
    assert abs(auc - 0.5) < 0.05


def test_different_distributions_are_separated():
    rng = np.random.default_rng(1)
    true = rng.normal(size=(1500, 4))
    generated = rng.normal(size=(2000, 4))
    generated[:, 2] += 1.0
    auc = classifier_two_sample_auc(true, generated, seed=0, max_iter=30)
    # The optimal classifier reaches Phi(1 / sqrt(2)) = 0.76.
    assert 0.7 < auc < 0.8


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="equal F"):
        classifier_two_sample_auc(np.zeros((50, 3)), np.zeros((50, 4)))
    with pytest.raises(ValueError, match="generated features contain NaN"):
        classifier_two_sample_auc(np.zeros((50, 3)), np.full((50, 3), np.nan))
    with pytest.raises(ValueError, match=">= 20 events"):
        classifier_two_sample_auc(np.zeros((5, 3)), np.zeros((50, 3)))
