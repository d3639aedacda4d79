"""Classifier two-sample test: how well can a classifier tell generated from true events?"""

import numpy as np
import torch
from threadpoolctl import threadpool_limits

__all__ = ["classifier_two_sample_auc"]


def classifier_two_sample_auc(
    true_features: np.ndarray,
    generated_features: np.ndarray,
    seed: int = 0,
    test_fraction: float = 0.5,
    max_iter: int = 200,
) -> float:
    """AUC of a gradient-boosted classifier separating generated from true events.

    The classifier is trained on one part of both samples (balanced by subsampling the larger)
    and scored on the rest. 0.5 means the samples are indistinguishable; 1.0 perfectly separable.

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
    float
        Held-out ROC AUC.
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
    rng = np.random.default_rng(seed)
    n = min(len(true_features), len(generated_features))
    if n < 20:
        raise ValueError(f"classifier_two_sample_auc: need >= 20 events per sample, got {n}")
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
    return float(roc_auc_score(labels[:n_test], scores))
