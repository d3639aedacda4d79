"""Classification metrics of taggers: accuracy, AUC and background rejection."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve


def rejection_at_efficiency(
    labels: np.ndarray, scores: np.ndarray, efficiencies: Sequence[float]
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

    Returns
    -------
    dict
        ``{eS: 1/eB}``; ``inf`` where the interpolated eB is zero.
    """
    background_eff, signal_eff, _ = roc_curve(labels, scores)
    rejections = {}
    for efficiency in efficiencies:
        eb = float(np.interp(efficiency, signal_eff, background_eff))
        rejections[efficiency] = 1.0 / eb if eb > 0 else float("inf")
    return rejections


def binary_metrics(
    labels: np.ndarray, scores: np.ndarray, efficiencies: Sequence[float] = (0.3, 0.5, 0.8)
) -> dict[str, float]:
    """Accuracy (threshold 0.5), AUC and 1/eB at each eS.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), values 0 or 1
    scores : np.ndarray with shape (N,)
        Signal probabilities in [0, 1].

    Returns
    -------
    dict
        ``accuracy``, ``auc`` and ``rej<100 eS>`` (e.g. ``rej30`` for eS = 0.3).
    """
    _check_both_classes(labels)
    metrics = {
        "accuracy": float(np.mean((scores > 0.5) == (labels == 1))),
        "auc": float(roc_auc_score(labels, scores)),
    }
    for efficiency, rejection in rejection_at_efficiency(labels, scores, efficiencies).items():
        metrics[f"rej{round(100 * efficiency)}"] = rejection
    return metrics


def multiclass_metrics(labels: np.ndarray, probabilities: np.ndarray, class_names: Sequence[str]) -> dict[str, float]:
    """Accuracy, one-vs-rest AUC per class and their mean.

    Parameters
    ----------
    labels : np.ndarray with shape (N,), class indices
    probabilities : np.ndarray with shape (N, C)
    class_names : sequence of C str

    Returns
    -------
    dict
        ``accuracy``, ``auc_<class>`` and ``auc_macro`` (classes absent from ``labels`` are
        skipped).
    """
    metrics = {"accuracy": float(np.mean(probabilities.argmax(axis=1) == labels))}
    aucs = []
    for index, name in enumerate(class_names):
        is_class = labels == index
        if is_class.all() or not is_class.any():
            continue
        aucs.append(float(roc_auc_score(is_class, probabilities[:, index])))
        metrics[f"auc_{name}"] = aucs[-1]
    if aucs:
        metrics["auc_macro"] = float(np.mean(aucs))
    return metrics


def _check_both_classes(labels: np.ndarray) -> None:
    present = set(np.unique(labels).tolist())
    if present != {0, 1}:
        raise ValueError(f"binary metrics need labels 0 and 1 present, got classes {sorted(present)}")
