"""Classifier two-sample test: how well can a classifier tell generated from true events?"""

from dataclasses import dataclass

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from .auc_uncertainty import hanley_mcneil_std

__all__ = ["MIN_EVENTS_PER_SAMPLE", "TwoSampleAUC", "TwoSampleTestUnavailable", "classifier_two_sample_auc"]

MIN_EVENTS_PER_SAMPLE = 100
"""Fewest events of each sample the test accepts. With half of them held out, the classifier
trains on about 100 events; its trees need 20 events per leaf (scikit-learn's default), so with
much less it cannot split at all and every held-out event gets the same score, an AUC of exactly
0.5 that says nothing. At 100 the held-out AUC still carries an uncertainty of about 0.06."""


class TwoSampleTestUnavailable(ValueError):
    """The samples are too small for the classifier to measure anything; the message says why."""


@dataclass(frozen=True)
class TwoSampleAUC:
    """Held-out ROC AUC of the two-sample classifier with its statistical uncertainty.

    Attributes
    ----------
    auc : float
        0.5: the classifier cannot tell the samples apart; 1.0: perfectly separable.
    std : float
        Standard error of ``auc`` from the finite test set (Hanley-McNeil).
    n_test : int
        Held-out events the AUC was measured on (both samples together).
    """

    auc: float
    std: float
    n_test: int


def classifier_two_sample_auc(
    true_features: np.ndarray,
    generated_features: np.ndarray,
    seed: int = 0,
    test_fraction: float = 0.5,
    max_iter: int = 200,
) -> TwoSampleAUC:
    """AUC of a gradient-boosted classifier separating generated from true events.

    The classifier is trained on one part of both samples (balanced by subsampling the larger)
    and scored on the rest.

    Parameters
    ----------
    true_features : numpy.ndarray with shape (N_true, F)
    generated_features : numpy.ndarray with shape (N_gen, F)
        Same features (e.g. pt, eta, phi, m of every jet and the resonance masses).
    seed : int
    test_fraction : float
        Fraction of the (balanced) events held out for the AUC.
    max_iter : int
        Boosting iterations.

    Returns
    -------
    TwoSampleAUC
        Held-out ROC AUC, its standard error and the number of held-out events.

    Raises
    ------
    TwoSampleTestUnavailable
        With fewer than :data:`MIN_EVENTS_PER_SAMPLE` events in either sample, or when the
        trained classifier gives every held-out event the same score (it found no split).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier  # sklearn loads in seconds: only when used
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

    if true_features.ndim != 2 or true_features.shape[1:] != generated_features.shape[1:]:
        raise ValueError(
            f"classifier_two_sample_auc: feature arrays must be (N, F) with equal F, got "
            f"{true_features.shape} and {generated_features.shape}"
        )
    for name, array in (("true", true_features), ("generated", generated_features)):
        if not np.isfinite(array).all():
            raise ValueError(f"classifier_two_sample_auc: {name} features contain NaN or inf")
    n = min(len(true_features), len(generated_features))
    if n < MIN_EVENTS_PER_SAMPLE:
        raise TwoSampleTestUnavailable(
            f"classifier two-sample test needs >= {MIN_EVENTS_PER_SAMPLE} events per sample, got "
            f"{len(true_features)} true and {len(generated_features)} generated: with fewer the classifier "
            "cannot split and its AUC of 0.5 measures nothing"
        )
    rng = np.random.default_rng(seed)
    true = true_features[rng.permutation(len(true_features))[:n]]
    generated = generated_features[rng.permutation(len(generated_features))[:n]]
    features = np.concatenate([true, generated])
    labels = np.concatenate([np.zeros(n), np.ones(n)])
    order = rng.permutation(2 * n)
    features, labels = features[order], labels[order]
    n_test = int(test_fraction * 2 * n)
    classifier = HistGradientBoostingClassifier(max_iter=max_iter, random_state=seed)
    # OpenMP would otherwise use every core of the machine, ignoring the run's thread budget.
    with threadpool_limits(limits=torch.get_num_threads(), user_api="openmp"):
        classifier.fit(features[n_test:], labels[n_test:])
        scores = classifier.predict_proba(features[:n_test])[:, 1]
    if np.ptp(scores) == 0:
        raise TwoSampleTestUnavailable(
            f"classifier two-sample test: the classifier trained on {2 * n - n_test} events gave all "
            f"{n_test} held-out events the same score (it found no split); its AUC of 0.5 measures nothing"
        )
    test_labels = labels[:n_test]
    auc = float(roc_auc_score(test_labels, scores))
    n_generated = int(test_labels.sum())
    return TwoSampleAUC(auc, hanley_mcneil_std(auc, n_generated, n_test - n_generated), n_test)
