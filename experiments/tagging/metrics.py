"""Classification metrics of taggers: accuracy, AUC and background rejection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def rejection_at_efficiency(
    labels: np.ndarray,
    scores: np.ndarray,
    efficiencies: Sequence[float],
    sample_weight: np.ndarray | None = None,
) -> dict[float, float]:
    """Background rejection 1/eB at signal efficiencies eS, interpolating the ROC curve.

    Parameters
    ----------
    labels : np.ndarray with shape (N,)
        1 for signal, 0 for background.
    scores : np.ndarray with shape (N,)
        Larger means more signal-like.
    efficiencies : sequence of float
        Signal efficiencies eS in (0, 1].
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights: eS and eB are weighted fractions (the weighted ROC curve).

    Returns
    -------
    dict
        ``{eS: 1/eB}``; ``inf`` where the interpolated eB is zero.
    """
    from sklearn.metrics import roc_curve  # sklearn loads in seconds: only when used

    background_eff, signal_eff, _ = roc_curve(labels, scores, sample_weight=sample_weight)
    rejections = {}
    for efficiency in efficiencies:
        eb = float(np.interp(efficiency, signal_eff, background_eff))
        rejections[efficiency] = 1.0 / eb if eb > 0 else float("inf")
    return rejections


def binary_metrics(
    labels: np.ndarray,
    scores: np.ndarray,
    efficiencies: Sequence[float] = (0.3, 0.5, 0.8),
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Accuracy (threshold 0.5), AUC and 1/eB at each eS.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), values 0 or 1
    scores : np.ndarray with shape (N,)
        Signal probabilities in [0, 1].
    efficiencies : sequence of float
        Signal efficiencies eS of the rejections.
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights (finite, >= 0): weighted accuracy, AUC and ROC curve.

    Returns
    -------
    dict
        ``accuracy``, ``auc`` and ``rej<100 eS>`` (e.g. ``rej30`` for eS = 0.3).
    """
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

    _check_both_classes(labels)
    sample_weight = _check_weights(sample_weight, labels)
    metrics = {
        "accuracy": float(np.average((scores > 0.5) == (labels == 1), weights=sample_weight)),
        "auc": float(roc_auc_score(labels, scores, sample_weight=sample_weight)),
    }
    rejections = rejection_at_efficiency(labels, scores, efficiencies, sample_weight)
    for efficiency, rejection in rejections.items():
        metrics[f"rej{round(100 * efficiency)}"] = rejection
    return metrics


def multiclass_metrics(
    labels: np.ndarray,
    probabilities: np.ndarray,
    class_names: Sequence[str],
    sample_weight: np.ndarray | None = None,
) -> dict[str, float]:
    """Accuracy, one-vs-rest AUC per class and their mean.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str
    sample_weight : np.ndarray with shape (N,) or None
        Per-jet weights (finite, >= 0): weighted accuracy and AUCs.

    Returns
    -------
    dict
        ``accuracy``, ``auc_<class>`` and ``auc_macro`` (classes absent from ``labels`` are
        skipped).
    """
    from sklearn.metrics import roc_auc_score  # sklearn loads in seconds: only when used

    sample_weight = _check_weights(sample_weight, labels)
    metrics = {"accuracy": float(np.average(probabilities.argmax(axis=1) == labels, weights=sample_weight))}
    aucs = []
    for index, name in enumerate(class_names):
        is_class = labels == index
        if is_class.all() or not is_class.any():
            continue
        aucs.append(float(roc_auc_score(is_class, probabilities[:, index], sample_weight=sample_weight)))
        metrics[f"auc_{name}"] = aucs[-1]
    if aucs:
        metrics["auc_macro"] = float(np.mean(aucs))
    return metrics


def _check_both_classes(labels: np.ndarray) -> None:
    present = set(np.unique(labels).tolist())
    if present != {0, 1}:
        raise ValueError(f"binary metrics need labels 0 and 1 present, got classes {sorted(present)}")


def _check_weights(sample_weight: np.ndarray | None, labels: np.ndarray) -> np.ndarray | None:
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.shape != labels.shape:
        raise ValueError(f"sample_weight has shape {sample_weight.shape}, expected {labels.shape} like the labels")
    if not (np.isfinite(sample_weight).all() and (sample_weight >= 0).all() and sample_weight.sum() > 0):
        raise ValueError("sample_weight must be finite and >= 0 with a positive sum")
    return sample_weight
